//! Board profiles (`fixtures/boards/*.toml`): how to find one board, what it runs, and what it
//! waives. This module only loads and validates them; the runner acts on them.
//!
//! Secrets never live in a profile: the Wi-Fi SSID and password are named by environment
//! variables, read when the run starts.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::dialect::Dialect;

/// Where `--board NAME` looks for `NAME.toml`.
pub const BOARDS_DIR: &str = "fixtures/boards";

/// Why a board profile cannot be used; every message names the file, and the field when one is at fault.
#[derive(Debug, thiserror::Error)]
pub enum BoardError {
    /// No such file.
    #[error("no board profile {path}: give a name under {BOARDS_DIR}/ (without .toml) or a path to a .toml file")]
    NotFound {
        /// The path looked at.
        path: PathBuf,
    },
    /// The file exists but cannot be read.
    #[error("{path}: cannot read the board profile")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not TOML, an unknown field, a missing field or a value of the wrong type.
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The TOML parser's message (with line and column).
        message: String,
    },
    /// A field has a value the harness cannot use.
    #[error("{path}: field `{field}`: {problem}")]
    Field {
        /// The file.
        path: PathBuf,
        /// The field at fault.
        field: &'static str,
        /// What is wrong and what would be right.
        problem: String,
    },
    /// An environment variable the profile names is not set.
    #[error("{path}: field `{field}`: the environment variable {variable} is not set (it holds the {what})")]
    MissingEnv {
        /// The file.
        path: PathBuf,
        /// The field naming the variable.
        field: &'static str,
        /// The variable's name.
        variable: String,
        /// What it should hold.
        what: &'static str,
    },
}

/// How the board is found on the host; the USB selectors survive re-plugging, a path may not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortSelector {
    /// A device path such as `/dev/ttyUSB0`.
    Path(String),
    /// The USB serial number of the board's USB-serial bridge.
    UsbSerial(String),
    /// The USB bus location, `<bus>-<port>[.<port>...]`, e.g. `1-1.4`.
    UsbLocation(String),
}

/// How the board gets the test PKI's CA, client certificate and key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pki {
    /// Already on the board (flashed into its partitions, or written once by hand).
    Preflashed,
    /// Written by the runner with AT+SYSMFG before the run (ESP-AT reference §2.8).
    Sysmfg,
}

/// The Wi-Fi network the runner joins the board to, named by environment variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WifiEnv {
    /// The variable holding the SSID.
    pub ssid_var: String,
    /// The variable holding the password.
    pub password_var: String,
}

/// The SSID and password, read from the environment.
#[derive(Clone, PartialEq, Eq)]
pub struct WifiCredentials {
    /// Network name.
    pub ssid: String,
    /// Passphrase (may be empty for an open network).
    pub password: String,
}

impl std::fmt::Debug for WifiCredentials {
    // Never print the password, even in a debug log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WifiCredentials").field("ssid", &self.ssid).finish_non_exhaustive()
    }
}

/// A validated board profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    /// The profile's file name without `.toml`.
    pub name: String,
    /// The file it was read from.
    pub path: PathBuf,
    /// How to find the board's serial port.
    pub port: PortSelector,
    /// Baud rate of the AT UART.
    pub baud: u32,
    /// The firmware dialect the board speaks.
    pub dialect: Dialect,
    /// Text expected in the first line of AT+GMR, checked before the run.
    pub firmware_version: Option<String>,
    /// The network to join before the run, if the runner should join one.
    pub wifi: Option<WifiEnv>,
    /// The host's LAN address the board dials.
    pub broker_host: String,
    /// How the board gets its certificates.
    pub pki: Pki,
    /// Tags (without `@`) whose scenarios this board never runs.
    pub exclude_tags: Vec<String>,
    /// Deviation tags (without `@`) the board waives: their scenarios run, a failure shows as "waived".
    pub waived: Vec<String>,
    /// The firmware image `run --flash` writes.
    pub firmware: Option<PathBuf>,
    /// The port of the board's bootloader when it is not the AT port (the ESP32's AT UART is UART1).
    pub flash_port: Option<String>,
}

