//! The permessage-deflate transforms (RFC 7692 section 7.2): raw DEFLATE with a sync flush per
//! message, the trailing `00 00 ff ff` left off on the wire and put back to inflate. Each side's
//! zlib state is made on first use, so a session that never compresses costs nothing.

use bytes::Bytes;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::deflate::Parameters;
use super::{ReceiveTransform, SendTransform};
use crate::config::DeflateConfig;
use crate::protocol::Violation;

/// What a sync flush ends with; the sender leaves it off and the receiver puts it back.
const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// zlib's raw deflate cannot compress with an 8-bit window, and an inflater of 9 bits reads
/// everything an 8-bit one can.
const ZLIB_MIN_WINDOW_BITS: u8 = 9;

/// The inflated output grows from this size (or the input's), doubling, up to the limit.
const INFLATE_START: usize = 4 << 10;

/// The transforms for the parameters agreed on.
pub(super) fn transforms(parameters: &Parameters, config: &DeflateConfig) -> (Inflater, Deflater) {
    let inflater = Inflater {
        state: None,
        window_bits: parameters.server_max_window_bits.max(ZLIB_MIN_WINDOW_BITS),
        reset_each_message: parameters.server_no_context_takeover,
    };
    let deflater = Deflater {
        state: None,
        // With an 8-bit window allowed, we send uncompressed (permitted for any message).
        enabled: parameters.client_max_window_bits >= ZLIB_MIN_WINDOW_BITS,
        window_bits: parameters.client_max_window_bits,
        level: Compression::new(u32::from(config.compression_level.min(9))),
        threshold: config.compress_if_bigger_than,
        reset_each_message: parameters.client_no_context_takeover,
    };
    (inflater, deflater)
}

/// Inflates received messages that arrived compressed.
pub(super) struct Inflater {
    state: Option<Decompress>,
    window_bits: u8,
    reset_each_message: bool,
}

impl ReceiveTransform for Inflater {
    fn decode(&mut self, compressed: &[u8], limit: u64) -> Result<Bytes, Violation> {
        let window_bits = self.window_bits;
        let state = self
            .state
            .get_or_insert_with(|| Decompress::new_with_window_bits(false, window_bits));
        // The output never holds more than `limit + 1` bytes: one more proves the message too big.
        let ceiling = usize::try_from(limit).unwrap_or(usize::MAX - 1) + 1;
        let start = compressed.len().saturating_mul(2).max(INFLATE_START);
        let mut out = Vec::with_capacity(start.min(ceiling));
        let mut ended = false;
        for mut input in [compressed, &TAIL[..]] {
            while !ended {
                if out.len() == out.capacity() {
                    if out.len() >= ceiling {
                        self.state = None;
                        return Err(too_big(limit));
                    }
                    out.reserve_exact(out.len().min(ceiling - out.len()));
                }
                let before = state.total_in();
                let status = state
                    .decompress_vec(input, &mut out, FlushDecompress::Sync)
                    .map_err(|error| {
                        Violation::Protocol(format!(
                            "a compressed message does not inflate: {error}"
                        ))
                    });
                let status = match status {
                    Ok(status) => status,
                    Err(violation) => {
                        self.state = None;
                        return Err(violation);
                    }
                };
                input = &input[(state.total_in() - before) as usize..];
                // A block marked final ends the stream: the next message starts a new one.
                ended = status == Status::StreamEnd;
                if input.is_empty() && out.len() < out.capacity() {
                    break;
                }
            }
        }
        if out.len() as u64 > limit {
            self.state = None;
            return Err(too_big(limit));
        }
        if ended || self.reset_each_message {
            state.reset(false);
        }
        Ok(Bytes::from(out))
    }
}

fn too_big(limit: u64) -> Violation {
    Violation::TooBig(format!(
        "a compressed message inflates to more than {limit} bytes"
    ))
}

/// Compresses sent data messages larger than the configured threshold.
pub(super) struct Deflater {
    state: Option<Compress>,
    enabled: bool,
    window_bits: u8,
    level: Compression,
    threshold: u32,
    reset_each_message: bool,
}

