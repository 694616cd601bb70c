//! Readying a board once after it is opened and before any scenario: check that it runs the
//! firmware its profile expects, join it to the network, and write the test PKI into it.
//!
//! Every wait is bounded. The Wi-Fi password is sent to the board but never appears in an error.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::board::WifiCredentials;
use crate::device::{Device, Response};

/// What to do with a board before the run.
#[derive(Debug, Clone, Default)]
pub struct BringUp {
    /// Text AT+GMR's first line must contain.
    pub firmware_version: Option<String>,
    /// The network to join with AT+CWMODE=1 and AT+CWJAP.
    pub wifi: Option<WifiCredentials>,
    /// Write the device files of the test PKI (`mqtt_ca.crt`, `mqtt_client.crt`, `mqtt_client.key`) with AT+SYSMFG.
    pub sysmfg: bool,
}

/// How long each step may take.
const COMMAND_WAIT: Duration = Duration::from_secs(5);
/// ESP-AT's AT+CWJAP gives up after 15 s by default; a little more for the final result to arrive.
const JOIN_WAIT: Duration = Duration::from_secs(20);
/// Writing a certificate into the mfg NVS partition.
const WRITE_WAIT: Duration = Duration::from_secs(10);

/// The files of the device PKI directory, each with the mfg-NVS namespace and key it is written to
/// (ESP-AT reference §2.8; certificate namespaces key their entries `<namespace>.<index>`, and only
/// index 0 is used by MQTT).
pub const SYSMFG_ENTRIES: [(&str, &str, &str); 3] = [
    ("mqtt_ca.crt", "mqtt_ca", "mqtt_ca.0"),
    ("mqtt_client.crt", "mqtt_cert", "mqtt_cert.0"),
    ("mqtt_client.key", "mqtt_key", "mqtt_key.0"),
];

/// How long a freshly flashed board may take to boot its AT firmware and answer `AT`.
pub const BOOT_WAIT: Duration = Duration::from_secs(30);
/// One `AT` probe's wait while the board boots.
const PROBE_WAIT: Duration = Duration::from_secs(1);

/// Waits, up to `within`, until the board on `port` answers `AT` with `OK`: after a flash it
/// boots, and `ready` may come before the port is open, so the answer is what is awaited.
pub async fn await_answer(port: &str, baud: u32, within: Duration) -> anyhow::Result<()> {
    let mut device = Device::open(port, baud)?;
    let deadline = tokio::time::Instant::now() + within;
    let mut last = String::from("nothing");
    while tokio::time::Instant::now() < deadline {
        device.forget_pending();
        match device.probe(PROBE_WAIT).await {
            Ok(()) => return Ok(()),
            Err(e) => last = e.to_string(),
        }
    }
    anyhow::bail!("the board on {port} did not answer AT with OK within {within:?} after flashing; last: {last}")
}

