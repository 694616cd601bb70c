//! Command decoding and the firmware state the commands act on; one module per command family.

pub mod basic;
pub mod mfg;
pub mod mqtt;

use std::path::PathBuf;

use crate::error_code::CommandError;
use crate::faults::Faults;
use crate::output::Output;
use crate::params::Params;
use crate::profile::Profile;
use crate::Args;

/// How a command that did not fail ends.
#[derive(Debug)]
pub enum Reply {
    /// Information lines (each ending in CRLF, possibly none) then `OK`.
    Ok(Vec<u8>),
    /// The command printed everything itself (e.g. AT+RST).
    Done,
    /// Print the `>` prompt and hand over raw bytes (AT+MQTTPUBRAW, AT+MQTTLONG*).
    RawInput(RawInput),
}

/// A command that goes on with raw bytes after a `>` prompt.
#[derive(Debug)]
pub struct RawInput {
    /// How many raw bytes to read.
    pub len: usize,
    /// `OK` and the prompt, as this command prints them.
    pub prompt: &'static [u8],
    /// What the bytes are for.
    pub purpose: RawPurpose,
}

/// What the raw bytes after a `>` prompt are for.
#[derive(Debug)]
pub enum RawPurpose {
    /// An MQTT command's data.
    Mqtt(mqtt::RawPurpose),
    /// An AT+SYSMFG write into this partition file.
    Mfg(PathBuf),
}

impl From<mqtt::RawPurpose> for RawPurpose {
    fn from(purpose: mqtt::RawPurpose) -> Self {
        Self::Mqtt(purpose)
    }
}

impl Reply {
    /// A plain `OK` with no information lines.
    pub fn ok() -> Self {
        Self::Ok(Vec::new())
    }
}

/// What a command's result is; `ERROR` is printed for `Err`.
pub type CommandResult = Result<Reply, CommandError>;

/// The four AT command forms (ESP-AT reference §3).
#[derive(Debug, PartialEq, Eq)]
pub enum Form<'a> {
    /// `AT+X=?`
    Test,
    /// `AT+X?`
    Query,
    /// `AT+X=<params>`
    Set(Params),
    /// `AT+X`
    Execute,
    /// Anything else after the name, e.g. `AT+X!`.
    Invalid(&'a [u8]),
}

/// A decoded command line.
#[derive(Debug, PartialEq, Eq)]
pub enum Command<'a> {
    /// `AT`
    At,
    /// `ATE0` / `ATE1`
    Echo(bool),
    /// `AT+<name><form>`
    Extended(&'a str, Form<'a>),
}

