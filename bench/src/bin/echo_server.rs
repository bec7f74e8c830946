//! The shared echo server for every contender: tokio-tungstenite, release build, ws:// and wss://
//! on 127.0.0.1. Prints `WS <port>`, `WSS <port>` and `CA <path of the PEM to trust>`, then serves
//! until its stdin closes.

use std::sync::Arc;

use futures_util::{FutureExt, SinkExt, StreamExt};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

#[tokio::main]
async fn main() {
    let ca_path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/bench-ca.pem".into());
    let acceptor = tls_acceptor(&ca_path);
    let plain = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let secure = TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("WS {}", plain.local_addr().unwrap().port());
    println!("WSS {}", secure.local_addr().unwrap().port());
    println!("CA {ca_path}");
    tokio::spawn(async move {
        while let Ok((stream, _)) = plain.accept().await {
            let _ = stream.set_nodelay(true);
            tokio::spawn(echo(stream));
        }
    });
    tokio::spawn(async move {
        while let Ok((stream, _)) = secure.accept().await {
            let _ = stream.set_nodelay(true);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(stream).await {
                    echo(tls).await;
                }
            });
        }
    });
    let mut sink = Vec::new();
    let _ = tokio::io::stdin().read_to_end(&mut sink).await;
}

async fn echo<S: AsyncRead + AsyncWrite + Unpin>(stream: S) {
    let config = WebSocketConfig::default()
        .max_message_size(None)
        .max_frame_size(None);
    let Ok(socket) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
        return;
    };
    let (mut sink, mut stream) = socket.split();
    while let Some(Ok(message)) = stream.next().await {
        let mut batch = Some(message);
        // Echo everything already readable, then flush once: pipelined traffic is batched.
        while let Some(message) = batch.take() {
            if (message.is_text() || message.is_binary()) && sink.feed(message).await.is_err() {
                return;
            }
            if let Some(Some(Ok(next))) = stream.next().now_or_never() {
                batch = Some(next);
            }
        }
        if sink.flush().await.is_err() {
            return;
        }
    }
}

fn tls_acceptor(ca_path: &str) -> TlsAcceptor {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    std::fs::write(ca_path, ca.pem()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
    .unwrap();
    TlsAcceptor::from(Arc::new(config))
}
