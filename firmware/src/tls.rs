//! TLS for schemes 2–5 and 7–10: the provisioned trust material and the rustls client configuration.
//!
//! ESP-AT reference §2.7 maps each scheme to its TLS setup; §2.8 says the material lives in the
//! `mqtt_ca`, `mqtt_cert` and `mqtt_key` partitions. Here a directory (`--pki-dir`) stands in for
//! them, with one PEM file per partition, read afresh at every AT+MQTTCONN. No directory, or a
//! missing file, reads as an empty partition.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rumqttc::tokio_rustls::rustls::{
    self,
    client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    client::WebPkiServerVerifier,
    crypto::{self, CryptoProvider},
    pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer, ServerName, UnixTime},
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::error_code::MqttCode;
use crate::faults::{Fault, Faults};

/// The `mqtt_ca` partition: the CA for CA_ID 0.
pub const CA_FILE: &str = "mqtt_ca.crt";
/// The `mqtt_cert` partition: the client certificate for cert_key_ID 0.
pub const CERT_FILE: &str = "mqtt_client.crt";
/// The `mqtt_key` partition: the client certificate's private key.
pub const KEY_FILE: &str = "mqtt_client.key";

/// ESP-AT reference §2.7: schemes 2–5 are `mqtts://`, 7–10 `wss://`.
pub fn is_tls(scheme: u8) -> bool {
    matches!(scheme, 2..=5 | 7..=10)
}

/// ESP-AT reference §2.7: schemes 6–10 run over WebSocket.
pub fn is_ws(scheme: u8) -> bool {
    matches!(scheme, 6..=10)
}

/// ESP-AT reference §2.7: schemes 3, 5, 8 and 10 verify the server against `mqtt_ca`.
pub fn verifies_server(scheme: u8) -> bool {
    matches!(scheme, 3 | 5 | 8 | 10)
}

/// ESP-AT reference §2.7: schemes 4, 5, 9 and 10 present the client certificate.
pub fn presents_client_cert(scheme: u8) -> bool {
    matches!(scheme, 4 | 5 | 9 | 10)
}

/// The client certificate chain and its key.
type ClientIdentity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// The trust material one connect needs, read from the partitions.
pub struct Pki {
    /// The CA to verify the server with; `None` means accept any server.
    roots: Option<RootCertStore>,
    /// The client certificate chain and key; `None` means no client authentication.
    client: Option<ClientIdentity>,
}

impl fmt::Debug for Pki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pki")
            .field("ca_certs", &self.roots.as_ref().map(RootCertStore::len))
            .field("client_certs", &self.client.as_ref().map(|(c, _)| c.len()))
            .finish()
    }
}

/// Reads what `scheme` needs from `dir`, CA first, then certificate, then key; `None` for schemes 1 and 6.
///
/// Codes (spec error table): 0x6021/0x6022 CA empty/unreadable, 0x6023/0x6024 certificate,
/// 0x6025/0x6026 key. An item the scheme does not use is not read at all, so a fault armed for
/// it ([`Fault::CaEmpty`] and friends) stays armed.
pub fn load(scheme: u8, dir: Option<&Path>, faults: &Faults) -> Result<Option<Pki>, MqttCode> {
    if !is_tls(scheme) {
        return Ok(None);
    }
    let part = Partitions { dir, faults };
    let roots = if verifies_server(scheme) { Some(load_ca(&part)?) } else { None };
    let client = if presents_client_cert(scheme) {
        let certs = load_cert(&part)?;
        let key = load_key(&part)?;
        Some((certs, key))
    } else {
        None
    };
    Ok(Some(Pki { roots, client }))
}

/// What stands in for the certificate partitions during one connect.
struct Partitions<'a> {
    dir: Option<&'a Path>,
    faults: &'a Faults,
}

/// What an "unreadable" fault makes a partition hold: bytes with no PEM item in them, as erased flash.
const GARBAGE: &[u8] = b"\xff\xff\xff\xff\n";

impl Partitions<'_> {
    /// One partition's bytes. An armed `empty` fault makes it read as empty, an armed `unreadable`
    /// one as bytes holding no PEM item; either way the callers' own checks then refuse it.
    fn read(&self, name: &str, empty: Fault, unreadable: Fault) -> Option<Vec<u8>> {
        if self.faults.take(empty) {
            return None;
        }
        if self.faults.take(unreadable) {
            return Some(GARBAGE.to_vec());
        }
        read_item(self.dir, name)
    }
}

