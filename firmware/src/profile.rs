//! What differs between the imitated firmwares, as data the command modules consult.
//!
//! One [`Profile`] per [`Dialect`]: which commands exist, the limits that differ, how failures
//! and a few information lines are printed. Command modules ask the profile; none of them
//! compares dialects.
//!
//! Sources per field are in the doc comments of the three constants below.

use crate::output::OK_PROMPT;
use crate::{Dialect, Quirks};

/// How a failed command's final result is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorStyle {
    /// ESP-AT reference §2.2: `ERROR`, preceded by `ERR CODE:0x%08x` once AT+SYSLOG=1.
    EspAt,
    /// W800 reference §2.1 and §4 items 2–3 (doc-derived): no error-code lines; an unknown command
    /// ends in `CMD FORMAT ERR`, a parameter that is missing, of the wrong type or one too many in
    /// `CMD PARSE ERR`, and every other failure (a value out of range, empty, too long, a state
    /// error) in `ERROR`.
    W800,
}

/// The final line after a notice such as `ALREADY FULL SUBSCRIBE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Final {
    /// `OK`
    Ok,
    /// `ERROR`
    Error,
}

/// Everything that differs between the dialects.
#[derive(Debug)]
pub struct Profile {
    /// The chip name in AT+GMR's first line.
    pub chip: &'static str,
    /// The module name in AT+GMR's "Bin version" line.
    pub module: &'static str,
    /// Extended commands (name after `AT+`) this firmware does not have; they fail as unknown.
    pub absent_commands: &'static [&'static str],
    /// AT+MQTTUSERCFG? and AT+MQTTCONNCFG? exist.
    pub config_queries: bool,
    /// CONN, PUB, PUBRAW, SUB and UNSUB take an optional trailing timeout_ms.
    pub timeout_param: bool,
    /// The AT+MQTTUSERCFG scheme numbers accepted; others are AT_MQTT_SCHEME_VALUE_IS_WRONG.
    pub schemes: &'static [u8],
    /// AT+MQTTPUBRAW: the MQTT output buffer a whole PUBLISH packet must fit in, if any.
    pub publish_buffer: Option<usize>,
    /// AT+MQTTCONNCFG lwt_msg maximum with `--quirks spec` and with `--quirks shipped`.
    pub lwt_msg_max: (usize, usize),
    /// ALREADY SUBSCRIBE / NO UNSUBSCRIBE are printed with `--quirks spec` and with `--quirks shipped`.
    pub subscription_notices: (bool, bool),
    /// The final line after `ALREADY FULL SUBSCRIBE`.
    pub full_subscription: Final,
    /// How failures are printed.
    pub errors: ErrorStyle,
    /// The boot banner.
    pub banner: &'static [u8],
    /// OK and the `>` prompt of AT+MQTTPUBRAW.
    pub pubraw_prompt: &'static [u8],
    /// The port of `+MQTTCONNECTED` and `+MQTTCONN?` is printed as a quoted string.
    pub quoted_port: bool,
}

/// ESP-AT on an ESP32: the ESP-AT spec, and the shipped binary where the spec is silent.
///
/// * commands: ESP-AT reference §1 (the registered table has no `+MQTTUSERCFG?` query);
/// * timeout_ms: reference §2.4; schemes 1..10: spec AT+MQTTUSERCFG;
/// * lwt_msg: spec 64, shipped binary 128 (reference §2.4);
/// * notices: spec AT+MQTTSUB/AT+MQTTUNSUB, never shipped (reference §2.5, esp-at#453);
/// * framing: reference §2.1, §2.2 and §3 (`\r\nready\r\n`, quoted port).
pub const ESP32: Profile = Profile {
    chip: "ESP32",
    module: "virtual esp32",
    absent_commands: &[],
    config_queries: false,
    timeout_param: true,
    schemes: &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    publish_buffer: None,
    lwt_msg_max: (64, 128),
    subscription_notices: (true, false),
    full_subscription: Final::Ok,
    errors: ErrorStyle::EspAt,
    banner: b"\r\nready\r\n",
    pubraw_prompt: OK_PROMPT,
    quoted_port: true,
};

/// ESP-AT on an ESP8266: as the ESP32, with what the ESP8266 documentation states explicitly.
///
/// * schemes: the ESP8266 build of the ESP-AT MQTT doc (release v2.2.0.0, AT+MQTTUSERCFG) allows only
///   1 and 6, since TLS does not fit its memory;
/// * AT+MQTTALPN (TLS only) is not in that doc, and W800 reference §3 says "no ALPN or SNI";
/// * no AT+SYSMFG: it writes ESP-AT v3's mfg NVS (ESP-AT reference §2.8), and v2.2 is the ESP8266's last
///   release, whose certificates live in flashed partitions (AT+SYSFLASH);
/// * publish buffer: spec AT+MQTTPUBRAW, `MQTT_BUFFER_SIZE_BYTE` (512 by default) holds the
///   published data plus the MQTT header.
pub const ESP8266: Profile = Profile {
    chip: "ESP8266",
    module: "virtual esp8266",
    absent_commands: &["MQTTALPN", "SYSMFG"],
    schemes: &[1, 6],
    publish_buffer: Some(512),
    ..ESP32
};

