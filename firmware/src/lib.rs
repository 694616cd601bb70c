//! A host-side implementation of the ESP-AT and W800-AT MQTT AT command sets, served on a pseudo-terminal.
//!
//! It shares no code with the harness: it is an independent reading of the spec
//! (`esp-at-mqtt.rst`, `w800-at-mqtt.txt`) and of the shipped firmware's behaviour, so the harness can be
//! checked against it exactly as against a real board.
//!
//! Data flow: pty reader task → [`dispatch`] (framing, echo, busy, one command at a time)
//! → [`commands`] → [`output`] writer task → pty. The MQTT connection lives in [`link`],
//! whose event-loop task writes URCs through the same [`output`]. What differs between the
//! dialects is data in [`profile`], consulted by the command modules.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod commands;
pub mod control;
pub mod dispatch;
pub mod error_code;
pub mod faults;
pub mod line;
pub mod link;
pub mod output;
pub mod params;
pub mod profile;
pub mod pty;
pub mod tls;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::signal::unix::Signal;
use tokio::sync::{mpsc, Notify};

use crate::commands::Firmware;
use crate::dispatch::Input;
use crate::faults::Faults;
use crate::output::Output;

/// A master read that fails (EIO while no one has the slave open) is retried after this pause.
const READ_RETRY_PAUSE: Duration = Duration::from_millis(100);

/// Which vendor firmware to imitate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Dialect {
    /// Espressif ESP-AT on an ESP32.
    #[default]
    Esp32,
    /// Espressif ESP-AT on an ESP8266: schemes 1 and 6 only, a 512-byte MQTT buffer, no ALPN.
    Esp8266,
    /// WinnerMicro W800-AT: configuration queries, no SYSLOG, `CMD FORMAT ERR` / `CMD PARSE ERR`.
    W800,
}

/// Where the spec and the shipped firmware disagree, which one to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Quirks {
    /// Follow the spec's explicit sentences.
    #[default]
    Spec,
    /// Behave like the shipped binary (ESP-AT reference §2.4, §2.5).
    Shipped,
}

/// Command-line options of the virtual firmware (also embedded as a harness subcommand).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Firmware dialect to imitate.
    #[arg(long, value_enum, default_value_t = Dialect::Esp32)]
    pub dialect: Dialect,
    /// Follow the spec or the shipped firmware where they disagree.
    #[arg(long, value_enum, default_value_t = Quirks::Spec)]
    pub quirks: Quirks,
    /// Directory whose mqtt_ca.crt, mqtt_client.crt and mqtt_client.key (PEM) stand in for the
    /// certificate partitions; read at every AT+MQTTCONN. Without it the partitions are empty.
    #[arg(long, value_name = "DIR")]
    pub pki_dir: Option<PathBuf>,
    /// Unix socket on which to accept fault-injection requests (`fault <name>`, `clear`, `faults`).
    #[arg(long, value_name = "PATH")]
    pub control: Option<PathBuf>,
}

