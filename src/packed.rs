//! A batch of received messages packed into one byte string, for the Swift layer's receive loop.
//!
//! UniFFI's generated Swift reads a list of frames field by field through generic, unspecialised
//! code: lifting a batch of 32-byte messages took more CPU than the rest of their receive path.
//! Packed, the batch crosses as one `bytes` value and the Swift layer takes the messages out with
//! plain memory reads.
//!
//! The format, repeated for each frame in order: one byte for the kind (the frame's RFC 6455
//! opcode: [`TEXT`], [`BINARY`], [`CLOSE`], [`PING`] or [`PONG`]), the payload's length as a
//! 4-byte little-endian integer, then the payload: UTF-8 for text; for a close frame the code as a
//! 2-byte big-endian integer followed by the UTF-8 message, or nothing when there is no reason.
//! Received messages are only ever text and binary; the other kinds appear only if a binding
//! handed them back through `return_unread`.

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

/// The most bytes a batch holds, unless its first message alone is larger (it always holds the
/// first).
const BATCH_BYTES: usize = 1 << 20;

/// Bytes before each payload: the kind and the length.
const PREFIX: usize = 1 + 4;

/// Packs frames from the front of `frames`, in order, while they fit in [`BATCH_BYTES`] (the first
/// always); returns the packed batch and the frames left over.
///
/// A batch crosses the FFI as one byte string, whose length must fit in 31 bits: received
/// messages are at most [`MESSAGE_SIZE_CEILING`](crate::MESSAGE_SIZE_CEILING), so a batch of one
/// message fits, and a batch of several holds at most 1 MiB.
pub(crate) fn pack(frames: Vec<Frame>) -> (Bytes, Vec<Frame>) {
    let mut packed = Vec::new();
    let mut frames = frames.into_iter().peekable();
    while let Some(frame) = frames.next_if(|frame| {
        packed.is_empty() || packed.len() + PREFIX + packed_size(frame) <= BATCH_BYTES
    }) {
        let code;
        let (kind, head, payload): (u8, &[u8], &[u8]) = match &frame {
            Frame::Text { text } => (TEXT, &[], text.as_bytes()),
            Frame::Binary { data } => (BINARY, &[], data),
            Frame::Ping { data } => (PING, &[], data),
            Frame::Pong { data } => (PONG, &[], data),
            Frame::Close { reason: None } => (CLOSE, &[], &[]),
            Frame::Close {
                reason: Some(reason),
            } => {
                code = reason.code.to_be_bytes();
                (CLOSE, &code, reason.message.as_bytes())
            }
        };
        put(&mut packed, kind, head, payload);
    }
    (Bytes::from(packed), frames.collect())
}

/// The bytes `frame` takes in a batch after its prefix.
fn packed_size(frame: &Frame) -> usize {
    match frame {
        Frame::Text { text } => text.len(),
        Frame::Binary { data } | Frame::Ping { data } | Frame::Pong { data } => data.len(),
        Frame::Close { reason: None } => 0,
        Frame::Close {
            reason: Some(reason),
        } => 2 + reason.message.len(),
    }
}

/// Appends one frame: `kind`, the length of `head` and `payload` together, then both.
fn put(packed: &mut Vec<u8>, kind: u8, head: &[u8], payload: &[u8]) {
    let length = u32::try_from(head.len() + payload.len())
        .expect("received messages are at most MESSAGE_SIZE_CEILING, below 4 GiB");
    packed.reserve(PREFIX + head.len() + payload.len());
    packed.put_u8(kind);
    packed.put_u32_le(length);
    packed.put_slice(head);
    packed.put_slice(payload);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::CloseReason;

    /// Reads a packed batch back the way the Swift layer does.
    fn unpack(mut packed: &[u8]) -> Vec<Frame> {
        let mut frames = Vec::new();
        while !packed.is_empty() {
            let kind = packed[0];
            let length = u32::from_le_bytes(packed[1..5].try_into().unwrap()) as usize;
            let payload = &packed[PREFIX..PREFIX + length];
            frames.push(match kind {
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
            });
            packed = &packed[PREFIX + length..];
        }
        frames
    }

    #[test]
    fn every_kind_of_frame_round_trips_in_order() {
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
        let (packed, rest) = pack(frames.clone());
        assert!(rest.is_empty());
        assert_eq!(packed[0], TEXT);
        assert_eq!(
            &packed[1..5],
            &6u32.to_le_bytes(),
            "length in bytes, little-endian"
        );
        assert_eq!(unpack(&packed), frames);
    }

    #[test]
    fn a_batch_holds_a_megabyte_at_most_but_always_the_first_message() {
        let big = Frame::binary(vec![7; BATCH_BYTES + 1]);
        let (packed, rest) = pack(vec![big.clone(), Frame::text("next")]);
        assert_eq!(unpack(&packed), std::slice::from_ref(&big));
        assert_eq!(rest, [Frame::text("next")]);

        // A large message after a small one waits for the next batch: a batch of several messages
        // never grows past 1 MiB (and never past what the FFI's 31-bit lengths can carry).
        let (packed, rest) = pack(vec![Frame::text("first"), big.clone()]);
        assert_eq!(unpack(&packed), [Frame::text("first")]);
        assert_eq!(rest, [big]);

        let quarter = Frame::binary(vec![1; BATCH_BYTES / 4 - PREFIX]);
        let (packed, rest) = pack(vec![quarter.clone(); 6]);
        assert_eq!(packed.len(), BATCH_BYTES, "four fill the batch exactly");
        assert_eq!(unpack(&packed).len(), 4);
        assert_eq!(rest.len(), 2);
    }
}
