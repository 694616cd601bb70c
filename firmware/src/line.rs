//! Input framing: turns the bytes from the serial line into command lines, or raw data for `>` prompts.
//!
//! ESP-AT reference §3 says commands end in CR-LF; we also accept a lone CR or LF so a person
//! on picocom (which sends CR only) can type commands. A CR directly followed by LF is one terminator.

/// ESP-AT reference §2.4 and every command's note in the spec: the whole command must be *less than* 256 bytes.
pub const MAX_COMMAND_LEN: usize = 255;

/// Splits incoming bytes into lines and raw blocks.
#[derive(Debug, Default)]
pub struct LineFramer {
    buf: Vec<u8>,
    /// The last line ended in CR at the end of the buffer: a LF arriving next belongs to it.
    skip_lf: bool,
}

impl LineFramer {
    /// Appends bytes read from the line.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next non-empty line without its terminator, if a whole one has arrived.
    pub fn next_line(&mut self) -> Option<Vec<u8>> {
        loop {
            self.drop_pending_lf();
            let end = self.buf.iter().position(|&b| b == b'\r' || b == b'\n')?;
            let line: Vec<u8> = self.buf.drain(..end).collect();
            let terminator = self.buf.remove(0);
            if terminator == b'\r' {
                self.skip_lf = true;
            }
            if !line.is_empty() {
                return Some(line);
            }
        }
    }

    /// Exactly `len` raw bytes (after a `>` prompt: no echo, no escapes, no terminator), once they have arrived.
    pub fn take_raw(&mut self, len: usize) -> Option<Vec<u8>> {
        self.drop_pending_lf();
        if self.buf.len() < len {
            return None;
        }
        Some(self.buf.drain(..len).collect())
    }

    /// Drops the LF of a CR-LF pair that was split across two reads.
    fn drop_pending_lf(&mut self) {
        if !self.skip_lf || self.buf.is_empty() {
            return;
        }
        self.skip_lf = false;
        if self.buf[0] == b'\n' {
            self.buf.remove(0);
        }
    }
}

/// Whether a command line (without terminator) is longer than `limit` bytes, normally [`MAX_COMMAND_LEN`].
pub fn is_too_long(line: &[u8], limit: usize) -> bool {
    line.len() > limit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut f = LineFramer::default();
        let mut out = Vec::new();
        for chunk in input {
            f.push(chunk);
            while let Some(l) = f.next_line() {
                out.push(l);
            }
        }
        out
    }

    #[test]
    fn crlf_cr_and_lf_all_end_a_line() {
        assert_eq!(lines(&[b"AT\r\nATE0\rATE1\n"]), vec![b"AT".to_vec(), b"ATE0".to_vec(), b"ATE1".to_vec()]);
    }

    #[test]
    fn empty_lines_are_ignored() {
        assert_eq!(lines(&[b"\r\n\r\n\nAT\r\n\r"]), vec![b"AT".to_vec()]);
    }

    #[test]
    fn partial_line_waits_for_terminator() {
        assert_eq!(lines(&[b"AT+GM", b"R\r", b"\nAT\r\n"]), vec![b"AT+GMR".to_vec(), b"AT".to_vec()]);
    }

    #[test]
    fn raw_block_follows_split_crlf() {
        let mut f = LineFramer::default();
        f.push(b"AT+MQTTPUBRAW=0,\"t\",3,0,0\r");
        assert!(f.next_line().is_some());
        assert_eq!(f.take_raw(3), None);
        f.push(b"\nab");
        assert_eq!(f.take_raw(3), None);
        f.push(b"\r\nAT\r\n");
        assert_eq!(f.take_raw(3), Some(b"ab\r".to_vec()));
        assert_eq!(f.next_line(), Some(b"AT".to_vec()));
    }

    #[test]
    fn raw_block_may_contain_terminators() {
        let mut f = LineFramer::default();
        f.push(b"\r\nA\nB");
        assert_eq!(f.take_raw(5), Some(b"\r\nA\nB".to_vec()));
    }

    #[test]
    fn command_of_255_bytes_is_accepted_256_is_not() {
        assert!(!is_too_long(&[b'A'; 255], MAX_COMMAND_LEN));
        assert!(is_too_long(&[b'A'; 256], MAX_COMMAND_LEN));
    }
}
