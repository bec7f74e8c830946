//! uniws's Rust API against raw tokio-tungstenite with the same limits, both talking to the shared
//! echo server. Prints one JSON object per measurement.
//!
//! ```text
//! bench-rust --ws PORT --wss PORT --ca CA.pem [--quick]     # latency, throughput, handshakes
//! bench-rust --ws PORT --memory uniws|tungstenite [--quick] # resident memory per idle session
//! ```
//!
//! `--only SIZE`, `--workload latency|throughput` and `--contender uniws-rust|tokio-tungstenite`
//! narrow a run (for profiling). `--current-thread` runs both contenders on a current-thread
//! runtime instead of a multi-threaded one (their names then end in `@current-thread`). Latency and throughput run in `--repeat N`
//! interleaved rounds (default 3, 1 with `--quick`), the contenders' order swapped every other
//! round; each round prints its own line and the report takes the median. Each size starts with a
//! warm-up round that prints nothing (see [`Options::warm_up`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::{pem::PemObject, CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig as TungsteniteConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use uniws::{ClientWebSocketSession, Frame, TlsConfig, WebSocketClient, WebSocketConfig};

/// Any byte stream a tungstenite client can run over.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

type RawSocket = WebSocketStream<Box<dyn Io>>;

/// The payload sizes measured.
const SIZES: [usize; 4] = [32, 1 << 10, 64 << 10, 1 << 20];
/// Messages in flight in the pipelined workload.
const WINDOW: usize = 32;

struct Options {
    ws: u16,
    wss: u16,
    ca: String,
    quick: bool,
    memory: Option<String>,
    only_size: Option<usize>,
    only_contender: Option<String>,
    current_thread: bool,
    repeat: usize,
    only_workload: Option<String>,
    /// Run an unreported round of every contender before each size's measured rounds
    /// (`--no-warm-up` turns it off). Without it the first contender at each size pays for
    /// warming up both processes at that size: at 1 MiB the echo server's allocator maps and
    /// faults in fresh memory for every message until glibc's dynamic mmap threshold has grown
    /// past the message size, and the first round measured at 1 MiB took about twice as long as
    /// the later ones, whichever contender ran it.
    warm_up: bool,
}

fn options() -> Options {
    let mut options = Options {
        ws: 0,
        wss: 0,
        ca: String::new(),
        quick: false,
        memory: None,
        only_size: None,
        only_contender: None,
        current_thread: false,
        repeat: 3,
        only_workload: None,
        warm_up: true,
    };
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--ws" => options.ws = arguments.next().unwrap().parse().unwrap(),
            "--wss" => options.wss = arguments.next().unwrap().parse().unwrap(),
            "--ca" => options.ca = arguments.next().unwrap(),
            "--quick" => {
                options.quick = true;
                options.repeat = 1;
            }
            "--memory" => options.memory = arguments.next(),
            "--only" => options.only_size = arguments.next().map(|size| size.parse().unwrap()),
            "--contender" => options.only_contender = arguments.next(),
            "--current-thread" => options.current_thread = true,
            "--repeat" => options.repeat = arguments.next().unwrap().parse().unwrap(),
            "--workload" => options.only_workload = arguments.next(),
            "--no-warm-up" => options.warm_up = false,
            other => panic!("unknown argument {other}"),
        }
    }
    options
}

