//! The timestamped record of everything that crossed the serial line.
//!
//! The transcript is data, not log noise: it is kept for every scenario and
//! written out for every failure, so a person can see exactly what the device
//! said and when.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Which way a transcript entry travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Host to device.
    Sent,
    /// Device to host.
    Received,
    /// A remark of the harness (scenario start, device closed, ...).
    Note,
}

/// One timestamped transcript entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Seconds since the transcript was opened.
    pub at: f64,
    /// Which way the bytes went.
    pub direction: Direction,
    /// The text, with control characters made visible.
    pub text: String,
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let arrow = match self.direction {
            Direction::Sent => "->",
            Direction::Received => "<-",
            Direction::Note => "##",
        };
        write!(f, "[{:>10.3}s] {arrow} {}", self.at, self.text)
    }
}

/// A shared, append-only transcript.
#[derive(Debug, Clone)]
pub struct Transcript {
    inner: Arc<Mutex<Vec<Entry>>>,
    opened: Instant,
    opened_unix: f64,
}

impl Default for Transcript {
    fn default() -> Self {
        Self::new()
    }
}

impl Transcript {
    /// Starts an empty transcript; timestamps count from now.
    pub fn new() -> Self {
        let opened_unix = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
        Self { inner: Arc::default(), opened: Instant::now(), opened_unix }
    }

    /// Appends an entry stamped with the current time.
    pub fn record(&self, direction: Direction, bytes: &[u8]) {
        let entry = Entry { at: self.opened.elapsed().as_secs_f64(), direction, text: visible(bytes) };
        self.inner.lock().expect("transcript lock").push(entry);
    }

    /// Number of entries so far: a mark to slice from later.
    pub fn mark(&self) -> usize {
        self.inner.lock().expect("transcript lock").len()
    }

    /// Entries from `mark` on.
    pub fn since(&self, mark: usize) -> Vec<Entry> {
        let entries = self.inner.lock().expect("transcript lock");
        entries.get(mark..).map(<[Entry]>::to_vec).unwrap_or_default()
    }

    /// Entries from `mark` on, rendered one per line, with a header giving the wall-clock origin.
    pub fn render_since(&self, mark: usize) -> String {
        let mut out = format!("# serial transcript; t=0 is unix time {:.3}\n", self.opened_unix);
        for e in self.since(mark) {
            out.push_str(&e.to_string());
            out.push('\n');
        }
        out
    }
}

/// Renders bytes as text with CR, LF and other control bytes escaped.
pub fn visible(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for ch in String::from_utf8_lossy(bytes).chars() {
        match ch {
            '\r' => s.push_str("\\r"),
            '\n' => s.push_str("\\n"),
            c if c.is_control() => s.push_str(&format!("\\x{:02x}", c as u32)),
            c => s.push(c),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_bytes_are_made_visible() {
        assert_eq!(visible(b"OK\r\n\x01>"), "OK\\r\\n\\x01>");
    }

    #[test]
    fn since_mark_returns_only_later_entries() {
        let t = Transcript::new();
        t.record(Direction::Sent, b"AT\r\n");
        let mark = t.mark();
        t.record(Direction::Received, b"OK\r\n");
        let later = t.since(mark);
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].text, "OK\\r\\n");
        assert!(t.render_since(0).contains("-> AT\\r\\n"));
    }
}
