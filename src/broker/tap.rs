//! A wire tap in front of rumqttd's plain listener.
//!
//! rumqttd's hooks show only the client id, user name and password of a
//! CONNECT (reference crates.md §2 "Authentication hook"), not the keep-alive,
//! clean-session flag or will, nor each PUBLISH's retain flag. So the device
//! connects to this tap, which forwards every byte unchanged to rumqttd and
//! decodes the device-to-broker direction with rumqttc's MQTT 3.1.1 codec.
//! The tap can also cut a device's connection, to test reconnects and wills.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::BytesMut;
use rumqttc::mqttbytes::v4::Packet;
use rumqttc::mqttbytes::{Error as CodecError, QoS};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

use super::observations::{Observation, ObservationLog, Will};

const MAX_PACKET: usize = 1024 * 1024 + 1024;

/// Open tapped connections, so a step can cut one.
#[derive(Debug, Default, Clone)]
pub struct Connections {
    inner: Arc<Mutex<HashMap<u64, TappedConnection>>>,
}

#[derive(Debug)]
struct TappedConnection {
    client_id: Option<String>,
    cut: Arc<Notify>,
}

impl Connections {
    /// Cuts every open connection whose CONNECT carried `client_id`; returns how many.
    pub fn cut(&self, client_id: &str) -> usize {
        let conns = self.inner.lock().expect("connections lock");
        let matching: Vec<_> = conns.values().filter(|c| c.client_id.as_deref() == Some(client_id)).collect();
        for c in &matching {
            c.cut.notify_one();
        }
        matching.len()
    }

    fn set_client_id(&self, id: u64, client_id: &str) {
        if let Some(c) = self.inner.lock().expect("connections lock").get_mut(&id) {
            c.client_id = Some(client_id.to_string());
        }
    }
}

/// Accepts device connections on `listener` and forwards them to `upstream`, forever.
pub async fn serve(listener: TcpListener, upstream: SocketAddr, log: ObservationLog, connections: Connections) {
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    loop {
        let (device, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!("tap accept failed: {e}");
                continue;
            }
        };
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let cut = Arc::new(Notify::new());
        connections
            .inner
            .lock()
            .expect("connections lock")
            .insert(id, TappedConnection { client_id: None, cut: cut.clone() });
        tracing::debug!(id, %peer, "tap accepted a device connection");
        let (log, connections) = (log.clone(), connections.clone());
        tokio::spawn(async move {
            if let Err(e) = relay(id, device, upstream, &log, &connections, cut).await {
                tracing::debug!(id, "tapped connection ended: {e}");
            }
            let client_id = connections.inner.lock().expect("connections lock").remove(&id).and_then(|c| c.client_id);
            log.push(id, client_id, Observation::Closed);
        });
    }
}

async fn relay(
    id: u64,
    device: TcpStream,
    upstream: SocketAddr,
    log: &ObservationLog,
    connections: &Connections,
    cut: Arc<Notify>,
) -> std::io::Result<()> {
    let broker = TcpStream::connect(upstream).await?;
    let (mut device_rx, mut device_tx) = device.into_split();
    let (mut broker_rx, mut broker_tx) = broker.into_split();
    let to_broker = async {
        let mut decoder = Decoder { id, buf: BytesMut::new(), client_id: None };
        let mut chunk = vec![0u8; 16 * 1024];
        loop {
            let n = device_rx.read(&mut chunk).await?;
            if n == 0 {
                return Ok::<_, std::io::Error>(());
            }
            // Record before forwarding: whatever the device is acked for has then
            // been observed before the ack can reach it, so a scenario may check
            // for the absence of a packet as soon as the device answers.
            decoder.feed(&chunk[..n], log, connections);
            broker_tx.write_all(&chunk[..n]).await?;
        }
    };
    let to_device = tokio::io::copy(&mut broker_rx, &mut device_tx);
    tokio::select! {
        r = to_broker => r,
        r = to_device => r.map(|_| ()),
        _ = cut.notified() => {
            tracing::info!(id, "tap cut the device's connection on request");
            Ok(())
        }
    }
}

/// Decodes the device-to-broker byte stream into observations.
struct Decoder {
    id: u64,
    buf: BytesMut,
    client_id: Option<String>,
}

