//! Basic and Wi-Fi commands: AT+GMR, AT+CWMODE, AT+CWJAP, AT+CWQAP, AT+CIPSNTPCFG.
//!
//! MQTT does not need the simulated Wi-Fi to be joined: the host's network is always there.
//! These commands exist so that a host's usual bring-up sequence (ESP-AT reference §3 "Needed before MQTT") works.

use super::{CommandResult, Form, Reply};
use crate::error_code::CommandError;
use crate::output::Output;
use crate::params::Params;
use crate::profile::Profile;

/// The simulated station.
#[derive(Debug)]
pub struct Wifi {
    /// AT+CWMODE: 0 off, 1 station, 2 soft-AP, 3 both. Station is the factory default.
    mode: u8,
    /// The joined AP's SSID.
    ssid: Option<String>,
}

impl Default for Wifi {
    fn default() -> Self {
        Self { mode: 1, ssid: None }
    }
}

impl Wifi {
    /// Forgets the joined AP (reset).
    pub fn leave(&mut self) {
        self.ssid = None;
    }
}

/// Reads a single 0/1 parameter (AT+SYSLOG).
pub fn flag(p: &Params) -> Result<bool, CommandError> {
    match (p.len(), p.int(0)) {
        (1, Some(0)) => Ok(false),
        (1, Some(1)) => Ok(true),
        _ => Err(CommandError::Plain),
    }
}

/// Runs a non-MQTT extended command.
pub fn execute(wifi: &mut Wifi, profile: &Profile, out: &Output, name: &str, form: Form<'_>) -> CommandResult {
    match (name, form) {
        ("GMR", Form::Execute) => Ok(Reply::Ok(gmr(profile).into_bytes())),
        ("CWMODE", Form::Query) => Ok(Reply::Ok(format!("+CWMODE:{}\r\n", wifi.mode).into_bytes())),
        ("CWMODE", Form::Set(p)) => set_mode(wifi, &p),
        ("CWJAP", Form::Query) => Ok(Reply::Ok(query_ap(wifi).into_bytes())),
        ("CWJAP", Form::Set(p)) => join(wifi, out, &p),
        ("CWQAP", Form::Execute) => {
            if wifi.ssid.take().is_some() {
                out.write("WIFI DISCONNECT\r\n");
            }
            Ok(Reply::ok())
        }
        // SNTP only matters for TLS certificate dates; the host clock is already right.
        ("CIPSNTPCFG", Form::Set(_)) => Ok(Reply::ok()),
        _ => Err(CommandError::Unsupported),
    }
}

/// ESP-AT reference §3 AT+GMR shape: AT version, SDK version, compile time, Bin version.
fn gmr(profile: &Profile) -> String {
    let date = env!("VIRTUAL_FIRMWARE_BUILD_DATE");
    format!(
        "AT version:4.0.0.0(virtual - {chip} - {date})\r\n\
         SDK version:virtual-firmware {ver}\r\n\
         compile time(virtual):{date}\r\n\
         Bin version:4.0.0({module})\r\n",
        chip = profile.chip,
        ver = env!("CARGO_PKG_VERSION"),
        module = profile.module,
    )
}

fn set_mode(wifi: &mut Wifi, p: &Params) -> CommandResult {
    match p.int(0) {
        Some(m @ 0..=3) if p.len() <= 2 => {
            wifi.mode = m as u8;
            if m == 0 || m == 2 {
                wifi.leave();
            }
            Ok(Reply::ok())
        }
        _ => Err(CommandError::Plain),
    }
}

/// A simulated join: any SSID works, in station or station+AP mode.
fn join(wifi: &mut Wifi, out: &Output, p: &Params) -> CommandResult {
    let ssid = p.text(0).filter(|s| !s.is_empty()).ok_or(CommandError::Plain)?;
    if p.string(1).is_none() || !(wifi.mode == 1 || wifi.mode == 3) {
        return Err(CommandError::Plain);
    }
    if wifi.ssid.is_some() {
        out.write("WIFI DISCONNECT\r\n");
    }
    wifi.ssid = Some(ssid.to_owned());
    // ESP-AT reference §3: the join prints these URCs before OK.
    out.write("WIFI CONNECTED\r\nWIFI GOT IP\r\n");
    Ok(Reply::ok())
}

fn query_ap(wifi: &Wifi) -> String {
    match &wifi.ssid {
        Some(ssid) => format!("+CWJAP:\"{ssid}\",\"02:00:00:00:00:01\",6,-40,0,1,3,0,1\r\n"),
        None => "No AP\r\n".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmr_has_four_lines_in_esp_shape() {
        let text = gmr(&crate::profile::ESP32);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert!(lines[0].starts_with("AT version:4.0.0.0(virtual - ESP32 - "));
        assert!(lines[1].starts_with("SDK version:virtual-firmware "));
        assert!(lines[2].starts_with("compile time(virtual):"));
        assert_eq!(lines[3], "Bin version:4.0.0(virtual esp32)");
    }

    #[test]
    fn join_needs_station_mode() {
        let (out, _rx) = Output::channel();
        let mut wifi = Wifi::default();
        let p = Params::parse(br#""ssid","pwd""#);
        assert!(join(&mut wifi, &out, &p).is_ok());
        assert!(query_ap(&wifi).starts_with("+CWJAP:\"ssid\""));
        set_mode(&mut wifi, &Params::parse(b"2")).unwrap();
        assert_eq!(join(&mut wifi, &out, &p).unwrap_err(), CommandError::Plain);
        assert_eq!(query_ap(&wifi), "No AP\r\n");
    }

    #[test]
    fn cwmode_range_is_checked() {
        let mut wifi = Wifi::default();
        assert!(set_mode(&mut wifi, &Params::parse(b"3")).is_ok());
        assert!(set_mode(&mut wifi, &Params::parse(b"4")).is_err());
        assert!(set_mode(&mut wifi, &Params::parse(b"x")).is_err());
    }
}
