//! Reads the text of a send/expect script into steps, one per line.
//!
//! The format (README, "Console and scripts"):
//!
//! ```text
//! # a comment; blank lines are ignored too
//! > AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0     send this command line (CRLF added)
//! < OK                                                 the next line the device prints is exactly this
//! ~ +MQTTCONNECTED:0,1,.*                              the next line matches this regex (whole line)
//! raw hello\r\n                                        send raw bytes once the > prompt is up
//! wait 500ms                                           pause (ms or s)
//! ```

use std::time::Duration;

/// The longest `wait` a script may ask for: every pause is bounded.
pub const MAX_WAIT: Duration = Duration::from_secs(600);

/// What one script line asks for, placeholders not yet expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `> TEXT`: send TEXT as a command line.
    Send(String),
    /// `< TEXT`: the next device line is exactly TEXT.
    Expect(String),
    /// `~ REGEX`: the next device line matches REGEX as a whole.
    Match(String),
    /// `raw TEXT`: after the `>` prompt, send TEXT with its backslash escapes as bytes.
    Raw(String),
    /// `wait 500ms` / `wait 2s`: pause.
    Wait(Duration),
}

/// A step and the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the script.
    pub number: usize,
    /// What the line asks for.
    pub step: Step,
}

/// A line that is not part of the format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {why}: {text:?}")]
pub struct ScriptError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub why: String,
    /// The line as written.
    pub text: String,
}

/// Parses a whole script; the first malformed line is the error.
pub fn parse(text: &str) -> Result<Vec<Line>, ScriptError> {
    let mut steps = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let step = parse_step(trimmed).map_err(|why| ScriptError { line: number, why, text: line.to_string() })?;
        steps.push(Line { number, step });
    }
    Ok(steps)
}

fn parse_step(line: &str) -> Result<Step, String> {
    if let Some(rest) = marker(line, ">") {
        return non_empty(rest, "nothing to send after `>`").map(Step::Send);
    }
    if let Some(rest) = marker(line, "<") {
        return non_empty(rest, "no line to expect after `<`").map(Step::Expect);
    }
    if let Some(rest) = marker(line, "~") {
        return non_empty(rest, "no pattern after `~`").map(Step::Match);
    }
    if let Some(rest) = keyword(line, "raw") {
        let text = non_empty(rest, "no data after `raw`")?;
        // Escapes are checked now so a typo is reported before anything is sent.
        crate::escapes::unescape(&text).map_err(|e| e.to_string())?;
        return Ok(Step::Raw(text));
    }
    if let Some(rest) = keyword(line, "wait") {
        return parse_wait(rest.trim()).map(Step::Wait);
    }
    Err("not a script line; lines start with `>`, `<`, `~`, `raw`, `wait` or `#`".into())
}

/// The text after a one-character marker and the one space that follows it.
fn marker<'a>(line: &'a str, mark: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(mark)?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

/// The text after a keyword, which must be followed by a space or end the line.
fn keyword<'a>(line: &'a str, word: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(word)?;
    if rest.is_empty() {
        return Some(rest);
    }
    rest.strip_prefix(' ')
}

fn non_empty(text: &str, why: &str) -> Result<String, String> {
    if text.is_empty() {
        Err(why.to_string())
    } else {
        Ok(text.to_string())
    }
}

/// `500ms`, `2s` or `1.5s`, at most [`MAX_WAIT`].
fn parse_wait(text: &str) -> Result<Duration, String> {
    let bad = || format!("`wait` takes a duration such as 500ms or 2s, not {text:?}");
    let (number, unit_ms) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return Err(bad());
    };
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    if !value.is_finite() || value < 0.0 {
        return Err(bad());
    }
    let wait = Duration::from_secs_f64(value * unit_ms / 1000.0);
    if wait > MAX_WAIT {
        return Err(format!("`wait` is limited to {} s", MAX_WAIT.as_secs()));
    }
    Ok(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_line_parses() {
        let text = "# c\n\n> AT\n< OK\n~ +MQTTCONNECTED:.*\nraw ab\\r\\n\nwait 500ms\nwait 2s\n  > indented\r\n";
        let steps: Vec<Step> = parse(text).unwrap().into_iter().map(|l| l.step).collect();
        assert_eq!(
            steps,
            vec![
                Step::Send("AT".into()),
                Step::Expect("OK".into()),
                Step::Match("+MQTTCONNECTED:.*".into()),
                Step::Raw("ab\\r\\n".into()),
                Step::Wait(Duration::from_millis(500)),
                Step::Wait(Duration::from_secs(2)),
                Step::Send("indented".into()),
            ]
        );
    }

    #[test]
    fn line_numbers_count_comments_and_blank_lines() {
        let lines = parse("# c\n\n> AT\n").unwrap();
        assert_eq!(lines[0].number, 3);
    }

    #[test]
    fn malformed_lines_name_their_number() {
        let err = parse("> AT\nsend AT\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.to_string().starts_with("line 2: not a script line"), "{err}");
        assert_eq!(parse("wait soon").unwrap_err().line, 1);
        assert_eq!(parse("wait 11m").unwrap_err().line, 1);
        assert_eq!(parse("wait 601s").unwrap_err().line, 1);
        assert_eq!(parse(">\n").unwrap_err().line, 1);
        assert!(parse("raw a\\q").unwrap_err().why.contains("unknown escape"));
        assert!(parse("rawdata").is_err());
    }
}
