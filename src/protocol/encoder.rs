//! Encoding outgoing frames: one final, masked frame per message.

use tokio_tungstenite::tungstenite::protocol::frame::coding::{Control, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;

use super::mask::{extend_masked, random_mask};
use crate::frame::{CloseReason, Frame};

/// The largest control frame payload (RFC 6455 section 5.5).
pub(crate) const MAX_CONTROL_PAYLOAD: usize = 125;

/// Payloads at least this large are masked into a buffer of their own (from `large_buffer`) and
/// written after the batch buffer, instead of growing it.
const COPY_THRESHOLD: usize = 16 << 10;

/// What the encoder turns into one final, masked frame: a [`Frame`] the application handed over,
/// or a [`Borrowed`] message whose payload is only read for the length of the send.
pub(crate) trait Encode {
    /// Appends the frame to `out`. A large payload is masked into an empty buffer with room for
    /// it, taken from `large_buffer`, and handed back, to be written right after `out`.
    fn encode_into(
        self,
        out: &mut Vec<u8>,
        large_buffer: impl FnOnce(usize) -> Vec<u8>,
    ) -> Option<Vec<u8>>;

    /// Whether this is a close frame (which only the closing path may queue).
    fn is_close(&self) -> bool;

    /// A data message's payload and whether it is text, for an extension to transform; `None`
    /// for control frames, which are never transformed.
    fn data(&self) -> Option<(bool, &[u8])>;
}

impl Encode for Frame {
    fn encode_into(
        self,
        out: &mut Vec<u8>,
        large_buffer: impl FnOnce(usize) -> Vec<u8>,
    ) -> Option<Vec<u8>> {
        encode_frame(self, out, large_buffer)
    }

    fn is_close(&self) -> bool {
        matches!(self, Frame::Close { .. })
    }

    fn data(&self) -> Option<(bool, &[u8])> {
        match self {
            Frame::Text { text } => Some((true, text.as_bytes())),
            Frame::Binary { data } => Some((false, data)),
            _ => None,
        }
    }
}

/// A message whose payload stays in the sender's memory: it is masked straight from there into
/// the outbox, the one copy a client's frame needs. The bindings send from foreign memory this
/// way, without first copying the payload into a buffer of the core's.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Borrowed<'a> {
    /// A text message.
    Text(&'a str),
    /// A binary message.
    Binary(&'a [u8]),
}

impl Encode for Borrowed<'_> {
    fn encode_into(
        self,
        out: &mut Vec<u8>,
        large_buffer: impl FnOnce(usize) -> Vec<u8>,
    ) -> Option<Vec<u8>> {
        let (opcode, payload) = match self {
            Borrowed::Text(text) => (OpCode::Data(Data::Text), text.as_bytes()),
            Borrowed::Binary(data) => (OpCode::Data(Data::Binary), data),
        };
        encode_payload(opcode, false, payload, out, large_buffer)
    }

    fn is_close(&self) -> bool {
        false
    }

    fn data(&self) -> Option<(bool, &[u8])> {
        Some(match self {
            Borrowed::Text(text) => (true, text.as_bytes()),
            Borrowed::Binary(data) => (false, data),
        })
    }
}

/// Appends a data message whose payload an extension transformed: RSV1 set. A large payload is
/// handed back as in [`Encode::encode_into`].
pub(crate) fn encode_transformed(
    text: bool,
    payload: &[u8],
    out: &mut Vec<u8>,
    large_buffer: impl FnOnce(usize) -> Vec<u8>,
) -> Option<Vec<u8>> {
    let opcode = OpCode::Data(if text { Data::Text } else { Data::Binary });
    encode_payload(opcode, true, payload, out, large_buffer)
}

/// Appends `frame` to `out`. A large payload is masked into an empty buffer with room for it,
/// taken from `large_buffer`, and handed back, to be written right after `out`.
fn encode_frame(
    frame: Frame,
    out: &mut Vec<u8>,
    large_buffer: impl FnOnce(usize) -> Vec<u8>,
) -> Option<Vec<u8>> {
    let (opcode, payload) = match &frame {
        Frame::Text { text } => (OpCode::Data(Data::Text), text.as_bytes()),
        Frame::Binary { data } => (OpCode::Data(Data::Binary), &data[..]),
        Frame::Ping { data } => (OpCode::Control(Control::Ping), &data[..]),
        Frame::Pong { data } => (OpCode::Control(Control::Pong), &data[..]),
        Frame::Close { reason } => {
            encode_close(reason.as_ref(), out);
            return None;
        }
    };
    encode_payload(opcode, false, payload, out, large_buffer)
}

/// Appends a close frame carrying `reason` (or nothing) to `out`.
pub(crate) fn encode_close(reason: Option<&CloseReason>, out: &mut Vec<u8>) {
    let mut payload = Vec::new();
    if let Some(reason) = reason {
        payload.extend_from_slice(&reason.code.to_be_bytes());
        payload.extend_from_slice(reason.message.as_bytes());
    }
    encode_payload(
        OpCode::Control(Control::Close),
        false,
        &payload,
        out,
        Vec::with_capacity,
    );
}

fn encode_payload(
    opcode: OpCode,
    rsv1: bool,
    payload: &[u8],
    out: &mut Vec<u8>,
    large_buffer: impl FnOnce(usize) -> Vec<u8>,
) -> Option<Vec<u8>> {
    let mask = random_mask();
    let header = FrameHeader {
        is_final: true,
        rsv1,
        rsv2: false,
        rsv3: false,
        opcode,
        mask: Some(mask),
    };
    let length = payload.len() as u64;
    header
        .format(length, out)
        .expect("writing a frame header into a Vec cannot fail");
    if payload.len() >= COPY_THRESHOLD {
        // Copied, so that the caller's buffer is freed where the caller dropped it and the
        // session's buffers are reused (see `Outbox`).
        let mut masked = large_buffer(payload.len());
        extend_masked(&mut masked, payload, mask);
        Some(masked)
    } else {
        extend_masked(out, payload, mask);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::mask::apply_mask;
    use super::*;

    #[test]
    fn small_text_is_masked_inline() {
        let mut out = Vec::new();
        assert!(encode_frame(Frame::text("Hello"), &mut out, Vec::with_capacity).is_none());
        assert_eq!(out[0], 0x81);
        assert_eq!(out[1], 0x80 | 5);
        let mask = [out[2], out[3], out[4], out[5]];
        let mut payload = out[6..].to_vec();
        apply_mask(&mut payload, mask);
        assert_eq!(payload, b"Hello");
    }

    #[test]
    fn large_binary_is_handed_back() {
        let mut out = Vec::new();
        let data = vec![7u8; 70_000];
        let payload = encode_frame(Frame::binary(data.clone()), &mut out, Vec::with_capacity)
            .expect("large payload");
        assert_eq!(out.len(), 2 + 8 + 4);
        assert_eq!(out[1], 0x80 | 127);
        let mut unmasked = payload;
        apply_mask(&mut unmasked, [out[10], out[11], out[12], out[13]]);
        assert_eq!(unmasked, data);
    }
}
