//! The `uniws` command end to end: stdin lines out, echoes in, clean close, clear failures.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(arguments: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_uniws"))
        .args(arguments)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the uniws binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn without_a_url_it_talks_to_the_embedded_echo_server() {
    let output = run(&[], "hello\nworld\n");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "hello\nworld\n");
}

#[test]
fn verbose_prints_the_call_and_the_close_reason() {
    let output = run(&["connect", "-v", "-H", "X-Test: yes"], "one line\n");
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("> X-Test: yes"), "{stderr}");
    assert!(
        stderr.contains("< HTTP/1.1 101 Switching Protocols"),
        "{stderr}"
    );
    assert!(stderr.contains("closed: 1000"), "{stderr}");
    // Compression is offered; the embedded echo server (tokio-tungstenite) declines it.
    assert!(
        stderr.contains("> Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"),
        "{stderr}"
    );
    assert!(stderr.contains("extensions: none"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "one line\n");
}

#[test]
fn failures_exit_non_zero_with_the_typed_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let output = run(&[&format!("ws://127.0.0.1:{port}/")], "");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("connect failed"));
    let usage = run(&["--bogus"], "");
    assert_eq!(usage.status.code(), Some(2));
}
