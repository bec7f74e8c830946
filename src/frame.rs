//! Frames as the application sees them, and the reason a session closed.

use bytes::Bytes;

/// One WebSocket message or control frame, as sent by the application or delivered by
/// [`receive`](crate::ClientWebSocketSession::receive).
///
/// Received messages are always complete: fragments are reassembled before delivery, pings are
/// answered automatically and pongs are consumed by the pinger, so `receive` only ever yields
/// `Text` and `Binary`. All five variants can be sent.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Frame {
    /// A UTF-8 text message.
    Text {
        /// The message text.
        text: String,
    },
    /// A binary message.
    Binary {
        /// The message bytes.
        data: Bytes,
    },
    /// A ping; the peer answers with a pong carrying the same data (at most 125 bytes).
    Ping {
        /// Application data echoed by the pong.
        data: Bytes,
    },
    /// A pong; sending one unsolicited is allowed as a one-way heartbeat (at most 125 bytes).
    Pong {
        /// Application data.
        data: Bytes,
    },
    /// A close frame; sending one starts the closing handshake, like
    /// [`close`](crate::ClientWebSocketSession::close).
    Close {
        /// The code and message, or `None` for an empty close frame.
        reason: Option<CloseReason>,
    },
}

impl Frame {
    /// The bytes of its payload (a close frame's: code and message).
    pub(crate) fn payload_len(&self) -> usize {
        match self {
            Frame::Text { text } => text.len(),
            Frame::Binary { data } | Frame::Ping { data } | Frame::Pong { data } => data.len(),
            Frame::Close { reason: None } => 0,
            Frame::Close {
                reason: Some(reason),
            } => 2 + reason.message.len(),
        }
    }

    /// A text frame.
    pub fn text(text: impl Into<String>) -> Self {
        Frame::Text { text: text.into() }
    }

    /// A binary frame.
    pub fn binary(data: impl Into<Bytes>) -> Self {
        Frame::Binary { data: data.into() }
    }
}

/// Why a session closed: the close code and message of a close frame, or one of the codes the RFC
/// reserves for reporting (1005 no status, 1006 abnormal closure).
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct CloseReason {
    /// The close code (RFC 6455 section 7.4); the well-known ones are constants of this type.
    pub code: u16,
    /// A human-readable message, at most 123 bytes of UTF-8 when sent.
    pub message: String,
}

impl CloseReason {
    /// 1000: the purpose of the connection has been fulfilled.
    pub const NORMAL: u16 = 1000;
    /// 1001: the endpoint is going away (server shutdown, app leaving).
    pub const GOING_AWAY: u16 = 1001;
    /// 1002: the peer violated the protocol.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// 1003: a data type the endpoint cannot accept.
    pub const CANNOT_ACCEPT: u16 = 1003;
    /// 1005: reported (never sent) when a close frame carried no code.
    pub const NO_STATUS: u16 = 1005;
    /// 1006: reported (never sent) when the connection ended without a close frame.
    pub const CLOSED_ABNORMALLY: u16 = 1006;
    /// 1007: message data not consistent with its type, such as invalid UTF-8 in a text message.
    pub const NOT_CONSISTENT: u16 = 1007;
    /// 1008: a message violated the endpoint's policy.
    pub const VIOLATED_POLICY: u16 = 1008;
    /// 1009: a frame or message exceeded the configured size limit.
    pub const TOO_BIG: u16 = 1009;
    /// 1010: the client expected an extension the server did not negotiate.
    pub const NO_EXTENSION: u16 = 1010;
    /// 1011: the endpoint hit an unexpected condition (uniws sends it on ping timeout).
    pub const INTERNAL_ERROR: u16 = 1011;
    /// 1012: the service is restarting.
    pub const SERVICE_RESTART: u16 = 1012;
    /// 1013: try again later (overload).
    pub const TRY_AGAIN_LATER: u16 = 1013;

    /// A close reason from a code and message.
    pub fn new(code: u16, message: impl Into<String>) -> Self {
        CloseReason {
            code,
            message: message.into(),
        }
    }