/// One partition's bytes; `None` when there is no directory, no file, or an empty file.
fn read_item(dir: Option<&Path>, name: &str) -> Option<Vec<u8>> {
    let path = dir?.join(name);
    match std::fs::read(&path) {
        Ok(bytes) if !bytes.is_empty() => {
            tracing::debug!(path = %path.display(), len = bytes.len(), "read PKI item");
            Some(bytes)
        }
        Ok(_) => None,
        Err(e) => {
            tracing::debug!(path = %path.display(), error = %e, "PKI item unreadable; treated as empty");
            None
        }
    }
}

fn load_ca(part: &Partitions<'_>) -> Result<RootCertStore, MqttCode> {
    let pem = part.read(CA_FILE, Fault::CaEmpty, Fault::CaUnreadable).ok_or(MqttCode::CaLengthError)?;
    let mut roots = RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(CertificateDer::pem_slice_iter(&pem).filter_map(Result::ok));
    tracing::debug!(added, ignored, "CA certificates");
    if roots.is_empty() {
        return Err(MqttCode::CaReadFailed);
    }
    Ok(roots)
}

fn load_cert(part: &Partitions<'_>) -> Result<Vec<CertificateDer<'static>>, MqttCode> {
    let pem = part.read(CERT_FILE, Fault::CertEmpty, Fault::CertUnreadable).ok_or(MqttCode::CertLengthError)?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&pem).filter_map(Result::ok).collect();
    if certs.is_empty() {
        return Err(MqttCode::CertReadFailed);
    }
    Ok(certs)
}

/// PKCS#8, SEC1 and PKCS#1 PEM keys are all accepted.
fn load_key(part: &Partitions<'_>) -> Result<PrivateKeyDer<'static>, MqttCode> {
    let pem = part.read(KEY_FILE, Fault::KeyEmpty, Fault::KeyUnreadable).ok_or(MqttCode::KeyLengthError)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| {
        tracing::info!(error = %e, "client key unreadable");
        MqttCode::KeyReadFailed
    })
}

/// Where the server verifier leaves the last error it returned, to be read after a failed connect.
#[derive(Debug, Clone, Default)]
pub struct VerifyErrorSlot(Arc<Mutex<Option<rustls::Error>>>);

impl VerifyErrorSlot {
    fn record(&self, e: &rustls::Error) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.clone());
    }

    /// The error the server's certificate was last refused with, if any.
    pub fn take(&self) -> Option<rustls::Error> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// A ready rustls client configuration and the slot its verifier reports into.
#[derive(Debug, Clone)]
pub struct ClientTls {
    /// For `TlsConfiguration::Rustls`; reused unchanged by every reconnect.
    pub config: Arc<ClientConfig>,
    /// Why the server's certificate was refused, if it was.
    pub verify_error: VerifyErrorSlot,
}

/// Builds the client configuration for the loaded material, offering `alpn` in the ClientHello.
///
/// A key that rustls cannot use, or that does not match the certificate, is 0x6026.
pub fn client_config(pki: Pki, alpn: &[String]) -> Result<ClientTls, MqttCode> {
    // The aws-lc-rs provider is the one rumqttc enables (crates reference §1); naming it avoids
    // depending on a process-wide default. It supports TLS 1.2 and 1.3, so the next step cannot fail.
    let provider = Arc::new(crypto::aws_lc_rs::default_provider());
    let builder =
        ClientConfig::builder_with_provider(provider.clone()).with_safe_default_protocol_versions().map_err(|e| {
            tracing::error!(error = %e, "the crypto provider supports no TLS version");
            MqttCode::KeyReadFailed
        })?;
    let verify_error = VerifyErrorSlot::default();
    let verifier: Arc<dyn ServerCertVerifier> = match pki.roots {
        Some(roots) => {
            let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| {
                    tracing::info!(error = %e, "CA unusable");
                    MqttCode::CaReadFailed
                })?;
            Arc::new(Recording { inner, slot: verify_error.clone() })
        }
        None => Arc::new(NoVerify(provider)),
    };
    let builder = builder.dangerous().with_custom_certificate_verifier(verifier);
    let mut config = match pki.client {
        Some((certs, key)) => builder.with_client_auth_cert(certs, key).map_err(|e| {
            tracing::info!(error = %e, "client certificate and key unusable");
            MqttCode::KeyReadFailed
        })?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn.iter().map(|a| a.as_bytes().to_vec()).collect();
    Ok(ClientTls { config: Arc::new(config), verify_error })
}

