//! `atconform console`: an interactive AT line console on a board or a virtual firmware.
//!
//! What is typed is sent as an AT command (placeholders such as `{broker.host}`
//! expanded); what the device prints is shown as it arrives, URCs included,
//! even while the next command is being typed. Lines starting with `:` are the
//! console's own: `:raw TEXT` sends raw data after a `>` prompt, `:quit` leaves.

pub mod input;

use std::time::Duration;

use crate::device::transcript::visible;
use crate::device::{Device, DeviceError, Output};
use crate::escapes::unescape;
use crate::expand::Vars;
use input::{Input, Printer, Typed};

/// How long an idle console waits for device output before looking at the keyboard again.
const IDLE_POLL: Duration = Duration::from_secs(1);

/// The console's own help.
pub const HELP: &str = "\
## type an AT command and Enter to send it; {broker.host} and {port.schemeN} are expanded
## :raw TEXT   send TEXT as raw data after a > prompt (escapes \\r \\n \\t \\\\ \\xNN)
## :help       this text
## :quit       leave (so does Ctrl-D); Ctrl-C clears the line, or stops waiting for a reply";

/// Why the console ended without being asked to.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// The device closed the serial line.
    #[error("the device is gone: the serial line closed ({0})")]
    DeviceGone(String),
    /// Writing to the device failed.
    #[error("cannot write to the device: {0}")]
    Write(String),
    /// The terminal or standard input failed.
    #[error("{0}")]
    Input(String),
}

/// What to do after a typed line.
enum Flow {
    Continue,
    Quit,
}

/// A console session over an open device.
#[derive(Debug)]
pub struct Console<'a> {
    /// The device.
    pub device: &'a mut Device,
    /// The broker's placeholders.
    pub vars: &'a Vars,
    /// How long a command may take to end with a final result.
    pub timeout: Duration,
    /// Where output goes.
    pub printer: Printer,
}

