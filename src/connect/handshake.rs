//! The HTTP/1.1 upgrade: writing the request, reading a bounded response head, validating it.

use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::tungstenite::handshake::{client::generate_key, derive_accept_key};

use crate::call::{HttpCall, HttpRequest, HttpResponse};
use crate::config::{WebSocketConfig, MAX_REJECTED_BODY_SNIPPET, MAX_RESPONSE_HEAD_SIZE};
use crate::error::{Result, WebSocketError};
use crate::extensions::{self, Negotiated};
use crate::headers::{Header, Headers};
use crate::request::{HttpMethod, ResolvedRequest};

/// The most header fields accepted in the response head.
const MAX_RESPONSE_HEADERS: usize = 128;

/// The outcome of a successful upgrade.
pub(crate) struct Upgraded {
    /// The call metadata.
    pub call: HttpCall,
    /// The extensions the server accepted.
    pub extensions: Negotiated,
    /// Bytes the server sent after the response head: the first frames.
    pub leftover: Vec<u8>,
}

/// Performs the upgrade on `stream`.
pub(crate) async fn upgrade<S>(
    stream: &mut S,
    request: &ResolvedRequest,
    config: &WebSocketConfig,
) -> Result<Upgraded>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let key = generate_key();
    let offer = extensions::offer(&config.deflate);
    let sent_headers = request_headers(request, &key, config.user_agent.as_deref(), offer);
    let mut head = format!("GET {} HTTP/1.1\r\n", request.resource());
    for header in &sent_headers {
        head.push_str(&header.name);
        head.push_str(": ");
        head.push_str(&header.value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .await
        .map_err(|e| WebSocketError::io(&e))?;
    stream.flush().await.map_err(|e| WebSocketError::io(&e))?;

    let (raw_head, leftover) = read_head(stream).await?;
    let parsed = parse_head(&raw_head)?;
    if parsed.status != 101 {
        let body = read_body_snippet(stream, leftover, &parsed.headers).await;
        let mut detail = parsed.reason_phrase.clone();
        if !body.is_empty() {
            detail.push_str(": ");
            detail.push_str(&body);
        }
        return Err(WebSocketError::HandshakeRejected {
            status: parsed.status,
            detail,
        });
    }
    let subprotocol = validate_upgrade(&parsed, &key, &request.subprotocols)?;
    let answers = parsed.headers.get_all("Sec-WebSocket-Extensions");
    let negotiated = extensions::accept(&answers, &config.deflate)?;
    let call = HttpCall {
        request: HttpRequest {
            url: request.url.clone(),
            method: HttpMethod::Get,
            headers: Arc::new(Headers::from_entries(sent_headers)),
        },
        response: HttpResponse {
            status: parsed.status,
            reason_phrase: parsed.reason_phrase,
            headers: Arc::new(parsed.headers),
        },
        subprotocol,
        extensions: negotiated.descriptions.clone(),
        http_version: parsed.version,
    };
    Ok(Upgraded {
        call,
        extensions: negotiated,
        leftover,
    })
}

/// The request's header fields in the order they are written. The application's own `Host` or
/// `User-Agent` replaces ours.
fn request_headers(
    request: &ResolvedRequest,
    key: &str,
    user_agent: Option<&str>,
    extension_offer: Option<String>,
) -> Vec<Header> {
    let has = |name: &str| {
        request
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case(name))
    };
    let mut headers = Vec::with_capacity(request.headers.len() + 7);
    if !has("host") {
        headers.push(Header::new("Host", request.host_header()));
    }
    headers.push(Header::new("Upgrade", "websocket"));
    headers.push(Header::new("Connection", "Upgrade"));
    headers.push(Header::new("Sec-WebSocket-Key", key));
    headers.push(Header::new("Sec-WebSocket-Version", "13"));
    if !request.subprotocols.is_empty() {
        headers.push(Header::new(
            "Sec-WebSocket-Protocol",
            request.subprotocols.join(", "),
        ));
    }
    if let Some(offer) = extension_offer {
        headers.push(Header::new("Sec-WebSocket-Extensions", offer));
    }
    if let Some(agent) = user_agent {
        if !has("user-agent") {
            headers.push(Header::new("User-Agent", agent));
        }
    }
    headers.extend(request.headers.iter().cloned());
    headers
}

