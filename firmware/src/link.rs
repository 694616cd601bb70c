//! The MQTT connection behind link 0: a rumqttc client and the task that polls its event loop.
//!
//! The task turns broker traffic into URCs (`+MQTTSUBRECV`, `+MQTTDISCONNECTED`, `+MQTTCONNECTED`
//! on reconnect) and completes the one operation a command may be waiting for (PUBACK, SUBACK, ...).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rumqttc::tokio_rustls::rustls::ClientConfig;
use rumqttc::{
    AsyncClient, ConnectionError, Event, EventLoop, Incoming, LastWill, MqttOptions, Outgoing, QoS, SubscribeFilter,
    SubscribeReasonCode, TlsConfiguration, Transport,
};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::output::Output;

/// esp-mqtt waits 10 s between reconnects by default; we retry faster so tests stay quick.
const RECONNECT_BACKOFF: Duration = Duration::from_millis(500);
/// Upper bound for a graceful DISCONNECT at `AT+MQTTCLEAN` before the task is just stopped.
const DISCONNECT_GRACE: Duration = Duration::from_secs(2);
/// `AT+MQTTPUBRAW` accepts up to 1 MiB; leave room for the topic and header.
const MAX_PACKET: usize = 1024 * 1024 + 4096;
/// Spec AT+MQTTCONNCFG: keepalive 0 is forced to 120 s.
const DEFAULT_KEEPALIVE_SECS: u64 = 120;

/// The MQTT state numbers of the spec (AT+MQTTCONN `<state>`).
pub mod state {
    /// MQTT uninitialised.
    pub const UNINIT: u8 = 0;
    /// AT+MQTTUSERCFG done.
    pub const USERCFG: u8 = 1;
    /// AT+MQTTCONNCFG done.
    pub const CONNCFG: u8 = 2;
    /// Connection lost after it had been established.
    pub const DISCONNECTED: u8 = 3;
    /// Connected.
    pub const CONNECTED: u8 = 4;
    /// Connected, last topic unsubscribed.
    pub const CONNECTED_NO_SUB: u8 = 5;
    /// Connected and subscribed.
    pub const SUBSCRIBED: u8 = 6;
}

/// What a connect needs, gathered from USERCFG, CONNCFG and CONN.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// ESP-AT reference §2.7: 1 TCP, 2–5 TLS, 6 WebSocket, 7–10 WebSocket over TLS.
    pub scheme: u8,
    /// Client id; empty means generate one.
    pub client_id: String,
    /// Username; empty means none.
    pub username: String,
    /// Password; only sent together with a username.
    pub password: String,
    /// WebSocket path.
    pub path: String,
    /// Keepalive in seconds; 0 means 120.
    pub keepalive: u16,
    /// The CONNCFG flag; clean_session is its negation.
    pub disable_clean_session: bool,
    /// The last will, if a will topic was configured.
    pub will: Option<Will>,
    /// Broker host name or address.
    pub host: String,
    /// Broker port.
    pub port: u16,
    /// Whether to reconnect after a drop.
    pub reconnect: bool,
    /// AT+MQTTALPN: protocols offered in the ClientHello of TLS and WSS schemes.
    pub alpn: Vec<String>,
}

/// The last will configured by AT+MQTTCONNCFG.
#[derive(Debug, Clone)]
pub struct Will {
    /// Will topic (non-empty).
    pub topic: String,
    /// Will payload.
    pub message: Vec<u8>,
    /// Will QoS 0..=2.
    pub qos: u8,
    /// Will retain flag.
    pub retain: bool,
}

impl Settings {
    /// ESP-AT reference §2.1: `+MQTTCONNECTED:<link>,<scheme>,"<host>","<port>","<path>",<reconnect>` (port quoted).
    pub fn connected_urc(&self) -> String {
        format!(
            "+MQTTCONNECTED:0,{},\"{}\",\"{}\",\"{}\",{}\r\n",
            self.scheme,
            self.host,
            self.port,
            self.path,
            u8::from(self.reconnect)
        )
    }
}

/// State shared by the command executor and the event-loop task.
#[derive(Debug, Default)]
pub struct Shared {
    /// The spec's MQTT state number.
    pub state: u8,
    /// Subscribed topics and their QoS, in subscription order.
    pub topics: Vec<(String, u8)>,
    /// The operation a command is waiting for, if any.
    pending: Option<PendingOp>,
    /// Set by AT+MQTTCLEAN so the task ends quietly.
    closing: bool,
}

