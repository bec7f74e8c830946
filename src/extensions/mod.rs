//! WebSocket extensions (RFC 6455 section 9): what the client offers in the upgrade request, the
//! strict check of the server's answer, and the per-message transforms a negotiated extension
//! applies. permessage-deflate (RFC 7692) is the one uniws implements.
//!
//! The transforms are the seam between the session and an extension: the decoder hands a message
//! that arrived with RSV1 set to [`ReceiveTransform`] once it is assembled, and the outbox hands a
//! data message to [`SendTransform`] before masking it. Untransformed messages keep the direct-read
//! and masked-copy fast paths.

mod deflate;
mod deflate_codec;

use bytes::Bytes;

use crate::config::DeflateConfig;
use crate::error::{Result, WebSocketError};
use crate::protocol::Violation;
use crate::request::is_token;

pub use deflate::PERMESSAGE_DEFLATE;

/// Turns the payload of a message that arrived transformed (RSV1 set on its first frame) back into
/// the message's payload. Owned by the reader.
pub(crate) trait ReceiveTransform: Send {
    /// The message's payload from its transformed bytes, failing with [`Violation::TooBig`] as
    /// soon as it would exceed `limit` bytes (before allocating past it).
    fn decode(&mut self, transformed: &[u8], limit: u64) -> std::result::Result<Bytes, Violation>;
}

/// Transforms data messages before they are framed. Owned by the outbox, so it may keep state
/// across messages (a compression context): messages reach it in the order they go on the wire.
pub(crate) trait SendTransform: Send {
    /// Writes the transformed `payload` into `out` (empty) and returns `true`, or returns `false`
    /// to send this message as it is.
    fn encode(&mut self, payload: &[u8], out: &mut Vec<u8>) -> bool;
}

/// The extensions the server accepted, as transforms for each direction.
#[derive(Default)]
pub(crate) struct Negotiated {
    /// Applied to received messages that arrive with RSV1 set; `None`: RSV1 is a violation.
    pub receive: Option<Box<dyn ReceiveTransform>>,
    /// Applied to sent data messages.
    pub send: Option<Box<dyn SendTransform>>,
    /// Each accepted extension as the server's answer describes it, for `HttpCall::extensions`.
    pub descriptions: Vec<String>,
}

impl std::fmt::Debug for Negotiated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Negotiated")
            .field("descriptions", &self.descriptions)
            .finish_non_exhaustive()
    }
}

/// The `Sec-WebSocket-Extensions` value the client offers, if any.
pub(crate) fn offer(deflate: &DeflateConfig) -> Option<String> {
    deflate.enabled.then(|| deflate::offer(deflate))
}

/// Checks the server's `Sec-WebSocket-Extensions` answers (every field, in order) against what
/// was offered, and builds the transforms. Anything the offer did not allow fails the handshake
/// with `HandshakeInvalid`; no answer means no extension.
pub(crate) fn accept(answers: &[impl AsRef<str>], deflate: &DeflateConfig) -> Result<Negotiated> {
    let extensions = parse(answers).map_err(WebSocketError::handshake_invalid)?;
    let mut negotiated = Negotiated::default();
    for extension in extensions {
        if !negotiated.descriptions.is_empty() {
            return Err(WebSocketError::handshake_invalid(format!(
                "the server accepted a second extension, `{}`, but one was offered",
                extension.name
            )));
        }
        if !deflate.enabled || !extension.name.eq_ignore_ascii_case(PERMESSAGE_DEFLATE) {
            return Err(WebSocketError::handshake_invalid(format!(
                "the server accepted the extension `{}`, which was not offered",
                extension.name
            )));
        }
        let parameters = deflate::accept(&extension.parameters, deflate).map_err(|detail| {
            WebSocketError::handshake_invalid(format!("{PERMESSAGE_DEFLATE}: {detail}"))
        })?;
        negotiated.descriptions.push(parameters.describe());
        let (receive, send) = deflate_codec::transforms(&parameters, deflate);
        negotiated.receive = Some(Box::new(receive));
        negotiated.send = Some(Box::new(send));
    }
    Ok(negotiated)
}