/// The file as written; [`Board`] is what validation makes of it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBoard {
    /// Free text for people; not used.
    #[allow(dead_code)]
    description: Option<String>,
    port: Option<String>,
    usb_serial: Option<String>,
    usb_location: Option<String>,
    baud: Option<u32>,
    dialect: String,
    firmware_version: Option<String>,
    wifi_ssid_env: Option<String>,
    wifi_password_env: Option<String>,
    broker_host: String,
    pki: String,
    #[serde(default)]
    exclude_tags: Vec<String>,
    #[serde(default)]
    waived: Vec<String>,
    firmware: Option<PathBuf>,
    flash_port: Option<String>,
}

impl Board {
    /// Loads `NAME` from [`BOARDS_DIR`] under `root`, or the file `NAME` when it is a path.
    pub fn load(name_or_path: &str, root: &Path) -> Result<Board, BoardError> {
        let path = Self::locate(name_or_path, root);
        if !path.is_file() {
            return Err(BoardError::NotFound { path });
        }
        let text = std::fs::read_to_string(&path).map_err(|source| BoardError::Read { path: path.clone(), source })?;
        Self::parse(&text, &path)
    }

    /// A name with a slash or a `.toml` ending is a path; anything else is a profile under [`BOARDS_DIR`].
    pub fn locate(name_or_path: &str, root: &Path) -> PathBuf {
        if name_or_path.contains('/') || name_or_path.ends_with(".toml") {
            PathBuf::from(name_or_path)
        } else {
            root.join(BOARDS_DIR).join(format!("{name_or_path}.toml"))
        }
    }

    /// Parses and validates a profile's text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Board, BoardError> {
        let raw: RawBoard =
            toml::from_str(text).map_err(|e| BoardError::Syntax { path: path.into(), message: one_line(&e, text) })?;
        let field = |field: &'static str, problem: String| BoardError::Field { path: path.into(), field, problem };
        let dialect = parse_dialect(&raw.dialect).map_err(|p| field("dialect", p))?;
        let port = port_selector(&raw).map_err(|(f, p)| field(f, p))?;
        let baud = raw.baud.unwrap_or(115_200);
        if baud == 0 {
            return Err(field("baud", "must be a positive baud rate, e.g. 115200".into()));
        }
        let pki = parse_pki(&raw.pki, dialect).map_err(|p| field("pki", p))?;
        let wifi = wifi_env(&raw).map_err(|(f, p)| field(f, p))?;
        check_broker_host(&raw.broker_host).map_err(|p| field("broker_host", p))?;
        let exclude_tags = tags(&raw.exclude_tags).map_err(|p| field("exclude_tags", p))?;
        let waived = tags(&raw.waived).map_err(|p| field("waived", p))?;
        if let Some(v) = raw.firmware_version.as_deref().filter(|v| v.trim().is_empty()) {
            return Err(field("firmware_version", format!("is empty ({v:?}); leave it out to skip the check")));
        }
        if raw.flash_port.as_ref().is_some_and(|p| p.trim().is_empty()) {
            return Err(field("flash_port", "is empty; give the bootloader's port or leave it out".into()));
        }
        if raw.firmware.as_ref().is_some_and(|f| f.as_os_str().is_empty()) {
            return Err(field("firmware", "is empty; give the path of a firmware image or leave it out".into()));
        }
        Ok(Board {
            name: path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
            path: path.into(),
            port,
            baud,
            dialect,
            firmware_version: raw.firmware_version,
            wifi,
            broker_host: raw.broker_host,
            pki,
            exclude_tags,
            waived,
            firmware: raw.firmware,
            flash_port: raw.flash_port,
        })
    }

    /// The user's `--tags` ANDed with `not (@a or @b)` for the profile's `exclude_tags`.
    pub fn tag_expression(&self, user: Option<&str>) -> Option<String> {
        let excluded = (!self.exclude_tags.is_empty()).then(|| {
            let any: Vec<String> = self.exclude_tags.iter().map(|t| format!("@{t}")).collect();
            format!("not ({})", any.join(" or "))
        });
        match (user, excluded) {
            (Some(user), Some(excluded)) => Some(format!("({user}) and {excluded}")),
            (Some(user), None) => Some(user.to_string()),
            (None, excluded) => excluded,
        }
    }

    /// Reads the Wi-Fi SSID and password from the variables the profile names.
    pub fn wifi_credentials(&self) -> Result<Option<WifiCredentials>, BoardError> {
        let Some(wifi) = &self.wifi else { return Ok(None) };
        let read = |field: &'static str, variable: &str, what: &'static str| {
            std::env::var(variable).map_err(|_| BoardError::MissingEnv {
                path: self.path.clone(),
                field,
                variable: variable.to_string(),
                what,
            })
        };
        let ssid = read("wifi_ssid_env", &wifi.ssid_var, "Wi-Fi SSID")?;
        let password = read("wifi_password_env", &wifi.password_var, "Wi-Fi password")?;
        if ssid.is_empty() {
            return Err(BoardError::Field {
                path: self.path.clone(),
                field: "wifi_ssid_env",
                problem: format!("the environment variable {} is empty", wifi.ssid_var),
            });
        }
        Ok(Some(WifiCredentials { ssid, password }))
    }
}