impl Console<'_> {
    /// Runs until `:quit`, Ctrl-D or the end of input (`Ok`), or until the device goes away (`Err`).
    pub async fn run(&mut self, mut input: Input) -> Result<(), ConsoleError> {
        let interactive = input.interactive();
        loop {
            tokio::select! {
                typed = input.lines.recv() => {
                    let line = match typed {
                        None | Some(Typed::End) => return Ok(()),
                        Some(Typed::Failed(why)) => return Err(ConsoleError::Input(why)),
                        Some(Typed::Line(line)) => line,
                    };
                    if !interactive {
                        // Piped commands are shown, so the output reads like a session.
                        self.printer.line(&format!("{}{line}", input::PROMPT));
                    }
                    let flow = self.handle(&line, interactive).await?;
                    input.done();
                    if matches!(flow, Flow::Quit) {
                        return Ok(());
                    }
                }
                output = self.device.next_output(IDLE_POLL, "device output") => self.show(output)?,
            }
        }
    }

    async fn handle(&mut self, line: &str, interactive: bool) -> Result<Flow, ConsoleError> {
        let trimmed = line.trim();
        match trimmed.split_once(' ').map_or((trimmed, ""), |(c, rest)| (c, rest)) {
            ("", _) => {}
            (":quit", _) => return Ok(Flow::Quit),
            (":help", _) => self.printer.line(HELP),
            (":raw", text) => self.send_raw(text, interactive).await?,
            (other, _) if other.starts_with(':') => {
                self.note(&format!("unknown console command {other}; :help lists them"));
            }
            _ => self.send_command(trimmed, interactive).await?,
        }
        Ok(Flow::Continue)
    }

    async fn send_command(&mut self, command: &str, interactive: bool) -> Result<(), ConsoleError> {
        let command = match self.vars.expand(command) {
            Ok(c) => c,
            Err(e) => {
                self.note(&format!("{e}; nothing sent"));
                return Ok(());
            }
        };
        if self.device.awaiting_raw() {
            // Sent now, the command would be taken as the message: the device waits for raw data.
            self.note("the device waits for raw data after its > prompt: send it with :raw TEXT; nothing sent");
            return Ok(());
        }
        self.device.send_command(&command).await.map_err(|e| write_error(&e))?;
        self.await_reply(|o| matches!(o, Output::Final(_)), "a final result", interactive).await
    }

    async fn send_raw(&mut self, text: &str, interactive: bool) -> Result<(), ConsoleError> {
        let bytes =
            self.vars.expand(text).map_err(|e| e.to_string()).and_then(|t| unescape(&t).map_err(|e| e.to_string()));
        let refusal = match &bytes {
            Ok(b) if b.is_empty() => Some("nothing to send: write :raw TEXT".to_string()),
            Ok(_) => None,
            Err(e) => Some(format!("{e}; nothing sent")),
        };
        if let Some(why) = refusal {
            self.note(&why);
            return Ok(());
        }
        let bytes = bytes.unwrap_or_default();
        if !self.await_prompt(interactive).await? {
            return Ok(());
        }
        self.device.send_raw(&bytes).await.map_err(|e| write_error(&e))?;
        let done = |o: &Output| matches!(o, Output::Final(_) | Output::Urc(_));
        self.await_reply(done, "a reply to the raw data", interactive).await
    }

    /// Shows output until `done` says a line ends the reply, the timeout passes, or (interactive) Ctrl-C.
    async fn await_reply(
        &mut self,
        done: impl Fn(&Output) -> bool,
        awaited: &str,
        interactive: bool,
    ) -> Result<(), ConsoleError> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            let output = tokio::select! {
                output = self.device.next_output(remaining, awaited) => output,
                _ = ctrl_c(interactive) => {
                    self.note("stopped waiting; whatever arrives later is still shown");
                    return Ok(());
                }
            };
            if let Err(DeviceError::Timeout { .. }) = &output {
                self.note(&format!("no {awaited} within {} s; still listening", self.timeout.as_secs_f64()));
                return Ok(());
            }
            let finished = output.as_ref().is_ok_and(&done);
            self.show(output)?;
            if finished {
                return Ok(());
            }
        }
    }

    /// Waits (bounded) for the `>` prompt, then shows what came before it; false when it did not come.
    async fn await_prompt(&mut self, interactive: bool) -> Result<bool, ConsoleError> {
        let prompt = tokio::select! {
            prompt = self.device.prompt(self.timeout) => prompt,
            _ = ctrl_c(interactive) => {
                self.note("stopped waiting for the > prompt; nothing sent");
                return Ok(false);
            }
        };
        match prompt {
            Ok(()) => {}
            Err(DeviceError::Timeout { .. }) => {
                let secs = self.timeout.as_secs_f64();
                self.note(&format!("no > prompt within {secs} s (send e.g. AT+MQTTPUBRAW first); nothing sent"));
                return Ok(false);
            }
            Err(e) => return Err(write_error(&e)),
        }
        // The prompt is shown before the reply to the raw data.
        loop {
            match self.device.next_output(Duration::ZERO, "output before the prompt").await {
                Err(DeviceError::Timeout { .. }) => return Ok(true),
                output => self.show(output)?,
            }
        }
    }

    /// Prints device output; a quiet line is fine, a closed one ends the console.
    fn show(&mut self, output: Result<Output, DeviceError>) -> Result<(), ConsoleError> {
        match output {
            Ok(output) => self.printer.line(&visible(output.text().as_bytes())),
            Err(DeviceError::Timeout { .. }) => {}
            Err(DeviceError::Closed { reason, .. }) => return Err(ConsoleError::DeviceGone(reason)),
            Err(e) => return Err(write_error(&e)),
        }
        Ok(())
    }

    /// A remark of the console itself, marked so it is not taken for device output.
    fn note(&mut self, text: &str) {
        self.printer.line(&format!("## {text}"));
    }
}

/// Ctrl-C while waiting for a reply (interactive only: a piped console keeps the default, Ctrl-C ends it).
async fn ctrl_c(interactive: bool) {
    if interactive && tokio::signal::ctrl_c().await.is_ok() {
        return;
    }
    std::future::pending::<()>().await;
}

fn write_error(error: &DeviceError) -> ConsoleError {
    match error {
        DeviceError::Closed { reason, .. } => ConsoleError::DeviceGone(reason.clone()),
        DeviceError::Write { source, .. } => ConsoleError::Write(source.to_string()),
        other => ConsoleError::Write(other.to_string()),
    }
}
