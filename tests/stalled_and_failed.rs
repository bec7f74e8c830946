//! Peers that misbehave in time, and applications that let go of a failed session at once: every
//! close and drop ends within the close timeout even when the peer never reads, the ping timeout
//! fires while writes are stuck, and the close code the server reads is the one `close_reason`
//! reports however the application lets go.

mod peers;

use std::sync::Arc;
use std::time::{Duration, Instant};

use peers::{close_code, raw_server, scripted_server, server_frame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uniws::{
    ClientWebSocketSession, CloseReason, WebSocketClient, WebSocketConfig, WebSocketError,
};

/// A server that upgrades, reads the first `budget` bytes the client sends, and then never reads
/// again. It writes a ping every 100 ms, and tells through the returned channel when a write fails:
/// the client has let go of the connection (a closed socket answers with a reset), which reading
/// could not show.
async fn server_that_stops_reading(
    budget: usize,
) -> (u16, tokio::sync::mpsc::UnboundedReceiver<Instant>) {
    let (gone_tx, gone_rx) = tokio::sync::mpsc::unbounded_channel();
    let port = raw_server(move |mut stream: TcpStream| {
        let gone_tx = gone_tx.clone();
        async move {
            peers::accept_raw(&mut stream, "").await;
            let mut read = vec![0; budget];
            if stream.read_exact(&mut read).await.is_err() {
                return;
            }
            let ping = server_frame(0x89, b"");
            for _ in 0..600 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if stream.write_all(&ping).await.is_err() {
                    let _ = gone_tx.send(Instant::now());
                    return;
                }
            }
        }
    })
    .await;
    (port, gone_rx)
}