/// Reads up to the end of the response head, bounded by [`MAX_RESPONSE_HEAD_SIZE`]. Returns the
/// head and whatever followed it.
async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut buffer = Vec::with_capacity(1024);
    let mut scanned = 0;
    loop {
        if let Some(end) = find_head_end(&buffer, scanned) {
            let leftover = buffer.split_off(end);
            return Ok((buffer, leftover));
        }
        scanned = buffer.len().saturating_sub(3);
        if buffer.len() >= MAX_RESPONSE_HEAD_SIZE {
            return Err(WebSocketError::handshake_invalid(format!(
                "the response head exceeds {} KiB",
                MAX_RESPONSE_HEAD_SIZE >> 10
            )));
        }
        let mut chunk = [0u8; 4096];
        let room = (MAX_RESPONSE_HEAD_SIZE + 4 - buffer.len()).min(chunk.len());
        let read = stream
            .read(&mut chunk[..room])
            .await
            .map_err(|e| WebSocketError::io(&e))?;
        if read == 0 {
            return Err(WebSocketError::handshake_invalid(if buffer.is_empty() {
                "the server closed the connection without answering the upgrade".to_owned()
            } else {
                "the server closed the connection inside the response head".to_owned()
            }));
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

/// The index just past the first `\r\n\r\n` at or after `from`.
fn find_head_end(buffer: &[u8], from: usize) -> Option<usize> {
    buffer[from..]
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .map(|position| from + position + 4)
}

/// A parsed response head.
pub(crate) struct ParsedHead {
    status: u16,
    reason_phrase: String,
    version: String,
    headers: Headers,
}

pub(crate) fn parse_head(raw: &[u8]) -> Result<ParsedHead> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
    let mut response = httparse::Response::new(&mut slots);
    match response.parse(raw) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(WebSocketError::handshake_invalid(
                "the response head is incomplete",
            ))
        }
        Err(error) => {
            return Err(WebSocketError::handshake_invalid(format!(
                "the response is not HTTP/1.1: {error}"
            )))
        }
    }
    let mut headers = Vec::with_capacity(response.headers.len());
    for header in response.headers.iter() {
        let value = std::str::from_utf8(header.value).map_err(|_| {
            WebSocketError::handshake_invalid(format!(
                "header `{}` is not valid UTF-8",
                header.name
            ))
        })?;
        headers.push(Header::new(header.name, value.trim()));
    }
    Ok(ParsedHead {
        status: response.code.unwrap_or_default(),
        reason_phrase: response.reason.unwrap_or_default().to_owned(),
        version: format!("HTTP/1.{}", response.version.unwrap_or_default()),
        headers: Headers::from_entries(headers),
    })
}

