//! AT+MQTTSUB (and its query) and AT+MQTTUNSUB.

use super::{check_connected, count_in, link_id, qos, timeout, topic, Mqtt};
use crate::commands::{CommandResult, Reply};
use crate::error_code::{CommandError, MqttCode};
use crate::faults::Fault;
use crate::link::{self, state, OpResult};
use crate::params::Params;
use crate::profile::Final;

/// ESP-AT reference §2.4: at most 10 topics per link.
pub const MAX_TOPICS: usize = 10;

/// `AT+MQTTSUB=<LinkID>,"topic",<qos>[,<timeout_ms>]`
pub async fn subscribe(m: &mut Mqtt, p: &Params) -> CommandResult {
    count_in(p, 3..=4)?;
    link_id(p)?;
    check_connected(m.state())?;
    let topic = topic(p, 1)?;
    let qos = qos(p, 2)?;
    let wait = timeout(p, 3, m.profile.timeout_param)?;
    if m.profile.subscription_notices(m.quirks) {
        // Spec AT+MQTTSUB: a known topic answers ALREADY SUBSCRIBE without sending anything.
        // The shipped ESP-AT firmware never prints it on the AT port (ESP-AT reference §2.5, esp-at#453).
        let s = link::lock(&m.shared);
        if s.topics.iter().any(|(t, _)| *t == topic) {
            return Ok(Reply::Ok(b"ALREADY SUBSCRIBE\r\n".to_vec()));
        }
        if s.topics.len() >= MAX_TOPICS {
            // W800 spec AT+MQTTSUB: at most 10 topics, then this notice.
            return match m.profile.full_subscription {
                Final::Ok => Ok(Reply::Ok(b"ALREADY FULL SUBSCRIBE\r\n".to_vec())),
                Final::Error => Err(CommandError::Notice("ALREADY FULL SUBSCRIBE")),
            };
        }
    }
    let Some(l) = &m.link else {
        return Err(MqttCode::NullLink.into());
    };
    // ESP-AT reference §2.5: msg_id < 0 from the client is 0x600D; nothing is sent.
    m.inject(Fault::ClientSubscribe, MqttCode::ClientSubscribeFailed)?;
    match l.subscribe(&m.shared, topic.clone(), qos, wait).await {
        OpResult::Done => {
            remember(&m.shared, topic, qos);
            Ok(Reply::ok())
        }
        OpResult::Refused | OpResult::Rejected => Err(MqttCode::ClientSubscribeFailed.into()),
        // ESP-AT reference §2.2: a SUBACK wait timeout is a plain ERROR.
        other => {
            tracing::info!(?other, "subscribe failed");
            Err(CommandError::Plain)
        }
    }
}

/// Stores a subscribed topic (ESP-AT reference §2.3: a successful subscribe sets state 6).
fn remember(shared: &link::SharedState, topic: String, qos: u8) {
    let mut s = link::lock(shared);
    if let Some(entry) = s.topics.iter_mut().find(|(t, _)| *t == topic) {
        tracing::debug!(%topic, "already subscribed");
        entry.1 = qos;
    } else if s.topics.len() >= MAX_TOPICS {
        tracing::debug!(%topic, "full subscribed; not stored");
    } else {
        s.topics.push((topic, qos));
    }
    s.state = state::SUBSCRIBED;
}

/// `AT+MQTTUNSUB=<LinkID>,"topic"[,<timeout_ms>]`
pub async fn unsubscribe(m: &mut Mqtt, p: &Params) -> CommandResult {
    count_in(p, 2..=3)?;
    link_id(p)?;
    check_connected(m.state())?;
    let topic = topic(p, 1)?;
    let wait = timeout(p, 2, m.profile.timeout_param)?;
    let known = link::lock(&m.shared).topics.iter().any(|(t, _)| *t == topic);
    if !known && m.profile.subscription_notices(m.quirks) {
        // Spec AT+MQTTUNSUB; the shipped firmware sends UNSUBSCRIBE anyway (ESP-AT reference §2.5).
        return Ok(Reply::Ok(b"NO UNSUBSCRIBE\r\n".to_vec()));
    }
    let Some(l) = &m.link else {
        return Err(MqttCode::NullLink.into());
    };
    // ESP-AT reference §2.5: msg_id < 0 from the client is 0x600E; nothing is sent.
    m.inject(Fault::ClientUnsubscribe, MqttCode::ClientUnsubscribeFailed)?;
    match l.unsubscribe(&m.shared, topic.clone(), wait).await {
        OpResult::Done => {
            forget(&m.shared, &topic);
            Ok(Reply::ok())
        }
        OpResult::Rejected => Err(MqttCode::ClientUnsubscribeFailed.into()),
        other => {
            tracing::info!(?other, "unsubscribe failed");
            Err(CommandError::Plain)
        }
    }
}

