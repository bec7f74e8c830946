//! The writer task: drains the outgoing queue in batches, answers pings, runs the pinger and sends
//! the close frames.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, Interval, MissedTickBehavior};

use super::state::Shared;
use super::wire::{Wire, BATCH_BYTES};
use crate::error::WebSocketError;
use crate::frame::{CloseReason, Frame};

/// What the application queues for the writer.
pub(crate) enum Outbound {
    /// A frame to send.
    Frame(Frame),
    /// Start the closing handshake with this reason (`None`: an empty close frame).
    Close(Option<CloseReason>),
}

/// What the reader asks of the writer. Handled ahead of the outgoing queue.
pub(crate) enum Control {
    /// Answer a ping.
    Pong(Bytes),
    /// A pong arrived with this payload.
    PongReceived(Bytes),
    /// The peer sent a close frame: echo it.
    EchoClose(Option<CloseReason>),
    /// Fail the connection with `reason`, after the first `after` application frames are written.
    Fail { reason: CloseReason, after: u64 },
}

/// The writer's state.
pub(crate) struct Writer {
    wire: Arc<Wire>,
    shared: Arc<Shared>,
    close_sent: bool,
}

/// A ping waiting for its pong.
struct PendingPing {
    payload: Bytes,
    deadline: Instant,
}

impl Writer {
    /// A writer over `wire`.
    pub(crate) fn new(wire: Arc<Wire>, shared: Arc<Shared>) -> Self {
        Writer {
            wire,
            shared,
            close_sent: false,
        }
    }

    /// Runs until the session ends.
    pub(crate) async fn run(
        mut self,
        mut outgoing: mpsc::Receiver<Outbound>,
        mut control: mpsc::UnboundedReceiver<Control>,
    ) {
        let mut stop = self.shared.stop.subscribe();
        let mut interval = self.shared.settings.ping_interval.subscribe();
        let mut ticker = make_ticker(*interval.borrow_and_update());
        let mut ping_counter: u64 = 0;
        let mut pending_ping: Option<PendingPing> = None;
        let mut pending_fail: Option<(CloseReason, u64)> = None;
        let mut control_open = true;
        let mut close_deadline: Option<Instant> = None;
        let mut peer_closed = false;

        let result: std::io::Result<()> = async {
            loop {
                if let Some((reason, after)) = &pending_fail {
                    if self.wire.outbox().encoded_frames() >= *after {
                        if !self.close_sent {
                            self.send_close(Some(reason)).await?;
                        }
                        return Ok(());
                    }
                }
                tokio::select! {
                    biased;
                    _ = stopped(&mut stop) => return Ok(()),
                    _ = self.wire.handed_off() => self.flush().await?,
                    message = control.recv(), if control_open => match message {
                        None => {
                            // The reader has finished; only a pending failure is left to write.
                            control_open = false;
                            if pending_fail.is_none() {
                                return Ok(());
                            }
                        }
                        Some(Control::Pong(data)) => {
                            if !self.close_sent {
                                self.push(Frame::Pong { data });
                                self.flush().await?;
                            }
                        }
                        Some(Control::PongReceived(data)) => {
                            if pending_ping.as_ref().is_some_and(|ping| ping.payload == data) {
                                pending_ping = None;
                            }
                        }
                        Some(Control::EchoClose(reason)) => {
                            peer_closed = true;
                            if !self.close_sent {
                                // Frames the application already queued were accepted: write
                                // them before the echo (the peer may still read until then).
                                // Closing the queue first means no send can slip in behind.
                                outgoing.close();
                                while let Ok(Outbound::Frame(frame)) = outgoing.try_recv() {
                                    self.wire.outbox().encode_application(frame);
                                }
                                self.send_close(reason.as_ref()).await?;
                            }
                            return Ok(());
                        }
                        Some(Control::Fail { reason, after }) => pending_fail = Some((reason, after)),
                    },
                    _ = tick(&mut ticker), if !self.close_sent && pending_fail.is_none() => {
                        if pending_ping.is_none() {
                            ping_counter += 1;
                            let payload = Bytes::copy_from_slice(&ping_counter.to_be_bytes());
                            self.push(Frame::Ping { data: payload.clone() });
                            self.flush().await?;
                            let deadline = Instant::now() + self.shared.settings.timeout();
                            pending_ping = Some(PendingPing { payload, deadline });
                        }
                    }
                    _ = sleep_until(pending_ping.as_ref().map(|ping| ping.deadline)), if pending_ping.is_some() => {
                        if self.shared.reader_paused.load(Ordering::Acquire) {
                            // The application is not reading, so the pong may be queued behind
                            // its backlog: silence proves nothing yet.
                            if let Some(ping) = &mut pending_ping {
                                ping.deadline = Instant::now() + self.shared.settings.timeout();
                            }
                        } else {
                            self.ping_timed_out().await?;
                            return Ok(());
                        }
                    }
                    _ = sleep_until(close_deadline), if close_deadline.is_some() => {
                        self.shared.end_abnormally(
                            format!("no close frame from the peer within {:?}", self.shared.close_timeout),
                            None,
                        );
                        return Ok(());
                    }
                    changed = interval.changed() => {
                        if changed.is_ok() {
                            ticker = make_ticker(*interval.borrow_and_update());
                            pending_ping = None;
                        }
                    }
                    message = outgoing.recv(), if !self.close_sent => {
                        let message = message.unwrap_or_else(|| {
                            // Every handle to the session is gone: close it.
                            Outbound::Close(Some(CloseReason::new(CloseReason::NORMAL, "")))
                        });
                        self.write_batch(message, &mut outgoing).await?;
                        if self.close_sent && pending_fail.is_none() {
                            close_deadline = Some(Instant::now() + self.shared.close_timeout);
                        }
                    }
                }
            }
        }
        .await;
        if let Err(error) = result {
            self.shared.end_abnormally(
                format!("writing to the socket failed: {error}"),
                Some(WebSocketError::io(&error)),
            );
        }
        // After the peer's close the reader waits for the server to end the TCP connection, as
        // RFC 6455 prefers; every other way out ends the reader too.
        if !peer_closed {
            self.shared.stop_now();
        }
        self.wire.shut_down().await;
    }

