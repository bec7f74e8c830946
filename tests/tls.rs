//! wss:// against a local TLS server whose CA is generated per test: trusted through the config,
//! and refused with `Tls` when untrusted or issued for another host.

mod peers;

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, PublicKeyData};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use uniws::{
    CertificatePin, Frame, TlsConfig, TlsVersion, WebSocketClient, WebSocketConfig, WebSocketError,
};

/// A CA and a TLS echo server whose certificate it issued for `names`.
struct TlsServer {
    port: u16,
    ca_pem: String,
    /// The pin of the server certificate's key, computed here independently of uniws.
    server_pin: String,
    /// The pin of the CA's key, which the server does not present.
    ca_pin: String,
}

/// `sha256/` and the base64 SHA-256 of a SubjectPublicKeyInfo, as OkHttp writes pins.
fn pin(spki: &[u8]) -> String {
    use base64::Engine;
    let digest = ring::digest::digest(&ring::digest::SHA256, spki);
    format!(
        "sha256/{}",
        base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
    )
}

async fn tls_echo_server(names: &[&str]) -> TlsServer {
    tls_echo_server_with(names, &[&rustls::version::TLS13, &rustls::version::TLS12]).await
}

async fn tls_echo_server_with(
    names: &[&str],
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> TlsServer {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca_pin = pin(&ca_key.subject_public_key_info());
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_pin = pin(&server_key.subject_public_key_info());
    let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
    let server_cert = CertificateParams::new(names)
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        )
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(stream).await else {
                    return;
                };
                let Ok(socket) = tokio_tungstenite::accept_async(tls).await else {
                    return;
                };
                peers::echo_over(socket).await;
            });
        }
    });
    TlsServer {
        port,
        ca_pem: ca.pem(),
        server_pin,
        ca_pin,
    }
}

fn trusting(ca_pem: &str, use_system_trust_store: bool) -> WebSocketClient {
    with_tls(TlsConfig {
        extra_root_certificates_pem: vec![ca_pem.to_owned()],
        use_system_trust_store,
        ..Default::default()
    })
}

fn with_tls(tls: TlsConfig) -> WebSocketClient {
    WebSocketClient::new(WebSocketConfig {
        tls,
        ..Default::default()
    })
}

async fn echo_once(client: &WebSocketClient, url: &str) {
    let session = client.connect(url).await.unwrap();
    session.send_text("over TLS".into()).await.unwrap();
    assert_eq!(session.receive().await.unwrap(), Frame::text("over TLS"));
    session.close().await.unwrap();
    assert_eq!(session.close_reason().await.code, 1000);
}

#[tokio::test]
async fn trusted_ca_from_the_config_with_the_system_store() {
    let server = tls_echo_server(&["localhost", "127.0.0.1"]).await;
    let client = trusting(&server.ca_pem, true);
    echo_once(&client, &format!("wss://localhost:{}/", server.port)).await;
    echo_once(&client, &format!("wss://127.0.0.1:{}/", server.port)).await;
    echo_once(&client, &format!("https://127.0.0.1:{}/", server.port)).await;
}

#[tokio::test]
async fn trusted_ca_alone() {
    let server = tls_echo_server(&["127.0.0.1"]).await;
    echo_once(
        &trusting(&server.ca_pem, false),
        &format!("wss://127.0.0.1:{}/", server.port),
    )
    .await;
}

#[tokio::test]
async fn untrusted_certificate_is_refused() {
    let server = tls_echo_server(&["127.0.0.1"]).await;
    let error = WebSocketClient::default()
        .connect(&format!("wss://127.0.0.1:{}/", server.port))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, WebSocketError::Tls { detail } if detail.to_lowercase().contains("unknown")
        || detail.to_lowercase().contains("issuer") || detail.to_lowercase().contains("trust")),
        "{error:?}"
    );
}

