//! The broker the device connects to: rumqttd in-process; in front of it,
//! one listener per transport whose [`front`] terminates TLS and WebSocket
//! and whose [`tap`] records what the device sent ([`observations`]); and a
//! harness client that watches routed traffic and publishes to the device.

pub mod front;
pub mod observations;
pub mod tap;

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr, TcpListener as StdListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use rumqttc::tokio_rustls::rustls::ServerConfig;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use rumqttd::{Config, ConnectionSettings, RouterConfig, ServerSettings};

use crate::pki::Pki;
use front::{tls_config, ClientAuth, Front};
use observations::{Observation, ObservationLog};
use tap::Connections;

/// Where the broker listens and what address the device should dial.
#[derive(Debug, Clone)]
pub struct BrokerConfig {
    /// Address the device-facing listeners bind to (0.0.0.0 for a board on the LAN).
    pub bind: IpAddr,
    /// Host name or address the device is told to connect to.
    pub device_host: String,
    /// Fixed port for scheme 1, or 0 to pick a free one.
    pub tcp_port: u16,
    /// Where the test PKI lives (made on demand, reused when present).
    pub certs_dir: PathBuf,
    /// Host names and addresses the server certificate must cover besides localhost.
    pub server_names: Vec<String>,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        Self {
            bind: IpAddr::from([127, 0, 0, 1]),
            device_host: "127.0.0.1".into(),
            tcp_port: 0,
            certs_dir: PathBuf::from("certs"),
            server_names: Vec::new(),
        }
    }
}

/// Which listener serves each AT+MQTTUSERCFG scheme (ESP-AT reference §2.7).
pub const SCHEME_LISTENERS: [(u8, &str); 10] = [
    (1, "tcp"),
    (2, "tls"),
    (3, "tls"),
    (4, "mtls"),
    (5, "mtls"),
    (6, "ws"),
    (7, "wss"),
    (8, "wss"),
    (9, "mwss"),
    (10, "mwss"),
];

/// A running broker. rumqttd has no shutdown API, so there is one per process.
#[derive(Debug, Clone)]
pub struct Broker {
    /// Host the device should connect to.
    pub device_host: String,
    /// Device-facing port per listener name (`tcp`, `tls`, `mtls`, `ws`, `wss`, `mwss`, `tls.expired`, ...).
    pub ports: BTreeMap<String, u16>,
    /// A port that accepts connections and never answers them.
    pub silent_port: u16,
    /// The test PKI the listeners present and trust.
    pub pki: Pki,
    /// Everything observed so far.
    pub log: ObservationLog,
    /// Open device connections, to cut on request.
    pub connections: Connections,
    client: AsyncClient,
}

impl Broker {
    /// Starts rumqttd, the listeners and the harness's own client; returns once all are ready.
    pub async fn start(config: BrokerConfig) -> anyhow::Result<Self> {
        let pki = Pki::ensure(&config.certs_dir, &config.server_names)
            .with_context(|| format!("cannot prepare the test PKI in {}", config.certs_dir.display()))?;
        let internal = free_port(IpAddr::from([127, 0, 0, 1]))?;
        let internal_addr = SocketAddr::from(([127, 0, 0, 1], internal));
        std::thread::Builder::new()
            .name("rumqttd".into())
            .spawn(move || {
                // start() joins its listener threads and never returns while they run.
                if let Err(e) = rumqttd::Broker::new(rumqttd_config(internal_addr)).start() {
                    tracing::error!("rumqttd stopped: {e}");
                }
            })
            .context("cannot start the rumqttd thread")?;
        wait_until_listening(internal_addr).await?;

        let log = ObservationLog::default();
        let connections = Connections::default();
        let mut ports = BTreeMap::new();
        for front in fronts(&pki)? {
            let port = if front.name == "tcp" { config.tcp_port } else { 0 };
            let listener = tokio::net::TcpListener::bind((config.bind, port))
                .await
                .with_context(|| format!("cannot bind the {} listener on {}:{port}", front.name, config.bind))?;
            ports.insert(front.name.clone(), listener.local_addr()?.port());
            tokio::spawn(tap::serve(listener, front, internal_addr, log.clone(), connections.clone()));
        }

        let silent =
            tokio::net::TcpListener::bind((config.bind, 0)).await.context("cannot bind the silent listener")?;
        let silent_port = silent.local_addr()?.port();
        tokio::spawn(serve_silent(silent));

        let client = start_watcher(internal, log.clone()).await?;
        tracing::info!(?ports, internal, "broker ready");
        Ok(Self { device_host: config.device_host, ports, silent_port, pki, log, connections, client })
    }

    /// The device-facing port for an AT+MQTTUSERCFG scheme.
    pub fn scheme_port(&self, scheme: u8) -> Option<u16> {
        let name = SCHEME_LISTENERS.iter().find(|(s, _)| *s == scheme)?.1;
        self.ports.get(name).copied()
    }

