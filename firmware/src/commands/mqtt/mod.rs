//! The MQTT AT commands on link 0: configuration, connection, publish, subscribe and clean.
//!
//! Parameter checks follow the order of the spec's parameter lists; state checks follow
//! ESP-AT reference §2.3. Each submodule handles one command family; what differs between the
//! dialects comes from the [`Profile`].

pub mod alpn;
pub mod clean;
pub mod conn;
pub mod conncfg;
pub mod long_credentials;
pub mod publish;
pub mod subscribe;
pub mod usercfg;

use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use super::{CommandResult, Form};
use crate::error_code::{CommandError, MqttCode};
use crate::faults::{Fault, Faults};
use crate::link::{self, state, Link, Settings, SharedState};
use crate::output::Output;
use crate::params::Params;
use crate::profile::{self, Profile};
use crate::Quirks;

/// ESP-AT reference §2.4: topics of PUB, PUBRAW, SUB and UNSUB are at most 128 bytes.
pub const MAX_TOPIC: usize = 128;
/// ESP-AT reference §2.4: timeout_ms range of CONN, PUB, PUBRAW, SUB and UNSUB.
const TIMEOUT_RANGE: RangeInclusive<i64> = 3000..=60_000;
/// ESP-AT reference §2.4: timeout_ms default.
const DEFAULT_TIMEOUT_MS: u64 = 15_000;

/// Link 0's configuration, connection and state.
pub struct Mqtt {
    /// Everything USERCFG, CONNCFG and CONN configured.
    settings: Settings,
    /// Whether host/port/reconnect come from a successful connect (AT+MQTTCONN? shows them only then).
    endpoint_known: bool,
    shared: SharedState,
    link: Option<Link>,
    quirks: Quirks,
    profile: &'static Profile,
    /// `--pki-dir`: the files standing in for the mqtt_ca / mqtt_cert / mqtt_key partitions.
    pki_dir: Option<PathBuf>,
    /// Injected failures, consulted where the shipped firmware can fail without any bad input.
    faults: Faults,
    out: Output,
}

impl Mqtt {
    /// Link 0, uninitialised, of an ESP32 (see [`Mqtt::with_profile`]).
    pub fn new(quirks: Quirks, out: Output) -> Self {
        Self {
            settings: Settings::default(),
            endpoint_known: false,
            shared: SharedState::default(),
            link: None,
            quirks,
            profile: &profile::ESP32,
            pki_dir: None,
            faults: Faults::default(),
            out,
        }
    }

    /// Behaves as the dialect of `profile`.
    pub fn with_profile(mut self, profile: &'static Profile) -> Self {
        self.profile = profile;
        self
    }

    /// Consults `faults` (shared with the control channel) instead of a private, never-armed set.
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Fails with `code` if `fault` is armed (disarming it): the place where the real firmware fails.
    fn inject(&self, fault: Fault, code: MqttCode) -> Result<(), MqttCode> {
        if self.faults.take(fault) {
            return Err(code);
        }
        Ok(())
    }

