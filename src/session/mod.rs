//! The session handle the application holds, and the two tasks that keep the connection running.
//!
//! The reader owns the read half: it answers pings, delivers messages to a bounded channel and
//! runs the close handshake whether or not the application is reading. Its own task runs it, and
//! so does a receive call while it waits (see [`ReadDriver`]). The write half sits in a [`Wire`]
//! shared by the handle and a writer task: sends encode into its bounded outbox, a send with
//! nothing ahead of it is written on the caller's thread (as a direct tokio-tungstenite write),
//! bursts are gathered by the writer task into one write, and the writer also sends pings and
//! times the close handshake. No call holds anything across an `.await` except the send order
//! while it waits for room, so every call stays cancel-safe, and dropping the handle closes the
//! session in the background.

mod burst;
mod read_driver;
mod reader;
mod state;
mod wire;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use tokio::sync::{mpsc, Mutex};

use crate::call::HttpCall;
use crate::config::WebSocketConfig;
use crate::connect::Connection;
use crate::error::{Result, WebSocketError};
use crate::frame::{CloseReason, Frame};
use crate::protocol::{Borrowed, Decoder, Encode, MAX_CONTROL_PAYLOAD};
use read_driver::ReadDriver;
use reader::Reader;
use state::Shared;
use wire::{Taken, Wire};
use writer::Writer;

/// The longest close message that fits a control frame after the two code bytes.
const MAX_CLOSE_MESSAGE: usize = MAX_CONTROL_PAYLOAD - 2;

/// An open WebSocket session, like Ktor's `DefaultClientWebSocketSession`.
///
/// Sending writes frames at once or queues them for the session's writer (waiting only while the
/// outgoing queue is full); [`receive`](Self::receive) returns complete messages in order. Pings
/// from the peer are answered automatically. Dropping the last reference closes the session with
/// 1000 in the background.
pub struct ClientWebSocketSession {
    shared: Arc<Shared>,
    /// The write side, whose outbox sends encode their frames into.
    wire: Arc<Wire>,
    /// Held while a send puts its frames in the outbox (waiting for room if need be), so that
    /// concurrent sends keep their frames together and in call order.
    send_order: Mutex<()>,
    incoming: Mutex<mpsc::Receiver<Frame>>,
    /// The reader, which a receive call drives too while it waits (see [`ReadDriver`]).
    reader: Arc<ReadDriver>,
    call: HttpCall,
}

impl std::fmt::Debug for ClientWebSocketSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientWebSocketSession")
            .field("url", &self.call.request.url.as_str())
            .field("active", &self.is_active())
            .finish_non_exhaustive()
    }
}

impl ClientWebSocketSession {
    /// Starts the reader and writer tasks for an upgraded connection, on the runtime it was opened
    /// on (see [`run_on_runtime`](crate::runtime::run_on_runtime)).
    pub(crate) fn start(connection: Connection, config: &WebSocketConfig) -> Arc<Self> {
        let shared = Arc::new(Shared::new(config));
        let (incoming_tx, incoming_rx) = mpsc::channel(config.incoming_queue_size.max(1) as usize);
        let (control_tx, control_rx) = mpsc::unbounded_channel();

        let wire = Arc::new(Wire::new(
            connection.writer,
            config.outgoing_queue_size.max(1) as usize,
            connection.extensions.send,
        ));
        let reader = Reader::new(
            connection.reader,
            connection.leftover,
            Decoder::with_transform(connection.extensions.receive),
            shared.clone(),
            wire.clone(),
            control_tx,
        );
        let writer = Writer::new(wire.clone(), shared.clone());
        let supervised = shared.clone();
        let read_driver = Arc::new(ReadDriver::new(
            reader.run(incoming_tx),
            tokio::runtime::Handle::current(),
        ));
        let driven = read_driver.clone();
        tokio::spawn(async move {
            let reader = tokio::spawn(driven.run());
            let writer = tokio::spawn(writer.run(control_rx));
            let watch_task = |task: tokio::task::JoinHandle<()>| {
                let shared = supervised.clone();
                async move {
                    if let Err(error) = task.await {
                        shared.end_abnormally(format!("internal error: {error}"), None);
                        shared.stop_now();
                    }
                }
            };
            tokio::join!(watch_task(reader), watch_task(writer));
            let reason = supervised.outcome().close_reason();
            supervised.finished.send_replace(Some(reason));
        });

        Arc::new(ClientWebSocketSession {
            shared,
            wire,
            send_order: Mutex::new(()),
            incoming: Mutex::new(incoming_rx),
            reader: read_driver,
            call: connection.call,
        })
    }