    /// Publishes `payload` on `topic` from the harness's own client, to reach a subscribed device.
    pub async fn publish(&self, topic: &str, payload: Vec<u8>, qos: u8, retain: bool) -> anyhow::Result<()> {
        self.client.publish(topic, qos_from(qos)?, retain, payload).await.context("harness publish failed")
    }
}

/// Every device-facing listener: one per transport, and servers with bad certificates.
fn fronts(pki: &Pki) -> anyhow::Result<Vec<Front>> {
    let front =
        |name: &str, tls: Option<Arc<ServerConfig>>, websocket| Front { name: name.to_string(), tls, websocket };
    let server = tls_config(&pki.server, &pki.ca, ClientAuth::None)?;
    let mutual = tls_config(&pki.server, &pki.ca, ClientAuth::Required)?;
    let mut fronts = vec![
        front("tcp", None, false),
        front("tls", Some(server.clone()), false),
        front("mtls", Some(mutual.clone()), false),
        front("ws", None, true),
        front("wss", Some(server), true),
        front("mwss", Some(mutual), true),
    ];
    // Servers a verifying device must refuse. They ask for a client certificate
    // without requiring one, so schemes that present one still get as far as
    // checking the server.
    for (bad, cert) in
        [("untrusted", &pki.untrusted_server), ("wronghost", &pki.wrong_host_server), ("expired", &pki.expired_server)]
    {
        let config = tls_config(cert, &pki.ca, ClientAuth::Optional)?;
        fronts.push(front(&format!("tls.{bad}"), Some(config.clone()), false));
        fronts.push(front(&format!("wss.{bad}"), Some(config), true));
    }
    Ok(fronts)
}

fn qos_from(qos: u8) -> anyhow::Result<QoS> {
    Ok(match qos {
        0 => QoS::AtMostOnce,
        1 => QoS::AtLeastOnce,
        2 => QoS::ExactlyOnce,
        other => bail!("QoS {other} does not exist (0, 1 or 2)"),
    })
}

fn free_port(ip: IpAddr) -> anyhow::Result<u16> {
    let l = StdListener::bind((ip, 0)).context("cannot find a free port")?;
    Ok(l.local_addr()?.port())
}

async fn wait_until_listening(addr: SocketAddr) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!("rumqttd did not start listening on {addr} within 10 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn rumqttd_config(listen: SocketAddr) -> Config {
    let server = ServerSettings {
        name: "v4-internal".into(),
        listen,
        tls: None,
        // rumqttd sleeps this long after every accept; keep it short.
        next_connection_delay_ms: 1,
        connections: ConnectionSettings {
            connection_timeout_ms: 60_000,
            max_payload_size: 2 * 1024 * 1024,
            max_inflight_count: 100,
            auth: None,
            external_auth: None,
            dynamic_filters: true,
        },
    };
    Config {
        id: 0,
        router: RouterConfig {
            max_connections: 1000,
            max_outgoing_packet_count: 200,
            max_segment_size: 100 << 20,
            max_segment_count: 10,
            custom_segment: None,
            initialized_filters: None,
            shared_subscriptions_strategy: Default::default(),
        },
        v4: Some(HashMap::from([("v4-internal".to_string(), server)])),
        ..Default::default()
    }
}

/// Connects the harness client, subscribes it to everything and records what the broker routes.
async fn start_watcher(port: u16, log: ObservationLog) -> anyhow::Result<AsyncClient> {
    let mut options = MqttOptions::new("atconform-watcher", "127.0.0.1", port);
    options.set_keep_alive(Duration::from_secs(30));
    // A persistent session keeps the "#" subscription across a reconnect.
    options.set_clean_session(false);
    options.set_max_packet_size(2 * 1024 * 1024, 2 * 1024 * 1024);
    let (client, mut eventloop) = AsyncClient::new(options, 100);
    client.subscribe("#", QoS::AtLeastOnce).await?;
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let mut ready_tx = Some(ready_tx);
        loop {
            match eventloop.poll().await {
                Ok(Event::Incoming(Packet::SubAck(_))) => {
                    if let Some(tx) = ready_tx.take() {
                        let _ = tx.send(());
                    }
                }
                Ok(Event::Incoming(Packet::Publish(p))) => log.push(
                    0,
                    Some("atconform-watcher".into()),
                    Observation::Routed { topic: p.topic, payload: p.payload.to_vec(), retain: p.retain },
                ),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!("harness watcher lost the broker: {e}; reconnecting");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    });
    tokio::time::timeout(Duration::from_secs(10), ready_rx)
        .await
        .context("the harness watcher got no SUBACK from rumqttd within 10 s")?
        .context("the harness watcher stopped")?;
    Ok(client)
}

/// Accepts TCP connections and never answers: a broker that hangs, to keep a
/// device's AT+MQTTCONN busy until its timeout.
async fn serve_silent(listener: tokio::net::TcpListener) {
    let mut held = Vec::new();
    while let Ok((socket, _)) = listener.accept().await {
        // Keep the socket open and say nothing, for the rest of the run.
        held.push(socket);
    }
}
