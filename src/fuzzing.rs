//! Entry points for the coverage-guided fuzz targets in `fuzz/` (cargo feature `fuzzing`, off by
//! default; not part of the API). Each takes arbitrary bytes and panics only when an invariant
//! breaks, so that libFuzzer reports it.

use crate::config::DeflateConfig;
use crate::connect::handshake::{parse_head, validate_upgrade};
use crate::extensions;
use crate::frame::{CloseReason, Frame};
use crate::protocol::{parse_close, Decoder, Event, Utf8Validator};

/// Splits `input` into a control byte and the rest: the control byte decides where chunks end.
fn split(input: &[u8]) -> (u8, &[u8]) {
    match input.split_first() {
        Some((control, rest)) => (*control, rest),
        None => (0, &[]),
    }
}

/// The chunk lengths a control byte gives: 1 to 64 bytes, or everything at once for 0.
fn chunk_length(control: u8, remaining: usize) -> usize {
    match control % 65 {
        0 => remaining,
        length => usize::from(length).min(remaining),
    }
}

/// Runs the frame decoder over `input` as a server's byte stream arriving in chunks, through
/// both the buffered path and the direct-read path the reader uses for large payloads, with
/// small limits so that limit checks are reached, with permessage-deflate negotiated or not
/// (bit 1 of the control byte). Every event and violation must come without a panic, the
/// decoder must never claim more bytes than it was given, and no message may exceed the limit
/// (an inflated one included).
pub fn decode_frames(input: &[u8]) {
    const MAX_FRAME: u64 = 1 << 16;
    const MAX_MESSAGE: u64 = 1 << 18;
    let (control, stream) = split(input);
    let mut decoder = if control & 2 == 2 {
        let negotiated = extensions::accept(&["permessage-deflate"], &DeflateConfig::default())
            .expect("a plain answer is accepted");
        Decoder::with_transform(negotiated.receive)
    } else {
        Decoder::new()
    };
    let mut buffer: Vec<u8> = Vec::new();
    let mut offset = 0;
    while offset < stream.len() {
        let length = chunk_length(control.wrapping_add(offset as u8), stream.len() - offset);
        let chunk = &stream[offset..offset + length];
        offset += length;
        // Inside a payload, every other chunk goes straight into the message, as the reader does.
        if control & 1 == 1 {
            if let Some((payload, remaining)) = decoder.payload_destination() {
                let take = chunk
                    .len()
                    .min(usize::try_from(remaining).unwrap_or(usize::MAX));
                payload.extend_from_slice(&chunk[..take]);
                if decoder.payload_appended(take).is_err() {
                    return;
                }
                buffer.extend_from_slice(&chunk[take..]);
            } else {
                buffer.extend_from_slice(chunk);
            }
        } else {
            buffer.extend_from_slice(chunk);
        }
        loop {
            match decoder.decode(&buffer, MAX_FRAME, MAX_MESSAGE) {
                Ok((used, event)) => {
                    assert!(
                        used <= buffer.len(),
                        "the decoder used more than it was given"
                    );
                    buffer.drain(..used);
                    let Some(event) = event else { break };
                    if let Event::Message(Frame::Text { text }) = &event {
                        assert!(text.len() as u64 <= MAX_MESSAGE, "a text over the limit");
                    }
                    if let Event::Message(Frame::Binary { data }) = &event {
                        assert!(data.len() as u64 <= MAX_MESSAGE, "a message over the limit");
                    }
                }
                Err(_) => return,
            }
        }
    }
}

/// Parses `input` as an upgrade response head and checks it as a 101 answer to a fixed key and
/// the offer `chat`: errors are fine, panics are not.
pub fn parse_upgrade_response(input: &[u8]) {
    if let Ok(head) = parse_head(input) {
        let _ = validate_upgrade(&head, "dGhlIHNhbXBsZSBub25jZQ==", &["chat".to_owned()]);
    }
}

