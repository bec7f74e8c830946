//! Client configuration. Every default is a constant here; UniFFI's `#[uniffi(default = ...)]`
//! attributes take only literals, so they repeat the values and a test checks that they match.

use std::time::Duration;

use crate::headers::Header;

/// How long to wait for a pong before failing the session, when `timeout` is `None`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long the whole opening (DNS, TCP, TLS, upgrade response) may take, when `connect_timeout`
/// is `None`.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a closing handshake waits for the peer, when `close_timeout` is `None`.
pub const DEFAULT_CLOSE_TIMEOUT: Duration = Duration::from_secs(5);
/// The default largest accepted frame payload: 16 MiB.
pub const DEFAULT_MAX_FRAME_SIZE: u64 = 16 << 20;
/// The default largest accepted message (all fragments together): 64 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: u64 = 64 << 20;
/// The largest `max_message_size` in force; a larger setting counts as this: 2 GiB less 64 bytes.
/// Swift's `Data` and Kotlin's `ByteArray` cross the FFI with a 32-bit length, so a larger message
/// could not be handed to them; the 64 bytes leave room for what frames a payload there.
pub const MESSAGE_SIZE_CEILING: u64 = i32::MAX as u64 - 64;
/// The default capacity of the incoming and outgoing message queues.
pub const DEFAULT_QUEUE_SIZE: u32 = 64;
/// The default bound on the payload bytes of received messages waiting for the application:
/// 16 MiB.
pub const DEFAULT_INCOMING_QUEUE_BYTES: u64 = 16 << 20;
/// The largest upgrade response head accepted: 64 KiB.
pub const MAX_RESPONSE_HEAD_SIZE: usize = 64 << 10;
/// The most of a rejected upgrade's response body kept in the error: 4 KiB.
pub const MAX_REJECTED_BODY_SNIPPET: usize = 4 << 10;

/// TLS settings for `wss://` connections.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TlsConfig {
    /// Extra trusted root certificates, each a PEM document holding one or more certificates.
    /// Default: none.
    #[uniffi(default = [])]
    pub extra_root_certificates_pem: Vec<String>,
    /// Whether the operating system's trust store is used (Security.framework on Apple platforms,
    /// the system CA bundle on Linux). When `false`, only `extra_root_certificates_pem` is trusted.
    /// Default: `true`.
    #[uniffi(default = true)]
    pub use_system_trust_store: bool,
    /// Certificate pins, checked after normal verification (like OkHttp's `CertificatePinner`):
    /// for a host that some pin's pattern covers, one of the certificates the server presents
    /// must have a pinned public key, or the session fails with `Tls` naming the pins presented.
    /// Default: none.
    #[uniffi(default = [])]
    pub certificate_pins: Vec<CertificatePin>,
    /// The oldest TLS version accepted. Default: `None`, TLS 1.2 and 1.3.
    #[uniffi(default = None)]
    pub min_tls_version: Option<TlsVersion>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            extra_root_certificates_pem: Vec::new(),
            use_system_trust_store: true,
            certificate_pins: Vec::new(),
            min_tls_version: None,
        }
    }
}

/// A certificate pin for the hosts a pattern covers.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CertificatePin {
    /// `example.com` (that host), `*.example.com` (one more label: `www.example.com`) or
    /// `**.example.com` (the host and any number of labels more), as in OkHttp.
    pub pattern: String,
    /// `sha256/` and the base64 SHA-256 of a certificate's SubjectPublicKeyInfo, as OkHttp writes
    /// pins (`openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst
    /// -sha256 -binary | base64` computes one).
    pub pin: String,
}

impl CertificatePin {
    /// A pin for the hosts `pattern` covers.
    pub fn new(pattern: impl Into<String>, pin: impl Into<String>) -> Self {
        CertificatePin {
            pattern: pattern.into(),
            pin: pin.into(),
        }
    }
}

/// permessage-deflate (RFC 7692) settings, like Ktor's `WebSocketDeflateExtension`. The server
/// decides: one that declines the offer gets an uncompressed session. Compression state is made
/// on first use (an idle session costs nothing more); with context takeover it then lives as long
/// as the session: about 256 KiB to compress with a 15-bit window, 32 KiB to inflate one.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DeflateConfig {
    /// Whether permessage-deflate is offered. Default: `true`.
    #[uniffi(default = true)]
    pub enabled: bool,
    /// The zlib compression level, 0 (none) to 9 (smallest, slowest). Default: 6, zlib's default.
    #[uniffi(default = 6)]
    pub compression_level: u8,
    /// Messages of at most this many bytes are sent uncompressed. Default: 0, every message is
    /// compressed (as Ktor and browsers do).
    #[uniffi(default = 0)]
    pub compress_if_bigger_than: u32,
    /// The largest window (in bits, 8 to 15) we compress with; offered, so the server may lower it.
    /// zlib cannot compress with 8 bits: when 8 is agreed, messages are sent uncompressed.
    /// Default: 15.
    #[uniffi(default = 15)]
    pub client_max_window_bits: u8,
    /// Asks the server to compress with at most this window (8 to 15 bits), which bounds the
    /// memory we inflate with. Default: `None`, not asked.
    #[uniffi(default = None)]
    pub server_max_window_bits: Option<u8>,
    /// Offers to reset our compression context after each message (less memory kept, larger
    /// messages). Default: `false`.
    #[uniffi(default = false)]
    pub client_no_context_takeover: bool,
    /// Asks the server to reset its compression context after each message. Default: `false`.
    #[uniffi(default = false)]
    pub server_no_context_takeover: bool,
}

