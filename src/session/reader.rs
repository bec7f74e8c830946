//! The reader: decodes frames, delivers messages in order, answers pings, hands the other control
//! frames to the writer, and fails the session on a violation only after the messages before it
//! are delivered. Its task or a waiting receive call runs it (see `ReadDriver`).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::io::AsyncReadExt;
use tokio::sync::{mpsc, oneshot, watch};

use super::state::Shared;
use super::wire::Wire;
use super::writer::{stopped, Control};
use crate::connect::ReadHalf;
use crate::error::WebSocketError;
use crate::frame::Frame;
use crate::protocol::{Decoder, Event, Violation};

/// The read buffer's starting size: small, so idle sessions stay small.
const READ_BUFFER_INITIAL: usize = 2 << 10;
/// The read buffer doubles while reads keep filling it, up to this size.
const READ_BUFFER_MAX: usize = 64 << 10;
/// Payload still to come from which the reader reads straight into the message.
const DIRECT_READ_MIN: u64 = 4 << 10;
/// Payload still to come from which a session counts as carrying large messages (see
/// `Shared::large_messages`).
const LARGE_MESSAGE_REMAINING: u64 = 256 << 10;
/// What the first read after a large message asks for: enough for the next frame's header and
/// the start of a payload, so that when that is another large message, little of it is copied
/// out of the read buffer before the rest is read straight into it.
const AFTER_LARGE_READ: u64 = 1 << 10;
/// Messages from this size on count as large for [`AFTER_LARGE_READ`]: below it, the copy the
/// small read saves costs less than the extra system call (a stream of 5 KiB messages would
/// take two reads each).
const AFTER_LARGE_MIN: usize = 32 << 10;
/// The most one direct read asks for.
const DIRECT_READ_MAX: u64 = 1 << 20;

/// The reader's state.
pub(crate) struct Reader {
    io: ReadHalf,
    shared: Arc<Shared>,
    buffer: Vec<u8>,
    start: usize,
    /// The last read finished a message of at least [`AFTER_LARGE_MIN`] straight in its payload
    /// (see [`AFTER_LARGE_READ`]).
    after_large: bool,
    decoder: Decoder,
    /// Where pongs go: straight into the outbox, ahead of later sends.
    wire: Arc<Wire>,
    control: mpsc::UnboundedSender<Control>,
}

/// How the read loop ended.
enum Ending {
    /// The peer sent a close frame.
    PeerClosed,
    /// The peer broke the protocol or a limit.
    Violation(Violation),
    /// The stream ended or failed, or the session was stopped.
    Finished,
}

impl Reader {
    /// A reader over `io`, starting with the bytes read past the handshake.
    pub(crate) fn new(
        io: ReadHalf,
        leftover: Vec<u8>,
        decoder: Decoder,
        shared: Arc<Shared>,
        wire: Arc<Wire>,
        control: mpsc::UnboundedSender<Control>,
    ) -> Self {
        let mut buffer = leftover;
        buffer.reserve(READ_BUFFER_INITIAL.saturating_sub(buffer.len()));
        Reader {
            io,
            shared,
            buffer,
            start: 0,
            after_large: false,
            decoder,
            wire,
            control,
        }
    }

    /// Runs until the session ends.
    pub(crate) async fn run(mut self, incoming: mpsc::Sender<Frame>) {
        match self.read_loop(&incoming).await {
            Ending::PeerClosed => {
                drop(incoming);
                self.await_end_of_stream().await;
            }
            Ending::Violation(violation) => self.fail(violation, incoming).await,
            Ending::Finished => {}
        }
    }