    /// The error for an operation on a session that has ended (or is ending): `Closed` with the
    /// final reason, which is known within the close timeout.
    async fn closed_error(&self) -> WebSocketError {
        WebSocketError::closed(self.close_reason().await)
    }

    /// What `receive` returns once the incoming queue is drained and closed.
    async fn ended(&self) -> WebSocketError {
        // Holding the send order orders this against concurrent sends: every frame already in the
        // outbox is written before the failing close frame, and no send is accepted after it.
        let order = self.send_order.lock().await;
        let pending = {
            let mut outcome = self.shared.outcome();
            let error = outcome.terminal_error.take();
            let deferred = self
                .shared
                .failure_release_deferred
                .load(std::sync::atomic::Ordering::Relaxed);
            if error.is_some() && !deferred {
                self.shared.begin_closing();
                if let Some(reached) = outcome.failure_reached.take() {
                    let _ = reached.send(());
                }
            }
            error
        };
        drop(order);
        match pending {
            Some(error) => error,
            None => self.closed_error().await,
        }
    }

    /// Sends checked data and control frames, in order: each is encoded into the outbox, waiting
    /// while it is full, and written at once or by the writer task (see [`Wire::write_now`]).
    /// Cancelled while waiting, the frames before that point are sent and the rest are not.
    async fn send_frames(&self, frames: impl IntoIterator<Item = Frame>) -> Result<()> {
        let order = self.send_order.lock().await;
        let mut frames = frames.into_iter().peekable();
        loop {
            let taken = if self.shared.is_closing() {
                Taken::Closed
            } else {
                self.write_now(&mut frames)
            };
            if taken == Taken::Closed {
                drop(order);
                return Err(self.closed_error().await);
            }
            if frames.peek().is_none() {
                return Ok(());
            }
            self.wire.room().await;
        }
    }

    /// Encodes frames into the outbox while it has room (see [`Wire::write_now`]). Call with the
    /// send order held.
    fn write_now(
        &self,
        frames: &mut std::iter::Peekable<impl Iterator<Item = impl Encode>>,
    ) -> Taken {
        let received = self
            .shared
            .received_messages
            .load(std::sync::atomic::Ordering::Relaxed);
        self.wire.write_now(frames, received)
    }

    /// Queues checked `frames`, in order, as far as that needs no waiting (see
    /// [`try_send_batch`](Self::try_send_batch)), stopping at a `Close`; returns how many.
    fn try_queue(&self, frames: impl Iterator<Item = impl Encode>) -> u64 {
        let Ok(_order) = self.send_order.try_lock() else {
            return 0;
        };
        if self.shared.is_closing() {
            return 0;
        }
        let mut frames = frames.take_while(|frame| !frame.is_close()).peekable();
        match self.write_now(&mut frames) {
            Taken::Some(count) => count,
            Taken::Closed => 0,
        }
    }

    /// Polls the incoming queue with `take`; when nothing is queued, polls the reader too, so
    /// that a message the socket has delivered is read and taken without waiting for the reader
    /// task (see [`ReadDriver`]), then looks again. Not once the session has carried large
    /// messages (see `Shared::large_messages`).
    fn poll_incoming<T>(
        &self,
        context: &mut std::task::Context<'_>,
        mut take: impl FnMut(&mut std::task::Context<'_>) -> std::task::Poll<T>,
    ) -> std::task::Poll<T> {
        if let std::task::Poll::Ready(taken) = take(context) {
            return std::task::Poll::Ready(taken);
        }
        if self
            .shared
            .large_messages
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            self.reader.leave_to_task();
        } else {
            self.reader.poll_for_receiver(context.waker());
        }
        take(context)
    }

    /// The application took `batch` from the incoming queue: its bytes leave the queue, and
    /// several messages taken at once are likely to be answered by as many sends (see
    /// [`Wire::expect_sends`]). One predicts nothing: no need to lock.
    fn took(&self, batch: &[Frame]) {
        if batch.is_empty() {
            return;
        }
        self.shared
            .release_incoming(batch.iter().map(Frame::payload_len).sum());
        if batch.len() > 1 {
            self.wire.expect_sends(batch.len());
        }
    }

