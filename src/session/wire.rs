//! The connection's write side, shared by the session handle and the writer task.
//!
//! Sends encode their frames, in order, straight into one bounded [`Outbox`] (waiting for room
//! while it is full), and the bytes are written by whichever side gets there first. When the
//! outbox is idle and the application is neither pipelining nor sending in bursts, the caller
//! writes them at once on its own thread, as a direct tokio-tungstenite write does, without waking
//! another task; so it does when a large payload is waiting, which gathering would not write any
//! cheaper. Otherwise the writer task is woken (or is already writing) and gathers everything
//! encoded meanwhile into one write. Whatever the socket does not take at once is left to the
//! writer task, which then owns the outbox until it is written; only it polls the socket then.
//!
//! An application that takes several messages at once while pipelining usually answers them with
//! a burst of as many sends: those are only encoded, and the last writes them all (see
//! [`super::burst`]).

use std::collections::VecDeque;
use std::future::poll_fn;
use std::io::IoSlice;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use bytes::Bytes;
use tokio::io::AsyncWrite;
use tokio::sync::Notify;

use super::burst::{BurstPrediction, Plan, Sweep};
use super::state::lock;
use crate::connect::WriteHalf;
use crate::extensions::SendTransform;
use crate::frame::{CloseReason, Frame};
use crate::protocol::{encode_close, encode_transformed, Encode};

/// Unwritten bytes from which the outbox takes no more frames until the socket has taken some:
/// bounds what a send may put ahead of the socket, and how long a pong waits behind it. Two 64 KiB
/// messages fit, so the writer task writes pipelined messages of that size two at a time (as
/// tokio-tungstenite's 128 KiB write buffer does).
const ROOM_BYTES: usize = 128 << 10;

/// Buffers of small frames up to this capacity are kept for the next batch.
const SPARE_MAX: usize = 64 << 10;

/// Buffers of large payloads up to this capacity are kept for the next large payloads...
const LARGE_SPARE_MAX: usize = 1 << 20;

/// ...this many of them: enough for the large payloads the outbox holds at once.
const LARGE_SPARES: usize = 2;

/// Unwritten bytes worth a write of their own: a pipelining caller writes them at once rather than
/// leaving them for the writer task, as the outbox is full and nothing more could be gathered.
const WRITE_NOW_BYTES: usize = ROOM_BYTES;

/// The most buffers one write hands to the socket.
const MAX_SLICES: usize = 64;

/// What [`Wire::write_now`] did with the frames it was given.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Taken {
    /// This many were encoded; the outbox is full for the rest (wait with [`Wire::room`]).
    Some(u64),
    /// A close frame is already in the outbox, or the writer has ended: nothing more is sent.
    Closed,
}

/// The write side: the outbox and the signals between the senders and the writer task.
pub(crate) struct Wire {
    outbox: Mutex<Outbox>,
    /// Wakes the writer task: it has bytes to write, or a close frame to time.
    handoff: Notify,
    /// Wakes a sender waiting for room in the outbox.
    room: Notify,
}

impl Wire {
    /// A wire over `io` whose outbox holds at most `frame_limit` application frames not yet
    /// written (at least one).
    pub(crate) fn new(
        io: WriteHalf,
        frame_limit: usize,
        transform: Option<Box<dyn SendTransform>>,
    ) -> Self {
        Wire {
            outbox: Mutex::new(Outbox {
                transform,
                transformed: Vec::new(),
                io: Some(io),
                chunks: VecDeque::new(),
                front_written: 0,
                unwritten: 0,
                back_open: false,
                unflushed: false,
                close_encoded: false,
                ended: false,
                encoded_frames: 0,
                frame_ends: VecDeque::new(),
                written_frames: 0,
                bursting: false,
                prediction: BurstPrediction::default(),
                encoded_bytes: 0,
                written_bytes: 0,
                frame_limit: frame_limit.max(1),
                spare: None,
                large_spares: Vec::new(),
                failure: None,
                write_started: None,
                pong_end: 0,
                waiting_pong: None,
            }),
            handoff: Notify::new(),
            room: Notify::new(),
        }
    }

