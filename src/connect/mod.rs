//! Opening a connection: DNS, TCP, TLS and the HTTP upgrade, all within one connect timeout.

pub(crate) mod handshake;
mod pinning;
pub(crate) mod tls;

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::call::HttpCall;
use crate::config::WebSocketConfig;
use crate::error::{Result, WebSocketError};
use crate::extensions::Negotiated;
use crate::request::ResolvedRequest;

/// The read side of an open connection.
pub(crate) type ReadHalf = Box<dyn AsyncRead + Send + Unpin>;
/// The write side of an open connection.
pub(crate) type WriteHalf = Box<dyn AsyncWrite + Send + Unpin>;

/// An upgraded connection, ready for WebSocket frames.
pub(crate) struct Connection {
    /// Frames from the server.
    pub reader: ReadHalf,
    /// Frames to the server.
    pub writer: WriteHalf,
    /// Bytes already read past the response head.
    pub leftover: Vec<u8>,
    /// The call metadata.
    pub call: HttpCall,
    /// The extensions the server accepted.
    pub extensions: Negotiated,
}

/// The steps of opening, for the timeout's message.
const STEPS: [&str; 4] = [
    "resolving the host",
    "connecting TCP",
    "the TLS handshake",
    "waiting for the upgrade response",
];

/// Opens `request` within `timeout`.
pub(crate) async fn open(
    request: &ResolvedRequest,
    tls: Option<Arc<ClientConfig>>,
    config: &WebSocketConfig,
    timeout: Duration,
) -> Result<Connection> {
    let step = AtomicU8::new(0);
    match tokio::time::timeout(timeout, open_steps(request, tls, config, &step)).await {
        Ok(result) => result,
        Err(_) => Err(WebSocketError::ConnectTimeout {
            detail: format!(
                "no WebSocket session to {} within {timeout:?} (still {})",
                request.url,
                STEPS[usize::from(step.load(Ordering::Relaxed))]
            ),
        }),
    }
}

async fn open_steps(
    request: &ResolvedRequest,
    tls: Option<Arc<ClientConfig>>,
    config: &WebSocketConfig,
    step: &AtomicU8,
) -> Result<Connection> {
    let tcp = connect_tcp(&request.host, request.port, step).await?;
    if request.secure {
        step.store(2, Ordering::Relaxed);
        let tls = tls.ok_or_else(|| WebSocketError::Tls {
            detail: "no TLS configuration".into(),
        })?;
        let name =
            ServerName::try_from(request.host.clone()).map_err(|error| WebSocketError::Tls {
                detail: format!("`{}`: {error}", request.host),
            })?;
        let mut stream = TlsConnector::from(tls)
            .connect(name, tcp)
            .await
            .map_err(|error| WebSocketError::Tls {
                detail: tls::tls_failure(&error).unwrap_or_else(|| error.to_string()),
            })?;
        step.store(3, Ordering::Relaxed);
        let upgraded = handshake::upgrade(&mut stream, request, config).await?;
        let (reader, writer) = tokio::io::split(stream);
        Ok(Connection {
            reader: Box::new(reader),
            writer: Box::new(writer),
            leftover: upgraded.leftover,
            call: upgraded.call,
            extensions: upgraded.extensions,
        })
    } else {
        step.store(3, Ordering::Relaxed);
        let mut stream = tcp;
        let upgraded = handshake::upgrade(&mut stream, request, config).await?;
        let (reader, writer) = stream.into_split();
        Ok(Connection {
            reader: Box::new(reader),
            writer: Box::new(writer),
            leftover: upgraded.leftover,
            call: upgraded.call,
            extensions: upgraded.extensions,
        })
    }
}

/// Resolves `host` and connects to its addresses in order until one accepts.
async fn connect_tcp(host: &str, port: u16, step: &AtomicU8) -> Result<TcpStream> {
    let addresses: Vec<_> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|error| WebSocketError::ConnectFailed {
            detail: format!("cannot resolve `{host}`: {error}"),
        })?
        .collect();
    if addresses.is_empty() {
        return Err(WebSocketError::ConnectFailed {
            detail: format!("`{host}` resolved to no address"),
        });
    }
    step.store(1, Ordering::Relaxed);
    let mut failures = Vec::new();
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => {
                // Small frames go out at once; the writer batches on its own.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(error) => failures.push(format!("{address}: {error}")),
        }
    }
    Err(WebSocketError::ConnectFailed {
        detail: format!("cannot connect to {host}:{port} ({})", failures.join("; ")),
    })
}
