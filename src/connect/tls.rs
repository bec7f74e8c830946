//! The rustls client configuration: ring provider, system trust store plus extra roots.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

use crate::config::TlsConfig;
use crate::error::{Result, WebSocketError};

/// Builds the client TLS configuration for `settings`. Fails with `Tls` on an unreadable PEM
/// bundle or when no root at all would be trusted.
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
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .dangerous();
    let builder = if settings.use_system_trust_store {
        let verifier =
            rustls_platform_verifier::Verifier::new_with_extra_roots(extra_roots, provider)?;
        builder.with_custom_certificate_verifier(Arc::new(verifier))
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
        let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
            .build()
            .map_err(|error| WebSocketError::Tls {
                detail: error.to_string(),
            })?;
        builder.with_custom_certificate_verifier(verifier)
    };
    let mut config = builder.with_no_client_auth();
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
