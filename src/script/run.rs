//! Runs parsed script steps against a device, stopping at the first expectation not met.
//!
//! Before anything is sent every line is resolved (placeholders expanded, regexes
//! compiled), so a script that cannot run at all touches nothing.

use std::fmt;
use std::io::Write;
use std::time::Duration;

use regex::Regex;

use super::parse::{Line, ScriptError, Step};
use crate::device::transcript::visible;
use crate::device::{Device, DeviceError, Output};
use crate::escapes::unescape;
use crate::expand::Vars;

/// How many transcript entries a failure shows.
const TRANSCRIPT_TAIL: usize = 20;

/// A step ready to run.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// Send this command line.
    Send(String),
    /// The next line is exactly this.
    Expect(String),
    /// The next line matches this (anchored) regex; the text is the pattern as written, expanded.
    Match(Regex, String),
    /// Send these bytes after the `>` prompt.
    Raw(Vec<u8>),
    /// Pause.
    Wait(Duration),
}

/// Expands placeholders and compiles patterns; an error names the line.
pub fn resolve(lines: &[Line], vars: &Vars) -> Result<Vec<(usize, Resolved)>, ScriptError> {
    // A placeholder inside a regex stands for its value literally: a host's dots are not wildcards.
    let regex_vars = vars.map_values(regex::escape);
    lines
        .iter()
        .map(|line| {
            let fail = |why: String| ScriptError { line: line.number, why, text: step_text(&line.step) };
            let expand = |text: &str, vars: &Vars| vars.expand(text).map_err(|e| fail(e.to_string()));
            let step = match &line.step {
                Step::Send(t) => Resolved::Send(expand(t, vars)?),
                Step::Expect(t) => Resolved::Expect(expand(t, vars)?),
                Step::Match(t) => {
                    let pattern = expand(t, &regex_vars)?;
                    Resolved::Match(compile(&pattern).map_err(fail)?, pattern)
                }
                Step::Raw(t) => Resolved::Raw(unescape(&expand(t, vars)?).map_err(|e| fail(e.to_string()))?),
                Step::Wait(d) => Resolved::Wait(*d),
            };
            Ok((line.number, step))
        })
        .collect()
}

/// Compiles a whole-line pattern. A leading `+` is literal: AT lines start with one and a regex cannot.
fn compile(pattern: &str) -> Result<Regex, String> {
    let body = match pattern.strip_prefix('+') {
        Some(rest) => format!("\\+{rest}"),
        None => pattern.to_string(),
    };
    Regex::new(&format!("^(?:{body})$")).map_err(|e| format!("bad regular expression: {e}"))
}

fn step_text(step: &Step) -> String {
    match step {
        Step::Send(t) => format!("> {t}"),
        Step::Expect(t) => format!("< {t}"),
        Step::Match(t) => format!("~ {t}"),
        Step::Raw(t) => format!("raw {t}"),
        Step::Wait(d) => format!("wait {}ms", d.as_millis()),
    }
}

/// An expectation that was not met, with everything needed to see why.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The script line.
    pub line: usize,
    /// What the script last sent.
    pub sent: String,
    /// What the line awaited.
    pub awaited: String,
    /// What arrived instead.
    pub received: String,
    /// The timestamped tail of the serial transcript.
    pub transcript: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "line {}: expectation not met", self.line)?;
        writeln!(f, "  sent:     {}", self.sent)?;
        writeln!(f, "  awaited:  {}", self.awaited)?;
        writeln!(f, "  received: {}", self.received)?;
        write!(f, "transcript tail:\n{}", self.transcript)
    }
}

/// Runs the steps in order, printing each as it runs; `timeout` bounds every wait for the device.
pub async fn run(
    device: &mut Device,
    steps: &[(usize, Resolved)],
    timeout: Duration,
    progress: &mut impl Write,
) -> Result<(), Failure> {
    let mut sent = "(nothing yet)".to_string();
    for (line, step) in steps {
        let _ = writeln!(progress, "{line:>4} {}", describe(step));
        if let Err((awaited, received)) = play(device, step, *line, timeout, &mut sent).await {
            let transcript = device.transcript_tail(TRANSCRIPT_TAIL);
            return Err(Failure { line: *line, sent, awaited, received, transcript });
        }
    }
    Ok(())
}

