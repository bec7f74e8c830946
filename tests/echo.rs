//! Echo through every kind of real peer: text, binary, empty, large, in order; call metadata;
//! request headers and subprotocols as the server saw them; Ktor's three ways to open a session.

mod peers;

use peers::{echo_server, echo_session, ExternalPeer};
use uniws::{Frame, HttpMethod, WebSocketClient, WebSocketConfig, WebSocketRequest};

async fn echo_round_trips(url: &str) {
    let client = WebSocketClient::default();
    let session = client.connect(url).await.unwrap();
    let big_text = "x".repeat(24_000);
    let big_binary: Vec<u8> = (0..(1 << 20)).map(|i| (i % 251) as u8).collect();
    let sent = vec![
        Frame::text("Hello!"),
        Frame::text(""),
        Frame::text("κόσμε — 🎉"),
        Frame::binary(vec![1, 2, 3]),
        Frame::binary(Vec::new()),
        Frame::text(big_text),
        Frame::binary(big_binary),
    ];
    for frame in &sent {
        session.send(frame.clone()).await.unwrap();
    }
    for frame in &sent {
        assert_eq!(&session.receive().await.unwrap(), frame, "echo from {url}");
    }
    session.close().await.unwrap();
    let reason = session.close_reason().await;
    assert_eq!(reason.code, 1000, "close reason from {url}: {reason}");
    assert!(!session.is_active());
}

#[tokio::test]
async fn echoes_through_tungstenite() {
    let server = echo_server().await;
    echo_round_trips(&server.url("/echo")).await;
}

#[tokio::test]
async fn echoes_through_python_websockets() {
    let peer = ExternalPeer::python();
    echo_round_trips(&peer.url("/echo")).await;
}

#[tokio::test]
async fn echoes_through_node_ws() {
    let peer = ExternalPeer::node();
    echo_round_trips(&peer.url("/echo")).await;
}

#[tokio::test]
async fn many_messages_keep_their_order() {
    let (_server, session) = echo_session().await;
    let receiver = {
        let session = session.clone();
        tokio::spawn(async move {
            for index in 0..5_000 {
                assert_eq!(
                    session.receive().await.unwrap(),
                    Frame::text(index.to_string())
                );
            }
        })
    };
    for index in 0..5_000 {
        session.send_text(index.to_string()).await.unwrap();
    }
    receiver.await.unwrap();
    session.close().await.unwrap();
}

#[tokio::test]
async fn call_metadata_describes_the_upgrade() {
    let server = echo_server().await;
    let client = WebSocketClient::new(WebSocketConfig {
        user_agent: Some("uniws-test/1".into()),
        ..Default::default()
    });
    let request = WebSocketRequest::new(server.url("/chat?room=1"))
        .header("Authorization", "Bearer token")
        .header("X-Repeat", "a")
        .header("X-Repeat", "b")
        .subprotocol("chat.v1");
    let session = client.web_socket_session(request).await.unwrap();
    let call = session.call().clone();
    assert_eq!(call.request.url.as_str(), server.url("/chat?room=1"));
    assert_eq!(call.request.method, HttpMethod::Get);
    let key = call
        .request
        .headers
        .get("sec-websocket-key")
        .expect("key sent");
    assert_eq!(key.len(), 24, "a base64 16-byte nonce");
    assert_eq!(call.request.headers.get_all("x-repeat"), vec!["a", "b"]);
    assert_eq!(call.response.status, 101);
    assert_eq!(call.response.reason_phrase, "Switching Protocols");
    assert_eq!(
        call.response.headers.get("upgrade").as_deref(),
        Some("websocket")
    );
    assert_eq!(call.subprotocol.as_deref(), Some("chat.v1"));
    assert_eq!(session.negotiated_subprotocol(), Some("chat.v1"));
    assert!(session.negotiated_extensions().is_empty());
    assert_eq!(call.http_version, "HTTP/1.1");

    // The server saw exactly what the metadata says was sent.
    let seen = server.requests.lock().unwrap()[0].clone();
    assert_eq!(seen.path, "/chat?room=1");
    let seen_value = |name: &str| -> Vec<String> {
        seen.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .collect()
    };
    assert_eq!(seen_value("authorization"), vec!["Bearer token"]);
    assert_eq!(seen_value("user-agent"), vec!["uniws-test/1"]);
    assert_eq!(seen_value("sec-websocket-key"), vec![key]);
    assert_eq!(seen_value("x-repeat"), vec!["a", "b"]);
    session.close().await.unwrap();
}

