//! AT+MQTTCLEAN: close the connection and forget the configuration.

use super::{check_cleanable, count, link_id, Mqtt};
use crate::commands::{CommandResult, Reply};
use crate::error_code::MqttCode;
use crate::faults::Fault;
use crate::params::Params;

/// `AT+MQTTCLEAN=<LinkID>`: ESP-AT reference §2.3 order: link, parameter count, state.
pub async fn clean(m: &mut Mqtt, p: &Params) -> CommandResult {
    link_id(p)?;
    count(p, 1)?;
    check_cleanable(m.state())?;
    if m.link.is_some() {
        // The client's disconnect fails: CLEAN stops here, the connection and configuration stay.
        m.inject(Fault::ClientDisconnect, MqttCode::ClientDisconnectFailed)?;
    }
    if let Some(l) = m.link.take() {
        // A graceful DISCONNECT: the broker must not publish the will.
        l.close(&m.shared).await;
    }
    m.forget();
    Ok(Reply::ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{self, state};
    use crate::output::Output;
    use crate::Quirks;

    #[tokio::test]
    async fn clean_codes_and_reset() {
        let mut m = Mqtt::new(Quirks::Spec, Output::channel().0);
        let e = clean(&mut m, &Params::parse(b"0")).await.unwrap_err();
        assert_eq!(e, MqttCode::UninitiatedOrAlreadyClean.into());
        let e = clean(&mut m, &Params::parse(b"0,1")).await.unwrap_err();
        assert_eq!(e, MqttCode::ParameterCountsIsWrong.into());
        let e = clean(&mut m, &Params::parse(b"1")).await.unwrap_err();
        assert_eq!(e, MqttCode::LinkIdValueIsWrong.into());
        link::lock(&m.shared).state = state::CONNCFG;
        m.settings.client_id = "x".into();
        assert!(clean(&mut m, &Params::parse(b"0")).await.is_ok());
        assert_eq!(m.state(), state::UNINIT);
        assert!(m.settings.client_id.is_empty());
    }
}