/// Opens the pty, prints `PTY <path>` on stdout, and serves AT commands until stdin ends or a signal arrives.
pub async fn run(args: Args) -> anyhow::Result<()> {
    init_logging();
    let pty = pty::open()?;
    let faults = Faults::default();
    let (out, out_rx) = Output::channel();
    let (reset, exit) = (std::sync::Arc::new(Notify::new()), std::sync::Arc::new(Notify::new()));
    // Bound before the PTY line goes out, so a harness may connect as soon as it reads it.
    let _control = match &args.control {
        Some(path) => {
            let misbehaviour = control::Misbehaviour { out: out.clone(), reset: reset.clone(), exit: exit.clone() };
            tokio::spawn(control::serve(control::bind(path)?, faults.clone(), misbehaviour));
            Some(control::SocketFile(path.clone()))
        }
        None => None,
    };
    announce(&pty.path)?;
    tracing::info!(
        path = %pty.path, dialect = ?args.dialect, quirks = ?args.quirks, pki_dir = ?args.pki_dir,
        control = ?args.control, "virtual firmware up"
    );
    // The slave stays open for the whole run (crates reference §5).
    let _slave = pty.slave;
    let (reader, writer) = tokio::io::split(pty.master);
    let (in_tx, in_rx) = mpsc::unbounded_channel();
    tokio::spawn(output::write_loop(out_rx, writer));
    tokio::spawn(read_loop(reader, in_tx));
    // Signals are watched before `ready` goes out: a harness may signal as soon as it sees it.
    let mut hard_reset = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::user_defined1())
        .context("cannot watch SIGUSR1, the hard-reset line")?;
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    let int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
    let shutdown = shutdown(term, int);
    tokio::pin!(shutdown);
    out.write(args.dialect.profile().banner);
    let mut fw = Firmware::new(&args, out.clone(), faults);
    let mut input = Input::new(in_rx);
    loop {
        tokio::select! {
            _ = dispatch::serve(&mut fw, &mut input, &out) => {
                tracing::warn!("input ended");
                return Ok(());
            }
            reason = &mut shutdown => {
                tracing::info!(reason, "shutting down");
                return Ok(());
            }
            // The control channel's hard reset: abandons whatever command or raw
            // input was in progress, like pulling the EN pin of a real module.
            _ = hard_reset.recv() => {
                tracing::info!("SIGUSR1: hard reset");
                input.discard_pending();
                fw.power_cycle();
            }
            _ = reset.notified() => {
                tracing::info!("control channel: hard reset");
                input.discard_pending();
                fw.power_cycle();
            }
            _ = exit.notified() => {
                tracing::info!("control channel: exit (the line vanishes)");
                return Ok(());
            }
        }
    }
}

/// Logs go to stderr only; stdout carries just the `PTY` line. A host program may have set up logging already.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,rumqttc=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// The one line the harness waits for.
fn announce(path: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "PTY {path}").context("could not write the PTY line to stdout")?;
    stdout.flush().context("could not flush stdout")
}

/// Feeds bytes from the pty master to the dispatcher; read errors are retried, never fatal.
async fn read_loop<R: AsyncRead + Unpin>(mut reader: R, tx: mpsc::UnboundedSender<Vec<u8>>) {
    let mut buf = vec![0u8; 4096];
    loop {
        match reader.read(&mut buf).await {
            Ok(n) if n > 0 => {
                if tx.send(buf[..n].to_vec()).is_err() {
                    return;
                }
            }
            Ok(_) => {
                tracing::debug!("pty read returned 0 bytes; retrying");
                tokio::time::sleep(READ_RETRY_PAUSE).await;
            }
            Err(e) => {
                tracing::debug!(error = %e, "pty read failed; retrying");
                tokio::time::sleep(READ_RETRY_PAUSE).await;
            }
        }
    }
}

/// Resolves when the firmware should exit: stdin EOF (the harness died) or SIGINT/SIGTERM.
/// The signal streams are made by the caller, so they exist before `ready` is printed.
async fn shutdown(term: std::io::Result<Signal>, int: std::io::Result<Signal>) -> &'static str {
    tokio::select! {
        _ = recv_or_pending(int, "SIGINT") => "SIGINT",
        _ = recv_or_pending(term, "SIGTERM") => "SIGTERM",
        _ = stdin_closed() => "stdin closed",
    }
}

/// Waits for the signal; never completes if it could not be watched.
async fn recv_or_pending(signal: std::io::Result<Signal>, name: &str) {
    match signal {
        Ok(mut s) => {
            s.recv().await;
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot watch {name}");
            std::future::pending::<()>().await;
        }
    }
}

/// Completes at stdin EOF; never when stdin is a terminal (someone ran us by hand).
async fn stdin_closed() {
    if std::io::stdin().is_terminal() {
        return std::future::pending().await;
    }
    let mut stdin = tokio::io::stdin();
    let mut buf = [0u8; 256];
    loop {
        match stdin.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}