/// toml's own message spans several lines (a source excerpt); this says what and on which line.
fn one_line(e: &toml::de::Error, text: &str) -> String {
    let message = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => format!("line {}: {message}", text[..span.start.min(text.len())].matches('\n').count() + 1),
        None => message,
    }
}

fn parse_dialect(value: &str) -> Result<Dialect, String> {
    Dialect::ALL.into_iter().find(|d| d.name() == value).ok_or_else(|| {
        let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
        format!("expected one of {}, found {value:?}", names.join(", "))
    })
}

fn parse_pki(value: &str, dialect: Dialect) -> Result<Pki, String> {
    match value {
        "preflashed" => Ok(Pki::Preflashed),
        // AT+SYSMFG writes the mfg NVS of ESP-AT v3 and later, which the ESP32 runs; the ESP8266's
        // last ESP-AT (v2.2) keeps certificates in flashed partitions, and W800-AT has no such command.
        "sysmfg" if dialect == Dialect::Esp32 => Ok(Pki::Sysmfg),
        "sysmfg" => {
            Err(format!("\"sysmfg\" needs AT+SYSMFG, which the {dialect} firmware does not have; use \"preflashed\""))
        }
        other => Err(format!("expected one of preflashed, sysmfg, found {other:?}")),
    }
}

/// Exactly one of `port`, `usb_serial` and `usb_location`.
fn port_selector(raw: &RawBoard) -> Result<PortSelector, (&'static str, String)> {
    let given: Vec<(&'static str, &String)> =
        [("port", &raw.port), ("usb_serial", &raw.usb_serial), ("usb_location", &raw.usb_location)]
            .into_iter()
            .filter_map(|(name, value)| value.as_ref().map(|v| (name, v)))
            .collect();
    let (name, value) = match given.as_slice() {
        [one] => *one,
        [] => return Err(("port", "missing: give one of port, usb_serial or usb_location".into())),
        [(first, _), (second, _), ..] => {
            return Err((second, format!("conflicts with `{first}`: give only one of port, usb_serial, usb_location")))
        }
    };
    if value.trim().is_empty() {
        return Err((name, "is empty".into()));
    }
    match name {
        "port" => Ok(PortSelector::Path(value.clone())),
        "usb_serial" => Ok(PortSelector::UsbSerial(value.clone())),
        _ if is_usb_location(value) => Ok(PortSelector::UsbLocation(value.clone())),
        _ => Err((name, format!("expected <bus>-<port>[.<port>...], e.g. \"1-1.4\", found {value:?}"))),
    }
}

/// `1-1.4`: a bus number, a dash, and dot-separated port numbers.
fn is_usb_location(value: &str) -> bool {
    let numbers =
        |s: &str| !s.is_empty() && s.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    match value.split_once('-') {
        Some((bus, chain)) => !bus.is_empty() && bus.bytes().all(|b| b.is_ascii_digit()) && numbers(chain),
        None => false,
    }
}

fn wifi_env(raw: &RawBoard) -> Result<Option<WifiEnv>, (&'static str, String)> {
    match (&raw.wifi_ssid_env, &raw.wifi_password_env) {
        (None, None) => Ok(None),
        (Some(_), None) => {
            Err(("wifi_password_env", "missing: wifi_ssid_env is given, so name the password's variable too".into()))
        }
        (None, Some(_)) => {
            Err(("wifi_ssid_env", "missing: wifi_password_env is given, so name the SSID's variable too".into()))
        }
        (Some(ssid), Some(password)) => {
            check_env_name(ssid).map_err(|p| ("wifi_ssid_env", p))?;
            check_env_name(password).map_err(|p| ("wifi_password_env", p))?;
            Ok(Some(WifiEnv { ssid_var: ssid.clone(), password_var: password.clone() }))
        }
    }
}

/// The value must name a variable; an SSID or password written in its place is refused.
fn check_env_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else {
        Err("expected the name of an environment variable (letters, digits, _), not the value itself".into())
    }
}