#[tokio::test]
async fn certificate_for_another_host_is_refused() {
    let server = tls_echo_server(&["other.example"]).await;
    let error = trusting(&server.ca_pem, false)
        .connect(&format!("wss://127.0.0.1:{}/", server.port))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, WebSocketError::Tls { detail } if detail.to_lowercase().contains("not valid for name")
        || detail.to_lowercase().contains("name")),
        "{error:?}"
    );
}

#[tokio::test]
async fn unreadable_ca_bundle_fails_every_wss_open_clearly() {
    let server = tls_echo_server(&["127.0.0.1"]).await;
    let client = trusting(
        "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
        true,
    );
    let error = client
        .connect(&format!("wss://127.0.0.1:{}/", server.port))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, WebSocketError::Tls { detail } if detail.contains("#0")),
        "{error:?}"
    );
    let empty = trusting("no certificate here", true);
    assert!(matches!(
        empty
            .connect(&format!("wss://127.0.0.1:{}/", server.port))
            .await,
        Err(WebSocketError::Tls { .. })
    ));
}

/// A client trusting `server`'s CA alone, with `pins`.
fn pinning(server: &TlsServer, pins: Vec<CertificatePin>) -> WebSocketClient {
    with_tls(TlsConfig {
        extra_root_certificates_pem: vec![server.ca_pem.clone()],
        use_system_trust_store: false,
        certificate_pins: pins,
        ..Default::default()
    })
}

#[tokio::test]
async fn a_pinned_server_key_is_accepted() {
    let server = tls_echo_server(&["localhost"]).await;
    let url = format!("wss://localhost:{}/", server.port);
    for pattern in ["localhost", "**.localhost"] {
        let pins = vec![
            CertificatePin::new(pattern, server.ca_pin.clone()),
            CertificatePin::new(pattern, server.server_pin.clone()),
        ];
        echo_once(&pinning(&server, pins), &url).await;
    }
    // Pins for other hosts do not apply.
    let elsewhere = vec![CertificatePin::new("*.example.com", server.ca_pin.clone())];
    echo_once(&pinning(&server, elsewhere), &url).await;
}

#[tokio::test]
async fn a_pin_mismatch_fails_with_tls_naming_the_pins_presented() {
    let server = tls_echo_server(&["localhost"]).await;
    // The CA's key is pinned, but the server presents only its own certificate.
    let pins = vec![CertificatePin::new("localhost", server.ca_pin.clone())];
    let error = pinning(&server, pins)
        .connect(&format!("wss://localhost:{}/", server.port))
        .await
        .unwrap_err();
    match &error {
        WebSocketError::Tls { detail } => {
            assert!(detail.contains("pinning failed for localhost"), "{detail}");
            assert!(detail.contains(&server.server_pin), "{detail}");
            assert!(detail.contains(&server.ca_pin), "{detail}");
        }
        other => panic!("expected Tls, got {other:?}"),
    }
}

#[tokio::test]
async fn a_malformed_pin_fails_every_wss_open_clearly() {
    let server = tls_echo_server(&["localhost"]).await;
    let pins = vec![CertificatePin::new("localhost", "sha1/AAAA")];
    let error = pinning(&server, pins)
        .connect(&format!("wss://localhost:{}/", server.port))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, WebSocketError::Tls { detail } if detail.contains("sha1/AAAA")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_minimum_tls_version_refuses_older_servers() {
    let server = tls_echo_server_with(&["localhost"], &[&rustls::version::TLS12]).await;
    let url = format!("wss://localhost:{}/", server.port);
    let tls = |min_tls_version| TlsConfig {
        extra_root_certificates_pem: vec![server.ca_pem.clone()],
        use_system_trust_store: false,
        min_tls_version,
        ..Default::default()
    };
    echo_once(&with_tls(tls(None)), &url).await;
    echo_once(&with_tls(tls(Some(TlsVersion::Tls12))), &url).await;
    let error = with_tls(tls(Some(TlsVersion::Tls13)))
        .connect(&url)
        .await
        .unwrap_err();
    assert!(matches!(error, WebSocketError::Tls { .. }), "{error:?}");
}
