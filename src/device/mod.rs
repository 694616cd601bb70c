//! The serial transport to a device: a board on /dev/ttyUSB0 or the virtual
//! firmware's pseudo-terminal, opened through the same tokio-serial code path.
//!
//! A reader task frames the byte stream ([`frame`]) and timestamps it into the
//! [`transcript`]. The [`Device`] sorts frames into command responses, echo and
//! URCs, and every wait it offers is bounded and names what was sent, what was
//! awaited and what arrived instead.

pub mod frame;
pub mod reset;
pub mod transcript;
pub mod urc;

use std::collections::VecDeque;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_serial::{SerialPortBuilderExt, SerialStream};

use frame::{Frame, Framer};
use transcript::{Direction, Transcript};

/// How a device wait or write failed.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// The port could not be opened.
    #[error("cannot open serial port {port}")]
    Open {
        /// The path given.
        port: String,
        /// Why.
        source: tokio_serial::Error,
    },
    /// Nothing matching arrived in time.
    #[error("sent {sent}; awaited {awaited} for {timeout:?}; received instead: {received}")]
    Timeout {
        /// The last thing written to the device.
        sent: String,
        /// What the wait was for.
        awaited: String,
        /// How long it waited.
        timeout: Duration,
        /// What arrived meanwhile (lines and any partial line).
        received: String,
    },
    /// The line closed or failed: the device reset, was unplugged, or the firmware process ended.
    #[error("the serial line closed ({reason}) while awaiting {awaited} after sending {sent}")]
    Closed {
        /// Why the reader stopped.
        reason: String,
        /// The last thing written.
        sent: String,
        /// What the wait was for.
        awaited: String,
    },
    /// `AT` was answered, but not with `OK`.
    #[error("the device answered AT with {lines:?} instead of OK")]
    RefusedAt {
        /// The lines it answered.
        lines: Vec<String>,
    },
    /// The line had already closed before this write: nothing more can reach the device.
    #[error(
        "cannot send {sent}: the serial line closed earlier ({reason}); \
         the device reset, was unplugged, or its firmware ended"
    )]
    Gone {
        /// What was to be written.
        sent: String,
        /// Why the reader stopped.
        reason: String,
    },
    /// Writing to the port failed.
    #[error("cannot write {sent} to the device")]
    Write {
        /// What was being written.
        sent: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Something the reader task observed.
#[derive(Debug)]
enum Event {
    Frame(Frame),
    Partial(String),
    Closed(String),
}

/// A command's response: its information lines and the line that ended it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Lines before the final result, in order.
    pub lines: Vec<String>,
    /// The final result: `OK`, `ERROR`, `busy p...`, ..., or `>` for the data prompt.
    pub result: String,
}

impl Response {
    /// All lines including the final result, as the device printed them.
    pub fn all_lines(&self) -> Vec<String> {
        let mut v = self.lines.clone();
        v.push(self.result.clone());
        v
    }
}

/// An unsolicited result code with the time it arrived.
#[derive(Debug, Clone)]
pub struct Urc {
    /// The URC as text (for `+MQTTSUBRECV` the payload is included, decoded lossily).
    pub text: String,
    /// When the harness read it.
    pub at: Instant,
}

/// One thing the device printed, echo left out, as a console or script sees the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// A line of a command response.
    Line(String),
    /// A line that ends a response: `OK`, `ERROR`, ..., or `>` for the data prompt.
    Final(String),
    /// An unsolicited result code.
    Urc(String),
}

impl Output {
    /// The text as the device printed it.
    pub fn text(&self) -> &str {
        match self {
            Output::Line(t) | Output::Final(t) | Output::Urc(t) => t,
        }
    }
}