    /// `1000 NORMAL` with an empty message: the default of `close`.
    pub fn normal() -> Self {
        CloseReason::new(Self::NORMAL, "")
    }

    /// Whether `code` may appear in a close frame on the wire (RFC 6455 section 7.4).
    pub fn is_sendable_code(code: u16) -> bool {
        tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode::from(code).is_allowed()
    }
}

impl std::fmt::Display for CloseReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.code)
        } else {
            write!(f, "{} {}", self.code, self.message)
        }
    }
}

/// The well-known close codes, for bindings (Swift `CloseCode`, Kotlin `CloseReason.Codes`).
///
/// Each value is the `u16` constant of the same name on [`CloseReason`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CloseCode {
    /// 1000
    Normal,
    /// 1001
    GoingAway,
    /// 1002
    ProtocolError,
    /// 1003
    CannotAccept,
    /// 1005 (reported only)
    NoStatus,
    /// 1006 (reported only)
    ClosedAbnormally,
    /// 1007
    NotConsistent,
    /// 1008
    ViolatedPolicy,
    /// 1009
    TooBig,
    /// 1010
    NoExtension,
    /// 1011
    InternalError,
    /// 1012
    ServiceRestart,
    /// 1013
    TryAgainLater,
}

impl CloseCode {
    /// Every well-known code, in numeric order.
    pub const ALL: [CloseCode; 13] = [
        CloseCode::Normal,
        CloseCode::GoingAway,
        CloseCode::ProtocolError,
        CloseCode::CannotAccept,
        CloseCode::NoStatus,
        CloseCode::ClosedAbnormally,
        CloseCode::NotConsistent,
        CloseCode::ViolatedPolicy,
        CloseCode::TooBig,
        CloseCode::NoExtension,
        CloseCode::InternalError,
        CloseCode::ServiceRestart,
        CloseCode::TryAgainLater,
    ];

    /// The numeric value.
    pub const fn value(self) -> u16 {
        match self {
            CloseCode::Normal => CloseReason::NORMAL,
            CloseCode::GoingAway => CloseReason::GOING_AWAY,
            CloseCode::ProtocolError => CloseReason::PROTOCOL_ERROR,
            CloseCode::CannotAccept => CloseReason::CANNOT_ACCEPT,
            CloseCode::NoStatus => CloseReason::NO_STATUS,
            CloseCode::ClosedAbnormally => CloseReason::CLOSED_ABNORMALLY,
            CloseCode::NotConsistent => CloseReason::NOT_CONSISTENT,
            CloseCode::ViolatedPolicy => CloseReason::VIOLATED_POLICY,
            CloseCode::TooBig => CloseReason::TOO_BIG,
            CloseCode::NoExtension => CloseReason::NO_EXTENSION,
            CloseCode::InternalError => CloseReason::INTERNAL_ERROR,
            CloseCode::ServiceRestart => CloseReason::SERVICE_RESTART,
            CloseCode::TryAgainLater => CloseReason::TRY_AGAIN_LATER,
        }
    }

    /// The well-known code with this value, if any.
    pub fn from_value(value: u16) -> Option<CloseCode> {
        CloseCode::ALL
            .into_iter()
            .find(|code| code.value() == value)
    }
}

/// The numeric value of a well-known close code (exported for the Swift and Kotlin layers).
#[uniffi::export]
pub fn close_code_value(code: CloseCode) -> u16 {
    code.value()
}

/// The well-known close code with this value, or `None` (exported for the Swift and Kotlin layers).
#[uniffi::export]
pub fn close_code_from_value(value: u16) -> Option<CloseCode> {
    CloseCode::from_value(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_codes_round_trip() {
        for code in CloseCode::ALL {
            assert_eq!(CloseCode::from_value(code.value()), Some(code));
        }
        assert_eq!(CloseCode::from_value(4000), None);
    }

    #[test]
    fn reporting_codes_are_not_sendable() {
        assert!(!CloseReason::is_sendable_code(999));
        assert!(!CloseReason::is_sendable_code(1005));
        assert!(!CloseReason::is_sendable_code(1006));
        assert!(CloseReason::is_sendable_code(1000));
        assert!(CloseReason::is_sendable_code(4000));
    }
}