/// rustls reports a certificate that chains to the CA and is in date, but whose SANs do not cover
/// the host, as `NotValidForName` (WebPkiServerVerifier checks the chain before the name).
pub fn is_hostname_failure(e: &rustls::Error) -> bool {
    matches!(
        e,
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
        )
    )
}

/// Schemes 3, 5, 8, 10: webpki's verification, with the refusal recorded for the `ERR CODE` decision.
#[derive(Debug)]
struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    slot: VerifyErrorSlot,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now).inspect_err(|e| {
            tracing::info!(error = %e, server = ?server_name, "server certificate refused");
            self.slot.record(e);
        })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Schemes 2, 4, 7, 9: any server certificate is accepted, but the handshake signatures are still
/// checked with the provider's algorithms (crates reference §3).
#[derive(Debug)]
struct NoVerify(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};

    use super::*;

    /// A fresh, uniquely named directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> Self {
            static N: AtomicUsize = AtomicUsize::new(0);
            let name = format!("vfw-pki-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
            let dir = std::env::temp_dir().join(name);
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn put(&self, name: &str, text: &str) {
            std::fs::write(self.0.join(name), text).unwrap();
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    struct Material {
        ca: String,
        cert: String,
        key: String,
        other_key: String,
    }

    fn material() -> Material {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["client".to_owned()]).unwrap().signed_by(&key, &ca).unwrap();
        Material {
            ca: ca.pem(),
            cert: cert.pem(),
            key: key.serialize_pem(),
            other_key: KeyPair::generate().unwrap().serialize_pem(),
        }
    }

    fn load_code(scheme: u8, dir: &TempDir) -> Option<MqttCode> {
        load(scheme, Some(&dir.0), &Faults::default()).err()
    }

    #[test]
    fn plain_schemes_read_nothing() {
        assert!(load(1, None, &Faults::default()).unwrap().is_none());
        assert!(load(6, None, &Faults::default()).unwrap().is_none());
    }

    #[test]
    fn no_verify_schemes_need_no_material() {
        for scheme in [2, 7] {
            let pki = load(scheme, None, &Faults::default()).unwrap().unwrap();
            assert!(pki.roots.is_none() && pki.client.is_none());
            assert!(client_config(pki, &[]).is_ok());
        }
    }

    #[test]
    fn ca_codes() {
        let dir = TempDir::new();
        for scheme in [3, 5, 8, 10] {
            assert_eq!(load(scheme, None, &Faults::default()).err(), Some(MqttCode::CaLengthError), "no --pki-dir");
            assert_eq!(load_code(scheme, &dir), Some(MqttCode::CaLengthError), "no file");
        }
        dir.put(CA_FILE, "");
        assert_eq!(load_code(3, &dir), Some(MqttCode::CaLengthError), "empty file");
        dir.put(CA_FILE, "not a certificate\n");
        assert_eq!(load_code(3, &dir), Some(MqttCode::CaReadFailed));
        dir.put(CA_FILE, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assert_eq!(load_code(3, &dir), Some(MqttCode::CaReadFailed), "PEM but not X.509");
        dir.put(CA_FILE, &material().ca);
        let pki = load(3, Some(&dir.0), &Faults::default()).unwrap().unwrap();
        assert_eq!(pki.roots.as_ref().map(RootCertStore::len), Some(1));
        assert!(pki.client.is_none());
        // Schemes that do not verify the server never look at the CA.
        dir.put(CA_FILE, "garbage");
        assert!(load(2, Some(&dir.0), &Faults::default()).is_ok());
    }

    #[test]
    fn client_cert_and_key_codes() {
        let m = material();
        let dir = TempDir::new();
        for scheme in [4, 9] {
            assert_eq!(load(scheme, None, &Faults::default()).err(), Some(MqttCode::CertLengthError));
        }
        dir.put(CERT_FILE, "garbage");
        assert_eq!(load_code(4, &dir), Some(MqttCode::CertReadFailed));
        dir.put(CERT_FILE, &m.cert);
        assert_eq!(load_code(4, &dir), Some(MqttCode::KeyLengthError));
        dir.put(KEY_FILE, "");
        assert_eq!(load_code(4, &dir), Some(MqttCode::KeyLengthError));
        dir.put(KEY_FILE, "garbage");
        assert_eq!(load_code(4, &dir), Some(MqttCode::KeyReadFailed));
        dir.put(KEY_FILE, &m.key);
        let pki = load(4, Some(&dir.0), &Faults::default()).unwrap().unwrap();
        assert!(pki.roots.is_none());
        assert!(client_config(pki, &[]).is_ok());
        // A key of another certificate is unusable.
        dir.put(KEY_FILE, &m.other_key);
        let pki = load(4, Some(&dir.0), &Faults::default()).unwrap().unwrap();
        assert_eq!(client_config(pki, &[]).err(), Some(MqttCode::KeyReadFailed));
    }

    #[test]
    fn mutual_schemes_check_ca_then_cert_then_key() {
        let m = material();
        let dir = TempDir::new();
        dir.put(CERT_FILE, &m.cert);
        dir.put(KEY_FILE, &m.key);
        assert_eq!(load_code(5, &dir), Some(MqttCode::CaLengthError));
        dir.put(CA_FILE, &m.ca);
        dir.put(KEY_FILE, "garbage");
        assert_eq!(load_code(10, &dir), Some(MqttCode::KeyReadFailed));
        dir.put(KEY_FILE, &m.key);
        let pki = load(5, Some(&dir.0), &Faults::default()).unwrap().unwrap();
        assert!(pki.roots.is_some() && pki.client.is_some());
        let tls = client_config(pki, &["mqtt".to_owned(), "x".to_owned()]).unwrap();
        assert_eq!(tls.config.alpn_protocols, [b"mqtt".to_vec(), b"x".to_vec()]);
    }

    #[test]
    fn faults_make_the_partition_they_name_empty_or_unreadable_once() {
        let m = material();
        let dir = TempDir::new();
        dir.put(CA_FILE, &m.ca);
        dir.put(CERT_FILE, &m.cert);
        dir.put(KEY_FILE, &m.key);
        let cases = [
            (Fault::CaEmpty, MqttCode::CaLengthError),
            (Fault::CaUnreadable, MqttCode::CaReadFailed),
            (Fault::CertEmpty, MqttCode::CertLengthError),
            (Fault::CertUnreadable, MqttCode::CertReadFailed),
            (Fault::KeyEmpty, MqttCode::KeyLengthError),
            (Fault::KeyUnreadable, MqttCode::KeyReadFailed),
        ];
        let faults = Faults::default();
        for (fault, code) in cases {
            faults.arm(fault);
            assert_eq!(load(5, Some(&dir.0), &faults).err(), Some(code), "{fault}");
            assert!(load(5, Some(&dir.0), &faults).is_ok(), "{fault} is one-shot");
        }
        // A scheme that does not read the CA leaves its fault armed for a later connect.
        faults.arm(Fault::CaEmpty);
        assert!(load(4, Some(&dir.0), &faults).is_ok());
        assert_eq!(faults.armed(), vec![Fault::CaEmpty]);
    }

    #[test]
    fn files_are_read_at_every_load() {
        let m = material();
        let dir = TempDir::new();
        dir.put(CA_FILE, &m.ca);
        assert!(load(3, Some(&dir.0), &Faults::default()).is_ok());
        std::fs::remove_file(dir.0.join(CA_FILE)).unwrap();
        assert_eq!(load_code(3, &dir), Some(MqttCode::CaLengthError));
    }

    #[test]
    fn only_name_errors_are_hostname_failures() {
        let name = rustls::Error::InvalidCertificate(CertificateError::NotValidForName);
        assert!(is_hostname_failure(&name));
        let issuer = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        assert!(!is_hostname_failure(&issuer));
        assert!(!is_hostname_failure(&rustls::Error::DecryptError));
    }

    #[test]
    fn slot_keeps_the_last_refusal_until_taken() {
        let slot = VerifyErrorSlot::default();
        assert!(slot.take().is_none());
        slot.record(&rustls::Error::InvalidCertificate(CertificateError::Expired));
        slot.clone().record(&rustls::Error::InvalidCertificate(CertificateError::NotValidForName));
        assert!(slot.take().is_some_and(|e| is_hostname_failure(&e)));
        assert!(slot.take().is_none());
    }
}
