//! AT+SYSMFG writes of the MQTT trust material into the manufacturing NVS (ESP32 ESP-AT only).
//!
//! ESP-AT reference §2.8: `AT+SYSMFG=2,"<namespace>","<key>",8,<length>` (2 = write, 8 = binary)
//! prompts with `>` and takes exactly `<length>` raw bytes; the namespaces `mqtt_ca`, `mqtt_cert`
//! and `mqtt_key` hold what AT+MQTTCONN reads as its CA, client certificate and key. Certificate
//! namespaces key their entries `<namespace>.<index>`, and MQTT uses index 0 only (§2.8).
//!
//! Here the partitions are the files of `--pki-dir` (see `tls.rs`), so a write replaces the file
//! the next AT+MQTTCONN reads. Only the write of these three entries is modelled; every other
//! form, namespace, key or type is a plain `ERROR`, and so is a write with no `--pki-dir`.

use std::path::{Path, PathBuf};

use super::{CommandResult, Form, RawInput, RawPurpose, Reply};
use crate::error_code::CommandError;
use crate::output::OK;
use crate::params::Params;
use crate::tls::{CA_FILE, CERT_FILE, KEY_FILE};

/// Larger than any PEM the harness writes, small enough for a partition entry.
const MAX_LEN: i64 = 8192;
/// The prompt: a bare `>` on a line of its own.
const PROMPT: &[u8] = b"\r\n>";

/// The namespace, its index-0 key, and the partition file standing in for it.
const ENTRIES: [(&str, &str, &str); 3] =
    [("mqtt_ca", "mqtt_ca.0", CA_FILE), ("mqtt_cert", "mqtt_cert.0", CERT_FILE), ("mqtt_key", "mqtt_key.0", KEY_FILE)];

/// AT+SYSMFG: validate a write and ask for its bytes.
pub fn execute(pki_dir: Option<&Path>, form: Form<'_>) -> CommandResult {
    let Form::Set(p) = form else { return Err(CommandError::Plain) };
    let dir = pki_dir.ok_or(CommandError::Plain)?;
    let file = entry(&p)?;
    let len = p.int(4).filter(|n| (1..=MAX_LEN).contains(n)).ok_or(CommandError::Plain)?;
    Ok(Reply::RawInput(RawInput { len: len as usize, prompt: PROMPT, purpose: RawPurpose::Mfg(dir.join(file)) }))
}

/// `2,"<namespace>","<key>",8,<length>` for one of the MQTT entries: its partition file.
fn entry(p: &Params) -> Result<&'static str, CommandError> {
    if p.len() != 5 || p.int(0) != Some(2) || p.int(3) != Some(8) {
        return Err(CommandError::Plain);
    }
    let (namespace, key) = (p.text(1).ok_or(CommandError::Plain)?, p.text(2).ok_or(CommandError::Plain)?);
    ENTRIES.iter().find(|(ns, k, _)| *ns == namespace && *k == key).map(|(_, _, f)| *f).ok_or(CommandError::Plain)
}

/// Stores the bytes typed after the prompt; `OK` once written, `ERROR` if the file cannot be.
pub fn finish(path: &PathBuf, data: &[u8]) -> Result<(), CommandError> {
    std::fs::write(path, data).map_err(|e| {
        tracing::warn!(path = %path.display(), error = %e, "AT+SYSMFG write failed");
        CommandError::Plain
    })
}

/// What `finish` prints on success.
pub const DONE: &[u8] = OK;

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, dir: Option<&Path>) -> Result<(usize, PathBuf), CommandError> {
        match execute(dir, Form::Set(Params::parse(text.as_bytes())))? {
            Reply::RawInput(RawInput { len, purpose: RawPurpose::Mfg(path), .. }) => Ok((len, path)),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn the_three_mqtt_entries_are_written_to_their_partition_files() {
        let dir = Path::new("/pki");
        assert_eq!(run(r#"2,"mqtt_ca","mqtt_ca.0",8,1164"#, Some(dir)), Ok((1164, dir.join(CA_FILE))));
        assert_eq!(run(r#"2,"mqtt_cert","mqtt_cert.0",8,10"#, Some(dir)), Ok((10, dir.join(CERT_FILE))));
        assert_eq!(run(r#"2,"mqtt_key","mqtt_key.0",8,10"#, Some(dir)), Ok((10, dir.join(KEY_FILE))));
    }

    #[test]
    fn other_writes_and_forms_are_refused() {
        let dir = Some(Path::new("/pki"));
        for bad in [
            r#"1,"mqtt_ca","mqtt_ca.0",8,10"#,
            r#"2,"mqtt_ca","mqtt_ca.1",8,10"#,
            r#"2,"client_ca","client_ca.0",8,10"#,
            r#"2,"mqtt_ca","mqtt_ca.0",7,10"#,
            r#"2,"mqtt_ca","mqtt_ca.0",8,0"#,
            r#"2,"mqtt_ca","mqtt_ca.0",8"#,
        ] {
            assert_eq!(run(bad, dir), Err(CommandError::Plain), "{bad}");
        }
        assert_eq!(run(r#"2,"mqtt_ca","mqtt_ca.0",8,10"#, None), Err(CommandError::Plain));
        assert!(execute(dir, Form::Query).is_err());
    }
}
