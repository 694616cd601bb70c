//! `atconform console` driven for real against `--virtual`: through a pipe (the
//! line-by-line fallback) and through a pseudo-terminal (the line editor).

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use nix::pty::{openpty, Winsize};

/// Every wait of these tests is bounded by this.
const LIMIT: Duration = Duration::from_secs(60);
/// The console's prompt.
const PROMPT: &str = "at> ";

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("console").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("home")).unwrap();
    dir
}

/// The console on a fresh virtual firmware, its history under `dir`/home.
fn console(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atconform"));
    cmd.args(["console", "--virtual", "--timeout", "10", "--certs"])
        .arg(dir.join("certs"))
        .env("HOME", dir.join("home"))
        .env_remove("XDG_DATA_HOME")
        .env("TERM", "xterm");
    cmd
}

/// Output collected by reader threads, with a condition variable that wakes waiters on every
/// chunk and when the last reader reaches the end.
#[derive(Clone, Default)]
struct Collected(Arc<(Mutex<Output>, Condvar)>);

#[derive(Default)]
struct Output {
    bytes: Vec<u8>,
    /// Readers still running.
    open: usize,
    /// Readers started.
    started: usize,
}

impl Collected {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0 .0.lock().unwrap().bytes).into_owned()
    }

    /// How much has been collected so far: a mark for [`Collected::wait_for_after`].
    fn mark(&self) -> usize {
        self.0 .0.lock().unwrap().bytes.len()
    }

    /// Waits (bounded) until the output contains `needle`.
    fn wait_for(&self, needle: &str) {
        self.wait_for_after(0, needle);
    }

    /// Waits (bounded) until the output after `mark` contains `needle`; returns where it ends.
    fn wait_for_after(&self, mark: usize, needle: &str) -> usize {
        let needle_bytes = needle.as_bytes();
        let found = |o: &Output| {
            let at = o.bytes[mark..].windows(needle_bytes.len()).position(|w| w == needle_bytes)?;
            Some(mark + at + needle_bytes.len())
        };
        let (lock, wake) = &*self.0;
        let (output, timeout) = wake.wait_timeout_while(lock.lock().unwrap(), LIMIT, |o| found(o).is_none()).unwrap();
        assert!(!timeout.timed_out(), "no {needle:?} within {LIMIT:?}; output so far:\n{}", self.text_of(&output));
        found(&output).unwrap()
    }

    /// Waits (bounded) until every reader has reached the end of its stream.
    fn wait_for_end(&self) -> bool {
        let (lock, wake) = &*self.0;
        let (_output, timeout) =
            wake.wait_timeout_while(lock.lock().unwrap(), LIMIT, |o| o.started == 0 || o.open > 0).unwrap();
        !timeout.timed_out()
    }

    fn text_of(&self, output: &Output) -> String {
        String::from_utf8_lossy(&output.bytes).into_owned()
    }

    /// Reads `source` until it ends.
    fn collect(&self, mut source: impl Read + Send + 'static) {
        {
            let mut output = self.0 .0.lock().unwrap();
            output.open += 1;
            output.started += 1;
        }
        let out = self.clone();
        thread::spawn(move || {
            let (lock, wake) = &*out.0;
            let mut buf = [0u8; 4096];
            while let Ok(n) = source.read(&mut buf) {
                if n == 0 {
                    break;
                }
                lock.lock().unwrap().bytes.extend_from_slice(&buf[..n]);
                wake.notify_all();
            }
            lock.lock().unwrap().open -= 1;
            wake.notify_all();
        });
    }
}

/// Waits (bounded) for the process to end — its output streams close when it does — and
/// kills it and fails if it does not.
fn wait_exit(child: &mut Child, output: &Collected) -> ExitStatus {
    if !output.wait_for_end() {
        let _ = child.kill();
        panic!("the console did not end within {LIMIT:?}; output:\n{}", output.text());
    }
    child.wait().unwrap()
}

/// The virtual firmware the console started: its only child process.
fn firmware_pid(console: &Child) -> i32 {
    let children = format!("/proc/{0}/task/{0}/children", console.id());
    let text = std::fs::read_to_string(&children).unwrap();
    let pids: Vec<i32> = text.split_whitespace().map(|p| p.parse().unwrap()).collect();
    assert_eq!(pids.len(), 1, "expected the virtual firmware as the console's only child: {pids:?}");
    pids[0]
}

