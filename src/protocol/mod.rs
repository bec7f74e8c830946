//! The WebSocket framing engine: our own message loop over tungstenite's frame header type.
//!
//! tungstenite reads whole frames before looking at them and has no hook for extensions, so uniws
//! decodes incrementally: limits are checked from the frame header, text is validated as it arrives
//! (failing fast on invalid UTF-8), and an extension's transform (`crate::extensions`) applies to whole
//! messages between the decoder and the session, and before the encoder.

mod decoder;
mod encoder;
mod mask;
#[cfg(test)]
pub(crate) use mask::apply_mask;
mod utf8;

#[cfg(feature = "fuzzing")]
pub(crate) use decoder::parse_close;
pub(crate) use decoder::{Decoder, Event, Violation};
pub(crate) use encoder::{encode_close, encode_transformed, Borrowed, Encode, MAX_CONTROL_PAYLOAD};
#[cfg(feature = "fuzzing")]
pub(crate) use utf8::Utf8Validator;