/// Decodes a line; a line not starting with uppercase `AT` is rejected (ESP-AT reference §3, subcategory 0x03).
pub fn decode(line: &[u8]) -> Result<Command<'_>, CommandError> {
    let rest = line.strip_prefix(b"AT").ok_or(CommandError::NoAt)?;
    match rest {
        b"" => return Ok(Command::At),
        b"E0" => return Ok(Command::Echo(false)),
        b"E1" => return Ok(Command::Echo(true)),
        _ => {}
    }
    let ext = rest.strip_prefix(b"+").ok_or(CommandError::Unsupported)?;
    let name_len =
        ext.iter().position(|b| !(b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')).unwrap_or(ext.len());
    let name = std::str::from_utf8(&ext[..name_len]).map_err(|_| CommandError::Unsupported)?;
    let form = match &ext[name_len..] {
        b"" => Form::Execute,
        b"?" => Form::Query,
        b"=?" => Form::Test,
        tail => match tail.strip_prefix(b"=") {
            Some(params) => Form::Set(Params::parse(params)),
            None => Form::Invalid(tail),
        },
    };
    Ok(Command::Extended(name, form))
}

/// The whole simulated module: line settings, Wi-Fi and MQTT.
pub struct Firmware {
    /// ATE: echo each command line back (on by default, ESP-AT reference §3).
    pub echo: bool,
    /// AT+SYSLOG: print `ERR CODE:` lines (off by default, ESP-AT reference §3).
    pub syslog: bool,
    /// Faults armed through the control channel; the command modules consult them.
    pub faults: Faults,
    wifi: basic::Wifi,
    mqtt: mqtt::Mqtt,
    profile: &'static Profile,
    /// The directory standing in for the certificate partitions (AT+SYSMFG writes there).
    pki_dir: Option<PathBuf>,
    out: Output,
}

impl Firmware {
    /// A freshly booted module configured by the command line, consulting `faults`.
    pub fn new(args: &Args, out: Output, faults: Faults) -> Self {
        Self {
            echo: true,
            syslog: false,
            wifi: basic::Wifi::default(),
            mqtt: mqtt::Mqtt::new(args.quirks, out.clone())
                .with_profile(args.dialect.profile())
                .with_pki_dir(args.pki_dir.clone())
                .with_faults(faults.clone()),
            faults,
            profile: args.dialect.profile(),
            pki_dir: args.pki_dir.clone(),
            out,
        }
    }

    /// Runs one command line to completion (which may take until a broker answers).
    pub async fn execute(&mut self, line: &[u8]) -> CommandResult {
        match decode(line)? {
            Command::At => Ok(Reply::ok()),
            Command::Echo(on) => {
                self.echo = on;
                Ok(Reply::ok())
            }
            Command::Extended(name, form) => self.extended(name, form).await,
        }
    }

    async fn extended(&mut self, name: &str, form: Form<'_>) -> CommandResult {
        if !self.profile.has_command(name) {
            return Err(CommandError::Unsupported);
        }
        if name.starts_with("MQTT") {
            return self.mqtt.execute(name, form).await;
        }
        match (name, form) {
            ("RST", Form::Execute) => Ok(self.reset()),
            ("SYSLOG", Form::Query) => Ok(Reply::Ok(format!("+SYSLOG:{}\r\n", u8::from(self.syslog)).into_bytes())),
            ("SYSMFG", form) => mfg::execute(self.pki_dir.as_deref(), form),
            ("SYSLOG", Form::Set(p)) => {
                self.syslog = basic::flag(&p)?;
                Ok(Reply::ok())
            }
            (name, form) => basic::execute(&mut self.wifi, self.profile, &self.out, name, form),
        }
    }

    /// AT+RST: OK, then a simulated reboot.
    fn reset(&mut self) -> Reply {
        self.out.write(crate::output::OK);
        self.power_cycle();
        Reply::Done
    }

    /// A reboot that forgets all runtime state and prints `ready` again; also what the
    /// out-of-band hard reset (SIGUSR1) does.
    pub fn power_cycle(&mut self) {
        // A reset disarms every injected fault: they are one-shot and never outlive a boot.
        self.faults.clear();
        self.mqtt.power_cut();
        self.echo = true;
        self.syslog = false;
        // CWMODE is kept: the real module stores it in flash.
        self.wifi.leave();
        tracing::info!("simulated reboot");
        self.out.write(self.profile.banner);
    }

    /// Second half of AT+MQTTPUBRAW or AT+MQTTLONG*, once the raw bytes have arrived; a failure
    /// before the publish is a command error after the prompt (`ERR CODE` and `ERROR`).
    pub async fn finish_raw(&mut self, purpose: RawPurpose, data: Vec<u8>) {
        let result = match purpose {
            RawPurpose::Mqtt(purpose) => self.mqtt.finish_raw(purpose, data).await,
            RawPurpose::Mfg(path) => mfg::finish(&path, &data).map(|()| self.out.write(mfg::DONE)),
        };
        if let Err(e) = result {
            self.respond(Err(e));
        }
    }

    /// Prints a command's final result.
    pub fn respond(&self, result: CommandResult) {
        match result {
            Ok(Reply::Ok(info)) => self.out.ok_with(&info),
            Ok(Reply::Done) => {}
            Ok(Reply::RawInput(_)) => unreachable_raw(),
            Err(e) => {
                tracing::debug!(error = %e, "command failed");
                self.out.error(e, self.profile.errors, self.syslog);
            }
        }
    }
}

/// The dispatcher handles `RawInput` itself; reaching here is a bug worth a log, not a crash.
fn unreachable_raw() {
    tracing::error!("raw input reply reached respond(); ignored");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_basic_forms() {
        assert_eq!(decode(b"AT"), Ok(Command::At));
        assert_eq!(decode(b"ATE0"), Ok(Command::Echo(false)));
        assert_eq!(decode(b"AT+GMR"), Ok(Command::Extended("GMR", Form::Execute)));
        assert_eq!(decode(b"AT+MQTTCONN?"), Ok(Command::Extended("MQTTCONN", Form::Query)));
        assert_eq!(decode(b"AT+MQTTCONN=?"), Ok(Command::Extended("MQTTCONN", Form::Test)));
        assert!(matches!(decode(b"AT+MQTTCLEAN=0"), Ok(Command::Extended("MQTTCLEAN", Form::Set(_)))));
    }

    #[test]
    fn lowercase_at_is_rejected_as_no_at() {
        assert_eq!(decode(b"at"), Err(CommandError::NoAt));
        assert_eq!(decode(b"At+GMR"), Err(CommandError::NoAt));
        assert_eq!(decode(b"hello"), Err(CommandError::NoAt));
    }

    #[test]
    fn unknown_shapes_are_unsupported() {
        assert_eq!(decode(b"ATX"), Err(CommandError::Unsupported));
        assert!(matches!(decode(b"AT+GMR!"), Ok(Command::Extended("GMR", Form::Invalid(_)))));
    }
}