/// Shared state behind a lock held only for short, non-async sections.
pub type SharedState = Arc<Mutex<Shared>>;

/// Locks the shared state (a poisoned lock still holds usable data).
pub fn lock(shared: &SharedState) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a waiting command is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpKind {
    Publish(QoS),
    Subscribe,
    Unsubscribe,
}

#[derive(Debug)]
struct PendingOp {
    kind: OpKind,
    /// Learnt from the matching `Outgoing` event.
    pkid: Option<u16>,
    done: oneshot::Sender<OpResult>,
}

/// How a waited-for operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpResult {
    /// Acknowledged as the QoS requires.
    Done,
    /// SUBACK carried the failure return code 0x80.
    Refused,
    /// The connection dropped first.
    Dropped,
    /// Not acknowledged within timeout_ms.
    TimedOut,
    /// rumqttc refused the request (e.g. an invalid topic filter).
    Rejected,
}

/// Why a connect failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The broker could not be reached or refused us.
    #[error("connection failed: {0}")]
    Connection(#[from] ConnectionError),
    /// No CONNACK within timeout_ms.
    #[error("no CONNACK within the timeout")]
    Timeout,
    /// The scheme and the TLS configuration given do not fit together (a bug of the caller).
    #[error("scheme {0} has no transport for the TLS configuration given")]
    UnsupportedScheme(u8),
}

/// A live connection: the client handle and its event-loop task.
#[derive(Debug)]
pub struct Link {
    client: AsyncClient,
    task: JoinHandle<()>,
}

/// Connects and waits for CONNACK; on success prints `+MQTTCONNECTED` and starts the event-loop task.
///
/// `tls` is the rustls configuration of a TLS or WSS scheme; reconnects reuse it unchanged.
pub async fn connect(
    settings: Settings,
    tls: Option<Arc<ClientConfig>>,
    timeout: Duration,
    shared: SharedState,
    out: Output,
) -> Result<Link, ConnectError> {
    let options = mqtt_options(&settings, tls, timeout).ok_or(ConnectError::UnsupportedScheme(settings.scheme))?;
    let (client, mut eventloop) = AsyncClient::new(options, 64);
    let mut net = eventloop.network_options();
    net.set_connection_timeout(timeout.as_secs().max(1));
    eventloop.set_network_options(net);
    tokio::time::timeout(timeout, wait_connack(&mut eventloop)).await.map_err(|_| ConnectError::Timeout)??;
    // The URC is printed before the task runs, so it precedes any message a persistent session delivers.
    out.write(settings.connected_urc());
    {
        let mut s = lock(&shared);
        s.state = state::CONNECTED;
        s.closing = false;
    }
    let task = tokio::spawn(drive(eventloop, client.clone(), shared, out, settings));
    Ok(Link { client, task })
}

async fn wait_connack(eventloop: &mut EventLoop) -> Result<(), ConnectionError> {
    loop {
        if let Event::Incoming(Incoming::ConnAck(_)) = eventloop.poll().await? {
            return Ok(());
        }
    }
}

