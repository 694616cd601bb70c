//! Splits the raw byte stream of an AT serial line into frames.
//!
//! Three shapes arrive on an ESP-AT line (ESP-AT reference §2.1, §2.2, §6):
//! CRLF-terminated text lines, the data-input prompt `>` that is followed by
//! nothing at all, and `+MQTTSUBRECV` whose payload is length-framed and may
//! itself contain CR or LF. Splitting on newlines alone would corrupt the
//! last, so the framer reads the announced length.

use bytes::{Buf, BytesMut};

/// One unit of device output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A text line without its line terminator.
    Line(String),
    /// The `>` prompt: the device waits for raw data.
    Prompt,
    /// A `+MQTTSUBRECV` URC, read by its announced length.
    SubRecv {
        /// The whole URC as text (payload decoded lossily), for matching and transcripts.
        text: String,
        /// The payload bytes exactly as received.
        payload: Vec<u8>,
    },
}

const SUBRECV: &[u8] = b"+MQTTSUBRECV:";

/// Incremental framer: feed bytes, take frames.
#[derive(Debug, Default)]
pub struct Framer {
    buf: BytesMut,
}

impl Framer {
    /// Appends bytes read from the line.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received that do not form a complete frame yet.
    pub fn partial(&self) -> String {
        String::from_utf8_lossy(&self.buf).into_owned()
    }

    /// Returns the next complete frame, if any. Empty lines are skipped.
    pub fn next_frame(&mut self) -> Option<Frame> {
        loop {
            self.skip_line_breaks();
            if self.buf.is_empty() {
                return None;
            }
            if self.buf[0] == b'>' {
                self.buf.advance(1);
                return Some(Frame::Prompt);
            }
            if self.buf.starts_with(SUBRECV) {
                match subrecv_frame_len(&self.buf) {
                    SubRecvLen::Complete { header, total } => {
                        let frame = self.buf.split_to(total);
                        let payload = frame[header..total - 2].to_vec();
                        let text = String::from_utf8_lossy(&frame[..total - 2]).into_owned();
                        return Some(Frame::SubRecv { text, payload });
                    }
                    SubRecvLen::NeedMore => return None,
                    SubRecvLen::Malformed => {} // fall back to plain line framing
                }
            }
            let newline = self.buf.iter().position(|&b| b == b'\n')?;
            let raw = self.buf.split_to(newline + 1);
            let text = String::from_utf8_lossy(&raw[..newline]);
            let line = text.trim_end_matches('\r');
            if !line.is_empty() {
                return Some(Frame::Line(line.to_string()));
            }
        }
    }

    fn skip_line_breaks(&mut self) {
        let n = self.buf.iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
        self.buf.advance(n);
    }
}

enum SubRecvLen {
    Complete { header: usize, total: usize },
    NeedMore,
    Malformed,
}

/// Parses `+MQTTSUBRECV:<link>,"<topic>",<len>,` and works out how many bytes
/// the whole URC spans, including the payload and its trailing CRLF.
fn subrecv_frame_len(buf: &[u8]) -> SubRecvLen {
    // The topic is printed unescaped (reference §2.1), so look for the
    // `",<digits>,` that closes it rather than for the first quote.
    let mut i = SUBRECV.len();
    while i < buf.len() && buf[i].is_ascii_digit() {
        i += 1;
    }
    if i + 1 >= buf.len() {
        return SubRecvLen::NeedMore;
    }
    if buf[i] != b',' || buf[i + 1] != b'"' {
        return SubRecvLen::Malformed;
    }
    let mut j = i + 2;
    loop {
        let Some(q) = buf[j..].iter().position(|&b| b == b'"') else {
            return if buf.len() - i > 512 { SubRecvLen::Malformed } else { SubRecvLen::NeedMore };
        };
        let after = j + q + 1;
        match length_field(&buf[after..]) {
            LengthField::Found { len, consumed } => {
                let header = after + consumed;
                let total = header + len + 2;
                if buf.len() < total {
                    return SubRecvLen::NeedMore;
                }
                if &buf[total - 2..total] == b"\r\n" {
                    return SubRecvLen::Complete { header, total };
                }
                // The payload is not followed by CRLF: that quote was part of the topic.
                j = after;
            }
            LengthField::NeedMore => return SubRecvLen::NeedMore,
            LengthField::NotHere => j = after,
        }
    }
}