/// Checks a 101 response; returns the chosen subprotocol.
pub(crate) fn validate_upgrade(
    head: &ParsedHead,
    key: &str,
    offered: &[String],
) -> Result<Option<String>> {
    if head.version != "HTTP/1.1" {
        return Err(WebSocketError::handshake_invalid(format!(
            "a 101 response must be HTTP/1.1, got {}",
            head.version
        )));
    }
    let headers = &head.headers;
    if !headers.has_token("Upgrade", "websocket") {
        return Err(WebSocketError::handshake_invalid(
            "missing `Upgrade: websocket`",
        ));
    }
    if !headers.has_token("Connection", "upgrade") {
        return Err(WebSocketError::handshake_invalid(
            "missing `Connection: Upgrade`",
        ));
    }
    let expected = derive_accept_key(key.as_bytes());
    match headers.get_all("Sec-WebSocket-Accept").as_slice() {
        [accept] if *accept == expected => {}
        [] => {
            return Err(WebSocketError::handshake_invalid(
                "missing `Sec-WebSocket-Accept`",
            ))
        }
        [accept] => {
            return Err(WebSocketError::handshake_invalid(format!(
                "`Sec-WebSocket-Accept: {accept}` does not match the key (expected {expected})"
            )))
        }
        _ => {
            return Err(WebSocketError::handshake_invalid(
                "more than one `Sec-WebSocket-Accept`",
            ))
        }
    }
    match headers.get_all("Sec-WebSocket-Protocol").as_slice() {
        [] => Ok(None),
        [chosen] if offered.iter().any(|protocol| protocol == chosen) => Ok(Some(chosen.clone())),
        [chosen] => Err(WebSocketError::handshake_invalid(format!(
            "the server chose subprotocol `{chosen}`, which was not offered ({})",
            if offered.is_empty() {
                "none was".to_owned()
            } else {
                offered.join(", ")
            }
        ))),
        _ => Err(WebSocketError::handshake_invalid(
            "more than one `Sec-WebSocket-Protocol`",
        )),
    }
}

/// Reads the start of a rejected upgrade's body, bounded by [`MAX_REJECTED_BODY_SNIPPET`], by
/// `Content-Length` and by a short wait; the caller's connect timeout bounds it as well.
async fn read_body_snippet<S: AsyncRead + Unpin>(
    stream: &mut S,
    mut body: Vec<u8>,
    headers: &Headers,
) -> String {
    let declared = headers
        .get("Content-Length")
        .and_then(|length| length.parse::<usize>().ok());
    let wanted = declared
        .unwrap_or(MAX_REJECTED_BODY_SNIPPET)
        .min(MAX_REJECTED_BODY_SNIPPET);
    let reading = async {
        let mut chunk = [0u8; 1024];
        while body.len() < wanted && declared != Some(0) {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(read) => body.extend_from_slice(&chunk[..read]),
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_millis(500), reading).await;
    body.truncate(wanted);
    String::from_utf8_lossy(&body).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> ParsedHead {
        parse_head(text.as_bytes()).unwrap()
    }

    fn upgrade_head(accept: &str, extra: &str) -> ParsedHead {
        head(&format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n{extra}\r\n"
        ))
    }

    #[test]
    fn accept_key_follows_rfc_example() {
        // RFC 6455 section 1.3.
        let parsed = upgrade_head("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "");
        assert_eq!(
            validate_upgrade(&parsed, "dGhlIHNhbXBsZSBub25jZQ==", &[]).unwrap(),
            None
        );
        let wrong = upgrade_head("AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "");
        assert!(validate_upgrade(&wrong, "dGhlIHNhbXBsZSBub25jZQ==", &[]).is_err());
    }

    #[test]
    fn subprotocol_must_be_offered() {
        let key = "dGhlIHNhbXBsZSBub25jZQ==";
        let accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
        let chosen = upgrade_head(accept, "Sec-WebSocket-Protocol: chat.v1\r\n");
        assert_eq!(
            validate_upgrade(&chosen, key, &["chat.v1".into()])
                .unwrap()
                .as_deref(),
            Some("chat.v1")
        );
        assert!(validate_upgrade(&chosen, key, &["other".into()]).is_err());
        assert!(validate_upgrade(&chosen, key, &[]).is_err());
    }

    #[test]
    fn head_end_is_found_across_reads() {
        assert_eq!(find_head_end(b"HTTP/1.1 101 X\r\n\r\nabc", 0), Some(18));
        assert_eq!(find_head_end(b"HTTP/1.1 101 X\r\n\r\nabc", 11), Some(18));
        assert_eq!(find_head_end(b"HTTP/1.1 101 X\r\n\r", 0), None);
    }
}
