//! A server that breaks RFC 6455 fails the session with the right close code and a typed error,
//! after every message received before the violation has been delivered.

mod peers;

use std::time::Duration;

use peers::{accept_raw, close_code, close_payload, raw_server, scripted_server, server_frame};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use uniws::{CloseReason, Frame, WebSocketClient, WebSocketConfig, WebSocketError};

/// What one misbehaving session looked like from both ends.
struct Outcome {
    /// `receive` results until the first error (inclusive).
    received: Vec<Result<Frame, WebSocketError>>,
    /// `closeReason` on the client.
    reason: CloseReason,
    /// The close code the server read from the client (`Some(None)`: empty close; `None`: no close).
    server_saw: Option<Option<u16>>,
}

/// Accepts one session, sends a valid text message "before", then `violation`, then records the
/// client's close frame.
async fn run(violation: Vec<u8>, config: WebSocketConfig) -> Outcome {
    let mut script = server_frame(0x81, b"before");
    script.extend(violation);
    let (port, mut frames) = scripted_server(script).await;
    let session = WebSocketClient::new(config)
        .connect(&format!("ws://127.0.0.1:{port}/"))
        .await
        .unwrap();
    let mut received = Vec::new();
    loop {
        let result = session.receive().await;
        let failed = result.is_err();
        received.push(result);
        if failed {
            break;
        }
    }
    let reason = tokio::time::timeout(Duration::from_secs(10), session.close_reason())
        .await
        .expect("closeReason completes");
    let seen = tokio::time::timeout(Duration::from_secs(10), frames.recv())
        .await
        .unwrap()
        .unwrap();
    let server_saw = close_code(&seen);
    // After the failure, receive and send report Closed with the same reason.
    assert!(
        matches!(session.receive().await, Err(WebSocketError::Closed { reason: r, .. }) if r == reason)
    );
    assert!(matches!(
        session.send_text("late".into()).await,
        Err(WebSocketError::Closed { .. })
    ));
    Outcome {
        received,
        reason,
        server_saw,
    }
}

fn assert_failed(outcome: &Outcome, code: u16, is_expected_error: fn(&WebSocketError) -> bool) {
    assert_eq!(
        outcome.received.len(),
        2,
        "one message, then the error: {:?}",
        outcome.received
    );
    assert_eq!(
        outcome.received[0],
        Ok(Frame::text("before")),
        "the message before the violation is delivered"
    );
    let error = outcome.received[1].as_ref().unwrap_err();
    assert!(is_expected_error(error), "unexpected error: {error:?}");
    assert_eq!(outcome.reason.code, code, "closeReason: {}", outcome.reason);
    assert_eq!(
        outcome.server_saw,
        Some(Some(code)),
        "the server reads close {code}"
    );
}

fn protocol(error: &WebSocketError) -> bool {
    matches!(error, WebSocketError::ProtocolViolation { .. })
}

fn too_big(error: &WebSocketError) -> bool {
    matches!(error, WebSocketError::FrameTooBig { .. })
}

#[tokio::test]
async fn masked_server_frame() {
    let masked = vec![
        0x81,
        0x84,
        1,
        2,
        3,
        4,
        b'a' ^ 1,
        b'b' ^ 2,
        b'c' ^ 3,
        b'd' ^ 4,
    ];
    assert_failed(
        &run(masked, WebSocketConfig::default()).await,
        1002,
        protocol,
    );
}

#[tokio::test]
async fn invalid_utf8_text() {
    let outcome = run(
        server_frame(0x81, &[b'o', b'k', 0xff, 0xfe]),
        WebSocketConfig::default(),
    )
    .await;
    assert_failed(&outcome, 1007, protocol);
}

#[tokio::test]
async fn invalid_utf8_in_a_fragment_fails_before_the_message_ends() {
    // The first fragment is already invalid; the rest never comes.
    let outcome = run(
        server_frame(0x01, &[0xce, 0xba, 0xff]),
        WebSocketConfig::default(),
    )
    .await;
    assert_failed(&outcome, 1007, protocol);
}

