//! The virtual firmware's control channel: a Unix socket, not the serial line,
//! through which a scenario asks the firmware to misbehave (inject a fault).
//!
//! Protocol, one line each way: `fault <name>`, `clear`, `noise <hex>` (bytes
//! written on the serial line), `reset` (a hard reset) or `exit` (the line
//! vanishes), answered `ok` or `error <why>`. Which faults exist, and what they
//! break, is the firmware's business; the harness only carries the name written
//! in the feature file.

use std::path::PathBuf;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;

/// How long the firmware may take to answer a control request.
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// What can go wrong on the control channel.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// The socket could not be reached.
    #[error("cannot reach the virtual firmware's control channel at {path}: {source}")]
    Connect {
        /// The socket path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Writing the request or reading the reply failed.
    #[error("control request {request:?} failed on the socket: {source}")]
    Io {
        /// The request sent.
        request: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// No reply within the bound.
    #[error("control request {request:?}: no reply from the virtual firmware within {REPLY_TIMEOUT:?}")]
    Timeout {
        /// The request sent.
        request: String,
    },
    /// The firmware refused the request.
    #[error("control request {request:?} was refused by the virtual firmware: {reply}")]
    Refused {
        /// The request sent.
        request: String,
        /// What the firmware answered instead of `ok`.
        reply: String,
    },
}

/// The control socket of one virtual-firmware process.
#[derive(Debug, Clone)]
pub struct ControlChannel {
    /// Where the firmware listens.
    pub path: PathBuf,
}

impl ControlChannel {
    /// Arms a one-shot fault in the firmware.
    pub async fn inject_fault(&self, name: &str) -> Result<(), ControlError> {
        self.request(&format!("fault {name}")).await
    }

    /// Makes the firmware write these bytes on the serial line, as line noise would.
    pub async fn noise(&self, bytes: &[u8]) -> Result<(), ControlError> {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        self.request(&format!("noise {hex}")).await
    }

    /// Resets the firmware out of band, as pulling a module's EN pin would.
    pub async fn reset(&self) -> Result<(), ControlError> {
        self.request("reset").await
    }

    /// Ends the firmware process: its serial line vanishes, as an unplugged board's would.
    pub async fn exit(&self) -> Result<(), ControlError> {
        self.request("exit").await
    }

    async fn request(&self, request: &str) -> Result<(), ControlError> {
        let exchange = async {
            let stream = UnixStream::connect(&self.path)
                .await
                .map_err(|source| ControlError::Connect { path: self.path.clone(), source })?;
            let (read, mut write) = stream.into_split();
            let io = |source| ControlError::Io { request: request.to_string(), source };
            write.write_all(format!("{request}\n").as_bytes()).await.map_err(io)?;
            let mut reply = String::new();
            BufReader::new(read).read_line(&mut reply).await.map_err(io)?;
            Ok(reply.trim().to_string())
        };
        let reply = tokio::time::timeout(REPLY_TIMEOUT, exchange)
            .await
            .map_err(|_| ControlError::Timeout { request: request.to_string() })??;
        if reply == "ok" {
            Ok(())
        } else {
            let reply = if reply.is_empty() { "(the connection closed without a reply)".to_string() } else { reply };
            Err(ControlError::Refused { request: request.to_string(), reply })
        }
    }
}
