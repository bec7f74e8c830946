//! Real peers for the integration tests, all on 127.0.0.1: an in-process tokio-tungstenite server,
//! the Python `websockets` and Node `ws` servers next to this file, and raw TCP servers that
//! misbehave on purpose.
#![allow(dead_code)]

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig as TungsteniteConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// The socket type of the in-process server.
pub type ServerSocket = WebSocketStream<TcpStream>;

/// What the in-process server saw of each upgrade request.
#[derive(Debug, Clone, Default)]
pub struct SeenRequest {
    /// The request target.
    pub path: String,
    /// Header fields in order.
    pub headers: Vec<(String, String)>,
}

/// An in-process tokio-tungstenite server.
pub struct TungsteniteServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Every upgrade request seen, in order.
    pub requests: Arc<Mutex<Vec<SeenRequest>>>,
}

impl TungsteniteServer {
    /// `ws://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }
}

/// Starts a tokio-tungstenite server running `handler` for every session. It picks the subprotocol
/// `chat.v1` when offered.
pub async fn tungstenite_server<F, Fut>(handler: F) -> TungsteniteServer
where
    F: Fn(ServerSocket, SeenRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    let handler = Arc::new(handler);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            // As WebSocket servers commonly do: an echo goes out when written, not held back
            // until the client acknowledges the one before (40 ms when the client has nothing
            // to send that the acknowledgement could ride on).
            let _ = stream.set_nodelay(true);
            let handler = handler.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut request_seen = SeenRequest::default();
                // The callback's signature is tungstenite's.
                #[allow(clippy::result_large_err)]
                let callback = |request: &Request, mut response: Response| {
                    request_seen.path = request.uri().to_string();
                    request_seen.headers = request
                        .headers()
                        .iter()
                        .map(|(name, value)| {
                            (name.to_string(), value.to_str().unwrap_or("").to_owned())
                        })
                        .collect();
                    let offered = request
                        .headers()
                        .get_all("Sec-WebSocket-Protocol")
                        .iter()
                        .flat_map(|value| {
                            value
                                .to_str()
                                .unwrap_or("")
                                .split(',')
                                .map(|p| p.trim().to_owned())
                        })
                        .collect::<Vec<_>>();
                    if offered.iter().any(|p| p == "chat.v1") {
                        response.headers_mut().insert(
                            "Sec-WebSocket-Protocol",
                            HeaderValue::from_static("chat.v1"),
                        );
                    }
                    Ok(response)
                };
                let config = TungsteniteConfig::default()
                    .max_message_size(None)
                    .max_frame_size(None);
                let Ok(socket) =
                    tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config))
                        .await
                else {
                    return;
                };
                seen.lock().unwrap().push(request_seen.clone());
                handler(socket, request_seen).await;
            });
        }
    });
    TungsteniteServer { port, requests }
}

/// Echoes every text and binary message until the client closes.
pub async fn echo(socket: ServerSocket, _request: SeenRequest) {
    echo_over(socket).await;
}

/// Echoes every text and binary message over any transport until the client closes.
pub async fn echo_over<S>(mut socket: WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    while let Some(Ok(message)) = socket.next().await {
        if (message.is_text() || message.is_binary()) && socket.send(message).await.is_err() {
            return;
        }
    }
}

/// An in-process echo server.
pub async fn echo_server() -> TungsteniteServer {
    tungstenite_server(echo).await
}

/// An in-process echo server and a session connected to it with the default configuration.
pub async fn echo_session() -> (TungsteniteServer, Arc<uniws::ClientWebSocketSession>) {
    let server = echo_server().await;
    let session = uniws::WebSocketClient::default()
        .connect(&server.url("/"))
        .await
        .unwrap();
    (server, session)
}

/// A server process (Python or Node) that lives as long as this value.
pub struct ExternalPeer {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Which peer it is, for messages.
    pub name: &'static str,
}

impl ExternalPeer {
    /// The Python `websockets` server (from the venv made by `tests/peers/setup.sh`).
    pub fn python() -> Self {
        Self::python_with(&[])
    }

    /// The Python `websockets` server, given `args` (see `echo_server.py`).
    pub fn python_with(args: &[&str]) -> Self {
        let python = std::env::var("UNIWS_TEST_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root().join("target/peers-venv/bin/python"));
        Self::spawn(
            "python websockets",
            Command::new(python)
                .arg(peers_dir().join("echo_server.py"))
                .args(args),
        )
    }

    /// The Node `ws` server (installed by `tests/peers/setup.sh`).
    pub fn node() -> Self {
        Self::node_with(&[])
    }

    /// The Node `ws` server, given `args` (see `echo_server.js`).
    pub fn node_with(args: &[&str]) -> Self {
        Self::spawn(
            "node ws",
            Command::new("node")
                .arg(peers_dir().join("echo_server.js"))
                .args(args),
        )
    }

    fn spawn(name: &'static str, command: &mut Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot start the {name} peer ({error}); run tests/peers/setup.sh")
            });
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| {
                panic!("the {name} peer did not start (said {line:?}); run tests/peers/setup.sh")
            });
        ExternalPeer { child, port, name }
    }

    /// `ws://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for ExternalPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn peers_dir() -> PathBuf {
    root().join("tests/peers")
}

/// Starts a raw TCP server on 127.0.0.1 running `handler` for every connection.
pub async fn raw_server<F, Fut>(handler: F) -> u16
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handler = Arc::new(handler);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(handler(stream));
        }
    });
    port
}

