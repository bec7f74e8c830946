import Foundation
import UniWS

/// Sends one binary message of `size` bytes filled with `byte`, allocated per send like
/// bench-rust's `vec![byte; size]`. On the caller's actor, as are the helpers below, so that a
/// main-actor workload measures uniws's hops, not the harness's.
func sendBinary(
    _ session: ClientWebSocketSession, size: Int, byte: UInt8,
    isolation: isolated (any Actor)? = #isolation
) async throws {
    try await session.send(Data(repeating: byte, count: size))
}

/// Takes the next message from an iterator of `session.incoming` (made once per session) and
/// fails the run unless it is a binary message of `size` bytes. Generic over the iterator so it
/// does not depend on the concrete type `incoming` returns.
func receiveEcho<Messages: AsyncIteratorProtocol>(
    _ messages: inout Messages, size: Int, isolation: isolated (any Actor)? = #isolation
) async throws where Messages.Element == Frame {
    guard let frame = try await messages.next(isolation: isolation) else {
        fail("the session ended while waiting for a \(size)-byte echo")
    }
    guard case .binary(let data) = frame else { fail("expected a binary echo, got \(frame)") }
    if data.count != size { fail("echo of \(data.count) bytes, expected \(size)") }
}
