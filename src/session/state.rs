//! What the session handle, the reader and the writer share: live settings, the closing state and
//! the final outcome.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{oneshot, watch, Notify};

use crate::config::WebSocketConfig;
use crate::error::WebSocketError;
use crate::frame::CloseReason;

/// Settings that can change on a live session (like Ktor's `pingInterval`, `timeout`, `maxFrameSize`).
pub(crate) struct LiveSettings {
    /// `None`: pings are off. The writer watches this to re-arm its timer.
    pub ping_interval: watch::Sender<Option<Duration>>,
    /// The pong timeout, in nanoseconds.
    timeout_nanos: AtomicU64,
    /// The largest accepted frame payload.
    max_frame_size: AtomicU64,
}

impl LiveSettings {
    fn new(config: &WebSocketConfig) -> Self {
        LiveSettings {
            ping_interval: watch::Sender::new(config.effective_ping_interval()),
            timeout_nanos: AtomicU64::new(duration_nanos(config.effective_timeout())),
            max_frame_size: AtomicU64::new(config.max_frame_size),
        }
    }

    /// The pong timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_nanos(self.timeout_nanos.load(Ordering::Relaxed))
    }

    /// Sets the pong timeout.
    pub fn set_timeout(&self, timeout: Duration) {
        self.timeout_nanos
            .store(duration_nanos(timeout), Ordering::Relaxed);
    }

    /// The largest accepted frame payload.
    pub fn max_frame_size(&self) -> u64 {
        self.max_frame_size.load(Ordering::Relaxed)
    }

    /// Sets the largest accepted frame payload.
    pub fn set_max_frame_size(&self, bytes: u64) {
        self.max_frame_size.store(bytes, Ordering::Relaxed);
    }
}

fn duration_nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

/// How the session is ending, filled in by whichever side learns it first.
#[derive(Default)]
pub(crate) struct Outcome {
    /// The close frame we sent to fail the connection (violation, limit, ping timeout).
    pub failed_with: Option<CloseReason>,
    /// The peer's close frame: `Some(None)` for an empty one.
    pub peer_close: Option<Option<CloseReason>>,
    /// The close frame we sent to close normally.
    pub sent_close: Option<CloseReason>,
    /// Why the connection ended without a close handshake.
    pub abnormal: Option<String>,
    /// The error the application's next `receive` gets once the queued messages are drained.
    pub terminal_error: Option<WebSocketError>,
    /// Tells the reader the application has reached `terminal_error` (the failing close frame
    /// goes out behind every frame it sent until then).
    pub failure_reached: Option<oneshot::Sender<()>>,
}

impl Outcome {
    /// The reason `closeReason` reports.
    pub fn close_reason(&self) -> CloseReason {
        if let Some(reason) = &self.failed_with {
            return reason.clone();
        }
        match &self.peer_close {
            Some(Some(reason)) => reason.clone(),
            Some(None) => CloseReason::new(CloseReason::NO_STATUS, ""),
            None => CloseReason::new(
                CloseReason::CLOSED_ABNORMALLY,
                self.abnormal
                    .clone()
                    .unwrap_or_else(|| "closed without close frame".into()),
            ),
        }
    }
}

/// State shared by the session handle and its tasks.
pub(crate) struct Shared {
    /// Live settings.
    pub settings: LiveSettings,
    /// The largest accepted message.
    pub max_message_size: u64,
    /// How long a closing handshake may take.
    pub close_timeout: Duration,
    /// Set once closing has begun from either side; sends are refused from then on.
    closing: AtomicBool,
    /// Set while the reader is held back by a full incoming queue (pongs cannot be seen then).
    pub reader_paused: AtomicBool,
    /// Messages the reader has delivered to the incoming queue.
    pub received_messages: AtomicU64,
    /// Payload bytes of the messages in the incoming queue.
    incoming_bytes: AtomicU64,
    /// From this many queued payload bytes on, the reader takes in no more messages.
    incoming_bytes_limit: u64,
    /// Tells the reader that queued bytes fell below the limit.
    incoming_bytes_released: Notify,
    /// Set once the reader has read a large payload straight into its message with at least
    /// 256 KiB of it still to come: from then on only the reader task reads. A receive call that
    /// drives the reader (see `ReadDriver`) would allocate and fill such messages on the
    /// application's thread as well as the task's, more than the session keeps for reuse, and the
    /// allocator then hands memory back to the system and faults it in again (measured at 1 MiB:
    /// about 30 k page faults a run instead of 5 k). Payloads up to 64 KiB fit the memory kept for
    /// reuse, and a receive call reading them saves a wake-up per message (measured at 64 KiB
    /// pipelined, three rounds: 9-12 k context switches instead of 18-24 k).
    pub large_messages: AtomicBool,
    /// The failure is carried out when the binding says the application reached it (see
    /// `ClientWebSocketSession::defer_failure_release`).
    pub failure_release_deferred: AtomicBool,
    /// How the session is ending.
    pub outcome: Mutex<Outcome>,
    /// Tells both tasks to stop at once (a failure, or the close timeout ran out).
    pub stop: watch::Sender<bool>,
    /// The final close reason, published once both tasks have finished.
    pub finished: watch::Sender<Option<CloseReason>>,
}