/// Builds the rumqttc options for MQTT 3.1.1 over the scheme's transport (ESP-AT reference §2.7).
///
/// `tls` must be present exactly for the TLS and WSS schemes; `None` when it is not.
fn mqtt_options(s: &Settings, tls: Option<Arc<ClientConfig>>, timeout: Duration) -> Option<MqttOptions> {
    let client_id = if s.client_id.is_empty() { generated_client_id() } else { s.client_id.clone() };
    // ESP-AT reference §2.1 builds `ws[s]://%s:%d/%s`; a leading '/' in the path is dropped to avoid `//`.
    let ws_url = |proto: &str| format!("{proto}://{}:{}/{}", s.host, s.port, s.path.trim_start_matches('/'));
    let mut o = match (s.scheme, tls) {
        (1, None) => MqttOptions::new(client_id, s.host.clone(), s.port),
        (6, None) => {
            let mut o = MqttOptions::new(client_id, ws_url("ws"), s.port);
            o.set_transport(Transport::Ws);
            o
        }
        // The host is rustls's server name: SNI and the name the certificate must cover.
        (2..=5, Some(config)) => {
            let mut o = MqttOptions::new(client_id, s.host.clone(), s.port);
            o.set_transport(Transport::tls_with_config(TlsConfiguration::Rustls(config)));
            o
        }
        // rumqttc#1065 (crates reference §2): WSS with a `ws://` URL would silently go cleartext.
        (7..=10, Some(config)) => {
            let mut o = MqttOptions::new(client_id, ws_url("wss"), s.port);
            o.set_transport(Transport::wss_with_config(TlsConfiguration::Rustls(config)));
            o
        }
        _ => return None,
    };
    let keepalive = match s.keepalive {
        0 => DEFAULT_KEEPALIVE_SECS,
        k => u64::from(k),
    };
    o.set_keep_alive(Duration::from_secs(keepalive));
    o.set_clean_session(!s.disable_clean_session);
    o.set_max_packet_size(MAX_PACKET, MAX_PACKET);
    o.set_request_channel_capacity(64);
    // MQTT 3.1.1 forbids a password without a username, so credentials go only with a username.
    if !s.username.is_empty() {
        o.set_credentials(s.username.clone(), s.password.clone());
    }
    if let Some(w) = &s.will {
        o.set_last_will(LastWill::new(w.topic.clone(), w.message.clone(), qos(w.qos), w.retain));
    }
    tracing::debug!(?timeout, scheme = s.scheme, "connecting");
    Some(o)
}

/// An ESP-style client id, `ESP32_` and six hex digits, when the host left it empty.
fn generated_client_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    format!("ESP32_{:06X}", h.finish() & 0xFF_FFFF)
}

/// Maps 0..=2 to a QoS (callers validated the range).
pub fn qos(n: u8) -> QoS {
    match n {
        0 => QoS::AtMostOnce,
        1 => QoS::AtLeastOnce,
        _ => QoS::ExactlyOnce,
    }
}

/// The event-loop task.
async fn drive(mut eventloop: EventLoop, client: AsyncClient, shared: SharedState, out: Output, settings: Settings) {
    let mut task = Task { client, shared, out, settings, connected: true, resubscribes_in_flight: 0 };
    loop {
        let keep_going = match eventloop.poll().await {
            Ok(event) => task.on_event(event),
            Err(e) => task.on_error(e),
        };
        match keep_going {
            Flow::Continue => {}
            Flow::Backoff => tokio::time::sleep(RECONNECT_BACKOFF).await,
            Flow::Stop => return,
        }
    }
}

enum Flow {
    Continue,
    Backoff,
    Stop,
}

struct Task {
    client: AsyncClient,
    shared: SharedState,
    out: Output,
    settings: Settings,
    connected: bool,
    /// Our own re-SUBSCRIBE packets, whose `Outgoing::Subscribe` must not be taken for a command's.
    resubscribes_in_flight: usize,
}

impl Task {
    fn on_event(&mut self, event: Event) -> Flow {
        match event {
            Event::Incoming(Incoming::ConnAck(_)) => self.on_reconnected(),
            Event::Incoming(Incoming::Publish(p)) => self.on_message(&p.topic, &p.payload),
            Event::Incoming(Incoming::PubAck(a)) => self.ack(OpKind::Publish(QoS::AtLeastOnce), a.pkid, OpResult::Done),
            Event::Incoming(Incoming::PubComp(a)) => {
                self.ack(OpKind::Publish(QoS::ExactlyOnce), a.pkid, OpResult::Done)
            }
            Event::Incoming(Incoming::SubAck(a)) => {
                let refused = a.return_codes.contains(&SubscribeReasonCode::Failure);
                let result = if refused { OpResult::Refused } else { OpResult::Done };
                self.ack(OpKind::Subscribe, a.pkid, result);
            }
            Event::Incoming(Incoming::UnsubAck(a)) => self.ack(OpKind::Unsubscribe, a.pkid, OpResult::Done),
            Event::Outgoing(o) => return self.on_outgoing(o),
            _ => {}
        }
        Flow::Continue
    }