    /// Locks the outbox. Never held across an `.await`.
    pub(crate) fn outbox(&self) -> std::sync::MutexGuard<'_, Outbox> {
        lock(&self.outbox)
    }

    /// Encodes application frames from `frames`, in order, while the outbox has room; never
    /// waits. Call with the session's send order held, so that frames are taken in send order.
    ///
    /// When the outbox was idle and the application is not pipelining (it has received as many
    /// messages, `received_messages`, as it has sent frames, as between a request and its
    /// answer, and it has not been sending in bursts), or when at least [`WRITE_NOW_BYTES`] are
    /// waiting, the frames are written at once on the caller's thread. Otherwise more sends are
    /// likely to follow at once, so the writer task gathers them into one write: it is woken for
    /// them, or is already writing. Bytes the socket does not take at once stay for the writer.
    pub(crate) fn write_now(
        &self,
        frames: &mut std::iter::Peekable<impl Iterator<Item = impl Encode>>,
        received_messages: u64,
    ) -> Taken {
        let mut outbox = self.outbox();
        if outbox.is_closed() {
            return Taken::Closed;
        }
        let pipelining = outbox.encoded_frames > received_messages || outbox.bursting;
        let mut taken = 0;
        loop {
            // Frames left for the end of a burst wait for this caller: nobody else writes.
            let was_idle = outbox.is_idle() || outbox.prediction.is_waiting();
            let before = taken;
            while outbox.has_room() {
                let Some(frame) = frames.next() else { break };
                outbox.encode_application(frame);
                taken += 1;
            }
            // Every send counts against a predicted burst, however it is written.
            let plan = outbox.prediction.count(taken - before);
            if !was_idle || outbox.unwritten == 0 {
                // The writer task owns the outbox and writes these with the rest (or nothing was
                // taken).
                break;
            }
            if pipelining && outbox.unwritten < WRITE_NOW_BYTES {
                match plan {
                    Plan::Leave if outbox.has_room() => {
                        outbox.prediction.leave(Instant::now());
                        break;
                    }
                    Plan::Unpredicted => {
                        outbox.prediction.written();
                        self.handoff.notify_one();
                        break;
                    }
                    // The burst is complete (or the outbox full): written at once, below.
                    Plan::Leave | Plan::WriteBurst => {}
                }
            }
            outbox.prediction.written();
            if !self.write_or_hand_off(&mut outbox) || frames.peek().is_none() {
                break;
            }
        }
        Taken::Some(taken)
    }

    /// The application took `messages` messages at once: as many sends are expected (see
    /// [`super::burst`]).
    pub(crate) fn expect_sends(&self, messages: usize) {
        let mut outbox = self.outbox();
        let limit = outbox.frame_limit;
        outbox.prediction.expect(messages, limit);
    }

    /// Starts predicting bursts if the writer task's last write was one; `true` when the writer
    /// task is to start sweeping.
    pub(crate) fn start_predicting(&self) -> bool {
        let mut outbox = self.outbox();
        let burst = outbox.bursting;
        outbox.prediction.start(burst, Instant::now())
    }

    /// The writer task's sweep, every [`SWEEP`](super::burst::SWEEP) while predicting: when
    /// `write`, frames left for the end of a burst that has not come are the writer task's to
    /// write now.
    pub(crate) fn sweep(&self) -> Sweep {
        self.outbox().prediction.sweep(Instant::now())
    }

    /// Answers a ping right away, ahead of any frame sent after this call: written at once if the
    /// outbox was idle, else with what is waiting. While an earlier pong is still unwritten (the
    /// peer is not reading), this one waits in its place instead, replacing any other that waits,
    /// and is encoded once that one is written: RFC 6455 section 5.5.3 lets an endpoint answer
    /// only the most recent ping, so a ping flood holds two pongs at most.
    pub(crate) fn answer_ping(&self, data: Bytes) {
        let mut outbox = self.outbox();
        if outbox.is_closed() {
            return;
        }
        if outbox.pong_unwritten() {
            outbox.waiting_pong = Some(data);
            return;
        }
        // Frames left for the end of a burst go out with it.
        let was_idle = outbox.is_idle() || outbox.prediction.is_waiting();
        outbox.encode_pong(data);
        if was_idle {
            outbox.prediction.written();
            self.write_or_hand_off(&mut outbox);
        }
    }

    /// Writes the outbox on the caller's thread, without waiting; what the socket does not take
    /// (or a failure, which the writer task reports) is handed to the writer task. `true` when
    /// everything was written.
    fn write_or_hand_off(&self, outbox: &mut Outbox) -> bool {
        let mut context = Context::from_waker(Waker::noop());
        match outbox.poll_write_out(&mut context) {
            Poll::Ready(Ok(())) => true,
            Poll::Ready(Err(error)) => {
                outbox.failure = Some(error);
                self.handoff.notify_one();
                false
            }
            Poll::Pending => {
                self.handoff.notify_one();
                false
            }
        }
    }

    /// Puts a close frame carrying `reason` (or nothing) in the outbox behind everything sent, for
    /// the writer task to write and time, unless one is there already (then `false`). A close
    /// frame never waits for room.
    pub(crate) fn close(&self, reason: Option<&CloseReason>) -> bool {
        let mut outbox = self.outbox();
        if outbox.is_closed() {
            return false;
        }
        outbox.encode_close(reason);
        // The writer task writes everything up to the close frame.
        outbox.prediction.written();
        drop(outbox);
        self.handoff.notify_one();
        // A sender waiting for room learns that nothing more is taken.
        self.room.notify_one();
        true
    }

    /// Waits until the writer task is asked to write or to time a close frame.
    pub(crate) async fn handed_off(&self) {
        self.handoff.notified().await;
    }

    /// Waits until the outbox may have room again (check with [`write_now`](Self::write_now)).
    pub(crate) async fn room(&self) {
        self.room.notified().await;
    }

    /// Writes and flushes everything in the outbox, including what is added meanwhile, and tells
    /// a waiting sender whenever room appears. Cancel-safe: dropped before it is done, the next
    /// call goes on where it stopped.
    ///
    /// Whether the frames it wrote came as a burst decides how the next send is written (see
    /// [`Outbox::bursting`]).
    pub(crate) async fn write_out(&self) -> std::io::Result<()> {
        poll_fn(|context| {
            let mut outbox = self.outbox();
            // Everything is written now, frames left for the end of a burst too.
            outbox.prediction.written();
            let written = outbox.written_frames;
            let first = *outbox.write_started.get_or_insert(written);
            let before = outbox.unwritten;
            let result = outbox.poll_write_out(context);
            if outbox.unwritten < before && outbox.has_room() {
                self.room.notify_one();
            }
            if result.is_ready() {
                outbox.bursting = outbox.written_frames - first >= 2;
                outbox.write_started = None;
            }
            result
        })
        .await
    }

    /// Shuts the write side down and releases it: gracefully (a TLS close_notify, a TCP FIN)
    /// until `deadline`, at once when there is none. Sends fail from now on, and a sender waiting
    /// for room is woken to find that out.
    pub(crate) async fn shut_down(&self, deadline: Option<tokio::time::Instant>) {
        self.outbox().ended = true;
        self.room.notify_one();
        if let Some(deadline) = deadline {
            let graceful = poll_fn(|context| match self.outbox().io.as_mut() {
                Some(io) => Pin::new(io).poll_shutdown(context),
                None => Poll::Ready(Ok(())),
            });
            let _ = tokio::time::timeout_at(deadline, graceful).await;
        }
        self.outbox().io = None;
    }
}

