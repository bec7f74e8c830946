//! What the application asks to open, and its resolution into one validated target.

use std::time::Duration;

use url::Url;

use crate::error::{Result, WebSocketError};
use crate::headers::Header;

/// The HTTP method of the upgrade request. Only `Get` can open a WebSocket; the others exist so
/// that a request built the Ktor way with another method fails clearly, before any I/O.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, uniffi::Enum)]
pub enum HttpMethod {
    /// GET, the only method RFC 6455 allows for the upgrade.
    #[default]
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// DELETE
    Delete,
    /// PATCH
    Patch,
    /// HEAD
    Head,
    /// OPTIONS
    Options,
}

impl HttpMethod {
    /// The method as written on the request line.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Head => "HEAD",
            HttpMethod::Options => "OPTIONS",
        }
    }
}

/// A request to open a session: a URL, or host/port/path parts, or both (parts override the URL's),
/// as Ktor's three `webSocketSession` overloads allow.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct WebSocketRequest {
    /// `ws://`, `wss://`, or `http://`/`https://` (mapped to ws/wss as Ktor does). Default: none,
    /// which means `ws://localhost/`.
    #[uniffi(default = None)]
    pub url: Option<String>,
    /// Must be `Get`; anything else fails with `InvalidRequest` before any I/O. (No FFI default:
    /// UniFFI 0.32 cannot express an enum default; the Swift and Kotlin builders pass `Get`.)
    pub method: HttpMethod,
    /// Replaces the URL's host.
    #[uniffi(default = None)]
    pub host: Option<String>,
    /// Replaces the URL's port (default: 80 for ws, 443 for wss).
    #[uniffi(default = None)]
    pub port: Option<u16>,
    /// Replaces the URL's path and query (`/chat?room=1`).
    #[uniffi(default = None)]
    pub path: Option<String>,
    /// Extra header fields, sent in order after the client's default headers.
    #[uniffi(default = [])]
    pub headers: Vec<Header>,
    /// Subprotocols to offer in `Sec-WebSocket-Protocol`, in order of preference. A
    /// `Sec-WebSocket-Protocol` header in `headers` (or the client's default headers) offers its
    /// comma-separated values too, after these, as Ktor's `header(SecWebSocketProtocol, ...)` does.
    #[uniffi(default = [])]
    pub subprotocols: Vec<String>,
    /// Overrides the client's connect timeout for this request.
    #[uniffi(default = None)]
    pub connect_timeout: Option<Duration>,
}

impl WebSocketRequest {
    /// A request for `url`.
    pub fn new(url: impl Into<String>) -> Self {
        WebSocketRequest {
            url: Some(url.into()),
            ..Default::default()
        }
    }

    /// A request from parts, like Ktor's `webSocketSession(method, host, port, path)`.
    pub fn from_parts(
        method: HttpMethod,
        host: impl Into<String>,
        port: u16,
        path: impl Into<String>,
    ) -> Self {
        WebSocketRequest {
            method,
            host: Some(host.into()),
            port: Some(port),
            path: Some(path.into()),
            ..Default::default()
        }
    }

    /// Adds a header field (repeatable; order is kept).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push(Header::new(name, value));
        self
    }

    /// Offers a subprotocol.
    pub fn subprotocol(mut self, protocol: impl Into<String>) -> Self {
        self.subprotocols.push(protocol.into());
        self
    }

    /// Sets the connect timeout of this request.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }
}

impl From<&str> for WebSocketRequest {
    fn from(url: &str) -> Self {
        WebSocketRequest::new(url)
    }
}

impl From<String> for WebSocketRequest {
    fn from(url: String) -> Self {
        WebSocketRequest::new(url)
    }
}

/// Header fields that the handshake itself writes; a request may not set them.
const HANDSHAKE_HEADERS: [&str; 6] = [
    "upgrade",
    "connection",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-accept",
    "sec-websocket-extensions",
];

/// A request checked and resolved to one target, ready for the handshake.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedRequest {
    /// The final `ws://` or `wss://` URL.
    pub url: Url,
    /// The host to connect to (without brackets for IPv6).
    pub host: String,
    /// The TCP port.
    pub port: u16,
    /// Whether TLS is used.
    pub secure: bool,
    /// Extra header fields (config defaults, then the request's own).
    pub headers: Vec<Header>,
    /// Subprotocols offered.
    pub subprotocols: Vec<String>,
}

impl ResolvedRequest {
    /// The request target of the request line: path and query.
    pub fn resource(&self) -> String {
        match self.url.query() {
            Some(query) => format!("{}?{}", self.url.path(), query),
            None => self.url.path().to_owned(),
        }
    }

