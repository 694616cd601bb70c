//! Steps about the hosted broker: what the device's packets said, and
//! messages the broker sends to the device.

use anyhow::{bail, ensure, Context};
use cucumber::gherkin::Step;
use cucumber::{then, when};
use regex::Regex;

use crate::broker::observations::{Observation, Observed, Transport};
use crate::world::AtWorld;

/// Checks fields of the CONNECT the device sent with this client id.
///
/// Table rows are `| field | value |` with fields `client id`, `username`,
/// `password`, `keepalive`, `clean session`, `will topic`, `will message`,
/// `will qos`, `will retain`; a value `(none)` means the field was absent.
#[then(regex = r#"^the broker received a CONNECT from "(.*)" with:$"#)]
async fn connect_with(world: &mut AtWorld, client_id: String, step: &Step) -> anyhow::Result<()> {
    let seen = wait_for_connect(world, &client_id).await?;
    check_fields(world, step, "CONNECT", |field| connect_field(&seen.what, field))
}

/// Like the step above, for a client id the device made up itself (an empty one was configured):
/// the first CONNECT whose client id matches the anchored regular expression.
#[then(regex = r#"^the broker received a CONNECT from a client id matching "(.*)" with:$"#)]
async fn connect_matching(world: &mut AtWorld, pattern: String, step: &Step) -> anyhow::Result<()> {
    let re = Regex::new(&format!("^(?:{pattern})$")).with_context(|| format!("bad pattern {pattern:?}"))?;
    let seen = wait_for(
        world,
        &format!("a CONNECT from a client id matching {pattern:?}"),
        |o| matches!(&o.what, Observation::Connect { client_id: c, .. } if re.is_match(c)),
    )
    .await?;
    check_fields(world, step, "CONNECT", |field| connect_field(&seen.what, field))
}

/// Checks how the connection of this client id reached the broker.
///
/// Table rows are `| field | value |` with fields `listener`, `tls` (yes/no),
/// `client certificate` (its subject), `alpn offered` (comma-separated),
/// `alpn negotiated`, `sni`, `websocket path`; `(none)` means absent.
#[then(regex = r#"^the broker saw the connection of "(.*)" arrive with:$"#)]
async fn connection_arrived_with(world: &mut AtWorld, client_id: String, step: &Step) -> anyhow::Result<()> {
    let connect = wait_for_connect(world, &client_id).await?;
    let transport = world
        .env
        .broker
        .log
        .since(world.observation_mark)
        .into_iter()
        .find_map(|o| match o.what {
            Observation::Transport(t) if o.connection == connect.connection => Some(t),
            _ => None,
        })
        .context("no transport was recorded for that connection")?;
    check_fields(world, step, "transport", |field| transport_field(&transport, field))
}

/// Waits for the CONNECT carrying this (placeholder-expanded) client id.
async fn wait_for_connect(world: &AtWorld, client_id: &str) -> anyhow::Result<Observed> {
    let client_id = world.expand(client_id)?;
    wait_for(
        world,
        &format!("a CONNECT from {client_id:?}"),
        |o| matches!(&o.what, Observation::Connect { client_id: c, .. } if *c == client_id),
    )
    .await
}

/// Compares each `| field | value |` row of the step's table with what `actual` reports.
fn check_fields(
    world: &AtWorld,
    step: &Step,
    what: &str,
    actual: impl Fn(&str) -> anyhow::Result<String>,
) -> anyhow::Result<()> {
    let table = step.table.as_ref().context("this step needs a | field | value | table")?;
    for row in &table.rows {
        let [field, expected] = row.as_slice() else { bail!("table rows need two cells: | field | value |") };
        let expected = world.expand(expected)?;
        let got = actual(field)?;
        ensure!(got == expected, "{what} field {field:?} was {got:?}, expected {expected:?}");
    }
    Ok(())
}

/// A TLS or WebSocket handshake failed on the named listener during this scenario.
#[then(regex = r#"^the broker saw a handshake fail on the "(.*)" listener$"#)]
async fn handshake_failed(world: &mut AtWorld, listener: String) -> anyhow::Result<()> {
    wait_for(
        world,
        &format!("a failed handshake on the {listener:?} listener"),
        |o| matches!(&o.what, Observation::HandshakeFailed { listener: l, .. } if *l == listener),
    )
    .await
    .map(drop)
}