    /// Uses the PEM files in `dir` as the certificate partitions (ESP-AT reference §2.8).
    pub fn with_pki_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.pki_dir = dir;
        self
    }

    /// Runs one `AT+MQTT...` command.
    pub async fn execute(&mut self, name: &str, form: Form<'_>) -> CommandResult {
        use usercfg::Field;
        let queries = self.profile.config_queries;
        match (name, form) {
            ("MQTTUSERCFG", Form::Set(p)) => usercfg::user_config(self, &p),
            ("MQTTUSERCFG", Form::Query) if queries => Ok(usercfg::query(self)),
            ("MQTTCLIENTID", Form::Set(p)) => usercfg::set_field(self, &p, Field::ClientId),
            ("MQTTUSERNAME", Form::Set(p)) => usercfg::set_field(self, &p, Field::Username),
            ("MQTTPASSWORD", Form::Set(p)) => usercfg::set_field(self, &p, Field::Password),
            ("MQTTLONGCLIENTID", Form::Set(p)) => long_credentials::start(self, &p, Field::ClientId),
            ("MQTTLONGUSERNAME", Form::Set(p)) => long_credentials::start(self, &p, Field::Username),
            ("MQTTLONGPASSWORD", Form::Set(p)) => long_credentials::start(self, &p, Field::Password),
            ("MQTTCONNCFG", Form::Set(p)) => conncfg::conn_config(self, &p),
            ("MQTTCONNCFG", Form::Query) if queries => Ok(conncfg::query(self)),
            ("MQTTALPN", Form::Set(p)) => alpn::set(self, &p),
            ("MQTTALPN", Form::Query) => Ok(alpn::query(self)),
            ("MQTTCONN", Form::Set(p)) => conn::connect(self, &p).await,
            ("MQTTCONN", Form::Query) => Ok(conn::query(self)),
            ("MQTTPUB", Form::Set(p)) => publish::publish(self, &p).await,
            ("MQTTPUBRAW", Form::Set(p)) => publish::publish_raw(self, &p),
            ("MQTTSUB", Form::Set(p)) => subscribe::subscribe(self, &p).await,
            ("MQTTSUB", Form::Query) => Ok(subscribe::query(self)),
            ("MQTTUNSUB", Form::Set(p)) => subscribe::unsubscribe(self, &p).await,
            ("MQTTCLEAN", Form::Set(p)) => clean::clean(self, &p).await,
            _ => Err(CommandError::Unsupported),
        }
    }

    /// Second half of AT+MQTTPUBRAW or AT+MQTTLONG*.
    pub async fn finish_raw(&mut self, purpose: RawPurpose, data: Vec<u8>) -> Result<(), CommandError> {
        match purpose {
            RawPurpose::Publish(raw) => publish::finish_raw(self, raw, data).await,
            RawPurpose::Credential(field) => {
                long_credentials::finish(self, field, data);
                Ok(())
            }
        }
    }

    /// AT+RST: the connection dies without DISCONNECT and all MQTT state is forgotten.
    pub fn power_cut(&mut self) {
        if let Some(l) = self.link.take() {
            l.kill();
        }
        self.forget();
    }

    /// Back to state 0 with no configuration.
    fn forget(&mut self) {
        self.settings = Settings::default();
        self.endpoint_known = false;
        let mut s = link::lock(&self.shared);
        s.state = state::UNINIT;
        s.topics.clear();
    }

    /// The current state number.
    fn state(&self) -> u8 {
        link::lock(&self.shared).state
    }
}

/// What the raw bytes after a `>` prompt are for.
#[derive(Debug)]
pub enum RawPurpose {
    /// AT+MQTTPUBRAW's message.
    Publish(publish::RawPublish),
    /// AT+MQTTLONGCLIENTID, LONGUSERNAME or LONGPASSWORD's value.
    Credential(usercfg::Field),
}

/// USERCFG: allowed until the first connect (ESP-AT reference §2.3: 0x6002 afterwards).
pub fn check_configurable(state: u8) -> Result<(), MqttCode> {
    if state >= state::DISCONNECTED {
        return Err(MqttCode::NotInConfiguredState);
    }
    Ok(())
}

/// CLIENTID, USERNAME, PASSWORD, CONNCFG: need USERCFG first, and not connected yet.
pub fn check_configured(state: u8) -> Result<(), MqttCode> {
    if state == state::UNINIT {
        return Err(MqttCode::NoConfigured);
    }
    check_configurable(state)
}

/// CONN: ESP-AT reference §2.3 order: not configured, already connected, in disconnected state.
pub fn check_can_connect(state: u8) -> Result<(), MqttCode> {
    match state {
        state::UNINIT => Err(MqttCode::NoConfigured),
        s if s >= state::CONNECTED => Err(MqttCode::AlreadyConnected),
        state::DISCONNECTED => Err(MqttCode::InDisconnectedState),
        _ => Ok(()),
    }
}

/// PUB, PUBRAW, SUB, UNSUB: ESP-AT reference §2.3, state must be above 3.
pub fn check_connected(state: u8) -> Result<(), MqttCode> {
    if state <= state::DISCONNECTED {
        return Err(MqttCode::NullLink);
    }
    Ok(())
}

/// CLEAN: ESP-AT reference §2.3, state 0 is "uninitiated or already clean".
pub fn check_cleanable(state: u8) -> Result<(), MqttCode> {
    if state == state::UNINIT {
        return Err(MqttCode::UninitiatedOrAlreadyClean);
    }
    Ok(())
}

/// The first parameter of every MQTT command: only link 0 exists.
pub fn link_id(p: &Params) -> Result<(), MqttCode> {
    match p.int(0) {
        None => Err(MqttCode::LinkIdReadFailed),
        Some(0) => Ok(()),
        Some(_) => Err(MqttCode::LinkIdValueIsWrong),
    }
}

/// An integer parameter within `range`.
pub fn int_in(
    p: &Params,
    i: usize,
    range: RangeInclusive<i64>,
    read: MqttCode,
    wrong: MqttCode,
) -> Result<i64, MqttCode> {
    let v = p.int(i).ok_or(read)?;
    if range.contains(&v) {
        Ok(v)
    } else {
        Err(wrong)
    }
}

