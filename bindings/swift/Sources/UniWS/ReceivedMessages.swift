import Foundation

/// A batch of received messages as the core holds it (`tryReceiveInPlace`): the payloads stay in
/// the core's memory, and so does the batch's directory, read in place: the number of frames
/// (little-endian `UInt32`), then for each frame its kind (the RFC 6455 opcode, plus `0x80` when
/// the payload's memory is the batch's alone), the payload's length (little-endian `UInt32`) and
/// its address (little-endian `UInt64`); a close frame's payload is
/// its code (big-endian) and message. A payload is copied out once, where the generated code would
/// copy it three times; a binary payload in memory of the batch's own (the core marks that for
/// payloads of 32 KiB or more whose memory nothing else shares, such as those over 1 MiB) becomes
/// a `Data` over that memory without a copy, and the `Data` keeps the batch alive.
struct ReceivedMessages {
    /// Let go of once its last frame is taken: the core reuses the memory of read payloads only
    /// after the batch holding them is gone (a 64 KiB round trip measured about 50 µs slower when
    /// the batch lived until the next one arrived).
    private var batch: ReceivedBatch?
    /// The directory's entries, in the batch's memory: valid while `batch` is held.
    private let directory: UnsafeRawBufferPointer
    private var offset = 0

    /// Kind, length and address.
    private static let entry = 13
    /// The number of frames, before the first entry.
    private static let header = 4
    /// The flag on a kind whose payload's memory belongs to the batch alone.
    private static let owned: UInt8 = 0x80

    init(_ batch: ReceivedBatch? = nil) {
        self.batch = batch
        guard let batch, let start = UnsafeRawPointer(bitPattern: UInt(batch.directoryAddress())) else {
            self.directory = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let count = Int(UInt32(littleEndian: start.loadUnaligned(as: UInt32.self)))
        self.directory = UnsafeRawBufferPointer(start: start + Self.header, count: count * Self.entry)
    }

    /// The next frame, or `nil` when every frame has been taken.
    mutating func next() -> Frame? {
        guard let batch, offset < directory.count else { return nil }
        let kind = directory[offset]
        let length = Int(UInt32(littleEndian: directory.loadUnaligned(fromByteOffset: offset + 1, as: UInt32.self)))
        let address = UInt64(littleEndian: directory.loadUnaligned(fromByteOffset: offset + 5, as: UInt64.self))
        offset += Self.entry
        defer { if offset >= directory.count { self.batch = nil } }
        guard let start = UnsafeMutableRawPointer(bitPattern: UInt(address)) else {
            preconditionFailure("a batch directory gave no address for a payload")
        }
        if kind == Self.owned | 0x2 {
            // Nothing else uses this memory while the batch lives, so it is the application's, to
            // read or write, until the `Data` lets the batch go.
            return .binary(data: Data(bytesNoCopy: start, count: length, deallocator: .custom { _, _ in
                withExtendedLifetime(batch) {}
            }))
        }
        return Self.frame(kind: kind & ~Self.owned, payload: UnsafeRawBufferPointer(start: start, count: length))
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