/// An open session with a device on a serial line.
pub struct Device {
    port: String,
    writer: WriteHalf<SerialStream>,
    events: mpsc::UnboundedReceiver<Event>,
    transcript: Transcript,
    /// Commands whose echo may still arrive.
    pending_echo: VecDeque<String>,
    /// Response lines not yet claimed by a wait, with final results in place, each with its arrival number.
    responses: VecDeque<(u64, ResponseItem)>,
    /// URCs not yet claimed, each with its arrival number.
    urcs: VecDeque<(u64, Urc)>,
    /// Arrival number of the next frame: it orders the two queues for [`Device::next_output`].
    arrivals: u64,
    last_sent: String,
    partial: String,
    closed: Option<String>,
    /// A `>` prompt arrived and no raw data has been sent since.
    awaiting_raw: bool,
}

#[derive(Debug, Clone)]
enum ResponseItem {
    Line(String),
    Final(String),
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device").field("port", &self.port).field("last_sent", &self.last_sent).finish()
    }
}

impl Device {
    /// Opens `port` at `baud` and starts reading from it.
    pub fn open(port: &str, baud: u32) -> Result<Self, DeviceError> {
        let stream = tokio_serial::new(port, baud)
            .timeout(Duration::from_millis(100))
            .open_native_async()
            .map_err(|source| DeviceError::Open { port: port.to_string(), source })?;
        let (reader, writer) = tokio::io::split(stream);
        let transcript = Transcript::new();
        let (tx, events) = mpsc::unbounded_channel();
        tokio::spawn(read_loop(reader, tx, transcript.clone()));
        Ok(Self {
            port: port.to_string(),
            writer,
            events,
            transcript,
            pending_echo: VecDeque::new(),
            responses: VecDeque::new(),
            urcs: VecDeque::new(),
            arrivals: 0,
            last_sent: "(nothing yet)".into(),
            partial: String::new(),
            closed: None,
            awaiting_raw: false,
        })
    }

    /// The path this device was opened on.
    pub fn port(&self) -> &str {
        &self.port
    }

    /// The transcript of this device's line.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// Notes a remark in the transcript (for example the start of a scenario).
    pub fn note(&self, text: &str) {
        self.transcript.record(Direction::Note, text.as_bytes());
    }

    /// Forgets unclaimed responses and URCs, e.g. at the start of a scenario.
    pub fn forget_pending(&mut self) {
        self.drain_events();
        self.responses.clear();
        self.urcs.clear();
        self.pending_echo.clear();
    }

    /// Writes a command line terminated by CRLF.
    pub async fn send_command(&mut self, command: &str) -> Result<(), DeviceError> {
        self.drain_events();
        self.pending_echo.push_back(command.to_string());
        self.last_sent = format!("`{command}`");
        self.write(format!("{command}\r\n").as_bytes()).await
    }

    /// Sends `AT` and requires `OK` within `timeout`: whether a device answers on this line at all.
    pub async fn probe(&mut self, timeout: Duration) -> Result<(), DeviceError> {
        self.send_command("AT").await?;
        let response = self.response(timeout).await?;
        if response.result == "OK" {
            Ok(())
        } else {
            Err(DeviceError::RefusedAt { lines: response.all_lines() })
        }
    }

    /// True when the device prompted with `>` and has been sent no raw data since.
    pub fn awaiting_raw(&mut self) -> bool {
        self.drain_events();
        self.awaiting_raw
    }

    /// Writes raw bytes (data after the `>` prompt): no terminator, no echo expected.
    pub async fn send_raw(&mut self, bytes: &[u8]) -> Result<(), DeviceError> {
        self.drain_events();
        self.awaiting_raw = false;
        self.last_sent = format!("{} raw bytes", bytes.len());
        self.write(bytes).await
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), DeviceError> {
        if let Some(reason) = self.closed.clone() {
            return Err(DeviceError::Gone { sent: self.last_sent.clone(), reason });
        }
        self.transcript.record(Direction::Sent, bytes);
        let result = async {
            self.writer.write_all(bytes).await?;
            self.writer.flush().await
        }
        .await;
        result.map_err(|source| DeviceError::Write { sent: self.last_sent.clone(), source })
    }

