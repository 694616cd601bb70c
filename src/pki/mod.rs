//! The test PKI, made with rcgen: a CA, a server and a client certificate,
//! and deliberately bad material for the negative TLS scenarios.
//!
//! Everything lives as PEM files in one directory (`certs/` by default).
//! Files already there are reused, so a board provisioned once with the CA
//! and client certificate stays valid across runs; only what is missing (or a
//! server certificate whose host names changed) is made anew. Private keys
//! are written with mode 0600.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// What can go wrong making or reading the PKI.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// A file could not be read or written.
    #[error("{action} {path}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// Which file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// rcgen refused or failed.
    #[error("cannot make {what}")]
    Generate {
        /// Which certificate or key.
        what: String,
        /// Why.
        source: rcgen::Error,
    },
}

/// Subject common name of the device's client certificate.
pub const CLIENT_CN: &str = "atconform-device";
/// Subject common name of the client certificate from the untrusted CA.
pub const UNTRUSTED_CLIENT_CN: &str = "atconform-untrusted-device";
/// The only name in the wrong-host server certificate.
pub const WRONG_HOST: &str = "wrong-host.invalid";

/// A certificate file and its key file.
#[derive(Debug, Clone)]
pub struct CertKey {
    /// PEM certificate.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8).
    pub key: PathBuf,
}

/// Paths of every file of the test PKI.
#[derive(Debug, Clone)]
pub struct Pki {
    /// The directory holding it all.
    pub dir: PathBuf,
    /// The trusted CA.
    pub ca: CertKey,
    /// Server certificate for the configured host names, from the CA.
    pub server: CertKey,
    /// The device's client certificate, from the CA.
    pub client: CertKey,
    /// A second CA nobody trusts.
    pub other_ca: CertKey,
    /// Server certificate for the right names, from the other CA.
    pub untrusted_server: CertKey,
    /// Server certificate from the CA, for a name the device never dials.
    pub wrong_host_server: CertKey,
    /// Server certificate from the CA for the right names, expired in 2021.
    pub expired_server: CertKey,
    /// Client certificate from the other CA.
    pub untrusted_client: CertKey,
    /// The files a virtual device reads as its mqtt_ca / mqtt_cert / mqtt_key partitions.
    pub device_dir: PathBuf,
}

impl Pki {
    fn layout(dir: &Path) -> Self {
        let pair = |name: &str| CertKey { cert: dir.join(format!("{name}.crt")), key: dir.join(format!("{name}.key")) };
        Self {
            dir: dir.to_path_buf(),
            ca: pair("ca"),
            server: pair("server"),
            client: pair("client"),
            other_ca: pair("other-ca"),
            untrusted_server: pair("untrusted-server"),
            wrong_host_server: pair("wrong-host-server"),
            expired_server: pair("expired-server"),
            untrusted_client: pair("untrusted-client"),
            device_dir: dir.join("device"),
        }
    }

    /// Makes whatever is missing in `dir` (creating it) and returns the paths.
    ///
    /// `server_names` are the DNS names and IP addresses the server
    /// certificate must cover besides localhost, 127.0.0.1 and ::1.
    pub fn ensure(dir: &Path, server_names: &[String]) -> Result<Self, PkiError> {
        fs::create_dir_all(dir).map_err(|source| io("cannot create", dir, source))?;
        let pki = Self::layout(dir);
        let names = all_server_names(server_names);
        let ca = ensure_ca(&pki.ca, "atconform test CA")?;
        let other_ca = ensure_ca(&pki.other_ca, "atconform untrusted CA")?;
        let names_file = dir.join("server.names");
        let names_changed = fs::read_to_string(&names_file).ok().as_deref() != Some(names.join("\n").as_str());
        if names_changed {
            let _ = fs::remove_file(&pki.server.cert);
            let _ = fs::remove_file(&pki.untrusted_server.cert);
            let _ = fs::remove_file(&pki.expired_server.cert);
        }
        ensure_leaf(&pki.server, &ca, Leaf::server(&names))?;
        ensure_leaf(&pki.untrusted_server, &other_ca, Leaf::server(&names))?;
        ensure_leaf(&pki.expired_server, &ca, Leaf::server(&names).expired())?;
        ensure_leaf(&pki.wrong_host_server, &ca, Leaf::server(&[WRONG_HOST.to_string()]))?;
        ensure_leaf(&pki.client, &ca, Leaf::client(CLIENT_CN))?;
        ensure_leaf(&pki.untrusted_client, &other_ca, Leaf::client(UNTRUSTED_CLIENT_CN))?;
        write_public(&names_file, &names.join("\n"))?;
        pki.provision_device()?;
        Ok(pki)
    }

