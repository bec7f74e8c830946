//! Explicit cancellation for callers whose runtime cannot drop a Rust future (Swift's generated
//! async code does not cancel the awaited call when its Task is cancelled).

use std::future::Future;
use std::sync::Arc;

use tokio::sync::watch;

use crate::error::{Result, WebSocketError};

/// A one-shot cancellation signal. Pass it to a `..._with_cancellation` call and call
/// [`cancel`](Self::cancel) from anywhere: the call returns `Cancelled` promptly, having consumed
/// nothing (a cancelled receive leaves the next message for the next receive).
#[derive(Debug, uniffi::Object)]
pub(crate) struct CancellationToken {
    cancelled: watch::Sender<bool>,
}

impl Default for CancellationToken {
    fn default() -> Self {
        CancellationToken {
            cancelled: watch::Sender::new(false),
        }
    }
}

#[uniffi::export]
impl CancellationToken {
    /// A token that is not cancelled yet.
    #[uniffi::constructor]
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Cancels every call waiting on this token, now and later.
    pub(crate) fn cancel(&self) {
        self.cancelled.send_replace(true);
    }

    /// Whether [`cancel`](Self::cancel) has been called.
    pub(crate) fn is_cancelled(&self) -> bool {
        *self.cancelled.borrow()
    }
}

impl CancellationToken {
    /// Runs `work` until it finishes or the token is cancelled; on cancellation `work` is dropped.
    pub(crate) async fn run<T>(
        &self,
        what: &str,
        work: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let mut cancelled = self.cancelled.subscribe();
        tokio::select! {
            biased;
            _ = async { let _ = cancelled.wait_for(|cancelled| *cancelled).await; } => Err(WebSocketError::Cancelled {
                detail: format!("{what} was cancelled"),
            }),
            result = work => result,
        }
    }
}
