//! A wire tap in front of rumqttd's plain listener, behind the [`super::front`].
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
use futures::{SinkExt as _, StreamExt as _};
use rumqttc::mqttbytes::v4::Packet;
use rumqttc::mqttbytes::{Error as CodecError, QoS};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Message;

use super::front::{DeviceIo, Front};
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

/// Accepts device connections on `listener`, runs `front`'s handshakes, and forwards MQTT to `upstream`, forever.
pub async fn serve(
    listener: TcpListener,
    front: Front,
    upstream: SocketAddr,
    log: ObservationLog,
    connections: Connections,
) {
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!("{} accept failed: {e}", front.name);
                continue;
            }
        };
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(id, %peer, listener = %front.name, "device connection accepted");
        let (front, log, connections) = (front.clone(), log.clone(), connections.clone());
        // Each handshake runs in its own task: a stalled device never blocks the next one.
        tokio::spawn(async move {
            let device = match front.handshake(tcp).await {
                Ok((device, transport)) => {
                    log.push(id, None, Observation::Transport(transport));
                    device
                }
                Err(e) => {
                    log.push(
                        id,
                        None,
                        Observation::HandshakeFailed { listener: front.name.clone(), error: e.to_string() },
                    );
                    return;
                }
            };
            let cut = Arc::new(Notify::new());
            connections
                .inner
                .lock()
                .expect("connections lock")
                .insert(id, TappedConnection { client_id: None, cut: cut.clone() });
            if let Err(e) = relay(id, device, upstream, &log, &connections, cut).await {
                tracing::debug!(id, "tapped connection ended: {e}");
            }
            let client_id = connections.inner.lock().expect("connections lock").remove(&id).and_then(|c| c.client_id);
            log.push(id, client_id, Observation::Closed);
        });
    }
}

/// Copies MQTT bytes both ways until either side closes or the connection is cut.
async fn relay(
    id: u64,
    mut device: DeviceIo,
    upstream: SocketAddr,
    log: &ObservationLog,
    connections: &Connections,
    cut: Arc<Notify>,
) -> std::io::Result<()> {
    let broker = TcpStream::connect(upstream).await?;
    let (mut broker_rx, mut broker_tx) = broker.into_split();
    let mut decoder = Decoder { id, buf: BytesMut::new(), client_id: None };
    let mut from_broker = vec![0u8; 16 * 1024];
    loop {
        tokio::select! {
            chunk = read_device(&mut device) => {
                let Some(chunk) = chunk? else { return Ok(()) };
                // Record before forwarding: whatever the device is acked for has then
                // been observed before the ack can reach it, so a scenario may check
                // for the absence of a packet as soon as the device answers.
                decoder.feed(&chunk, log, connections);
                broker_tx.write_all(&chunk).await?;
            }
            n = broker_rx.read(&mut from_broker) => {
                let n = n?;
                if n == 0 {
                    return Ok(());
                }
                write_device(&mut device, &from_broker[..n]).await?;
            }
            _ = cut.notified() => {
                tracing::info!(id, "the tap cut the device's connection on request");
                return Ok(());
            }
        }
    }
}

/// The next chunk of MQTT bytes from the device; `None` when it closed.
async fn read_device(device: &mut DeviceIo) -> std::io::Result<Option<Vec<u8>>> {
    match device {
        DeviceIo::Stream(s) => {
            let mut buf = vec![0u8; 16 * 1024];
            let n = s.read(&mut buf).await?;
            buf.truncate(n);
            Ok((n > 0).then_some(buf))
        }
        DeviceIo::WebSocket(ws) => loop {
            match ws.next().await {
                None | Some(Ok(Message::Close(_))) => return Ok(None),
                Some(Ok(Message::Binary(data))) => return Ok(Some(data.to_vec())),
                Some(Ok(_)) => continue, // pings are answered by tungstenite; text is not MQTT
                Some(Err(e)) => return Err(std::io::Error::other(e)),
            }
        },
    }
}

async fn write_device(device: &mut DeviceIo, bytes: &[u8]) -> std::io::Result<()> {
    match device {
        DeviceIo::Stream(s) => s.write_all(bytes).await,
        DeviceIo::WebSocket(ws) => ws.send(Message::Binary(bytes.to_vec().into())).await.map_err(std::io::Error::other),
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
            let flags = connect_flags(&self.buf);
            match Packet::read(&mut self.buf, MAX_PACKET) {
                Ok(packet) => {
                    if let Packet::Connect(c) = &packet {
                        self.client_id = Some(c.client_id.clone());
                        connections.set_client_id(self.id, &c.client_id);
                    }
                    if let Some(what) = observe(packet).map(|o| with_login_flags(o, flags)) {
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

/// The connect-flags byte of a CONNECT at the start of `buf` (MQTT 3.1.1 §3.1.2.3), if one is there.
fn connect_flags(buf: &[u8]) -> Option<u8> {
    if buf.first()? >> 4 != 1 {
        return None;
    }
    // Remaining length: 1 to 4 bytes, the high bit of each saying another follows.
    let len_bytes = buf[1..].iter().take(4).position(|b| b & 0x80 == 0)? + 1;
    // Then protocol name (2-byte length + "MQTT") and protocol level, then the flags.
    buf.get(1 + len_bytes + 6 + 1).copied()
}

/// The codec reads an absent password as "" (and keeps a login for it); the flags tell absent from empty.
fn with_login_flags(o: Observation, flags: Option<u8>) -> Observation {
    match (o, flags) {
        (Observation::Connect { client_id, username, password, keep_alive, clean_session, will }, Some(f)) => {
            Observation::Connect {
                client_id,
                username: username.filter(|_| f & 0x80 != 0),
                password: password.filter(|_| f & 0x40 != 0),
                keep_alive,
                clean_session,
                will,
            }
        }
        (o, _) => o,
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
    fn a_username_without_password_flag_reads_as_no_password() {
        let mut connect = Connect::new("dev-2");
        connect.login = Some(Login::new("alice", ""));
        let bytes = encode(Packet::Connect(connect));
        assert_eq!(connect_flags(&bytes).map(|f| f & 0xC0), Some(0x80), "rumqttc writes no empty password");
        let log = ObservationLog::default();
        let mut d = Decoder { id: 2, buf: BytesMut::new(), client_id: None };
        d.feed(&bytes, &log, &Connections::default());
        let Observation::Connect { username, password, .. } = &log.since(0)[0].what else { panic!("no CONNECT") };
        assert_eq!((username.as_deref(), password.as_deref()), (Some("alice"), None));
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