    /// Copies the CA, client certificate and key to the device directory under
    /// the names of ESP-AT's partitions (ESP-AT reference §2.8).
    fn provision_device(&self) -> Result<(), PkiError> {
        let d = &self.device_dir;
        fs::create_dir_all(d).map_err(|source| io("cannot create", d, source))?;
        write_public(&d.join("mqtt_ca.crt"), &read(&self.ca.cert)?)?;
        write_public(&d.join("mqtt_client.crt"), &read(&self.client.cert)?)?;
        write_private(&d.join("mqtt_client.key"), &read(&self.client.key)?)
    }
}

fn all_server_names(extra: &[String]) -> Vec<String> {
    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
    for n in extra {
        if !names.contains(n) {
            names.push(n.clone());
        }
    }
    names
}

/// Loads the CA at `files`, or makes and writes a new one.
fn ensure_ca(files: &CertKey, name: &str) -> Result<Issuer<'static, KeyPair>, PkiError> {
    if files.cert.exists() && files.key.exists() {
        let key = KeyPair::from_pem(&read(&files.key)?).map_err(|source| gen(name, source))?;
        return Issuer::from_ca_cert_pem(&read(&files.cert)?, key).map_err(|source| gen(name, source));
    }
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|source| gen(name, source))?;
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let key = KeyPair::generate().map_err(|source| gen(name, source))?;
    let cert = params.self_signed(&key).map_err(|source| gen(name, source))?;
    write_private(&files.key, &key.serialize_pem())?;
    write_public(&files.cert, &cert.pem())?;
    Ok(Issuer::new(params, key))
}

/// What a leaf certificate should say.
struct Leaf {
    names: Vec<String>,
    common_name: String,
    usage: ExtendedKeyUsagePurpose,
    expired: bool,
}

impl Leaf {
    fn server(names: &[String]) -> Self {
        let common_name = names.first().cloned().unwrap_or_default();
        Self { names: names.to_vec(), common_name, usage: ExtendedKeyUsagePurpose::ServerAuth, expired: false }
    }

    fn client(common_name: &str) -> Self {
        // No O= field: rumqttd would turn an organisation into a tenant (crates.md §2).
        Self {
            names: Vec::new(),
            common_name: common_name.into(),
            usage: ExtendedKeyUsagePurpose::ClientAuth,
            expired: false,
        }
    }

    fn expired(mut self) -> Self {
        self.expired = true;
        self
    }
}

/// Makes the leaf at `files` unless its certificate is already there.
fn ensure_leaf(files: &CertKey, issuer: &Issuer<'_, KeyPair>, leaf: Leaf) -> Result<(), PkiError> {
    if files.cert.exists() && files.key.exists() {
        return Ok(());
    }
    let what = files.cert.display().to_string();
    let mut params = CertificateParams::new(leaf.names).map_err(|source| gen(&what, source))?;
    params.distinguished_name.push(DnType::CommonName, leaf.common_name);
    params.extended_key_usages = vec![leaf.usage];
    if leaf.expired {
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2021, 1, 1);
    }
    let key = KeyPair::generate().map_err(|source| gen(&what, source))?;
    let cert = params.signed_by(&key, issuer).map_err(|source| gen(&what, source))?;
    write_private(&files.key, &key.serialize_pem())?;
    write_public(&files.cert, &cert.pem())
}

