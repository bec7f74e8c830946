//! The batch calls the bindings use: `send_batch` and `receive_batch` keep order, check every frame
//! before queuing any, end with a close when asked, and deliver messages before a failure.

mod peers;

use std::time::Duration;

use peers::{close_code, echo_session, scripted_server, server_frame};
use uniws::{CancellationToken, CloseReason, Frame, ReceivedBatch, WebSocketError};

fn numbered(count: usize) -> Vec<Frame> {
    (0..count)
        .map(|index| {
            if index % 2 == 0 {
                Frame::text(format!("message {index}"))
            } else {
                Frame::binary(vec![(index % 251) as u8; index * 7])
            }
        })
        .collect()
}

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

#[tokio::test]
async fn a_cancelled_batch_receive_leaves_the_messages_for_the_next_call() {
    let (_server, session) = echo_session().await;
    let token = CancellationToken::new();
    let waiting = {
        let session = session.clone();
        let token = token.clone();
        tokio::spawn(async move { session.receive_batch_with_cancellation(4, token).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    token.cancel();
    assert!(matches!(
        waiting.await.unwrap(),
        Err(WebSocketError::Cancelled { .. })
    ));
    session.send_batch(numbered(3)).await.unwrap();
    let mut received = Vec::new();
    while received.len() < 3 {
        received.extend(session.receive_batch(4).await.unwrap());
    }
    assert_eq!(received, numbered(3));
    session.close().await.unwrap();
}

#[tokio::test]
async fn try_calls_never_wait_and_never_lose_a_frame() {
    let (_server, session) = echo_session().await;
    assert!(session.try_receive_batch(8).is_empty());
    assert!(matches!(
        session.try_send(Frame::Pong {
            data: vec![0; 126].into()
        }),
        Err(WebSocketError::InvalidRequest { .. })
    ));
    // A close frame always takes the waiting path, which starts the handshake.
    assert!(!session.try_send(Frame::Close { reason: None }).unwrap());
    assert!(session.is_active());

    // The message calls the bindings use, borrowed or handed over, and the frame call
    // interleave in one order.
    let sent = numbered(12);
    for (index, frame) in sent.iter().enumerate() {
        let queued = match (index % 3, frame.clone()) {
            (0, frame) => session.try_send(frame),
            (1, Frame::Text { text }) => session.try_send_text(text),
            (1, Frame::Binary { data }) => session.try_send_binary(data),
            (_, Frame::Text { text }) => Ok(session.try_send_text_from(&text)),
            (_, Frame::Binary { data }) => Ok(session.try_send_binary_from(&data)),
            (_, other) => unreachable!("{other:?}"),
        };
        assert!(queued.unwrap(), "frame {index} was refused");
    }
    let mut received = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while received.len() < sent.len() && tokio::time::Instant::now() < deadline {
        let batch = session.try_receive_batch(4);
        assert!(batch.len() <= 4);
        if batch.is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        received.extend(batch);
    }
    assert_eq!(received, sent);

    session.close().await.unwrap();
    assert!(!session.try_send(Frame::text("late")).unwrap());
    assert!(!session.try_send_text("late".into()).unwrap());
    assert!(!session.try_send_binary(vec![1, 2].into()).unwrap());
    assert!(!session.try_send_text_from("late"));
    assert!(!session.try_send_binary_from(&[1, 2]));
    assert!(session.try_receive_batch(8).is_empty());
    assert!(matches!(
        session.send(Frame::text("late")).await,
        Err(WebSocketError::Closed { .. })
    ));
}

#[tokio::test]
async fn try_send_says_false_when_the_queue_is_full_and_send_then_waits() {
    // A server that upgrades and then never reads: the socket buffers fill, then the queue.
    let port = peers::raw_server(|mut stream| async move {
        peers::accept_raw(&mut stream, "").await;
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(stream);
    })
    .await;
    let session = peers::connect_raw(port).await;
    let payload = bytes::Bytes::from(vec![9u8; 1 << 20]);
    let mut accepted = 0;
    let full = loop {
        match session.try_send(Frame::binary(payload.clone())).unwrap() {
            true => accepted += 1,
            false => break true,
        }
        if accepted > 10_000 {
            break false;
        }
        tokio::task::yield_now().await;
    };
    assert!(full, "the queue never filled");
    assert!(accepted > 0);
    assert!(!session.try_send_binary(payload.clone()).unwrap());
    assert!(!session.try_send_text("x".repeat(1 << 20)).unwrap());
    assert!(!session.try_send_binary_from(&payload));
    // The refused frame was not queued: a waiting send for it does not complete while full.
    let waiting = tokio::time::timeout(
        Duration::from_millis(200),
        session.send(Frame::binary(payload.clone())),
    )
    .await;
    assert!(
        waiting.is_err(),
        "send completed although the queue is full"
    );
}

#[tokio::test]
async fn messages_returned_unread_come_back_first_and_in_order() {
    let (_server, session) = echo_session().await;
    let sent = numbered(8);
    session.send_batch(sent.clone()).await.unwrap();
    let mut taken = Vec::new();
    while taken.len() < 5 {
        let limit = 5 - taken.len() as u32;
        taken.extend(session.receive_batch(limit).await.unwrap());
    }
    // The application read two of them; the other three go back.
    let unread = taken.split_off(2);
    session.return_unread(unread);
    let mut received = taken;
    received.push(session.receive().await.unwrap());
    received.extend(session.try_receive_batch(1));
    while received.len() < sent.len() {
        received.extend(session.receive_batch(8).await.unwrap());
    }
    assert_eq!(received, sent);
    session.close().await.unwrap();
}

#[tokio::test]
async fn try_send_batch_queues_a_prefix_and_stops_at_a_close() {
    let (_server, session) = echo_session().await;
    assert!(matches!(
        session.try_send_batch(vec![
            Frame::text("not queued"),
            Frame::Ping {
                data: vec![0; 126].into()
            }
        ]),
        Err(WebSocketError::InvalidRequest { .. })
    ));
    let mut frames = numbered(4);
    frames.push(Frame::Close { reason: None });
    frames.push(Frame::text("after the close"));
    // Everything before the close fits; the close and what follows are left to send_batch.
    assert_eq!(session.try_send_batch(frames.clone()).unwrap(), 4);
    assert!(session.is_active());
    let mut received = Vec::new();
    while received.len() < 4 {
        received.extend(session.receive_batch(8).await.unwrap());
    }
    assert_eq!(received, numbered(4));
    session.close().await.unwrap();
    assert_eq!(session.try_send_batch(numbered(2)).unwrap(), 0);
}

/// The text and binary messages of a batch held in place, read as the Swift layer reads them:
/// a little-endian 4-byte count, then per frame a kind byte (1 text, 2 binary), a little-endian 4-byte length and a little-endian
/// 8-byte address in the directory; and its payload bytes in all.
fn read_in_place(batch: &ReceivedBatch) -> (Vec<Frame>, usize) {
    let directory = batch.directory();
    assert_eq!(directory[..4], batch.count().to_le_bytes());
    assert_eq!(directory.len(), 4 + 13 * batch.count() as usize);
    let mut bytes = 0;
    let frames = directory[4..]
        .chunks(13)
        .map(|entry| {
            let length = u32::from_le_bytes(entry[1..5].try_into().unwrap()) as usize;
            let address = u64::from_le_bytes(entry[5..13].try_into().unwrap()) as usize;
            bytes += length;
            // SAFETY: the caller holds `batch`, which keeps `length` bytes at `address`.
            let payload = unsafe { std::slice::from_raw_parts(address as *const u8, length) };
            // The high bit says the memory is the batch's alone.
            match entry[0] & 0x7f {
                1 => Frame::text(std::str::from_utf8(payload).unwrap()),
                2 => Frame::binary(payload.to_vec()),
                kind => panic!("a received message of kind {kind}"),
            }
        })
        .collect();
    (frames, bytes)
}

#[tokio::test]
async fn batches_held_in_place_keep_order_and_leave_what_does_not_fit_first_in_line() {
    let (_server, session) = echo_session().await;
    // A batch of several messages holds at most 1 MiB: three of these 300 KiB messages at most.
    // The 1.5 MiB one comes in a batch of its own.
    let mut large: Vec<Frame> = (0..4u8)
        .map(|index| Frame::binary(vec![index; 300 << 10]))
        .collect();
    large.insert(2, Frame::binary(vec![9; 3 << 19]));
    let mut sent = numbered(6);
    sent.extend(large);
    sent.push(Frame::text("last"));
    session.send_batch(sent.clone()).await.unwrap();
    let mut received = Vec::new();
    let mut batches = Vec::new();
    while received.len() < sent.len() {
        let batch = match session.try_receive_in_place(64) {
            Some(batch) => batch,
            None => {
                let waiting =
                    session.receive_in_place_with_cancellation(64, CancellationToken::new());
                tokio::time::timeout(Duration::from_secs(5), waiting)
                    .await
                    .expect("a message was lost")
                    .unwrap()
            }
        };
        let (frames, bytes) = read_in_place(&batch);
        assert!(!frames.is_empty());
        batches.push((frames.len(), bytes));
        received.extend(frames);
    }
    assert_eq!(received, sent);
    assert!(
        batches
            .iter()
            .all(|&(count, bytes)| count == 1 || bytes <= 1 << 20),
        "(messages, bytes) per batch: {batches:?}"
    );
    assert!(batches.contains(&(1, 3 << 19)), "{batches:?}");
    session.close().await.unwrap();
    assert!(session.try_receive_in_place(8).is_none());
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
