import Foundation

/// A batch of received messages as the core packs it (`tryReceivePacked`): for each frame a kind
/// byte (its RFC 6455 opcode), the payload length as a little-endian `UInt32`, then the payload; a
/// close frame's payload is its code (big-endian) and message. Taking frames out with direct memory
/// reads costs a fraction of the generated code's reading of a list of frames.
struct PackedMessages {
    private let bytes: Data
    private var offset = 0

    /// The kind byte and the length before each payload.
    private static let prefix = 5

    init(_ bytes: Data = Data()) {
        self.bytes = bytes
    }

    /// The next frame, or `nil` when every frame has been taken.
    mutating func next() -> Frame? {
        guard offset < bytes.count else { return nil }
        return bytes.withUnsafeBytes { raw in
            precondition(raw.count - offset >= Self.prefix, "a packed batch ended inside a frame header")
            let kind = raw[offset]
            let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 1, as: UInt32.self)))
            let start = offset + Self.prefix
            precondition(raw.count - start >= length, "a packed batch ended inside a payload")
            offset = start + length
            return Self.frame(kind: kind, payload: UnsafeRawBufferPointer(rebasing: raw[start..<offset]))
        }
    }

    /// Every frame not yet taken, in order.
    mutating func rest() -> [Frame] {
        var frames: [Frame] = []
        while let frame = next() {
            frames.append(frame)
        }
        return frames
    }

    private static func frame(kind: UInt8, payload: UnsafeRawBufferPointer) -> Frame {
        switch kind {
        case 0x1:
            return .text(text: String(decoding: payload, as: UTF8.self))
        case 0x2:
            return .binary(data: Data(payload))
        case 0x9:
            return .ping(data: Data(payload))
        case 0xA:
            return .pong(data: Data(payload))
        case 0x8:
            guard payload.count >= 2 else { return .close(reason: nil) }
            let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
            let message = String(decoding: UnsafeRawBufferPointer(rebasing: payload[2...]), as: UTF8.self)
            return .close(reason: CloseReason(code: code, message: message))
        default:
            preconditionFailure("a packed batch holds a frame of unknown kind \(kind)")
        }
    }
}