    fn on_outgoing(&mut self, o: Outgoing) -> Flow {
        match o {
            Outgoing::Publish(pkid) => self.learn_pkid(OpKind::Publish(QoS::AtMostOnce), pkid),
            Outgoing::Subscribe(_) if self.resubscribes_in_flight > 0 => self.resubscribes_in_flight -= 1,
            Outgoing::Subscribe(pkid) => self.learn_pkid(OpKind::Subscribe, pkid),
            Outgoing::Unsubscribe(pkid) => self.learn_pkid(OpKind::Unsubscribe, pkid),
            Outgoing::Disconnect if lock(&self.shared).closing => return Flow::Stop,
            _ => {}
        }
        Flow::Continue
    }

    /// Records the packet id of the waiting command's packet; a QoS 0 publish is done once it is on the socket.
    fn learn_pkid(&mut self, seen: OpKind, pkid: u16) {
        let mut s = lock(&self.shared);
        let Some(op) = s.pending.as_mut() else { return };
        if op.pkid.is_some() {
            return;
        }
        match (op.kind, seen) {
            (OpKind::Publish(QoS::AtMostOnce), OpKind::Publish(_)) => finish(&mut s, OpResult::Done),
            (OpKind::Publish(_), OpKind::Publish(_)) => op.pkid = Some(pkid),
            (a, b) if a == b => op.pkid = Some(pkid),
            _ => {}
        }
    }

    /// Completes the waiting command if this ack is the one it waits for.
    fn ack(&mut self, kind: OpKind, pkid: u16, result: OpResult) {
        let mut s = lock(&self.shared);
        let matches = s.pending.as_ref().is_some_and(|op| op.kind == kind && op.pkid == Some(pkid));
        if matches {
            finish(&mut s, result);
        }
    }

    /// ESP-AT reference §2.1: `+MQTTSUBRECV:<link>,"<topic>",<len>,<payload>\r\n` in one write, topic unescaped.
    fn on_message(&self, topic: &str, payload: &[u8]) {
        let mut chunk = format!("+MQTTSUBRECV:0,\"{topic}\",{},", payload.len()).into_bytes();
        chunk.extend_from_slice(payload);
        chunk.extend_from_slice(b"\r\n");
        self.out.write(chunk);
    }

    /// ESP-AT reference §2.3: each reconnect prints `+MQTTCONNECTED` again and re-subscribes the stored topics.
    fn on_reconnected(&mut self) {
        self.connected = true;
        self.out.write(self.settings.connected_urc());
        let mut s = lock(&self.shared);
        if !s.topics.is_empty() {
            let filters = s.topics.iter().map(|(t, q)| SubscribeFilter::new(t.clone(), qos(*q)));
            match self.client.try_subscribe_many(filters) {
                Ok(()) => self.resubscribes_in_flight += 1,
                Err(e) => tracing::warn!(error = %e, "re-subscribe after reconnect failed"),
            }
        }
        // Queued before the state flips, so a command's SUBSCRIBE is always behind ours.
        s.state = if s.topics.is_empty() { state::CONNECTED } else { state::SUBSCRIBED };
    }

    fn on_error(&mut self, e: ConnectionError) -> Flow {
        let mut s = lock(&self.shared);
        if s.closing {
            return Flow::Stop;
        }
        if self.connected {
            tracing::info!(error = %e, "MQTT connection lost");
            self.connected = false;
            self.resubscribes_in_flight = 0;
            self.out.write("+MQTTDISCONNECTED:0\r\n");
            s.state = state::DISCONNECTED;
            finish(&mut s, OpResult::Dropped);
        } else {
            tracing::debug!(error = %e, "reconnect attempt failed");
        }
        if self.settings.reconnect {
            Flow::Backoff
        } else {
            Flow::Stop
        }
    }
}

/// Completes and clears the pending operation, if any.
fn finish(s: &mut Shared, result: OpResult) {
    if let Some(op) = s.pending.take() {
        let _ = op.done.send(result);
    }
}

impl Link {
    /// Publishes and waits as the QoS requires: on the socket (0), PUBACK (1), PUBCOMP (2).
    pub async fn publish(
        &self,
        shared: &SharedState,
        topic: String,
        qos_level: u8,
        retain: bool,
        payload: Vec<u8>,
        timeout: Duration,
    ) -> OpResult {
        let q = qos(qos_level);
        let request = self.client.publish(topic, q, retain, payload);
        self.wait(shared, OpKind::Publish(q), request, timeout).await
    }

