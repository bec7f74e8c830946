//! The opening handshake is fully validated, and every way it can fail is a typed error within
//! the connect timeout.

mod peers;

use std::time::{Duration, Instant};

use peers::{raw_server, read_request, request_key};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use uniws::{HttpMethod, WebSocketClient, WebSocketConfig, WebSocketError, WebSocketRequest};

/// A server that answers every upgrade with `response(key)`, then stays silent.
async fn answering(response: fn(&str) -> String) -> u16 {
    raw_server(move |mut stream: TcpStream| async move {
        let head = read_request(&mut stream).await;
        let text = response(&request_key(&head));
        let _ = stream.write_all(text.as_bytes()).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await
}

async fn open(port: u16) -> Result<(), WebSocketError> {
    let client = WebSocketClient::new(WebSocketConfig {
        connect_timeout: Some(Duration::from_secs(3)),
        ..Default::default()
    });
    client
        .connect(&format!("ws://127.0.0.1:{port}/"))
        .await
        .map(|_| ())
}

fn upgrade_with(accept: &str, extra: &str) -> String {
    format!("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n{extra}\r\n")
}

#[tokio::test]
async fn wrong_accept_key_is_invalid() {
    let port = answering(|_| upgrade_with("dGhpcyBpcyBub3QgdGhlIGtleQ==", "")).await;
    let error = open(port).await.unwrap_err();
    assert!(
        matches!(&error, WebSocketError::HandshakeInvalid { detail } if detail.contains("Sec-WebSocket-Accept")),
        "{error}"
    );
}

#[tokio::test]
async fn non_101_is_rejected_with_status_and_body() {
    let port = answering(|_| {
        "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nno entry here".to_owned()
    })
    .await;
    match open(port).await.unwrap_err() {
        WebSocketError::HandshakeRejected { status, detail } => {
            assert_eq!(status, 403);
            assert!(
                detail.contains("Forbidden") && detail.contains("no entry here"),
                "{detail}"
            );
        }
        other => panic!("expected HandshakeRejected, got {other:?}"),
    }
}

#[tokio::test]
async fn huge_rejection_body_is_cut_to_a_snippet() {
    let port = raw_server(|mut stream: TcpStream| async move {
        read_request(&mut stream).await;
        let body = "z".repeat(1 << 20);
        let head = format!(
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.write_all(body.as_bytes()).await;
    })
    .await;
    match open(port).await.unwrap_err() {
        WebSocketError::HandshakeRejected { status, detail } => {
            assert_eq!(status, 500);
            assert!(
                detail.len() <= 4096 + 64,
                "snippet of {} bytes",
                detail.len()
            );
        }
        other => panic!("expected HandshakeRejected, got {other:?}"),
    }
}

#[tokio::test]
async fn missing_upgrade_headers_are_invalid() {
    let port = answering(|key| {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: {}\r\n\r\n",
            derive_accept_key(key.as_bytes())
        )
    })
    .await;
    assert!(matches!(
        open(port).await,
        Err(WebSocketError::HandshakeInvalid { .. })
    ));
}

#[tokio::test]
async fn unoffered_subprotocol_or_extension_is_invalid() {
    let subprotocol = answering(|key| {
        upgrade_with(
            &derive_accept_key(key.as_bytes()),
            "Sec-WebSocket-Protocol: surprise\r\n",
        )
    })
    .await;
    let error = open(subprotocol).await.unwrap_err();
    assert!(
        matches!(&error, WebSocketError::HandshakeInvalid { detail } if detail.contains("surprise")),
        "{error}"
    );
    let extension = answering(|key| {
        upgrade_with(
            &derive_accept_key(key.as_bytes()),
            "Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n",
        )
    })
    .await;
    let error = open(extension).await.unwrap_err();
    assert!(
        matches!(&error, WebSocketError::HandshakeInvalid { detail } if detail.contains("x-webkit-deflate-frame")),
        "{error}"
    );
}

#[tokio::test]
async fn one_mebibyte_response_head_is_refused() {
    let port = raw_server(|mut stream: TcpStream| async move {
        read_request(&mut stream).await;
        let _ = stream
            .write_all(b"HTTP/1.1 101 Switching Protocols\r\nX-Padding: ")
            .await;
        let _ = stream.write_all(&vec![b'a'; 1 << 20]).await;
        let _ = stream.write_all(b"\r\n\r\n").await;
    })
    .await;
    let error = open(port).await.unwrap_err();
    assert!(
        matches!(&error, WebSocketError::HandshakeInvalid { detail } if detail.contains("64 KiB")),
        "{error}"
    );
}

#[tokio::test]
async fn garbage_response_is_invalid() {
    let port = answering(|_| "\u{0}\u{1}garbage that is not HTTP\r\n\r\n".to_owned()).await;
    assert!(matches!(
        open(port).await,
        Err(WebSocketError::HandshakeInvalid { .. })
    ));
}

#[tokio::test]
async fn silent_server_hits_the_connect_timeout() {
    let port = raw_server(|mut stream: TcpStream| async move {
        read_request(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let started = Instant::now();
    let client = WebSocketClient::default();
    let request = WebSocketRequest::new(format!("ws://127.0.0.1:{port}/"))
        .connect_timeout(Duration::from_millis(500));
    let error = client.web_socket_session(request).await.unwrap_err();
    assert!(
        matches!(&error, WebSocketError::ConnectTimeout { detail } if detail.contains("upgrade response")),
        "{error}"
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(500) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn server_closing_before_answering_is_invalid() {
    let port = raw_server(|mut stream: TcpStream| async move {
        read_request(&mut stream).await;
    })
    .await;
    assert!(matches!(
        open(port).await,
        Err(WebSocketError::HandshakeInvalid { .. })
    ));
}

#[tokio::test]
async fn refused_connection_fails_to_connect() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let error = open(port).await.unwrap_err();
    assert!(
        matches!(&error, WebSocketError::ConnectFailed { detail } if detail.contains("refused")),
        "{error}"
    );
}

#[tokio::test]
async fn bad_requests_fail_before_any_io() {
    let client = WebSocketClient::default();
    // Port 9 on loopback has no listener; a request that reached I/O would report ConnectFailed.
    for method in [
        HttpMethod::Post,
        HttpMethod::Put,
        HttpMethod::Delete,
        HttpMethod::Patch,
        HttpMethod::Head,
        HttpMethod::Options,
    ] {
        let request = WebSocketRequest {
            method,
            ..WebSocketRequest::new("ws://127.0.0.1:9/")
        };
        assert!(matches!(
            client.web_socket_session(request).await,
            Err(WebSocketError::InvalidRequest { .. })
        ));
    }
    assert!(matches!(
        client.connect("gopher://127.0.0.1/").await,
        Err(WebSocketError::InvalidUrl { .. })
    ));
    assert!(matches!(
        client.connect("::not a url").await,
        Err(WebSocketError::InvalidUrl { .. })
    ));
}

#[tokio::test]
async fn frames_sent_right_after_the_101_are_not_lost() {
    let port = raw_server(|mut stream: TcpStream| async move {
        let head = read_request(&mut stream).await;
        let mut bytes =
            upgrade_with(&derive_accept_key(request_key(&head).as_bytes()), "").into_bytes();
        bytes.extend(peers::server_frame(0x81, b"early"));
        let _ = stream.write_all(&bytes).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let session = peers::connect_raw(port).await;
    assert_eq!(
        session.receive().await.unwrap(),
        uniws::Frame::text("early")
    );
}

#[tokio::test]
async fn request_line_and_host_header_are_well_formed() {
    let (seen_tx, seen_rx) = tokio::sync::oneshot::channel::<String>();
    let seen_tx = std::sync::Mutex::new(Some(seen_tx));
    let port = raw_server(move |mut stream: TcpStream| {
        let sender = seen_tx.lock().unwrap().take();
        async move {
            let head = read_request(&mut stream).await;
            accept_raw_with(&mut stream, &head).await;
            if let Some(sender) = sender {
                let _ = sender.send(head);
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    })
    .await;
    let session = WebSocketClient::default()
        .connect(&format!("ws://127.0.0.1:{port}/a/b?c=d"))
        .await
        .unwrap();
    let head = seen_rx.await.unwrap();
    assert!(head.starts_with("GET /a/b?c=d HTTP/1.1\r\n"), "{head}");
    assert!(
        head.contains(&format!("\r\nHost: 127.0.0.1:{port}\r\n")),
        "{head}"
    );
    assert!(head.contains("\r\nSec-WebSocket-Version: 13\r\n"), "{head}");
    drop(session);
}

async fn accept_raw_with(stream: &mut TcpStream, head: &str) {
    let response = upgrade_with(&derive_accept_key(request_key(head).as_bytes()), "");
    stream.write_all(response.as_bytes()).await.unwrap();
}
