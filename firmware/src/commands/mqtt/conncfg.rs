//! AT+MQTTCONNCFG: keepalive, clean session and the last will; the W800 query.

use super::{bytes_param, check_configured, count, int_in, link_id, text_param, Mqtt, StrCodes};
use crate::commands::{CommandResult, Reply};
use crate::error_code::MqttCode;
use crate::faults::Fault;
use crate::link::{self, state, Will};
use crate::params::Params;

/// Spec AT+MQTTCONNCFG: lwt_topic at most 128 bytes.
const LWT_TOPIC: StrCodes = StrCodes {
    read: MqttCode::LwtTopicReadFailed,
    null: MqttCode::LwtTopicIsNull,
    over: MqttCode::LwtTopicIsOverlength,
    max: 128,
};

/// lwt_msg's maximum is the dialect's: the ESP-AT spec says 64, its shipped binary and the W800 spec 128.
fn lwt_msg_codes(max: usize) -> StrCodes {
    StrCodes { read: MqttCode::LwtMsgReadFailed, null: MqttCode::LwtMsgIsNull, over: MqttCode::LwtMsgIsOverlength, max }
}

/// `AT+MQTTCONNCFG=<LinkID>,<keepalive>,<disable_clean_session>,"lwt_topic","lwt_msg",<lwt_qos>,<lwt_retain>`
pub fn conn_config(m: &mut Mqtt, p: &Params) -> CommandResult {
    link_id(p)?;
    check_configured(m.state())?;
    // The spec's table puts 0x602A between the last USERCFG code (path) and the first CONNCFG
    // one (keepalive): the link's protocol version is read here, before the parameters.
    m.inject(Fault::VersionRead, MqttCode::VersionReadFailed)?;
    let keepalive = int_in(p, 1, 0..=7200, MqttCode::KeepaliveReadFailed, MqttCode::KeepaliveValueIsWrong)?;
    if keepalive == 0 {
        // Spec: 0 is forced to 120 s; the binary only logs AT_MQTT_KEEPALIVE_IS_NULL (ESP-AT reference §2.2).
        tracing::debug!("errno: 0x{:x}", MqttCode::KeepaliveIsNull.value());
    }
    let disable_clean =
        int_in(p, 2, 0..=1, MqttCode::DisableCleanSessionReadFailed, MqttCode::DisableCleanSessionValueIsWrong)?;
    let topic = text_param(p, 3, &LWT_TOPIC)?;
    let message = bytes_param(p, 4, &lwt_msg_codes(m.profile.lwt_msg_max(m.quirks)))?;
    let qos = int_in(p, 5, 0..=2, MqttCode::LwtQosReadFailed, MqttCode::LwtQosValueIsWrong)?;
    let retain = int_in(p, 6, 0..=1, MqttCode::LwtRetainReadFailed, MqttCode::LwtRetainValueIsWrong)?;
    count(p, 7)?;
    let s = &mut m.settings;
    s.keepalive = keepalive as u16;
    s.disable_clean_session = disable_clean == 1;
    // Kept even without a topic so the query shows it; only a will with a topic is registered.
    s.will = Some(Will { topic, message, qos: qos as u8, retain: retain == 1 });
    link::lock(&m.shared).state = state::CONNCFG;
    Ok(Reply::ok())
}

/// `AT+MQTTCONNCFG?` (W800 spec layout). Before any CONNCFG it shows the defaults: keepalive 0
/// (sent as 120), clean session, no will (doc-derived, W800 reference §4 item 9).
pub fn query(m: &Mqtt) -> Reply {
    let s = &m.settings;
    let (topic, message, qos, retain) = match &s.will {
        Some(w) => (w.topic.as_str(), String::from_utf8_lossy(&w.message), w.qos, u8::from(w.retain)),
        None => ("", "".into(), 0, 0),
    };
    let line = format!(
        "+MQTTCONNCFG:0,{},{},\"{topic}\",\"{message}\",{qos},{retain}\r\n",
        s.keepalive,
        u8::from(s.disable_clean_session)
    );
    Reply::Ok(line.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::CommandError;
    use crate::output::Output;
    use crate::Quirks;

    fn configured(quirks: Quirks) -> Mqtt {
        let m = Mqtt::new(quirks, Output::channel().0);
        link::lock(&m.shared).state = state::USERCFG;
        m
    }

    fn run(m: &mut Mqtt, text: &str) -> Result<(), CommandError> {
        conn_config(m, &Params::parse(text.as_bytes())).map(|_| ())
    }

    #[test]
    fn sets_will_and_state_2() {
        let mut m = configured(Quirks::Spec);
        assert_eq!(run(&mut m, r#"0,60,0,"lwt","bye",1,1"#), Ok(()));
        assert_eq!(m.state(), 2);
        let w = m.settings.will.as_ref().unwrap();
        assert_eq!((w.topic.as_str(), &w.message[..], w.qos, w.retain), ("lwt", &b"bye"[..], 1, true));
    }

    #[test]
    fn query_shows_defaults_then_the_setting() {
        let mut m = configured(Quirks::Spec);
        let text = |r: Reply| match r {
            Reply::Ok(b) => String::from_utf8(b).unwrap(),
            other => panic!("{other:?}"),
        };
        assert_eq!(text(query(&m)), "+MQTTCONNCFG:0,0,0,\"\",\"\",0,0\r\n");
        run(&mut m, r#"0,60,1,"lwt","bye",1,1"#).unwrap();
        assert_eq!(text(query(&m)), "+MQTTCONNCFG:0,60,1,\"lwt\",\"bye\",1,1\r\n");
    }

    #[test]
    fn w800_allows_a_128_byte_will_message() {
        let text = format!(r#"0,0,0,"t","{}",0,0"#, "m".repeat(128));
        let mut m = configured(Quirks::Spec).with_profile(&crate::profile::W800);
        assert_eq!(run(&mut m, &text), Ok(()));
    }

    #[test]
    fn needs_usercfg() {
        let mut m = Mqtt::new(Quirks::Spec, Output::channel().0);
        assert_eq!(run(&mut m, r#"0,0,0,"","",0,0"#), Err(MqttCode::NoConfigured.into()));
    }

    #[test]
    fn value_codes() {
        let mut m = configured(Quirks::Spec);
        let cases = [
            (r#"0,7201,0,"","",0,0"#, MqttCode::KeepaliveValueIsWrong),
            (r#"0,,0,"","",0,0"#, MqttCode::KeepaliveReadFailed),
            (r#"0,0,2,"","",0,0"#, MqttCode::DisableCleanSessionValueIsWrong),
            (r#"0,0,0,"","",3,0"#, MqttCode::LwtQosValueIsWrong),
            (r#"0,0,0,"","",0,2"#, MqttCode::LwtRetainValueIsWrong),
            (r#"0,0,0,"","",0,0,1"#, MqttCode::ParameterCountsIsWrong),
        ];
        for (text, code) in cases {
            assert_eq!(run(&mut m, text), Err(code.into()), "{text}");
        }
    }

    #[test]
    fn lwt_msg_limit_depends_on_quirks() {
        let text = format!(r#"0,0,0,"t","{}",0,0"#, "m".repeat(65));
        let mut spec = configured(Quirks::Spec);
        assert_eq!(run(&mut spec, &text), Err(MqttCode::LwtMsgIsOverlength.into()));
        let mut shipped = configured(Quirks::Shipped);
        assert_eq!(run(&mut shipped, &text), Ok(()));
    }
}
