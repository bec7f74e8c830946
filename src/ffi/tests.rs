//! The calls only the bindings make, against real servers on loopback: try-variants never wait
//! and never lose a frame, cancellation tokens end waits promptly without consuming, batches held
//! in place keep order, and messages handed back unread come first.

// The integration tests' peers, which name the crate `uniws`.
#[path = "../../tests/peers/mod.rs"]
mod peers;

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::client::FfiClient;
use super::received_batch::ReceivedBatch;
use super::{CancellationToken, FfiSession};
use crate::{Frame, WebSocketConfig, WebSocketError, WebSocketRequest};
use peers::numbered;

/// A session to a fresh in-process echo server, as the bindings hold it.
async fn ffi_echo_session() -> (peers::TungsteniteServer, Arc<FfiSession>) {
    let (server, session) = peers::echo_session().await;
    (server, Arc::new(FfiSession::new(session)))
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
async fn a_cancelled_batch_receive_leaves_the_messages_for_the_next_call() {
    let (_server, session) = ffi_echo_session().await;
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
    session.close_with(None).await.unwrap();
}

#[tokio::test]
async fn try_calls_never_wait_and_never_lose_a_frame() {
    let (_server, session) = ffi_echo_session().await;
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
            (1, Frame::Text { text }) => Ok(session.try_send_text(text)),
            (1, Frame::Binary { data }) => Ok(session.try_send_binary(data)),
            (_, Frame::Text { text }) => {
                session.unsafe_try_send_text_at(text.as_ptr() as u64, text.len() as u64)
            }
            (_, Frame::Binary { data }) => {
                session.unsafe_try_send_binary_at(data.as_ptr() as u64, data.len() as u64)
            }
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

    session.close_with(None).await.unwrap();
    assert!(!session.try_send(Frame::text("late")).unwrap());
    assert!(!session.try_send_text("late".into()));
    assert!(!session.try_send_binary(vec![1, 2].into()));
    assert!(!session
        .unsafe_try_send_text_at(b"late".as_ptr() as u64, 4)
        .unwrap());
    assert!(!session
        .unsafe_try_send_binary_at([1u8, 2].as_ptr() as u64, 2)
        .unwrap());
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
    let session = Arc::new(FfiSession::new(peers::connect_raw(port).await));
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
    assert!(!session.try_send_binary(payload.clone()));
    assert!(!session.try_send_text("x".repeat(1 << 20)));
    assert!(!session
        .unsafe_try_send_binary_at(payload.as_ptr() as u64, payload.len() as u64)
        .unwrap());
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
    let (_server, session) = ffi_echo_session().await;
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
    session.close_with(None).await.unwrap();
}

#[tokio::test]
async fn try_send_batch_queues_a_prefix_and_stops_at_a_close() {
    let (_server, session) = ffi_echo_session().await;
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
    session.close_with(None).await.unwrap();
    assert_eq!(session.try_send_batch(numbered(2)).unwrap(), 0);
}

#[tokio::test]
async fn batches_held_in_place_keep_order_and_leave_what_does_not_fit_first_in_line() {
    let (_server, session) = ffi_echo_session().await;
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
    session.close_with(None).await.unwrap();
    assert!(session.try_receive_in_place(8).is_none());
}

#[tokio::test]
async fn a_cancelled_token_ends_a_waiting_receive_promptly() {
    let (_server, session) = ffi_echo_session().await;
    let token = CancellationToken::new();
    let waiting = {
        let session = session.clone();
        let token = token.clone();
        tokio::spawn(async move { session.receive_with_cancellation(token).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let cancelled_at = Instant::now();
    token.cancel();
    let result = waiting.await.unwrap();
    assert!(
        matches!(result, Err(WebSocketError::Cancelled { .. })),
        "{result:?}"
    );
    assert!(cancelled_at.elapsed() < Duration::from_millis(500));
    assert!(token.is_cancelled());
    // The message sent afterwards goes to the next receive.
    session.send_text("after cancel".into()).await.unwrap();
    assert_eq!(
        session.receive().await.unwrap(),
        Frame::text("after cancel")
    );
    // A token cancelled beforehand refuses at once without consuming.
    session.send_text("kept".into()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(matches!(
        session.receive_with_cancellation(token).await,
        Err(WebSocketError::Cancelled { .. })
    ));
    assert_eq!(session.receive().await.unwrap(), Frame::text("kept"));
    session.close_with(None).await.unwrap();
}

#[tokio::test]
async fn a_cancelled_token_ends_a_hanging_open() {
    let port = peers::raw_server(|mut stream: tokio::net::TcpStream| async move {
        peers::read_request(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let client = FfiClient::new(WebSocketConfig::default());
    let token = CancellationToken::new();
    let opening = {
        let token = token.clone();
        tokio::spawn(async move {
            client
                .web_socket_session_with_cancellation(
                    WebSocketRequest::new(format!("ws://127.0.0.1:{port}/")),
                    token,
                )
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    token.cancel();
    let result = tokio::time::timeout(Duration::from_secs(1), opening)
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(result, Err(WebSocketError::Cancelled { .. })),
        "{result:?}"
    );
}
