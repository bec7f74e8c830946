//! Many sessions one after another leave nothing behind: after open/echo/close cycles, the
//! process's file descriptors, threads and resident memory are back within a small bound of where
//! they were. `UNIWS_SOAK_CYCLES` sets the count (default 1 000; the documented run used 10 000):
//!
//! ```text
//! UNIWS_SOAK_CYCLES=10000 cargo test --release --test soak -- --nocapture
//! ```
//!
//! Alone in its test binary, so that no other test moves these counts meanwhile.

mod peers;

use uniws::{CloseReason, Frame, WebSocketClient};

/// Resident memory in bytes and thread count, from `/proc/self/status`, and open descriptors.
fn footprint() -> (u64, u64, usize) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| -> u64 {
        let line = status.lines().find(|line| line.starts_with(name)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    let descriptors = std::fs::read_dir("/proc/self/fd").unwrap().count();
    (field("VmRSS:") * 1024, field("Threads:"), descriptors)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_echo_close_cycles_leave_nothing_behind() {
    let cycles: usize = std::env::var("UNIWS_SOAK_CYCLES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1_000);
    let server = peers::echo_server().await;
    let client = WebSocketClient::default();
    let url = server.url("/echo");
    let seen = server.requests.clone();
    let cycle = |index: usize| {
        let client = client.clone();
        let url = url.clone();
        // The test server records every upgrade request: forget them, they are not the client's.
        seen.lock().unwrap().clear();
        async move {
            let session = client.connect(&url).await.unwrap();
            let text = format!("cycle {index}");
            session.send_text(text.clone()).await.unwrap();
            assert_eq!(session.receive().await.unwrap(), Frame::text(text));
            session.close().await.unwrap();
            assert_eq!(session.close_reason().await.code, CloseReason::NORMAL);
        }
    };
    // Warm up: the runtime's threads, the allocator's arenas and the server's buffers.
    for index in 0..100 {
        cycle(index).await;
    }
    let (memory_before, threads_before, descriptors_before) = footprint();
    let started = std::time::Instant::now();
    for index in 0..cycles {
        cycle(index).await;
    }
    // Sessions end in the background after close: give the last ones a moment.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (memory_after, threads_after, descriptors_after) = footprint();
    eprintln!(
        "{cycles} cycles in {:?}: resident {} -> {} KiB, threads {threads_before} -> {threads_after}, \
         descriptors {descriptors_before} -> {descriptors_after}",
        started.elapsed(),
        memory_before / 1024,
        memory_after / 1024
    );
    assert!(
        descriptors_after <= descriptors_before + 4,
        "descriptors {descriptors_before} -> {descriptors_after}"
    );
    assert!(
        threads_after <= threads_before + 2,
        "threads {threads_before} -> {threads_after}"
    );
    assert!(
        memory_after <= memory_before + (4 << 20),
        "resident memory grew by {} KiB over {cycles} cycles",
        (memory_after - memory_before) / 1024
    );
}