    /// Encodes `first` and whatever else is already queued, up to [`BATCH_BYTES`], then writes and
    /// flushes once.
    async fn write_batch(
        &mut self,
        first: Outbound,
        outgoing: &mut mpsc::Receiver<Outbound>,
    ) -> std::io::Result<()> {
        self.encode_batch(first, outgoing);
        self.flush().await
    }

    /// Encodes `first` and whatever else is already queued, up to [`BATCH_BYTES`].
    fn encode_batch(&mut self, first: Outbound, outgoing: &mut mpsc::Receiver<Outbound>) {
        let mut outbox = self.wire.outbox();
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Outbound::Frame(frame) => outbox.encode_application(frame),
                Outbound::Close(reason) => {
                    self.shared.begin_closing();
                    self.shared.outcome().sent_close = reason.clone();
                    outbox.encode_close(reason.as_ref());
                    self.close_sent = true;
                    break;
                }
            }
            if outbox.unwritten() < BATCH_BYTES {
                next = outgoing.try_recv().ok();
            }
        }
    }

    /// Encodes a frame of the session's own (ping, pong).
    fn push(&mut self, frame: Frame) {
        self.wire.outbox().encode(frame);
    }

    /// Writes and flushes everything encoded so far.
    async fn flush(&mut self) -> std::io::Result<()> {
        self.wire.write_out().await
    }

    /// Sends a close frame (echo, failure) and flushes.
    async fn send_close(&mut self, reason: Option<&CloseReason>) -> std::io::Result<()> {
        self.shared.begin_closing();
        self.wire.outbox().encode_close(reason);
        self.close_sent = true;
        self.flush().await
    }

    /// Fails the session after an unanswered ping.
    async fn ping_timed_out(&mut self) -> std::io::Result<()> {
        let interval = *self.shared.settings.ping_interval.borrow();
        let error = WebSocketError::PingTimeout {
            detail: format!(
                "no pong within {:?} (ping interval {:?})",
                self.shared.settings.timeout(),
                interval.unwrap_or_default()
            ),
        };
        let reason = CloseReason::new(CloseReason::INTERNAL_ERROR, "Ping timeout");
        if self.shared.fail(error, reason.clone()) && !self.close_sent {
            self.send_close(Some(&reason)).await?;
        }
        Ok(())
    }
}

fn make_ticker(period: Option<Duration>) -> Option<Interval> {
    period.filter(|period| !period.is_zero()).map(|period| {
        let mut ticker = tokio::time::interval_at(Instant::now() + period, period);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        ticker
    })
}

async fn tick(ticker: &mut Option<Interval>) {
    match ticker {
        Some(ticker) => {
            ticker.tick().await;
        }
        None => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Watches `stop` for the signal; used by the reader as well.
pub(crate) async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}
