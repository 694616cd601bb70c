//! The test side of the line: starts the built firmware and talks to it over its pty.
#![allow(dead_code)] // each test crate uses its own subset

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio_serial::SerialStream;

pub const STEP: Duration = Duration::from_secs(5);

pub struct Board {
    pub child: Child,
    pub port: SerialStream,
    pub seen: Vec<u8>,
}

impl Board {
    /// Starts the firmware and opens its pty like a serial device; the first bytes are ESP-AT's banner.
    pub async fn start(extra: &[&str]) -> Self {
        Self::start_with_banner(extra, b"\r\nready\r\n").await
    }

    /// Starts the firmware and checks that the first bytes on the line are exactly `banner`.
    pub async fn start_with_banner(extra: &[&str], banner: &[u8]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_virtual-firmware"))
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // VFW_TEST_LOG=1 shows the firmware's log when a test needs debugging.
            .stderr(if std::env::var_os("VFW_TEST_LOG").is_some() { Stdio::inherit() } else { Stdio::null() })
            .kill_on_drop(true)
            .spawn()
            .expect("spawn virtual-firmware");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        tokio::time::timeout(STEP, BufReader::new(stdout).read_line(&mut line))
            .await
            .expect("PTY line in time")
            .unwrap();
        let path = line.trim().strip_prefix("PTY ").expect("PTY <path> line").to_owned();
        let port = SerialStream::open(&tokio_serial::new(&path, 115_200)).expect("open pty slave");
        let mut board = Self { child, port, seen: Vec::new() };
        let first = board.expect(b"ready\r\n").await;
        assert_eq!(String::from_utf8_lossy(&first), String::from_utf8_lossy(banner), "boot banner");
        board
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.port.write_all(bytes).await.unwrap();
    }

    /// Reads until `want` appears, returns everything up to and including it.
    pub async fn expect(&mut self, want: &[u8]) -> Vec<u8> {
        let found = tokio::time::timeout(STEP, async {
            loop {
                if let Some(i) = self.seen.windows(want.len()).position(|w| w == want) {
                    return self.seen.drain(..i + want.len()).collect::<Vec<u8>>();
                }
                let mut buf = [0u8; 512];
                let n = self.port.read(&mut buf).await.unwrap();
                self.seen.extend_from_slice(&buf[..n]);
            }
        })
        .await;
        match found {
            Ok(bytes) => bytes,
            Err(_) => panic!(
                "timed out waiting for {:?}; received {:?}",
                String::from_utf8_lossy(want),
                String::from_utf8_lossy(&self.seen)
            ),
        }
    }

    /// Sends a command and returns the response through its final result.
    pub async fn command(&mut self, cmd: &str, end: &[u8]) -> String {
        self.send(format!("{cmd}\r\n").as_bytes()).await;
        String::from_utf8(self.expect(end).await).unwrap()
    }
}
