//! An abnormal end (the connection ends or is reset without a close frame, or the peer goes
//! silent) is an error from `receive` and from the `incoming()` stream, never a normal end of the
//! messages; `close_reason` still completes with its code (1006, or 1011 for a ping timeout).
//! The Swift and Kotlin layers keep the same contract (their tests use the same three peers).

mod peers;

use std::time::Duration;

use futures_util::StreamExt;
use peers::{raw_server, server_frame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uniws::{CloseReason, Frame, WebSocketClient, WebSocketConfig, WebSocketError};

/// How the peer ends the session.
#[derive(Debug, Clone, Copy)]
enum Ending {
    /// Sends a message, then closes the TCP connection without a close frame.
    Eof,
    /// Sends a message, then resets the connection.
    Reset,
    /// Reads everything and never answers, pings included.
    Silent,
}

/// What `incoming()` yielded, and the close reason.
async fn incoming_until_the_end(ending: Ending) -> (Vec<uniws::Result<Frame>>, CloseReason) {
    let port = raw_server(move |mut stream: TcpStream| async move {
        peers::accept_raw(&mut stream, "").await;
        match ending {
            Ending::Eof => {
                let _ = stream.write_all(&server_frame(0x81, b"last words")).await;
            }
            Ending::Reset => {
                let _ = stream.write_all(&server_frame(0x81, b"last words")).await;
                tokio::time::sleep(Duration::from_millis(100)).await;
                // A zero linger resets the connection on drop, at once: nothing blocks.
                #[allow(deprecated)]
                let _ = stream.set_linger(Some(Duration::ZERO));
            }
            Ending::Silent => {
                let mut sink = [0; 1024];
                while matches!(stream.read(&mut sink).await, Ok(read) if read > 0) {}
            }
        }
    })
    .await;
    let config = WebSocketConfig {
        ping_interval: Some(Duration::from_millis(200)),
        timeout: Some(Duration::from_millis(200)),
        ..Default::default()
    };
    let session = WebSocketClient::new(config)
        .connect(&format!("ws://127.0.0.1:{port}/"))
        .await
        .unwrap();
    let items = tokio::time::timeout(
        Duration::from_secs(10),
        session.incoming().collect::<Vec<_>>(),
    )
    .await
    .expect("incoming did not end");
    let reason = tokio::time::timeout(Duration::from_secs(10), session.close_reason())
        .await
        .expect("close_reason did not complete");
    (items, reason)
}

#[tokio::test]
async fn the_connection_ending_without_a_close_frame_is_an_error() {
    let (items, reason) = incoming_until_the_end(Ending::Eof).await;
    assert!(
        matches!(
            &items[..],
            [Ok(Frame::Text { .. }), Err(WebSocketError::Io { .. })]
        ),
        "{items:?}"
    );
    assert_eq!(reason.code, CloseReason::CLOSED_ABNORMALLY);
}

#[tokio::test]
async fn a_reset_connection_is_an_error() {
    let (items, reason) = incoming_until_the_end(Ending::Reset).await;
    // The message before the reset may be lost with the connection; the end is an error.
    assert!(
        matches!(items.last(), Some(Err(WebSocketError::Io { .. }))),
        "{items:?}"
    );
    assert_eq!(reason.code, CloseReason::CLOSED_ABNORMALLY);
}

#[tokio::test]
async fn a_silent_peer_is_an_error() {
    let (items, reason) = incoming_until_the_end(Ending::Silent).await;
    assert!(
        matches!(&items[..], [Err(WebSocketError::PingTimeout { .. })]),
        "{items:?}"
    );
    assert_eq!(reason.code, CloseReason::INTERNAL_ERROR);
}
