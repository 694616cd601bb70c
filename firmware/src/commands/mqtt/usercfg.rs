//! AT+MQTTUSERCFG and the single-field AT+MQTTCLIENTID, AT+MQTTUSERNAME, AT+MQTTPASSWORD.

use super::{check_configurable, check_configured, count, int_in, link_id, text_param, Mqtt, StrCodes};
use crate::commands::{CommandResult, Reply};
use crate::error_code::MqttCode;
use crate::faults::Fault;
use crate::link::{self, state};
use crate::params::Params;

/// Spec AT+MQTTUSERCFG: client_id at most 256 bytes.
const CLIENT_ID: StrCodes = StrCodes {
    read: MqttCode::ClientIdReadFailed,
    null: MqttCode::ClientIdIsNull,
    over: MqttCode::ClientIdIsOverlength,
    max: 256,
};
/// Spec AT+MQTTUSERCFG: username at most 64 bytes.
const USERNAME: StrCodes = StrCodes {
    read: MqttCode::UsernameReadFailed,
    null: MqttCode::UsernameIsNull,
    over: MqttCode::UsernameIsOverlength,
    max: 64,
};
/// Spec AT+MQTTUSERCFG: password at most 64 bytes.
const PASSWORD: StrCodes = StrCodes {
    read: MqttCode::PasswordReadFailed,
    null: MqttCode::PasswordIsNull,
    over: MqttCode::PasswordIsOverlength,
    max: 64,
};
/// Spec AT+MQTTUSERCFG: path at most 32 bytes.
const PATH: StrCodes =
    StrCodes { read: MqttCode::PathReadFailed, null: MqttCode::PathIsNull, over: MqttCode::PathIsOverlength, max: 32 };

/// Which identity field a single-field command sets.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    /// AT+MQTTCLIENTID
    ClientId,
    /// AT+MQTTUSERNAME
    Username,
    /// AT+MQTTPASSWORD
    Password,
}

/// `AT+MQTTUSERCFG=<LinkID>,<scheme>,"client_id","username","password",<cert_key_ID>,<CA_ID>,"path"`
pub fn user_config(m: &mut Mqtt, p: &Params) -> CommandResult {
    link_id(p)?;
    check_configurable(m.state())?;
    let scheme = int_in(p, 1, 1..=10, MqttCode::SchemeReadFailed, MqttCode::SchemeValueIsWrong)?;
    let client_id = text_param(p, 2, &CLIENT_ID)?;
    let username = text_param(p, 3, &USERNAME)?;
    let password = text_param(p, 4, &PASSWORD)?;
    // ESP-AT reference §2.7/§2.8: only certificate slot 0 exists.
    int_in(p, 5, 0..=0, MqttCode::CertKeyIdReadFailed, MqttCode::CertKeyIdValueIsWrong)?;
    int_in(p, 6, 0..=0, MqttCode::CaIdReadFailed, MqttCode::CaIdValueIsWrong)?;
    let path = text_param(p, 7, &PATH)?;
    count(p, 8)?;
    // The checked strings are copied into memory the link owns; that allocation can fail.
    m.inject(Fault::Malloc, MqttCode::MallocFailed)?;
    let s = &mut m.settings;
    s.scheme = scheme as u8;
    s.client_id = client_id;
    s.username = username;
    s.password = password;
    s.path = path;
    let mut shared = link::lock(&m.shared);
    shared.state = shared.state.max(state::USERCFG);
    Ok(Reply::ok())
}

/// `AT+MQTTCLIENTID=0,"id"` and friends: one field, after USERCFG and before connecting.
pub fn set_field(m: &mut Mqtt, p: &Params, field: Field) -> CommandResult {
    link_id(p)?;
    check_configured(m.state())?;
    let codes = match field {
        Field::ClientId => &CLIENT_ID,
        Field::Username => &USERNAME,
        Field::Password => &PASSWORD,
    };
    let value = text_param(p, 1, codes)?;
    count(p, 2)?;
    let target = match field {
        Field::ClientId => &mut m.settings.client_id,
        Field::Username => &mut m.settings.username,
        Field::Password => &mut m.settings.password,
    };
    *target = value;
    Ok(Reply::ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::CommandError;
    use crate::output::Output;
    use crate::Quirks;

    fn mqtt() -> Mqtt {
        Mqtt::new(Quirks::Spec, Output::channel().0)
    }

    fn run(m: &mut Mqtt, text: &str) -> Result<(), CommandError> {
        user_config(m, &Params::parse(text.as_bytes())).map(|_| ())
    }

    #[test]
    fn usercfg_accepts_empty_strings_and_sets_state_1() {
        let mut m = mqtt();
        assert_eq!(run(&mut m, r#"0,1,"","","",0,0,"""#), Ok(()));
        assert_eq!(m.state(), 1);
    }

    #[test]
    fn usercfg_codes_in_parameter_order() {
        let mut m = mqtt();
        let cases = [
            (r#"1,1,"id","","",0,0,"""#, MqttCode::LinkIdValueIsWrong),
            (r#"0,0,"id","","",0,0,"""#, MqttCode::SchemeValueIsWrong),
            (r#"0,11,"id","","",0,0,"""#, MqttCode::SchemeValueIsWrong),
            (r#"0,x,"id","","",0,0,"""#, MqttCode::SchemeReadFailed),
            (r#"0,1,id,"","",0,0,"""#, MqttCode::ClientIdReadFailed),
            (r#"0,1,"id","","",1,0,"""#, MqttCode::CertKeyIdValueIsWrong),
            (r#"0,1,"id","","",0,1,"""#, MqttCode::CaIdValueIsWrong),
            (r#"0,1,"id","","",0,0"#, MqttCode::PathReadFailed),
            (r#"0,1,"id","","",0,0,"",1"#, MqttCode::ParameterCountsIsWrong),
        ];
        for (text, code) in cases {
            assert_eq!(run(&mut m, text), Err(CommandError::Mqtt(code)), "{text}");
        }
        let long_user = format!(r#"0,1,"id","{}","",0,0,"""#, "u".repeat(65));
        assert_eq!(run(&mut m, &long_user), Err(MqttCode::UsernameIsOverlength.into()));
        let long_path = format!(r#"0,1,"id","","",0,0,"{}""#, "p".repeat(33));
        assert_eq!(run(&mut m, &long_path), Err(MqttCode::PathIsOverlength.into()));
    }

    #[test]
    fn clientid_needs_usercfg_first() {
        let mut m = mqtt();
        let p = Params::parse(br#"0,"x""#);
        assert_eq!(set_field(&mut m, &p, Field::ClientId).map(|_| ()), Err(MqttCode::NoConfigured.into()));
        run(&mut m, r#"0,1,"","","",0,0,"""#).unwrap();
        assert!(set_field(&mut m, &p, Field::ClientId).is_ok());
        assert_eq!(m.settings.client_id, "x");
    }

    #[test]
    fn usercfg_refused_after_connect() {
        let mut m = mqtt();
        link::lock(&m.shared).state = state::CONNECTED;
        assert_eq!(run(&mut m, r#"0,1,"","","",0,0,"""#), Err(MqttCode::NotInConfiguredState.into()));
    }
}
