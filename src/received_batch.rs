//! Received messages handed to the Swift layer in place: one object holds a batch of them, and the
//! Swift layer reads each payload straight from the memory the reader filled.
//!
//! Through UniFFI's generated code a received payload is copied three times on its way to a Swift
//! `Data` (into the serialized frames, into a zero-filled Swift array, then into the `Data`), each
//! time into freshly allocated memory; the packed byte string this replaced took five. Here a
//! [`ReceivedBatch`] keeps the payloads, its [`directory`](ReceivedBatch::directory) says where
//! each one is, and the Swift layer copies a small payload once or wraps a large one without any
//! copy, keeping the batch alive for as long as that `Data` lives.
//!
//! The directory holds, for each frame in order: its kind (one byte, the frame's RFC 6455 opcode:
//! [`TEXT`], [`BINARY`], [`CLOSE`], [`PING`] or [`PONG`]), its payload's length (4 bytes,
//! little-endian) and its payload's address (8 bytes, little-endian). A text payload is UTF-8; a
//! close frame's is its code (2 bytes, big-endian) followed by the UTF-8 message, or nothing when
//! there is no reason. Received messages are only ever text and binary; the other kinds appear only
//! if a binding handed them back through `return_unread`.

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

/// The most payload bytes a batch of several messages holds (a single message may be larger). A
/// payload the Swift layer wraps without copying keeps its whole batch alive, so this bounds what
/// one kept message can hold on to.
const BATCH_BYTES: usize = 1 << 20;

/// Bytes per frame in the directory: kind, length, address.
const ENTRY: usize = 1 + 4 + 8;

/// Messages taken from a session at once, held where the bindings can read them (see the
/// module's documentation). The payloads are never read or changed from Rust while the batch
/// lives, so the bindings may give a payload's memory to the application as its own, to read or
/// even to write, as long as they keep the batch alive until it is done with it.
#[derive(uniffi::Object)]
pub struct ReceivedBatch {
    /// The payloads, only ever dropped: the directory points into them.
    payloads: Vec<Vec<u8>>,
    directory: Bytes,
}

impl ReceivedBatch {
    /// Holds frames from the front of `frames`, in order, while their payloads fit in
    /// [`BATCH_BYTES`] (the first always); returns the batch and the frames left over.
    pub(crate) fn hold(frames: Vec<Frame>) -> (Self, Vec<Frame>) {
        let mut payloads = Vec::new();
        let mut directory = Vec::new();
        let mut held = 0;
        let mut frames = frames.into_iter().peekable();
        while let Some(frame) =
            frames.next_if(|frame| payloads.is_empty() || held + payload_size(frame) <= BATCH_BYTES)
        {
            held += payload_size(&frame);
            let (kind, mut payload) = into_payload(frame);
            let length = u32::try_from(payload.len())
                .expect("received messages are at most MESSAGE_SIZE_CEILING, below 4 GiB");
            directory.reserve(ENTRY);
            directory.put_u8(kind);
            directory.put_u32_le(length);
            // Moving the vector into `payloads` leaves its heap memory where it is.
            directory.put_u64_le(payload.as_mut_ptr() as u64);
            payloads.push(payload);
        }
        let batch = ReceivedBatch {
            payloads,
            directory: Bytes::from(directory),
        };
        (batch, frames.collect())
    }
}

#[uniffi::export]
impl ReceivedBatch {
    /// Where each frame's payload is, in order (see the module's documentation for the layout).
    /// The addresses stay valid while this batch lives.
    pub fn directory(&self) -> Bytes {
        self.directory.clone()
    }

    /// How many frames the batch holds.
    pub fn count(&self) -> u32 {
        u32::try_from(self.payloads.len()).unwrap_or(u32::MAX)
    }
}

/// The bytes of `frame`'s payload as held (see [`into_payload`]).
fn payload_size(frame: &Frame) -> usize {
    match frame {
        Frame::Text { text } => text.len(),
        Frame::Binary { data } | Frame::Ping { data } | Frame::Pong { data } => data.len(),
        Frame::Close { reason: None } => 0,
        Frame::Close {
            reason: Some(reason),
        } => 2 + reason.message.len(),
    }
}

/// `frame`'s kind and payload, the payload taken over without a copy where the frame owns it
/// alone (as a received message does).
fn into_payload(frame: Frame) -> (u8, Vec<u8>) {
    match frame {
        Frame::Text { text } => (TEXT, text.into_bytes()),
        Frame::Binary { data } => (BINARY, Vec::from(data)),
        Frame::Ping { data } => (PING, Vec::from(data)),
        Frame::Pong { data } => (PONG, Vec::from(data)),
        Frame::Close { reason: None } => (CLOSE, Vec::new()),
        Frame::Close {
            reason: Some(reason),
        } => {
            let mut payload = Vec::with_capacity(2 + reason.message.len());
            payload.put_u16(reason.code);
            payload.put_slice(reason.message.as_bytes());
            (CLOSE, payload)
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
        assert_eq!(directory.len(), ENTRY * batch.count() as usize);
        directory
            .chunks(ENTRY)
            .map(|entry| {
                let length = u32::from_le_bytes(entry[1..5].try_into().unwrap()) as usize;
                let address = u64::from_le_bytes(entry[5..13].try_into().unwrap());
                // SAFETY: `batch` is alive and holds `length` bytes at `address`.
                let payload =
                    unsafe { std::slice::from_raw_parts(address as usize as *const u8, length) };
                match entry[0] {
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
        let directory = batch.directory();
        assert_eq!(directory[0], TEXT);
        assert_eq!(
            &directory[1..5],
            &6u32.to_le_bytes(),
            "length in bytes, little-endian"
        );
        assert_eq!(read(&batch), frames);
    }

    #[test]
    fn a_received_payload_is_held_where_the_reader_put_it() {
        let payload = vec![5u8; 64 << 10];
        let address = payload.as_ptr() as u64;
        let (batch, _) = ReceivedBatch::hold(vec![Frame::binary(payload)]);
        assert_eq!(
            &batch.directory()[5..13],
            &address.to_le_bytes(),
            "the payload was copied"
        );
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
        assert!(batch.directory().is_empty());
        assert!(rest.is_empty());
    }
}
