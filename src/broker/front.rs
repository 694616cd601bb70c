//! The device-facing side of every listener: TCP, then TLS (rustls) and/or
//! WebSocket (tungstenite) when the scheme needs them, each handshake in its
//! own task with a timeout.
//!
//! rumqttd can terminate TLS and WebSocket itself, but then the bytes inside
//! are out of our sight, its client-certificate check is one compile-time
//! switch for all listeners, it reports no ALPN, and it runs handshakes inside
//! its accept loop, where one stalled device blocks every later connection
//! (crates.md §2). So this front terminates TLS and WebSocket for every
//! scheme, records what the handshake showed, and hands plain MQTT bytes to
//! the tap, which forwards them to rumqttd's plain TCP listener.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls::server::{Acceptor, WebPkiClientVerifier};
use tokio_rustls::rustls::{self, RootCertStore, ServerConfig};
use tokio_rustls::LazyConfigAcceptor;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::WebSocketStream;

use super::observations::{TlsInfo, Transport};
use crate::pki::CertKey;

/// How long a device may take over its TLS and WebSocket handshakes.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(15);

/// A byte stream the front can speak MQTT over.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A device connection after its handshakes.
pub enum DeviceIo {
    /// MQTT bytes directly on the stream (TCP or TLS).
    Stream(Box<dyn Io>),
    /// MQTT bytes in WebSocket binary messages.
    WebSocket(Box<WebSocketStream<Box<dyn Io>>>),
}

/// Whether a TLS listener asks for a client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// Never asks.
    None,
    /// Asks, and accepts a connection without one.
    Optional,
    /// Refuses a connection without a certificate from the CA.
    Required,
}

/// What one listener does before MQTT starts.
#[derive(Clone)]
pub struct Front {
    /// Listener name, as recorded in observations (`tls`, `wss.expired`, ...).
    pub name: String,
    /// TLS set-up, when the listener is TLS.
    pub tls: Option<Arc<ServerConfig>>,
    /// Whether MQTT runs inside WebSocket.
    pub websocket: bool,
}

impl std::fmt::Debug for Front {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Front")
            .field("name", &self.name)
            .field("tls", &self.tls.is_some())
            .field("websocket", &self.websocket)
            .finish()
    }
}

/// Why a device's handshake failed.
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    /// The TLS handshake failed.
    #[error("TLS handshake failed: {0}")]
    Tls(std::io::Error),
    /// The WebSocket upgrade failed.
    #[error("WebSocket upgrade failed: {0}")]
    WebSocket(tokio_tungstenite::tungstenite::Error),
    /// The device took too long.
    #[error("handshake not finished within {0:?}")]
    Timeout(Duration),
}

/// Builds a rustls server configuration presenting `server`, trusting `ca` for client certificates.
pub fn tls_config(server: &CertKey, ca: &CertKey, auth: ClientAuth) -> anyhow::Result<Arc<ServerConfig>> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let chain = CertificateDer::pem_file_iter(&server.cert)?.collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_file(&server.key)?;
    let builder = ServerConfig::builder_with_provider(provider.clone()).with_safe_default_protocol_versions()?;
    let config = match auth {
        ClientAuth::None => builder.with_no_client_auth().with_single_cert(chain, key)?,
        ClientAuth::Optional | ClientAuth::Required => {
            let mut roots = RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(&ca.cert)? {
                roots.add(cert?)?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
            let verifier = if auth == ClientAuth::Optional { verifier.allow_unauthenticated() } else { verifier };
            builder.with_client_cert_verifier(verifier.build()?).with_single_cert(chain, key)?
        }
    };
    Ok(Arc::new(config))
}

impl Front {
    /// Runs the handshakes this listener needs on a freshly accepted connection.
    pub async fn handshake(&self, tcp: TcpStream) -> Result<(DeviceIo, Transport), HandshakeError> {
        tokio::time::timeout(HANDSHAKE_TIMEOUT, self.handshake_inner(tcp))
            .await
            .map_err(|_| HandshakeError::Timeout(HANDSHAKE_TIMEOUT))?
    }

    // tungstenite fixes the callback's error type (an HTTP response); its size is not ours to choose.
    #[allow(clippy::result_large_err)]
    async fn handshake_inner(&self, tcp: TcpStream) -> Result<(DeviceIo, Transport), HandshakeError> {
        let mut transport = Transport { listener: self.name.clone(), tls: None, websocket_path: None };
        let stream: Box<dyn Io> = match &self.tls {
            None => Box::new(tcp),
            Some(config) => {
                let (tls, info) = accept_tls(tcp, config).await?;
                transport.tls = Some(info);
                tls
            }
        };
        if !self.websocket {
            return Ok((DeviceIo::Stream(stream), transport));
        }
        let mut path = None;
        let ws = tokio_tungstenite::accept_hdr_async(stream, |req: &Request, mut resp: Response| {
            path = Some(req.uri().path().to_string());
            // MQTT over WebSocket requires the "mqtt" subprotocol to be echoed back.
            let asks_mqtt = req
                .headers()
                .get_all("Sec-WebSocket-Protocol")
                .iter()
                .any(|v| v.to_str().unwrap_or("").split(',').any(|p| p.trim() == "mqtt"));
            if asks_mqtt {
                resp.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_static("mqtt"));
            }
            Ok(resp)
        })
        .await
        .map_err(HandshakeError::WebSocket)?;
        transport.websocket_path = path;
        Ok((DeviceIo::WebSocket(Box::new(ws)), transport))
    }
}

/// Reads the ClientHello (for the ALPN offers), finishes the handshake, and reports what it saw.
async fn accept_tls(tcp: TcpStream, base: &Arc<ServerConfig>) -> Result<(Box<dyn Io>, TlsInfo), HandshakeError> {
    let start = LazyConfigAcceptor::new(Acceptor::default(), tcp).await.map_err(HandshakeError::Tls)?;
    let hello = start.client_hello();
    let alpn_offered: Vec<String> = hello
        .alpn()
        .map(|protos| protos.map(|p| String::from_utf8_lossy(p).into_owned()).collect())
        .unwrap_or_default();
    let sni = hello.server_name().map(str::to_string);
    // Agree to the device's first offer, so any ALPN list it sends can be observed.
    let mut config = (**base).clone();
    config.alpn_protocols = alpn_offered.iter().take(1).map(|p| p.as_bytes().to_vec()).collect();
    let tls = start.into_stream(Arc::new(config)).await.map_err(HandshakeError::Tls)?;
    let (_, conn) = tls.get_ref();
    let info = TlsInfo {
        alpn_offered,
        alpn_negotiated: conn.alpn_protocol().map(|p| String::from_utf8_lossy(p).into_owned()),
        sni,
        client_certificate: conn.peer_certificates().and_then(|c| c.first()).and_then(|der| subject_of(der)),
    };
    Ok((Box::new(tls), info))
}

/// The subject of a DER certificate, e.g. `CN=atconform-device`.
fn subject_of(der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(cert.subject().to_string())
}
