//! Certificate pinning on top of normal verification, like OkHttp's `CertificatePinner`: for a
//! host with pins, the certificates the server presents must include one whose public key
//! (SubjectPublicKeyInfo) has a pinned SHA-256.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::config::CertificatePin;
use crate::error::{Result, WebSocketError};

/// The prefix of a pin, the only hash pins use (as in OkHttp).
const SHA256_PREFIX: &str = "sha256/";

/// Checks that every pin is `sha256/` and 44 characters of base64 (32 bytes), and every pattern a
/// host name, `*.` or `**.` and a host name.
pub(crate) fn check_pins(pins: &[CertificatePin]) -> Result<()> {
    for pin in pins {
        let hash = pin.pin.strip_prefix(SHA256_PREFIX).unwrap_or("");
        let base64 = hash.len() == 44
            && hash.ends_with('=')
            && hash[..43]
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'+' || byte == b'/');
        if !base64 {
            return Err(WebSocketError::Tls {
                detail: format!(
                    "certificate pin `{}` is not `sha256/` and a base64 SHA-256",
                    pin.pin
                ),
            });
        }
        let host = pin
            .pattern
            .strip_prefix("**.")
            .or_else(|| pin.pattern.strip_prefix("*."))
            .unwrap_or(&pin.pattern);
        if host.is_empty() || host.contains('*') {
            return Err(WebSocketError::Tls {
                detail: format!(
                    "certificate pin pattern `{}` is not a host name, `*.host` or `**.host`",
                    pin.pattern
                ),
            });
        }
    }
    Ok(())
}

/// Whether `pattern` (`host`, `*.host` for one more label, `**.host` for the host and any number
/// of labels more) covers `host`. Case does not matter.
fn covers(pattern: &str, host: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    if let Some(base) = pattern.strip_prefix("**.") {
        return host == base || host.ends_with(&format!(".{base}"));
    }
    if let Some(base) = pattern.strip_prefix("*.") {
        return host
            .strip_suffix(base)
            .and_then(|label| label.strip_suffix('.'))
            .is_some_and(|label| !label.is_empty() && !label.contains('.'));
    }
    pattern == host
}

/// The pin of a certificate: `sha256/` and the base64 SHA-256 of its SubjectPublicKeyInfo.
fn pin_of(certificate: &CertificateDer<'_>) -> Option<String> {
    let spki = subject_public_key_info(certificate)?;
    let digest = ring::digest::digest(&ring::digest::SHA256, spki);
    Some(format!("{SHA256_PREFIX}{}", base64(digest.as_ref())))
}

/// The DER of a certificate's SubjectPublicKeyInfo: the seventh field of its TBSCertificate (the
/// sixth when the optional version is absent).
fn subject_public_key_info(certificate: &[u8]) -> Option<&[u8]> {
    let (_, certificate, _) = element(certificate)?;
    let (_, mut tbs, _) = element(certificate)?;
    if tbs.first() == Some(&0xa0) {
        tbs = element(tbs)?.2;
    }
    // serialNumber, signature, issuer, validity, subject.
    for _ in 0..5 {
        tbs = element(tbs)?.2;
    }
    Some(element(tbs)?.0)
}

/// The DER element at the start of `input`: its whole encoding, its contents, and what follows.
fn element(input: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let first = *input.get(1)?;
    let (length, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let bytes = input.get(2..2 + count)?;
        let length = bytes
            .iter()
            .fold(0usize, |length, &byte| (length << 8) | usize::from(byte));
        (length, 2 + count)
    };
    let end = header.checked_add(length)?;
    let whole = input.get(..end)?;
    Some((whole, &whole[header..], &input[end..]))
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let value = chunk
            .iter()
            .enumerate()
            .fold(0u32, |value, (index, &byte)| {
                value | u32::from(byte) << (16 - 8 * index)
            });
        for index in 0..4 {
            if index <= chunk.len() {
                out.push(char::from(
                    ALPHABET[(value >> (18 - 6 * index) & 63) as usize],
                ));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A verifier that verifies as `inner` does, then checks the pins of the server's host.
#[derive(Debug)]
pub(crate) struct PinningVerifier {
    pub(crate) inner: Arc<dyn ServerCertVerifier>,
    pub(crate) pins: Vec<CertificatePin>,
}

impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        let host = server_name.to_str();
        let pins: Vec<&str> = self
            .pins
            .iter()
            .filter(|pin| covers(&pin.pattern, &host))
            .map(|pin| pin.pin.as_str())
            .collect();
        if pins.is_empty() {
            return Ok(verified);
        }
        let presented: Vec<String> = std::iter::once(end_entity)
            .chain(intermediates)
            .filter_map(pin_of)
            .collect();
        if presented.iter().any(|pin| pins.contains(&pin.as_str())) {
            return Ok(verified);
        }
        Err(rustls::Error::General(format!(
            "certificate pinning failed for {host}: the server presented {}; pinned: {}",
            presented.join(", "),
            pins.join(", ")
        )))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner
            .verify_tls12_signature(message, certificate, signature)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner
            .verify_tls13_signature(message, certificate, signature)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }

    fn root_hint_subjects(&self) -> Option<&[rustls::DistinguishedName]> {
        self.inner.root_hint_subjects()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_cover_hosts_as_okhttp_does() {
        assert!(covers("example.com", "Example.COM"));
        assert!(!covers("example.com", "www.example.com"));
        assert!(covers("*.example.com", "www.example.com"));
        assert!(!covers("*.example.com", "example.com"));
        assert!(!covers("*.example.com", "a.b.example.com"));
        assert!(covers("**.example.com", "example.com"));
        assert!(covers("**.example.com", "a.b.example.com"));
        assert!(!covers("**.example.com", "badexample.com"));
    }

    #[test]
    fn base64_is_standard_with_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn malformed_pins_and_patterns_are_refused() {
        let pin = |pattern: &str, pin: &str| CertificatePin {
            pattern: pattern.into(),
            pin: pin.into(),
        };
        let good = format!("sha256/{}=", "A".repeat(43));
        assert!(check_pins(&[pin("**.example.com", &good)]).is_ok());
        assert!(check_pins(&[pin("example.com", "sha1/AAAA")]).is_err());
        assert!(check_pins(&[pin("example.com", "sha256/short=")]).is_err());
        assert!(check_pins(&[pin("a.*.example.com", &good)]).is_err());
        assert!(check_pins(&[pin("", &good)]).is_err());
    }
}
