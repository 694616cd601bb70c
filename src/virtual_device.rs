//! Starts the virtual firmware as its own process and learns its pty path.
//!
//! The firmware prints `PTY <path>` on its standard output once its
//! pseudo-terminal is open; the harness then opens that path with
//! tokio-serial exactly as it would open a board's /dev/ttyUSB0.

use std::ffi::OsString;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::dialect::Dialect;

/// The program (and leading arguments) that runs the virtual firmware.
#[derive(Debug, Clone)]
pub struct FirmwareCommand {
    /// Executable path.
    pub program: OsString,
    /// Arguments before the firmware's own options.
    pub args: Vec<OsString>,
}

/// The firmware options of a virtual device of `dialect` whose certificate partitions are the
/// files of `pki_dir`, as a board's are its flash partitions.
pub fn device_args(dialect: Dialect, pki_dir: &Path) -> Vec<String> {
    let (dialect, pki_dir) = (dialect.name().to_string(), pki_dir.display().to_string());
    vec!["--dialect".to_string(), dialect, "--pki-dir".to_string(), pki_dir]
}

/// A running virtual-firmware process; killed when dropped.
#[derive(Debug)]
pub struct VirtualFirmware {
    /// The pty path to open.
    pub pty: String,
    /// Process id, for the SIGUSR1 hard reset.
    pub pid: u32,
    _child: Child,
}

impl VirtualFirmware {
    /// Spawns the firmware with `extra` options, sending its log to `log_file`.
    pub async fn spawn(cmd: &FirmwareCommand, extra: &[String], log_file: &Path) -> anyhow::Result<Self> {
        let log = std::fs::File::create(log_file)
            .with_context(|| format!("cannot create the firmware log {}", log_file.display()))?;
        let mut child = Command::new(&cmd.program)
            .args(&cmd.args)
            .args(extra)
            .stdin(Stdio::piped()) // the firmware exits when this pipe closes with us
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            // Its own process group: Ctrl-C at the harness's terminal (say, to stop a console's wait)
            // must not reach the device. It still ends with us: its stdin closes, or kill_on_drop.
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start the virtual firmware {:?}", cmd.program))?;
        let stdout = child.stdout.take().context("no stdout from the virtual firmware")?;
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .context("the virtual firmware printed no `PTY <path>` line within 10 s")?
            .context("cannot read the virtual firmware's output")?;
        let Some(pty) = first.as_deref().and_then(|l| l.strip_prefix("PTY ")) else {
            bail!("the virtual firmware's first line was {first:?}, not `PTY <path>`; see {}", log_file.display());
        };
        let pty = pty.trim().to_string();
        let pid = child.id().context("the virtual firmware exited right after start")?;
        // Keep draining stdout so the firmware never blocks writing to it.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { pty, pid, _child: child })
    }
}
