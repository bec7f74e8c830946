//! Received messages handed to the Swift layer in place: one object holds a batch of them, and the
//! Swift layer reads each payload straight from the memory the core keeps it in.
//!
//! Through UniFFI's generated code a received payload is copied three times on its way to a Swift
//! `Data` (into the serialized frames, into a zero-filled Swift array, then into the `Data`), each
//! time into freshly allocated memory; the packed byte string this replaced took five. Here a
//! [`ReceivedBatch`] keeps the payloads and its [`directory`](ReceivedBatch::directory) says where
//! each one is. The Swift layer copies a payload out once, except a binary payload of
//! [`OWNED_MIN`] bytes or more whose memory nothing else shares (above 1 MiB, where the reader's
//! buffer pool lets go of it; not the pooled payloads of 4 KiB to 1 MiB): the batch takes that
//! memory over and the Swift layer wraps it in a `Data` without any copy, which keeps the batch
//! alive for as long as that `Data` lives. (Copying a pooled payload into memory of its own here
//! would only move its one copy from the Swift side to this one.)
//!
//! The directory starts with the number of frames (4 bytes, little-endian), then holds, for each
//! frame in order: its kind (one byte: the frame's RFC 6455 opcode,
//! [`TEXT`], [`BINARY`], [`CLOSE`], [`PING`] or [`PONG`], plus [`OWNED`] when the payload's memory
//! is the batch's alone), its payload's length (4 bytes, little-endian) and its payload's address
//! (8 bytes, little-endian). A text payload is UTF-8; a close frame's is its code (2 bytes,
//! big-endian) followed by the UTF-8 message, or nothing when there is no reason. Received messages
//! are only ever text and binary; the other kinds appear only if a binding handed them back
//! through `return_unread`.

use bytes::{BufMut, Bytes};

use crate::frame::Frame;

/// The kind of a text message.
pub(crate) const TEXT: u8 = 0x1;
/// The kind of a binary message.
pub(crate) const BINARY: u8 = 0x2;
/// The kind of a close frame.
pub(crate) const CLOSE: u8 = 0x8;
/// The kind of a ping.
pub(crate) const PING: u8 = 0x9;
/// The kind of a pong.
pub(crate) const PONG: u8 = 0xa;
/// Added to the kind when the payload's memory belongs to the batch alone: nothing else reads or
/// writes it while the batch lives, so the bindings may give it to the application as its own.
pub(crate) const OWNED: u8 = 0x80;

/// Binary payloads from this size on are held in memory of their own (see [`OWNED`]). Below it a
/// copy on the Swift side costs less than a `Data` with its own deallocator, and a small message
/// the application keeps does not hold on to the rest of its batch.
pub(crate) const OWNED_MIN: usize = 32 << 10;

/// The most payload bytes a batch of several messages holds (a single message may be larger). A
/// payload the Swift layer wraps without copying keeps its whole batch alive, so this bounds what
/// one kept message can hold on to.
const BATCH_BYTES: usize = 1 << 20;

/// Bytes per frame in the directory: kind, length, address.
const ENTRY: usize = 1 + 4 + 8;

/// Bytes before the first entry: the number of frames.
const HEADER: usize = 4;

/// Messages taken from a session at once, held where the bindings can read them (see the
/// module's documentation). The payloads are never read or changed from Rust while the batch
/// lives; those marked [`OWNED`] are in memory nothing else shares, so the bindings may give them
/// to the application as its own, to read or even to write, as long as they keep the batch alive
/// until it is done with them. The others the bindings may only read.
#[derive(uniffi::Object)]
pub(crate) struct ReceivedBatch {
    /// The payloads, only ever dropped: the directory points into them.
    payloads: Vec<Held>,
    directory: Vec<u8>,
}

/// A payload as a batch holds it.
enum Held {
    /// Memory that may be shared (a pooled read buffer, a payload handed back): read only.
    Shared(Bytes),
    /// Memory of the batch's own.
    Owned(Vec<u8>),
}

