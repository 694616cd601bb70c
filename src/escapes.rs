//! Backslash escapes for raw bytes written as text: `:raw` in the console, `raw` in a script,
//! and raw data, payloads and noise in feature files.
//!
//! Raw data after a `>` prompt is bytes, often with CR, LF or binary in it,
//! which a line of text cannot hold: `\r`, `\n`, `\t`, `\0`, `\"`, `\\` and `\xNN` spell them.
//! AT command lines are never unescaped: their backslashes are the firmware's own escapes.

/// A backslash escape that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EscapeError {
    /// A backslash followed by a character that is not an escape.
    #[error("unknown escape \\{0} at character {1}; use \\r \\n \\t \\0 \\\" \\\\ or \\xNN")]
    Unknown(char, usize),
    /// `\x` not followed by two hex digits.
    #[error("\\x at character {0} needs two hex digits, e.g. \\x1a")]
    BadHex(usize),
    /// A lone backslash at the end.
    #[error("a lone backslash ends the text; write \\\\ for a backslash")]
    Trailing,
}

/// Turns `text` with escapes into the bytes it stands for.
pub fn unescape(text: &str) -> Result<Vec<u8>, EscapeError> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some((_, 'r')) => out.push(b'\r'),
            Some((_, 'n')) => out.push(b'\n'),
            Some((_, 't')) => out.push(b'\t'),
            Some((_, '0')) => out.push(0),
            Some((_, '"')) => out.push(b'"'),
            Some((_, '\\')) => out.push(b'\\'),
            Some((_, 'x')) => {
                let hex: String = chars.by_ref().take(2).map(|(_, h)| h).collect();
                let byte = (hex.len() == 2).then(|| u8::from_str_radix(&hex, 16).ok()).flatten();
                out.push(byte.ok_or(EscapeError::BadHex(at + 1))?);
            }
            Some((_, other)) => return Err(EscapeError::Unknown(other, at + 1)),
            None => return Err(EscapeError::Trailing),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_become_bytes() {
        assert_eq!(unescape(r"a\r\nb\x00\x1A\\\t").unwrap(), b"a\r\nb\x00\x1a\\\t");
    }

    #[test]
    fn plain_text_is_kept_including_utf8() {
        assert_eq!(unescape("héllo {x}").unwrap(), "héllo {x}".as_bytes());
    }

    #[test]
    fn bad_escapes_are_errors() {
        assert_eq!(unescape(r"ab\q"), Err(EscapeError::Unknown('q', 3)));
        assert_eq!(unescape(r"\x4"), Err(EscapeError::BadHex(1)));
        assert_eq!(unescape(r"\xzz"), Err(EscapeError::BadHex(1)));
        assert_eq!(unescape("a\\"), Err(EscapeError::Trailing));
    }
}
