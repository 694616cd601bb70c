//! Placeholders in feature-file text, expanded before anything is sent or compared.
//!
//! `{broker.host}` and `{port.scheme1}` name where the hosted broker listens;
//! `{N x 'abc'}` (N may be a sum such as `128+1`) is a string of exactly N
//! characters repeating `abc`, for length boundaries. Braces that do not look
//! like a placeholder (JSON in a payload, say) are left alone.

use std::collections::HashMap;

/// A placeholder that looks meant but cannot be expanded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExpandError {
    /// A name placeholder that is not defined.
    #[error("unknown placeholder {{{0}}}; known: {1}")]
    Unknown(String, String),
    /// A repeat placeholder with a bad count or pattern.
    #[error("bad repeat placeholder {{{0}}}: write {{N x 'chars'}}, e.g. {{128+1 x 'a'}}")]
    BadRepeat(String),
}

/// Named values available to placeholders.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: HashMap<String, String>,
}

impl Vars {
    /// Defines `{name}`.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    /// The same names with every value passed through `f` (e.g. escaped for a regular expression).
    pub fn map_values(&self, f: impl Fn(&str) -> String) -> Vars {
        Vars { values: self.values.iter().map(|(k, v)| (k.clone(), f(v))).collect() }
    }

    /// Expands every placeholder in `text`.
    pub fn expand(&self, text: &str) -> Result<String, ExpandError> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let inner = &after[..close];
                    match self.expand_one(inner)? {
                        Some(value) => out.push_str(&value),
                        None => out.push_str(&rest[open..open + close + 2]),
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push_str(&rest[open..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `Ok(None)` when `inner` is not placeholder syntax at all.
    fn expand_one(&self, inner: &str) -> Result<Option<String>, ExpandError> {
        if let Some((count, pattern)) = inner.split_once(" x ") {
            return repeat(count, pattern).map(Some).ok_or_else(|| ExpandError::BadRepeat(inner.into()));
        }
        let is_name = !inner.is_empty()
            && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
            && inner.starts_with(|c: char| c.is_ascii_alphabetic());
        if !is_name {
            return Ok(None);
        }
        match self.values.get(inner) {
            Some(v) => Ok(Some(v.clone())),
            None => {
                let mut known: Vec<_> = self.values.keys().map(|k| format!("{{{k}}}")).collect();
                known.sort();
                Err(ExpandError::Unknown(inner.into(), known.join(", ")))
            }
        }
    }
}

fn repeat(count: &str, pattern: &str) -> Option<String> {
    let n = count.split('+').map(|t| t.trim().parse::<usize>().ok()).sum::<Option<usize>>()?;
    let chars = pattern.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    if chars.is_empty() {
        return None;
    }
    Some(chars.chars().cycle().take(n).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        let mut v = Vars::default();
        v.set("broker.host", "127.0.0.1");
        v.set("port.scheme1", "1883");
        v
    }

    #[test]
    fn names_expand() {
        assert_eq!(
            vars().expand("AT+MQTTCONN=0,\"{broker.host}\",{port.scheme1},0").unwrap(),
            "AT+MQTTCONN=0,\"127.0.0.1\",1883,0"
        );
    }

    #[test]
    fn repeats_have_exact_length() {
        assert_eq!(vars().expand("{3 x 'ab'}").unwrap(), "aba");
        assert_eq!(vars().expand("{128+1 x 'a'}").unwrap().len(), 129);
    }

    #[test]
    fn json_braces_are_left_alone() {
        let text = r#"AT+MQTTPUB=0,"t","\"{\"sensor\":012}\"",1,0"#;
        assert_eq!(vars().expand(text).unwrap(), text);
    }

    #[test]
    fn unknown_names_are_errors_that_list_the_known_ones() {
        let err = vars().expand("{broker.hots}").unwrap_err();
        assert_eq!(err, ExpandError::Unknown("broker.hots".into(), "{broker.host}, {port.scheme1}".into()));
    }

    #[test]
    fn malformed_repeats_are_errors() {
        assert!(matches!(vars().expand("{x x 'a'}"), Err(ExpandError::BadRepeat(_))));
    }
}
