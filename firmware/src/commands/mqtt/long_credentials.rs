//! AT+MQTTLONGCLIENTID, AT+MQTTLONGUSERNAME and AT+MQTTLONGPASSWORD: a value of up to 1024 bytes
//! typed after a `>` prompt.
//!
//! W800 spec (the three commands) and ESP-AT reference §2.6 and §2.4: `OK`, a blank line and `>`;
//! once `<length>` raw bytes have arrived, `OK`. `<length>` is in [1,1024]. Like the short forms
//! they come after AT+MQTTUSERCFG and before connecting (ESP-AT reference §2.6).
//!
//! The error tables name no code for `<length>`: a length that is not an integer is the field's
//! *_READ_FAILED code (a parameter that cannot be read), one outside [1,1024] a plain `ERROR`
//! with no code, as ESP-AT does for other range errors without a code (reference §2.2).

use super::usercfg::{Field, CLIENT_ID, PASSWORD, USERNAME};
use super::{check_configured, count, link_id, Mqtt, RawPurpose};
use crate::commands::{CommandResult, RawInput, Reply};
use crate::error_code::CommandError;
use crate::output::{OK, OK_PROMPT};
use crate::params::Params;

/// W800 spec and ESP-AT reference §2.4: LONG* lengths are 1..=1024.
const MAX_LEN: i64 = 1024;

/// `AT+MQTTLONG<field>=<LinkID>,<length>`: validate, then ask for the bytes.
pub fn start(m: &mut Mqtt, p: &Params, field: Field) -> CommandResult {
    link_id(p)?;
    check_configured(m.state())?;
    let read_failed = match field {
        Field::ClientId => CLIENT_ID.read,
        Field::Username => USERNAME.read,
        Field::Password => PASSWORD.read,
    };
    let len = p.int(1).ok_or(read_failed)?;
    if !(1..=MAX_LEN).contains(&len) {
        return Err(CommandError::Plain);
    }
    count(p, 2)?;
    Ok(Reply::RawInput(RawInput {
        len: len as usize,
        prompt: OK_PROMPT,
        purpose: RawPurpose::Credential(field).into(),
    }))
}

/// Stores the value typed after the prompt and prints `OK`.
pub fn finish(m: &mut Mqtt, field: Field, data: Vec<u8>) {
    // MQTT strings are UTF-8 (MQTT 3.1.1 §1.5.3); anything else is replaced rather than refused.
    *field.target(&mut m.settings) = String::from_utf8_lossy(&data).into_owned();
    m.out.write(OK);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::MqttCode;
    use crate::link::{self, state};
    use crate::output::Output;
    use crate::Quirks;

    fn configured() -> Mqtt {
        let m = Mqtt::new(Quirks::Spec, Output::channel().0);
        link::lock(&m.shared).state = state::USERCFG;
        m
    }

    fn run(m: &mut Mqtt, text: &str) -> Result<usize, CommandError> {
        match start(m, &Params::parse(text.as_bytes()), Field::ClientId)? {
            Reply::RawInput(raw) => Ok(raw.len),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn lengths_1_to_1024_prompt_for_the_value() {
        let mut m = configured();
        assert_eq!(run(&mut m, "0,1"), Ok(1));
        assert_eq!(run(&mut m, "0,1024"), Ok(1024));
        assert_eq!(run(&mut m, "0,0"), Err(CommandError::Plain));
        assert_eq!(run(&mut m, "0,1025"), Err(CommandError::Plain));
        assert_eq!(run(&mut m, "0,x"), Err(MqttCode::ClientIdReadFailed.into()));
        assert_eq!(run(&mut m, "0,5,1"), Err(MqttCode::ParameterCountsIsWrong.into()));
        assert_eq!(run(&mut m, "1,5"), Err(MqttCode::LinkIdValueIsWrong.into()));
    }

    #[test]
    fn needs_usercfg_first() {
        let mut m = Mqtt::new(Quirks::Spec, Output::channel().0);
        assert_eq!(run(&mut m, "0,5"), Err(MqttCode::NoConfigured.into()));
    }

    #[test]
    fn the_value_replaces_the_setting() {
        let mut m = configured();
        finish(&mut m, Field::Password, b"p,w\"d".to_vec());
        assert_eq!(m.settings.password, "p,w\"d");
    }
}
