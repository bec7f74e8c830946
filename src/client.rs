//! The client: configuration shared by the sessions it opens, like a Ktor `HttpClient` with the
//! WebSockets plugin installed.

use std::future::Future;
use std::sync::Arc;

use rustls::ClientConfig;

use crate::config::WebSocketConfig;
use crate::connect::{self, tls};
use crate::error::Result;
use crate::request::{resolve, WebSocketRequest};
use crate::runtime::run_on_runtime;
use crate::session::ClientWebSocketSession;

/// Opens WebSocket sessions with one configuration.
///
/// ```no_run
/// # async fn demo() -> uniws::Result<()> {
/// use uniws::{WebSocketClient, WebSocketConfig, WebSocketRequest};
///
/// let client = WebSocketClient::new(WebSocketConfig::default());
/// let session = client
///     .web_socket_session(WebSocketRequest::new("wss://example.com/ws").header("Authorization", "Bearer token"))
///     .await?;
/// session.send_text("Hello!".into()).await?;
/// let reply = session.receive().await?;
/// session.close().await?;
/// # let _ = reply; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct WebSocketClient {
    config: WebSocketConfig,
    /// Built once; an unreadable CA bundle fails every `wss://` open with the same `Tls` error.
    tls: Result<Arc<ClientConfig>>,
}

impl WebSocketClient {
    /// A client with `config`. Never fails: a bad TLS setting is reported by the first `wss://`
    /// session it affects.
    pub fn new(config: WebSocketConfig) -> Self {
        let tls = tls::client_config(&config.tls);
        WebSocketClient { config, tls }
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &WebSocketConfig {
        &self.config
    }

    /// Opens a session: resolves and checks the request (before any I/O), connects, upgrades, and
    /// starts the session, all within the connect timeout.
    ///
    /// Called from inside a tokio runtime (a Rust application), the session's socket and tasks live
    /// on that runtime, as with any tokio library: keep it running while the session is in use.
    /// Called from anywhere else (Swift, Kotlin, a plain thread), they live on a runtime the library
    /// owns.
    ///
    /// Errors: `InvalidUrl`, `InvalidRequest`, `ConnectFailed`, `ConnectTimeout`, `Tls`,
    /// `HandshakeRejected`, `HandshakeInvalid`, `Io`, and `Cancelled` if the caller goes away.
    pub async fn web_socket_session(
        &self,
        request: WebSocketRequest,
    ) -> Result<Arc<ClientWebSocketSession>> {
        let resolved = resolve(&request, &self.config.default_headers)?;
        let tls = if resolved.secure {
            Some(self.tls.clone()?)
        } else {
            None
        };
        let timeout = request
            .connect_timeout
            .unwrap_or_else(|| self.config.effective_connect_timeout());
        let config = self.config.clone();
        run_on_runtime(async move {
            let connection = connect::open(&resolved, tls, &config, timeout).await?;
            Ok(ClientWebSocketSession::start(connection, &config))
        })
        .await
    }

    /// Opens a session for `url` (a shortcut for [`web_socket_session`](Self::web_socket_session)).
    pub async fn connect(&self, url: &str) -> Result<Arc<ClientWebSocketSession>> {
        self.web_socket_session(WebSocketRequest::new(url)).await
    }

    /// Opens a session, runs `block` with it, and closes it when the block returns, like Ktor's
    /// `client.webSocket(url) { ... }`. The block's result is returned after the close; an error
    /// from the block closes the session as well and is returned.
    ///
    /// ```no_run
    /// # async fn demo(client: &uniws::WebSocketClient) -> uniws::Result<()> {
    /// let reply = client
    ///     .web_socket("ws://127.0.0.1:8080/echo".into(), |session| async move {
    ///         session.send_text("ping".into()).await?;
    ///         session.receive().await
    ///     })
    ///     .await?;
    /// # let _ = reply; Ok(()) }
    /// ```
    pub async fn web_socket<F, Fut, T>(&self, request: WebSocketRequest, block: F) -> Result<T>
    where
        F: FnOnce(Arc<ClientWebSocketSession>) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let session = self.web_socket_session(request).await?;
        let outcome = block(session.clone()).await;
        let closed = session.close().await;
        let value = outcome?;
        closed.map(|()| value)
    }
}

impl Default for WebSocketClient {
    fn default() -> Self {
        WebSocketClient::new(WebSocketConfig::default())
    }
}
