//! The session as the bindings see it: the Rust API, plus synchronous try-variants, explicit
//! cancellation, batches held in place, sends from the caller's memory, and messages handed back
//! unread.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;

use super::borrowed::borrowed;
use super::{CancellationToken, ReceivedBatch};
use crate::call::HttpCall;
use crate::error::{Result, WebSocketError};
use crate::frame::{CloseReason, Frame};
use crate::protocol::Borrowed;
use crate::session::ClientWebSocketSession;

/// An open WebSocket session (the Rust [`ClientWebSocketSession`], for the bindings). Dropping the
/// last reference closes the session with 1000 in the background.
#[derive(Debug, uniffi::Object)]
pub(crate) struct FfiSession {
    session: Arc<ClientWebSocketSession>,
    /// Messages handed back by [`return_unread`](Self::return_unread), delivered before the
    /// session's incoming queue.
    returned: Mutex<VecDeque<Frame>>,
}

impl FfiSession {
    pub(crate) fn new(session: Arc<ClientWebSocketSession>) -> Self {
        FfiSession {
            session,
            returned: Mutex::new(VecDeque::new()),
        }
    }

    pub(crate) fn returned(&self) -> MutexGuard<'_, VecDeque<Frame>> {
        self.returned.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Up to `limit` of the messages handed back, oldest first.
    pub(crate) fn take_returned(&self, limit: usize) -> Vec<Frame> {
        let mut returned = self.returned();
        let count = returned.len().min(limit);
        returned.drain(..count).collect()
    }

    /// Holds `batch` for the bindings to read in place (see [`ReceivedBatch`]); what does not fit
    /// goes back in front of the incoming messages.
    pub(crate) fn hold(&self, batch: Vec<Frame>) -> Arc<ReceivedBatch> {
        let (held, rest) = ReceivedBatch::hold(batch);
        if !rest.is_empty() {
            self.return_unread(rest);
        }
        Arc::new(held)
    }
}

#[uniffi::export]
impl FfiSession {
    /// Sends any frame. Text, binary, ping and pong frames are queued in order; a `Close` frame
    /// starts the closing handshake without waiting for it.
    ///
    /// Errors: `InvalidRequest` for a control payload over 125 bytes or a close code that may not be
    /// sent; `Closed` once the session is closing or closed.
    pub(crate) async fn send(&self, frame: Frame) -> Result<()> {
        self.session.send(frame).await
    }

    /// Sends a text message.
    pub(crate) async fn send_text(&self, text: String) -> Result<()> {
        self.session.send_text(text).await
    }

    /// Sends a binary message.
    pub(crate) async fn send_binary(&self, data: Bytes) -> Result<()> {
        self.session.send_binary(data).await
    }

    /// Sends `frames` in order, as one call (see the Rust `send_batch`).
    pub(crate) async fn send_batch(&self, frames: Vec<Frame>) -> Result<()> {
        self.session.send_batch(frames).await
    }

    /// [`send`](Self::send) that returns `Cancelled` if `token` is cancelled while it waits for
    /// room in the outgoing queue (the frame is then not sent).
    pub(crate) async fn send_with_cancellation(
        &self,
        frame: Frame,
        token: Arc<CancellationToken>,
    ) -> Result<()> {
        token.run("send", self.session.send(frame)).await
    }

    /// Queues a text, binary, ping or pong frame if that needs no waiting: `true` when queued,
    /// `false` when the outgoing queue is full, another send is in progress, the session is
    /// closing, or `frame` is a `Close` (then call `send`, which waits or reports why).
    ///
    /// Errors: `InvalidRequest` as for `send`.
    pub(crate) fn try_send(&self, frame: Frame) -> Result<bool> {
        self.session.try_send(frame)
    }

    /// [`try_send`](Self::try_send) for a binary message, which crosses the FFI as one block
    /// rather than a serialized [`Frame`] (the Kotlin layer's `send(ByteArray)`).
    pub(crate) fn try_send_binary(&self, data: Bytes) -> bool {
        self.session.try_send_borrowed(Borrowed::Binary(&data))
    }

    /// [`try_send`](Self::try_send) for a text message, which crosses the FFI as a string rather
    /// than a serialized [`Frame`] (the Kotlin layer's `send(String)`).
    pub(crate) fn try_send_text(&self, text: String) -> bool {
        self.session.try_send_borrowed(Borrowed::Text(&text))
    }