/// Removes a topic; removing the last one sets state 5 (ESP-AT reference §2.3).
fn forget(shared: &link::SharedState, topic: &str) {
    let mut s = link::lock(shared);
    let before = s.topics.len();
    s.topics.retain(|(t, _)| t != topic);
    if s.topics.len() < before && s.topics.is_empty() {
        s.state = state::CONNECTED_NO_SUB;
    }
}

/// `AT+MQTTSUB?` (ESP-AT reference §2.1 formats).
pub fn query(m: &Mqtt) -> Reply {
    let s = link::lock(&m.shared);
    let st = s.state;
    let text = if s.topics.is_empty() {
        format!("+MQTTSUB:0,{st},\"\",0\r\n")
    } else {
        s.topics.iter().map(|(t, q)| format!("+MQTTSUB:0,{st},\"{t}\",{q}\r\n")).collect()
    };
    Reply::Ok(text.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Output;
    use crate::Quirks;

    fn connected(quirks: Quirks) -> Mqtt {
        let m = Mqtt::new(quirks, Output::channel().0);
        link::lock(&m.shared).state = state::CONNECTED;
        m
    }

    fn text(r: CommandResult) -> String {
        match r {
            Ok(Reply::Ok(b)) => String::from_utf8(b).unwrap(),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn spec_mode_answers_already_subscribe_without_sending() {
        let mut m = connected(Quirks::Spec);
        remember(&m.shared, "a".into(), 1);
        let r = subscribe(&mut m, &Params::parse(br#"0,"a",0"#)).await;
        assert_eq!(text(r), "ALREADY SUBSCRIBE\r\n");
        for i in 0..9 {
            remember(&m.shared, format!("t{i}"), 0);
        }
        let r = subscribe(&mut m, &Params::parse(br#"0,"new",0"#)).await;
        assert_eq!(text(r), "ALREADY FULL SUBSCRIBE\r\n");
    }

    #[tokio::test]
    async fn w800_refuses_the_eleventh_topic_and_keeps_its_notices_with_shipped_quirks() {
        let mut m = connected(Quirks::Shipped).with_profile(&crate::profile::W800);
        for i in 0..10 {
            remember(&m.shared, format!("t{i}"), 0);
        }
        let e = subscribe(&mut m, &Params::parse(br#"0,"new",0"#)).await.unwrap_err();
        assert_eq!(e, CommandError::Notice("ALREADY FULL SUBSCRIBE"));
        let r = subscribe(&mut m, &Params::parse(br#"0,"t3",0"#)).await;
        assert_eq!(text(r), "ALREADY SUBSCRIBE\r\n");
    }

    #[tokio::test]
    async fn spec_mode_answers_no_unsubscribe() {
        let mut m = connected(Quirks::Spec);
        let r = unsubscribe(&mut m, &Params::parse(br#"0,"x""#)).await;
        assert_eq!(text(r), "NO UNSUBSCRIBE\r\n");
    }

    #[tokio::test]
    async fn sub_and_unsub_need_connection_and_count() {
        let mut m = Mqtt::new(Quirks::Spec, Output::channel().0);
        let e = subscribe(&mut m, &Params::parse(br#"0,"a",0"#)).await.unwrap_err();
        assert_eq!(e, MqttCode::NullLink.into());
        let e = unsubscribe(&mut m, &Params::parse(br#"0,"a""#)).await.unwrap_err();
        assert_eq!(e, MqttCode::NullLink.into());
        let mut m = connected(Quirks::Spec);
        let e = subscribe(&mut m, &Params::parse(br#"0,"a",0,5000,1"#)).await.unwrap_err();
        assert_eq!(e, MqttCode::ParameterCountsIsWrong.into());
        let e = subscribe(&mut m, &Params::parse(br#"0,"a",3"#)).await.unwrap_err();
        assert_eq!(e, MqttCode::QosValueIsWrong.into());
        // ESP-AT reference §2.4: the count comes first, before the LinkID and the topic.
        let e = subscribe(&mut m, &Params::parse(br#"1,"a""#)).await.unwrap_err();
        assert_eq!(e, MqttCode::ParameterCountsIsWrong.into());
        let e = unsubscribe(&mut m, &Params::parse(b"x")).await.unwrap_err();
        assert_eq!(e, MqttCode::ParameterCountsIsWrong.into());
    }

    #[test]
    fn table_updates_state_and_query() {
        let m = connected(Quirks::Spec);
        assert_eq!(text(Ok(query(&m))), "+MQTTSUB:0,4,\"\",0\r\n");
        remember(&m.shared, "a".into(), 1);
        remember(&m.shared, "b".into(), 2);
        assert_eq!(text(Ok(query(&m))), "+MQTTSUB:0,6,\"a\",1\r\n+MQTTSUB:0,6,\"b\",2\r\n");
        forget(&m.shared, "a");
        assert_eq!(m.state(), state::SUBSCRIBED);
        forget(&m.shared, "b");
        assert_eq!(m.state(), state::CONNECTED_NO_SUB);
    }
}
