//! The client as the bindings see it.

use std::sync::Arc;

use super::{CancellationToken, FfiSession};
use crate::client::WebSocketClient;
use crate::config::WebSocketConfig;
use crate::error::Result;
use crate::request::WebSocketRequest;

/// Opens WebSocket sessions with one configuration (the Rust [`WebSocketClient`], for the
/// bindings).
#[derive(Debug, uniffi::Object)]
pub(crate) struct FfiClient {
    client: WebSocketClient,
}

#[uniffi::export]
impl FfiClient {
    /// A client with `config` (default: `WebSocketConfig()`). Never fails: a bad TLS setting is
    /// reported by the first `wss://` session it affects.
    #[uniffi::constructor(default(config))]
    pub(crate) fn new(config: WebSocketConfig) -> Arc<Self> {
        Arc::new(FfiClient {
            client: WebSocketClient::new(config),
        })
    }

    /// The configuration this client was built with.
    pub(crate) fn config(&self) -> WebSocketConfig {
        self.client.config().clone()
    }

    /// Opens a session: resolves and checks the request (before any I/O), connects, upgrades, and
    /// starts the session, all within the connect timeout, on the runtime the library owns.
    ///
    /// Errors: `InvalidUrl`, `InvalidRequest`, `ConnectFailed`, `ConnectTimeout`, `Tls`,
    /// `HandshakeRejected`, `HandshakeInvalid`, `Io`, and `Cancelled` if the caller goes away.
    pub(crate) async fn web_socket_session(
        &self,
        request: WebSocketRequest,
    ) -> Result<Arc<FfiSession>> {
        let session = self.client.web_socket_session(request).await?;
        Ok(Arc::new(FfiSession::new(session)))
    }

    /// [`web_socket_session`](Self::web_socket_session) that gives up with `Cancelled` as soon as
    /// `token` is cancelled, closing the half-open connection.
    pub(crate) async fn web_socket_session_with_cancellation(
        &self,
        request: WebSocketRequest,
        token: Arc<CancellationToken>,
    ) -> Result<Arc<FfiSession>> {
        token
            .run("opening the session", self.web_socket_session(request))
            .await
    }
}
