//! Where sessions run: on the caller's tokio runtime when there is one (a Rust application), so the
//! application's tasks and the session's tasks wake each other without crossing runtimes, and
//! otherwise on a runtime owned by the library, so callers from Swift, Kotlin or plain threads need
//! no runtime of their own.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use tokio::runtime::{Builder, Handle, Runtime};
use tokio::task::JoinHandle;

use crate::error::{Result, WebSocketError};

/// The library's multi-threaded runtime, started on first use and kept for the life of the process.
pub(crate) fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
        Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("uniws-worker")
            .enable_all()
            .build()
            .expect("the uniws runtime must start: the OS refused to create its threads")
    })
}

/// Runs `work` where sessions run and waits for it: inline on the caller's tokio runtime, else on
/// the library runtime. Dropping the returned future (a cancelled Swift Task, Kotlin coroutine or
/// Rust future) drops or aborts the work, so nothing keeps running for a caller that has gone.
pub(crate) async fn run_on_runtime<F, T>(work: F) -> Result<T>
where
    F: Future<Output = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    if Handle::try_current().is_ok() {
        return work.await;
    }
    let handle = AbortOnDrop(runtime().spawn(work));
    handle.await
}

/// A join handle that aborts its task when dropped.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> Future for AbortOnDrop<Result<T>> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map(|joined| match joined {
            Ok(result) => result,
            Err(error) if error.is_cancelled() => Err(WebSocketError::Cancelled {
                detail: "the operation was cancelled".into(),
            }),
            Err(error) => Err(WebSocketError::Io {
                detail: format!("internal error: a uniws task failed: {error}"),
            }),
        })
    }
}