#[tokio::test]
async fn fragmented_ping() {
    assert_failed(
        &run(server_frame(0x09, b"half"), WebSocketConfig::default()).await,
        1002,
        protocol,
    );
}

#[tokio::test]
async fn oversized_ping() {
    assert_failed(
        &run(server_frame(0x89, &[0u8; 126]), WebSocketConfig::default()).await,
        1002,
        protocol,
    );
}

#[tokio::test]
async fn reserved_bits() {
    assert_failed(
        &run(server_frame(0xC1, b"rsv1"), WebSocketConfig::default()).await,
        1002,
        protocol,
    );
    assert_failed(
        &run(server_frame(0xA1, b"rsv2"), WebSocketConfig::default()).await,
        1002,
        protocol,
    );
}

#[tokio::test]
async fn reserved_opcode() {
    assert_failed(
        &run(server_frame(0x83, b""), WebSocketConfig::default()).await,
        1002,
        protocol,
    );
    assert_failed(
        &run(server_frame(0x8B, b""), WebSocketConfig::default()).await,
        1002,
        protocol,
    );
}

#[tokio::test]
async fn continuation_without_a_message() {
    assert_failed(
        &run(server_frame(0x80, b"orphan"), WebSocketConfig::default()).await,
        1002,
        protocol,
    );
}

#[tokio::test]
async fn two_to_the_forty_byte_length_is_refused_from_the_header() {
    let mut header = vec![0x82, 127];
    header.extend_from_slice(&(1u64 << 40).to_be_bytes());
    let outcome = run(header, WebSocketConfig::default()).await;
    assert_failed(&outcome, 1009, too_big);
}

/// With no limits set, a message still may not outgrow what the bindings can take (2 GiB less 64
/// bytes): the frame header alone fails the session, before any payload is buffered.
#[tokio::test]
async fn message_above_what_the_bindings_take_with_no_limits_set() {
    let config = WebSocketConfig {
        max_frame_size: u64::MAX,
        max_message_size: u64::MAX,
        ..Default::default()
    };
    let mut header = vec![0x82, 127];
    header.extend_from_slice(&(1u64 << 31).to_be_bytes());
    let outcome = tokio::time::timeout(Duration::from_secs(20), run(header, config))
        .await
        .expect("the header alone fails the session");
    assert_failed(&outcome, 1009, too_big);
    let limit = uniws::MESSAGE_SIZE_CEILING.to_string();
    assert!(
        matches!(&outcome.received[1], Err(WebSocketError::FrameTooBig { detail }) if detail.contains(&limit)),
        "{:?}",
        outcome.received[1]
    );
}

#[tokio::test]
async fn frame_above_max_frame_size() {
    let config = WebSocketConfig {
        max_frame_size: 1024,
        ..Default::default()
    };
    let outcome = run(server_frame(0x82, &[7u8; 1025]), config).await;
    assert_failed(&outcome, 1009, too_big);
    assert!(
        matches!(&outcome.received[1], Err(WebSocketError::FrameTooBig { detail }) if detail.contains("1025"))
    );
}

#[tokio::test]
async fn fragments_above_max_message_size() {
    let config = WebSocketConfig {
        max_message_size: 1000,
        ..Default::default()
    };
    let mut fragments = server_frame(0x02, &[1u8; 600]);
    fragments.extend(server_frame(0x80, &[2u8; 600]));
    assert_failed(&run(fragments, config).await, 1009, too_big);
}

#[tokio::test]
async fn close_code_999() {
    let outcome = run(
        server_frame(0x88, &close_payload(999, "bad")),
        WebSocketConfig::default(),
    )
    .await;
    assert_failed(&outcome, 1002, protocol);
}

#[tokio::test]
async fn close_with_one_byte_payload() {
    assert_failed(
        &run(server_frame(0x88, &[0x03]), WebSocketConfig::default()).await,
        1002,
        protocol,
    );
}

