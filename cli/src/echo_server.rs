//! The embedded echo server used when no URL is given, so the first command works offline.

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;

/// Starts an echo server on 127.0.0.1 and returns its `ws://` URL.
pub async fn start() -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut socket) = tokio_tungstenite::accept_async(stream).await else {
                    return;
                };
                while let Some(Ok(message)) = socket.next().await {
                    if (message.is_text() || message.is_binary())
                        && socket.send(message).await.is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    Ok(format!("ws://{address}/echo"))
}