impl ReceivedBatch {
    /// Holds frames from the front of `frames`, in order, while their payloads fit in
    /// [`BATCH_BYTES`] (the first always); returns the batch and the frames left over.
    pub(crate) fn hold(frames: Vec<Frame>) -> (Self, Vec<Frame>) {
        let mut payloads = Vec::new();
        let mut directory = vec![0; HEADER];
        let mut held = 0;
        let mut frames = frames.into_iter().peekable();
        while let Some(frame) =
            frames.next_if(|frame| payloads.is_empty() || held + frame.payload_len() <= BATCH_BYTES)
        {
            held += frame.payload_len();
            let (kind, payload) = into_payload(frame);
            let mut payload = match payload {
                // Nothing else shares it: taken over without a copy.
                Held::Shared(bytes)
                    if kind == BINARY && bytes.len() >= OWNED_MIN && bytes.is_unique() =>
                {
                    Held::Owned(Vec::from(bytes))
                }
                other => other,
            };
            let (kind, length, address) = match &mut payload {
                Held::Shared(bytes) => (kind, bytes.len(), bytes.as_ptr() as u64),
                Held::Owned(owned) => (kind | OWNED, owned.len(), owned.as_mut_ptr() as u64),
            };
            let length = u32::try_from(length)
                .expect("received messages are at most MESSAGE_SIZE_CEILING, below 4 GiB");
            directory.reserve(ENTRY);
            directory.put_u8(kind);
            directory.put_u32_le(length);
            // Moving the payload into `payloads` leaves its heap memory where it is.
            directory.put_u64_le(address);
            payloads.push(payload);
        }
        let count = u32::try_from(payloads.len()).expect("a batch holds at most u32::MAX frames");
        directory[..HEADER].copy_from_slice(&count.to_le_bytes());
        let batch = ReceivedBatch {
            payloads,
            directory,
        };
        (batch, frames.collect())
    }
}

#[cfg(test)]
impl ReceivedBatch {
    /// The number of frames, then where each frame's payload is, in order (see the module's
    /// documentation for the layout). The addresses stay valid while this batch lives.
    pub(crate) fn directory(&self) -> &[u8] {
        &self.directory
    }
}

#[uniffi::export]
impl ReceivedBatch {
    /// The address of the [`directory`](Self::directory), which the bindings read in place while
    /// they hold the batch (its first 4 bytes say how many entries follow): one call and no copy
    /// per batch, where returning the directory would allocate and copy it twice.
    fn directory_address(&self) -> u64 {
        self.directory.as_ptr() as u64
    }

    /// How many frames the batch holds.
    pub(crate) fn count(&self) -> u32 {
        u32::try_from(self.payloads.len()).unwrap_or(u32::MAX)
    }
}