/// One extension of a `Sec-WebSocket-Extensions` value: its name and its parameters, in order.
#[derive(Debug, PartialEq, Eq)]
struct Extension {
    name: String,
    parameters: Vec<(String, Option<String>)>,
}

/// Parses `Sec-WebSocket-Extensions` values (RFC 6455 section 9.1): extensions separated by commas,
/// each a token followed by `; name` or `; name=value` parameters, a value a token or a quoted
/// string.
fn parse(values: &[impl AsRef<str>]) -> std::result::Result<Vec<Extension>, String> {
    let mut extensions = Vec::new();
    for value in values {
        let value = value.as_ref();
        for item in split_outside_quotes(value, ',') {
            let mut parts = split_outside_quotes(item, ';').into_iter();
            let name = parts.next().unwrap_or_default().trim();
            if name.is_empty() && parts.len() == 0 {
                continue; // an empty list element, which RFC 7230 section 7 allows
            }
            if !is_token(name) {
                return Err(format!(
                    "`{value}` is not a valid Sec-WebSocket-Extensions value"
                ));
            }
            let mut parameters = Vec::new();
            for parameter in parts {
                let (key, value) = match parameter.split_once('=') {
                    Some((key, value)) => (key.trim(), Some(unquote(value.trim())?)),
                    None => (parameter.trim(), None),
                };
                if !is_token(key) {
                    return Err(format!("`{parameter}` is not a valid extension parameter"));
                }
                parameters.push((key.to_ascii_lowercase(), value));
            }
            extensions.push(Extension {
                name: name.to_owned(),
                parameters,
            });
        }
    }
    Ok(extensions)
}

/// `text` split at each `separator` that is not inside a quoted string.
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (index, character) in text.char_indices() {
        match character {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            _ if character == separator && !quoted => {
                parts.push(&text[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A parameter value: a token, or a quoted string whose content must be a token (RFC 6455
/// section 9.1).
fn unquote(value: &str) -> std::result::Result<String, String> {
    let inner = value
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .map(|inner| inner.replace('\\', ""))
        .unwrap_or_else(|| value.to_owned());
    if is_token(&inner) {
        Ok(inner)
    } else {
        Err(format!("`{value}` is not a valid parameter value"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parsed parameters written as pairs (shared with the other extension tests).
    pub(super) fn parameters(list: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
        list.iter()
            .map(|(key, value)| (key.to_string(), value.map(str::to_owned)))
            .collect()
    }

    #[test]
    fn values_are_split_into_extensions_and_parameters() {
        let parsed = parse(&[
            "permessage-deflate; client_max_window_bits=\"10\"; Server_No_Context_Takeover",
            "x-other, ",
        ])
        .unwrap();
        assert_eq!(
            parsed,
            [
                Extension {
                    name: "permessage-deflate".into(),
                    parameters: parameters(&[
                        ("client_max_window_bits", Some("10")),
                        ("server_no_context_takeover", None)
                    ]),
                },
                Extension {
                    name: "x-other".into(),
                    parameters: Vec::new(),
                },
            ]
        );
        assert!(parse(&["permessage-deflate; a=\"b c\""]).is_err());
        assert!(parse(&["per message"]).is_err());
        assert!(parse(&["; x=1"]).is_err());
    }

    #[test]
    fn only_the_offered_extension_once_is_accepted() {
        let on = DeflateConfig::default();
        assert!(accept(&[] as &[&str], &on).unwrap().descriptions.is_empty());
        assert_eq!(
            accept(&["permessage-deflate"], &on).unwrap().descriptions,
            ["permessage-deflate"]
        );
        let twice = accept(&["permessage-deflate", "permessage-deflate"], &on).unwrap_err();
        assert!(twice.to_string().contains("second extension"), "{twice}");
        let other = accept(&["x-webkit-deflate-frame"], &on).unwrap_err();
        assert!(other.to_string().contains("not offered"), "{other}");
        let off = DeflateConfig {
            enabled: false,
            ..DeflateConfig::default()
        };
        assert!(offer(&off).is_none());
        assert!(accept(&["permessage-deflate"], &off).is_err());
    }
}
