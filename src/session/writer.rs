//! The writer task: writes what sends leave in the outbox, answers pings, runs the pinger and
//! sends and times the close frames.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, Interval, MissedTickBehavior};

use super::burst::SWEEP;
use super::state::Shared;
use super::wire::Wire;
use crate::error::WebSocketError;
use crate::frame::{CloseReason, Frame};

/// What the reader asks of the writer.
pub(crate) enum Control {
    /// A pong arrived with this payload.
    PongReceived(Bytes),
    /// The peer sent a close frame: echo it.
    EchoClose(Option<CloseReason>),
    /// Fail the connection with `reason`, behind every frame sent so far.
    Fail(CloseReason),
}

/// The writer's state.
pub(crate) struct Writer {
    wire: Arc<Wire>,
    shared: Arc<Shared>,
}

/// A ping waiting for its pong.
struct PendingPing {
    payload: Bytes,
    deadline: Instant,
}

impl Writer {
    /// A writer over `wire`.
    pub(crate) fn new(wire: Arc<Wire>, shared: Arc<Shared>) -> Self {
        Writer { wire, shared }
    }

    /// Runs until the session ends.
    pub(crate) async fn run(self, mut control: mpsc::UnboundedReceiver<Control>) {
        let mut stop = self.shared.stop.subscribe();
        let mut interval = self.shared.settings.ping_interval.subscribe();
        let mut ticker = make_ticker(*interval.borrow_and_update());
        let mut ping_counter: u64 = 0;
        let mut pending_ping: Option<PendingPing> = None;
        let mut close_deadline: Option<Instant> = None;
        // While bursts are predicted (see `Wire::expect_sends`): when to sweep the outbox next.
        let mut sweep: Option<Instant> = None;
        let mut peer_closed = false;

        let result: std::io::Result<()> = async {
            loop {
                let closed = self.wire.outbox().is_closed();
                tokio::select! {
                    biased;
                    _ = stopped(&mut stop) => return Ok(()),
                    _ = self.wire.handed_off() => {
                        self.flush().await?;
                        if sweep.is_none() && self.wire.start_predicting() {
                            sweep = Some(Instant::now() + SWEEP);
                        }
                        if close_deadline.is_none() && self.wire.outbox().is_closed() {
                            // The application's close frame is out (the writer's own close
                            // frames end the loop at once): wait for the peer's, within limits.
                            close_deadline = Some(Instant::now() + self.shared.close_timeout);
                        }
                    }
                    message = control.recv() => match message {
                        // The reader has finished.
                        None => return Ok(()),
                        Some(Control::PongReceived(data)) => {
                            if pending_ping.as_ref().is_some_and(|ping| ping.payload == data) {
                                pending_ping = None;
                            }
                        }
                        Some(Control::EchoClose(reason)) => {
                            peer_closed = true;
                            // Frames the application sent before are in the outbox ahead of the
                            // echo (the peer may still read until then); none can follow it.
                            self.send_close(reason.as_ref()).await?;
                            return Ok(());
                        }
                        Some(Control::Fail(reason)) => {
                            self.send_close(Some(&reason)).await?;
                            return Ok(());
                        }
                    },
                    _ = tick(&mut ticker), if !closed => {
                        if pending_ping.is_none() {
                            ping_counter += 1;
                            let payload = Bytes::copy_from_slice(&ping_counter.to_be_bytes());
                            if self.wire.outbox().encode_own(Frame::Ping { data: payload.clone() }) {
                                self.flush().await?;
                                let deadline = Instant::now() + self.shared.settings.timeout();
                                pending_ping = Some(PendingPing { payload, deadline });
                            }
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
                    _ = sleep_until(sweep), if sweep.is_some() => {
                        let found = self.wire.sweep();
                        if found.write {
                            self.flush().await?;
                        }
                        sweep = found.again.then(|| Instant::now() + SWEEP);
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

    /// Writes and flushes everything in the outbox.
    async fn flush(&self) -> std::io::Result<()> {
        self.wire.write_out().await
    }

    /// Sends a close frame of the writer's own (echo, failure) behind everything in the outbox,
    /// unless one is there already, and writes it all out.
    async fn send_close(&self, reason: Option<&CloseReason>) -> std::io::Result<()> {
        self.shared.begin_closing();
        self.wire.close(reason);
        self.flush().await
    }

    /// Fails the session after an unanswered ping.
    async fn ping_timed_out(&self) -> std::io::Result<()> {
        let interval = *self.shared.settings.ping_interval.borrow();
        let error = WebSocketError::PingTimeout {
            detail: format!(
                "no pong within {:?} (ping interval {:?})",
                self.shared.settings.timeout(),
                interval.unwrap_or_default()
            ),
        };
        let reason = CloseReason::new(CloseReason::INTERNAL_ERROR, "Ping timeout");
        if self.shared.fail(error, reason.clone()) {
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