/// Encoded bytes waiting in the outbox.
struct Chunk {
    bytes: Vec<u8>,
    /// One large payload (kept for the next large payloads once written), not small frames
    /// back to back (kept for the next batch). Sizes alone cannot tell them apart: a buffer of
    /// small frames grows past the smallest large payload.
    large_payload: bool,
}

/// Encoded frames not yet written, and the socket they go to.
pub(crate) struct Outbox {
    /// The negotiated extension's transform of data messages, applied in send order.
    transform: Option<Box<dyn SendTransform>>,
    /// The transformed payload of the message being encoded, kept for the next one.
    transformed: Vec<u8>,
    /// `None` once the writer task has shut the connection down.
    io: Option<WriteHalf>,
    /// Encoded bytes in order: small frames back to back, large payloads as chunks of their own.
    chunks: VecDeque<Chunk>,
    /// Bytes of the front chunk already written.
    front_written: usize,
    /// Bytes in `chunks` not yet written.
    unwritten: usize,
    /// Whether small frames may be appended to the back chunk.
    back_open: bool,
    /// Written since the last flush (TLS may hold records back until then).
    unflushed: bool,
    /// A close frame is in the outbox: nothing may follow it.
    close_encoded: bool,
    /// The writer task has ended: nothing more will be written.
    ended: bool,
    /// Application frames encoded so far, in send order.
    encoded_frames: u64,
    /// Where each application frame not yet written ends, in bytes encoded since the start.
    frame_ends: VecDeque<u64>,
    /// Application frames written since the start.
    written_frames: u64,
    /// The writer task's last write carried several application frames: the application sends
    /// in bursts, so the first frame of its next burst is left for the writer task to write with
    /// the rest, not written at once alone (which would also make the peer answer it alone).
    /// Cleared when the writer task writes a single frame, so that an application that turns
    /// to one request at a time gets its frames written at once again.
    bursting: bool,
    /// How many sends are about to follow (see [`super::burst`]).
    prediction: BurstPrediction,
    /// Bytes encoded since the start.
    encoded_bytes: u64,
    /// Bytes written since the start.
    written_bytes: u64,
    /// How many application frames may wait unwritten.
    frame_limit: usize,
    /// A small-frame buffer kept for the next batch.
    spare: Option<Vec<u8>>,
    /// Buffers of large payloads already written, kept for the next ones: the payloads are
    /// masked into them on the caller's thread, so the caller's buffer is freed on its own
    /// thread and no memory changes threads (see [`crate::buffer_pool`] for why that matters).
    large_spares: Vec<Vec<u8>>,
    /// A write on the caller's thread failed; the writer task reports it.
    failure: Option<std::io::Error>,
    /// Application frames written when the writer task's current write began.
    write_started: Option<u64>,
    /// Where the last pong encoded ends, in bytes encoded since the start.
    pong_end: u64,
    /// The payload of the latest ping, whose pong waits for the one before it to be written.
    waiting_pong: Option<Bytes>,
}

