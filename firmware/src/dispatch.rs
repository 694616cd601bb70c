//! The command loop: frames input into lines, echoes them, runs one command at a time, and
//! answers `busy p...` to lines that arrive while a command is still running.

use std::future::Future;

use tokio::sync::mpsc;

use crate::commands::{Firmware, Reply};
use crate::error_code::CommandError;
use crate::faults::{Fault, LIFTED_LINE_LIMIT};
use crate::line::{is_too_long, LineFramer, MAX_COMMAND_LEN};
use crate::output::{Output, BUSY, OK_PROMPT};

/// Bytes from the pty reader plus the framer that splits them.
pub struct Input {
    rx: mpsc::UnboundedReceiver<Vec<u8>>,
    framer: LineFramer,
}

impl Input {
    /// Wraps the channel the pty reader task feeds.
    pub fn new(rx: mpsc::UnboundedReceiver<Vec<u8>>) -> Self {
        Self { rx, framer: LineFramer::default() }
    }

    /// Forgets partial lines and raw data not yet consumed, as a power cut would.
    pub fn discard_pending(&mut self) {
        self.framer = LineFramer::default();
        while self.rx.try_recv().is_ok() {}
    }

    /// The next command line; `None` when the reader has gone.
    async fn next_line(&mut self) -> Option<Vec<u8>> {
        loop {
            if let Some(line) = self.framer.next_line() {
                return Some(line);
            }
            let chunk = self.rx.recv().await?;
            self.framer.push(&chunk);
        }
    }

    /// Exactly `len` raw bytes after a `>` prompt (ESP-AT reference §2.6: no timeout, no escape).
    async fn raw(&mut self, len: usize) -> Option<Vec<u8>> {
        loop {
            if let Some(data) = self.framer.take_raw(len) {
                return Some(data);
            }
            let chunk = self.rx.recv().await?;
            self.framer.push(&chunk);
        }
    }

    /// Runs `work` while answering every complete line that arrives meanwhile with `busy p...`
    /// (ESP-AT reference §3 "busy").
    async fn while_busy<F: Future>(&mut self, echo: bool, out: &Output, work: F) -> F::Output {
        // Lines that came in the same read as the command are just as early as later ones.
        self.answer_busy(&[], echo, out);
        tokio::pin!(work);
        loop {
            tokio::select! {
                biased;
                result = &mut work => return result,
                chunk = self.rx.recv() => match chunk {
                    Some(c) => self.answer_busy(&c, echo, out),
                    None => return work.await,
                },
            }
        }
    }

    fn answer_busy(&mut self, chunk: &[u8], echo: bool, out: &Output) {
        self.framer.push(chunk);
        while let Some(line) = self.framer.next_line() {
            tracing::debug!(line = %String::from_utf8_lossy(&line), "busy");
            if echo {
                out.write(echoed(&line));
            }
            out.write(BUSY);
        }
    }
}

/// The echo of a line: the line as received plus CRLF.
fn echoed(line: &[u8]) -> Vec<u8> {
    let mut e = line.to_vec();
    e.extend_from_slice(b"\r\n");
    e
}

/// Serves commands until the input ends.
pub async fn serve(fw: &mut Firmware, input: &mut Input, out: &Output) {
    while let Some(line) = input.next_line().await {
        tracing::debug!(line = %String::from_utf8_lossy(&line), "command");
        // ATE0 itself is still echoed: echo was on when it arrived.
        let echo = fw.echo;
        if echo {
            out.write(echoed(&line));
        }
        // The long_line fault stands for a build with a bigger command buffer, for this one line.
        let limit = if fw.faults.take(Fault::LongLine) { LIFTED_LINE_LIMIT } else { MAX_COMMAND_LEN };
        if is_too_long(&line, limit) {
            fw.respond(Err(CommandError::Plain));
            continue;
        }
        match input.while_busy(echo, out, fw.execute(&line)).await {
            Ok(Reply::RawInput(raw)) => {
                out.write(OK_PROMPT);
                let Some(data) = input.raw(raw.len).await else { return };
                input.while_busy(echo, out, fw.finish_raw(raw, data)).await;
            }
            result => fw.respond(result),
        }
    }
}
