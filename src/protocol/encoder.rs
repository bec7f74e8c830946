//! Encoding outgoing frames: one final, masked frame per message.

use tokio_tungstenite::tungstenite::protocol::frame::coding::{Control, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;

use bytes::Bytes;

use super::mask::{apply_mask, random_mask};
use crate::frame::{CloseReason, Frame};

/// The largest control frame payload (RFC 6455 section 5.5).
pub(crate) const MAX_CONTROL_PAYLOAD: usize = 125;

/// Payloads at least this large are masked in place and written on their own instead of being
/// copied into the batch buffer.
const COPY_THRESHOLD: usize = 16 << 10;

/// Appends `frame` to `out`. A large payload is masked in place and handed back, to be written
/// right after `out`, saving a copy.
pub(crate) fn encode_frame(frame: Frame, out: &mut Vec<u8>) -> Option<Vec<u8>> {
    let (opcode, payload) = match frame {
        Frame::Text { text } => (OpCode::Data(Data::Text), Bytes::from(text.into_bytes())),
        Frame::Binary { data } => (OpCode::Data(Data::Binary), data),
        Frame::Ping { data } => (OpCode::Control(Control::Ping), data),
        Frame::Pong { data } => (OpCode::Control(Control::Pong), data),
        Frame::Close { reason } => {
            encode_close(reason.as_ref(), out);
            return None;
        }
    };
    encode_payload(opcode, payload, out)
}

/// Appends a close frame carrying `reason` (or nothing) to `out`.
pub(crate) fn encode_close(reason: Option<&CloseReason>, out: &mut Vec<u8>) {
    let mut payload = Vec::new();
    if let Some(reason) = reason {
        payload.extend_from_slice(&reason.code.to_be_bytes());
        payload.extend_from_slice(reason.message.as_bytes());
    }
    encode_payload(OpCode::Control(Control::Close), payload.into(), out);
}

fn encode_payload(opcode: OpCode, payload: Bytes, out: &mut Vec<u8>) -> Option<Vec<u8>> {
    let mask = random_mask();
    let header = FrameHeader {
        is_final: true,
        rsv1: false,
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
        // Takes the allocation over when the payload owns it alone (no copy), else copies once.
        let mut payload = Vec::from(payload);
        apply_mask(&mut payload, mask);
        Some(payload)
    } else {
        let start = out.len();
        out.extend_from_slice(&payload);
        apply_mask(&mut out[start..], mask);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_text_is_masked_inline() {
        let mut out = Vec::new();
        assert!(encode_frame(Frame::text("Hello"), &mut out).is_none());
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
        let payload = encode_frame(Frame::binary(data.clone()), &mut out).expect("large payload");
        assert_eq!(out.len(), 2 + 8 + 4);
        assert_eq!(out[1], 0x80 | 127);
        let mut unmasked = payload;
        apply_mask(&mut unmasked, [out[10], out[11], out[12], out[13]]);
        assert_eq!(unmasked, data);
    }
}
