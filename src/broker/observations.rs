//! What reached the broker, as seen on the wire by the tap.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// A last-will message announced in a CONNECT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Will {
    /// Will topic.
    pub topic: String,
    /// Will payload.
    pub message: Vec<u8>,
    /// Will QoS, 0..2.
    pub qos: u8,
    /// Will retain flag.
    pub retain: bool,
}

/// What a TLS handshake showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsInfo {
    /// ALPN protocols the device offered in its ClientHello, in order.
    pub alpn_offered: Vec<String>,
    /// The protocol agreed, if any.
    pub alpn_negotiated: Option<String>,
    /// Server name indication sent by the device.
    pub sni: Option<String>,
    /// Subject of the client certificate the device presented.
    pub client_certificate: Option<String>,
}

/// How a device connection reached the broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transport {
    /// The listener's name (`tcp`, `tls`, `mtls`, `ws`, `wss`, `mwss`, `tls.expired`, ...).
    pub listener: String,
    /// TLS details, for TLS listeners.
    pub tls: Option<TlsInfo>,
    /// The WebSocket request path, for WebSocket listeners.
    pub websocket_path: Option<String>,
}

/// One thing the device did on an MQTT connection, or that happened to the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    /// A connection finished its TLS / WebSocket handshakes (or needed none).
    Transport(Transport),
    /// A connection's TLS or WebSocket handshake failed.
    HandshakeFailed {
        /// The listener's name.
        listener: String,
        /// What went wrong, as the server saw it.
        error: String,
    },
    /// A CONNECT packet.
    Connect {
        /// Client identifier.
        client_id: String,
        /// User name, if the login flag was set.
        username: Option<String>,
        /// Password, if the login flag was set.
        password: Option<String>,
        /// Keep-alive in seconds.
        keep_alive: u16,
        /// Clean-session flag.
        clean_session: bool,
        /// Last will, if any.
        will: Option<Will>,
    },
    /// A PUBLISH from the device.
    Publish {
        /// Topic name.
        topic: String,
        /// Payload bytes.
        payload: Vec<u8>,
        /// QoS, 0..2.
        qos: u8,
        /// Retain flag.
        retain: bool,
    },
    /// A SUBSCRIBE from the device: (filter, QoS) pairs.
    Subscribe(Vec<(String, u8)>),
    /// An UNSUBSCRIBE from the device.
    Unsubscribe(Vec<String>),
    /// A DISCONNECT packet: the device left gracefully.
    Disconnect,
    /// The device's TCP connection closed (with or without DISCONNECT before it).
    Closed,
    /// A message the broker delivered to the harness's watcher (routed traffic, wills included).
    Routed {
        /// Topic name.
        topic: String,
        /// Payload bytes.
        payload: Vec<u8>,
        /// Retain flag as delivered.
        retain: bool,
    },
}

impl std::fmt::Display for Observation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = |bytes: &[u8]| crate::device::transcript::visible(bytes);
        match self {
            Observation::Transport(t) => {
                write!(f, "connection on listener {:?}", t.listener)?;
                if let Some(tls) = &t.tls {
                    write!(
                        f,
                        ", TLS alpn offered {:?}, sni {:?}, client certificate {:?}",
                        tls.alpn_offered, tls.sni, tls.client_certificate
                    )?;
                }
                if let Some(path) = &t.websocket_path {
                    write!(f, ", WebSocket path {path:?}")?;
                }
                Ok(())
            }
            Observation::HandshakeFailed { listener, error } => {
                write!(f, "handshake failed on listener {listener:?}: {error}")
            }
            Observation::Connect { client_id, username, password, keep_alive, clean_session, will } => {
                write!(f, "CONNECT client id {client_id:?}, username {username:?}, password {password:?}, ")?;
                write!(f, "keepalive {keep_alive}, clean session {}", u8::from(*clean_session))?;
                match will {
                    Some(w) => write!(
                        f,
                        ", will \"{}\" on {:?} QoS {} retain {}",
                        text(&w.message),
                        w.topic,
                        w.qos,
                        u8::from(w.retain)
                    ),
                    None => write!(f, ", no will"),
                }
            }
            Observation::Publish { topic, payload, qos, retain } => {
                write!(f, "PUBLISH \"{}\" on {topic:?} QoS {qos} retain {}", text(payload), u8::from(*retain))
            }
            Observation::Subscribe(filters) => write!(f, "SUBSCRIBE {filters:?}"),
            Observation::Unsubscribe(topics) => write!(f, "UNSUBSCRIBE {topics:?}"),
            Observation::Disconnect => write!(f, "DISCONNECT"),
            Observation::Closed => write!(f, "connection closed"),
            Observation::Routed { topic, payload, retain } => {
                write!(f, "broker routed \"{}\" on {topic:?} retain {}", text(payload), u8::from(*retain))
            }
        }
    }
}

/// An observation with where and when it was seen.
#[derive(Debug, Clone)]
pub struct Observed {
    /// Position in the log, for "since" queries.
    pub seq: usize,
    /// Which tapped connection (0 for the watcher).
    pub connection: u64,
    /// The client id of that connection, once its CONNECT was seen.
    pub client_id: Option<String>,
    /// What happened.
    pub what: Observation,
    /// When.
    pub at: Instant,
}

/// The shared, append-only log of observations.
#[derive(Debug, Clone, Default)]
pub struct ObservationLog {
    entries: Arc<Mutex<Vec<Observed>>>,
    changed: Arc<Notify>,
}

impl ObservationLog {
    /// Appends an observation and wakes waiters.
    pub fn push(&self, connection: u64, client_id: Option<String>, what: Observation) {
        let mut entries = self.entries.lock().expect("observation lock");
        let seq = entries.len();
        tracing::debug!(connection, ?client_id, ?what, "broker observed");
        entries.push(Observed { seq, connection, client_id, what, at: Instant::now() });
        drop(entries);
        self.changed.notify_waiters();
    }

    /// The sequence number the next observation will get.
    pub fn mark(&self) -> usize {
        self.entries.lock().expect("observation lock").len()
    }

    /// Observations from `mark` on.
    pub fn since(&self, mark: usize) -> Vec<Observed> {
        let entries = self.entries.lock().expect("observation lock");
        entries.get(mark..).map(<[Observed]>::to_vec).unwrap_or_default()
    }

    /// Waits until an observation from `mark` on satisfies `matches`; returns it, or `None` at the deadline.
    pub async fn wait_for(
        &self,
        mark: usize,
        timeout: Duration,
        matches: impl Fn(&Observed) -> bool,
    ) -> Option<Observed> {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(found) = self.since(mark).into_iter().find(|o| matches(o)) {
                return Some(found);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wait_for_sees_a_later_push() {
        let log = ObservationLog::default();
        let mark = log.mark();
        let pusher = log.clone();
        tokio::spawn(async move { pusher.push(1, Some("c".into()), Observation::Disconnect) });
        let got = log.wait_for(mark, Duration::from_secs(5), |o| o.what == Observation::Disconnect).await;
        assert_eq!(got.map(|o| o.client_id), Some(Some("c".to_string())));
    }

    #[tokio::test]
    async fn wait_for_gives_up_at_the_deadline() {
        let log = ObservationLog::default();
        log.push(1, None, Observation::Closed);
        let mark = log.mark();
        assert!(log.wait_for(mark, Duration::from_millis(50), |_| true).await.is_none());
    }
}