fn uniws_config(ca: &str) -> WebSocketConfig {
    WebSocketConfig {
        max_frame_size: 16 << 20,
        max_message_size: 64 << 20,
        tls: TlsConfig {
            extra_root_certificates_pem: if ca.is_empty() {
                vec![]
            } else {
                vec![std::fs::read_to_string(ca).unwrap()]
            },
            use_system_trust_store: false,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn tungstenite_config() -> TungsteniteConfig {
    TungsteniteConfig::default()
        .max_frame_size(Some(16 << 20))
        .max_message_size(Some(64 << 20))
}

/// The sending half of a contender's connection.
enum Tx {
    Uniws(Arc<ClientWebSocketSession>),
    Tungstenite(SplitSink<RawSocket, Message>),
}

/// The receiving half.
enum Rx {
    Uniws(Arc<ClientWebSocketSession>),
    Tungstenite(SplitStream<RawSocket>),
}

impl Tx {
    /// Sends one binary message; `flush` says whether more are coming right away.
    async fn send(&mut self, payload: Vec<u8>, flush: bool) {
        match self {
            Tx::Uniws(session) => session.send_binary(payload.into()).await.unwrap(),
            Tx::Tungstenite(sink) => {
                sink.feed(Message::binary(payload)).await.unwrap();
                if flush {
                    sink.flush().await.unwrap();
                }
            }
        }
    }

    async fn close(self) {
        match self {
            Tx::Uniws(session) => session.close().await.unwrap(),
            Tx::Tungstenite(mut sink) => {
                let _ = sink.close().await;
            }
        }
    }
}

impl Rx {
    /// Receives one message and returns its length.
    async fn receive(&mut self) -> usize {
        match self {
            Rx::Uniws(session) => match session.receive().await.unwrap() {
                Frame::Binary { data } => data.len(),
                other => panic!("unexpected {other:?}"),
            },
            Rx::Tungstenite(stream) => loop {
                match stream.next().await.unwrap().unwrap() {
                    Message::Binary(data) => break data.len(),
                    Message::Ping(_) | Message::Pong(_) => continue,
                    other => panic!("unexpected {other:?}"),
                }
            },
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Contender {
    Uniws,
    Tungstenite,
}

impl Contender {
    /// The name reported: with `@current-thread` when running on a current-thread runtime.
    fn label(self) -> String {
        format!(
            "{}{}",
            self.name(),
            LABEL_SUFFIX.get().map_or("", |suffix| suffix)
        )
    }

    fn name(self) -> &'static str {
        match self {
            Contender::Uniws => "uniws-rust",
            Contender::Tungstenite => "tokio-tungstenite",
        }
    }

    async fn open(self, client: &WebSocketClient, url: &str, ca: &str) -> (Tx, Rx) {
        match self {
            Contender::Uniws => {
                let session = client.connect(url).await.unwrap();
                (Tx::Uniws(session.clone()), Rx::Uniws(session))
            }
            Contender::Tungstenite => {
                let (sink, stream) = open_tungstenite(url, ca).await.split();
                (Tx::Tungstenite(sink), Rx::Tungstenite(stream))
            }
        }
    }
}

/// Opens a raw tokio-tungstenite client, doing TLS with the same rustls setup as uniws.
async fn open_tungstenite(url: &str, ca: &str) -> RawSocket {
    let parsed = uniws::Url::parse(url).unwrap();
    let port = parsed.port().unwrap();
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let io: Box<dyn Io> = if parsed.scheme() == "wss" {
        let mut roots = rustls::RootCertStore::empty();
        for certificate in CertificateDer::pem_file_iter(ca).unwrap() {
            roots.add(certificate.unwrap()).unwrap();
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let name = ServerName::try_from("127.0.0.1").unwrap();
        Box::new(connector.connect(name, tcp).await.unwrap())
    } else {
        Box::new(tcp)
    };
    tokio_tungstenite::client_async_with_config(url, io, Some(tungstenite_config()))
        .await
        .unwrap()
        .0
}

fn percentile(sorted: &[Duration], fraction: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index].as_secs_f64() * 1e6
}

async fn latency(
    contender: Contender,
    client: &WebSocketClient,
    url: &str,
    size: usize,
    rounds: usize,
    print: bool,
) {
    let (mut tx, mut rx) = contender.open(client, url, "").await;
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds / 10 {
        tx.send(vec![1; size], true).await;
        rx.receive().await;
    }
    for _ in 0..rounds {
        let started = Instant::now();
        tx.send(vec![1; size], true).await;
        assert_eq!(rx.receive().await, size);
        samples.push(started.elapsed());
    }
    samples.sort();
    if print {
        println!(
            r#"{{"contender":"{}","workload":"latency","size":{size},"rounds":{rounds},"p50_us":{:.1},"p99_us":{:.1}}}"#,
            contender.label(),
            percentile(&samples, 0.50),
            percentile(&samples, 0.99)
        );
    }
    tx.close().await;
}

async fn throughput(
    contender: Contender,
    client: &WebSocketClient,
    url: &str,
    size: usize,
    count: usize,
    print: bool,
) {
    let (mut tx, mut rx) = contender.open(client, url, "").await;
    let window = Arc::new(Semaphore::new(WINDOW));
    let started = Instant::now();
    let sender = {
        let window = window.clone();
        tokio::spawn(async move {
            for index in 0..count {
                window.acquire().await.unwrap().forget();
                let more_ready = window.available_permits() > 0 && index + 1 < count;
                tx.send(vec![7; size], !more_ready).await;
            }
            tx
        })
    };
    for _ in 0..count {
        assert_eq!(rx.receive().await, size);
        window.add_permits(1);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let tx = sender.await.unwrap();
    if print {
        println!(
            r#"{{"contender":"{}","workload":"throughput","size":{size},"count":{count},"window":{WINDOW},"msgs_per_s":{:.0},"mb_per_s":{:.2}}}"#,
            contender.label(),
            count as f64 / elapsed,
            (count * size) as f64 / elapsed / 1e6
        );
    }
    tx.close().await;
}

async fn handshakes(
    contender: Contender,
    client: &WebSocketClient,
    url: &str,
    ca: &str,
    rounds: usize,
) {
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        let (tx, _rx) = contender.open(client, url, ca).await;
        samples.push(started.elapsed());
        tx.close().await;
    }
    samples.sort();
    let scheme = if url.starts_with("wss") { "wss" } else { "ws" };
    println!(
        r#"{{"contender":"{}","workload":"handshake_{scheme}","rounds":{rounds},"p50_us":{:.1},"p99_us":{:.1}}}"#,
        contender.label(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.99)
    );
}

/// Resident memory of this process, in bytes (Linux).
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

async fn idle_memory(contender: Contender, url: &str, sessions: usize) {
    let client = WebSocketClient::new(uniws_config(""));
    // Warm up the runtime, TLS provider and allocator with one session first.
    let warm = contender.open(&client, url, "").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = resident_bytes();
    let mut open = Vec::with_capacity(sessions);
    for _ in 0..sessions {
        open.push(contender.open(&client, url, "").await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = resident_bytes();
    println!(
        r#"{{"contender":"{}","workload":"idle_memory","sessions":{sessions},"bytes_per_session":{}}}"#,
        contender.label(),
        (after.saturating_sub(before)) / sessions as u64
    );
    drop(open);
    drop(warm);
}

/// Appended to the contender names of a `--current-thread` run.
static LABEL_SUFFIX: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

fn main() {
    let options = options();
    // Both contenders run on the same kind of runtime: multi-threaded (the default, as most
    // applications use) or, with `--current-thread`, one thread where tasks wake each other without
    // crossing threads.
    let runtime = if options.current_thread {
        LABEL_SUFFIX.set("@current-thread").unwrap();
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    }
    .enable_all()
    .build()
    .unwrap();
    runtime.block_on(run(options));
}

async fn run(options: Options) {
    let ws = format!("ws://127.0.0.1:{}/bench", options.ws);
    if let Some(which) = &options.memory {
        let contender = if which == "uniws" {
            Contender::Uniws
        } else {
            Contender::Tungstenite
        };
        idle_memory(contender, &ws, if options.quick { 100 } else { 1000 }).await;
        return;
    }
    let wss = format!("wss://127.0.0.1:{}/bench", options.wss);
    let client = WebSocketClient::new(uniws_config(&options.ca));
    let scale = if options.quick { 20 } else { 1 };
    let contenders: Vec<Contender> = [Contender::Uniws, Contender::Tungstenite]
        .into_iter()
        .filter(|contender| {
            options
                .only_contender
                .as_ref()
                .is_none_or(|only| only == contender.name())
        })
        .collect();
    for size in SIZES {
        if options.only_size.is_some_and(|only| only != size) {
            continue;
        }
        let rounds = if size >= 1 << 20 { 200 } else { 2_000 } / scale;
        let count = match size {
            32 => 200_000,
            1024 => 100_000,
            65536 => 4_000,
            _ => 300,
        } / scale;
        // An unreported warm-up round (see `Options::warm_up`), then interleaved rounds, each
        // contender first in every other one, so that drifting machine load hits both alike; the
        // report takes each contender's median round.
        let warm_up = usize::from(options.warm_up);
        for round in 0..warm_up + options.repeat {
            let print = round >= warm_up;
            let mut order = contenders.clone();
            // Measured rounds alternate starting with the given order; the warm-up round runs
            // the reverse, so the contender first in the first measured round has not just run.
            if (round + warm_up) % 2 == 1 {
                order.reverse();
            }
            let runs = |workload: &str| {
                options
                    .only_workload
                    .as_ref()
                    .is_none_or(|only| only == workload)
            };
            for &contender in &order {
                if runs("latency") {
                    latency(contender, &client, &ws, size, rounds, print).await;
                }
                if runs("throughput") {
                    throughput(contender, &client, &ws, size, count, print).await;
                }
            }
        }
    }
    if options.only_size.is_some() {
        return;
    }
    let rounds = 200 / scale;
    for &contender in &contenders {
        handshakes(contender, &client, &ws, &options.ca, rounds).await;
        handshakes(contender, &client, &wss, &options.ca, rounds).await;
    }
}
