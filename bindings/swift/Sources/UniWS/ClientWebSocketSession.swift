import Foundation

/// An open WebSocket session, like Ktor's `DefaultClientWebSocketSession`: sends and receives
/// frames, answers pings, runs the pinger, and reports a ``CloseReason`` when it ends. Letting go
/// of the last reference closes it with 1000 in the background.
public final class ClientWebSocketSession: Sendable {
    /// The core's session; its generated calls stay inside this module.
    let ffi: FfiSession

    init(_ ffi: FfiSession) {
        self.ffi = ffi
    }

    // The async calls below take the caller's isolation (`#isolation`), so a caller on the main
    // actor queues a message or takes one that has arrived without leaving it: only a wait hops.

    /// Sends a text message. Waits only while the outgoing queue is full; cancelling the `Task`
    /// then throws `CancellationError` and the message is not sent. Throws as ``send(frame:)``.
    public func send(_ text: String, isolation: isolated (any Actor)? = #isolation) async throws {
        try Frame.checkCrossesTheFFI(payloadSize: text.utf8.count)
        if try trySendInPlace(text) { return }
        try await sendWaitingForRoom(.text(text: text))
    }

    /// Sends a binary message. Waits and throws as sending a text message does.
    public func send(_ data: Data, isolation: isolated (any Actor)? = #isolation) async throws {
        try Frame.checkCrossesTheFFI(payloadSize: data.count)
        if try trySendInPlace(data) { return }
        try await sendWaitingForRoom(.binary(data: data))
    }

    /// Queues `data` without waiting if there is room: the core masks it straight from the
    /// `Data`'s memory into its outgoing buffer during the call, the only copy made.
    private func trySendInPlace(_ data: Data) throws -> Bool {
        try data.withUnsafeBytes { bytes in
            try ffi.unsafeTrySendBinaryAt(address: Self.address(of: bytes), length: UInt64(bytes.count))
        }
    }

    /// Queues `text` as `trySendInPlace(_: Data)` does, from the string's UTF-8.
    private func trySendInPlace(_ text: String) throws -> Bool {
        var text = text
        // Native strings are contiguous UTF-8 already; others are made so first.
        return try text.withUTF8 { bytes in
            try ffi.unsafeTrySendTextAt(address: Self.address(of: UnsafeRawBufferPointer(bytes)), length: UInt64(bytes.count))
        }
    }

    /// The address the core reads `bytes` from (0 for an empty buffer without one).
    private static func address(of bytes: UnsafeRawBufferPointer) -> UInt64 {
        UInt64(UInt(bitPattern: bytes.baseAddress))
    }

    /// Sends any frame; `.close` starts the closing handshake without waiting for it.
    ///
    /// Throws `.InvalidRequest` for a payload over 2 GiB less 64 bytes (the most that crosses to
    /// the core, as for received messages), a control payload over 125 bytes or a close code that
    /// may not be sent, `.Closed` once the session is closing.
    public func send(frame: Frame, isolation: isolated (any Actor)? = #isolation) async throws {
        try frame.checkCrossesTheFFI()
        // Queue without waiting when there is room: one cheap synchronous call.
        if try ffi.trySend(frame: frame) { return }
        try await sendWaitingForRoom(frame)
    }

    /// Sends `frames` in order as one call: every frame is checked first, so an invalid one throws
    /// `.InvalidRequest` before anything is sent. A `.close` frame may only come last.
    public func send(batch frames: [Frame]) async throws {
        for frame in frames { try frame.checkCrossesTheFFI() }
        try await ffi.sendBatch(frames: frames)
    }

    /// Sends `frame`, which the synchronous try refused, waiting for room in the outgoing queue
    /// (or starting the close); cancelling the `Task` throws `CancellationError` and sends nothing.
    private func sendWaitingForRoom(_ frame: Frame) async throws {
        try await withRustCancellation { token in
            try await ffi.sendWithCancellation(frame: frame, token: token)
        }
    }

    /// Receives the next complete message (`.text` or `.binary`), in order.
    ///
    /// Messages that arrived before a failure are delivered first; then this throws the failure
    /// once (`.ProtocolViolation`, `.FrameTooBig`, `.PingTimeout`, `.Io`) and `.Closed` ever
    /// after. Cancelling the calling `Task` throws `CancellationError` promptly and loses nothing.
    public func receive(isolation: isolated (any Actor)? = #isolation) async throws -> Frame {
        // A message that has already arrived is taken with one cheap synchronous call.
        if let arrived = ffi.tryReceiveBatch(max: 1).first { return arrived }
        return try await withRustCancellation { token in
            try await ffi.receiveWithCancellation(token: token)
        }
    }

    /// The incoming messages as an `AsyncSequence`. It finishes when the session closes normally
    /// and throws if the session failed. Iterate it from one place at a time: the iterator takes
    /// what has arrived from the session's single incoming queue in batches when the loop asks for
    /// a message, so the queue's back-pressure holds, and when the loop ends early the iterator
    /// gives the messages it still holds back to the session for the next reader.
    public var incoming: IncomingMessages { IncomingMessages(session: ffi) }

    /// Closes the session: sends a close frame with `reason` (default 1000) after the frames
    /// already queued and waits for the closing handshake, at most the close timeout.
    ///
    /// Throws `.InvalidRequest` for a code that may not be sent or a message over 123 bytes.
    public func close(_ reason: CloseReason = CloseReason(code: CloseReason.Codes.normal, message: "")) async throws {
        try await ffi.closeWith(reason: reason)
    }

    /// Waits for the session to end and returns why: the peer's close frame (1005 if it was
    /// empty), the code uniws sent when it failed the session, or 1006 when the connection ended
    /// without a close frame.
    public func closeReason() async -> CloseReason {
        await ffi.closeReason()
    }

