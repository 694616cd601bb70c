//! AT+MQTTALPN: the protocols offered by ALPN in the ClientHello of the TLS and WSS schemes.
//!
//! The command is documented by the W800 spec (`w800-at-mqtt.txt`, AT+MQTTALPN); the ESP-AT binary
//! has it too, and ESP-AT reference §2.4 gives the count range [0,5], 0 clearing the list.
//!
//! The spec's error table has no ALPN codes, so the failures here are our choice: a count that is
//! not an integer in 0..=5, and an ALPN string that is missing, not quoted or empty, give a plain
//! `ERROR` with no code; a number of strings that differs from the count is
//! AT_MQTT_PARAMETER_COUNTS_IS_WRONG (0x6008).

use super::{link_id, Mqtt};
use crate::commands::{CommandResult, Reply};
use crate::error_code::{CommandError, MqttCode};
use crate::link::state;
use crate::params::Params;

/// ESP-AT reference §2.4: at most 5 ALPN entries.
const MAX_ALPN: i64 = 5;

/// `AT+MQTTALPN=<LinkID>,<alpn_counts>[,"alpn"...]`: needs AT+MQTTUSERCFG first (W800 spec).
pub fn set(m: &mut Mqtt, p: &Params) -> CommandResult {
    link_id(p)?;
    if m.state() == state::UNINIT {
        return Err(MqttCode::NoConfigured.into());
    }
    let wanted = match p.int(1) {
        Some(n) if (0..=MAX_ALPN).contains(&n) => n as usize,
        _ => return Err(CommandError::Plain),
    };
    if p.len() != 2 + wanted {
        return Err(MqttCode::ParameterCountsIsWrong.into());
    }
    let alpn = (2..p.len())
        .map(|i| p.text(i).filter(|a| !a.is_empty()).map(str::to_owned).ok_or(CommandError::Plain))
        .collect::<Result<Vec<_>, _>>()?;
    m.settings.alpn = alpn;
    Ok(Reply::ok())
}

/// `AT+MQTTALPN?`: one `+MQTTALPN:0,"<alpn>"` line per entry (W800 spec layout), none when the list is empty.
pub fn query(m: &Mqtt) -> Reply {
    let lines: String = m.settings.alpn.iter().map(|a| format!("+MQTTALPN:0,\"{a}\"\r\n")).collect();
    Reply::Ok(lines.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link;
    use crate::output::Output;
    use crate::Quirks;

    fn configured() -> Mqtt {
        let m = Mqtt::new(Quirks::Spec, Output::channel().0);
        link::lock(&m.shared).state = state::USERCFG;
        m
    }

    fn run(m: &mut Mqtt, text: &str) -> Result<(), CommandError> {
        set(m, &Params::parse(text.as_bytes())).map(|_| ())
    }

    fn info(r: Reply) -> String {
        match r {
            Reply::Ok(b) => String::from_utf8(b).unwrap(),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn sets_and_queries_in_order() {
        let mut m = configured();
        assert_eq!(info(query(&m)), "");
        assert_eq!(run(&mut m, r#"0,2,"mqtt-ca.cn","mqtt-ca.us""#), Ok(()));
        assert_eq!(m.settings.alpn, ["mqtt-ca.cn", "mqtt-ca.us"]);
        assert_eq!(info(query(&m)), "+MQTTALPN:0,\"mqtt-ca.cn\"\r\n+MQTTALPN:0,\"mqtt-ca.us\"\r\n");
        assert_eq!(run(&mut m, r#"0,5,"a","b","c","d","e""#), Ok(()));
        assert_eq!(m.settings.alpn.len(), 5);
    }

    #[test]
    fn count_zero_clears() {
        let mut m = configured();
        run(&mut m, r#"0,1,"mqtt""#).unwrap();
        assert_eq!(run(&mut m, "0,0"), Ok(()));
        assert!(m.settings.alpn.is_empty());
        assert_eq!(info(query(&m)), "");
    }

    #[test]
    fn failures() {
        let mut m = configured();
        run(&mut m, r#"0,1,"keep""#).unwrap();
        let cases = [
            (r#"1,1,"mqtt""#, CommandError::from(MqttCode::LinkIdValueIsWrong)),
            (r#","#, MqttCode::LinkIdReadFailed.into()),
            (r#"0,6,"a","b","c","d","e","f""#, CommandError::Plain),
            (r#"0,-1"#, CommandError::Plain),
            (r#"0,x,"a""#, CommandError::Plain),
            (r#"0"#, CommandError::Plain),
            (r#"0,2,"a""#, MqttCode::ParameterCountsIsWrong.into()),
            (r#"0,1,"a","b""#, MqttCode::ParameterCountsIsWrong.into()),
            (r#"0,0,"a""#, MqttCode::ParameterCountsIsWrong.into()),
            (r#"0,1,"""#, CommandError::Plain),
            (r#"0,1,mqtt"#, CommandError::Plain),
            (r#"0,2,"a","#, CommandError::Plain),
        ];
        for (text, err) in cases {
            assert_eq!(run(&mut m, text), Err(err), "{text}");
        }
        assert_eq!(m.settings.alpn, ["keep"], "a failed set changes nothing");
    }

    #[test]
    fn needs_usercfg() {
        let mut m = Mqtt::new(Quirks::Spec, Output::channel().0);
        assert_eq!(run(&mut m, r#"0,1,"mqtt""#), Err(MqttCode::NoConfigured.into()));
        assert_eq!(run(&mut m, r#"1,1,"mqtt""#), Err(MqttCode::LinkIdValueIsWrong.into()));
    }

    #[test]
    fn clean_forgets_the_list() {
        let mut m = configured();
        run(&mut m, r#"0,1,"mqtt""#).unwrap();
        m.forget();
        assert_eq!(info(query(&m)), "");
    }
}