impl Decoder {
    fn feed(&mut self, bytes: &[u8], log: &ObservationLog, connections: &Connections) {
        self.buf.extend_from_slice(bytes);
        loop {
            match Packet::read(&mut self.buf, MAX_PACKET) {
                Ok(packet) => {
                    if let Packet::Connect(c) = &packet {
                        self.client_id = Some(c.client_id.clone());
                        connections.set_client_id(self.id, &c.client_id);
                    }
                    if let Some(what) = observe(packet) {
                        log.push(self.id, self.client_id.clone(), what);
                    }
                }
                Err(CodecError::InsufficientBytes(_)) => return,
                Err(e) => {
                    // Not MQTT we can read: keep forwarding, stop decoding.
                    tracing::warn!(id = self.id, "tap cannot decode the device's MQTT stream: {e}");
                    self.buf.clear();
                    return;
                }
            }
        }
    }
}

fn qos_number(q: QoS) -> u8 {
    match q {
        QoS::AtMostOnce => 0,
        QoS::AtLeastOnce => 1,
        QoS::ExactlyOnce => 2,
    }
}

/// Turns a decoded packet into what a scenario may assert on; acks and pings are not recorded.
fn observe(packet: Packet) -> Option<Observation> {
    Some(match packet {
        Packet::Connect(c) => Observation::Connect {
            username: c.login.as_ref().map(|l| l.username.clone()),
            password: c.login.as_ref().map(|l| l.password.clone()),
            client_id: c.client_id,
            keep_alive: c.keep_alive,
            clean_session: c.clean_session,
            will: c.last_will.map(|w| Will {
                topic: w.topic,
                message: w.message.to_vec(),
                qos: qos_number(w.qos),
                retain: w.retain,
            }),
        },
        Packet::Publish(p) => Observation::Publish {
            topic: p.topic,
            payload: p.payload.to_vec(),
            qos: qos_number(p.qos),
            retain: p.retain,
        },
        Packet::Subscribe(s) => {
            Observation::Subscribe(s.filters.into_iter().map(|f| (f.path, qos_number(f.qos))).collect())
        }
        Packet::Unsubscribe(u) => Observation::Unsubscribe(u.topics),
        Packet::Disconnect => Observation::Disconnect,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rumqttc::mqttbytes::v4::{Connect, LastWill, Login, Publish};

    fn encode(p: Packet) -> BytesMut {
        let mut b = BytesMut::new();
        p.write(&mut b, MAX_PACKET).unwrap();
        b
    }

    #[test]
    fn connect_fields_are_decoded_even_when_split_across_reads() {
        let mut connect = Connect::new("dev-1");
        connect.keep_alive = 60;
        connect.clean_session = false;
        connect.login = Some(Login::new("u", "p"));
        connect.last_will = Some(LastWill::new("w/t", "bye", QoS::AtLeastOnce, true));
        let bytes = encode(Packet::Connect(connect));
        let log = ObservationLog::default();
        let mut d = Decoder { id: 7, buf: BytesMut::new(), client_id: None };
        let (a, b) = bytes.split_at(5);
        d.feed(a, &log, &Connections::default());
        assert!(log.since(0).is_empty());
        d.feed(b, &log, &Connections::default());
        let seen = log.since(0);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].client_id.as_deref(), Some("dev-1"));
        assert_eq!(
            seen[0].what,
            Observation::Connect {
                client_id: "dev-1".into(),
                username: Some("u".into()),
                password: Some("p".into()),
                keep_alive: 60,
                clean_session: false,
                will: Some(Will { topic: "w/t".into(), message: b"bye".to_vec(), qos: 1, retain: true }),
            }
        );
    }

    #[test]
    fn publish_retain_and_qos_are_kept() {
        let mut p = Publish::new("t/a", QoS::ExactlyOnce, "hi");
        p.retain = true;
        p.pkid = 3;
        let log = ObservationLog::default();
        let mut d = Decoder { id: 1, buf: BytesMut::new(), client_id: Some("x".into()) };
        d.feed(&encode(Packet::Publish(p)), &log, &Connections::default());
        assert_eq!(
            log.since(0)[0].what,
            Observation::Publish { topic: "t/a".into(), payload: b"hi".to_vec(), qos: 2, retain: true }
        );
    }
}
