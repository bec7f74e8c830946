//! Many sessions at once, bounded queues under pressure, and cancellation that loses nothing.

mod peers;

use std::sync::Arc;
use std::time::Duration;

use peers::{echo_server, echo_session, ExternalPeer};
use uniws::{Frame, WebSocketClient, WebSocketConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_sessions_echo_a_hundred_messages_each() {
    let server = echo_server().await;
    let client = WebSocketClient::new(WebSocketConfig::default());
    let mut tasks = Vec::new();
    for session_index in 0..100 {
        let client = client.clone();
        let url = server.url(&format!("/s{session_index}"));
        tasks.push(tokio::spawn(async move {
            let session = client.connect(&url).await.unwrap();
            for message_index in 0..100 {
                let text = format!("{session_index}:{message_index}");
                session.send_text(text.clone()).await.unwrap();
                assert_eq!(session.receive().await.unwrap(), Frame::text(text));
            }
            session.close().await.unwrap();
            session.close_reason().await.code
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 1000);
    }
}

#[tokio::test]
async fn two_sessions_to_python_in_parallel() {
    let peer = ExternalPeer::python();
    let client = WebSocketClient::default();
    let url = peer.url("/echo");
    let (first, second) = tokio::join!(client.connect(&url), client.connect(&url));
    let (first, second) = (first.unwrap(), second.unwrap());
    let run = |session: Arc<uniws::ClientWebSocketSession>, tag: &'static str| async move {
        for index in 0..100 {
            session.send_text(format!("{tag}{index}")).await.unwrap();
            assert_eq!(
                session.receive().await.unwrap(),
                Frame::text(format!("{tag}{index}"))
            );
        }
        session.close().await.unwrap();
    };
    tokio::join!(run(first, "a"), run(second, "b"));
}

#[tokio::test]
async fn a_thousand_sends_without_reading_lose_nothing() {
    let server = echo_server().await;
    let config = WebSocketConfig {
        incoming_queue_size: 8,
        outgoing_queue_size: 8,
        ..Default::default()
    };
    let session = WebSocketClient::new(config)
        .connect(&server.url("/"))
        .await
        .unwrap();
    for index in 0..1_000 {
        session.send_text(format!("message {index}")).await.unwrap();
    }
    for index in 0..1_000 {
        assert_eq!(
            session.receive().await.unwrap(),
            Frame::text(format!("message {index}"))
        );
    }
    session.close().await.unwrap();
}

#[tokio::test]
async fn dropping_a_pending_receive_does_not_lose_the_next_message() {
    let (_server, session) = echo_session().await;
    for _ in 0..20 {
        // A receive that times out is dropped while waiting.
        assert!(
            tokio::time::timeout(Duration::from_millis(10), session.receive())
                .await
                .is_err()
        );
    }
    session.send_text("next".into()).await.unwrap();
    assert_eq!(session.receive().await.unwrap(), Frame::text("next"));
    session.close().await.unwrap();
}

#[tokio::test]
async fn concurrent_receivers_each_get_distinct_messages() {
    let (_server, session) = echo_session().await;
    let mut receivers = Vec::new();
    for _ in 0..4 {
        let session = session.clone();
        receivers.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for _ in 0..25 {
                if let Frame::Text { text } = session.receive().await.unwrap() {
                    got.push(text.parse::<u32>().unwrap());
                }
            }
            got
        }));
    }
    for index in 0..100u32 {
        session.send_text(index.to_string()).await.unwrap();
    }
    let mut all = Vec::new();
    for receiver in receivers {
        all.extend(receiver.await.unwrap());
    }
    all.sort_unstable();
    assert_eq!(all, (0..100).collect::<Vec<_>>());
    session.close().await.unwrap();
}