#[test]
fn piped_commands_reach_the_device_and_the_hosted_broker_and_quit_ends_with_0() {
    let dir = scratch("piped");
    let mut child = console(&dir).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let out = Collected::default();
    out.collect(child.stdout.take().unwrap());
    out.collect(child.stderr.take().unwrap());
    let mut stdin = child.stdin.take().unwrap();
    let script = "AT\n\
                  AT+MQTTUSERCFG=0,1,\"console-pipe\",\"\",\"\",0,0,\"\"\n\
                  AT+MQTTCONN=0,\"{broker.host}\",{port.scheme1},0\n\
                  :quit\n\
                  AT+MQTTCLEAN=0\n";
    stdin.write_all(script.as_bytes()).unwrap();
    let status = wait_exit(&mut child, &out);
    let text = out.text();
    assert_eq!(status.code(), Some(0), "output:\n{text}");
    assert!(text.contains("##   {broker.host} = 127.0.0.1"), "the broker's addresses are printed:\n{text}");
    assert!(text.contains("at> AT\nOK\n"), "AT answers OK:\n{text}");
    assert!(text.contains("+MQTTCONNECTED:0,1,\"127.0.0.1\","), "connected to the hosted broker:\n{text}");
    assert!(!text.contains("at> AT+MQTTCLEAN"), ":quit ends the console before the next line:\n{text}");
}

#[test]
fn raw_data_goes_out_after_the_prompt_and_a_bad_placeholder_sends_nothing() {
    let dir = scratch("raw");
    let mut child = console(&dir).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let out = Collected::default();
    out.collect(child.stdout.take().unwrap());
    out.collect(child.stderr.take().unwrap());
    let script = "AT+MQTTUSERCFG=0,1,\"console-raw\",\"\",\"\",0,0,\"\"\n\
                  AT+MQTTCONN=0,\"{broker.host}\",{port.scheme1},0\n\
                  AT+MQTTSUB=0,\"raw/t\",0\n\
                  AT+MQTTPUBRAW=0,\"raw/t\",4,0,0\n\
                  :raw a\\r\\nb\n\
                  AT+MQTTPUB=0,\"{brokr.host}\",\"x\",0,0\n";
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(script.as_bytes()).unwrap();
    out.wait_for("+MQTTSUBRECV:");
    drop(stdin); // the end of input ends the console
    let status = wait_exit(&mut child, &out);
    let text = out.text();
    assert_eq!(status.code(), Some(0), "the end of piped input ends the console with 0:\n{text}");
    // The prompt may be shown before or after the `:raw` line is read; the reply comes after both.
    assert!(text.contains("\n>\n"), "the prompt is shown:\n{text}");
    assert!(text.contains("at> :raw a\\r\\nb\n"), "{text}");
    assert!(text.contains("+MQTTPUB:OK\n"), "the raw data's reply:\n{text}");
    assert!(text.contains("+MQTTSUBRECV:0,\"raw/t\",4,a\\r\\nb"), "the raw bytes came back:\n{text}");
    assert!(text.contains("## unknown placeholder {brokr.host}"), "a bad placeholder is named:\n{text}");
}

#[test]
fn a_device_that_vanishes_ends_the_console_with_a_message_and_1() {
    let dir = scratch("vanish");
    let mut child = console(&dir).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let out = Collected::default();
    out.collect(child.stdout.take().unwrap());
    out.collect(child.stderr.take().unwrap());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"AT\n").unwrap();
    out.wait_for("at> AT\nOK\n");
    let firmware = nix::unistd::Pid::from_raw(firmware_pid(&child));
    nix::sys::signal::kill(firmware, nix::sys::signal::Signal::SIGKILL).unwrap();
    let status = wait_exit(&mut child, &out); // stdin stays open: only the device's end may end it
    let text = out.text();
    assert_eq!(status.code(), Some(1), "output:\n{text}");
    assert!(text.contains("atconform console: the device is gone: the serial line closed"), "output:\n{text}");
}

/// The console on a pseudo-terminal, as a person at a terminal runs it.
struct OnTerminal {
    child: Child,
    keys: File,
    out: Collected,
}