/// Ktor offers subprotocols with `header(HttpHeaders.SecWebSocketProtocol, ...)`: such a header
/// counts as offers, and the server sees one `Sec-WebSocket-Protocol` header listing them all.
#[tokio::test]
async fn a_sec_websocket_protocol_header_offers_subprotocols() {
    let server = echo_server().await;
    let request = WebSocketRequest::new(server.url("/"))
        .subprotocol("other")
        .header("Sec-WebSocket-Protocol", "chat.v1");
    let session = WebSocketClient::default()
        .web_socket_session(request)
        .await
        .unwrap();
    assert_eq!(session.negotiated_subprotocol(), Some("chat.v1"));
    let seen = server.requests.lock().unwrap()[0].clone();
    let offered: Vec<&String> = seen
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("sec-websocket-protocol"))
        .map(|(_, value)| value)
        .collect();
    assert_eq!(offered, ["other, chat.v1"]);
    session.close().await.unwrap();
}

async fn headers_seen_by(peer: &ExternalPeer) {
    let client = WebSocketClient::new(WebSocketConfig {
        default_headers: vec![uniws::Header::new("X-Default", "1")],
        ..Default::default()
    });
    let request = WebSocketRequest::new(peer.url("/headers"))
        .header("X-Custom", "value")
        .subprotocol("chat.v1");
    let session = client.web_socket_session(request).await.unwrap();
    assert_eq!(
        session.call().subprotocol.as_deref(),
        Some("chat.v1"),
        "{}",
        peer.name
    );
    assert_eq!(
        session
            .call()
            .response
            .headers
            .get("sec-websocket-protocol")
            .as_deref(),
        Some("chat.v1"),
        "{}",
        peer.name
    );
    let Frame::Text { text } = session.receive().await.unwrap() else {
        panic!("expected text")
    };
    let lower = text.to_ascii_lowercase();
    assert!(
        lower.contains(r#"["x-custom", "value"]"#) || lower.contains(r#"["x-custom","value"]"#),
        "{}: {text}",
        peer.name
    );
    assert!(lower.contains("x-default"), "{}: {text}", peer.name);
    assert!(lower.contains("chat.v1"), "{}: {text}", peer.name);
    session.close().await.unwrap();
}

#[tokio::test]
async fn python_sees_request_headers_and_subprotocol() {
    headers_seen_by(&ExternalPeer::python()).await;
}

#[tokio::test]
async fn node_sees_request_headers_and_subprotocol() {
    headers_seen_by(&ExternalPeer::node()).await;
}

#[tokio::test]
async fn no_subprotocol_when_the_server_picks_none() {
    let server = echo_server().await;
    let request = WebSocketRequest::new(server.url("/")).subprotocol("other.v2");
    let session = WebSocketClient::default()
        .web_socket_session(request)
        .await
        .unwrap();
    assert_eq!(session.call().subprotocol, None);
    session.close().await.unwrap();
}

#[tokio::test]
async fn ktor_overloads_reach_the_same_server() {
    let server = echo_server().await;
    let client = WebSocketClient::default();
    let by_parts = client
        .web_socket_session(WebSocketRequest::from_parts(
            HttpMethod::Get,
            "127.0.0.1",
            server.port,
            "/parts",
        ))
        .await
        .unwrap();
    let by_http_url = client
        .web_socket_session(WebSocketRequest::new(format!(
            "http://127.0.0.1:{}/http",
            server.port
        )))
        .await
        .unwrap();
    assert_eq!(by_http_url.call().request.url.scheme(), "ws");
    let by_block = client
        .web_socket(server.url("/block").into(), |session| async move {
            session.send_text("in block".into()).await?;
            session.receive().await
        })
        .await
        .unwrap();
    assert_eq!(by_block, Frame::text("in block"));
    by_parts.close().await.unwrap();
    by_http_url.close().await.unwrap();
    let paths: Vec<String> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert!(
        paths.contains(&"/parts".to_owned())
            && paths.contains(&"/http".to_owned())
            && paths.contains(&"/block".to_owned())
    );
}

#[tokio::test]
async fn incoming_stream_ends_when_the_server_closes() {
    use futures_util::StreamExt;
    let peer = ExternalPeer::python();
    let session = WebSocketClient::default()
        .connect(&peer.url("/echo"))
        .await
        .unwrap();
    session.send_text("one".into()).await.unwrap();
    let mut incoming = Box::pin(session.incoming());
    assert_eq!(incoming.next().await.unwrap().unwrap(), Frame::text("one"));
    session
        .send(Frame::Close {
            reason: Some(uniws::CloseReason::new(4000, "done")),
        })
        .await
        .unwrap();
    assert!(
        incoming.next().await.is_none(),
        "the stream ends after a normal close"
    );
    assert_eq!(session.close_reason().await.code, 4000);
}

/// Large payloads reuse memory of earlier ones once those are dropped, on the way out and in: a
/// kept message must never change, whatever is sent and received after it.
#[tokio::test]
async fn large_messages_stay_intact_while_their_memory_is_reused() {
    let (_server, session) = echo_session().await;
    let payload = |round: usize| -> Vec<u8> {
        let size = (4 << 10) + (round % 7) * 9_000;
        (0..size).map(|i| ((i + round * 31) % 251) as u8).collect()
    };
    let mut kept = Vec::new();
    for window in 0..20 {
        let rounds: Vec<usize> = (window * 8..window * 8 + 8).collect();
        let frames = rounds.iter().map(|&round| Frame::binary(payload(round)));
        session.send_batch(frames.collect()).await.unwrap();
        for &round in &rounds {
            let echo = session.receive().await.unwrap();
            assert_eq!(echo, Frame::binary(payload(round)), "echo {round}");
            if round % 3 == 0 {
                kept.push((round, echo)); // held while later messages arrive
            }
        }
    }
    for (round, echo) in kept {
        assert_eq!(echo, Frame::binary(payload(round)), "kept echo {round}");
    }
    session.close().await.unwrap();
}

/// A send is written on the caller's thread when nothing is ahead of it and the application is
/// not pipelining, and by the writer task otherwise (bursts, or a socket that did not take a large
/// frame at once). Whichever way each frame goes, the peer gets them in the order they were sent.
/// (On two threads, so that the writer task runs beside the sender.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_written_at_once_and_sends_left_to_the_writer_keep_their_order() {
    let (_server, session) = echo_session().await;
    let sizes = [32, 100 << 10, 1 << 10, 3 << 20, 7];
    let message =
        |index: usize| Frame::binary(vec![(index % 251) as u8; sizes[index % sizes.len()]]);
    // Names a message by its first byte and length, not by megabytes of content.
    let describe = |frame: &Frame| match frame {
        Frame::Binary { data } => format!("{} bytes of {:?}", data.len(), data.first()),
        other => format!("{other:?}"),
    };
    let mut next = 0;
    for burst in 0..24 {
        // Ask, then wait for the answer: written at once.
        session.send(message(next)).await.unwrap();
        let answer = session.receive().await.unwrap();
        assert!(
            answer == message(next),
            "answer {next}: {}",
            describe(&answer)
        );
        next += 1;
        // Several sends before reading: gathered by the writer task.
        let indices: Vec<usize> = (next..next + burst).collect();
        for &index in &indices {
            session.send(message(index)).await.unwrap();
        }
        for &index in &indices {
            let echo = session.receive().await.unwrap();
            assert!(echo == message(index), "echo {index}: {}", describe(&echo));
        }
        next += burst;
    }
    session.close().await.unwrap();
}

/// Large messages back to back, and small ones right after large ones, sent before any echo is
/// read: each arrives whole and in order, however the reader splits its reads between them.
#[tokio::test]
async fn large_and_small_messages_back_to_back_arrive_whole() {
    let (_server, session) = echo_session().await;
    let sizes = [70_000, 70_000, 300_000, 10, 70_000, 5, 1 << 20, 20_000];
    let sent: Vec<Frame> = sizes
        .iter()
        .enumerate()
        .map(|(index, &size)| {
            Frame::binary((0..size).map(|at| (at + index) as u8).collect::<Vec<u8>>())
        })
        .collect();
    for frame in &sent {
        session.send(frame.clone()).await.unwrap();
    }
    for (index, frame) in sent.iter().enumerate() {
        assert_eq!(&session.receive().await.unwrap(), frame, "message {index}");
    }
    session.close().await.unwrap();
}
