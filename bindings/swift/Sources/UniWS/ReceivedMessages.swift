import Foundation

/// A batch of received messages as the core holds it (`tryReceiveInPlace`): the payloads stay in
/// the core's memory, and the batch's directory gives, for each frame, its kind (the RFC 6455
/// opcode), the payload's length (little-endian `UInt32`) and the payload's address (little-endian
/// `UInt64`); a close frame's payload is its code (big-endian) and message. A payload is copied
/// once at most, where the generated code would copy it three times; a large binary payload becomes
/// a `Data` over the core's memory without any copy, and that `Data` keeps the batch alive.
struct ReceivedMessages {
    private let batch: ReceivedBatch?
    private let directory: Data
    private var offset = 0

    /// Kind, length and address.
    private static let entry = 13

    /// From this size a binary payload is handed over without a copy. Below it a copy costs less
    /// than a `Data` with its own deallocator, and a small message kept by the application does
    /// not hold on to the rest of its batch.
    static let inPlaceMinimum = 32 << 10

    init(_ batch: ReceivedBatch? = nil) {
        self.batch = batch
        self.directory = batch?.directory() ?? Data()
    }

    /// The next frame, or `nil` when every frame has been taken.
    mutating func next() -> Frame? {
        guard let batch, offset < directory.count else { return nil }
        let (kind, length, address) = directory.withUnsafeBytes { raw in
            precondition(raw.count - offset >= Self.entry, "a batch directory ended inside an entry")
            return (
                raw[offset],
                Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 1, as: UInt32.self))),
                UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 5, as: UInt64.self))
            )
        }
        offset += Self.entry
        guard let start = UnsafeMutableRawPointer(bitPattern: UInt(address)) else {
            preconditionFailure("a batch directory gave no address for a payload")
        }
        let payload = UnsafeRawBufferPointer(start: start, count: length)
        if kind == 0x2 && length >= Self.inPlaceMinimum {
            // The core never touches a payload again while its batch lives, so this memory is the
            // application's, to read or write, until the `Data` lets the batch go.
            return .binary(data: Data(bytesNoCopy: start, count: length, deallocator: .custom { _, _ in
                withExtendedLifetime(batch) {}
            }))
        }
        return Self.frame(kind: kind, payload: payload)
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
            preconditionFailure("a batch holds a frame of unknown kind \(kind)")
        }
    }
}
