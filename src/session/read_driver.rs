//! Who runs the reader: its own task, and also a receive call that is waiting for a message.
//!
//! The reader (see [`Reader`](super::reader::Reader)) must run whether or not the application is
//! receiving: it answers pings and runs the close handshake. A task of its own guarantees that.
//! But with only that task, a message reaches a waiting `receive` through two wake-ups in a row:
//! the socket wakes the reader task, which decodes the message and wakes the receiver. Here the
//! reader is one future that either side may poll, and whichever side is woken by the socket and
//! gets there first reads and decodes; the receiver then takes the message from the queue at once.
//!
//! Every poll registers one waker. While a receive call is waiting, it wakes only that call, which
//! then owes the reader a poll: it polls the reader itself, or, if it ends first (it took a message
//! already queued, or it was dropped), wakes the task. Otherwise it wakes the task. So a message
//! that reaches a waiting receiver costs one wake-up, and the task is never left without one.
//! (Waking both sides measured more futex calls and context switches than tokio-tungstenite, whose
//! receiver alone is woken.) Sessions that carry large messages leave reading to the task (see
//! `Shared::large_messages`).

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::task::{Context, Poll, Wake, Waker};

use tokio::runtime::Handle;

use super::state::lock;

/// The reader's future, as either side polls it.
type ReaderFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The reader, shared by its task and waiting receive calls.
pub(crate) struct ReadDriver {
    /// `None` once the reader has finished.
    future: Mutex<Option<ReaderFuture>>,
    wakers: Arc<ReaderWaker>,
    /// The runtime the session runs on: the reader's timers and I/O need its context, and a
    /// receive call may poll from a thread outside it (a Swift or Kotlin caller).
    runtime: Handle,
    /// A panic of the reader polled by a receive call, for the task to raise in its own context.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    /// Set when the task was woken while a receive call was polling the reader: that call then
    /// wakes the task again once it lets go, so that no wake-up is lost.
    missed: AtomicBool,
}

/// The waker every poll of the reader registers: it wakes the waiting receiver if there is one,
/// else the reader task.
#[derive(Default)]
struct ReaderWaker {
    task: Mutex<Option<Waker>>,
    receiver: Mutex<Receiver>,
}

/// The receive call waiting for a message, if any.
#[derive(Default)]
struct Receiver {
    waker: Option<Waker>,
    /// The reader's wake-up went to the receiver, which has not polled the reader since.
    owes_poll: bool,
}

impl ReaderWaker {
    fn wake_task(&self) {
        let task = lock(&self.task).clone();
        if let Some(task) = task {
            task.wake();
        }
    }
}

impl Wake for ReaderWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let mut receiver = lock(&self.receiver);
        if let Some(waker) = receiver.waker.take() {
            receiver.owes_poll = true;
            drop(receiver);
            waker.wake();
        } else {
            drop(receiver);
            self.wake_task();
        }
    }
}

/// A receive call's claim on the reader's wake-ups (see [`ReadDriver::receiving`]).
pub(crate) struct Receiving<'a>(&'a ReadDriver);

impl Drop for Receiving<'_> {
    /// The call has ended.
    fn drop(&mut self) {
        self.0.leave_to_task();
    }
}

impl ReadDriver {
    /// A driver for `reader`, which runs on `runtime`.
    pub(crate) fn new(reader: impl Future<Output = ()> + Send + 'static, runtime: Handle) -> Self {
        ReadDriver {
            future: Mutex::new(Some(Box::pin(reader))),
            wakers: Arc::new(ReaderWaker::default()),
            runtime,
            panic: Mutex::new(None),
            missed: AtomicBool::new(false),
        }
    }

    /// The reader task: polls the reader whenever it is woken, until the reader finishes.
    pub(crate) async fn run(self: Arc<Self>) {
        std::future::poll_fn(|context| {
            *lock(&self.wakers.task) = Some(context.waker().clone());
            let mut future = match self.try_lock_future() {
                Some(future) => future,
                None => {
                    // A receive call is polling the reader. It may have polled past the event
                    // that woke this task: flag it, then look once more, so that either this
                    // task gets the reader or the call sees the flag after letting go.
                    self.missed.store(true, Ordering::SeqCst);
                    match self.try_lock_future() {
                        Some(future) => future,
                        None => return Poll::Pending,
                    }
                }
            };
            self.missed.store(false, Ordering::SeqCst);
            self.poll(&mut future)
        })
        .await;
        if let Some(panic) = lock(&self.panic).take() {
            std::panic::resume_unwind(panic);
        }
    }

    /// Marks the start of a receive call that may poll the reader; the call holds the result
    /// until it ends. One call at a time.
    pub(crate) fn receiving(&self) -> Receiving<'_> {
        Receiving(self)
    }

    /// Leaves the reader to its task: later wake-ups go to the task, and a wake-up the receive
    /// call took without polling the reader since is passed on to it. For a call that ends, or
    /// that stops polling the reader (see `Shared::large_messages`).
    pub(crate) fn leave_to_task(&self) {
        let owed = {
            let mut receiver = lock(&self.wakers.receiver);
            receiver.waker = None;
            std::mem::take(&mut receiver.owes_poll)
        };
        if owed {
            self.wakers.wake_task();
        }
    }

    /// Polls the reader on behalf of a receive call waiting with `waker` (within
    /// [`receiving`](Self::receiving)), which the reader's wake-ups go to from now on.
    pub(crate) fn poll_for_receiver(&self, waker: &Waker) {
        {
            let mut receiver = lock(&self.wakers.receiver);
            receiver.waker = Some(waker.clone());
            receiver.owes_poll = false;
        }
        let mut future = lock(&self.future);
        let finished = self.poll(&mut future).is_ready();
        drop(future);
        // The task ends once the reader has finished; and it must look again if it was woken
        // while this call held the reader.
        if finished || self.missed.swap(false, Ordering::SeqCst) {
            self.wakers.wake_task();
        }
    }

    /// The reader's future if nobody is polling it now.
    fn try_lock_future(&self) -> Option<MutexGuard<'_, Option<ReaderFuture>>> {
        match self.future.try_lock() {
            Ok(future) => Some(future),
            Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    /// Polls the reader once with the [`ReaderWaker`]; `Ready` once it has finished.
    fn poll(&self, future: &mut Option<ReaderFuture>) -> Poll<()> {
        let Some(reader) = future.as_mut() else {
            return Poll::Ready(());
        };
        let waker = Waker::from(self.wakers.clone());
        let mut context = Context::from_waker(&waker);
        let _runtime = self.runtime.enter();
        match catch_unwind(AssertUnwindSafe(|| reader.as_mut().poll(&mut context))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(())) => {
                *future = None;
                Poll::Ready(())
            }
            Err(panic) => {
                *future = None;
                *lock(&self.panic) = Some(panic);
                Poll::Ready(())
            }
        }
    }
}