impl Default for DeflateConfig {
    fn default() -> Self {
        DeflateConfig {
            enabled: true,
            compression_level: 6,
            compress_if_bigger_than: 0,
            client_max_window_bits: 15,
            server_max_window_bits: None,
            client_no_context_takeover: false,
            server_no_context_takeover: false,
        }
    }
}

impl DeflateConfig {
    /// permessage-deflate not offered.
    pub fn disabled() -> Self {
        DeflateConfig {
            enabled: false,
            ..DeflateConfig::default()
        }
    }
}

/// A TLS protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TlsVersion {
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
}

/// The configuration of a [`WebSocketClient`](crate::WebSocketClient), modelled on the Ktor
/// WebSockets plugin. Every field has a default, so `WebSocketConfig()` works from Swift and Kotlin
/// and `WebSocketConfig::default()` from Rust.
///
/// Durations are optional because UniFFI cannot express a non-zero default duration: `None` means
/// the documented default.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WebSocketConfig {
    /// How often to send a ping. `None` or zero: no pings (the default). A peer that answers no
    /// ping within `timeout` is detected within `ping_interval + timeout`.
    #[uniffi(default = None)]
    pub ping_interval: Option<Duration>,
    /// How long to wait for the pong answering a ping. `None`: [`DEFAULT_TIMEOUT`] (15 s).
    #[uniffi(default = None)]
    pub timeout: Option<Duration>,
    /// How long opening a session may take in all: DNS, TCP, TLS and the upgrade response.
    /// `None`: [`DEFAULT_CONNECT_TIMEOUT`] (10 s). A request may set its own.
    #[uniffi(default = None)]
    pub connect_timeout: Option<Duration>,
    /// How long a closing handshake waits for the peer's close frame and end of stream.
    /// `None`: [`DEFAULT_CLOSE_TIMEOUT`] (5 s).
    #[uniffi(default = None)]
    pub close_timeout: Option<Duration>,
    /// The largest frame payload accepted, checked from the frame header before any payload is
    /// buffered; larger frames fail the session with close 1009. A compressed message of one
    /// frame is held to it once inflated as well. Default: 16 MiB.
    #[uniffi(default = 16777216)]
    pub max_frame_size: u64,
    /// The largest message accepted, all fragments together; larger messages fail the session with
    /// close 1009. Default: 64 MiB. At most 2 GiB less 64 bytes, what the bindings can take; a
    /// larger value counts as that.
    #[uniffi(default = 67108864)]
    pub max_message_size: u64,
    /// Headers sent with every upgrade request, before the request's own. Default: none.
    #[uniffi(default = [])]
    pub default_headers: Vec<Header>,
    /// The `User-Agent` header value. Default: `None`, no `User-Agent` header.
    #[uniffi(default = None)]
    pub user_agent: Option<String>,
    /// TLS settings. Default: the system trust store, no extra roots.
    #[uniffi(default)]
    pub tls: TlsConfig,
    /// How many received messages may wait for the application before reading pauses (TCP
    /// backpressure). Zero counts as one. Default: 64.
    #[uniffi(default = 64)]
    pub incoming_queue_size: u32,
    /// How many payload bytes of received messages may wait for the application before reading
    /// pauses, besides their number (`incoming_queue_size`): a message is taken in while less
    /// than this waits, so one message of up to `max_message_size` always fits. Default: 16 MiB.
    #[uniffi(default = 16777216)]
    pub incoming_queue_bytes: u64,
    /// How many messages `send` may queue ahead of the socket before it waits (and at most 128
    /// KiB of them, so that pongs and the close frame never wait long behind them). Zero counts as
    /// one. Default: 64.
    #[uniffi(default = 64)]
    pub outgoing_queue_size: u32,
    /// permessage-deflate (RFC 7692): offered by default, as browsers and OkHttp do.
    #[uniffi(default)]
    pub deflate: DeflateConfig,
}