    /// The close reason if the session has ended, without waiting.
    public var closeReasonIfEnded: CloseReason? { ffi.closeReasonNow() }

    /// The HTTP call that opened this session (request as sent, 101 response, subprotocol).
    public var call: HttpCall { ffi.callInfo() }

    /// The extensions the server accepted, as its answer wrote them (such as
    /// `permessage-deflate; client_max_window_bits=10`); empty when it accepted none.
    public var extensions: [String] { ffi.negotiatedExtensions() }

    /// The negotiated subprotocol, if any.
    public var subprotocol: String? { ffi.negotiatedSubprotocol() }

    /// Whether frames can still be sent: `false` once closing has begun from either side.
    public var isActive: Bool { ffi.isActive() }

    /// The largest frame payload accepted; applies from the next frame.
    public var maxFrameSize: UInt64 {
        get { ffi.getMaxFrameSize() }
        set { ffi.setMaxFrameSize(bytes: newValue) }
    }

    /// The ping interval in seconds, `nil` when pings are off; setting it restarts the timer.
    public var pingInterval: TimeInterval? {
        get { ffi.getPingInterval() }
        set { ffi.setPingInterval(interval: newValue) }
    }

    /// How long to wait for a pong, in seconds.
    public var timeout: TimeInterval {
        get { ffi.getTimeout() }
        set { ffi.setTimeout(timeout: newValue) }
    }
}

/// The messages of a session, taken in batches as the loop asks for them (see
/// `ClientWebSocketSession.incoming`): one call into the core brings every message that has
/// arrived, up to 64, and whatever the loop leaves unread goes back to the session when the
/// iterator goes away.
public struct IncomingMessages: AsyncSequence, Sendable {
    public typealias Element = Frame

    let session: FfiSession

    public func makeAsyncIterator() -> Iterator {
        Iterator(batch: Batch(session: session))
    }

    public struct Iterator: AsyncIteratorProtocol {
        let batch: Batch

        /// The next message; `nil` once the session has closed normally. Throws the failure of a
        /// session that failed, and `CancellationError` when the task is cancelled (nothing is lost).
        public mutating func next() async throws -> Frame? {
            try await batch.next(isolation: nil)
        }

        /// ``next()`` on the iterating task's actor, which `for try await` calls where the OS has
        /// it: messages of a batch already taken reach a main-actor loop without a hop.
        @available(iOS 18.0, macOS 15.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> Frame? {
            try await batch.next(isolation: actor)
        }
    }

    /// The messages taken from the session and not yet handed to the loop. Owned by one iterator
    /// (iterated from one task at a time, as `AsyncIteratorProtocol` requires).
    final class Batch: @unchecked Sendable {
        /// The most messages taken from the core in one call.
        static let size: UInt32 = 64

        let session: FfiSession
        /// Taken from the core in one batch held in place, and taken out as the loop asks.
        private var messages = ReceivedMessages()
        private var finished = false
        /// The token for the waits, reused until a wait is cancelled (a cancelled token stays
        /// cancelled): one object fewer to create and free across the FFI per wait.
        private var token = CancellationToken()

        init(session: FfiSession) {
            self.session = session
        }

        func next(isolation: isolated (any Actor)?) async throws -> Frame? {
            while true {
                if let frame = messages.next() { return frame }
                if finished { return nil }
                do {
                    if let arrived = session.tryReceiveInPlace(max: Self.size) {
                        messages = ReceivedMessages(arrived)
                    } else {
                        messages = ReceivedMessages(try await waitForBatch())
                    }
                } catch WebSocketError.Closed {
                    finished = true
                    return nil
                } catch let error as WebSocketError {
                    finished = true
                    throw error
                }
            }
        }

        /// Waits for the next messages; cancelling the task throws `CancellationError` promptly
        /// and consumes nothing.
        private func waitForBatch() async throws -> ReceivedBatch {
            let token = self.token
            defer {
                // The token may have been cancelled: never reuse it then.
                if Task.isCancelled { self.token = CancellationToken() }
            }
            do {
                return try await withTaskCancellationHandler {
                    try await session.receiveInPlaceWithCancellation(max: Self.size, token: token)
                } onCancel: {
                    token.cancel()
                }
            } catch WebSocketError.Cancelled {
                throw CancellationError()
            }
        }

        deinit {
            let unread = messages.rest()
            if !unread.isEmpty {
                session.returnUnread(frames: unread)
            }
        }
    }
}

extension Frame {
    /// The most payload bytes a frame may carry to the core: UniFFI hands it over with a 32-bit
    /// length, and its generated code traps (rather than throws) on a larger one. The same
    /// ceiling the core puts on received messages (`MESSAGE_SIZE_CEILING`): 2 GiB less 64 bytes.
    static let largestPayload = Int(Int32.max) - 64

    /// Throws `.InvalidRequest` when the payload is too large to cross to the core.
    func checkCrossesTheFFI() throws {
        switch self {
        case .text(let text): try Self.checkCrossesTheFFI(payloadSize: text.utf8.count)
        case .binary(let data), .ping(let data), .pong(let data):
            try Self.checkCrossesTheFFI(payloadSize: data.count)
        case .close(let reason): try Self.checkCrossesTheFFI(payloadSize: reason?.message.utf8.count ?? 0)
        }
    }

    /// Throws `.InvalidRequest` when a payload of `payloadSize` bytes is too large to cross.
    static func checkCrossesTheFFI(payloadSize size: Int) throws {
        if size > largestPayload {
            throw WebSocketError.InvalidRequest(
                detail: "a payload of \(size) bytes is larger than the \(largestPayload) bytes a message may have"
            )
        }
    }
}