/// A PUBLISH from the device with this payload, topic, QoS and retain flag.
#[then(regex = r#"^the broker received "(.*)" on "(.*)" with QoS (\d), (retained|not retained)$"#)]
async fn received_publish(
    world: &mut AtWorld,
    payload: String,
    topic: String,
    qos: u8,
    retain: String,
) -> anyhow::Result<()> {
    let payload = crate::steps::serial::unescape_bytes(&world.expand(&payload)?)?;
    let topic = world.expand(&topic)?;
    let retain = retain == "retained";
    let want = Observation::Publish { topic: topic.clone(), payload, qos, retain };
    wait_for(world, &want.to_string(), |o| o.what == want).await.map(drop)
}

/// Exactly `n` SUBSCRIBE packets for this filter and QoS arrived in this scenario.
#[then(regex = r#"^the broker received (\d+) SUBSCRIBEs? to "(.*)" with QoS (\d)$"#)]
async fn received_subscribes(world: &mut AtWorld, n: usize, filter: String, qos: u8) -> anyhow::Result<()> {
    let filter = world.expand(&filter)?;
    let is_match = |o: &Observed| matches!(&o.what, Observation::Subscribe(fs) if fs.contains(&(filter.clone(), qos)));
    count_exactly(world, n, &format!("SUBSCRIBE to {filter:?} with QoS {qos}"), is_match).await
}

/// Exactly `n` UNSUBSCRIBE packets for this topic arrived in this scenario.
#[then(regex = r#"^the broker received (\d+) UNSUBSCRIBEs? from "(.*)"$"#)]
async fn received_unsubscribes(world: &mut AtWorld, n: usize, topic: String) -> anyhow::Result<()> {
    let topic = world.expand(&topic)?;
    let is_match = |o: &Observed| matches!(&o.what, Observation::Unsubscribe(ts) if ts.contains(&topic));
    count_exactly(world, n, &format!("UNSUBSCRIBE from {topic:?}"), is_match).await
}

/// The device with this client id sent DISCONNECT (left gracefully).
#[then(regex = r#"^the broker received a DISCONNECT from "(.*)"$"#)]
async fn received_disconnect(world: &mut AtWorld, client_id: String) -> anyhow::Result<()> {
    let client_id = world.expand(&client_id)?;
    wait_for(world, &format!("DISCONNECT from {client_id:?}"), |o| {
        o.what == Observation::Disconnect && o.client_id.as_deref() == Some(&client_id)
    })
    .await
    .map(drop)
}

/// The connection of this client id closed without a DISCONNECT packet.
#[then(regex = r#"^the connection of "(.*)" closed without DISCONNECT$"#)]
async fn closed_abruptly(world: &mut AtWorld, client_id: String) -> anyhow::Result<()> {
    let client_id = world.expand(&client_id)?;
    let closed = wait_for(world, &format!("the connection of {client_id:?} closing"), |o| {
        o.what == Observation::Closed && o.client_id.as_deref() == Some(&client_id)
    })
    .await?;
    let graceful = world
        .env
        .broker
        .log
        .since(world.observation_mark)
        .into_iter()
        .any(|o| o.connection == closed.connection && o.what == Observation::Disconnect);
    ensure!(!graceful, "the device sent DISCONNECT before closing");
    Ok(())
}

/// The broker routed this message to subscribers (wills included).
#[then(regex = r#"^the broker delivered "(.*)" on "(.*)" to subscribers$"#)]
async fn routed(world: &mut AtWorld, payload: String, topic: String) -> anyhow::Result<()> {
    let payload = crate::steps::serial::unescape_bytes(&world.expand(&payload)?)?;
    let topic = world.expand(&topic)?;
    wait_for(
        world,
        &format!("the broker routing {payload:?} on {topic:?}"),
        |o| matches!(&o.what, Observation::Routed { topic: t, payload: p, .. } if *t == topic && *p == payload),
    )
    .await
    .map(drop)
}

/// Publishes from the harness's own client.
#[when(regex = r#"^the broker publishes "(.*)" on "(.*)" with QoS (\d)(, retained)?$"#)]
async fn broker_publishes(
    world: &mut AtWorld,
    payload: String,
    topic: String,
    qos: u8,
    retained: String,
) -> anyhow::Result<()> {
    let payload = crate::steps::serial::unescape_bytes(&world.expand(&payload)?)?;
    let topic = world.expand(&topic)?;
    world.env.broker.publish(&topic, payload, qos, !retained.is_empty()).await
}