enum LengthField {
    Found { len: usize, consumed: usize },
    NeedMore,
    NotHere,
}

/// Reads `,<digits>,` at the start of `rest`.
fn length_field(rest: &[u8]) -> LengthField {
    if rest.is_empty() {
        return LengthField::NeedMore;
    }
    if rest[0] != b',' {
        return LengthField::NotHere;
    }
    let digits = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
    match rest.get(1 + digits) {
        None => LengthField::NeedMore,
        Some(b',') if digits > 0 => match std::str::from_utf8(&rest[1..1 + digits]).ok().and_then(|s| s.parse().ok()) {
            Some(len) => LengthField::Found { len, consumed: digits + 2 },
            None => LengthField::NotHere,
        },
        Some(_) => LengthField::NotHere,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Frame> {
        let mut f = Framer::default();
        f.push(input);
        std::iter::from_fn(|| f.next_frame()).collect()
    }

    #[test]
    fn crlf_lines_are_split_and_blank_lines_dropped() {
        assert_eq!(frames(b"AT\r\n\r\nOK\r\n"), vec![Frame::Line("AT".into()), Frame::Line("OK".into())]);
    }

    #[test]
    fn prompt_needs_no_line_terminator() {
        assert_eq!(frames(b"\r\nOK\r\n\r\n>"), vec![Frame::Line("OK".into()), Frame::Prompt]);
    }

    #[test]
    fn subrecv_payload_may_contain_line_breaks() {
        let got = frames(b"+MQTTSUBRECV:0,\"t/a\",5,a\r\nbc\r\nOK\r\n");
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[0],
            Frame::SubRecv { text: "+MQTTSUBRECV:0,\"t/a\",5,a\r\nbc".into(), payload: b"a\r\nbc".to_vec() }
        );
        assert_eq!(got[1], Frame::Line("OK".into()));
    }

    #[test]
    fn subrecv_topic_may_contain_quotes_and_commas() {
        // Topic `a",1,b`: the first `",1,` candidate is not followed by CRLF after 1 byte.
        let got = frames(b"+MQTTSUBRECV:0,\"a\",1,b\",2,xy\r\n");
        assert_eq!(
            got,
            vec![Frame::SubRecv { text: "+MQTTSUBRECV:0,\"a\",1,b\",2,xy".into(), payload: b"xy".to_vec() }]
        );
    }

    #[test]
    fn incomplete_subrecv_waits_for_its_payload() {
        let mut f = Framer::default();
        f.push(b"+MQTTSUBRECV:0,\"t\",4,ab");
        assert_eq!(f.next_frame(), None);
        f.push(b"cd\r\n");
        assert_eq!(
            f.next_frame(),
            Some(Frame::SubRecv { text: "+MQTTSUBRECV:0,\"t\",4,abcd".into(), payload: b"abcd".to_vec() })
        );
    }

    #[test]
    fn partial_line_is_reported() {
        let mut f = Framer::default();
        f.push(b"OK\r\nbus");
        assert_eq!(f.next_frame(), Some(Frame::Line("OK".into())));
        assert_eq!(f.next_frame(), None);
        assert_eq!(f.partial(), "bus");
    }

    #[test]
    fn malformed_subrecv_falls_back_to_a_line() {
        assert_eq!(frames(b"+MQTTSUBRECV:x\r\n"), vec![Frame::Line("+MQTTSUBRECV:x".into())]);
    }
}