    /// Puts a close frame carrying `reason` (or nothing) behind the frames already sent, unless
    /// closing has already begun from this side. The writer task writes it and waits for the
    /// peer's answer within the close timeout. It does not wait for the send order: a send that
    /// is waiting for room (a peer that stops reading) is refused from then on, with what it had
    /// queued going out first.
    ///
    /// A session that has failed closes with its failure's code however the application lets
    /// go of it, so that the wire says what `close_reason` reports; and the application closing
    /// it means it reads no further, so the failing close frame need not wait for that.
    fn start_close(&self, reason: Option<CloseReason>) {
        if self.wire.outbox().is_closed() {
            return;
        }
        self.shared.begin_closing();
        let reason = {
            let mut outcome = self.shared.outcome();
            let reason = match &outcome.failed_with {
                Some(failure) => Some(failure.clone()),
                None => reason,
            };
            if let Some(reached) = outcome.failure_reached.take() {
                let _ = reached.send(());
            }
            outcome.sent_close = reason.clone();
            reason
        };
        self.wire.close(reason.as_ref());
    }
}

impl Drop for ClientWebSocketSession {
    /// The last reference is gone: close with `1000 NORMAL` in the background (the writer task
    /// writes the close frame and times the handshake).
    fn drop(&mut self) {
        self.start_close(Some(CloseReason::normal()));
    }
}

/// Checks a frame before it is queued, so a bad one fails the call rather than the session.
fn check_outgoing(frame: &Frame) -> Result<()> {
    match frame {
        Frame::Ping { data } | Frame::Pong { data } if data.len() > MAX_CONTROL_PAYLOAD => {
            Err(WebSocketError::invalid_request(format!(
                "a control frame carries at most {MAX_CONTROL_PAYLOAD} bytes, not {}",
                data.len()
            )))
        }
        Frame::Close {
            reason: Some(reason),
        } => check_close_reason(reason),
        _ => Ok(()),
    }
}

fn check_close_reason(reason: &CloseReason) -> Result<()> {
    if !CloseReason::is_sendable_code(reason.code) {
        return Err(WebSocketError::invalid_request(format!(
            "close code {} may not be sent (RFC 6455 section 7.4)",
            reason.code
        )));
    }
    if reason.message.len() > MAX_CLOSE_MESSAGE {
        return Err(WebSocketError::invalid_request(format!(
            "a close message holds at most {MAX_CLOSE_MESSAGE} bytes, not {}",
            reason.message.len()
        )));
    }
    Ok(())
}

/// The Rust API. The bindings reach it through `crate::ffi`, which adds what only they need.
impl ClientWebSocketSession {
    /// Sends any frame. Text, binary, ping and pong frames are queued in order; a `Close` frame
    /// starts the closing handshake without waiting for it (see [`close_with`](Self::close_with)).
    ///
    /// Errors: `InvalidRequest` for a control payload over 125 bytes or a close code that may not be
    /// sent; `Closed` once the session is closing or closed.
    pub async fn send(&self, frame: Frame) -> Result<()> {
        check_outgoing(&frame)?;
        if let Frame::Close { reason } = frame {
            self.start_close(reason);
            return Ok(());
        }
        self.send_frames(std::iter::once(frame)).await
    }

    /// Sends a text message.
    pub async fn send_text(&self, text: String) -> Result<()> {
        self.send(Frame::Text { text }).await
    }

    /// Sends a binary message.
    pub async fn send_binary(&self, data: Bytes) -> Result<()> {
        self.send(Frame::Binary { data }).await
    }

    /// Sends `frames` in order, as one call: every frame is checked first, so an invalid one
    /// (`InvalidRequest`) fails the call before anything is queued. A `Close` frame may only come
    /// last; it starts the closing handshake after the others.
    ///
    /// Errors: `Closed` once the session is closing or closed (frames before that point were
    /// queued). Cancelled while waiting for room in the queue, a prefix of `frames` may have been
    /// queued.
    pub async fn send_batch(&self, mut frames: Vec<Frame>) -> Result<()> {
        for (index, frame) in frames.iter().enumerate() {
            check_outgoing(frame)?;
            if matches!(frame, Frame::Close { .. }) && index + 1 != frames.len() {
                return Err(WebSocketError::invalid_request(
                    "a close frame must be the last frame of a batch",
                ));
            }
        }
        let close = match frames.last() {
            Some(Frame::Close { .. }) => match frames.pop() {
                Some(Frame::Close { reason }) => Some(reason),
                _ => None,
            },
            _ => None,
        };
        if !frames.is_empty() {
            self.send_frames(frames).await?;
        }
        if let Some(reason) = close {
            self.start_close(reason);
        }
        Ok(())
    }