/// A session with default settings to the raw server on `port`, at path `/`.
pub async fn connect_raw(port: u16) -> Arc<uniws::ClientWebSocketSession> {
    uniws::WebSocketClient::default()
        .connect(&format!("ws://127.0.0.1:{port}/"))
        .await
        .unwrap()
}

/// Reads an upgrade request head and returns it as text.
pub async fn read_request(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
            break;
        }
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// The `Sec-WebSocket-Key` of a request head.
pub fn request_key(head: &str) -> String {
    head.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("sec-websocket-key")
                .then(|| value.trim().to_owned())
        })
        .expect("the request has a Sec-WebSocket-Key")
}

/// Reads the request and answers with a valid 101, plus `extra_headers` (each ending in CRLF).
pub async fn accept_raw(stream: &mut TcpStream, extra_headers: &str) {
    let head = read_request(stream).await;
    let accept = derive_accept_key(request_key(&head).as_bytes());
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n{extra_headers}\r\n"
    );
    stream.write_all(response.as_bytes()).await.unwrap();
}

/// An unmasked server frame with the first byte `first` (FIN, RSV, opcode) and `payload`.
pub fn server_frame(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = vec![first];
    match payload.len() {
        length if length < 126 => frame.push(length as u8),
        length if length <= 0xffff => {
            frame.push(126);
            frame.extend_from_slice(&(length as u16).to_be_bytes());
        }
        length => {
            frame.push(127);
            frame.extend_from_slice(&(length as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(payload);
    frame
}

/// A close frame payload.
pub fn close_payload(code: u16, reason: &str) -> Vec<u8> {
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(reason.as_bytes());
    payload
}

/// A frame the client sent, unmasked: (first byte, payload). `None` at end of stream.
pub async fn read_client_frame(stream: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut head = [0u8; 2];
    stream.read_exact(&mut head).await.ok()?;
    assert!(head[1] & 0x80 != 0, "client frames must be masked");
    let length = match head[1] & 0x7f {
        126 => {
            let mut bytes = [0u8; 2];
            stream.read_exact(&mut bytes).await.ok()?;
            u64::from(u16::from_be_bytes(bytes))
        }
        127 => {
            let mut bytes = [0u8; 8];
            stream.read_exact(&mut bytes).await.ok()?;
            u64::from_be_bytes(bytes)
        }
        length => u64::from(length),
    };
    let mut mask = [0u8; 4];
    stream.read_exact(&mut mask).await.ok()?;
    let mut payload = vec![0u8; length as usize];
    stream.read_exact(&mut payload).await.ok()?;
    for (index, byte) in payload.iter_mut().enumerate() {
        *byte ^= mask[index % 4];
    }
    Some((head[0], payload))
}

/// The frames a client sent on one connection, in order: (first byte, unmasked payload).
pub type ClientFrames = Vec<(u8, Vec<u8>)>;

/// A raw server that, on every connection, accepts the upgrade, writes `script` (server frames),
/// then records the client's frames up to and including its close frame. Each connection's frames
/// arrive on the returned channel once its close frame (or end of stream) is read.
pub async fn scripted_server(
    script: Vec<u8>,
) -> (u16, tokio::sync::mpsc::UnboundedReceiver<ClientFrames>) {
    scripted_server_answering(script, "").await
}

/// [`scripted_server`] whose upgrade response carries `extra_headers` (each ending in CRLF).
pub async fn scripted_server_answering(
    script: Vec<u8>,
    extra_headers: &'static str,
) -> (u16, tokio::sync::mpsc::UnboundedReceiver<ClientFrames>) {
    let (frames_tx, frames_rx) = tokio::sync::mpsc::unbounded_channel();
    let port = raw_server(move |mut stream: TcpStream| {
        let script = script.clone();
        let frames_tx = frames_tx.clone();
        async move {
            accept_raw(&mut stream, extra_headers).await;
            let _ = stream.write_all(&script).await;
            let mut frames = Vec::new();
            while let Some(frame) = read_client_frame(&mut stream).await {
                let close = frame.0 & 0x0f == 0x8;
                frames.push(frame);
                if close {
                    break;
                }
            }
            let _ = frames_tx.send(frames);
        }
    })
    .await;
    (port, frames_rx)
}

/// The close frame among `frames`: `Some(Some(code))`, `Some(None)` for an empty close, `None`
/// when the client sent no close frame.
pub fn close_code(frames: &[(u8, Vec<u8>)]) -> Option<Option<u16>> {
    frames
        .iter()
        .find(|(first, _)| first & 0x0f == 0x8)
        .map(|(_, payload)| {
            (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]))
        })
}

/// Reads client frames until a close frame, returning its code (if any). `None` if the stream ends.
pub async fn read_client_close(stream: &mut TcpStream) -> Option<Option<u16>> {
    while let Some((first, payload)) = read_client_frame(stream).await {
        if first & 0x0f == 0x8 {
            return Some(
                (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]])),
            );
        }
    }
    None
}

/// Message shorthand for the in-process server.
pub fn text(value: &str) -> Message {
    Message::text(value)
}

/// `count` messages, text and binary in turn, each different: for checking order and content.
pub fn numbered(count: usize) -> Vec<uniws::Frame> {
    (0..count)
        .map(|index| {
            if index % 2 == 0 {
                uniws::Frame::text(format!("message {index}"))
            } else {
                uniws::Frame::binary(vec![(index % 251) as u8; index * 7])
            }
        })
        .collect()
}