/// `frame`'s kind and payload, without copying a message's payload.
fn into_payload(frame: Frame) -> (u8, Held) {
    match frame {
        Frame::Text { text } => (TEXT, Held::Owned(text.into_bytes())),
        Frame::Binary { data } => (BINARY, Held::Shared(data)),
        Frame::Ping { data } => (PING, Held::Shared(data)),
        Frame::Pong { data } => (PONG, Held::Shared(data)),
        Frame::Close { reason: None } => (CLOSE, Held::Owned(Vec::new())),
        Frame::Close {
            reason: Some(reason),
        } => {
            let mut payload = Vec::with_capacity(2 + reason.message.len());
            payload.put_u16(reason.code);
            payload.put_slice(reason.message.as_bytes());
            (CLOSE, Held::Owned(payload))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::CloseReason;

    /// Reads a batch back the way the Swift layer does, from the addresses in its directory.
    fn read(batch: &ReceivedBatch) -> Vec<Frame> {
        let directory = batch.directory();
        assert_eq!(directory[..HEADER], batch.count().to_le_bytes());
        assert_eq!(directory.len(), HEADER + ENTRY * batch.count() as usize);
        directory[HEADER..]
            .chunks(ENTRY)
            .map(|entry| {
                let length = u32::from_le_bytes(entry[1..5].try_into().unwrap()) as usize;
                let address = u64::from_le_bytes(entry[5..13].try_into().unwrap());
                // SAFETY: `batch` is alive and holds `length` bytes at `address`.
                let payload =
                    unsafe { std::slice::from_raw_parts(address as usize as *const u8, length) };
                match entry[0] & !OWNED {
                    TEXT => Frame::text(std::str::from_utf8(payload).unwrap()),
                    BINARY => Frame::binary(payload.to_vec()),
                    PING => Frame::Ping {
                        data: Bytes::copy_from_slice(payload),
                    },
                    PONG => Frame::Pong {
                        data: Bytes::copy_from_slice(payload),
                    },
                    CLOSE => Frame::Close {
                        reason: (length >= 2).then(|| {
                            CloseReason::new(
                                u16::from_be_bytes([payload[0], payload[1]]),
                                std::str::from_utf8(&payload[2..]).unwrap(),
                            )
                        }),
                    },
                    other => panic!("unknown kind {other}"),
                }
            })
            .collect()
    }

    #[test]
    fn every_kind_of_frame_reads_back_in_order() {
        let frames = vec![
            Frame::text("héllo"),
            Frame::binary(vec![0, 1, 2, 255]),
            Frame::text(""),
            Frame::binary(Vec::new()),
            Frame::Ping {
                data: Bytes::from_static(b"p"),
            },
            Frame::Pong { data: Bytes::new() },
            Frame::Close {
                reason: Some(CloseReason::new(CloseReason::GOING_AWAY, "bye")),
            },
            Frame::Close { reason: None },
        ];
        let (batch, rest) = ReceivedBatch::hold(frames.clone());
        assert!(rest.is_empty());
        let directory = &batch.directory()[HEADER..];
        assert_eq!(
            directory[0],
            TEXT | OWNED,
            "a string's bytes are the batch's own"
        );
        assert_eq!(directory[13], BINARY, "a small binary payload is only read");
        assert_eq!(
            &directory[1..5],
            &6u32.to_le_bytes(),
            "length in bytes, little-endian"
        );
        assert_eq!(read(&batch), frames);
    }

    #[test]
    fn payloads_are_read_where_they_are_and_large_unshared_ones_are_the_batchs_own() {
        let address = |batch: &ReceivedBatch, index: usize| {
            let entry = &batch.directory()[HEADER + index * ENTRY..][..ENTRY];
            (
                entry[0],
                u64::from_le_bytes(entry[5..13].try_into().unwrap()),
            )
        };
        // A large payload nothing else shares is taken over, not copied.
        let alone = Bytes::from(vec![5u8; OWNED_MIN]);
        let alone_at = alone.as_ptr() as u64;
        // One that shares its memory (as pooled read buffers do) is only read, where it is.
        let pooled = Bytes::from(vec![6u8; 2 * OWNED_MIN]);
        let shared = pooled.slice(..OWNED_MIN);
        let shared_at = shared.as_ptr() as u64;
        // A small one stays where it is, to be read.
        let small = pooled.slice(OWNED_MIN..OWNED_MIN + 10);
        let small_at = small.as_ptr() as u64;
        let frames = [alone, shared, small].map(|data| Frame::Binary { data });
        let expected = frames
            .iter()
            .map(|frame| match frame {
                Frame::Binary { data } => Frame::binary(data.to_vec()),
                other => other.clone(),
            })
            .collect::<Vec<_>>();
        let (batch, _) = ReceivedBatch::hold(frames.into());
        assert_eq!(address(&batch, 0), (BINARY | OWNED, alone_at));
        assert_eq!(
            address(&batch, 1),
            (BINARY, shared_at),
            "shared memory was handed over as the batch's own"
        );
        assert_eq!(address(&batch, 2), (BINARY, small_at));
        assert_eq!(read(&batch), expected);
        drop(pooled);
    }

    #[test]
    fn a_batch_holds_a_megabyte_at_most_but_always_the_first_message() {
        let big = Frame::binary(vec![7; BATCH_BYTES + 1]);
        let (batch, rest) = ReceivedBatch::hold(vec![big.clone(), Frame::text("next")]);
        assert_eq!(read(&batch), std::slice::from_ref(&big));
        assert_eq!(rest, [Frame::text("next")]);

        // A large message after a small one waits for the next batch.
        let (batch, rest) = ReceivedBatch::hold(vec![Frame::text("first"), big.clone()]);
        assert_eq!(read(&batch), [Frame::text("first")]);
        assert_eq!(rest, [big]);

        let quarter = Frame::binary(vec![1; BATCH_BYTES / 4]);
        let (batch, rest) = ReceivedBatch::hold(vec![quarter.clone(); 6]);
        assert_eq!(batch.count(), 4, "four fill the batch exactly");
        assert_eq!(read(&batch).len(), 4);
        assert_eq!(rest.len(), 2);
    }

    #[test]
    fn an_empty_batch_has_an_empty_directory() {
        let (batch, rest) = ReceivedBatch::hold(Vec::new());
        assert_eq!(batch.count(), 0);
        assert_eq!(
            batch.directory(),
            [0; HEADER],
            "a count of none and no entries"
        );
        assert_eq!(batch.directory_address(), batch.directory().as_ptr() as u64);
        assert!(rest.is_empty());
    }
}
