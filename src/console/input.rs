//! Where the console's typed lines come from and how its output reaches the screen.
//!
//! On a terminal, rustyline edits the line (history, Ctrl-C clears, Ctrl-D
//! leaves) on a thread of its own, and device output goes through its external
//! printer so a URC lands above the prompt instead of inside what is being typed.
//! When standard input is not a terminal (a pipe, a file) the same commands are
//! read line by line and output is printed plainly.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::mpsc as sync_mpsc;

use anyhow::Context;
use rustyline::error::ReadlineError;
use rustyline::{Config, DefaultEditor, ExternalPrinter};
use tokio::sync::mpsc;

/// The prompt shown while the console waits for a command.
pub const PROMPT: &str = "at> ";

/// How many history entries are kept.
const HISTORY_SIZE: usize = 1000;

/// What the person did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// A line, without its line end.
    Line(String),
    /// Ctrl-D, or the end of piped input.
    End,
    /// The terminal failed.
    Failed(String),
}

/// Typed lines, arriving on a channel from the thread that reads them.
#[derive(Debug)]
pub struct Input {
    /// The lines.
    pub lines: mpsc::UnboundedReceiver<Typed>,
    /// Interactive only: tells the editor thread to show the prompt again.
    done: Option<sync_mpsc::Sender<()>>,
    /// Puts the terminal back as it was found, whatever the editor thread was doing.
    _terminal: Option<TerminalGuard>,
}

impl Input {
    /// True when a person types at a terminal (line editing and history are on).
    pub fn interactive(&self) -> bool {
        self.done.is_some()
    }

    /// The line just received has been handled: prompt for the next.
    pub fn done(&self) {
        if let Some(done) = &self.done {
            let _ = done.send(());
        }
    }
}

/// Writes console output without breaking the line being edited.
pub struct Printer {
    external: Option<Box<dyn ExternalPrinter + Send>>,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Printer").field("external", &self.external.is_some()).finish()
    }
}

impl Printer {
    /// Prints one line.
    pub fn line(&mut self, text: &str) {
        if let Some(external) = &mut self.external {
            if external.print(format!("{text}\n")).is_ok() {
                return;
            }
        }
        println!("{text}");
    }
}

/// Starts reading lines: with the line editor when standard input is a terminal, plainly otherwise.
pub fn start(history: Option<PathBuf>) -> anyhow::Result<(Input, Printer)> {
    let (tx, lines) = mpsc::unbounded_channel();
    if !std::io::stdin().is_terminal() {
        std::thread::Builder::new()
            .name("console-stdin".into())
            .spawn(move || read_piped(&tx))
            .context("cannot start the input thread")?;
        return Ok((Input { lines, done: None, _terminal: None }, Printer { external: None }));
    }
    let terminal = TerminalGuard::save();
    let (done_tx, done_rx) = sync_mpsc::channel();
    let (printer_tx, printer_rx) = sync_mpsc::channel();
    std::thread::Builder::new()
        .name("console-editor".into())
        .spawn(move || edit_lines(&tx, &done_rx, &printer_tx, history.as_deref()))
        .context("cannot start the line editor thread")?;
    let external = printer_rx.recv().context("the line editor did not start")??;
    Ok((Input { lines, done: Some(done_tx), _terminal: terminal }, Printer { external: Some(external) }))
}

fn read_piped(tx: &mpsc::UnboundedSender<Typed>) {
    for line in std::io::stdin().lines() {
        let typed = match line {
            Ok(line) => Typed::Line(line.trim_end_matches('\r').to_string()),
            Err(e) => Typed::Failed(format!("cannot read standard input: {e}")),
        };
        let failed = matches!(typed, Typed::Failed(_));
        if tx.send(typed).is_err() || failed {
            return;
        }
    }
    let _ = tx.send(Typed::End);
}

type PrinterResult = anyhow::Result<Box<dyn ExternalPrinter + Send>>;

/// The editor thread: the editor is made here, its printer handed back, then lines are read until the end.
fn edit_lines(
    tx: &mpsc::UnboundedSender<Typed>,
    done: &sync_mpsc::Receiver<()>,
    printer: &sync_mpsc::Sender<PrinterResult>,
    history: Option<&Path>,
) {
    let config = Config::builder().max_history_size(HISTORY_SIZE).map(|b| b.auto_add_history(false).build());
    let editor = config.map_err(anyhow::Error::from).and_then(|c| Ok(DefaultEditor::with_config(c)?));
    let mut editor = match editor {
        Ok(editor) => editor,
        Err(e) => {
            let _ = printer.send(Err(e.context("cannot start the line editor")));
            return;
        }
    };
    match editor.create_external_printer() {
        Ok(p) => {
            let _ = printer.send(Ok(Box::new(p)));
        }
        Err(e) => {
            let _ = printer.send(Err(anyhow::Error::from(e).context("cannot print above the prompt")));
            return;
        }
    }
    if let Some(path) = history {
        // A first run has no history yet.
        let _ = editor.load_history(path);
    }
    loop {
        let typed = match editor.readline(PROMPT) {
            Ok(line) => {
                remember(&mut editor, &line, history);
                Typed::Line(line)
            }
            Err(ReadlineError::Interrupted) => continue, // Ctrl-C: the line is dropped, a fresh prompt follows
            Err(ReadlineError::Eof) => Typed::End,
            Err(e) => Typed::Failed(format!("the terminal failed: {e}")),
        };
        let more = matches!(typed, Typed::Line(_));
        // Wait until the line is handled, so its output is not drawn over the next prompt.
        if tx.send(typed).is_err() || !more || done.recv().is_err() {
            return;
        }
    }
}

fn remember(editor: &mut DefaultEditor, line: &str, history: Option<&Path>) {
    if line.trim().is_empty() {
        return;
    }
    let _ = editor.add_history_entry(line);
    if let Some(path) = history {
        if let Err(e) = editor.save_history(path) {
            tracing::warn!("cannot save the console history to {}: {e}", path.display());
        }
    }
}

/// The history file: `$XDG_DATA_HOME/atconform/history`, `~/.local/share/atconform/history`,
/// or `.atconform_history` in the current directory when there is no home.
pub fn history_file() -> PathBuf {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".local/share")));
    match data {
        Some(dir) if std::fs::create_dir_all(dir.join("atconform")).is_ok() => dir.join("atconform").join("history"),
        _ => PathBuf::from(".atconform_history"),
    }
}

/// The terminal's settings when the console started, put back when it ends: the editor thread
/// may still hold the terminal in raw mode when the device vanishes and the console leaves.
#[derive(Debug)]
struct TerminalGuard(nix::sys::termios::Termios);

impl TerminalGuard {
    fn save() -> Option<Self> {
        nix::sys::termios::tcgetattr(std::io::stdin()).ok().map(Self)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = nix::sys::termios::tcsetattr(std::io::stdin(), nix::sys::termios::SetArg::TCSANOW, &self.0);
    }
}
