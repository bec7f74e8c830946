//! Resident memory per session with permessage-deflate negotiated, after one compressed message
//! each way (so both zlib states exist), for a few client window sizes; and idle, before any
//! message (the states are made on first use).
//!
//!     bench-deflate-memory URL CONFIGURATION [SESSIONS]
//!
//! URL: a server that accepts permessage-deflate; CONFIGURATION: `off` (not offered), `idle`
//! (negotiated, no message), `15`, `12` or `10` (client window bits, one message each way), or
//! `no-takeover` (neither side keeps its context). Run each in a process of its own: memory freed
//! by one measurement would be reused by the next and hide its cost.
//!
//! `tests/peers/echo_server.py` (Python `websockets`, which compresses by default) is one:
//! `target/peers-venv/bin/python tests/peers/echo_server.py` prints its port. One JSON line per
//! configuration.

use std::time::Duration;

use uniws::{DeflateConfig, Frame, WebSocketClient, WebSocketConfig};

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// A kilobyte of JSON, as an application sends it.
fn message() -> String {
    let quote = r#"{"type":"quote","symbol":"ACME","bid":101.25,"ask":101.5},"#;
    format!("[{}]", quote.repeat(1024 / quote.len()))
}

async fn measure(url: &str, sessions: usize, label: &str, deflate: DeflateConfig, exchange: bool) {
    let client = WebSocketClient::new(WebSocketConfig {
        deflate,
        ..WebSocketConfig::default()
    });
    let warm = client.connect(url).await.unwrap();
    warm.send(Frame::text(message())).await.unwrap();
    warm.receive().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = resident_bytes();
    let mut open = Vec::with_capacity(sessions);
    for _ in 0..sessions {
        let session = client.connect(url).await.unwrap();
        // A server that was offered compression must have accepted it.
        let offered = usize::from(client_config_offers(&session));
        assert_eq!(session.negotiated_extensions().len(), offered);
        if exchange {
            session.send(Frame::text(message())).await.unwrap();
            session.receive().await.unwrap();
        }
        open.push(session);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = resident_bytes();
    println!(
        r#"{{"workload":"deflate_memory","configuration":"{label}","sessions":{sessions},"bytes_per_session":{}}}"#,
        after.saturating_sub(before) / sessions as u64
    );
    for session in open {
        let _ = session.close().await;
    }
    let _ = warm.close().await;
}

/// Whether the session's request offered compression (then the server must have accepted it).
fn client_config_offers(session: &uniws::ClientWebSocketSession) -> bool {
    session
        .call()
        .request
        .headers
        .get("Sec-WebSocket-Extensions")
        .is_some()
}

#[tokio::main]
async fn main() {
    let mut arguments = std::env::args().skip(1);
    let usage = "usage: bench-deflate-memory URL off|idle|15|12|10|no-takeover [SESSIONS]";
    let url = arguments.next().expect(usage);
    let configuration = arguments.next().expect(usage);
    let sessions = arguments.next().map_or(200, |count| count.parse().unwrap());
    let (deflate, exchange) = match configuration.as_str() {
        "off" => (DeflateConfig::disabled(), true),
        "idle" => (DeflateConfig::default(), false),
        "no-takeover" => (
            DeflateConfig {
                client_no_context_takeover: true,
                server_no_context_takeover: true,
                ..DeflateConfig::default()
            },
            true,
        ),
        bits => (
            DeflateConfig {
                client_max_window_bits: bits.parse().expect(usage),
                ..DeflateConfig::default()
            },
            true,
        ),
    };
    measure(&url, sessions, &configuration, deflate, exchange).await;
}