/// Why a board could not be readied.
#[derive(Debug, thiserror::Error)]
pub enum BringUpError {
    /// AT+GMR names other firmware.
    #[error(
        "the board on {port} runs other firmware: AT+GMR's first line should contain {expected:?}, but it is {actual:?}"
    )]
    FirmwareMismatch {
        /// The port.
        port: String,
        /// From the profile.
        expected: String,
        /// What the board printed.
        actual: String,
    },
    /// A command ended in something other than what was needed.
    #[error("the board on {port} answered {command} with {answer:?}{hint}")]
    Refused {
        /// The port.
        port: String,
        /// The command (never with the Wi-Fi password).
        command: String,
        /// Its response lines.
        answer: Vec<String>,
        /// What the answer means, when known.
        hint: String,
    },
    /// No final result arrived in time, or the line closed.
    #[error("the board on {port} did not finish {command} within {wait:?}: {why}")]
    NoAnswer {
        /// The port.
        port: String,
        /// The command (never with the Wi-Fi password).
        command: String,
        /// How long it waited.
        wait: Duration,
        /// What happened instead.
        why: String,
    },
    /// A certificate file could not be read.
    #[error("cannot read {path} to write it to the board")]
    ReadCert {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Runs every step the bring-up asks for, in order: firmware check, network join, PKI (from `pki_dir`).
pub async fn prepare(device: &mut Device, bring_up: &BringUp, pki_dir: &Path) -> Result<(), BringUpError> {
    if let Some(expected) = &bring_up.firmware_version {
        check_firmware(device, expected).await?;
    }
    if let Some(wifi) = &bring_up.wifi {
        join(device, wifi).await?;
    }
    if bring_up.sysmfg {
        for (file, namespace, key) in SYSMFG_ENTRIES {
            let path = pki_dir.join(file);
            let pem = std::fs::read(&path).map_err(|source| BringUpError::ReadCert { path: path.clone(), source })?;
            write_mfg(device, namespace, key, &pem).await?;
        }
    }
    Ok(())
}

async fn check_firmware(device: &mut Device, expected: &str) -> Result<(), BringUpError> {
    let response = command(device, "AT+GMR", "AT+GMR", COMMAND_WAIT).await?;
    let first = response.lines.first().cloned().unwrap_or_default();
    if response.result == "OK" && first.contains(expected) {
        return Ok(());
    }
    if response.result != "OK" {
        return Err(refused(device, "AT+GMR", &response, ""));
    }
    Err(BringUpError::FirmwareMismatch { port: device.port().into(), expected: expected.into(), actual: first })
}

async fn join(device: &mut Device, wifi: &WifiCredentials) -> Result<(), BringUpError> {
    expect_ok(device, "AT+CWMODE=1", "AT+CWMODE=1", COMMAND_WAIT).await?;
    let line = format!("AT+CWJAP=\"{}\",\"{}\"", escape(&wifi.ssid), escape(&wifi.password));
    let shown = format!("AT+CWJAP=\"{}\",<password>", escape(&wifi.ssid));
    let response = command(device, &line, &shown, JOIN_WAIT).await?;
    if response.result == "OK" {
        return Ok(());
    }
    let hint = response.lines.iter().find_map(|l| l.strip_prefix("+CWJAP:")).map_or(String::new(), join_hint);
    Err(refused(device, &shown, &response, &hint))
}

/// ESP-AT's AT+CWJAP error codes (Wi-Fi AT commands, AT+CWJAP `<error code>`).
fn join_hint(code: &str) -> String {
    let meaning = match code.trim() {
        "1" => "connection timeout",
        "2" => "wrong password",
        "3" => "cannot find the target AP",
        "4" => "connection failed",
        _ => return String::new(),
    };
    format!(" ({meaning}; check the network named by the profile's wifi_ssid_env / wifi_password_env)")
}

/// Writes one binary entry: the command, the `>` prompt, the raw bytes, then `OK`.
async fn write_mfg(device: &mut Device, namespace: &str, key: &str, data: &[u8]) -> Result<(), BringUpError> {
    let line = sysmfg_command(namespace, key, data.len());
    let mut response = command(device, &line, &line, COMMAND_WAIT).await?;
    // Some firmwares end the command with OK before the prompt (as AT+MQTTPUBRAW does).
    if response.result == "OK" {
        response = next_response(device, &line, COMMAND_WAIT).await?;
    }
    if response.result != ">" {
        return Err(refused(device, &line, &response, " (expected the > prompt)"));
    }
    if let Err(e) = device.send_raw(data).await {
        return Err(BringUpError::NoAnswer {
            port: device.port().into(),
            command: line,
            wait: WRITE_WAIT,
            why: e.to_string(),
        });
    }
    let shown = format!("the {} bytes of {namespace}", data.len());
    let response = next_response(device, &shown, WRITE_WAIT).await?;
    if response.result == "OK" {
        Ok(())
    } else {
        Err(refused(device, &shown, &response, ""))
    }
}

/// `AT+SYSMFG=2,"<namespace>","<key>",8,<length>`: write (2) a binary (8) value.
pub fn sysmfg_command(namespace: &str, key: &str, length: usize) -> String {
    format!("AT+SYSMFG=2,\"{namespace}\",\"{key}\",8,{length}")
}

/// ESP-AT string escapes (reference §3 "Parameters"): backslash, quote and comma.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '"' | ',') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

async fn expect_ok(device: &mut Device, line: &str, shown: &str, wait: Duration) -> Result<(), BringUpError> {
    let response = command(device, line, shown, wait).await?;
    if response.result == "OK" {
        Ok(())
    } else {
        Err(refused(device, shown, &response, ""))
    }
}

/// Sends `line` and waits for its response; errors show `shown` instead of the line.
async fn command(device: &mut Device, line: &str, shown: &str, wait: Duration) -> Result<Response, BringUpError> {
    if let Err(e) = device.send_command(line).await {
        let why = if line == shown { e.to_string() } else { "cannot write to the port".into() };
        return Err(BringUpError::NoAnswer { port: device.port().into(), command: shown.into(), wait, why });
    }
    next_response(device, shown, wait).await
}

async fn next_response(device: &mut Device, shown: &str, wait: Duration) -> Result<Response, BringUpError> {
    device.response(wait).await.map_err(|e| {
        // The device error repeats what was sent, which for AT+CWJAP holds the password.
        let why = match e {
            crate::device::DeviceError::Closed { reason, .. } => format!("the serial line closed ({reason})"),
            _ => "no final result (OK or ERROR) arrived".into(),
        };
        BringUpError::NoAnswer { port: device.port().into(), command: shown.into(), wait, why }
    })
}

fn refused(device: &Device, shown: &str, response: &Response, hint: &str) -> BringUpError {
    BringUpError::Refused {
        port: device.port().into(),
        command: shown.into(),
        answer: response.all_lines(),
        hint: hint.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_escaped_as_esp_at_strings() {
        assert_eq!(escape(r#"my "home", net\1"#), r#"my \"home\"\, net\\1"#);
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn sysmfg_writes_binary_entries_of_the_mqtt_namespaces() {
        assert_eq!(sysmfg_command("mqtt_ca", "mqtt_ca.0", 1164), r#"AT+SYSMFG=2,"mqtt_ca","mqtt_ca.0",8,1164"#);
        let namespaces: Vec<&str> = SYSMFG_ENTRIES.iter().map(|(_, ns, _)| *ns).collect();
        assert_eq!(namespaces, ["mqtt_ca", "mqtt_cert", "mqtt_key"]);
    }

    #[test]
    fn join_errors_are_explained() {
        assert!(join_hint("2").starts_with(" (wrong password;"));
        assert_eq!(join_hint("9"), "");
    }
}
