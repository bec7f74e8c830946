//! The rustls client configuration: ring provider, system trust store plus extra roots.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

use super::pinning::{check_pins, PinningVerifier};
use crate::config::{TlsConfig, TlsVersion};
use crate::error::{Result, WebSocketError};

/// Builds the client TLS configuration for `settings`. Fails with `Tls` on an unreadable PEM
/// bundle, when no root at all would be trusted, or on a malformed certificate pin.
pub(crate) fn client_config(settings: &TlsConfig) -> Result<Arc<ClientConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut extra_roots = Vec::new();
    for (index, pem) in settings.extra_root_certificates_pem.iter().enumerate() {
        let before = extra_roots.len();
        for certificate in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            extra_roots.push(certificate.map_err(|error| WebSocketError::Tls {
                detail: format!("extra root certificate #{index} is not valid PEM: {error}"),
            })?);
        }
        if extra_roots.len() == before {
            return Err(WebSocketError::Tls {
                detail: format!("extra root certificate #{index} holds no CERTIFICATE block"),
            });
        }
    }
    check_pins(&settings.certificate_pins)?;
    let versions: &[&rustls::SupportedProtocolVersion] = match settings.min_tls_version {
        Some(TlsVersion::Tls13) => &[&rustls::version::TLS13],
        Some(TlsVersion::Tls12) | None => &[&rustls::version::TLS13, &rustls::version::TLS12],
    };
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)?
        .dangerous();
    let verifier: Arc<dyn rustls::client::danger::ServerCertVerifier> =
        if settings.use_system_trust_store {
            Arc::new(rustls_platform_verifier::Verifier::new_with_extra_roots(
                extra_roots,
                provider,
            )?)
        } else {
            if extra_roots.is_empty() {
                return Err(WebSocketError::Tls {
                    detail: "the system trust store is off and no extra root certificate is given"
                        .into(),
                });
            }
            let mut store = RootCertStore::empty();
            for certificate in extra_roots {
                store.add(certificate)?;
            }
            WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
                .build()
                .map_err(|error| WebSocketError::Tls {
                    detail: error.to_string(),
                })?
        };
    let verifier = if settings.certificate_pins.is_empty() {
        verifier
    } else {
        Arc::new(PinningVerifier {
            inner: verifier,
            pins: settings.certificate_pins.clone(),
        })
    };
    let mut config = builder
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Whether an I/O error from the TLS handshake carries a rustls error, and its text.
pub(crate) fn tls_failure(error: &std::io::Error) -> Option<String> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .map(ToString::to_string)
}