fn check_broker_host(host: &str) -> Result<(), String> {
    if host.trim().is_empty() {
        return Err("is empty: give the host's LAN address, e.g. \"192.168.1.20\"".into());
    }
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if loopback {
        return Err(format!(
            "{host:?} is the host's loopback, which a board cannot reach; give the host's LAN address"
        ));
    }
    Ok(())
}

/// Tags as written (`@x` or `x`), without the `@`.
fn tags(values: &[String]) -> Result<Vec<String>, String> {
    values
        .iter()
        .map(|t| {
            let bare = t.strip_prefix('@').unwrap_or(t);
            if bare.is_empty() || !bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                Err(format!("{t:?} is not a tag (letters, digits, _ and -, optionally after @)"))
            } else {
                Ok(bare.to_string())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
usb_serial = "0001"
baud = 115200
dialect = "esp32"
firmware_version = "AT version:3.4.0.0"
wifi_ssid_env = "BOARD_SSID"
wifi_password_env = "BOARD_PASSWORD"
broker_host = "192.168.1.20"
pki = "sysmfg"
exclude_tags = ["@slow", "tls"]
waived = ["esp_at_453"]
firmware = "firmware/factory_WROOM-32.bin"
"#;

    fn parse(text: &str) -> Result<Board, BoardError> {
        Board::parse(text, Path::new("fixtures/boards/x.toml"))
    }

    fn error(text: &str) -> String {
        parse(text).expect_err("the profile should be refused").to_string()
    }

    #[test]
    fn a_complete_profile_loads() {
        let board = parse(GOOD).unwrap();
        assert_eq!(board.name, "x");
        assert_eq!(board.port, PortSelector::UsbSerial("0001".into()));
        assert_eq!(board.dialect, Dialect::Esp32);
        assert_eq!(board.pki, Pki::Sysmfg);
        assert_eq!(board.exclude_tags, ["slow", "tls"]);
        assert_eq!(board.waived, ["esp_at_453"]);
        assert_eq!(board.wifi.unwrap().ssid_var, "BOARD_SSID");
    }

    #[test]
    fn a_wrong_dialect_names_file_field_choices_and_value() {
        let text = GOOD.replace(r#"dialect = "esp32""#, r#"dialect = "esp33""#);
        assert_eq!(
            error(&text),
            r#"fixtures/boards/x.toml: field `dialect`: expected one of esp32, esp8266, w800, found "esp33""#
        );
    }

    #[test]
    fn unknown_and_missing_fields_are_refused() {
        let unknown = error(&format!("{GOOD}\nwifi_password = \"hunter2\"\n"));
        assert!(unknown.starts_with("fixtures/boards/x.toml: line 14: unknown field `wifi_password`"), "{unknown}");
        let missing = error(&GOOD.replace(r#"broker_host = "192.168.1.20""#, ""));
        assert!(missing.contains("missing field `broker_host`"), "{missing}");
    }

    #[test]
    fn exactly_one_port_selector() {
        let none = error(&GOOD.replace(r#"usb_serial = "0001""#, ""));
        assert!(none.contains("field `port`: missing: give one of port, usb_serial or usb_location"), "{none}");
        let two = error(&format!("port = \"/dev/ttyUSB0\"\n{GOOD}"));
        assert!(two.contains("field `usb_serial`: conflicts with `port`"), "{two}");
        let location = GOOD.replace(r#"usb_serial = "0001""#, r#"usb_location = "1-1.4""#);
        assert_eq!(parse(&location).unwrap().port, PortSelector::UsbLocation("1-1.4".into()));
        let bad = error(&GOOD.replace(r#"usb_serial = "0001""#, r#"usb_location = "usb1""#));
        assert!(bad.contains("field `usb_location`: expected <bus>-<port>"), "{bad}");
    }

    #[test]
    fn sysmfg_only_where_the_dialect_has_it() {
        let text = GOOD.replace(r#"dialect = "esp32""#, r#"dialect = "w800""#);
        assert!(error(&text).contains("field `pki`: \"sysmfg\" needs AT+SYSMFG, which the w800 firmware"));
        let preflashed = text.replace(r#"pki = "sysmfg""#, r#"pki = "preflashed""#);
        assert_eq!(parse(&preflashed).unwrap().pki, Pki::Preflashed);
        assert!(error(&GOOD.replace("sysmfg", "nvs")).contains("expected one of preflashed, sysmfg, found \"nvs\""));
    }

    #[test]
    fn wifi_fields_name_variables_and_come_in_pairs() {
        let half = error(&GOOD.replace(r#"wifi_password_env = "BOARD_PASSWORD""#, ""));
        assert!(half.contains("field `wifi_password_env`: missing"), "{half}");
        let value = error(&GOOD.replace("BOARD_SSID", "My Home Wi-Fi"));
        assert!(value.contains("field `wifi_ssid_env`: expected the name of an environment variable"), "{value}");
    }

    #[test]
    fn missing_wifi_variables_are_named() {
        let text = GOOD.replace("BOARD_SSID", "ATCONFORM_TEST_UNSET_SSID_VARIABLE");
        let e = parse(&text).unwrap().wifi_credentials().unwrap_err().to_string();
        assert!(
            e.contains("field `wifi_ssid_env`: the environment variable ATCONFORM_TEST_UNSET_SSID_VARIABLE is not set")
        );
    }

    #[test]
    fn a_loopback_broker_host_is_refused() {
        let e = error(&GOOD.replace("192.168.1.20", "127.0.0.1"));
        assert!(e.contains("field `broker_host`: \"127.0.0.1\" is the host's loopback"), "{e}");
    }

    #[test]
    fn excluded_tags_join_the_user_expression() {
        let board = parse(GOOD).unwrap();
        assert_eq!(board.tag_expression(None).as_deref(), Some("not (@slow or @tls)"));
        assert_eq!(board.tag_expression(Some("@pub")).as_deref(), Some("(@pub) and not (@slow or @tls)"));
        let bad = error(&GOOD.replace(r#"["@slow", "tls"]"#, r#"["not a tag"]"#));
        assert!(bad.contains("field `exclude_tags`: \"not a tag\" is not a tag"), "{bad}");
    }

    #[test]
    fn the_shipped_profiles_load() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dialects: Vec<Dialect> = ["esp32-devkitc", "esp8266-nodemcu", "w800-arduino"]
            .iter()
            .map(|name| Board::load(name, root).unwrap_or_else(|e| panic!("{e}")).dialect)
            .collect();
        assert_eq!(dialects, Dialect::ALL);
    }

    #[test]
    fn names_resolve_under_the_boards_directory() {
        let root = Path::new("/repo");
        assert_eq!(Board::locate("esp32-devkitc", root), PathBuf::from("/repo/fixtures/boards/esp32-devkitc.toml"));
        assert_eq!(Board::locate("./mine.toml", root), PathBuf::from("./mine.toml"));
    }
}
