//! TLS schemes end to end: the built firmware against a small rustls server that records the
//! ClientHello and answers the MQTT CONNECT with a CONNACK.

mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rumqttc::tokio_rustls::rustls::{
    self,
    pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer},
    server::{Acceptor, WebPkiClientVerifier},
    RootCertStore, ServerConfig,
};
use rumqttc::tokio_rustls::LazyConfigAcceptor;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Notify};

use common::{Board, STEP};

/// A CA and what it issued, all PEM.
struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A certificate and its key, PEM.
struct Leaf {
    cert: String,
    key: String,
}

impl Ca {
    fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        Self { issuer: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap() }
    }

    fn pem(&self) -> String {
        self.issuer.pem()
    }

    fn issue(&self, names: &[&str]) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let cert = CertificateParams::new(names).unwrap().signed_by(&key, &self.issuer).unwrap();
        Leaf { cert: cert.pem(), key: key.serialize_pem() }
    }
}

/// The `--pki-dir` of one test, removed on drop.
struct PkiDir(PathBuf);

impl PkiDir {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!("vfw-tls-test-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn put(&self, name: &str, text: &str) {
        std::fs::write(self.0.join(name), text).unwrap();
    }

    fn arg(&self) -> &str {
        self.0.to_str().unwrap()
    }

    async fn board(&self) -> Board {
        Board::start(&["--pki-dir", self.arg()]).await
    }
}

impl Drop for PkiDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What the server saw of one connection.
#[derive(Debug)]
struct Seen {
    /// The ALPN list of the ClientHello (empty when the extension was absent).
    alpn: Vec<Vec<u8>>,
    /// Whether the handshake completed.
    handshake: bool,
    /// Whether the client presented a certificate.
    client_cert: bool,
    /// Whether a CONNECT arrived and was answered.
    connack_sent: bool,
}

/// How the server behaves.
#[derive(Default)]
struct ServerOpts {
    /// Require a client certificate issued by this CA.
    client_ca: Option<String>,
    /// Close the first connection once this is notified (to make the client reconnect).
    drop_first: Option<Arc<Notify>>,
}

/// A TLS server on 127.0.0.1 presenting `leaf`; returns its port and the per-connection reports.
async fn serve(leaf: &Leaf, opts: ServerOpts) -> (u16, mpsc::UnboundedReceiver<Seen>) {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone()).with_safe_default_protocol_versions().unwrap();
    let builder = match &opts.client_ca {
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            roots.add(CertificateDer::from_pem_slice(ca.as_bytes()).unwrap()).unwrap();
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider).build().unwrap();
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let chain = vec![CertificateDer::from_pem_slice(leaf.cert.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(leaf.key.as_bytes()).unwrap();
    let config = Arc::new(builder.with_single_cert(chain, key).unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut accepted = 0usize;
        while let Ok((tcp, _)) = listener.accept().await {
            accepted += 1;
            let drop_on = opts.drop_first.clone().filter(|_| accepted == 1);
            tokio::spawn(one_connection(tcp, config.clone(), drop_on, tx.clone()));
        }
    });
    (port, rx)
}

async fn one_connection(
    tcp: tokio::net::TcpStream,
    config: Arc<ServerConfig>,
    drop_on: Option<Arc<Notify>>,
    tx: mpsc::UnboundedSender<Seen>,
) {
    let Ok(start) = LazyConfigAcceptor::new(Acceptor::default(), tcp).await else { return };
    let alpn = start.client_hello().alpn().map(|a| a.map(<[u8]>::to_vec).collect()).unwrap_or_default();
    let mut seen = Seen { alpn, handshake: false, client_cert: false, connack_sent: false };
    let mut tls = match start.into_stream(config).await {
        Ok(s) => s,
        Err(_) => {
            let _ = tx.send(seen);
            return;
        }
    };
    seen.handshake = true;
    seen.client_cert = tls.get_ref().1.peer_certificates().is_some_and(|c| !c.is_empty());
    // Anything but a CONNECT (e.g. a WebSocket upgrade request) is answered by closing at once.
    if read_packet(&mut tls).await.is_some_and(|first| first >> 4 == 1) {
        seen.connack_sent = tls.write_all(&[0x20, 0x02, 0x00, 0x00]).await.is_ok();
    }
    let keep = seen.connack_sent;
    let _ = tx.send(seen);
    if !keep {
        return;
    }
    // Hold the connection until the client goes, or until the test has it dropped.
    let hold = async { while read_packet(&mut tls).await.is_some() {} };
    match drop_on {
        Some(drop) => tokio::select! {
            _ = hold => {}
            _ = drop.notified() => {}
        },
        None => hold.await,
    }
}

