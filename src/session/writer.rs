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

    /// Runs until the session ends. Writing is one branch of the loop among the others, so the
    /// stop signal, the pong deadline and the close deadline are watched while the socket is
    /// stuck too: a peer that stops reading can delay the session's end by `closeTimeout` at most.
    pub(crate) async fn run(self, mut control: mpsc::UnboundedReceiver<Control>) {
        let mut stop = self.shared.stop.subscribe();
        let mut interval = self.shared.settings.ping_interval.subscribe();
        let mut ticker = make_ticker(*interval.borrow_and_update());
        let mut ping_counter: u64 = 0;
        let mut pending_ping: Option<PendingPing> = None;
        // Set once a close frame is queued: the closing handshake, writing included, ends by then.
        let mut close_deadline: Option<Instant> = None;
        // While bursts are predicted (see `Wire::expect_sends`): when to sweep the outbox next.
        let mut sweep: Option<Instant> = None;
        // The outbox is this task's to write (it was handed off, or the task queued a frame).
        let mut writing = false;
        // The task ends once what it is writing is out: its own close frame is queued.
        let mut finishing = false;
        // The reader waits for the end of the stream (after the peer's close or a failure it
        // found), as RFC 6455 prefers the server to end the TCP connection: no need to stop it.
        let mut reader_drains = false;

        let result: std::io::Result<()> = async {
            loop {
                let closed = self.wire.outbox().is_closed();
                if closed && close_deadline.is_none() {
                    close_deadline = Some(Instant::now() + self.shared.close_timeout);
                }
                if finishing && !writing {
                    return Ok(());
                }
                tokio::select! {
                    biased;
                    _ = stopped(&mut stop) => return Ok(()),
                    written = self.wire.write_out(), if writing => {
                        written?;
                        writing = false;
                        if sweep.is_none() && self.wire.start_predicting() {
                            sweep = Some(Instant::now() + SWEEP);
                        }
                    }
                    _ = self.wire.handed_off() => writing = true,
                    message = control.recv(), if !finishing => match message {
                        // The reader has finished.
                        None => return Ok(()),
                        Some(Control::PongReceived(data)) => {
                            if pending_ping.as_ref().is_some_and(|ping| ping.payload == data) {
                                pending_ping = None;
                            }
                        }
                        Some(Control::EchoClose(reason)) => {
                            reader_drains = true;
                            // Frames the application sent before are in the outbox ahead of the
                            // echo (the peer may still read until then); none can follow it.
                            self.queue_close(reason.as_ref());
                            (writing, finishing) = (true, true);
                        }
                        Some(Control::Fail(reason)) => {
                            // The reader reads on until the peer ends the connection.
                            reader_drains = true;
                            self.queue_close(Some(&reason));
                            (writing, finishing) = (true, true);
                        }
                    },
                    _ = tick(&mut ticker), if !closed => {
                        if pending_ping.is_none() {
                            ping_counter += 1;
                            let payload = Bytes::copy_from_slice(&ping_counter.to_be_bytes());
                            if self.wire.outbox().encode_own(Frame::Ping { data: payload.clone() }) {
                                writing = true;
                                let deadline = Instant::now() + self.shared.settings.timeout();
                                pending_ping = Some(PendingPing { payload, deadline });
                            }
                        }
                    }
                    _ = sleep_until(pending_ping.as_ref().map(|ping| ping.deadline)), if pending_ping.is_some() && !finishing => {
                        if self.shared.reader_paused.load(Ordering::Acquire) {
                            // The application is not reading, so the pong may be queued behind
                            // its backlog: silence proves nothing yet.
                            if let Some(ping) = &mut pending_ping {
                                ping.deadline = Instant::now() + self.shared.settings.timeout();
                            }
                        } else {
                            pending_ping = None;
                            if self.ping_timed_out() {
                                (writing, finishing) = (true, true);
                            }
                        }
                    }
                    _ = sleep_until(sweep), if sweep.is_some() => {
                        let found = self.wire.sweep();
                        writing |= found.write;
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
        let now = Instant::now();
        let timed_out = close_deadline.is_some_and(|deadline| now >= deadline);
        if let Err(error) = result {
            self.shared.end_abnormally(
                format!("writing to the socket failed: {error}"),
                Some(WebSocketError::io(&error)),
            );
        }
        if !reader_drains || timed_out {
            self.shared.stop_now();
        }
        // A graceful shutdown writes too (TLS close_notify): bounded like the rest of the close.
        let shutdown_deadline = match close_deadline {
            Some(deadline) => (deadline > now).then_some(deadline),
            None => Some(now + self.shared.close_timeout),
        };
        self.wire.shut_down(shutdown_deadline).await;
    }

    /// Queues a close frame of the writer's own (echo, failure) behind everything in the outbox,
    /// unless one is there already.
    fn queue_close(&self, reason: Option<&CloseReason>) {
        self.shared.begin_closing();
        self.wire.close(reason);
    }

    /// Fails the session after an unanswered ping; `true` when its close frame was queued.
    fn ping_timed_out(&self) -> bool {
        let interval = *self.shared.settings.ping_interval.borrow();
        let error = WebSocketError::PingTimeout {
            detail: format!(
                "no pong within {:?} (ping interval {:?})",
                self.shared.settings.timeout(),
                interval.unwrap_or_default()
            ),
        };
        let reason = CloseReason::new(CloseReason::INTERNAL_ERROR, "Ping timeout");
        if !self.shared.fail(error, reason.clone()) {
            return false;
        }
        self.queue_close(Some(&reason));
        true
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