#[tokio::test]
async fn garbage_after_the_handshake() {
    // 0x0F is a reserved opcode with FIN clear: not a frame any server may send.
    let outcome = run(
        b"\x0f\xffgarbage garbage garbage".to_vec(),
        WebSocketConfig::default(),
    )
    .await;
    assert_failed(&outcome, 1002, protocol);
}

#[tokio::test]
async fn eof_without_close_frame_reports_1006() {
    let port = raw_server(|mut stream: TcpStream| async move {
        accept_raw(&mut stream, "").await;
        let _ = stream.write_all(&server_frame(0x81, b"last words")).await;
        // Dropping the stream ends the connection without a close frame.
    })
    .await;
    let session = peers::connect_raw(port).await;
    assert_eq!(session.receive().await.unwrap(), Frame::text("last words"));
    // An abnormal end is an error once, never a normal end of the messages.
    match session.receive().await {
        Err(WebSocketError::Io { detail }) => {
            assert!(detail.contains("without a close frame"), "{detail}")
        }
        other => panic!("expected Io, got {other:?}"),
    }
    match session.receive().await {
        Err(WebSocketError::Closed { reason, .. }) => {
            assert_eq!(reason.code, 1006);
            assert!(reason.message.contains("without close frame"), "{reason}");
        }
        other => panic!("expected Closed(1006), got {other:?}"),
    }
    assert_eq!(session.close_reason().await.code, 1006);
}

#[tokio::test]
async fn messages_before_the_violation_are_delivered_in_order_before_the_error() {
    let mut bytes = Vec::new();
    for index in 0..20 {
        bytes.extend(server_frame(0x81, format!("m{index}").as_bytes()));
    }
    bytes.extend(server_frame(0xC1, b"violation"));
    // The reader sees all of this in one read; the application still gets "before", m0..m19, error.
    let outcome = run(bytes, WebSocketConfig::default()).await;
    assert_eq!(outcome.received.len(), 22);
    for (index, result) in outcome.received[1..21].iter().enumerate() {
        assert_eq!(result, &Ok(Frame::text(format!("m{index}"))));
    }
    assert!(protocol(outcome.received[21].as_ref().unwrap_err()));
    assert_eq!(outcome.server_saw, Some(Some(1002)));
}

#[tokio::test]
async fn echoes_sent_before_reading_the_error_go_out_before_the_close() {
    // Autobahn's strict ordering: the client echoes what it received, then fails the connection.
    let mut script = server_frame(0x81, b"echo me");
    script.extend(server_frame(0xC1, b"bad"));
    let (port, mut seen_rx) = scripted_server(script).await;
    let session = peers::connect_raw(port).await;
    let Frame::Text { text } = session.receive().await.unwrap() else {
        panic!()
    };
    session.send_text(text).await.unwrap();
    assert!(session.receive().await.is_err());
    let frames = seen_rx.recv().await.unwrap();
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert_eq!(frames[0], (0x81, b"echo me".to_vec()));
    assert_eq!(frames[1].0, 0x88);
    assert_eq!(&frames[1].1[..2], &1002u16.to_be_bytes());
}

#[tokio::test]
async fn a_session_nobody_reads_still_fails_within_the_close_timeout() {
    let (port, mut seen_rx) = scripted_server(server_frame(0xC1, b"bad")).await;
    let config = WebSocketConfig {
        close_timeout: Some(Duration::from_millis(300)),
        ..Default::default()
    };
    let session = WebSocketClient::new(config)
        .connect(&format!("ws://127.0.0.1:{port}/"))
        .await
        .unwrap();
    let reason = tokio::time::timeout(Duration::from_secs(3), session.close_reason())
        .await
        .unwrap();
    assert_eq!(reason.code, 1002);
    assert_eq!(close_code(&seen_rx.recv().await.unwrap()), Some(Some(1002)));
}