impl OnTerminal {
    fn start(dir: &Path) -> Self {
        let size = Winsize { ws_row: 40, ws_col: 160, ws_xpixel: 0, ws_ypixel: 0 };
        let pty = openpty(Some(&size), None).unwrap();
        let tty = File::from(pty.slave);
        let child =
            console(dir).stdin(tty.try_clone().unwrap()).stdout(tty.try_clone().unwrap()).stderr(tty).spawn().unwrap();
        let master = File::from(pty.master);
        let keys = master.try_clone().unwrap();
        let out = Collected::default();
        out.collect(master);
        out.wait_for(PROMPT);
        Self { child, keys, out }
    }

    /// Types `keys`, then waits for `reply`, and, when the keys end a line, for the prompt after it.
    fn type_and_wait(&mut self, keys: &str, reply: &str) {
        let mark = self.out.mark();
        self.keys.write_all(keys.as_bytes()).unwrap();
        let end = self.out.wait_for_after(mark, reply);
        if keys.ends_with('\r') {
            self.out.wait_for_after(end, PROMPT);
        }
    }
}

#[test]
fn on_a_terminal_lines_are_edited_remembered_and_sent_and_quit_ends_with_0() {
    let dir = scratch("tty");
    let mut term = OnTerminal::start(&dir);
    term.type_and_wait("AT\r", "\nOK");
    term.type_and_wait("AT+MQTTUSERCFG=0,1,\"console-tty\",\"\",\"\",0,0,\"\"\r", "\nOK");
    term.type_and_wait("AT+MQTTCONN=0,\"{broker.host}\",{port.scheme1},0\r", "+MQTTCONNECTED:0,1,\"127.0.0.1\",");
    // Ctrl-C drops a half-typed line: it is neither sent nor remembered.
    term.type_and_wait("garbage", "garbage");
    term.type_and_wait("\x03", "at> ");
    term.type_and_wait(":help\r", ":quit       leave");
    term.keys.write_all(b":quit\r").unwrap();
    let status = wait_exit(&mut term.child, &term.out);
    assert_eq!(status.code(), Some(0), "output:\n{}", term.out.text());
    let history = std::fs::read_to_string(dir.join("home/.local/share/atconform/history")).unwrap();
    assert!(history.contains("AT+MQTTCONN=0,\"{broker.host}\",{port.scheme1},0"), "history:\n{history}");
    assert!(!history.contains("garbage"), "history:\n{history}");
    assert!(!term.out.text().contains("ERROR"), "nothing was sent wrongly:\n{}", term.out.text());
}

#[test]
fn on_a_terminal_a_urc_is_printed_above_the_prompt_and_the_half_typed_line_survives() {
    let dir = scratch("tty-urc");
    let mut term = OnTerminal::start(&dir);
    term.type_and_wait("AT+MQTTCONN", "AT+MQTTCONN");
    // A hard reset of the virtual firmware makes it print `ready` while the line is half typed.
    let firmware = nix::unistd::Pid::from_raw(firmware_pid(&term.child));
    let mark = term.out.mark();
    nix::sys::signal::kill(firmware, nix::sys::signal::Signal::SIGUSR1).unwrap();
    term.out.wait_for_after(mark, "ready");
    term.type_and_wait("?\r", "+MQTTCONN:0,0,");
    let history = std::fs::read_to_string(dir.join("home/.local/share/atconform/history")).unwrap();
    assert!(history.lines().any(|l| l == "AT+MQTTCONN?"), "the whole line was sent:\n{history}");
    term.keys.write_all(b":quit\r").unwrap();
    assert_eq!(wait_exit(&mut term.child, &term.out).code(), Some(0), "output:\n{}", term.out.text());
}

#[test]
fn a_port_that_cannot_be_opened_is_exit_2_naming_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_atconform"))
        .args(["console", "--port", "/dev/atconform-no-such-port"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot open serial port /dev/atconform-no-such-port"), "{stderr}");
}

#[test]
fn on_a_terminal_ctrl_d_ends_with_0() {
    let dir = scratch("tty-eof");
    let mut term = OnTerminal::start(&dir);
    term.type_and_wait("AT\r", "\nOK");
    term.keys.write_all(b"\x04").unwrap();
    let status = wait_exit(&mut term.child, &term.out);
    assert_eq!(status.code(), Some(0), "output:\n{}", term.out.text());
}