    /// Queues as many of `frames` as fit without waiting, in order, and returns how many: the
    /// frames after that count were not queued (pass them to [`send_batch`](Self::send_batch)).
    /// Every frame is checked first; a `Close` frame is never queued here.
    ///
    /// Errors: `InvalidRequest` as for `send_batch`, before anything is queued.
    pub(crate) fn try_send_batch(&self, frames: Vec<Frame>) -> Result<u32> {
        let queued = self.session.try_send_batch(frames)?;
        Ok(u32::try_from(queued).unwrap_or(u32::MAX))
    }

    /// [`try_send_binary`](Self::try_send_binary) for the `length` bytes at `address` in the
    /// caller's memory, masked straight from there into the outbox: the Swift layer's
    /// `send(Data)` passes a `Data`'s bytes from inside `withUnsafeBytes`. The memory must stay
    /// readable and unchanged until the call returns; it is only read during the call.
    ///
    /// Errors: `InvalidRequest` for a null address with a non-zero length, or a length no slice
    /// can have.
    pub(crate) fn unsafe_try_send_binary_at(&self, address: u64, length: u64) -> Result<bool> {
        // SAFETY: only the bindings' internal code calls this (through UniFFI's scaffolding), with
        // a live buffer of `length` bytes that it does not change during the call.
        let data = unsafe { borrowed(address, length)? };
        Ok(self.session.try_send_borrowed(Borrowed::Binary(data)))
    }

    /// [`unsafe_try_send_binary_at`](Self::unsafe_try_send_binary_at) for a text message of
    /// `length` bytes of UTF-8 at `address`, under the same terms.
    ///
    /// Errors: `InvalidRequest` as there, and for bytes that are not UTF-8 (nothing is sent).
    pub(crate) fn unsafe_try_send_text_at(&self, address: u64, length: u64) -> Result<bool> {
        // SAFETY: as in `unsafe_try_send_binary_at`.
        let bytes = unsafe { borrowed(address, length)? };
        let text = std::str::from_utf8(bytes).map_err(|error| {
            WebSocketError::invalid_request(format!("a text message must be UTF-8: {error}"))
        })?;
        Ok(self.session.try_send_borrowed(Borrowed::Text(text)))
    }

    /// Receives the next complete message (`Text` or `Binary`), in order; messages handed back
    /// unread come first. Errors as for the Rust `receive`.
    pub(crate) async fn receive(&self) -> Result<Frame> {
        if let Some(frame) = self.take_returned(1).pop() {
            return Ok(frame);
        }
        self.session.receive().await
    }

    /// [`receive`](Self::receive) that returns `Cancelled` as soon as `token` is cancelled,
    /// leaving the next message for the next call.
    pub(crate) async fn receive_with_cancellation(
        &self,
        token: Arc<CancellationToken>,
    ) -> Result<Frame> {
        token.run("receive", self.receive()).await
    }

    /// Receives up to `max` messages at once: waits for the first, then adds those that have
    /// already arrived, in order; `max` of 0 is treated as 1.
    pub(crate) async fn receive_batch(&self, max: u32) -> Result<Vec<Frame>> {
        let returned = self.take_returned((max as usize).max(1));
        if !returned.is_empty() {
            return Ok(returned);
        }
        self.session.receive_batch(max).await
    }

    /// [`receive_batch`](Self::receive_batch) that returns `Cancelled` as soon as `token` is
    /// cancelled, leaving the messages for the next call.
    pub(crate) async fn receive_batch_with_cancellation(
        &self,
        max: u32,
        token: Arc<CancellationToken>,
    ) -> Result<Vec<Frame>> {
        token.run("receive", self.receive_batch(max)).await
    }

    /// Takes up to `max` messages that have already arrived, without waiting: an empty list when
    /// none has (or the session has ended: `receive` then reports how).
    pub(crate) fn try_receive_batch(&self, max: u32) -> Vec<Frame> {
        let limit = (max as usize).max(1);
        let mut batch = self.take_returned(limit);
        if batch.len() < limit {
            let rest = u32::try_from(limit - batch.len()).unwrap_or(u32::MAX);
            batch.extend(self.session.try_receive_batch(rest));
        }
        batch
    }

    /// [`try_receive_batch`](Self::try_receive_batch) with the messages held for the bindings to
    /// read in place (see [`ReceivedBatch`]); `None` when nothing has arrived. A batch of several
    /// messages holds at most 1 MiB of payload (one larger message comes alone); the messages that
    /// do not fit stay first in line.
    pub(crate) fn try_receive_in_place(&self, max: u32) -> Option<Arc<ReceivedBatch>> {
        let batch = self.try_receive_batch(max);
        (!batch.is_empty()).then(|| self.hold(batch))
    }