/// Sends 1 MiB messages until the send waits (the socket buffers and the outbox are full),
/// leaving that send running; returns the task.
async fn fill_until_stuck(session: &Arc<ClientWebSocketSession>) -> tokio::task::JoinHandle<()> {
    let payload = bytes::Bytes::from(vec![7u8; 1 << 20]);
    for _ in 0..200 {
        let sending = {
            let session = session.clone();
            let payload = payload.clone();
            tokio::spawn(async move {
                let _ = session.send_binary(payload).await;
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        if !sending.is_finished() {
            return sending;
        }
    }
    panic!("the peer never stopped taking data");
}

async fn connect(port: u16, config: WebSocketConfig) -> Arc<ClientWebSocketSession> {
    WebSocketClient::new(config)
        .connect(&format!("ws://127.0.0.1:{port}/"))
        .await
        .unwrap()
}

fn close_timeout(seconds: u64) -> WebSocketConfig {
    WebSocketConfig {
        close_timeout: Some(Duration::from_secs(seconds)),
        ..Default::default()
    }
}

/// Against a peer that stopped reading once it had taken `budget` bytes: with the writes stuck,
/// `close()` returns within the close timeout (1 s) and some slack, the session ends as 1006, and
/// the connection is then released, not held open behind the stuck writes.
async fn close_is_bounded_when_the_peer_stops_reading(budget: usize) {
    let (port, mut gone) = server_that_stops_reading(budget).await;
    let session = connect(port, close_timeout(1)).await;
    let _stuck = fill_until_stuck(&session).await;
    let started = Instant::now();
    let closed = tokio::time::timeout(Duration::from_secs(10), session.close())
        .await
        .expect("close() hung although the close timeout is 1 s");
    closed.unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "close() took {took:?}");
    let reason = session.close_reason_now().expect("the session has ended");
    assert_eq!(reason.code, CloseReason::CLOSED_ABNORMALLY, "{reason:?}");
    tokio::time::timeout(Duration::from_secs(5), gone.recv())
        .await
        .expect("the client kept the connection open")
        .unwrap();
}

#[tokio::test]
async fn close_returns_within_the_close_timeout_when_the_peer_never_reads() {
    close_is_bounded_when_the_peer_stops_reading(0).await;
}

#[tokio::test]
async fn close_returns_within_the_close_timeout_when_the_peer_reads_then_stops() {
    close_is_bounded_when_the_peer_stops_reading(3 << 20).await;
}

#[tokio::test]
async fn a_peer_that_drips_its_bytes_still_delivers_whole_messages() {
    let port = raw_server(|mut stream: TcpStream| async move {
        peers::accept_raw(&mut stream, "").await;
        let frames = [
            server_frame(0x81, "drip, drop: é".as_bytes()),
            server_frame(0x82, &[7; 200]),
        ]
        .concat();
        for byte in frames {
            if stream.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_secs(10)).await;
    })
    .await;
    let session = connect(port, WebSocketConfig::default()).await;
    let first = tokio::time::timeout(Duration::from_secs(10), session.receive())
        .await
        .unwrap();
    assert_eq!(first.unwrap(), uniws::Frame::text("drip, drop: é"));
    let second = tokio::time::timeout(Duration::from_secs(10), session.receive())
        .await
        .unwrap();
    assert_eq!(second.unwrap(), uniws::Frame::binary(vec![7; 200]));
}

#[tokio::test]
async fn a_reset_in_the_middle_of_a_frame_is_an_error_not_a_message() {
    let port = raw_server(|mut stream: TcpStream| async move {
        peers::accept_raw(&mut stream, "").await;
        let frame = server_frame(0x82, &[9; 1000]);
        let _ = stream.write_all(&frame[..500]).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        // A zero linger resets the connection on drop, at once: nothing blocks.
        #[allow(deprecated)]
        let _ = stream.set_linger(Some(Duration::ZERO));
    })
    .await;
    let session = connect(port, WebSocketConfig::default()).await;
    let received = tokio::time::timeout(Duration::from_secs(5), session.receive())
        .await
        .expect("receive hung after the reset");
    assert!(
        matches!(received, Err(WebSocketError::Io { .. })),
        "{received:?}"
    );
    let reason = tokio::time::timeout(Duration::from_secs(5), session.close_reason())
        .await
        .unwrap();
    assert_eq!(reason.code, CloseReason::CLOSED_ABNORMALLY);
}

#[tokio::test]
async fn a_peer_that_holds_the_connection_after_its_close_frame_is_left_within_the_close_timeout() {
    let (gone_tx, mut gone) = tokio::sync::mpsc::unbounded_channel();
    let port = raw_server(move |mut stream: TcpStream| {
        let gone_tx = gone_tx.clone();
        async move {
            peers::accept_raw(&mut stream, "").await;
            let _ = stream
                .write_all(&server_frame(0x88, &peers::close_payload(1001, "bye")))
                .await;
            // Reads the echo and whatever follows, but never ends the connection itself; a
            // write fails once the client has let go of its side entirely.
            let mut sink = [0; 1024];
            while matches!(stream.read(&mut sink).await, Ok(read) if read > 0) {}
            for _ in 0..300 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if stream.write_all(&server_frame(0x89, b"")).await.is_err() {
                    let _ = gone_tx.send(Instant::now());
                    return;
                }
            }
        }
    })
    .await;
    let session = connect(port, close_timeout(1)).await;
    let started = Instant::now();
    let reason = tokio::time::timeout(Duration::from_secs(10), session.close_reason())
        .await
        .expect("the session waited for the peer to end the connection");
    assert_eq!(reason, CloseReason::new(1001, "bye"));
    // The session waited for the peer to end the connection, as RFC 6455 prefers, but only for
    // the close timeout.
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    tokio::time::timeout(Duration::from_secs(5), gone.recv())
        .await
        .expect("the client kept the connection open")
        .unwrap();
}

#[tokio::test]
async fn a_dropped_session_lets_go_of_its_connection_when_the_peer_never_reads() {
    let (port, mut gone) = server_that_stops_reading(0).await;
    let session = connect(port, close_timeout(1)).await;
    let stuck = fill_until_stuck(&session).await;
    stuck.abort();
    let _ = stuck.await;
    let dropped = Instant::now();
    drop(session);
    // Within the close timeout (1 s) and some slack, the connection is gone, not held open for
    // as long as the peer keeps it.
    let gone_at = tokio::time::timeout(Duration::from_secs(5), gone.recv())
        .await
        .expect("a dropped session kept its connection")
        .unwrap();
    assert!(gone_at.duration_since(dropped) < Duration::from_secs(3));
}

#[tokio::test]
async fn the_ping_timeout_fires_while_writes_are_stuck() {
    let (port, _gone) = server_that_stops_reading(0).await;
    let config = WebSocketConfig {
        ping_interval: Some(Duration::from_millis(300)),
        timeout: Some(Duration::from_millis(300)),
        close_timeout: Some(Duration::from_secs(1)),
        ..Default::default()
    };
    let session = connect(port, config).await;
    let _stuck = fill_until_stuck(&session).await;
    let started = Instant::now();
    let received = tokio::time::timeout(Duration::from_secs(5), session.receive())
        .await
        .expect("no ping timeout while writes were stuck");
    assert!(
        matches!(received, Err(WebSocketError::PingTimeout { .. })),
        "{received:?}"
    );
    let reason = tokio::time::timeout(Duration::from_secs(5), session.close_reason())
        .await
        .expect("the session did not end after its ping timeout");
    assert_eq!(reason.code, CloseReason::INTERNAL_ERROR);
    assert!(started.elapsed() < Duration::from_secs(4));
}

/// How the application lets go of a session right after `receive` failed.
#[derive(Debug, Clone, Copy)]
enum LetGo {
    Drop,
    Close,
}

/// A server sends `script`; the application lets go as `let_go` once `receive` fails (or, with
/// `read_first` false, without reading at all). Returns what `close_reason` said (when the
/// application closed; a dropped session cannot be asked) and the code the server read.
async fn fail_and_let_go(
    script: Vec<u8>,
    let_go: LetGo,
    read_first: bool,
) -> (Option<u16>, Option<u16>) {
    let (port, mut frames) = scripted_server(script).await;
    let session = connect(port, WebSocketConfig::default()).await;
    if read_first {
        while session.receive().await.is_ok() {}
    } else {
        // The violation arrives behind messages the application never reads.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let reported = match let_go {
        LetGo::Drop => {
            drop(session);
            None
        }
        LetGo::Close => {
            session.close().await.unwrap();
            Some(session.close_reason().await.code)
        }
    };
    let seen = tokio::time::timeout(Duration::from_secs(10), frames.recv())
        .await
        .expect("the server saw the connection end")
        .unwrap();
    (reported, close_code(&seen).flatten())
}

#[tokio::test]
async fn the_failure_code_goes_on_the_wire_however_the_application_lets_go() {
    let reserved_bit = server_frame(0xc1, b"rsv1");
    let mut bad_close = vec![0x88, 2];
    bad_close.extend(999u16.to_be_bytes());
    for round in 0..10 {
        for (let_go, script) in [
            (LetGo::Drop, reserved_bit.clone()),
            (LetGo::Close, reserved_bit.clone()),
            (LetGo::Drop, bad_close.clone()),
            (LetGo::Close, bad_close.clone()),
        ] {
            let (reported, on_wire) = fail_and_let_go(script, let_go, true).await;
            if let Some(reported) = reported {
                assert_eq!(
                    reported,
                    CloseReason::PROTOCOL_ERROR,
                    "round {round}, {let_go:?}"
                );
            }
            assert_eq!(
                on_wire,
                Some(CloseReason::PROTOCOL_ERROR),
                "round {round}, {let_go:?}: the server read another code than close_reason's"
            );
        }
    }
}

#[tokio::test]
async fn a_violation_behind_unread_messages_still_sends_its_code_when_dropped() {
    let mut script = Vec::new();
    for index in 0..3u8 {
        script.extend(server_frame(0x81, &[b'0' + index]));
    }
    script.extend(server_frame(0xc1, b"rsv1"));
    for let_go in [LetGo::Drop, LetGo::Close] {
        let started = Instant::now();
        let (reported, on_wire) = fail_and_let_go(script.clone(), let_go, false).await;
        if let Some(reported) = reported {
            assert_eq!(reported, CloseReason::PROTOCOL_ERROR, "{let_go:?}");
        }
        assert_eq!(on_wire, Some(CloseReason::PROTOCOL_ERROR), "{let_go:?}");
        // Letting go means reading no further: the failure need not wait for the close timeout.
        assert!(started.elapsed() < Duration::from_secs(3), "{let_go:?}");
    }
}

#[tokio::test]
async fn unread_large_messages_pause_reading_at_the_byte_bound_and_none_is_lost() {
    const MESSAGES: u8 = 48;
    let (written_tx, written_rx) = tokio::sync::oneshot::channel();
    let written_tx = std::sync::Mutex::new(Some(written_tx));
    let port = raw_server(move |mut stream: TcpStream| {
        let written_tx = written_tx.lock().unwrap().take();
        async move {
            peers::accept_raw(&mut stream, "").await;
            for index in 0..MESSAGES {
                let frame = server_frame(0x82, &vec![index; 1 << 20]);
                if stream.write_all(&frame).await.is_err() {
                    return;
                }
            }
            if let Some(written_tx) = written_tx {
                let _ = written_tx.send(());
            }
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    })
    .await;
    let config = WebSocketConfig {
        incoming_queue_bytes: 4 << 20,
        ..Default::default()
    };
    let session = connect(port, config).await;
    // Not reading: the client takes in 4 MiB (the message count bound, 64, is far off), the
    // socket buffers hold a few more, and the server's writes wait.
    let mut written_rx = written_rx;
    assert!(
        tokio::time::timeout(Duration::from_secs(2), &mut written_rx)
            .await
            .is_err(),
        "the client took in {MESSAGES} MiB although its incoming queue holds 4 MiB"
    );
    for index in 0..MESSAGES {
        let received = tokio::time::timeout(Duration::from_secs(10), session.receive())
            .await
            .expect("reading did not resume")
            .unwrap();
        match received {
            uniws::Frame::Binary { data } => {
                assert_eq!(data.len(), 1 << 20);
                assert!(data.iter().all(|&byte| byte == index), "message {index}");
            }
            other => panic!("{other:?}"),
        }
    }
    tokio::time::timeout(Duration::from_secs(5), written_rx)
        .await
        .expect("the server's writes never finished")
        .unwrap();
}
