//! Burst prediction: how many sends are about to follow, so that a burst is written whole.
//!
//! An application that takes several messages at once while pipelining (the bindings' batched
//! receive loops) usually answers them with as many sends, often from another thread. Waking the
//! writer task at the first of them writes the burst in pieces, as the sends trickle in, and the
//! peer answers in as many pieces: every round trip then costs several wake-ups and system calls
//! on both sides. So taking `n` messages predicts `n` sends: those before the last are only
//! encoded, and the last writes them all at once on its own thread, with no hand-off at all.
//!
//! A prediction can be wrong: the application may answer fewer. While predicting, the writer task
//! sweeps every [`SWEEP`]; frames that have waited half a sweep period for the rest of their burst
//! are then written by it, so a frame waits at most about 3 ms (two periods and the timer's 1 ms
//! granularity), and usually not at all. A burst that ended short turns predicting off for
//! [`PAUSE_AFTER_MISS`], so an application whose sends do not follow its receives (requests not
//! tied to responses) pays that wait once a second at most, not on every burst. Predicting starts
//! when the writer task writes a burst (the application sends several frames at a time) after the
//! application has taken messages in batches, and stops when a sweep period passes without a
//! prediction coming true. An application that takes its messages one at a time never starts it, so
//! its writer task keeps no timer.

use std::time::{Duration, Instant};

/// How often the writer task sweeps while predicting.
pub(crate) const SWEEP: Duration = Duration::from_millis(1);

/// How long predicting stays off after a burst ended short of its prediction.
pub(crate) const PAUSE_AFTER_MISS: Duration = Duration::from_secs(1);

/// What a send may do with the frames it encoded, given the prediction.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    /// No burst is predicted: the usual rules apply.
    Unpredicted,
    /// More sends of the burst are coming: leave the frames for the last one.
    Leave,
    /// This send completes the burst: write it all now.
    WriteBurst,
}

/// What a sweep found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Sweep {
    /// Frames waited too long for the rest of their burst: the writer task writes them now.
    pub write: bool,
    /// Still predicting: sweep again after [`SWEEP`].
    pub again: bool,
}

/// The prediction's state, kept in the outbox.
#[derive(Debug, Default)]
pub(crate) struct BurstPrediction {
    /// The writer task is sweeping: sends may leave frames for the end of a burst.
    active: bool,
    /// Sends still expected in the predicted burst.
    expected: u64,
    /// When frames were first left for the end of the current burst; `None` when none wait.
    waiting_since: Option<Instant>,
    /// A prediction came true since the last sweep.
    hit: bool,
    /// After a miss, predicting does not start again before this.
    paused_until: Option<Instant>,
    /// The application took several messages at once since predicting last stopped.
    batch_taken: bool,
}

impl BurstPrediction {
    /// The application took `messages` messages at once: as many sends are expected, at most
    /// `limit` (what the outbox holds). Replaces what was still expected, so that a burst that
    /// ended short does not hold back the next one.
    pub(crate) fn expect(&mut self, messages: usize, limit: usize) {
        if messages > 1 {
            self.batch_taken = true;
            if self.active {
                self.expected = messages.min(limit) as u64;
            }
        }
    }

    /// Counts `sends` sends (frames the application queued) against the burst and says what
    /// they may do.
    pub(crate) fn count(&mut self, sends: u64) -> Plan {
        if self.expected == 0 || sends == 0 {
            return Plan::Unpredicted;
        }
        self.expected = self.expected.saturating_sub(sends);
        if self.expected > 0 {
            Plan::Leave
        } else {
            self.hit = true;
            Plan::WriteBurst
        }
    }

    /// Frames are left for the end of the burst (after [`Plan::Leave`]).
    pub(crate) fn leave(&mut self, now: Instant) {
        self.waiting_since.get_or_insert(now);
    }

    /// Whether frames wait for the end of a burst: nobody was asked to write them yet.
    pub(crate) fn is_waiting(&self) -> bool {
        self.waiting_since.is_some()
    }

    /// The frames waiting for the end of a burst are being written (with everything else).
    pub(crate) fn written(&mut self) {
        self.waiting_since = None;
    }

    /// The writer task wrote `burst` (several frames at once) or not: `true` when it is to start
    /// sweeping, as predicting starts now (only once the application has taken messages in
    /// batches).
    pub(crate) fn start(&mut self, burst: bool, now: Instant) -> bool {
        let paused = self.paused_until.is_some_and(|until| now < until);
        if self.active || !burst || !self.batch_taken || paused {
            return false;
        }
        self.active = true;
        self.hit = true;
        self.paused_until = None;
        true
    }

