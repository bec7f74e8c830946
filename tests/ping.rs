//! Keep-alive: pings at the configured interval, pong timeout detection within interval + timeout,
//! automatic answers to server pings, and settings changed on a live session.

mod peers;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use peers::{
    accept_raw, close_code, raw_server, scripted_server, server_frame, tungstenite_server,
    ExternalPeer,
};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use uniws::{Frame, WebSocketClient, WebSocketConfig, WebSocketError};

/// A tungstenite server that counts the pings it receives (tungstenite answers them itself).
async fn ping_counting_server() -> (peers::TungsteniteServer, Arc<AtomicUsize>) {
    let pings = Arc::new(AtomicUsize::new(0));
    let counter = pings.clone();
    let server = tungstenite_server(move |mut socket, _| {
        let counter = counter.clone();
        async move {
            while let Some(Ok(message)) = socket.next().await {
                if let Message::Ping(_) = message {
                    counter.fetch_add(1, Ordering::SeqCst);
                } else if (message.is_text() || message.is_binary())
                    && socket.send(message).await.is_err()
                {
                    return;
                }
            }
        }
    })
    .await;
    (server, pings)
}

#[tokio::test]
async fn pings_go_out_at_the_interval_and_pongs_keep_the_session_alive() {
    let (server, pings) = ping_counting_server().await;
    let config = WebSocketConfig {
        ping_interval: Some(Duration::from_millis(100)),
        timeout: Some(Duration::from_millis(300)),
        ..Default::default()
    };
    let session = WebSocketClient::new(config)
        .connect(&server.url("/"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1_050)).await;
    let count = pings.load(Ordering::SeqCst);
    assert!(
        (6..=11).contains(&count),
        "{count} pings in ~1 s at a 100 ms interval"
    );
    assert!(session.is_active(), "answered pings never time out");
    session.send_text("still here".into()).await.unwrap();
    assert_eq!(session.receive().await.unwrap(), Frame::text("still here"));
    session.close().await.unwrap();
}

#[tokio::test]
async fn silent_peer_is_detected_within_interval_plus_timeout() {
    // Reads the pings, never answers them.
    let (port, mut seen_rx) = scripted_server(Vec::new()).await;
    let interval = Duration::from_millis(200);
    let timeout = Duration::from_millis(300);
    let config = WebSocketConfig {
        ping_interval: Some(interval),
        timeout: Some(timeout),
        ..Default::default()
    };
    let session = WebSocketClient::new(config)
        .connect(&format!("ws://127.0.0.1:{port}/"))
        .await
        .unwrap();
    let started = Instant::now();
    let error = session.receive().await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(error, WebSocketError::PingTimeout { .. }),
        "{error:?}"
    );
    assert!(
        elapsed >= interval + timeout - Duration::from_millis(20),
        "too early: {elapsed:?}"
    );
    assert!(
        elapsed < interval + timeout + Duration::from_millis(700),
        "too late: {elapsed:?}"
    );
    let reason = session.close_reason().await;
    assert_eq!(
        (reason.code, reason.message.as_str()),
        (1011, "Ping timeout")
    );
    assert_eq!(close_code(&seen_rx.recv().await.unwrap()), Some(Some(1011)));
}

async fn answers_server_ping(peer: ExternalPeer) {
    let session = WebSocketClient::default()
        .connect(&peer.url("/ping"))
        .await
        .unwrap();
    // The peer only sends "pong" once our automatic pong reached it.
    let reply = tokio::time::timeout(Duration::from_secs(5), session.receive())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reply, Frame::text("pong"), "{}", peer.name);
    session.close().await.unwrap();
}

#[tokio::test]
async fn python_ping_is_answered_automatically() {
    answers_server_ping(ExternalPeer::python()).await;
}

#[tokio::test]
async fn node_ping_is_answered_automatically() {
    answers_server_ping(ExternalPeer::node()).await;
}

#[tokio::test]
async fn ping_payload_is_echoed_and_not_delivered() {
    let (pong_tx, mut pong_rx) = mpsc::unbounded_channel();
    let port = raw_server(move |mut stream: TcpStream| {
        let pong_tx = pong_tx.clone();
        async move {
            accept_raw(&mut stream, "").await;
            let mut bytes = server_frame(0x89, b"are you there");
            bytes.extend(server_frame(0x81, b"after ping"));
            let _ = stream.write_all(&bytes).await;
            let _ = pong_tx.send(peers::read_client_frame(&mut stream).await);
        }
    })
    .await;
    let session = peers::connect_raw(port).await;
    assert_eq!(
        session.receive().await.unwrap(),
        Frame::text("after ping"),
        "the ping itself is not delivered"
    );
    assert_eq!(
        pong_rx.recv().await.unwrap(),
        Some((0x8A, b"are you there".to_vec()))
    );
}

