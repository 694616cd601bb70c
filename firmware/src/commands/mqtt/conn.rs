//! AT+MQTTCONN: connect to the broker, and the `AT+MQTTCONN?` query.

use super::{check_can_connect, count, int_in, link_id, text_param, timeout, Mqtt, StrCodes};
use crate::commands::{CommandResult, Reply};
use crate::error_code::{CommandError, MqttCode};
use crate::faults::Fault;
use crate::link::{self, state};
use crate::params::Params;
use crate::tls;

/// ESP-AT reference §2.4 (bin): host at most 128 bytes; empty is an error here, not a warning.
const HOST: StrCodes =
    StrCodes { read: MqttCode::HostReadFailed, null: MqttCode::HostIsNull, over: MqttCode::HostIsOverlength, max: 128 };

/// `AT+MQTTCONN=<LinkID>,"host",<port>,<reconnect>[,<timeout_ms>]`, checked in ESP-AT reference §2.3 order.
pub async fn connect(m: &mut Mqtt, p: &Params) -> CommandResult {
    link_id(p)?;
    let before = m.state();
    check_can_connect(before)?;
    let host = text_param(p, 1, &HOST)?;
    let port = int_in(p, 2, 1..=65_535, MqttCode::PortReadFailed, MqttCode::PortValueIsWrong)?;
    let reconnect = int_in(p, 3, 0..=1, MqttCode::ReconnectReadFailed, MqttCode::ReconnectValueIsWrong)?;
    let wait = timeout(p, 4)?;
    count(p, 5)?;
    // ESP-AT reference §2.7/§2.8: the partitions are read at every connect, after the parameter checks.
    let tls = match tls::load(m.settings.scheme, m.pki_dir.as_deref(), &m.faults)? {
        Some(pki) => {
            m.inject(Fault::TlsConfig, MqttCode::TlsConfigError)?;
            Some(tls::client_config(pki, &m.settings.alpn)?)
        }
        None => None,
    };
    prepare_client(m)?;

    let mut settings = m.settings.clone();
    settings.host = host;
    settings.port = port as u16;
    settings.reconnect = reconnect == 1;
    link::lock(&m.shared).topics.clear();
    let config = tls.as_ref().map(|t| t.config.clone());
    match link::connect(settings.clone(), config, wait, m.shared.clone(), m.out.clone()).await {
        Ok(l) => {
            m.link = Some(l);
            m.settings = settings;
            m.endpoint_known = true;
            Ok(Reply::ok())
        }
        Err(e) => {
            match e {
                link::ConnectError::UnsupportedScheme(_) => tracing::error!(error = %e, "no transport built"),
                _ => tracing::info!(error = %e, "MQTT connect failed"),
            }
            // Issues #427/#478 (ESP-AT reference §2.3, §5): a failed connect shows the URC then ERROR,
            // and the state stays where it was.
            m.out.write("+MQTTDISCONNECTED:0\r\n");
            link::lock(&m.shared).state = before;
            // ESP-AT reference §2.7: a certificate refused only for its name is AT_MQTT_HOSTNAME_VERIFY_FAILED.
            match tls.and_then(|t| t.verify_error.take()) {
                Some(refusal) if tls::is_hostname_failure(&refusal) => Err(MqttCode::HostnameVerifyFailed.into()),
                _ => Err(CommandError::Plain),
            }
        }
    }
}

/// ESP-AT reference §2.3: after the parameters (and the TLS set-up) the firmware prepares the
/// esp-mqtt client: its parameters and URI (§2.1), then the semaphore and event group it waits on,
/// then starts it. A failure at any of these steps dials nothing, so no `+MQTTDISCONNECTED`
/// precedes the `ERROR`, and the state stays where it was.
fn prepare_client(m: &Mqtt) -> Result<(), MqttCode> {
    m.inject(Fault::NullParameter, MqttCode::NullParamter)?;
    m.inject(Fault::ParamPrepare, MqttCode::ParamPrepareError)?;
    m.inject(Fault::UriParse, MqttCode::UriParseFailed)?;
    m.inject(Fault::CreateSema, MqttCode::CreateSemaFailed)?;
    m.inject(Fault::CreateEventGroup, MqttCode::CreateEventGroupFailed)?;
    m.inject(Fault::ClientStart, MqttCode::ClientStartFailed)
}

