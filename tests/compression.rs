//! permessage-deflate (RFC 7692) against real peers: Python `websockets` (compresses by default)
//! and Node `ws` with context takeover on and off and small windows, servers that decline, and a
//! raw server that checks our frames on the wire and sends what a hostile peer would.

mod peers;

use std::time::Duration;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use peers::{accept_raw, close_code, raw_server, server_frame, ExternalPeer};
use tokio::net::TcpStream;
use uniws::{
    DeflateConfig, Frame, WebSocketClient, WebSocketConfig, WebSocketError, PERMESSAGE_DEFLATE,
};

/// Messages that compress well and badly, large and small, text and binary.
fn messages() -> Vec<Frame> {
    let quote = r#"{"type":"quote","symbol":"ACME","bid":101.25,"ask":101.5,"note":"é€😀"}"#;
    let noise: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    vec![
        Frame::text(quote),
        Frame::text(quote),
        Frame::binary(vec![7; 1 << 20]),
        Frame::binary(noise),
        Frame::text("x"),
        Frame::text(""),
        Frame::binary(Vec::new()),
        Frame::text(quote.repeat(2_000)),
    ]
}

/// Echoes [`messages`] through `url` with `deflate`, checks each comes back intact, and returns
/// the negotiated extensions.
async fn echo_all(url: &str, deflate: DeflateConfig) -> Vec<String> {
    let config = WebSocketConfig {
        deflate,
        ..WebSocketConfig::default()
    };
    let session = WebSocketClient::new(config).connect(url).await.unwrap();
    for message in messages() {
        session.send(message.clone()).await.unwrap();
        let echoed = tokio::time::timeout(Duration::from_secs(10), session.receive())
            .await
            .expect("the echo arrives")
            .unwrap();
        assert!(echoed == message, "an echo differs from what was sent");
    }
    let extensions = session.call().extensions.clone();
    session.close().await.unwrap();
    extensions
}

#[tokio::test]
async fn python_websockets_compresses_by_default_and_echoes_everything() {
    let peer = ExternalPeer::python();
    let extensions = echo_all(&peer.url("/echo"), DeflateConfig::default()).await;
    assert_eq!(extensions.len(), 1, "{extensions:?}");
    assert!(
        extensions[0].starts_with(PERMESSAGE_DEFLATE),
        "{extensions:?}"
    );
}

#[tokio::test]
async fn python_websockets_without_context_takeover_and_with_small_windows() {
    let peer = ExternalPeer::python_with(&[
        r#"{"server_no_context_takeover": true, "client_no_context_takeover": true,
            "server_max_window_bits": 9, "client_max_window_bits": 10}"#,
    ]);
    let extensions = echo_all(&peer.url("/echo"), DeflateConfig::default()).await;
    assert_eq!(
        extensions,
        [
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
          server_max_window_bits=9; client_max_window_bits=10"
        ]
    );
}