    /// Waits for the next command response to end, up to `timeout`.
    pub async fn response(&mut self, timeout: Duration) -> Result<Response, DeviceError> {
        let awaited = "a final result (OK, ERROR, busy p..., or the > prompt)";
        self.wait_until(timeout, awaited, |d| d.take_response()).await
    }

    /// Waits for a URC satisfying `matches`, up to `timeout`; it and every URC before it are consumed.
    pub async fn urc(
        &mut self,
        timeout: Duration,
        awaited: &str,
        matches: impl Fn(&str) -> bool,
    ) -> Result<Urc, DeviceError> {
        self.wait_until(timeout, awaited, |d| {
            let i = d.urcs.iter().position(|(_, u)| matches(&u.text))?;
            d.urcs.drain(..=i).next_back().map(|(_, u)| u)
        })
        .await
    }

    /// URCs received and not yet consumed.
    pub fn pending_urcs(&mut self) -> Vec<String> {
        self.drain_events();
        self.urcs.iter().map(|(_, u)| u.text.clone()).collect()
    }

    /// Waits for the next thing the device prints (echo left out), response line or URC, in arrival order.
    pub async fn next_output(&mut self, timeout: Duration, awaited: &str) -> Result<Output, DeviceError> {
        self.wait_until(timeout, awaited, Self::take_output).await
    }