/// One step; `Err((awaited, received))` when it is not met. `sent` tracks the last thing written.
async fn play(
    device: &mut Device,
    step: &Resolved,
    line: usize,
    timeout: Duration,
    sent: &mut String,
) -> Result<(), (String, String)> {
    match step {
        Resolved::Send(command) => {
            *sent = format!("`{command}` (line {line})");
            device.send_command(command).await.map_err(|e| ("to write the command".into(), error_text(&e)))
        }
        Resolved::Expect(want) => {
            let awaited = format!("the line `{want}`");
            let ok = |text: &str| text == want || visible(text.as_bytes()) == *want;
            let got = device.next_expected(timeout, &awaited, ok).await;
            check(got, ok).map_err(|received| (awaited, received))
        }
        Resolved::Match(regex, pattern) => {
            let awaited = format!("a line matching `{pattern}`");
            let ok = |text: &str| regex.is_match(text) || regex.is_match(&visible(text.as_bytes()));
            let got = device.next_expected(timeout, &awaited, ok).await;
            check(got, ok).map_err(|received| (awaited, received))
        }
        Resolved::Raw(bytes) => {
            let awaited = "the > prompt for raw data".to_string();
            device.prompt(timeout).await.map_err(|e| (awaited, error_text(&e)))?;
            *sent = format!("{} raw bytes (line {line})", bytes.len());
            device.send_raw(bytes).await.map_err(|e| ("to write the raw data".into(), error_text(&e)))
        }
        Resolved::Wait(pause) => {
            tokio::time::sleep(*pause).await;
            Ok(())
        }
    }
}

/// `Err` with what arrived instead when the output is missing or does not satisfy `ok`.
/// A line with control bytes (a `+MQTTSUBRECV` payload) may also be met as the transcript shows it.
fn check(got: Result<Output, DeviceError>, ok: impl Fn(&str) -> bool) -> Result<(), String> {
    match got {
        Ok(output) => {
            let shown = visible(output.text().as_bytes());
            if ok(output.text()) || ok(&shown) {
                Ok(())
            } else {
                Err(format!("`{shown}`"))
            }
        }
        Err(e) => Err(error_text(&e)),
    }
}

fn error_text(error: &DeviceError) -> String {
    match error {
        DeviceError::Timeout { timeout, received, .. } => {
            format!("no line within {} s (the serial line carried: {received})", timeout.as_secs_f64())
        }
        DeviceError::Closed { reason, .. } => format!("the serial line closed ({reason}): the device is gone"),
        other => {
            let mut text = other.to_string();
            let mut source = std::error::Error::source(other);
            while let Some(e) = source {
                text.push_str(&format!(": {e}"));
                source = e.source();
            }
            text
        }
    }
}

fn describe(step: &Resolved) -> String {
    match step {
        Resolved::Send(t) => format!("> {t}"),
        Resolved::Expect(t) => format!("< {t}"),
        Resolved::Match(_, p) => format!("~ {p}"),
        Resolved::Raw(b) => format!("raw {}", visible(b)),
        Resolved::Wait(d) => format!("wait {} ms", d.as_millis()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::parse::parse;

    fn vars() -> Vars {
        let mut v = Vars::default();
        v.set("broker.host", "127.0.0.1");
        v
    }

    #[test]
    fn placeholders_in_patterns_are_literal_and_a_leading_plus_too() {
        let steps = resolve(&parse("~ +MQTTCONNECTED:0,1,\"{broker.host}\",.*").unwrap(), &vars()).unwrap();
        let Resolved::Match(re, _) = &steps[0].1 else { panic!("not a match step") };
        assert!(re.is_match("+MQTTCONNECTED:0,1,\"127.0.0.1\",\"1883\",\"\",0"));
        assert!(!re.is_match("+MQTTCONNECTED:0,1,\"127a0.0.1\",\"1883\",\"\",0"));
        assert!(!re.is_match("x+MQTTCONNECTED:0,1,\"127.0.0.1\",1"), "patterns match whole lines");
    }

    #[test]
    fn a_line_with_control_bytes_is_met_raw_or_as_the_transcript_shows_it() {
        let line = || Ok(Output::Urc("+MQTTSUBRECV:0,\"t\",3,a\r\n".into()));
        assert_eq!(check(line(), |t| t == "+MQTTSUBRECV:0,\"t\",3,a\\r\\n"), Ok(()));
        assert_eq!(check(line(), |t| t == "+MQTTSUBRECV:0,\"t\",3,a\r\n"), Ok(()));
        assert_eq!(check(line(), |t| t == "x"), Err("`+MQTTSUBRECV:0,\"t\",3,a\\r\\n`".into()));
    }

    #[test]
    fn unknown_placeholders_and_bad_patterns_name_the_line() {
        let err = resolve(&parse("> AT\n> AT+X={brokr.host}").unwrap(), &vars()).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.why.contains("unknown placeholder {brokr.host}"), "{err}");
        let err = resolve(&parse("# c\n~ (unclosed").unwrap(), &vars()).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.why.starts_with("bad regular expression"), "{err}");
    }
}