    /// [`receive_batch_with_cancellation`](Self::receive_batch_with_cancellation) with the
    /// messages held like [`try_receive_in_place`](Self::try_receive_in_place).
    pub(crate) async fn receive_in_place_with_cancellation(
        &self,
        max: u32,
        token: Arc<CancellationToken>,
    ) -> Result<Arc<ReceivedBatch>> {
        let batch = self.receive_batch_with_cancellation(max, token).await?;
        Ok(self.hold(batch))
    }

    /// Puts messages that a batch receive took but the application never read back in front of
    /// the incoming messages, in order: the next receive returns them first. Bindings whose
    /// iterators hold a batch call it when the iterator goes away, so leaving a loop early loses
    /// nothing. (With one reader at a time, as receiving requires, order is kept.)
    pub(crate) fn return_unread(&self, frames: Vec<Frame>) {
        let mut returned = self.returned();
        for frame in frames.into_iter().rev() {
            returned.push_front(frame);
        }
    }

    /// Makes the failure of this session wait for [`release_failure`](Self::release_failure)
    /// instead of the receive that returns it: for the Kotlin layer, which takes messages ahead of
    /// the application, so that the application's answers to the messages before a failure still
    /// go out before the failing close frame. Letting go of the session or the close timeout
    /// still end it.
    pub(crate) fn defer_failure_release(&self) {
        self.session.defer_failure_release();
    }

    /// The application has read up to the failure: refuse sends and send the failing close frame.
    pub(crate) fn release_failure(&self) {
        self.session.release_failure();
    }

    /// Closes the session: sends a close frame with `reason` (default `1000 NORMAL`) after the
    /// frames already queued, then waits for the closing handshake, at most the close timeout.
    ///
    /// Errors: `InvalidRequest` for a code that may not be sent or a message over 123 bytes.
    /// (Named `close_with` because a method named `close` breaks the Kotlin bindings; the Swift and
    /// Kotlin layers present it as `close()`.)
    #[uniffi::method(default(reason = None))]
    pub(crate) async fn close_with(&self, reason: Option<CloseReason>) -> Result<()> {
        self.session.close_with(reason).await
    }

    /// Waits for the session to end and returns why (see the Rust `close_reason`).
    pub(crate) async fn close_reason(&self) -> CloseReason {
        self.session.close_reason().await
    }

    /// The close reason if the session has ended, without waiting.
    pub(crate) fn close_reason_now(&self) -> Option<CloseReason> {
        self.session.close_reason_now()
    }

    /// Whether frames can still be sent: `false` once closing has begun from either side.
    pub(crate) fn is_active(&self) -> bool {
        self.session.is_active()
    }

    /// The HTTP call that opened this session.
    pub(crate) fn call_info(&self) -> HttpCall {
        self.session.call().clone()
    }

    /// The negotiated extensions (none yet: uniws offers none).
    pub(crate) fn negotiated_extensions(&self) -> Vec<String> {
        self.session.negotiated_extensions().to_vec()
    }

    /// The negotiated subprotocol, if any.
    pub(crate) fn negotiated_subprotocol(&self) -> Option<String> {
        self.session.negotiated_subprotocol().map(str::to_owned)
    }

    /// The largest frame payload accepted now.
    pub(crate) fn get_max_frame_size(&self) -> u64 {
        self.session.max_frame_size()
    }

    /// Changes the largest frame payload accepted; applies from the next frame header.
    pub(crate) fn set_max_frame_size(&self, bytes: u64) {
        self.session.set_max_frame_size(bytes);
    }

    /// The ping interval now, `None` when pings are off.
    pub(crate) fn get_ping_interval(&self) -> Option<Duration> {
        self.session.ping_interval()
    }

    /// Changes the ping interval (`None` or zero turns pings off); the timer restarts now.
    pub(crate) fn set_ping_interval(&self, interval: Option<Duration>) {
        self.session.set_ping_interval(interval);
    }

    /// The pong timeout now.
    pub(crate) fn get_timeout(&self) -> Duration {
        self.session.timeout()
    }

    /// Changes the pong timeout; applies from the next ping.
    pub(crate) fn set_timeout(&self, timeout: Duration) {
        self.session.set_timeout(timeout);
    }
}