impl Shared {
    /// Shared state for a session opened with `config`.
    pub fn new(config: &WebSocketConfig) -> Self {
        Shared {
            settings: LiveSettings::new(config),
            max_message_size: config.effective_max_message_size(),
            close_timeout: config.effective_close_timeout(),
            closing: AtomicBool::new(false),
            reader_paused: AtomicBool::new(false),
            received_messages: AtomicU64::new(0),
            incoming_bytes: AtomicU64::new(0),
            incoming_bytes_limit: config.incoming_queue_bytes.max(1),
            incoming_bytes_released: Notify::new(),
            large_messages: AtomicBool::new(false),
            failure_release_deferred: AtomicBool::new(false),
            outcome: Mutex::new(Outcome::default()),
            stop: watch::Sender::new(false),
            finished: watch::Sender::new(None),
        }
    }

    /// Locks the outcome. A panic elsewhere never leaves it unusable.
    pub fn outcome(&self) -> std::sync::MutexGuard<'_, Outcome> {
        lock(&self.outcome)
    }

    /// Marks the session as closing.
    pub fn begin_closing(&self) {
        self.closing.store(true, Ordering::Release);
    }

    /// Whether closing has begun.
    pub fn is_closing(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }

    /// Fails the session: records the close frame to send and the error for the application.
    /// Only the first failure counts, and none once either side has sent its close frame (the
    /// close code on the wire is then already decided). Sending stays open until the failure is
    /// carried out, so the application can still answer the messages that came before it.
    pub fn fail(&self, error: WebSocketError, reason: CloseReason) -> bool {
        let mut outcome = self.outcome();
        if outcome.failed_with.is_some()
            || outcome.peer_close.is_some()
            || outcome.sent_close.is_some()
        {
            return false;
        }
        outcome.failed_with = Some(reason);
        outcome.terminal_error = Some(error);
        true
    }

    /// Records an abrupt end (I/O error or EOF without a close frame).
    pub fn end_abnormally(&self, detail: String, error: Option<WebSocketError>) {
        self.begin_closing();
        let mut outcome = self.outcome();
        if outcome.abnormal.is_none() {
            outcome.abnormal = Some(detail);
        }
        if outcome.terminal_error.is_none() && outcome.failed_with.is_none() {
            outcome.terminal_error = error;
        }
    }

    /// Counts `bytes` more in the incoming queue if it holds less than its limit in payload
    /// bytes; `false` (nothing counted) when it is full.
    pub fn try_admit_incoming(&self, bytes: usize) -> bool {
        if self.incoming_bytes.load(Ordering::Acquire) >= self.incoming_bytes_limit {
            return false;
        }
        self.incoming_bytes
            .fetch_add(bytes as u64, Ordering::AcqRel);
        true
    }

    /// Waits while the incoming queue holds at least its limit in payload bytes (the reader then
    /// reads no further, which is TCP back-pressure), then counts `bytes` more.
    pub async fn admit_incoming(&self, bytes: usize) {
        loop {
            let released = self.incoming_bytes_released.notified();
            if self.try_admit_incoming(bytes) {
                return;
            }
            released.await;
        }
    }

    /// The application took messages of `bytes` payload bytes from the incoming queue.
    pub fn release_incoming(&self, bytes: usize) {
        let before = self
            .incoming_bytes
            .fetch_sub(bytes as u64, Ordering::AcqRel);
        if before >= self.incoming_bytes_limit
            && before - (bytes as u64) < self.incoming_bytes_limit
        {
            self.incoming_bytes_released.notify_one();
        }
    }

    /// Tells both tasks to stop.
    pub fn stop_now(&self) {
        self.stop.send_replace(true);
    }
}

/// Locks `mutex`; a panic while it was held never leaves what it guards unusable.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