    /// Waits for what an expectation asks for: a pending URC that `wanted` accepts (URCs come at
    /// any time, so one may have overtaken a response line), otherwise the next response line in
    /// order. URCs that `wanted` does not accept stay pending for a later expectation.
    pub async fn next_expected(
        &mut self,
        timeout: Duration,
        awaited: &str,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<Output, DeviceError> {
        self.wait_until(timeout, awaited, |d| {
            if let Some(i) = d.urcs.iter().position(|(_, u)| wanted(&u.text)) {
                return d.urcs.remove(i).map(|(_, u)| Output::Urc(u.text));
            }
            d.responses.pop_front().map(|(_, item)| match item {
                ResponseItem::Line(l) => Output::Line(l),
                ResponseItem::Final(f) => Output::Final(f),
            })
        })
        .await
    }

    /// Waits until the device prompts with `>` for raw data, consuming nothing.
    pub async fn prompt(&mut self, timeout: Duration) -> Result<(), DeviceError> {
        self.wait_until(timeout, "the > prompt for raw data", |d| d.awaiting_raw.then_some(())).await
    }

    /// The last `transcript_lines` transcript entries, timestamped, for an error message.
    pub fn transcript_tail(&self, transcript_lines: usize) -> String {
        self.transcript.render_since(self.transcript.mark().saturating_sub(transcript_lines))
    }

    /// Takes the earliest unclaimed response line or URC.
    fn take_output(&mut self) -> Option<Output> {
        let response = self.responses.front().map(|(n, _)| *n);
        let urc = self.urcs.front().map(|(n, _)| *n);
        match (response, urc) {
            (Some(r), Some(u)) if u < r => self.urcs.pop_front().map(|(_, u)| Output::Urc(u.text)),
            (Some(_), _) => self.responses.pop_front().map(|(_, item)| match item {
                ResponseItem::Line(l) => Output::Line(l),
                ResponseItem::Final(f) => Output::Final(f),
            }),
            (None, Some(_)) => self.urcs.pop_front().map(|(_, u)| Output::Urc(u.text)),
            (None, None) => None,
        }
    }

    async fn wait_until<T>(
        &mut self,
        timeout: Duration,
        awaited: &str,
        mut check: impl FnMut(&mut Self) -> Option<T>,
    ) -> Result<T, DeviceError> {
        let deadline = Instant::now() + timeout;
        let start_mark = self.transcript.mark();
        loop {
            self.drain_events();
            if let Some(found) = check(self) {
                return Ok(found);
            }
            if let Some(reason) = &self.closed {
                return Err(DeviceError::Closed {
                    reason: reason.clone(),
                    sent: self.last_sent.clone(),
                    awaited: awaited.to_string(),
                });
            }
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(event)) => self.absorb(event),
                Ok(None) => self.closed = Some("reader task ended".into()),
                Err(_) => {
                    return Err(DeviceError::Timeout {
                        sent: self.last_sent.clone(),
                        awaited: awaited.to_string(),
                        timeout,
                        received: self.received_since(start_mark),
                    })
                }
            }
        }
    }

    fn received_since(&self, mark: usize) -> String {
        let lines: Vec<String> = self
            .transcript
            .since(mark.saturating_sub(8))
            .into_iter()
            .filter(|e| e.direction == Direction::Received)
            .map(|e| e.text)
            .collect();
        let mut s = if lines.is_empty() { "nothing".to_string() } else { lines.join(" | ") };
        if !self.partial.is_empty() {
            s.push_str(&format!(" (incomplete line: {:?})", self.partial));
        }
        s
    }

    fn drain_events(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            self.absorb(event);
        }
    }

    fn absorb(&mut self, event: Event) {
        match event {
            Event::Frame(frame) => {
                self.partial.clear();
                self.sort_frame(frame);
            }
            Event::Partial(p) => self.partial = p,
            Event::Closed(reason) => {
                self.transcript.record(Direction::Note, format!("line closed: {reason}").as_bytes());
                self.closed = Some(reason);
            }
        }
    }

    /// Decides whether a frame is echo, a URC, or part of a response.
    fn sort_frame(&mut self, frame: Frame) {
        match frame {
            Frame::Prompt => {
                self.awaiting_raw = true;
                self.finish_response(">".into());
            }
            Frame::SubRecv { text, .. } => self.push_urc(text),
            Frame::Line(line) => {
                if let Some(i) = self.pending_echo.iter().position(|c| *c == line) {
                    self.pending_echo.drain(..=i);
                } else if urc::is_urc(&line) {
                    if line == "ready" {
                        // A device that restarted no longer waits for raw data.
                        self.awaiting_raw = false;
                    }
                    self.push_urc(line);
                } else if urc::is_final_result(&line) {
                    self.finish_response(line);
                } else {
                    self.push_response(ResponseItem::Line(line));
                }
            }
        }
    }

    fn finish_response(&mut self, result: String) {
        // Once a command has its result, its echo can no longer come.
        self.pending_echo.pop_front();
        self.push_response(ResponseItem::Final(result));
    }

    fn push_urc(&mut self, text: String) {
        self.arrivals += 1;
        self.urcs.push_back((self.arrivals, Urc { text, at: Instant::now() }));
    }

    fn push_response(&mut self, item: ResponseItem) {
        self.arrivals += 1;
        self.responses.push_back((self.arrivals, item));
    }

    fn take_response(&mut self) -> Option<Response> {
        let end = self.responses.iter().position(|(_, i)| matches!(i, ResponseItem::Final(_)))?;
        let mut lines = Vec::new();
        let mut result = String::new();
        for (_, item) in self.responses.drain(..=end) {
            match item {
                ResponseItem::Line(l) => lines.push(l),
                ResponseItem::Final(r) => result = r,
            }
        }
        Some(Response { lines, result })
    }
}

/// Reads the port until it fails, forwarding frames and recording the transcript.
async fn read_loop(mut reader: ReadHalf<SerialStream>, tx: mpsc::UnboundedSender<Event>, transcript: Transcript) {
    let mut framer = Framer::default();
    let mut buf = vec![0u8; 4096];
    loop {
        let n = match reader.read(&mut buf).await {
            Ok(0) => {
                let _ = tx.send(Event::Closed("end of file".into()));
                return;
            }
            Ok(n) => n,
            // A serial read timeout only means the line was quiet.
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
            Err(e) => {
                let _ = tx.send(Event::Closed(e.to_string()));
                return;
            }
        };
        transcript.record(Direction::Received, &buf[..n]);
        framer.push(&buf[..n]);
        while let Some(frame) = framer.next_frame() {
            if tx.send(Event::Frame(frame)).is_err() {
                return;
            }
        }
        let _ = tx.send(Event::Partial(framer.partial()));
    }
}
