//! A peer that floods pings and reads nothing: the client answers only the latest ping while its
//! pongs cannot be written (RFC 6455 section 5.5.3), so its memory stays bounded. Alone in its
//! test binary, so that no other test moves the process's memory meanwhile.

mod peers;

use std::time::Duration;

use peers::{raw_server, server_frame};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use uniws::{Frame, WebSocketClient};

/// The process's resident memory, in bytes.
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[tokio::test]
async fn a_ping_flood_from_a_peer_that_never_reads_holds_memory_bounded() {
    const FLOOD: usize = 128 << 20;
    let port = raw_server(|mut stream: TcpStream| async move {
        peers::accept_raw(&mut stream, "").await;
        // One megabyte of pings with distinct payloads, written again and again: the server's own
        // memory does not grow with the flood.
        let mut pings = Vec::with_capacity(1 << 20);
        let mut index = 0u32;
        while pings.len() + 127 <= 1 << 20 {
            let mut payload = [b'p'; 125];
            payload[..4].copy_from_slice(&index.to_be_bytes());
            pings.extend(server_frame(0x89, &payload));
            index += 1;
        }
        for _ in 0..FLOOD / pings.len() {
            if stream.write_all(&pings).await.is_err() {
                return;
            }
        }
        let _ = stream.write_all(&server_frame(0x81, b"done")).await;
        // Never reads: every pong stays with the client or in the socket buffers.
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let session = WebSocketClient::default()
        .connect(&format!("ws://127.0.0.1:{port}/"))
        .await
        .unwrap();
    let before = resident_bytes();
    let done = tokio::time::timeout(Duration::from_secs(60), session.receive())
        .await
        .expect("the flood took too long")
        .unwrap();
    assert_eq!(done, Frame::text("done"));
    let grown = resident_bytes().saturating_sub(before);
    assert!(
        grown < 16 << 20,
        "{} MiB of pings grew the client by {} MiB",
        FLOOD >> 20,
        grown >> 20
    );
}