/// Cuts the device's TCP connection at the broker, as a network failure would.
#[when(regex = r#"^the broker cuts the connection of "(.*)"$"#)]
async fn cut(world: &mut AtWorld, client_id: String) -> anyhow::Result<()> {
    let client_id = world.expand(&client_id)?;
    let n = world.env.broker.connections.cut(&client_id);
    ensure!(n > 0, "no open connection with client id {client_id:?} to cut");
    Ok(())
}

async fn wait_for(world: &AtWorld, what: &str, matches: impl Fn(&Observed) -> bool) -> anyhow::Result<Observed> {
    let timeout = world.env.timeouts.broker;
    match world.env.broker.log.wait_for(world.observation_mark, timeout, matches).await {
        Some(found) => Ok(found),
        None => bail!("the broker did not see {what} within {timeout:?}; it saw: {}", describe(world)),
    }
}

/// Waits (bounded) until `n` matching observations are in, then checks there are exactly `n`.
async fn count_exactly(
    world: &AtWorld,
    n: usize,
    what: &str,
    matches: impl Fn(&Observed) -> bool,
) -> anyhow::Result<()> {
    let log = &world.env.broker.log;
    let count = || log.since(world.observation_mark).iter().filter(|o| matches(o)).count();
    let deadline = tokio::time::Instant::now() + world.env.timeouts.broker;
    loop {
        // Take the mark before counting so no observation slips between the two.
        let mark = log.mark();
        let now = tokio::time::Instant::now();
        if count() >= n || now >= deadline {
            break;
        }
        log.wait_for(mark, deadline - now, |_| true).await;
    }
    let seen = count();
    ensure!(seen == n, "the broker saw {seen} × {what}, expected {n}; it saw: {}", describe(world));
    Ok(())
}

/// A short account of this scenario's observations, for failure messages.
fn describe(world: &AtWorld) -> String {
    let seen = world.env.broker.log.since(world.observation_mark);
    if seen.is_empty() {
        return "nothing".into();
    }
    seen.iter()
        .map(|o| format!("[conn {} {:?}] {:?}", o.connection, o.client_id, o.what))
        .collect::<Vec<_>>()
        .join("; ")
}

fn transport_field(t: &Transport, field: &str) -> anyhow::Result<String> {
    let none = || "(none)".to_string();
    let tls = t.tls.as_ref();
    Ok(match field {
        "listener" => t.listener.clone(),
        "tls" => if tls.is_some() { "yes" } else { "no" }.to_string(),
        "client certificate" => tls.and_then(|i| i.client_certificate.clone()).unwrap_or_else(none),
        "alpn offered" => match tls.map(|i| i.alpn_offered.join(",")) {
            Some(list) if !list.is_empty() => list,
            _ => none(),
        },
        "alpn negotiated" => tls.and_then(|i| i.alpn_negotiated.clone()).unwrap_or_else(none),
        "sni" => tls.and_then(|i| i.sni.clone()).unwrap_or_else(none),
        "websocket path" => t.websocket_path.clone().unwrap_or_else(none),
        other => bail!(
            "unknown transport field {other:?}; use listener, tls, client certificate, alpn offered, \
             alpn negotiated, sni or websocket path"
        ),
    })
}

fn connect_field(connect: &Observation, field: &str) -> anyhow::Result<String> {
    let Observation::Connect { client_id, username, password, keep_alive, clean_session, will } = connect else {
        bail!("not a CONNECT");
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
    let will_part = |f: &dyn Fn(&crate::broker::observations::Will) -> String| {
        will.as_ref().map(f).unwrap_or_else(|| "(none)".into())
    };
    Ok(match field {
        "client id" => client_id.clone(),
        "username" => opt(username),
        "password" => opt(password),
        "keepalive" => keep_alive.to_string(),
        "clean session" => u8::from(*clean_session).to_string(),
        "will topic" => will_part(&|w| w.topic.clone()),
        "will message" => will_part(&|w| String::from_utf8_lossy(&w.message).into_owned()),
        "will qos" => will_part(&|w| w.qos.to_string()),
        "will retain" => will_part(&|w| u8::from(w.retain).to_string()),
        other => bail!(
            "unknown CONNECT field {other:?}; use client id, username, password, keepalive, clean session, \
             will topic, will message, will qos or will retain"
        ),
    })
}