/// Codes for one string parameter: read failure, empty (a warning or an error), too long.
pub struct StrCodes {
    /// Missing, not quoted, or not UTF-8.
    pub read: MqttCode,
    /// Empty: a warning for *_IS_NULL codes, an error otherwise.
    pub null: MqttCode,
    /// Longer than allowed.
    pub over: MqttCode,
    /// Maximum length in bytes.
    pub max: usize,
}

/// A string parameter; an empty one is accepted when its code is only a warning (ESP-AT reference §2.2).
///
/// A parameter that opens a quote but is no string (an unescaped comma inside it, an escaped or
/// missing closing quote) makes the core print its own PARA_PARSE_FAIL code first (esp-at#647).
pub fn bytes_param(p: &Params, i: usize, c: &StrCodes) -> Result<Vec<u8>, CommandError> {
    if p.is_malformed(i) {
        return Err(CommandError::Unparsable { index: i as u16, code: c.read });
    }
    let v = p.string(i).ok_or(c.read)?;
    if v.is_empty() {
        if !c.null.is_warning() {
            return Err(c.null.into());
        }
        // The shipped firmware only logs these on its debug port (ESP-AT reference §2.2).
        tracing::debug!("errno: 0x{:x}", c.null.value());
    }
    if v.len() > c.max {
        return Err(c.over.into());
    }
    Ok(v.to_vec())
}

/// A string parameter that must be UTF-8 (ids, names, topics, hosts).
pub fn text_param(p: &Params, i: usize, c: &StrCodes) -> Result<String, CommandError> {
    String::from_utf8(bytes_param(p, i, c)?).map_err(|_| c.read.into())
}

/// A topic of PUB, PUBRAW, SUB or UNSUB.
pub fn topic(p: &Params, i: usize) -> Result<String, CommandError> {
    let codes = StrCodes {
        read: MqttCode::TopicReadFailed,
        null: MqttCode::TopicIsNull,
        over: MqttCode::TopicIsOverlength,
        max: MAX_TOPIC,
    };
    text_param(p, i, &codes)
}

/// A QoS of PUB, PUBRAW or SUB.
pub fn qos(p: &Params, i: usize) -> Result<u8, MqttCode> {
    int_in(p, i, 0..=2, MqttCode::QosReadFailed, MqttCode::QosValueIsWrong).map(|v| v as u8)
}

/// A retain flag of PUB or PUBRAW.
pub fn retain(p: &Params, i: usize) -> Result<bool, MqttCode> {
    int_in(p, i, 0..=1, MqttCode::RetainReadFailed, MqttCode::RetainValueIsWrong).map(|v| v == 1)
}

/// The optional trailing timeout_ms; out of range is a plain ERROR with no MQTT code (ESP-AT reference §2.2).
///
/// Where the dialect has no such parameter (`accepted` false), one there is a parameter too many.
pub fn timeout(p: &Params, i: usize, accepted: bool) -> Result<Duration, CommandError> {
    if p.len() <= i {
        return Ok(Duration::from_millis(DEFAULT_TIMEOUT_MS));
    }
    if !accepted {
        return Err(MqttCode::ParameterCountsIsWrong.into());
    }
    match p.int(i) {
        Some(ms) if TIMEOUT_RANGE.contains(&ms) => Ok(Duration::from_millis(ms as u64)),
        _ => Err(CommandError::Plain),
    }
}

/// SUB, UNSUB, PUB and PUBRAW check their parameter count before anything else: ESP-AT reference
/// §2.4 (bin) gives 0x6008 for any count outside `range`, a missing parameter included.
pub fn count_in(p: &Params, range: RangeInclusive<usize>) -> Result<(), MqttCode> {
    if !range.contains(&p.len()) {
        return Err(MqttCode::ParameterCountsIsWrong);
    }
    Ok(())
}

