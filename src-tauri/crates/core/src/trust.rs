//! TLS trust for XMPP connections: certificates are verified against the system roots (rustls-
//! native-certs, which honours `SSL_CERT_FILE`). A certificate the system does not trust can be
//! pinned by the user, per account, by its SHA-256 fingerprint; a pinned certificate that changes
//! is refused. The verifier records *why* it refused so the user sees the fingerprint.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha2::{Digest, Sha256};
use tokio_rustls::rustls;

/// Why the last handshake's certificate was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertProblem {
    /// Not trusted by the system and not pinned.
    Untrusted {
        /// SHA-256 of the presented certificate.
        fingerprint: String,
        /// The verifier's reason (self-signed, unknown issuer, expired, wrong name…).
        reason: String,
    },
    /// Differs from the pinned one.
    Changed {
        /// What the user trusted.
        pinned: String,
        /// What the server presented.
        presented: String,
    },
}

/// SHA-256 of a DER certificate as upper-case hex pairs joined by colons.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = Sha256::digest(der);
    digest
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A certificate the user trusted for one XMPP domain. It is bound to that name: the same
/// certificate presented for any other name (a file host, another server) is not trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// The XMPP domain it was pinned for (the name the XMPP connection's TLS checks).
    pub domain: String,
    /// SHA-256 of the certificate, as [`fingerprint`] writes it.
    pub fingerprint: String,
}

/// Builds TLS client configs for one account and remembers certificate problems.
#[derive(Debug)]
pub struct Trust {
    config: Arc<rustls::ClientConfig>,
    problem: Arc<Mutex<Option<CertProblem>>>,
}

impl Trust {
    /// A trust context: system roots plus, optionally, the account's pinned certificate (only
    /// for the XMPP connection: file hosts get `None`).
    pub fn new(pinned: Option<Pin>) -> Result<Self, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(native.certs);
        let inner = if roots.is_empty() {
            None
        } else {
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .ok()
        };
        let problem = Arc::new(Mutex::new(None));
        let verifier = Arc::new(PinningVerifier {
            inner,
            pinned,
            problem: problem.clone(),
            provider: provider.clone(),
        });
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(Self {
            config: Arc::new(config),
            problem,
        })
    }

    /// The rustls config to hand to `TlsConnector`.
    pub fn client_config(&self) -> Arc<rustls::ClientConfig> {
        self.config.clone()
    }

    /// Puts a taken problem back (the connector peeks, the connection manager reports).
    pub fn restore_problem(&self, p: CertProblem) {
        *self.problem.lock().unwrap_or_else(|p| p.into_inner()) = Some(p);
    }

    /// Takes the problem recorded by the last refused handshake.
    pub fn take_problem(&self) -> Option<CertProblem> {
        self.problem
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }
}

#[derive(Debug)]
struct PinningVerifier {
    inner: Option<Arc<WebPkiServerVerifier>>,
    pinned: Option<Pin>,
    problem: Arc<Mutex<Option<CertProblem>>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = fingerprint(end_entity.as_ref());
        let system = match &self.inner {
            Some(v) => {
                v.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            None => Err(rustls::Error::General(
                "no trusted root certificates on this system".into(),
            )),
        };
        let err = match system {
            Ok(ok) => return Ok(ok),
            Err(e) => e,
        };
        // The user's explicit decision: exactly this certificate is trusted for this account's
        // XMPP domain, and for no other name.
        let name = match server_name {
            ServerName::DnsName(n) => n.as_ref().to_ascii_lowercase(),
            ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
            _ => String::new(),
        };
        let pin = self
            .pinned
            .as_ref()
            .filter(|p| p.domain.eq_ignore_ascii_case(&name));
        if pin.is_some_and(|p| p.fingerprint == presented) {
            return Ok(ServerCertVerified::assertion());
        }
        let problem = match pin {
            Some(pinned) => CertProblem::Changed {
                pinned: pinned.fingerprint.clone(),
                presented,
            },
            None => CertProblem::Untrusted {
                fingerprint: presented,
                reason: err.to_string(),
            },
        };
        *self.problem.lock().unwrap_or_else(|p| p.into_inner()) = Some(problem);
        Err(err)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_sha256_hex_pairs() {
        let fp = fingerprint(b"abc");
        assert_eq!(fp.len(), 32 * 3 - 1);
        assert!(fp.starts_with("BA:78:16:BF"));
    }

    #[test]
    fn builds_a_config_with_or_without_a_pin() {
        assert!(Trust::new(None).is_ok());
        let t = Trust::new(Some(Pin {
            domain: "example.com".into(),
            fingerprint: "AA".into(),
        }))
        .unwrap();
        assert!(t.take_problem().is_none());
    }

    fn verifier(pinned: Option<Pin>) -> PinningVerifier {
        PinningVerifier {
            inner: None,
            pinned,
            problem: Arc::new(Mutex::new(None)),
            provider: Arc::new(rustls::crypto::ring::default_provider()),
        }
    }

    fn check(v: &PinningVerifier, cert: &[u8], name: &str) -> bool {
        let name = ServerName::try_from(name.to_string()).unwrap();
        v.verify_server_cert(
            &CertificateDer::from(cert.to_vec()),
            &[],
            &name,
            &[],
            UnixTime::now(),
        )
        .is_ok()
    }

    #[test]
    fn a_pin_holds_for_its_xmpp_domain_only() {
        let cert = b"a self-signed certificate, as far as this test cares";
        let v = verifier(Some(Pin {
            domain: "Chat.Example.com".into(),
            fingerprint: fingerprint(cert),
        }));
        assert!(check(&v, cert, "chat.example.com"));
        // The same certificate for a file host (or any other name) is not trusted.
        assert!(!check(&v, cert, "files.example.com"));
        assert!(matches!(
            v.problem.lock().unwrap().take(),
            Some(CertProblem::Untrusted { .. })
        ));
        // Another certificate for the pinned domain is a changed certificate.
        assert!(!check(&v, b"another certificate", "chat.example.com"));
        assert!(matches!(
            v.problem.lock().unwrap().take(),
            Some(CertProblem::Changed { .. })
        ));
        assert!(!check(&verifier(None), cert, "chat.example.com"));
    }
}