/// `AT+MQTTCONN?` (ESP-AT reference §2.1 formats; port is a quoted string).
pub fn query(m: &Mqtt) -> Reply {
    let st = m.state();
    let line = if st == state::UNINIT {
        "+MQTTCONN:0,0,0,\"\",\"\",\"\",0\r\n".to_owned()
    } else {
        let s = &m.settings;
        // Issue #427: after a failed connect host and port still read as empty.
        let (host, port, reconnect) = if m.endpoint_known {
            (s.host.clone(), s.port.to_string(), u8::from(s.reconnect))
        } else {
            (String::new(), String::new(), 0)
        };
        let path = if m.endpoint_known { s.path.as_str() } else { "" };
        format!("+MQTTCONN:0,{st},{},\"{host}\",\"{port}\",\"{path}\",{reconnect}\r\n", s.scheme)
    };
    Reply::Ok(line.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Output;
    use crate::Quirks;

    fn info(r: Reply) -> String {
        match r {
            Reply::Ok(b) => String::from_utf8(b).unwrap(),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn query_before_config() {
        let m = Mqtt::new(Quirks::Spec, Output::channel().0);
        assert_eq!(info(query(&m)), "+MQTTCONN:0,0,0,\"\",\"\",\"\",0\r\n");
    }

    #[test]
    fn query_after_usercfg_shows_scheme_only() {
        let mut m = Mqtt::new(Quirks::Spec, Output::channel().0);
        m.settings.scheme = 6;
        m.settings.path = "/mqtt".into();
        link::lock(&m.shared).state = state::USERCFG;
        assert_eq!(info(query(&m)), "+MQTTCONN:0,1,6,\"\",\"\",\"\",0\r\n");
        m.settings.host = "broker".into();
        m.settings.port = 1883;
        m.settings.reconnect = true;
        m.endpoint_known = true;
        link::lock(&m.shared).state = state::CONNECTED;
        assert_eq!(info(query(&m)), "+MQTTCONN:0,4,6,\"broker\",\"1883\",\"/mqtt\",1\r\n");
    }

    #[tokio::test]
    async fn connect_checks_in_reference_order() {
        let mut m = Mqtt::new(Quirks::Spec, Output::channel().0);
        let run = |text: &'static str| Params::parse(text.as_bytes());
        assert_eq!(connect(&mut m, &run(r#"0,"h",1883,0"#)).await.unwrap_err(), MqttCode::NoConfigured.into());
        link::lock(&m.shared).state = state::DISCONNECTED;
        assert_eq!(connect(&mut m, &run(r#"0,"h",1883,0"#)).await.unwrap_err(), MqttCode::InDisconnectedState.into());
        link::lock(&m.shared).state = state::USERCFG;
        let cases = [
            (r#"1,"h",1883,0"#, CommandError::from(MqttCode::LinkIdValueIsWrong)),
            (r#"0,"",1883,0"#, MqttCode::HostIsNull.into()),
            (r#"0,h,1883,0"#, MqttCode::HostReadFailed.into()),
            (r#"0,"h",0,0"#, MqttCode::PortValueIsWrong.into()),
            (r#"0,"h",65536,0"#, MqttCode::PortValueIsWrong.into()),
            (r#"0,"h","1883",0"#, MqttCode::PortReadFailed.into()),
            (r#"0,"h",1883,2"#, MqttCode::ReconnectValueIsWrong.into()),
            (r#"0,"h",1883,0,100"#, CommandError::Plain),
            (r#"0,"h",1883,0,5000,1"#, MqttCode::ParameterCountsIsWrong.into()),
        ];
        for (text, err) in cases {
            assert_eq!(connect(&mut m, &run(text)).await.unwrap_err(), err, "{text}");
        }
        let long = format!(r#"0,"{}",1883,0"#, "h".repeat(129));
        assert_eq!(
            connect(&mut m, &Params::parse(long.as_bytes())).await.unwrap_err(),
            MqttCode::HostIsOverlength.into()
        );
    }

    #[tokio::test]
    async fn failed_connect_restores_state_and_prints_urc() {
        let (out, mut rx) = Output::channel();
        let mut m = Mqtt::new(Quirks::Spec, out);
        m.settings.scheme = 1;
        link::lock(&m.shared).state = state::CONNCFG;
        // Port 1 on localhost: connection refused at once.
        let err = connect(&mut m, &Params::parse(br#"0,"127.0.0.1",1,0,3000"#)).await.unwrap_err();
        assert_eq!(err, CommandError::Plain);
        assert_eq!(m.state(), state::CONNCFG);
        assert_eq!(rx.recv().await.unwrap(), b"+MQTTDISCONNECTED:0\r\n");
        assert!(m.link.is_none());
    }

    #[tokio::test]
    async fn injected_connect_faults_fail_once_without_dialling() {
        let (out, mut rx) = Output::channel();
        let faults = crate::faults::Faults::default();
        let mut m = Mqtt::new(Quirks::Spec, out).with_faults(faults.clone());
        m.settings.scheme = 1;
        link::lock(&m.shared).state = state::USERCFG;
        let cases = [
            (Fault::NullParameter, MqttCode::NullParamter),
            (Fault::ParamPrepare, MqttCode::ParamPrepareError),
            (Fault::UriParse, MqttCode::UriParseFailed),
            (Fault::CreateSema, MqttCode::CreateSemaFailed),
            (Fault::CreateEventGroup, MqttCode::CreateEventGroupFailed),
            (Fault::ClientStart, MqttCode::ClientStartFailed),
        ];
        for (fault, code) in cases {
            faults.arm(fault);
            let err = connect(&mut m, &Params::parse(br#"0,"127.0.0.1",1,0,3000"#)).await.unwrap_err();
            assert_eq!(err, code.into(), "{fault}");
            assert_eq!(m.state(), state::USERCFG);
        }
        assert!(rx.try_recv().is_err(), "nothing was dialled");
        // Scheme 1 never builds a TLS configuration: that fault waits for a TLS connect.
        faults.arm(Fault::TlsConfig);
        assert_eq!(
            connect(&mut m, &Params::parse(br#"0,"127.0.0.1",1,0,3000"#)).await.unwrap_err(),
            CommandError::Plain
        );
        assert_eq!(faults.armed(), vec![Fault::TlsConfig]);
        m.settings.scheme = 2;
        let err = connect(&mut m, &Params::parse(br#"0,"127.0.0.1",1,0,3000"#)).await.unwrap_err();
        assert_eq!(err, MqttCode::TlsConfigError.into());
    }

    #[tokio::test]
    async fn missing_partitions_fail_before_connecting() {
        let (out, mut rx) = Output::channel();
        let mut m = Mqtt::new(Quirks::Spec, out).with_pki_dir(Some(std::env::temp_dir().join("vfw-no-such-pki-dir")));
        link::lock(&m.shared).state = state::USERCFG;
        let cases = [(3, MqttCode::CaLengthError), (10, MqttCode::CaLengthError), (4, MqttCode::CertLengthError)];
        for (scheme, code) in cases {
            m.settings.scheme = scheme;
            // Parameter checks come first.
            let err = connect(&mut m, &Params::parse(br#"0,"127.0.0.1",0,0"#)).await.unwrap_err();
            assert_eq!(err, MqttCode::PortValueIsWrong.into());
            let err = connect(&mut m, &Params::parse(br#"0,"127.0.0.1",1,0,3000"#)).await.unwrap_err();
            assert_eq!(err, code.into(), "scheme {scheme}");
            assert_eq!(m.state(), state::USERCFG);
        }
        assert!(rx.try_recv().is_err(), "no +MQTTDISCONNECTED: the connect was never attempted");
    }
}
