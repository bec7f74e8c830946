//! The batch calls the bindings use: `send_batch` and `receive_batch` keep order, check every frame
//! before queuing any, end with a close when asked, and deliver messages before a failure.

mod peers;

use std::time::Duration;

use peers::{close_code, echo_session, numbered, scripted_server, server_frame};
use uniws::{CloseReason, Frame, WebSocketError};

#[tokio::test]
async fn batches_echo_in_order_and_respect_their_limit() {
    let (_server, session) = echo_session().await;
    let sent = numbered(500);
    // More frames than the outgoing queue holds: the batch waits for room, in order.
    session.send_batch(sent.clone()).await.unwrap();
    let mut received = Vec::new();
    while received.len() < sent.len() {
        let batch = session.receive_batch(32).await.unwrap();
        assert!(!batch.is_empty() && batch.len() <= 32, "{}", batch.len());
        received.extend(batch);
    }
    assert_eq!(received, sent);
    session.close().await.unwrap();
    assert_eq!(session.close_reason().await.code, CloseReason::NORMAL);
}

#[tokio::test]
async fn an_invalid_frame_fails_the_batch_before_anything_is_queued() {
    let (_server, session) = echo_session().await;
    let invalid = vec![
        Frame::text("not sent"),
        Frame::Ping {
            data: vec![0; 126].into(),
        },
    ];
    assert!(matches!(
        session.send_batch(invalid).await,
        Err(WebSocketError::InvalidRequest { .. })
    ));
    let misplaced_close = vec![
        Frame::Close { reason: None },
        Frame::text("not sent either"),
    ];
    assert!(matches!(
        session.send_batch(misplaced_close).await,
        Err(WebSocketError::InvalidRequest { .. })
    ));
    assert!(session.is_active());
    session
        .send_batch(vec![Frame::text("marker")])
        .await
        .unwrap();
    assert_eq!(
        session.receive_batch(8).await.unwrap(),
        vec![Frame::text("marker")]
    );
    session.close().await.unwrap();
}

#[tokio::test]
async fn a_batch_ending_with_close_sends_the_rest_first() {
    let (port, mut frames) = scripted_server(Vec::new()).await;
    let session = peers::connect_raw(port).await;
    session
        .send_batch(vec![
            Frame::text("one"),
            Frame::text("two"),
            Frame::Close {
                reason: Some(CloseReason::new(CloseReason::GOING_AWAY, "bye")),
            },
        ])
        .await
        .unwrap();
    assert!(!session.is_active());
    let seen = frames.recv().await.unwrap();
    let payloads: Vec<&[u8]> = seen.iter().map(|(_, payload)| payload.as_slice()).collect();
    assert_eq!(&payloads[..2], [b"one".as_slice(), b"two".as_slice()]);
    assert_eq!(close_code(&seen), Some(Some(CloseReason::GOING_AWAY)));
    assert!(matches!(
        session.send_batch(vec![Frame::text("late")]).await,
        Err(WebSocketError::Closed { .. })
    ));
}

#[tokio::test]
async fn messages_before_a_failure_come_first_then_the_failure() {
    let mut script = Vec::new();
    for text in ["a", "b", "c"] {
        script.extend(server_frame(0x81, text.as_bytes()));
    }
    // A reserved bit set without an extension: a protocol violation (1002).
    script.extend(server_frame(0xC1, b"bad"));
    let (port, mut frames) = scripted_server(script).await;
    let session = peers::connect_raw(port).await;
    let mut received = Vec::new();
    let failure = loop {
        match session.receive_batch(16).await {
            Ok(batch) => received.extend(batch),
            Err(error) => break error,
        }
    };
    assert_eq!(
        received,
        vec![Frame::text("a"), Frame::text("b"), Frame::text("c")]
    );
    assert!(
        matches!(failure, WebSocketError::ProtocolViolation { .. }),
        "{failure:?}"
    );
    assert!(matches!(
        session.receive_batch(16).await,
        Err(WebSocketError::Closed { .. })
    ));
    let seen = frames.recv().await.unwrap();
    assert_eq!(close_code(&seen), Some(Some(CloseReason::PROTOCOL_ERROR)));
}

/// An application that pipelines, takes its messages in batches and answers most batches in
/// full but some only in part: while bursts are predicted (see `Wire::expect_sends`), a burst
/// that ends short of its prediction is still written (by the writer task's sweep), so no echo is
/// ever missing, and everything comes back in order.
#[tokio::test]
async fn answers_to_only_part_of_a_batch_still_go_out() {
    let (_server, session) = echo_session().await;
    let mut next = 0u32;
    let mut expected = 0u32;
    let mut in_flight = 0usize;
    let mut answered_part = 0;
    for round in 0..3_000 {
        if in_flight == 0 {
            let burst: Vec<Frame> = (next..next + 32)
                .map(|n| Frame::text(n.to_string()))
                .collect();
            session.send_batch(burst).await.unwrap();
            next += 32;
            in_flight += 32;
        }
        let batch = tokio::time::timeout(Duration::from_secs(5), session.receive_batch(64))
            .await
            .expect("an echo never came back: a send was left unwritten")
            .unwrap();
        for frame in &batch {
            assert_eq!(*frame, Frame::text(expected.to_string()));
            expected += 1;
        }
        in_flight -= batch.len();
        let answers = if round % 3 == 0 {
            batch.len() / 2
        } else {
            batch.len()
        };
        if answers < batch.len() {
            answered_part += 1;
        }
        for _ in 0..answers {
            session.send(Frame::text(next.to_string())).await.unwrap();
            next += 1;
            in_flight += 1;
        }
    }
    assert!(
        answered_part > 100,
        "{answered_part} batches answered in part"
    );
    while in_flight > 0 {
        let batch = tokio::time::timeout(Duration::from_secs(5), session.receive_batch(64))
            .await
            .expect("an echo never came back: a send was left unwritten")
            .unwrap();
        in_flight -= batch.len();
    }
    session.close().await.unwrap();
}