    /// Subscribes and waits for SUBACK.
    pub async fn subscribe(&self, shared: &SharedState, topic: String, qos_level: u8, timeout: Duration) -> OpResult {
        let request = self.client.subscribe(topic, qos(qos_level));
        self.wait(shared, OpKind::Subscribe, request, timeout).await
    }

    /// Unsubscribes and waits for UNSUBACK.
    pub async fn unsubscribe(&self, shared: &SharedState, topic: String, timeout: Duration) -> OpResult {
        let request = self.client.unsubscribe(topic);
        self.wait(shared, OpKind::Unsubscribe, request, timeout).await
    }

    /// Registers the operation before the request is queued, so its `Outgoing` event cannot be missed.
    async fn wait<F>(&self, shared: &SharedState, kind: OpKind, request: F, timeout: Duration) -> OpResult
    where
        F: std::future::Future<Output = Result<(), rumqttc::ClientError>>,
    {
        let (done, rx) = oneshot::channel();
        lock(shared).pending = Some(PendingOp { kind, pkid: None, done });
        let waited = tokio::time::timeout(timeout, async {
            request.await.map_err(|e| {
                tracing::warn!(error = %e, "rumqttc refused the request");
                OpResult::Rejected
            })?;
            rx.await.map_err(|_| OpResult::Dropped)
        })
        .await;
        let result = match waited {
            Ok(Ok(r)) | Ok(Err(r)) => r,
            Err(_) => OpResult::TimedOut,
        };
        lock(shared).pending = None;
        result
    }

    /// AT+MQTTCLEAN: a graceful DISCONNECT (so no will is published) if connected, then stop the task.
    pub async fn close(self, shared: &SharedState) {
        let connected = {
            let mut s = lock(shared);
            s.closing = true;
            s.state >= state::CONNECTED
        };
        let mut task = self.task;
        if connected && self.client.try_disconnect().is_ok() {
            if tokio::time::timeout(DISCONNECT_GRACE, &mut task).await.is_ok() {
                return;
            }
            tracing::warn!("DISCONNECT not flushed in time; dropping the connection");
        }
        task.abort();
    }

    /// AT+RST: drop the connection without DISCONNECT, like a power cut, so the broker publishes the will.
    pub fn kill(self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any_tls() -> Arc<ClientConfig> {
        let pki = crate::tls::load(2, None, &crate::faults::Faults::default()).unwrap().unwrap();
        crate::tls::client_config(pki, &[]).unwrap().config
    }

    #[test]
    fn each_scheme_needs_tls_config_exactly_when_it_is_tls() {
        let mut s = Settings { host: "127.0.0.1".into(), port: 1883, ..Settings::default() };
        let t = Duration::from_secs(3);
        for scheme in 1..=10u8 {
            s.scheme = scheme;
            let tls = crate::tls::is_tls(scheme);
            assert_eq!(mqtt_options(&s, None, t).is_some(), !tls, "{scheme} without TLS config");
            assert_eq!(mqtt_options(&s, Some(any_tls()), t).is_some(), tls, "{scheme} with TLS config");
        }
    }

    #[test]
    fn ws_schemes_build_urls_with_one_slash() {
        let s = Settings { scheme: 8, host: "h".into(), port: 443, path: "/mqtt".into(), ..Settings::default() };
        let o = mqtt_options(&s, Some(any_tls()), Duration::from_secs(3)).unwrap();
        assert_eq!(o.broker_address(), ("wss://h:443/mqtt".to_owned(), 443));
        let s = Settings { scheme: 6, path: "mqtt".into(), ..s };
        let o = mqtt_options(&s, None, Duration::from_secs(3)).unwrap();
        assert_eq!(o.broker_address().0, "ws://h:443/mqtt");
    }

    #[test]
    fn generated_client_id_has_esp_shape() {
        let id = generated_client_id();
        assert_eq!(id.len(), "ESP32_".len() + 6, "{id}");
        assert!(id.starts_with("ESP32_"));
        assert!(id[6..].chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn connected_urc_quotes_the_port() {
        let s = Settings {
            scheme: 6,
            host: "h".into(),
            port: 8080,
            path: "/mqtt".into(),
            reconnect: true,
            ..Settings::default()
        };
        assert_eq!(s.connected_urc(), "+MQTTCONNECTED:0,6,\"h\",\"8080\",\"/mqtt\",1\r\n");
    }
}