impl Outbox {
    /// Whether nothing is waiting to be written or flushed. Otherwise the writer task owns the
    /// outbox: it is waiting for the socket, and only it may poll the socket (a poll from the
    /// caller's thread would replace its wake-up).
    pub(crate) fn is_idle(&self) -> bool {
        self.unwritten == 0 && !self.unflushed && self.failure.is_none()
    }

    /// Unwritten bytes in the outbox.
    #[cfg(test)]
    pub(crate) fn unwritten(&self) -> usize {
        self.unwritten
    }

    /// Whether a close frame is in the outbox (or the writer has ended).
    pub(crate) fn is_closed(&self) -> bool {
        self.close_encoded || self.ended
    }

    /// Whether the outbox takes another application frame: fewer unwritten than the frame limit,
    /// and fewer unwritten bytes than [`ROOM_BYTES`].
    fn has_room(&self) -> bool {
        self.frame_ends.len() < self.frame_limit && self.unwritten < ROOM_BYTES
    }

    /// Application frames encoded so far.
    #[cfg(test)]
    pub(crate) fn encoded_frames(&self) -> u64 {
        self.encoded_frames
    }

    /// Encodes a frame the application queued.
    fn encode_application(&mut self, frame: impl Encode) {
        self.encoded_frames += 1;
        self.encode(frame);
        self.frame_ends.push_back(self.encoded_bytes);
    }

    /// Encodes a ping or pong of the session's own, unless a close frame is in the outbox
    /// (then `false`: nothing may follow it).
    pub(crate) fn encode_own(&mut self, frame: Frame) -> bool {
        if self.is_closed() {
            return false;
        }
        self.encode(frame);
        true
    }

    /// Whether a pong encoded earlier has not been written yet.
    fn pong_unwritten(&self) -> bool {
        self.written_bytes < self.pong_end
    }

    /// Encodes a pong carrying `data`.
    fn encode_pong(&mut self, data: Bytes) {
        self.encode(Frame::Pong { data });
        self.pong_end = self.encoded_bytes;
    }

    /// Encodes a frame, transformed by the extension if one was negotiated and takes it.
    fn encode(&mut self, frame: impl Encode) {
        if let Some(transform) = self.transform.as_mut() {
            if let Some((text, payload)) = frame.data() {
                let mut transformed = std::mem::take(&mut self.transformed);
                transformed.clear();
                if transform.encode(payload, &mut transformed) {
                    self.append(|out, large_buffer| {
                        encode_transformed(text, &transformed, out, large_buffer)
                    });
                    if transformed.capacity() <= SPARE_MAX {
                        self.transformed = transformed;
                    }
                    return;
                }
            }
        }
        self.append(|out, large_buffer| frame.encode_into(out, large_buffer));
    }

    /// Appends what `encode` writes: small frames to the back chunk, a large payload it hands
    /// back as a chunk of its own, in a kept buffer if one is large enough.
    fn append(
        &mut self,
        encode: impl FnOnce(&mut Vec<u8>, &mut dyn FnMut(usize) -> Vec<u8>) -> Option<Vec<u8>>,
    ) {
        let large_spares = &mut self.large_spares;
        let large_buffer = |size: usize| {
            let fits = large_spares
                .iter()
                .position(|spare| spare.capacity() >= size);
            fits.map_or_else(
                || Vec::with_capacity(size),
                |index| large_spares.swap_remove(index),
            )
        };
        let mut large_buffer = large_buffer;
        let back = open_back(&mut self.chunks, &mut self.back_open, &mut self.spare);
        let before = back.len();
        let payload = encode(back, &mut large_buffer);
        let mut added = back.len() - before;
        if let Some(payload) = payload {
            added += payload.len();
            self.chunks.push_back(Chunk {
                bytes: payload,
                large_payload: true,
            });
            self.back_open = false;
        }
        self.unwritten += added;
        self.encoded_bytes += added as u64;
    }

