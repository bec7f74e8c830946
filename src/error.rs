//! The one error type of uniws, and how lower-level errors map onto it.

use crate::frame::CloseReason;

/// A `Result` whose error is [`WebSocketError`].
pub type Result<T, E = WebSocketError> = std::result::Result<T, E>;

/// Everything that can go wrong opening or using a session (Kotlin sees `WebSocketException`).
///
/// Every variant carries a readable `detail`; the field is not called `message` because that name
/// clashes with Kotlin's `Throwable.message`. Lower-level errors (I/O, TLS, HTTP parsing) are
/// rendered into `detail` rather than kept as sources, because error fields must cross the FFI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum WebSocketError {
    /// The URL could not be parsed, has a scheme other than ws/wss/http/https, or has no host.
    #[error("invalid URL: {detail}")]
    InvalidUrl {
        /// What is wrong with the URL.
        detail: String,
    },
    /// The request cannot be sent: a method other than GET, a malformed header, a header that the
    /// handshake owns, or an invalid frame (an oversized control frame, a bad close code).
    #[error("invalid request: {detail}")]
    InvalidRequest {
        /// What is wrong with the request.
        detail: String,
    },
    /// The TCP connection could not be made: DNS failure, refused, unreachable.
    #[error("connect failed: {detail}")]
    ConnectFailed {
        /// The failing step and the operating system's error.
        detail: String,
    },
    /// The opening (DNS, TCP, TLS and the upgrade response) did not finish within the connect timeout.
    #[error("connect timed out: {detail}")]
    ConnectTimeout {
        /// Which step was still running.
        detail: String,
    },
    /// The TLS handshake failed: untrusted certificate, wrong host name, bad CA bundle.
    #[error("TLS error: {detail}")]
    Tls {
        /// rustls' description of the failure.
        detail: String,
    },
    /// The server answered the upgrade request with a status other than 101.
    #[error("handshake rejected with HTTP {status}: {detail}")]
    HandshakeRejected {
        /// The HTTP status code.
        status: u16,
        /// The reason phrase and the start of the response body (at most 4 KiB, lossy UTF-8).
        detail: String,
    },
    /// The server's 101 response is not a valid WebSocket upgrade: wrong `Sec-WebSocket-Accept`,
    /// missing `Upgrade`/`Connection`, a subprotocol or extension that was not offered, or an
    /// oversized or malformed response head.
    #[error("invalid handshake response: {detail}")]
    HandshakeInvalid {
        /// Which check failed.
        detail: String,
    },
    /// The peer broke RFC 6455 (masked frame, reserved bits, bad opcode, fragmented or oversized
    /// control frame, invalid close code, invalid UTF-8). The session sent close 1002 (or 1007 for
    /// invalid UTF-8).
    #[error("protocol violation: {detail}")]
    ProtocolViolation {
        /// Which rule was broken.
        detail: String,
    },
    /// A frame or message exceeded `maxFrameSize`/`maxMessageSize`; the session sent close 1009.
    #[error("frame too big: {detail}")]
    FrameTooBig {
        /// The size announced or reached, and the limit.
        detail: String,
    },
    /// No pong answered a ping within the configured timeout; the session sent close 1011.
    #[error("ping timeout: {detail}")]
    PingTimeout {
        /// The interval and timeout in force.
        detail: String,
    },
    /// The session has ended; this is what send and receive throw afterwards.
    #[error("session closed: {reason}")]
    Closed {
        /// Why the session ended (the same value `closeReason` returns).
        reason: CloseReason,
        /// A readable summary.
        detail: String,
    },
    /// Reading or writing the socket failed (for example, the connection was reset).
    #[error("I/O error: {detail}")]
    Io {
        /// The operating system's error.
        detail: String,
    },
    /// The operation was cancelled by the caller.
    #[error("cancelled: {detail}")]
    Cancelled {
        /// What was cancelled.
        detail: String,
    },
}

impl WebSocketError {
    /// An [`WebSocketError::InvalidUrl`].
    pub(crate) fn invalid_url(detail: impl Into<String>) -> Self {
        Self::InvalidUrl {
            detail: detail.into(),
        }
    }

    /// An [`WebSocketError::InvalidRequest`].
    pub(crate) fn invalid_request(detail: impl Into<String>) -> Self {
        Self::InvalidRequest {
            detail: detail.into(),
        }
    }

    /// A [`WebSocketError::HandshakeInvalid`].
    pub(crate) fn handshake_invalid(detail: impl Into<String>) -> Self {
        Self::HandshakeInvalid {
            detail: detail.into(),
        }
    }

    /// A [`WebSocketError::Io`].
    pub(crate) fn io(error: &std::io::Error) -> Self {
        Self::Io {
            detail: error.to_string(),
        }
    }

    /// A [`WebSocketError::Closed`] for a session that ended with `reason`.
    pub(crate) fn closed(reason: CloseReason) -> Self {
        let detail = format!("the session has ended ({reason})");
        Self::Closed { reason, detail }
    }

    /// The readable detail of any variant.
    pub fn detail(&self) -> &str {
        match self {
            Self::InvalidUrl { detail }
            | Self::InvalidRequest { detail }
            | Self::ConnectFailed { detail }
            | Self::ConnectTimeout { detail }
            | Self::Tls { detail }
            | Self::HandshakeRejected { detail, .. }
            | Self::HandshakeInvalid { detail }
            | Self::ProtocolViolation { detail }
            | Self::FrameTooBig { detail }
            | Self::PingTimeout { detail }
            | Self::Closed { detail, .. }
            | Self::Io { detail }
            | Self::Cancelled { detail } => detail,
        }
    }
}

impl From<url::ParseError> for WebSocketError {
    fn from(error: url::ParseError) -> Self {
        Self::invalid_url(error.to_string())
    }
}

impl From<rustls::Error> for WebSocketError {
    fn from(error: rustls::Error) -> Self {
        Self::Tls {
            detail: error.to_string(),
        }
    }
}