    /// The `Host` header value: the host, and the port when it is not the scheme's default.
    pub fn host_header(&self) -> String {
        let host = match self.url.host() {
            Some(url::Host::Ipv6(address)) => format!("[{address}]"),
            _ => self.host.clone(),
        };
        if self.url.port().is_some() {
            format!("{host}:{}", self.port)
        } else {
            host
        }
    }
}

/// Resolves `request` against the client's default headers: URL mapping, method and header checks.
pub(crate) fn resolve(
    request: &WebSocketRequest,
    default_headers: &[Header],
) -> Result<ResolvedRequest> {
    if request.method != HttpMethod::Get {
        return Err(WebSocketError::invalid_request(format!(
            "a WebSocket upgrade must use GET, not {}",
            request.method.as_str()
        )));
    }
    let mut url = match &request.url {
        Some(text) => Url::parse(text.trim())?,
        None => Url::parse("ws://localhost/").expect("a constant URL parses"),
    };
    let secure = match url.scheme() {
        "ws" | "http" => false,
        "wss" | "https" => true,
        other => {
            return Err(WebSocketError::invalid_url(format!(
                "scheme `{other}` is not one of ws, wss, http, https"
            )))
        }
    };
    // `Url::set_scheme` refuses to turn a special scheme into another special one with a
    // different default port, so rebuild from the text instead.
    if matches!(url.scheme(), "http" | "https") {
        let mapped = if secure { "wss" } else { "ws" };
        let rest = &url.as_str()[url.scheme().len()..];
        url = Url::parse(&format!("{mapped}{rest}"))?;
    }
    if let Some(host) = &request.host {
        url.set_host(Some(host))
            .map_err(|error| WebSocketError::invalid_url(format!("host `{host}`: {error}")))?;
    }
    if let Some(port) = request.port {
        url.set_port(Some(port))
            .map_err(|()| WebSocketError::invalid_url(format!("cannot set port {port}")))?;
    }
    if let Some(path) = &request.path {
        let (path, query) = match path.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path.as_str(), None),
        };
        url.set_path(path);
        url.set_query(query);
    }
    if url.fragment().is_some() {
        return Err(WebSocketError::invalid_url(
            "a WebSocket URL must not have a #fragment (RFC 6455 section 3)",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(WebSocketError::invalid_url(
            "credentials in the URL are never sent; use an Authorization header",
        ));
    }
    let host = match url.host() {
        Some(url::Host::Domain(domain)) if !domain.is_empty() => domain.to_owned(),
        Some(url::Host::Ipv4(address)) => address.to_string(),
        Some(url::Host::Ipv6(address)) => address.to_string(),
        _ => return Err(WebSocketError::invalid_url(format!("`{url}` has no host"))),
    };
    let port = url
        .port_or_known_default()
        .ok_or_else(|| WebSocketError::invalid_url(format!("`{url}` has no port")))?;

    let mut subprotocols = request.subprotocols.clone();
    let mut headers = Vec::new();
    for header in default_headers.iter().chain(&request.headers) {
        if header.name.eq_ignore_ascii_case("sec-websocket-protocol") {
            // Ktor's way of offering subprotocols: each listed value is an offer, after those
            // offered before, and the handshake writes one header with them all.
            for protocol in header.value.split(',').map(str::trim) {
                if !subprotocols.iter().any(|offered| offered == protocol) {
                    subprotocols.push(protocol.to_owned());
                }
            }
        } else {
            check_header(header)?;
            headers.push(header.clone());
        }
    }
    for protocol in &subprotocols {
        if !is_token(protocol) {
            return Err(WebSocketError::invalid_request(format!(
                "subprotocol `{protocol}` is not an HTTP token"
            )));
        }
    }
    Ok(ResolvedRequest {
        url,
        host,
        port,
        secure,
        headers,
        subprotocols,
    })
}

fn check_header(header: &Header) -> Result<()> {
    if !is_token(&header.name) {
        return Err(WebSocketError::invalid_request(format!(
            "header name `{}` is not an HTTP token",
            header.name.escape_debug()
        )));
    }
    if header
        .value
        .bytes()
        .any(|byte| matches!(byte, b'\r' | b'\n' | 0))
    {
        return Err(WebSocketError::invalid_request(format!(
            "header `{}` has a CR, LF or NUL in its value",
            header.name
        )));
    }
    let lower = header.name.to_ascii_lowercase();
    if HANDSHAKE_HEADERS.contains(&lower.as_str()) {
        return Err(WebSocketError::invalid_request(format!(
            "header `{}` is written by the handshake itself",
            header.name
        )));
    }
    Ok(())
}

/// Whether `text` is an RFC 7230 token (header names, subprotocols, extension parameters).
pub(crate) fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_url(url: &str) -> Result<ResolvedRequest> {
        resolve(&WebSocketRequest::new(url), &[])
    }

    #[test]
    fn a_sec_websocket_protocol_header_offers_subprotocols() {
        let request = WebSocketRequest::new("ws://example.com/")
            .subprotocol("first")
            .header("Sec-WebSocket-Protocol", "chat.v1, first ,second")
            .header("X-Other", "kept");
        let resolved = resolve(
            &request,
            &[Header::new("sec-websocket-protocol", "default")],
        )
        .unwrap();
        assert_eq!(
            resolved.subprotocols,
            ["first", "default", "chat.v1", "second"]
        );
        assert_eq!(resolved.headers, [Header::new("X-Other", "kept")]);
        let bad =
            WebSocketRequest::new("ws://example.com/").header("Sec-WebSocket-Protocol", "a b");
        assert!(matches!(
            resolve(&bad, &[]),
            Err(WebSocketError::InvalidRequest { .. })
        ));
        let empty =
            WebSocketRequest::new("ws://example.com/").header("Sec-WebSocket-Protocol", "a,,b");
        assert!(matches!(
            resolve(&empty, &[]),
            Err(WebSocketError::InvalidRequest { .. })
        ));
    }

    #[test]
    fn http_schemes_map_like_ktor() {
        let plain = resolve_url("http://example.com/chat").unwrap();
        assert_eq!(plain.url.as_str(), "ws://example.com/chat");
        assert_eq!((plain.port, plain.secure), (80, false));
        let secure = resolve_url("https://example.com:8443/chat?x=1").unwrap();
        assert_eq!(secure.url.as_str(), "wss://example.com:8443/chat?x=1");
        assert_eq!(secure.resource(), "/chat?x=1");
        assert_eq!(secure.host_header(), "example.com:8443");
        assert!(secure.secure);
    }

    #[test]
    fn parts_override_the_url() {
        let request = WebSocketRequest::from_parts(HttpMethod::Get, "127.0.0.1", 8080, "/echo?a=b");
        let resolved = resolve(&request, &[]).unwrap();
        assert_eq!(resolved.url.as_str(), "ws://127.0.0.1:8080/echo?a=b");
        assert_eq!(resolved.host_header(), "127.0.0.1:8080");
    }

    #[test]
    fn ipv6_hosts_are_bracketed_in_the_host_header() {
        let resolved = resolve_url("ws://[::1]:9000/").unwrap();
        assert_eq!(resolved.host, "::1");
        assert_eq!(resolved.host_header(), "[::1]:9000");
    }

    #[test]
    fn bad_input_is_refused_with_typed_errors() {
        assert!(matches!(
            resolve_url("ftp://x/"),
            Err(WebSocketError::InvalidUrl { .. })
        ));
        assert!(matches!(
            resolve_url("not a url"),
            Err(WebSocketError::InvalidUrl { .. })
        ));
        assert!(matches!(
            resolve_url("ws://h/#frag"),
            Err(WebSocketError::InvalidUrl { .. })
        ));
        assert!(matches!(
            resolve_url("ws://u:p@h/"),
            Err(WebSocketError::InvalidUrl { .. })
        ));
        let post = WebSocketRequest {
            method: HttpMethod::Post,
            ..WebSocketRequest::new("ws://h/")
        };
        assert!(matches!(
            resolve(&post, &[]),
            Err(WebSocketError::InvalidRequest { .. })
        ));
        let injected = WebSocketRequest::new("ws://h/").header("X-A", "1\r\nEvil: yes");
        assert!(matches!(
            resolve(&injected, &[]),
            Err(WebSocketError::InvalidRequest { .. })
        ));
        let owned = WebSocketRequest::new("ws://h/").header("Sec-WebSocket-Key", "x");
        assert!(matches!(
            resolve(&owned, &[]),
            Err(WebSocketError::InvalidRequest { .. })
        ));
        let protocol = WebSocketRequest::new("ws://h/").subprotocol("has space");
        assert!(matches!(
            resolve(&protocol, &[]),
            Err(WebSocketError::InvalidRequest { .. })
        ));
    }

    #[test]
    fn default_headers_come_first() {
        let request = WebSocketRequest::new("ws://h/").header("B", "2");
        let resolved = resolve(&request, &[Header::new("A", "1")]).unwrap();
        let names: Vec<_> = resolved.headers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["A", "B"]);
    }
}