/// Validates `input` as UTF-8 arriving in chunks; the incremental validator must agree with
/// `std::str::from_utf8` on the whole, fail as soon as invalid bytes have arrived (not only at
/// the end of the message), and not fail before they have.
pub fn validate_utf8(input: &[u8]) {
    let (control, text) = split(input);
    let mut validator = Utf8Validator::default();
    let whole = std::str::from_utf8(text);
    // How many bytes show the first invalid sequence, when there is one (not a mere truncation):
    // the sequence, and the byte after it that no valid sequence could continue with.
    let invalid_by = whole
        .as_ref()
        .err()
        .and_then(|error| Some(error.valid_up_to() + error.error_len()? + 1));
    let mut offset = 0;
    while offset < text.len() {
        offset += chunk_length(control.wrapping_add(offset as u8), text.len() - offset);
        let complete = offset == text.len();
        let checked = validator.check(&text[..offset], complete);
        if let (Ok(()), Some(invalid_by)) = (&checked, invalid_by) {
            assert!(
                offset < invalid_by,
                "accepted {offset} bytes although bytes {invalid_by} and before are invalid"
            );
        }
        if checked.is_err() {
            let error = whole.expect_err("the validator refused valid UTF-8");
            // Refused before the end only when the invalid bytes had already arrived.
            assert!(
                complete || error.valid_up_to() < offset,
                "refused at {offset}, but the text is valid up to {}",
                error.valid_up_to()
            );
            return;
        }
    }
    if !text.is_empty() {
        assert!(whole.is_ok(), "the validator accepted invalid UTF-8");
    }
}

/// Parses `input` as a close frame's payload: what it accepts must be a code that may be sent and
/// the rest of the payload as its UTF-8 message.
pub fn parse_close_payload(input: &[u8]) {
    if let Ok(Some(reason)) = parse_close(input) {
        assert!(CloseReason::is_sendable_code(reason.code));
        assert_eq!(reason.code.to_be_bytes(), input[..2]);
        assert_eq!(reason.message.as_bytes(), &input[2..]);
    }
}

/// Checks `input` as a server's `Sec-WebSocket-Extensions` answer (lines of text) against the
/// default offer and a restrictive one: errors are fine, panics are not, and an accepted answer
/// yields one extension, described as permessage-deflate.
pub fn accept_extensions(input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    let answers: Vec<&str> = text.lines().collect();
    let restrictive = DeflateConfig {
        client_max_window_bits: 10,
        server_max_window_bits: Some(9),
        server_no_context_takeover: true,
        ..DeflateConfig::default()
    };
    for config in [DeflateConfig::default(), restrictive] {
        if let Ok(negotiated) = extensions::accept(&answers, &config) {
            assert!(
                negotiated.descriptions.len() <= 1,
                "more than one extension"
            );
            for description in &negotiated.descriptions {
                assert!(
                    description.starts_with("permessage-deflate"),
                    "{description}"
                );
            }
        }
    }
}

/// Compresses messages cut from `input` (the control byte gives their lengths) with the client's
/// transform and inflates them with the receiving one, context carried over from message to
/// message as negotiated (bit 0: no context takeover; bits 1-3 pick a window of 9 to 15 bits):
/// every message must come back as it was.
pub fn deflate_round_trip(input: &[u8]) {
    let (control, data) = split(input);
    let bits = 9 + (control >> 1) % 7;
    let mut answer =
        format!("permessage-deflate; client_max_window_bits={bits}; server_max_window_bits={bits}");
    if control & 1 == 1 {
        answer.push_str("; client_no_context_takeover; server_no_context_takeover");
    }
    let negotiated = extensions::accept(&[answer.as_str()], &DeflateConfig::default())
        .expect("a valid answer is accepted");
    let (mut send, mut receive) = (negotiated.send.unwrap(), negotiated.receive.unwrap());
    let mut offset = 0;
    while offset < data.len() {
        let length = chunk_length(control.wrapping_add(offset as u8), data.len() - offset);
        let message = &data[offset..offset + length];
        offset += length;
        let mut compressed = Vec::new();
        assert!(
            send.encode(message, &mut compressed),
            "a non-empty message is compressed"
        );
        let inflated = receive
            .decode(&compressed, message.len() as u64)
            .expect("what we compress inflates, within its own size");
        assert_eq!(&inflated[..], message, "a message changed on the way");
    }
}