    async fn read_loop(&mut self, incoming: &mpsc::Sender<Frame>) -> Ending {
        let mut stop = self.shared.stop.subscribe();
        loop {
            if let Some(ending) = self.drain_buffer(incoming, &mut stop).await {
                return ending;
            }
            self.compact();
            // Inside a large payload with nothing buffered, read straight into the message.
            let destination = self
                .decoder
                .payload_destination()
                .filter(|(_, remaining)| *remaining >= DIRECT_READ_MIN);
            let direct = destination.is_some();
            if destination
                .as_ref()
                .is_some_and(|(_, remaining)| *remaining >= LARGE_MESSAGE_REMAINING)
            {
                // See `Shared::large_messages`.
                self.shared.large_messages.store(true, Ordering::Relaxed);
            }
            let spare = self.buffer.capacity() - self.buffer.len();
            let buffer_limit = if self.after_large {
                AFTER_LARGE_READ
            } else {
                u64::MAX
            };
            let read = tokio::select! {
                biased;
                _ = stopped(&mut stop) => return Ending::Finished,
                read = read_into(&mut self.io, destination, &mut self.buffer, buffer_limit) => read,
            };
            let count = match read {
                Ok(0) => {
                    // An abnormal end: the application hears of it as an error, not as a close.
                    self.shared.end_abnormally(
                        "closed without close frame".into(),
                        Some(WebSocketError::Io {
                            detail: "the connection ended without a close frame".into(),
                        }),
                    );
                    return Ending::Finished;
                }
                Ok(count) => count,
                Err(error) => {
                    self.shared.end_abnormally(
                        format!("reading from the socket failed: {error}"),
                        Some(WebSocketError::io(&error)),
                    );
                    return Ending::Finished;
                }
            };
            self.after_large = false;
            if direct {
                let event = match self.decoder.payload_appended(count) {
                    Ok(event) => event,
                    Err(violation) => return Ending::Violation(violation),
                };
                if let Some(event) = event {
                    self.after_large = message_size(&event) >= AFTER_LARGE_MIN;
                    if let Some(ending) = self.handle(event, incoming, &mut stop).await {
                        return ending;
                    }
                }
            } else if count == spare && self.buffer.capacity() < READ_BUFFER_MAX {
                // A read that filled the buffer means traffic is heavy: read more at once.
                self.buffer.reserve(self.buffer.capacity());
            }
        }
    }

    /// Decodes and handles every complete event in the read buffer.
    async fn drain_buffer(
        &mut self,
        incoming: &mpsc::Sender<Frame>,
        stop: &mut watch::Receiver<bool>,
    ) -> Option<Ending> {
        loop {
            let decoded = self.decoder.decode(
                &self.buffer[self.start..],
                self.shared.settings.max_frame_size(),
                self.shared.max_message_size,
            );
            let event = match decoded {
                Ok((used, event)) => {
                    self.start += used;
                    event?
                }
                Err(violation) => return Some(Ending::Violation(violation)),
            };
            if let Some(ending) = self.handle(event, incoming, stop).await {
                return Some(ending);
            }
        }
    }

    /// Acts on one event; returns how the loop ends, if it does.
    async fn handle(
        &mut self,
        event: Event,
        incoming: &mpsc::Sender<Frame>,
        stop: &mut watch::Receiver<bool>,
    ) -> Option<Ending> {
        match event {
            Event::Message(frame) => {
                let delivered = deliver(&self.shared, frame, incoming, stop).await;
                (!delivered).then_some(Ending::Finished)
            }
            Event::Ping(data) => {
                // Encoded now, so that it goes out ahead of anything the application sends after
                // reading the messages behind this ping.
                self.wire.answer_ping(data.into());
                None
            }
            Event::Pong(data) => {
                let _ = self.control.send(Control::PongReceived(data.into()));
                None
            }
            Event::Close(reason) => {
                self.shared.begin_closing();
                {
                    let mut outcome = self.shared.outcome();
                    if outcome.failed_with.is_none() {
                        outcome.peer_close = Some(reason.clone());
                    }
                }
                let _ = self.control.send(Control::EchoClose(reason));
                Some(Ending::PeerClosed)
            }
        }
    }

