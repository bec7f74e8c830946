//! Every way a session can end completes `closeReason`, within the close timeout, with the right
//! code: client close, server close (with and without a code), silence, drop.

mod peers;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use peers::{
    accept_raw, close_code, close_payload, raw_server, read_client_close, scripted_server,
    server_frame, tungstenite_server, ExternalPeer,
};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use uniws::{CloseReason, Frame, WebSocketClient, WebSocketConfig, WebSocketError};

#[tokio::test]
async fn client_close_is_seen_by_the_server_with_code_and_reason() {
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel();
    let server = tungstenite_server(move |mut socket, _| {
        let seen_tx = seen_tx.clone();
        async move {
            while let Some(Ok(message)) = socket.next().await {
                if let Message::Close(frame) = message {
                    let _ = seen_tx.send(frame.map(|f| (u16::from(f.code), f.reason.to_string())));
                }
            }
        }
    })
    .await;
    let session = WebSocketClient::default()
        .connect(&server.url("/"))
        .await
        .unwrap();
    session
        .close_with(Some(CloseReason::new(CloseReason::GOING_AWAY, "bye")))
        .await
        .unwrap();
    assert_eq!(
        seen_rx.recv().await.unwrap(),
        Some((1001, "bye".to_owned()))
    );
    // The server echoed our close, so that is the reason reported.
    assert_eq!(session.close_reason().await, CloseReason::new(1001, "bye"));
    assert!(!session.is_active());
    assert!(matches!(
        session.send_text("after".into()).await,
        Err(WebSocketError::Closed { .. })
    ));
    // Closing again is harmless.
    session.close().await.unwrap();
}

async fn server_initiated_close(peer: &ExternalPeer) {
    let session = WebSocketClient::default()
        .connect(&peer.url("/close?code=4001&reason=server%20says%20bye"))
        .await
        .unwrap();
    match session.receive().await {
        Err(WebSocketError::Closed { reason, .. }) => assert_eq!(
            reason,
            CloseReason::new(4001, "server says bye"),
            "{}",
            peer.name
        ),
        other => panic!("{}: expected Closed, got {other:?}", peer.name),
    }
    assert_eq!(
        session.close_reason().await,
        CloseReason::new(4001, "server says bye")
    );
}

#[tokio::test]
async fn python_server_close_carries_code_and_reason() {
    server_initiated_close(&ExternalPeer::python()).await;
}

#[tokio::test]
async fn node_server_close_carries_code_and_reason() {
    server_initiated_close(&ExternalPeer::node()).await;
}

#[tokio::test]
async fn server_close_is_echoed() {
    let (port, mut seen_rx) =
        scripted_server(server_frame(0x88, &close_payload(1000, "done"))).await;
    let session = peers::connect_raw(port).await;
    assert_eq!(session.close_reason().await, CloseReason::new(1000, "done"));
    assert_eq!(
        close_code(&seen_rx.recv().await.unwrap()),
        Some(Some(1000)),
        "the close frame is echoed with its code"
    );
}

#[tokio::test]
async fn empty_server_close_reports_1005() {
    let port = raw_server(|mut stream: TcpStream| async move {
        accept_raw(&mut stream, "").await;
        let _ = stream.write_all(&server_frame(0x88, b"")).await;
        let _ = read_client_close(&mut stream).await;
    })
    .await;
    let session = peers::connect_raw(port).await;
    assert_eq!(session.close_reason().await.code, 1005);
}