/// Reads one MQTT packet; returns its first byte.
async fn read_packet<R: AsyncRead + Unpin>(r: &mut R) -> Option<u8> {
    let first = r.read_u8().await.ok()?;
    let (mut len, mut shift) = (0usize, 0);
    loop {
        let b = r.read_u8().await.ok()?;
        len |= usize::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 || shift > 21 {
            break;
        }
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await.ok()?;
    Some(first)
}

async fn next_seen(rx: &mut mpsc::UnboundedReceiver<Seen>) -> Seen {
    tokio::time::timeout(STEP, rx.recv()).await.expect("a connection in time").expect("server running")
}

async fn usercfg(b: &mut Board, scheme: u8) {
    b.command("ATE0", b"OK\r\n").await;
    b.command("AT+SYSLOG=1", b"OK\r\n").await;
    b.command(&format!(r#"AT+MQTTUSERCFG=0,{scheme},"vfw","","",0,0,"mqtt""#), b"OK\r\n").await;
}

fn conn(port: u16) -> String {
    format!(r#"AT+MQTTCONN=0,"127.0.0.1",{port},0,3000"#)
}

#[tokio::test]
async fn scheme_2_accepts_an_untrusted_server_and_offers_the_alpn_list() {
    let leaf = Ca::new().issue(&["127.0.0.1"]);
    let (port, mut seen) = serve(&leaf, ServerOpts::default()).await;
    let pki = PkiDir::new();
    let mut b = pki.board().await;
    usercfg(&mut b, 2).await;
    b.command(r#"AT+MQTTALPN=0,2,"mqtt","x-vfw""#, b"OK\r\n").await;
    let q = b.command("AT+MQTTALPN?", b"OK\r\n").await;
    assert_eq!(q, "+MQTTALPN:0,\"mqtt\"\r\n+MQTTALPN:0,\"x-vfw\"\r\n\r\nOK\r\n");
    let answer = b.command(&conn(port), b"OK\r\n").await;
    assert_eq!(answer, format!("+MQTTCONNECTED:0,2,\"127.0.0.1\",\"{port}\",\"mqtt\",0\r\n\r\nOK\r\n"));
    let s = next_seen(&mut seen).await;
    assert!(s.handshake && s.connack_sent, "{s:?}");
    assert_eq!(s.alpn, [b"mqtt".to_vec(), b"x-vfw".to_vec()]);
    assert!(!s.client_cert);
}

#[tokio::test]
async fn scheme_3_refuses_an_untrusted_server_and_accepts_a_trusted_one() {
    let ca = Ca::new();
    let leaf = ca.issue(&["127.0.0.1"]);
    let (port, mut seen) = serve(&leaf, ServerOpts::default()).await;
    let pki = PkiDir::new();
    pki.put("mqtt_ca.crt", &Ca::new().pem());
    let mut b = pki.board().await;
    usercfg(&mut b, 3).await;
    let answer = b.command(&conn(port), b"ERROR\r\n").await;
    assert_eq!(answer, "+MQTTDISCONNECTED:0\r\n\r\nERROR\r\n", "an unknown issuer has no error code");
    let s = next_seen(&mut seen).await;
    assert!(!s.handshake, "{s:?}");
    assert!(s.alpn.is_empty(), "no ALPN configured, none offered");
    let q = b.command("AT+MQTTCONN?", b"OK\r\n").await;
    assert!(q.starts_with("+MQTTCONN:0,1,3,"), "state unchanged: {q:?}");
    // The partition is read again at the next connect.
    pki.put("mqtt_ca.crt", &ca.pem());
    let answer = b.command(&conn(port), b"OK\r\n").await;
    assert!(answer.starts_with("+MQTTCONNECTED:0,3,\"127.0.0.1\""), "{answer:?}");
    assert!(next_seen(&mut seen).await.connack_sent);
}

#[tokio::test]
async fn scheme_3_and_8_report_a_host_name_mismatch() {
    let ca = Ca::new();
    let leaf = ca.issue(&["elsewhere.example"]);
    let (port, mut seen) = serve(&leaf, ServerOpts::default()).await;
    let pki = PkiDir::new();
    pki.put("mqtt_ca.crt", &ca.pem());
    let mut b = pki.board().await;
    usercfg(&mut b, 3).await;
    let answer = b.command(&conn(port), b"ERROR\r\n").await;
    assert_eq!(answer, "+MQTTDISCONNECTED:0\r\nERR CODE:0x010a6052\r\n\r\nERROR\r\n");
    assert!(!next_seen(&mut seen).await.handshake);
    // WSS verifies in the TLS handshake too, before any WebSocket upgrade.
    b.command("AT+MQTTCLEAN=0", b"OK\r\n").await;
    b.command(r#"AT+MQTTUSERCFG=0,8,"vfw","","",0,0,"/mqtt""#, b"OK\r\n").await;
    let answer = b.command(&conn(port), b"ERROR\r\n").await;
    assert_eq!(answer, "+MQTTDISCONNECTED:0\r\nERR CODE:0x010a6052\r\n\r\nERROR\r\n");
}

#[tokio::test]
async fn scheme_4_presents_the_client_certificate() {
    let client_ca = Ca::new();
    let client = client_ca.issue(&["vfw-client"]);
    let server = Ca::new().issue(&["127.0.0.1"]);
    let (port, mut seen) =
        serve(&server, ServerOpts { client_ca: Some(client_ca.pem()), ..ServerOpts::default() }).await;
    let pki = PkiDir::new();
    let mut b = pki.board().await;
    usercfg(&mut b, 4).await;
    // An empty partition fails before any connection is attempted: no +MQTTDISCONNECTED.
    assert_eq!(b.command(&conn(port), b"ERROR\r\n").await, "ERR CODE:0x010a6023\r\n\r\nERROR\r\n");
    pki.put("mqtt_client.crt", &client.cert);
    assert_eq!(b.command(&conn(port), b"ERROR\r\n").await, "ERR CODE:0x010a6025\r\n\r\nERROR\r\n");
    pki.put("mqtt_client.key", "not a key");
    assert_eq!(b.command(&conn(port), b"ERROR\r\n").await, "ERR CODE:0x010a6026\r\n\r\nERROR\r\n");
    pki.put("mqtt_client.key", &client.key);
    let answer = b.command(&conn(port), b"OK\r\n").await;
    assert!(answer.starts_with("+MQTTCONNECTED:0,4,"), "{answer:?}");
    let s = next_seen(&mut seen).await;
    assert!(s.handshake && s.client_cert && s.connack_sent, "{s:?}");
}

#[tokio::test]
async fn scheme_7_is_tls_with_alpn_before_the_websocket_upgrade() {
    let leaf = Ca::new().issue(&["127.0.0.1"]);
    let (port, mut seen) = serve(&leaf, ServerOpts::default()).await;
    let pki = PkiDir::new();
    let mut b = pki.board().await;
    usercfg(&mut b, 7).await;
    b.command(r#"AT+MQTTALPN=0,1,"mqtt""#, b"OK\r\n").await;
    // Our server closes on the HTTP upgrade request, so the connect fails after the TLS handshake.
    assert_eq!(b.command(&conn(port), b"ERROR\r\n").await, "+MQTTDISCONNECTED:0\r\n\r\nERROR\r\n");
    let s = next_seen(&mut seen).await;
    assert!(s.handshake, "wss:// runs TLS (rumqttc#1065): {s:?}");
    assert_eq!(s.alpn, [b"mqtt".to_vec()]);
}

#[tokio::test]
async fn scheme_2_reconnects_over_tls() {
    let leaf = Ca::new().issue(&["127.0.0.1"]);
    let drop = Arc::new(Notify::new());
    let (port, mut seen) = serve(&leaf, ServerOpts { drop_first: Some(drop.clone()), ..ServerOpts::default() }).await;
    let pki = PkiDir::new();
    let mut b = pki.board().await;
    usercfg(&mut b, 2).await;
    let answer = b.command(&format!(r#"AT+MQTTCONN=0,"127.0.0.1",{port},1,3000"#), b"OK\r\n").await;
    assert!(answer.ends_with(",1\r\n\r\nOK\r\n"), "{answer:?}");
    assert!(next_seen(&mut seen).await.connack_sent);
    drop.notify_one();
    assert_eq!(b.expect(b"+MQTTDISCONNECTED:0\r\n").await, b"+MQTTDISCONNECTED:0\r\n");
    let again = b.expect(b",1\r\n").await;
    assert_eq!(again, format!("+MQTTCONNECTED:0,2,\"127.0.0.1\",\"{port}\",\"mqtt\",1\r\n").into_bytes());
    assert!(next_seen(&mut seen).await.connack_sent);
}