    /// Drops consumed bytes and makes room for the next read.
    fn compact(&mut self) {
        if self.start == self.buffer.len() {
            self.buffer.clear();
            self.start = 0;
        } else if self.start > 0 {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        if self.buffer.capacity() - self.buffer.len() < READ_BUFFER_INITIAL / 4 {
            self.buffer.reserve(READ_BUFFER_INITIAL);
        }
    }

    /// After the peer's close frame, or our failing one, reads and discards until the server ends
    /// the TCP connection (at most the close timeout).
    async fn await_end_of_stream(&mut self) {
        let mut stop = self.shared.stop.subscribe();
        let mut sink = [0u8; 1024];
        let draining = async {
            while let Ok(read) = self.io.read(&mut sink).await {
                if read == 0 {
                    break;
                }
            }
        };
        tokio::select! {
            _ = stopped(&mut stop) => {}
            _ = tokio::time::timeout(self.shared.close_timeout, draining) => {}
        }
    }

    /// Fails the session once the application has received every message before the violation
    /// (or after the close timeout, if it never reads that far).
    async fn fail(&mut self, violation: Violation, incoming: mpsc::Sender<Frame>) {
        let (error, reason) = violation.into_error_and_reason();
        let (reached_tx, reached_rx) = oneshot::channel();
        let nobody_reads = incoming.is_closed();
        if self.shared.fail(error, reason.clone()) {
            self.shared.outcome().failure_reached = Some(reached_tx);
        }
        // Closing the queue lets the application drain it and then meet the error.
        drop(incoming);
        let mut stop = self.shared.stop.subscribe();
        if !nobody_reads {
            tokio::select! {
                _ = stopped(&mut stop) => return,
                _ = reached_rx => {}
                _ = tokio::time::sleep(self.shared.close_timeout) => {}
            }
        }
        let _ = self.control.send(Control::Fail(reason));
        // Read on (and discard) until the peer ends the connection: closing a socket with unread
        // data resets it, and a reset can destroy the close frame before the peer has read it.
        self.await_end_of_stream().await;
    }
}

/// Queues `frame` for the application, waiting (with reading paused) while the queue is full, in
/// messages or in bytes. Returns `false` when the session was stopped meanwhile.
async fn deliver(
    shared: &Shared,
    frame: Frame,
    incoming: &mpsc::Sender<Frame>,
    stop: &mut watch::Receiver<bool>,
) -> bool {
    if incoming.is_closed() {
        // Nobody reads any more: the session handle is gone and closing.
        return true;
    }
    let bytes = frame.payload_len();
    if !shared.try_admit_incoming(bytes) {
        shared.reader_paused.store(true, Ordering::Release);
        let admitted = tokio::select! {
            biased;
            _ = stopped(stop) => false,
            _ = shared.admit_incoming(bytes) => true,
        };
        shared.reader_paused.store(false, Ordering::Release);
        if !admitted {
            return false;
        }
    }
    // Counted first, so that an application woken by this message already sees it counted when
    // it sends its answer (see `Wire::write_now`).
    shared.received_messages.fetch_add(1, Ordering::Relaxed);
    match incoming.try_send(frame) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Closed(_)) => true,
        Err(mpsc::error::TrySendError::Full(frame)) => {
            shared.reader_paused.store(true, Ordering::Release);
            let delivered = tokio::select! {
                biased;
                _ = stopped(stop) => false,
                sent = incoming.send(frame) => {
                    let _ = sent;
                    true
                }
            };
            shared.reader_paused.store(false, Ordering::Release);
            delivered
        }
    }
}

/// The payload size of a message event; 0 for control frames.
fn message_size(event: &Event) -> usize {
    match event {
        Event::Message(Frame::Binary { data }) => data.len(),
        Event::Message(Frame::Text { text }) => text.len(),
        _ => 0,
    }
}

/// Reads into `destination` (a message's payload, at most the bytes it still needs) when given,
/// otherwise into the read buffer, at most `buffer_limit` bytes. Cancel-safe: nothing is lost if
/// the read is dropped.
async fn read_into(
    io: &mut ReadHalf,
    destination: Option<(&mut bytes::BytesMut, u64)>,
    buffer: &mut Vec<u8>,
    buffer_limit: u64,
) -> std::io::Result<usize> {
    match destination {
        Some((payload, remaining)) => {
            let limit = remaining.min(DIRECT_READ_MAX);
            payload.reserve(limit as usize);
            io.take(limit).read_buf(payload).await
        }
        None if buffer_limit < u64::MAX => io.take(buffer_limit).read_buf(buffer).await,
        None => io.read_buf(buffer).await,
    }
}