#[tokio::test]
async fn close_times_out_when_the_server_never_answers() {
    let port = raw_server(|mut stream: TcpStream| async move {
        accept_raw(&mut stream, "").await;
        let _ = read_client_close(&mut stream).await;
        // Reads the close, never answers, keeps the connection open.
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let config = WebSocketConfig {
        close_timeout: Some(Duration::from_millis(400)),
        ..Default::default()
    };
    let session = WebSocketClient::new(config)
        .connect(&format!("ws://127.0.0.1:{port}/"))
        .await
        .unwrap();
    let started = Instant::now();
    session.close().await.unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(400) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
    let reason = session.close_reason().await;
    assert_eq!(reason.code, 1006, "{reason}");
    assert!(reason.message.contains("no close frame"), "{reason}");
}

#[tokio::test]
async fn dropping_the_session_closes_it() {
    let (port, mut seen_rx) = scripted_server(Vec::new()).await;
    let session = peers::connect_raw(port).await;
    session
        .send_text("queued before drop".into())
        .await
        .unwrap();
    drop(session);
    let frames = tokio::time::timeout(Duration::from_secs(5), seen_rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        frames[0],
        (0x81, b"queued before drop".to_vec()),
        "queued frames are still sent"
    );
    assert_eq!(frames.last().unwrap().0, 0x88);
    assert_eq!(&frames.last().unwrap().1[..2], &1000u16.to_be_bytes());
}

#[tokio::test]
async fn frames_sent_before_close_arrive_before_it() {
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel();
    let server = tungstenite_server(move |mut socket, _| {
        let seen_tx = seen_tx.clone();
        async move {
            let mut texts = Vec::new();
            while let Some(Ok(message)) = socket.next().await {
                match message {
                    Message::Text(text) => texts.push(text.to_string()),
                    Message::Close(_) => break,
                    _ => {}
                }
            }
            let _ = seen_tx.send(texts);
        }
    })
    .await;
    let session = WebSocketClient::default()
        .connect(&server.url("/"))
        .await
        .unwrap();
    for index in 0..200 {
        session.send_text(format!("{index}")).await.unwrap();
    }
    session.close().await.unwrap();
    let texts = seen_rx.recv().await.unwrap();
    assert_eq!(texts, (0..200).map(|i| i.to_string()).collect::<Vec<_>>());
}

#[tokio::test]
async fn invalid_close_requests_are_refused_without_closing() {
    let server = peers::echo_server().await;
    let session = WebSocketClient::default()
        .connect(&server.url("/"))
        .await
        .unwrap();
    for code in [999, 1005, 1006, 1015] {
        let error = session
            .close_with(Some(CloseReason::new(code, "")))
            .await
            .unwrap_err();
        assert!(
            matches!(error, WebSocketError::InvalidRequest { .. }),
            "{code}: {error:?}"
        );
    }
    let long = CloseReason::new(1000, "x".repeat(124));
    assert!(matches!(
        session.close_with(Some(long)).await,
        Err(WebSocketError::InvalidRequest { .. })
    ));
    assert!(matches!(
        session
            .send(Frame::Ping {
                data: vec![0; 126].into()
            })
            .await,
        Err(WebSocketError::InvalidRequest { .. })
    ));
    assert!(session.is_active());
    session.send_text("still open".into()).await.unwrap();
    assert_eq!(session.receive().await.unwrap(), Frame::text("still open"));
    session.close().await.unwrap();
}

#[tokio::test]
async fn server_sending_data_after_our_close_is_still_delivered() {
    let port = raw_server(|mut stream: TcpStream| async move {
        accept_raw(&mut stream, "").await;
        let _ = read_client_close(&mut stream).await;
        // RFC 6455 lets the server finish sending before it answers the close.
        let mut bytes = server_frame(0x81, b"straggler");
        bytes.extend(server_frame(0x88, &close_payload(1000, "ok")));
        let _ = stream.write_all(&bytes).await;
    })
    .await;
    let session = peers::connect_raw(port).await;
    let closing = {
        let session = session.clone();
        tokio::spawn(async move { session.close().await })
    };
    assert_eq!(session.receive().await.unwrap(), Frame::text("straggler"));
    closing.await.unwrap().unwrap();
    assert_eq!(session.close_reason().await, CloseReason::new(1000, "ok"));
    assert!(matches!(
        session.receive().await,
        Err(WebSocketError::Closed { .. })
    ));
}

#[tokio::test]
async fn an_empty_close_frame_is_sent_as_empty() {
    let (port, mut seen_rx) = scripted_server(Vec::new()).await;
    let session = peers::connect_raw(port).await;
    session.send(Frame::Close { reason: None }).await.unwrap();
    assert_eq!(close_code(&seen_rx.recv().await.unwrap()), Some(None));
}