/// More than `max` parameters is 0x6008.
pub fn count(p: &Params, max: usize) -> Result<(), MqttCode> {
    if p.len() > max {
        return Err(MqttCode::ParameterCountsIsWrong);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_checks_follow_the_reference_order() {
        assert_eq!(check_configurable(0), Ok(()));
        assert_eq!(check_configurable(2), Ok(()));
        assert_eq!(check_configurable(3), Err(MqttCode::NotInConfiguredState));
        assert_eq!(check_configured(0), Err(MqttCode::NoConfigured));
        assert_eq!(check_configured(1), Ok(()));
        assert_eq!(check_configured(6), Err(MqttCode::NotInConfiguredState));
        assert_eq!(check_can_connect(0), Err(MqttCode::NoConfigured));
        assert_eq!(check_can_connect(1), Ok(()));
        assert_eq!(check_can_connect(2), Ok(()));
        assert_eq!(check_can_connect(3), Err(MqttCode::InDisconnectedState));
        for s in 4..=6 {
            assert_eq!(check_can_connect(s), Err(MqttCode::AlreadyConnected));
            assert_eq!(check_connected(s), Ok(()));
        }
        for s in 0..=3 {
            assert_eq!(check_connected(s), Err(MqttCode::NullLink));
        }
        assert_eq!(check_cleanable(0), Err(MqttCode::UninitiatedOrAlreadyClean));
        assert_eq!(check_cleanable(3), Ok(()));
    }

    #[test]
    fn link_id_must_be_integer_zero() {
        assert_eq!(link_id(&Params::parse(b"0")), Ok(()));
        assert_eq!(link_id(&Params::parse(b"1")), Err(MqttCode::LinkIdValueIsWrong));
        assert_eq!(link_id(&Params::parse(b"\"0\"")), Err(MqttCode::LinkIdReadFailed));
        assert_eq!(link_id(&Params::parse(b"")), Err(MqttCode::LinkIdReadFailed));
    }

    #[test]
    fn topic_limits() {
        assert_eq!(topic(&Params::parse(b"0,\"\""), 1), Err(MqttCode::TopicIsNull.into()));
        assert_eq!(topic(&Params::parse(b"0,t"), 1), Err(MqttCode::TopicReadFailed.into()));
        assert_eq!(topic(&Params::parse(b"0"), 1), Err(MqttCode::TopicReadFailed.into()));
        let unparsable = CommandError::Unparsable { index: 1, code: MqttCode::TopicReadFailed };
        assert_eq!(topic(&Params::parse(b"0,\"a,b\""), 1), Err(unparsable));
        let t128 = format!("0,\"{}\"", "a".repeat(128));
        assert_eq!(topic(&Params::parse(t128.as_bytes()), 1).map(|t| t.len()), Ok(128));
        let t129 = format!("0,\"{}\"", "a".repeat(129));
        assert_eq!(topic(&Params::parse(t129.as_bytes()), 1), Err(MqttCode::TopicIsOverlength.into()));
    }

    #[test]
    fn empty_string_with_warning_code_is_accepted() {
        let codes = StrCodes {
            read: MqttCode::UsernameReadFailed,
            null: MqttCode::UsernameIsNull,
            over: MqttCode::UsernameIsOverlength,
            max: 64,
        };
        assert_eq!(text_param(&Params::parse(b"\"\""), 0, &codes), Ok(String::new()));
    }

    #[test]
    fn timeout_is_optional_and_ranged() {
        assert_eq!(timeout(&Params::parse(b"0"), 1, true), Ok(Duration::from_millis(15_000)));
        assert_eq!(timeout(&Params::parse(b"0,3000"), 1, true), Ok(Duration::from_millis(3000)));
        assert_eq!(timeout(&Params::parse(b"0,60000"), 1, true), Ok(Duration::from_millis(60_000)));
        assert_eq!(timeout(&Params::parse(b"0,2999"), 1, true), Err(CommandError::Plain));
        assert_eq!(timeout(&Params::parse(b"0,60001"), 1, true), Err(CommandError::Plain));
        assert_eq!(timeout(&Params::parse(b"0,"), 1, true), Err(CommandError::Plain));
    }

    #[test]
    fn without_timeout_parameter_one_more_is_a_count_error() {
        assert_eq!(timeout(&Params::parse(b"0"), 1, false), Ok(Duration::from_millis(15_000)));
        assert_eq!(timeout(&Params::parse(b"0,3000"), 1, false), Err(MqttCode::ParameterCountsIsWrong.into()));
    }

    #[test]
    fn extra_parameters_are_counted() {
        assert_eq!(count(&Params::parse(b"0,1"), 2), Ok(()));
        assert_eq!(count(&Params::parse(b"0,1,2"), 2), Err(MqttCode::ParameterCountsIsWrong));
        assert_eq!(count_in(&Params::parse(b"0,1"), 3..=4), Err(MqttCode::ParameterCountsIsWrong));
        assert_eq!(count_in(&Params::parse(b"0,1,"), 3..=4), Ok(()));
        assert_eq!(count_in(&Params::parse(b"0,1,2,3,4"), 3..=4), Err(MqttCode::ParameterCountsIsWrong));
    }
}