/// WinnerMicro W800-AT: the W800 spec, and the W800 reference where something is known.
///
/// * commands: W800 reference §1 and §2.2 (no AT+SYSLOG, AT+MQTTCLIENTID, USERNAME, PASSWORD or SNI;
///   no AT+SYSMFG, which is not among the system commands §2.2 lists);
///   the USERCFG and CONNCFG queries are in the W800 spec;
/// * no timeout_ms: W800 reference §2.7; lwt_msg 128: W800 spec AT+MQTTCONNCFG;
/// * notices: the W800 spec's AT+MQTTSUB and AT+MQTTUNSUB strings; ALREADY FULL SUBSCRIBE ends in
///   ERROR because nothing was subscribed (doc-derived, W800 reference §2.6 and §4 item 8);
/// * banner: W800 reference §2.1, `ready\r\n` with no leading CRLF;
/// * PUBRAW prompt: the W800 spec shows `>` on the line after OK (W800 reference §2.4);
/// * port: bare, as the W800 spec's `<port>` integer notation (doc-derived, W800 reference §4 item 6).
pub const W800: Profile = Profile {
    chip: "W800",
    module: "virtual w800",
    absent_commands: &["SYSLOG", "SYSMFG", "MQTTCLIENTID", "MQTTUSERNAME", "MQTTPASSWORD", "MQTTSNI"],
    config_queries: true,
    timeout_param: false,
    schemes: &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    publish_buffer: None,
    lwt_msg_max: (128, 128),
    subscription_notices: (true, true),
    full_subscription: Final::Error,
    errors: ErrorStyle::W800,
    banner: b"ready\r\n",
    pubraw_prompt: b"\r\nOK\r\n>",
    quoted_port: false,
};

impl Dialect {
    /// This dialect's profile.
    pub fn profile(self) -> &'static Profile {
        match self {
            Self::Esp32 => &ESP32,
            Self::Esp8266 => &ESP8266,
            Self::W800 => &W800,
        }
    }
}

impl Profile {
    /// Whether the extended command `AT+<name>` exists at all.
    pub fn has_command(&self, name: &str) -> bool {
        !self.absent_commands.contains(&name)
    }

    /// The lwt_msg maximum under these quirks.
    pub fn lwt_msg_max(&self, quirks: Quirks) -> usize {
        match quirks {
            Quirks::Spec => self.lwt_msg_max.0,
            Quirks::Shipped => self.lwt_msg_max.1,
        }
    }

    /// Whether ALREADY SUBSCRIBE and NO UNSUBSCRIBE are printed (and nothing sent) under these quirks.
    pub fn subscription_notices(&self, quirks: Quirks) -> bool {
        match quirks {
            Quirks::Spec => self.subscription_notices.0,
            Quirks::Shipped => self.subscription_notices.1,
        }
    }

    /// The port as `+MQTTCONNECTED` and `+MQTTCONN?` print it; `None` is an unknown port.
    pub fn port_field(&self, port: Option<u16>) -> String {
        match (self.quoted_port, port) {
            (true, Some(p)) => format!("\"{p}\""),
            (true, None) => "\"\"".to_owned(),
            (false, Some(p)) => p.to_string(),
            // Doc-derived: an integer field with no value prints 0.
            (false, None) => "0".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esp8266_differs_from_esp32_only_where_documented() {
        assert_eq!(ESP8266.schemes, &[1, 6]);
        assert_eq!(ESP8266.publish_buffer, Some(512));
        assert!(!ESP8266.has_command("MQTTALPN"));
        assert!(ESP8266.has_command("MQTTCLIENTID"));
        assert_eq!(ESP8266.errors, ESP32.errors);
        assert_eq!(ESP8266.banner, ESP32.banner);
    }

    #[test]
    fn w800_lacks_the_esp_only_commands() {
        for name in ["SYSLOG", "MQTTCLIENTID", "MQTTUSERNAME", "MQTTPASSWORD", "MQTTSNI"] {
            assert!(!W800.has_command(name), "{name}");
        }
        assert!(W800.has_command("MQTTLONGCLIENTID"));
        assert!(W800.has_command("MQTTALPN"));
    }

    #[test]
    fn port_quoting() {
        assert_eq!(ESP32.port_field(Some(1883)), "\"1883\"");
        assert_eq!(ESP32.port_field(None), "\"\"");
        assert_eq!(W800.port_field(Some(1883)), "1883");
        assert_eq!(W800.port_field(None), "0");
    }

    #[test]
    fn quirks_select_the_shipped_values() {
        assert_eq!(ESP32.lwt_msg_max(Quirks::Spec), 64);
        assert_eq!(ESP32.lwt_msg_max(Quirks::Shipped), 128);
        assert!(!ESP32.subscription_notices(Quirks::Shipped));
        assert!(W800.subscription_notices(Quirks::Shipped));
    }
}