fn read(path: &Path) -> Result<String, PkiError> {
    fs::read_to_string(path).map_err(|source| io("cannot read", path, source))
}

fn write_public(path: &Path, text: &str) -> Result<(), PkiError> {
    fs::write(path, text).map_err(|source| io("cannot write", path, source))
}

/// Writes a private key readable by its owner only.
///
/// The key goes to a temporary file first and is renamed into place, so two
/// runs sharing a directory never see a half-written or clashing file.
fn write_private(path: &Path, text: &str) -> Result<(), PkiError> {
    let tmp = path.with_extension(format!("key.tmp{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|source| io("cannot create", &tmp, source))?;
    f.write_all(text.as_bytes()).map_err(|source| io("cannot write", &tmp, source))?;
    fs::rename(&tmp, path).map_err(|source| io("cannot move into place", path, source))
}

fn io(action: &'static str, path: &Path, source: std::io::Error) -> PkiError {
    PkiError::Io { action, path: path.to_path_buf(), source }
}

fn gen(what: &str, source: rcgen::Error) -> PkiError {
    PkiError::Generate { what: what.to_string(), source }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("atconform-pki-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn keys_are_private_and_files_are_reused() {
        let dir = scratch("reuse");
        let pki = Pki::ensure(&dir, &[]).unwrap();
        let mode = fs::metadata(&pki.client.key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let ca_before = fs::read_to_string(&pki.ca.cert).unwrap();
        let server_before = fs::read_to_string(&pki.server.cert).unwrap();
        let again = Pki::ensure(&dir, &[]).unwrap();
        assert_eq!(fs::read_to_string(&again.ca.cert).unwrap(), ca_before);
        assert_eq!(fs::read_to_string(&again.server.cert).unwrap(), server_before);
        assert_eq!(fs::read_to_string(again.device_dir.join("mqtt_ca.crt")).unwrap(), ca_before);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_new_host_name_remakes_the_server_certificate_but_keeps_the_ca() {
        let dir = scratch("names");
        let pki = Pki::ensure(&dir, &[]).unwrap();
        let ca_before = fs::read_to_string(&pki.ca.cert).unwrap();
        let server_before = fs::read_to_string(&pki.server.cert).unwrap();
        let pki = Pki::ensure(&dir, &["192.168.1.20".to_string()]).unwrap();
        assert_eq!(fs::read_to_string(&pki.ca.cert).unwrap(), ca_before);
        assert_ne!(fs::read_to_string(&pki.server.cert).unwrap(), server_before);
        let pem = fs::read(&pki.server.cert).unwrap();
        let (_, der) = x509_parser::pem::parse_x509_pem(&pem).unwrap();
        let cert = der.parse_x509().unwrap();
        let sans = format!("{:?}", cert.subject_alternative_name().unwrap().unwrap().value.general_names);
        assert!(sans.contains("192.168.1.20") || sans.contains("[192, 168, 1, 20]"), "{sans}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_expired_certificate_is_expired_and_the_wrong_host_one_names_only_the_wrong_host() {
        let dir = scratch("bad");
        let pki = Pki::ensure(&dir, &[]).unwrap();
        let parse = |p: &Path| {
            let pem = fs::read(p).unwrap();
            let (_, der) = x509_parser::pem::parse_x509_pem(&pem).unwrap();
            der.contents.clone()
        };
        let expired = parse(&pki.expired_server.cert);
        let (_, cert) = x509_parser::parse_x509_certificate(&expired).unwrap();
        assert!(!cert.validity().is_valid());
        let wrong = parse(&pki.wrong_host_server.cert);
        let (_, cert) = x509_parser::parse_x509_certificate(&wrong).unwrap();
        let sans = format!("{:?}", cert.subject_alternative_name().unwrap().unwrap().value.general_names);
        assert!(sans.contains(WRONG_HOST) && !sans.contains("localhost"), "{sans}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