    /// The writer task's sweep, every [`SWEEP`] while predicting.
    pub(crate) fn sweep(&mut self, now: Instant) -> Sweep {
        let overdue = self
            .waiting_since
            .is_some_and(|since| now.saturating_duration_since(since) >= SWEEP / 2);
        if overdue {
            // The burst ended short of its prediction.
            self.stop();
            self.waiting_since = None;
            self.paused_until = Some(now + PAUSE_AFTER_MISS);
            return Sweep {
                write: true,
                again: false,
            };
        }
        // Frames that only just started waiting are left for the rest of their burst.
        let again = self.hit || self.waiting_since.is_some();
        self.hit = false;
        if !again {
            self.stop();
        }
        Sweep {
            write: false,
            again,
        }
    }

    fn stop(&mut self) {
        self.active = false;
        self.expected = 0;
        self.batch_taken = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started(now: Instant) -> BurstPrediction {
        let mut prediction = BurstPrediction::default();
        prediction.expect(2, 64);
        assert!(prediction.start(true, now));
        assert!(!prediction.start(true, now), "starts once");
        prediction
    }

    #[test]
    fn nothing_is_predicted_before_a_burst_is_written_after_a_batch_was_taken() {
        let now = Instant::now();
        let mut prediction = BurstPrediction::default();
        prediction.expect(1, 64);
        assert!(
            !prediction.start(true, now),
            "messages taken one at a time: no prediction, no timer"
        );
        prediction.expect(5, 64);
        assert_eq!(prediction.count(1), Plan::Unpredicted);
        assert!(!prediction.start(false, now), "a single frame is no burst");
        prediction.expect(5, 64);
        assert_eq!(prediction.count(1), Plan::Unpredicted);
        assert!(prediction.start(true, now));
    }

    #[test]
    fn the_last_send_of_a_burst_writes_it_and_a_new_batch_replaces_what_was_expected() {
        let now = Instant::now();
        let mut prediction = started(now);
        prediction.expect(1, 64);
        assert_eq!(
            prediction.count(1),
            Plan::Unpredicted,
            "one message is no burst"
        );
        prediction.expect(3, 64);
        assert_eq!(prediction.count(1), Plan::Leave);
        assert_eq!(prediction.count(1), Plan::Leave);
        assert_eq!(prediction.count(1), Plan::WriteBurst);
        assert_eq!(prediction.count(1), Plan::Unpredicted);
        prediction.expect(4, 64);
        assert_eq!(prediction.count(1), Plan::Leave);
        prediction.expect(2, 64);
        assert_eq!(prediction.count(1), Plan::Leave);
        assert_eq!(
            prediction.count(1),
            Plan::WriteBurst,
            "the newer batch counts"
        );
        prediction.expect(100, 3);
        assert_eq!(
            prediction.count(3),
            Plan::WriteBurst,
            "at most what the outbox holds"
        );
    }

    #[test]
    fn frames_waiting_half_a_sweep_are_written_and_predicting_pauses() {
        let now = Instant::now();
        let mut prediction = started(now);
        prediction.expect(3, 64);
        assert_eq!(prediction.count(1), Plan::Leave);
        prediction.leave(now);
        assert!(prediction.is_waiting());
        let young = prediction.sweep(now + SWEEP / 4);
        assert_eq!(
            young,
            Sweep {
                write: false,
                again: true
            },
            "the rest of the burst may still come"
        );
        let overdue = prediction.sweep(now + SWEEP / 4 + SWEEP);
        assert_eq!(
            overdue,
            Sweep {
                write: true,
                again: false
            }
        );
        assert!(!prediction.is_waiting());
        prediction.expect(3, 64);
        assert_eq!(prediction.count(1), Plan::Unpredicted, "stopped");
        let later = now + SWEEP * 2;
        prediction.expect(3, 64);
        assert!(!prediction.start(true, later), "paused after the miss");
        assert!(prediction.start(true, later + PAUSE_AFTER_MISS));
    }

    #[test]
    fn predicting_stops_after_a_sweep_period_without_a_hit() {
        let now = Instant::now();
        let mut prediction = started(now);
        assert!(prediction.sweep(now + SWEEP).again, "just started");
        prediction.expect(2, 64);
        prediction.count(2);
        assert!(prediction.sweep(now + SWEEP * 2).again, "a hit");
        let idle = prediction.sweep(now + SWEEP * 3);
        assert_eq!(
            idle,
            Sweep {
                write: false,
                again: false
            }
        );
        assert!(
            !prediction.start(true, now + SWEEP * 3),
            "a batch must be taken again"
        );
        prediction.expect(2, 64);
        assert_eq!(prediction.count(1), Plan::Unpredicted);
        assert!(
            prediction.start(true, now + SWEEP * 3),
            "no pause: nothing was missed"
        );
    }
}
