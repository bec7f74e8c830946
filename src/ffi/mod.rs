//! Everything that exists only for the Swift and Kotlin bindings, apart from the Rust API.
//!
//! The bindings see the core through the objects here, which their idiomatic layers keep
//! internal: `FfiClient` and [`FfiSession`] wrap the
//! Rust [`WebSocketClient`](crate::WebSocketClient) and
//! [`ClientWebSocketSession`](crate::ClientWebSocketSession) and add what foreign callers need and
//! Rust callers do not: synchronous try-variants (a synchronous call crosses the FFI far cheaper
//! than an async one), explicit cancellation tokens (Swift's generated async code cannot drop a
//! Rust future), batches held in place for reading without copies, sends from the caller's
//! memory, and unread messages handed back. Every `unsafe` of the crate that trusts foreign code
//! lives in this module, each with its contract.
//!
//! None of it is public Rust API: only UniFFI's scaffolding calls it.

mod borrowed;
mod bytes;
mod cancellation;
mod client;
mod received_batch;
mod session;

pub(crate) use cancellation::CancellationToken;
pub(crate) use received_batch::ReceivedBatch;
pub(crate) use session::FfiSession;

#[cfg(test)]
mod tests;