    /// Receives the next complete message (`Text` or `Binary`), in order.
    ///
    /// Messages that arrived before the session failed are delivered first; then this returns the
    /// failure once (`ProtocolViolation`, `FrameTooBig`, `PingTimeout`, `Io`), and `Closed` with
    /// the close reason ever after. Cancel-safe: dropping the call consumes nothing.
    pub async fn receive(&self) -> Result<Frame> {
        let mut incoming = self.incoming.lock().await;
        // Until the message is taken, the reader's wake-ups come here (see `ReadDriver`).
        let receiving = self.reader.receiving();
        let next = std::future::poll_fn(|context| {
            self.poll_incoming(context, |context| incoming.poll_recv(context))
        })
        .await;
        drop(receiving);
        match next {
            Some(frame) => {
                self.shared.release_incoming(frame.payload_len());
                Ok(frame)
            }
            None => {
                drop(incoming);
                Err(self.ended().await)
            }
        }
    }

    /// Receives up to `max` messages at once: waits for the first like [`receive`](Self::receive),
    /// then adds those that have already arrived, in order; `max` of 0 is treated as 1. For many
    /// small messages this costs less per message than one `receive` each.
    ///
    /// Errors and cancellation as for `receive`: a batch never holds an error, so messages that
    /// arrived before a failure come first and the failure is the next call's result.
    pub async fn receive_batch(&self, max: u32) -> Result<Vec<Frame>> {
        let limit = (max as usize).max(1);
        let mut incoming = self.incoming.lock().await;
        let receiving = self.reader.receiving();
        let mut batch = Vec::new();
        // Waits for one message, then takes what is queued: cancel-safe like `recv`.
        let taken = std::future::poll_fn(|context| {
            self.poll_incoming(context, |context| {
                incoming.poll_recv_many(context, &mut batch, limit)
            })
        })
        .await;
        drop(receiving);
        if taken == 0 {
            drop(incoming);
            return Err(self.ended().await);
        }
        self.took(&batch);
        Ok(batch)
    }

    /// The incoming messages as a [`Stream`]. It ends when the session closes normally, and yields
    /// the error once if the session failed.
    pub fn incoming(self: &Arc<Self>) -> impl Stream<Item = Result<Frame>> + Send + 'static {
        IncomingStream::new(self.clone())
    }

    /// Closes the session with `1000 NORMAL` and waits for it to end (see [`close_with`](Self::close_with)).
    pub async fn close(&self) -> Result<()> {
        self.close_with(None).await
    }

    /// Closes the session: sends a close frame with `reason` (default `1000 NORMAL`) after the
    /// frames already queued, then waits for the peer's close frame and the end of the connection,
    /// at most the close timeout. Calling it again, or on an ended session, just waits for the end.
    ///
    /// Errors: `InvalidRequest` for a code that may not be sent or a message over 123 bytes.
    pub async fn close_with(&self, reason: Option<CloseReason>) -> Result<()> {
        let reason = reason.unwrap_or_else(CloseReason::normal);
        check_close_reason(&reason)?;
        self.start_close(Some(reason));
        self.close_reason().await;
        Ok(())
    }

    /// Waits for the session to end and returns why: the peer's close frame (1005 if it was empty),
    /// the code uniws sent when it failed the session, or 1006 when the connection ended without a
    /// close frame.
    pub async fn close_reason(&self) -> CloseReason {
        let mut finished = self.shared.finished.subscribe();
        let reason = finished
            .wait_for(Option::is_some)
            .await
            .map(|reason| reason.clone());
        match reason {
            Ok(Some(reason)) => reason,
            // The sender lives in `shared`, which this handle keeps alive.
            _ => CloseReason::new(CloseReason::CLOSED_ABNORMALLY, "session state lost"),
        }
    }

    /// The close reason if the session has ended, without waiting.
    pub fn close_reason_now(&self) -> Option<CloseReason> {
        self.shared.finished.borrow().clone()
    }

    /// Whether frames can still be sent: `false` once closing has begun from either side.
    pub fn is_active(&self) -> bool {
        !self.shared.is_closing()
    }

    /// The HTTP call that opened this session.
    pub fn call(&self) -> &HttpCall {
        &self.call
    }

    /// The extensions the server accepted, as its answer wrote them (such as
    /// `permessage-deflate; client_max_window_bits=10`); empty when it accepted none.
    pub fn negotiated_extensions(&self) -> &[String] {
        &self.call.extensions
    }

    /// The negotiated subprotocol, if any.
    pub fn negotiated_subprotocol(&self) -> Option<&str> {
        self.call.subprotocol.as_deref()
    }

    /// The largest frame payload accepted now.
    pub fn max_frame_size(&self) -> u64 {
        self.shared.settings.max_frame_size()
    }

    /// Changes the largest frame payload accepted; applies from the next frame header.
    pub fn set_max_frame_size(&self, bytes: u64) {
        self.shared.settings.set_max_frame_size(bytes);
    }

    /// The ping interval now, `None` when pings are off.
    pub fn ping_interval(&self) -> Option<Duration> {
        *self.shared.settings.ping_interval.borrow()
    }

    /// Changes the ping interval (`None` or zero turns pings off); the timer restarts now.
    pub fn set_ping_interval(&self, interval: Option<Duration>) {
        let interval = interval.filter(|interval| !interval.is_zero());
        self.shared.settings.ping_interval.send_replace(interval);
    }

    /// The pong timeout now.
    pub fn timeout(&self) -> Duration {
        self.shared.settings.timeout()
    }

    /// Changes the pong timeout; applies from the next ping.
    pub fn set_timeout(&self, timeout: Duration) {
        self.shared.settings.set_timeout(timeout);
    }
}