/// Node `ws` as the server, compressing every message, with our own requests: the bytes its
/// socket read and wrote show both directions were compressed.
#[tokio::test]
async fn node_ws_with_the_parameters_we_ask_for_compresses_both_ways() {
    let peer = ExternalPeer::node_with(&[r#"{"threshold": 0}"#]);
    let deflate = DeflateConfig {
        client_max_window_bits: 11,
        server_max_window_bits: Some(10),
        server_no_context_takeover: true,
        ..DeflateConfig::default()
    };
    let extensions = echo_all(&peer.url("/echo"), deflate.clone()).await;
    assert_eq!(extensions.len(), 1, "{extensions:?}");
    for parameter in [
        "server_no_context_takeover",
        "server_max_window_bits=10",
        "client_max_window_bits=11",
    ] {
        assert!(extensions[0].contains(parameter), "{extensions:?}");
    }

    let config = WebSocketConfig {
        deflate,
        ..WebSocketConfig::default()
    };
    let session = WebSocketClient::new(config)
        .connect(&peer.url("/bytes"))
        .await
        .unwrap();
    let repetitive = "the same words again and again; ".repeat(32 << 10);
    session.send_text(repetitive.clone()).await.unwrap();
    assert_eq!(session.receive().await.unwrap(), Frame::text(repetitive));
    session.send_text("bytes?".into()).await.unwrap();
    let Frame::Text { text } = session.receive().await.unwrap() else {
        panic!("a text answer")
    };
    let counts: Vec<u64> = text
        .trim_matches(|c| c == '{' || c == '}')
        .split(',')
        .map(|pair| pair.split(':').nth(1).unwrap().parse().unwrap())
        .collect();
    // 1 MiB each way; compressed, a few KiB.
    assert!(counts.iter().all(|&bytes| bytes < 64 << 10), "{text}");
    session.close().await.unwrap();
}

/// Servers that decline (Node `ws` with compression off, tokio-tungstenite, which has none) give
/// an uncompressed session.
#[tokio::test]
async fn a_server_that_declines_gives_an_uncompressed_session() {
    let node = ExternalPeer::node();
    assert!(echo_all(&node.url("/echo"), DeflateConfig::default())
        .await
        .is_empty());
    let server = peers::echo_server().await;
    assert!(echo_all(&server.url("/"), DeflateConfig::default())
        .await
        .is_empty());
    let python = ExternalPeer::python();
    assert!(echo_all(&python.url("/echo"), DeflateConfig::disabled())
        .await
        .is_empty());
}

/// A raw server answering the upgrade with `answer` (a `Sec-WebSocket-Extensions` value).
async fn connect_answered(answer: &'static str) -> Result<(), WebSocketError> {
    let port = raw_server(move |mut stream: TcpStream| async move {
        accept_raw(
            &mut stream,
            &format!("Sec-WebSocket-Extensions: {answer}\r\n"),
        )
        .await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    WebSocketClient::default()
        .connect(&format!("ws://127.0.0.1:{port}/"))
        .await
        .map(drop)
}

#[tokio::test]
async fn an_answer_the_offer_did_not_allow_fails_the_handshake() {
    for answer in [
        "permessage-deflate; unknown_parameter",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; client_max_window_bits",
        "permessage-deflate, permessage-deflate",
        "x-webkit-deflate-frame",
    ] {
        match connect_answered(answer).await {
            Err(WebSocketError::HandshakeInvalid { detail }) => {
                assert!(!detail.is_empty(), "{answer}")
            }
            other => panic!("{answer}: {other:?}"),
        }
    }
    assert!(
        connect_answered("permessage-deflate; client_max_window_bits=9")
            .await
            .is_ok()
    );
}

/// `data` compressed as a server would send it: raw deflate, sync flush, tail left off.
fn server_compress(compress: &mut Compress, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 64);
    loop {
        let before = compress.total_in();
        compress
            .compress_vec(data, &mut out, FlushCompress::Sync)
            .unwrap();
        assert_eq!((compress.total_in() - before) as usize, data.len());
        if out.len() < out.capacity() {
            break;
        }
        out.reserve(out.capacity());
    }
    out.truncate(out.len() - 4);
    out
}

/// Our frames on the wire: RSV1 on compressed messages, never on control frames, and what the
/// payload inflates to (with context taken over from message to message).
#[tokio::test]
async fn our_frames_carry_rsv1_and_inflate_with_context_takeover() {
    let mut compress = Compress::new(Compression::default(), false);
    let hello = server_compress(&mut compress, b"hello from the server");
    let script = [server_frame(0xc1, &hello), server_frame(0x89, b"ping")].concat();
    let (port, mut frames_rx) = peers::scripted_server_answering(
        script,
        "Sec-WebSocket-Extensions: permessage-deflate\r\n",
    )
    .await;
    let config = WebSocketConfig {
        deflate: DeflateConfig {
            compress_if_bigger_than: 4,
            ..DeflateConfig::default()
        },
        ..WebSocketConfig::default()
    };
    let session = WebSocketClient::new(config)
        .connect(&format!("ws://127.0.0.1:{port}/"))
        .await
        .unwrap();
    assert_eq!(
        session.receive().await.unwrap(),
        Frame::text("hello from the server")
    );
    let quote = r#"{"symbol":"ACME","bid":101.25}"#;
    session.send_text(quote.into()).await.unwrap();
    session.send_text(quote.into()).await.unwrap();
    session.send_binary(b"tiny".to_vec().into()).await.unwrap();
    session.close().await.unwrap();
    let frames = tokio::time::timeout(Duration::from_secs(10), frames_rx.recv())
        .await
        .unwrap()
        .unwrap();

    let mut decompress = Decompress::new(false);
    let mut inflate = |payload: &[u8]| {
        let mut input = payload.to_vec();
        input.extend_from_slice(&[0, 0, 0xff, 0xff]);
        let mut out = Vec::with_capacity(1 << 16);
        decompress
            .decompress_vec(&input, &mut out, FlushDecompress::Sync)
            .unwrap();
        out
    };
    let data: Vec<&(u8, Vec<u8>)> = frames
        .iter()
        .filter(|(first, _)| first & 0x08 == 0)
        .collect();
    assert_eq!(data.len(), 3, "{frames:?}");
    assert_eq!(data[0].0, 0xc1, "final, RSV1, text");
    assert_eq!(inflate(&data[0].1), quote.as_bytes());
    assert_eq!(data[1].0, 0xc1);
    assert!(
        data[1].1.len() < data[0].1.len() / 2,
        "the second refers back to the first"
    );
    assert_eq!(inflate(&data[1].1), quote.as_bytes());
    assert_eq!(
        data[2],
        &(0x82, b"tiny".to_vec()),
        "at the threshold: sent as it is"
    );
    let pong = frames
        .iter()
        .find(|(first, _)| first & 0x0f == 0xa)
        .unwrap();
    assert_eq!(
        pong,
        &(0x8a, b"ping".to_vec()),
        "control frames are never compressed"
    );
    assert_eq!(close_code(&frames), Some(Some(1000)));
}

/// What a hostile server sends fails the session with the right code on the wire and the matching
/// error, after the messages before it.
#[tokio::test]
async fn a_bomb_and_rsv1_misuse_fail_with_the_right_close_code() {
    let mut compress = Compress::new(Compression::best(), false);
    // 64 MiB of zeros in about 64 KiB, against a 4 MiB message limit.
    let bomb = server_compress(&mut compress, &vec![0; 64 << 20]);
    assert!(bomb.len() < 128 << 10, "{} bytes", bomb.len());
    let cases: Vec<(Vec<u8>, u16)> = vec![
        (server_frame(0xc2, &bomb), 1009),
        (
            [server_frame(0x01, b"He"), server_frame(0xc0, b"llo")].concat(),
            1002,
        ),
        (server_frame(0xc9, b""), 1002),
        (server_frame(0xc1, &[0xff, 0xff, 0xff, 0xff]), 1002),
    ];
    for (violation, expected) in cases {
        let script = [server_frame(0x81, b"before"), violation].concat();
        let (port, mut frames) = peers::scripted_server_answering(
            script,
            "Sec-WebSocket-Extensions: permessage-deflate\r\n",
        )
        .await;
        let config = WebSocketConfig::default().with_max_message_size(4 << 20);
        let session = WebSocketClient::new(config)
            .connect(&format!("ws://127.0.0.1:{port}/"))
            .await
            .unwrap();
        assert_eq!(session.receive().await.unwrap(), Frame::text("before"));
        let error = session.receive().await.unwrap_err();
        match expected {
            1009 => assert!(
                matches!(error, WebSocketError::FrameTooBig { .. }),
                "{error:?}"
            ),
            _ => assert!(
                matches!(error, WebSocketError::ProtocolViolation { .. }),
                "{error:?}"
            ),
        }
        let seen = tokio::time::timeout(Duration::from_secs(10), frames.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(close_code(&seen), Some(Some(expected)), "{error:?}");
        assert_eq!(session.close_reason().await.code, expected);
    }
}