impl Default for WebSocketConfig {
    fn default() -> Self {
        WebSocketConfig {
            ping_interval: None,
            timeout: None,
            connect_timeout: None,
            close_timeout: None,
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            default_headers: Vec::new(),
            user_agent: None,
            tls: TlsConfig::default(),
            incoming_queue_size: DEFAULT_QUEUE_SIZE,
            incoming_queue_bytes: DEFAULT_INCOMING_QUEUE_BYTES,
            outgoing_queue_size: DEFAULT_QUEUE_SIZE,
            deflate: DeflateConfig::default(),
        }
    }
}

impl WebSocketConfig {
    /// The ping interval in force: `None` when pings are off.
    pub fn effective_ping_interval(&self) -> Option<Duration> {
        self.ping_interval.filter(|interval| !interval.is_zero())
    }

    /// The pong timeout in force.
    pub fn effective_timeout(&self) -> Duration {
        self.timeout.unwrap_or(DEFAULT_TIMEOUT)
    }

    /// The connect timeout in force.
    pub fn effective_connect_timeout(&self) -> Duration {
        self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT)
    }

    /// The close timeout in force.
    pub fn effective_close_timeout(&self) -> Duration {
        self.close_timeout.unwrap_or(DEFAULT_CLOSE_TIMEOUT)
    }

    /// The message size limit in force: `max_message_size`, at most [`MESSAGE_SIZE_CEILING`].
    pub fn effective_max_message_size(&self) -> u64 {
        self.max_message_size.min(MESSAGE_SIZE_CEILING)
    }
}

/// Rust-side constructors for the Kotlin-like builder style: `WebSocketConfig::default().with_ping_interval(..)`.
impl WebSocketConfig {
    /// Sets `ping_interval`.
    pub fn with_ping_interval(mut self, interval: Duration) -> Self {
        self.ping_interval = Some(interval);
        self
    }

    /// Sets `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets `connect_timeout`.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets `close_timeout`.
    pub fn with_close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = Some(timeout);
        self
    }

    /// Sets `max_frame_size`.
    pub fn with_max_frame_size(mut self, bytes: u64) -> Self {
        self.max_frame_size = bytes;
        self
    }

    /// Sets `max_message_size`.
    pub fn with_max_message_size(mut self, bytes: u64) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Adds a trusted root certificate (PEM).
    pub fn with_root_certificate_pem(mut self, pem: impl Into<String>) -> Self {
        self.tls.extra_root_certificates_pem.push(pem.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The literal after `#[uniffi(default = ` on the line before `field`'s declaration.
    fn binding_default(field: &str) -> u64 {
        let source = include_str!("config.rs");
        let lines: Vec<&str> = source.lines().collect();
        let at = lines
            .iter()
            .position(|line| line.trim_start().starts_with(&format!("pub {field}:")))
            .unwrap_or_else(|| panic!("no field {field}"));
        let attribute = lines[at - 1].trim();
        attribute
            .strip_prefix("#[uniffi(default = ")
            .and_then(|rest| rest.strip_suffix(")]"))
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("{field} has no numeric binding default: {attribute}"))
    }

    #[test]
    fn the_bindings_defaults_are_the_constants() {
        let defaults = WebSocketConfig::default();
        assert_eq!(binding_default("max_frame_size"), DEFAULT_MAX_FRAME_SIZE);
        assert_eq!(
            binding_default("max_message_size"),
            DEFAULT_MAX_MESSAGE_SIZE
        );
        let queue = u64::from(DEFAULT_QUEUE_SIZE);
        assert_eq!(binding_default("incoming_queue_size"), queue);
        assert_eq!(binding_default("outgoing_queue_size"), queue);
        assert_eq!(
            binding_default("incoming_queue_bytes"),
            DEFAULT_INCOMING_QUEUE_BYTES
        );
        assert_eq!(defaults.incoming_queue_bytes, DEFAULT_INCOMING_QUEUE_BYTES);
        assert_eq!(defaults.max_frame_size, DEFAULT_MAX_FRAME_SIZE);
        assert_eq!(defaults.max_message_size, DEFAULT_MAX_MESSAGE_SIZE);
        assert_eq!(u64::from(defaults.incoming_queue_size), queue);
        assert_eq!(u64::from(defaults.outgoing_queue_size), queue);
        let deflate = DeflateConfig::default();
        assert_eq!(
            binding_default("compression_level"),
            u64::from(deflate.compression_level)
        );
        assert_eq!(
            binding_default("compress_if_bigger_than"),
            u64::from(deflate.compress_if_bigger_than)
        );
        assert_eq!(
            binding_default("client_max_window_bits"),
            u64::from(deflate.client_max_window_bits)
        );
    }
}