/// Calls that never wait, for the FFI layer: a synchronous call crosses the FFI far cheaper than
/// an async one, so the bindings try these first and fall back to the async calls.
impl ClientWebSocketSession {
    /// Takes up to `max` messages that have already arrived, without waiting: none when nothing
    /// has (or the session has ended: [`receive`](Self::receive) then reports how).
    pub(crate) fn try_receive_batch(&self, max: u32) -> Vec<Frame> {
        let limit = (max as usize).max(1);
        let mut batch = Vec::new();
        let Ok(mut incoming) = self.incoming.try_lock() else {
            return batch;
        };
        while batch.len() < limit {
            match incoming.try_recv() {
                Ok(frame) => batch.push(frame),
                Err(_) => break,
            }
        }
        self.took(&batch);
        batch
    }

    /// For a binding that reads ahead of the application (the Kotlin layer fills its `incoming`
    /// channel): the failure is carried out (sends refused, the failing close frame sent) when
    /// [`release_failure`](Self::release_failure) says the application has read up to it, not
    /// when a receive returns it. Letting go of the session or the close timeout still end it.
    pub(crate) fn defer_failure_release(&self) {
        self.shared
            .failure_release_deferred
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// The application has read up to the failure (see
    /// [`defer_failure_release`](Self::defer_failure_release)).
    pub(crate) fn release_failure(&self) {
        let mut outcome = self.shared.outcome();
        if let Some(reached) = outcome.failure_reached.take() {
            self.shared.begin_closing();
            let _ = reached.send(());
        }
    }

    /// Queues `frame` if that needs no waiting: `false` when the outgoing queue is full, another
    /// send is in progress, the session is closing, or `frame` is a `Close`.
    ///
    /// Errors: `InvalidRequest` as for [`send`](Self::send).
    pub(crate) fn try_send(&self, frame: Frame) -> Result<bool> {
        check_outgoing(&frame)?;
        Ok(self.try_queue(std::iter::once(frame)) == 1)
    }

    /// Queues as many of `frames` as fit without waiting, in order, stopping at a `Close`, and
    /// returns how many. Every frame is checked first.
    ///
    /// Errors: `InvalidRequest` as for [`send_batch`](Self::send_batch), before anything is queued.
    pub(crate) fn try_send_batch(&self, frames: Vec<Frame>) -> Result<u64> {
        for frame in &frames {
            check_outgoing(frame)?;
        }
        Ok(self.try_queue(frames.into_iter()))
    }

    /// Queues a message whose payload stays in the caller's memory (it is masked straight into
    /// the outbox) if that needs no waiting; `false` as for
    /// [`try_send`](Self::try_send).
    pub(crate) fn try_send_borrowed(&self, message: Borrowed<'_>) -> bool {
        self.try_queue(std::iter::once(message)) == 1
    }
}

/// The stream behind [`ClientWebSocketSession::incoming`].
struct IncomingStream {
    session: Arc<ClientWebSocketSession>,
    pending: Option<std::pin::Pin<Box<dyn std::future::Future<Output = Result<Frame>> + Send>>>,
    done: bool,
}

impl IncomingStream {
    fn new(session: Arc<ClientWebSocketSession>) -> Self {
        IncomingStream {
            session,
            pending: None,
            done: false,
        }
    }
}

impl Stream for IncomingStream {
    type Item = Result<Frame>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        if self.done {
            return Poll::Ready(None);
        }
        let session = self.session.clone();
        let pending = self
            .pending
            .get_or_insert_with(|| Box::pin(async move { session.receive().await }));
        match pending.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                self.pending = None;
                match result {
                    Ok(frame) => Poll::Ready(Some(Ok(frame))),
                    Err(WebSocketError::Closed { .. }) => {
                        self.done = true;
                        Poll::Ready(None)
                    }
                    Err(error) => {
                        self.done = true;
                        Poll::Ready(Some(Err(error)))
                    }
                }
            }
        }
    }
}
