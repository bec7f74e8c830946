//! The metadata of the HTTP upgrade call, readable for the whole life of a session.

use std::sync::Arc;

use url::Url;

use crate::headers::Headers;
use crate::request::HttpMethod;

// A URL crosses the FFI as its text; the bindings present it as Foundation `URL` (Swift) and
// `java.net.URI` (Kotlin), configured in uniffi.toml.
uniffi::custom_type!(Url, String, {
    remote,
    try_lift: |text| Ok(Url::parse(&text)?),
    lower: |url| url.to_string(),
});

/// The upgrade request as it was sent.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpRequest {
    /// The resolved `ws://` or `wss://` URL.
    pub url: Url,
    /// The method (always `Get`).
    pub method: HttpMethod,
    /// Every header field as sent, in order, including `Sec-WebSocket-Key`.
    pub headers: Arc<Headers>,
}

/// The server's `101 Switching Protocols` response.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpResponse {
    /// The status code (101).
    pub status: u16,
    /// The reason phrase as sent (usually "Switching Protocols").
    pub reason_phrase: String,
    /// Every header field as received, in order.
    pub headers: Arc<Headers>,
}

/// The HTTP call that opened a session, like Ktor's `session.call`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpCall {
    /// The request as sent.
    pub request: HttpRequest,
    /// The upgrade response.
    pub response: HttpResponse,
    /// The subprotocol the server chose, if any (always one of those offered).
    pub subprotocol: Option<String>,
    /// The extensions the server accepted, each as its answer wrote it (such as
    /// `permessage-deflate; server_no_context_takeover`); empty when it accepted none.
    pub extensions: Vec<String>,
    /// The HTTP version of the response, such as `HTTP/1.1`.
    pub http_version: String,
}