    /// Encodes a close frame; nothing may be encoded after it.
    fn encode_close(&mut self, reason: Option<&CloseReason>) {
        let back = open_back(&mut self.chunks, &mut self.back_open, &mut self.spare);
        let before = back.len();
        encode_close(reason, back);
        let added = back.len() - before;
        self.unwritten += added;
        self.encoded_bytes += added as u64;
        self.close_encoded = true;
    }

    /// Writes what is unwritten (vectored where the stream allows) and flushes.
    fn poll_write_out(&mut self, context: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if let Some(error) = self.failure.take() {
            return Poll::Ready(Err(error));
        }
        if self.io.is_none() {
            return Poll::Ready(Err(std::io::ErrorKind::NotConnected.into()));
        }
        while self.unwritten > 0 {
            let mut slices = [IoSlice::new(&[]); MAX_SLICES];
            let mut count = 0;
            for (index, chunk) in self.chunks.iter().take(MAX_SLICES).enumerate() {
                let skip = if index == 0 { self.front_written } else { 0 };
                slices[count] = IoSlice::new(&chunk.bytes[skip..]);
                count += 1;
            }
            let io = self.io.as_mut().expect("checked above");
            let written = match Pin::new(io).poll_write_vectored(context, &slices[..count]) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
                }
                Poll::Ready(Ok(written)) => written,
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => return Poll::Pending,
            };
            self.unflushed = true;
            self.advance(written);
        }
        if let Some(io) = self.io.as_mut().filter(|_| self.unflushed) {
            match Pin::new(io).poll_flush(context) {
                Poll::Ready(Ok(())) => self.unflushed = false,
                other => return other,
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Drops `written` bytes from the front, keeping one small-frame buffer for reuse.
    fn advance(&mut self, written: usize) {
        self.unwritten -= written;
        self.written_bytes += written as u64;
        if !self.pong_unwritten() && !self.close_encoded {
            if let Some(data) = self.waiting_pong.take() {
                self.encode_pong(data);
            }
        }
        while self
            .frame_ends
            .front()
            .is_some_and(|&end| end <= self.written_bytes)
        {
            self.frame_ends.pop_front();
            self.written_frames += 1;
        }
        self.front_written += written;
        while let Some(front) = self.chunks.front() {
            if self.front_written < front.bytes.len() {
                break;
            }
            self.front_written -= front.bytes.len();
            let done = self.chunks.pop_front().expect("front exists");
            if self.chunks.is_empty() {
                self.back_open = false;
            }
            let mut bytes = done.bytes;
            bytes.clear();
            if done.large_payload {
                if bytes.capacity() <= LARGE_SPARE_MAX && self.large_spares.len() < LARGE_SPARES {
                    self.large_spares.push(bytes);
                }
            } else if bytes.capacity() <= SPARE_MAX && self.spare.is_none() {
                self.spare = Some(bytes);
            }
        }
    }
}

/// The buffer small frames are appended to: the back chunk while it is open for them and has room,
/// else a new chunk (the kept small-frame buffer if there is one).
fn open_back<'a>(
    chunks: &'a mut VecDeque<Chunk>,
    back_open: &mut bool,
    spare: &mut Option<Vec<u8>>,
) -> &'a mut Vec<u8> {
    let full = chunks
        .back()
        .is_none_or(|back| back.bytes.len() >= SPARE_MAX);
    if !*back_open || full {
        chunks.push_back(Chunk {
            bytes: spare.take().unwrap_or_default(),
            large_payload: false,
        });
        *back_open = true;
    }
    &mut chunks.back_mut().expect("a chunk was just pushed").bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use futures_util::FutureExt;
    use std::time::Duration;
    use tokio::io::AsyncReadExt;

    /// The payloads of the masked binary frames in `bytes`, in order.
    fn payloads(mut bytes: &[u8]) -> Vec<Vec<u8>> {
        let mut found = Vec::new();
        while !bytes.is_empty() {
            assert_eq!(bytes[0], 0x82, "a final binary frame");
            let (length, mut at) = match bytes[1] & 0x7f {
                126 => (usize::from(u16::from_be_bytes([bytes[2], bytes[3]])), 4),
                127 => (
                    usize::try_from(u64::from_be_bytes(bytes[2..10].try_into().unwrap())).unwrap(),
                    10,
                ),
                short => (usize::from(short), 2),
            };
            let mask: [u8; 4] = bytes[at..at + 4].try_into().unwrap();
            at += 4;
            let mut payload = bytes[at..at + length].to_vec();
            crate::protocol::apply_mask(&mut payload, mask);
            found.push(payload);
            bytes = &bytes[at + length..];
        }
        found
    }

    fn message(index: u8, size: usize) -> Frame {
        Frame::binary(vec![index; size])
    }

    /// Reads `count` frames made by `message(index, 10)` from `peer` and checks that they are
    /// indexes 0, 1, ... in order.
    async fn assert_small_messages_arrive(peer: &mut tokio::io::DuplexStream, count: u8) {
        let mut bytes = vec![0; usize::from(count) * 16];
        peer.read_exact(&mut bytes).await.unwrap();
        let expected: Vec<Vec<u8>> = (0..count).map(|index| vec![index; 10]).collect();
        assert_eq!(payloads(&bytes), expected);
    }

    /// Does what the writer task does when woken: waits to be asked (failing after 5 s), then
    /// writes the outbox out.
    async fn write_out_when_handed_off(wire: &Wire) {
        tokio::time::timeout(Duration::from_secs(5), wire.handed_off())
            .await
            .expect("the writer task is woken");
        wire.write_out().await.unwrap();
    }

    /// Whether the writer task has been asked to write (without waiting).
    fn handed_off_now(wire: &Wire) -> bool {
        wire.handed_off().now_or_never().is_some()
    }

    /// Sends frame `index` (10 bytes) with `received` messages received so far.
    fn send(wire: &Wire, index: u8, received: u64) {
        let mut frames = std::iter::once(message(index, 10)).peekable();
        assert_eq!(wire.write_now(&mut frames, received), Taken::Some(1));
    }

    /// A wire whose writer task has written a burst (frames 0 to 2) and now predicts bursts.
    async fn predicting_wire() -> (Wire, tokio::io::DuplexStream) {
        let (pipe, peer) = tokio::io::duplex(1 << 16);
        let wire = Wire::new(Box::new(pipe), 64, None);
        wire.expect_sends(3);
        send(&wire, 0, 0);
        send(&wire, 1, 0);
        send(&wire, 2, 0);
        write_out_when_handed_off(&wire).await;
        assert!(wire.start_predicting(), "the writer task wrote a burst");
        assert!(!wire.start_predicting(), "it starts sweeping once");
        (wire, peer)
    }

    /// Once the writer task has written a burst, several messages taken at once predict as many
    /// sends: all but the last are only encoded, without waking the writer task, and the last
    /// writes them all at once on its own thread. (A prediction made before was ignored.)
    #[tokio::test]
    async fn a_predicted_burst_is_written_whole_by_its_last_send() {
        let (wire, mut peer) = predicting_wire().await;
        wire.expect_sends(3);
        send(&wire, 3, 3);
        send(&wire, 4, 3);
        assert_eq!(wire.outbox().unwritten(), 2 * 16, "left for the last send");
        assert!(!handed_off_now(&wire), "the writer task is not woken");
        send(&wire, 5, 3);
        assert!(wire.outbox().is_idle(), "the last send wrote the burst");
        assert!(!handed_off_now(&wire));
        assert_small_messages_arrive(&mut peer, 6).await;
    }

    /// A burst that ends short of its prediction is written by the writer task's sweep once it
    /// has waited half a sweep period (not before: the rest of the burst may still come), and
    /// sends wake the writer task again after that miss.
    #[tokio::test]
    async fn a_burst_that_ends_short_is_written_by_a_sweep() {
        let (wire, mut peer) = predicting_wire().await;
        wire.expect_sends(4);
        send(&wire, 3, 3);
        send(&wire, 4, 3);
        assert!(!handed_off_now(&wire));
        assert!(!wire.sweep().write, "only just left");
        tokio::time::sleep(crate::session::burst::SWEEP).await;
        assert_eq!(
            wire.sweep(),
            Sweep {
                write: true,
                again: false
            }
        );
        wire.write_out().await.unwrap();
        assert!(wire.outbox().is_idle());
        wire.expect_sends(4);
        send(&wire, 5, 5);
        assert!(
            handed_off_now(&wire),
            "no prediction: the writer task is woken"
        );
        wire.write_out().await.unwrap();
        assert_small_messages_arrive(&mut peer, 6).await;
    }

    /// A pong of the session's own does not wait for the end of a predicted burst: it is written
    /// at once, with the frames sent before it.
    #[tokio::test]
    async fn an_own_frame_takes_the_frames_left_for_a_burst_with_it() {
        let (wire, mut peer) = predicting_wire().await;
        wire.expect_sends(3);
        send(&wire, 3, 3);
        wire.answer_ping(Bytes::new());
        assert!(wire.outbox().is_idle(), "written at once");
        assert_small_messages_arrive(&mut peer, 4).await;
        let mut pong = [0; 6];
        peer.read_exact(&mut pong).await.unwrap();
        assert_eq!(pong[..2], [0x8a, 0x80], "an empty masked pong");
    }

    /// While a pong cannot be written, later pings are answered by one pong at most, which
    /// carries the latest ping's payload and goes out once the earlier pong is written.
    #[tokio::test]
    async fn a_ping_flood_holds_two_pongs_and_the_latest_is_answered() {
        // The pipe takes six 10-byte pongs and part of a seventh; nobody reads it yet.
        let (pipe, mut peer) = tokio::io::duplex(64);
        let wire = Wire::new(Box::new(pipe), 64, None);
        for index in 0..10_000u32 {
            wire.answer_ping(Bytes::copy_from_slice(&index.to_be_bytes()));
        }
        assert!(
            wire.outbox().unwritten() <= 10,
            "{} bytes of pongs held",
            wire.outbox().unwritten()
        );
        let reading = tokio::spawn(async move {
            let mut bytes = Vec::new();
            peer.read_to_end(&mut bytes).await.unwrap();
            bytes
        });
        write_out_when_handed_off(&wire).await;
        wire.shut_down(Some(tokio::time::Instant::now() + Duration::from_secs(5)))
            .await;
        let bytes = reading.await.unwrap();
        let pongs: Vec<u32> = bytes
            .chunks(10)
            .map(|frame| {
                assert_eq!(frame[..2], [0x8a, 0x84], "a masked pong of 4 bytes");
                let mut payload = frame[6..].to_vec();
                crate::protocol::apply_mask(&mut payload, frame[2..6].try_into().unwrap());
                u32::from_be_bytes(payload.try_into().unwrap())
            })
            .collect();
        assert_eq!(
            pongs,
            [0, 1, 2, 3, 4, 5, 6, 9_999],
            "those that fitted, then the latest"
        );
    }

    /// A pipe that takes 256 bytes at a time stands in for a socket that is full: what the caller
    /// cannot write at once stays in the outbox, later frames join it behind while there is room,
    /// and the writer task writes it all out in order.
    #[tokio::test]
    async fn what_the_socket_does_not_take_at_once_is_written_later_in_order() {
        let (pipe, mut peer) = tokio::io::duplex(256);
        let wire = Wire::new(Box::new(pipe), 64, None);
        let sizes = [100, 20_000, 3, 120_000, 50];
        let mut frames = (0..5u8)
            .map(|index| message(index, sizes[usize::from(index)]))
            .peekable();
        // Nothing sent or received yet: not pipelining, so the caller writes at once.
        assert_eq!(
            wire.write_now(&mut frames.by_ref().take(2).peekable(), 0),
            Taken::Some(2)
        );
        assert!(!wire.outbox().is_idle(), "the pipe took only part");
        // Later frames are only encoded, until the outbox is full: the writer task owns it now.
        assert_eq!(wire.write_now(&mut frames, 2), Taken::Some(2));
        assert_eq!(wire.outbox().encoded_frames(), 4);
        assert_eq!(wire.write_now(&mut frames, 4), Taken::Some(0), "full");

        let reading = tokio::spawn(async move {
            let mut bytes = Vec::new();
            peer.read_to_end(&mut bytes).await.unwrap();
            bytes
        });
        tokio::time::timeout(Duration::from_secs(5), wire.handed_off())
            .await
            .expect("the writer task is asked to finish");
        wire.write_out().await.unwrap();
        assert!(wire.outbox().is_idle());
        tokio::time::timeout(Duration::from_secs(5), wire.room())
            .await
            .expect("a waiting sender is told there is room");
        assert_eq!(wire.write_now(&mut frames, 4), Taken::Some(1));
        wire.write_out().await.unwrap();
        wire.shut_down(Some(tokio::time::Instant::now() + Duration::from_secs(5)))
            .await;
        let written = payloads(&reading.await.unwrap());
        let expected: Vec<Vec<u8>> = (0..5u8)
            .map(|index| vec![index; sizes[usize::from(index)]])
            .collect();
        assert_eq!(written, expected);
    }

    /// The outbox holds at most the frame limit of unwritten frames; a close frame always fits,
    /// and nothing follows it.
    #[tokio::test]
    async fn the_frame_limit_holds_and_nothing_follows_a_close() {
        let (pipe, _peer) = tokio::io::duplex(16);
        let wire = Wire::new(Box::new(pipe), 3, None);
        let mut frames = (0..10u8).map(|index| message(index, 10)).peekable();
        assert_eq!(wire.write_now(&mut frames, 0), Taken::Some(3));
        // The pipe took the first frame (16 bytes): room for one more, then none.
        assert_eq!(wire.write_now(&mut frames, 0), Taken::Some(1));
        assert_eq!(wire.write_now(&mut frames, 0), Taken::Some(0));
        assert!(wire.close(None));
        assert!(!wire.close(None), "one close frame");
        assert_eq!(wire.write_now(&mut frames, 0), Taken::Closed);
        assert!(!wire.outbox().encode_own(Frame::Ping { data: Bytes::new() }));
    }

    /// While the application pipelines (more sent than received), the caller only encodes and the
    /// writer task is woken to write the burst in one go.
    #[tokio::test]
    async fn a_pipelining_sender_leaves_the_write_to_the_writer_task() {
        let (pipe, mut peer) = tokio::io::duplex(1 << 16);
        let wire = Wire::new(Box::new(pipe), 64, None);
        let mut first = std::iter::once(message(0, 10)).peekable();
        assert_eq!(wire.write_now(&mut first, 0), Taken::Some(1));
        assert!(wire.outbox().is_idle(), "written at once");
        // One sent, none received: the next frames are only encoded.
        let mut frames = (1..4u8).map(|index| message(index, 10)).peekable();
        assert_eq!(wire.write_now(&mut frames, 0), Taken::Some(3));
        assert_eq!(wire.outbox().unwritten(), 3 * 16, "encoded, not written");
        write_out_when_handed_off(&wire).await;
        assert_small_messages_arrive(&mut peer, 4).await;
    }

    /// Once the writer task has written a burst, the first frame of the next burst is left for it
    /// as well, though every frame before was answered; once it writes a frame alone, sends are
    /// written at once again.
    #[tokio::test]
    async fn each_burst_of_an_application_sending_in_bursts_is_written_whole() {
        let (pipe, mut peer) = tokio::io::duplex(1 << 16);
        let wire = Wire::new(Box::new(pipe), 64, None);
        let send = |index: u8, received: u64| {
            let mut frames = std::iter::once(message(index, 10)).peekable();
            assert_eq!(wire.write_now(&mut frames, received), Taken::Some(1));
        };
        send(0, 0);
        assert!(
            wire.outbox().is_idle(),
            "the first frame is written at once"
        );
        send(1, 0);
        send(2, 0);
        write_out_when_handed_off(&wire).await;
        // All three answered: one request at a time would be written at once, but a burst waits.
        send(3, 3);
        assert_eq!(wire.outbox().unwritten(), 16, "left for the writer task");
        write_out_when_handed_off(&wire).await;
        send(4, 4);
        assert!(
            wire.outbox().is_idle(),
            "after a frame alone, written at once again"
        );
        assert_small_messages_arrive(&mut peer, 5).await;
    }

    /// A pipelining caller writes a payload that fills the outbox itself (nothing more could be
    /// gathered), and leaves smaller ones for the writer task to write together; either way a
    /// written payload's buffer is kept for the next large payloads, whatever their size up to
    /// the largest kept.
    #[tokio::test]
    async fn large_payloads_are_written_at_once_or_gathered_and_their_buffers_reused() {
        let (pipe, mut peer) = tokio::io::duplex(1 << 20);
        let wire = Wire::new(Box::new(pipe), 64, None);
        let sizes = [200_000, 200_000, 300_000, 65_536, 65_536];
        let mut kept = Vec::new();
        for (index, &size) in sizes[..3].iter().enumerate() {
            // Frames sent before this one, none received: from the second on, pipelining.
            let mut frames = std::iter::once(message(index as u8, size)).peekable();
            assert_eq!(wire.write_now(&mut frames, 0), Taken::Some(1));
            assert!(wire.outbox().is_idle(), "frame {index} written at once");
            kept.push(wire.outbox().large_spares.len());
        }
        // The second payload reused the first one's buffer; the third needed a larger one.
        assert_eq!(kept, [1, 1, 2]);
        for index in 3..5u8 {
            let mut frames = std::iter::once(message(index, 65_536)).peekable();
            assert_eq!(wire.write_now(&mut frames, 0), Taken::Some(1));
        }
        assert_eq!(
            wire.outbox().unwritten(),
            2 * (65_536 + 14),
            "left to be gathered"
        );
        assert!(
            wire.outbox().large_spares.is_empty(),
            "both kept buffers in use"
        );
        write_out_when_handed_off(&wire).await;
        assert_eq!(
            wire.outbox().large_spares.len(),
            2,
            "kept again once written"
        );
        let total = sizes.iter().map(|size| size + 14).sum();
        let mut bytes = vec![0; total];
        peer.read_exact(&mut bytes).await.unwrap();
        let expected: Vec<Vec<u8>> = (0..5u8)
            .map(|index| vec![index; sizes[usize::from(index)]])
            .collect();
        assert_eq!(payloads(&bytes), expected);
    }
}