#[tokio::test]
async fn live_settings_change_the_running_session() {
    let (server, pings) = ping_counting_server().await;
    let session = WebSocketClient::default()
        .connect(&server.url("/"))
        .await
        .unwrap();
    assert_eq!(session.ping_interval(), None);
    assert_eq!(session.timeout(), Duration::from_secs(15));
    assert_eq!(session.max_frame_size(), 16 << 20);

    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(pings.load(Ordering::SeqCst), 0, "pings are off by default");
    session.set_ping_interval(Some(Duration::from_millis(100)));
    session.set_timeout(Duration::from_secs(2));
    assert_eq!(session.ping_interval(), Some(Duration::from_millis(100)));
    assert_eq!(session.timeout(), Duration::from_secs(2));
    tokio::time::sleep(Duration::from_millis(550)).await;
    let after_enabling = pings.load(Ordering::SeqCst);
    assert!(after_enabling >= 3, "{after_enabling} pings after enabling");
    session.set_ping_interval(None);
    tokio::time::sleep(Duration::from_millis(150)).await;
    let settled = pings.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        pings.load(Ordering::SeqCst),
        settled,
        "no pings once turned off"
    );

    session.set_max_frame_size(10);
    assert_eq!(session.max_frame_size(), 10);
    session
        .send_text("more than ten bytes".into())
        .await
        .unwrap();
    assert!(matches!(
        session.receive().await,
        Err(WebSocketError::FrameTooBig { .. })
    ));
    assert_eq!(session.close_reason().await.code, 1009);
}

#[tokio::test]
async fn a_backlog_the_application_has_not_read_is_not_a_ping_timeout() {
    let server = tungstenite_server(|mut socket, _| async move {
        for index in 0..100 {
            if socket
                .send(Message::text(format!("{index}")))
                .await
                .is_err()
            {
                return;
            }
        }
        // Keep answering pings (tungstenite does so while reading).
        while let Some(Ok(_)) = socket.next().await {}
    })
    .await;
    let config = WebSocketConfig {
        ping_interval: Some(Duration::from_millis(100)),
        timeout: Some(Duration::from_millis(200)),
        incoming_queue_size: 1,
        ..Default::default()
    };
    let session = WebSocketClient::new(config)
        .connect(&server.url("/"))
        .await
        .unwrap();
    // Not reading for far longer than interval + timeout: the pongs sit behind the backlog.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    for index in 0..100 {
        assert_eq!(
            session.receive().await.unwrap(),
            Frame::text(index.to_string())
        );
    }
    assert!(session.is_active());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        session.is_active(),
        "pongs are read again once the backlog is gone"
    );
    session.close().await.unwrap();
}

/// A ping is answered ahead of anything the application sends after reading the messages behind
/// it, however fast the application answers them (Autobahn case 5.19 checks this order too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pong_goes_out_before_an_answer_to_a_later_message() {
    let mut script = server_frame(0x89, b"ping first");
    script.extend(server_frame(0x81, b"question"));
    let (port, mut seen) = scripted_server(script).await;
    for round in 0..20 {
        let session = peers::connect_raw(port).await;
        assert_eq!(session.receive().await.unwrap(), Frame::text("question"));
        session.send_text("answer".into()).await.unwrap();
        session.close().await.unwrap_or_default();
        let frames = seen.recv().await.unwrap();
        let order: Vec<u8> = frames.iter().map(|(first, _)| first & 0x0f).collect();
        assert_eq!(
            order[..2],
            [0xA, 0x1],
            "round {round}: pong, then the answer ({frames:?})"
        );
    }
}

/// A receive call that waited and was cancelled leaves the reader to its task: a ping that arrives
/// afterwards, with no call waiting, is still answered.
#[tokio::test]
async fn a_ping_is_answered_after_a_waiting_receive_was_cancelled() {
    let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
    let go = Arc::new(tokio::sync::Mutex::new(Some(go_rx)));
    let (pong_tx, mut pong_rx) = mpsc::unbounded_channel();
    let port = raw_server(move |mut stream: TcpStream| {
        let (go, pong_tx) = (go.clone(), pong_tx.clone());
        async move {
            accept_raw(&mut stream, "").await;
            let go = go.lock().await.take().expect("one connection");
            let _ = go.await;
            let _ = stream.write_all(&server_frame(0x89, b"still there?")).await;
            let _ = pong_tx.send(peers::read_client_frame(&mut stream).await);
        }
    })
    .await;
    let session = peers::connect_raw(port).await;
    assert!(
        tokio::time::timeout(Duration::from_millis(100), session.receive())
            .await
            .is_err(),
        "nothing to receive yet"
    );
    go_tx.send(()).unwrap();
    let pong = tokio::time::timeout(Duration::from_secs(5), pong_rx.recv())
        .await
        .expect("the ping is answered without a receive call");
    assert_eq!(pong.unwrap(), Some((0x8A, b"still there?".to_vec())));
}
