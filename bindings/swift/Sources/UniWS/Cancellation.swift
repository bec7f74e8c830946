import Foundation

/// Runs a Rust call that takes a ``CancellationToken`` so that cancelling the current Swift `Task`
/// really stops it: UniFFI's generated async code does not cancel the awaited Rust future by itself.
///
/// A cancelled call throws `CancellationError` and has consumed nothing (a cancelled `receive()`
/// leaves the next message for the next call).
func withRustCancellation<T>(_ call: (CancellationToken) async throws -> T) async throws -> T {
    let token = CancellationToken()
    do {
        return try await withTaskCancellationHandler {
            try await call(token)
        } onCancel: {
            token.cancel()
        }
    } catch WebSocketError.Cancelled {
        throw CancellationError()
    }
}