impl SendTransform for Deflater {
    fn encode(&mut self, payload: &[u8], out: &mut Vec<u8>) -> bool {
        if !self.enabled || payload.len() as u64 <= u64::from(self.threshold) {
            return false;
        }
        let (level, window_bits) = (self.level, self.window_bits);
        let state = self
            .state
            .get_or_insert_with(|| Compress::new_with_window_bits(level, false, window_bits));
        out.reserve(payload.len() / 2 + 64);
        let mut input = payload;
        loop {
            if out.len() == out.capacity() {
                out.reserve(out.capacity());
            }
            let before = state.total_in();
            if state.compress_vec(input, out, FlushCompress::Sync).is_err() {
                // Only misuse makes zlib fail; start afresh and send this one as it is.
                self.state = None;
                out.clear();
                return false;
            }
            input = &input[(state.total_in() - before) as usize..];
            if input.is_empty() && out.len() < out.capacity() {
                break;
            }
        }
        debug_assert!(
            out.ends_with(&TAIL),
            "a sync flush ends with its empty block"
        );
        out.truncate(out.len().saturating_sub(TAIL.len()));
        if self.reset_each_message {
            state.reset();
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(parameters: &Parameters) -> (Inflater, Deflater) {
        transforms(parameters, &DeflateConfig::default())
    }

    fn agreed(answer: &[(&str, Option<&str>)]) -> Parameters {
        let answer = super::super::tests::parameters(answer);
        super::super::deflate::accept(&answer, &DeflateConfig::default()).unwrap()
    }

    fn round_trip(deflater: &mut Deflater, inflater: &mut Inflater, message: &[u8]) -> usize {
        let mut wire = Vec::new();
        assert!(deflater.encode(message, &mut wire));
        let inflated = inflater.decode(&wire, 1 << 20).unwrap();
        assert_eq!(&inflated[..], message);
        wire.len()
    }

    /// The RFC's own example: "Hello" compressed, in one and in two messages with context
    /// takeover (the second refers back to the first).
    #[test]
    fn the_rfc_examples_inflate() {
        let (mut inflater, _) = pair(&agreed(&[]));
        let hello = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
        assert_eq!(&inflater.decode(&hello, 100).unwrap()[..], b"Hello");
        let again = [0xf2, 0x00, 0x11, 0x00, 0x00];
        assert_eq!(&inflater.decode(&again, 100).unwrap()[..], b"Hello");
        // A block marked final ends the stream, and the next message starts another.
        let (mut inflater, _) = pair(&agreed(&[]));
        let final_block = [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
        assert_eq!(&inflater.decode(&final_block, 100).unwrap()[..], b"Hello");
        assert_eq!(&inflater.decode(&hello, 100).unwrap()[..], b"Hello");
    }

    #[test]
    fn context_takeover_shrinks_repeated_messages_unless_refused() {
        let message = br#"{"type":"quote","symbol":"ACME","bid":101.25,"ask":101.5}"#;
        let (mut inflater, mut deflater) = pair(&agreed(&[]));
        let first = round_trip(&mut deflater, &mut inflater, message);
        let second = round_trip(&mut deflater, &mut inflater, message);
        assert!(second < first / 2, "{second} bytes against {first}");

        let none = agreed(&[
            ("client_no_context_takeover", None),
            ("server_no_context_takeover", None),
        ]);
        let (mut inflater, mut deflater) = pair(&none);
        let first = round_trip(&mut deflater, &mut inflater, message);
        let second = round_trip(&mut deflater, &mut inflater, message);
        assert_eq!(second, first, "each message compressed on its own");
    }

    #[test]
    fn small_windows_large_and_empty_messages_round_trip() {
        let small = agreed(&[
            ("client_max_window_bits", Some("9")),
            ("server_max_window_bits", Some("9")),
        ]);
        let (mut inflater, mut deflater) = pair(&small);
        let large: Vec<u8> = (0..300_000u32)
            .map(|i| (i % 251) as u8 ^ (i / 7) as u8)
            .collect();
        round_trip(&mut deflater, &mut inflater, &large);
        // Empty messages are never compressed (not bigger than any threshold); the RFC's
        // empty block from a server inflates to nothing.
        assert!(!deflater.encode(b"", &mut Vec::new()));
        assert!(inflater.decode(&[0x00], 10).unwrap().is_empty());
        // An 8-bit window is one zlib cannot compress with: messages go out as they are.
        let (_, mut eight) = pair(&agreed(&[("client_max_window_bits", Some("8"))]));
        assert!(!eight.encode(b"some text", &mut Vec::new()));
    }

    #[test]
    fn the_threshold_leaves_small_messages_alone() {
        let config = DeflateConfig {
            compress_if_bigger_than: 16,
            ..DeflateConfig::default()
        };
        let (_, mut deflater) = transforms(&agreed(&[]), &config);
        assert!(!deflater.encode(&[1; 16], &mut Vec::new()));
        assert!(deflater.encode(&[1; 17], &mut Vec::new()));
    }

    /// A bomb (64 MiB of zeros in about 64 KiB) fails as soon as the output passes the limit,
    /// having allocated at most the limit and one byte.
    #[test]
    fn a_decompression_bomb_stops_at_the_limit() {
        let (_, mut deflater) = pair(&agreed(&[]));
        let zeros = vec![0u8; 64 << 20];
        let mut bomb = Vec::new();
        assert!(deflater.encode(&zeros, &mut bomb));
        assert!(bomb.len() < 128 << 10, "{} bytes", bomb.len());
        let (mut inflater, _) = pair(&agreed(&[]));
        match inflater.decode(&bomb, 1 << 20) {
            Err(Violation::TooBig(detail)) => assert!(detail.contains("1048576"), "{detail}"),
            other => panic!("{other:?}"),
        }
        // The inflater starts afresh: a valid message inflates after the bomb.
        let (_, mut deflater) = pair(&agreed(&[]));
        round_trip(&mut deflater, &mut inflater, b"after the bomb");
    }

    #[test]
    fn corrupt_input_is_a_protocol_violation() {
        let (mut inflater, _) = pair(&agreed(&[]));
        assert!(matches!(
            inflater.decode(&[0xff, 0xff, 0xff, 0xff], 100),
            Err(Violation::Protocol(_))
        ));
    }
}
