//! Everything the firmware writes to the line goes through one [`Output`] so that responses and
//! URCs are written as whole chunks and never interleave in the middle of a line.

use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::error_code::{err_code_line, CommandError};

/// ESP-AT reference §3 and `at_init.c`: the boot banner.
pub const READY: &[u8] = b"\r\nready\r\n";
/// ESP-AT reference §2.2: final result strings.
pub const OK: &[u8] = b"\r\nOK\r\n";
/// ESP-AT reference §2.2.
pub const ERROR: &[u8] = b"\r\nERROR\r\n";
/// ESP-AT reference §2.2: OK followed by the input prompt, with nothing after `>`.
pub const OK_PROMPT: &[u8] = b"\r\nOK\r\n\r\n>";
/// ESP-AT reference §2.2 and §3: the only busy string of the current core.
pub const BUSY: &[u8] = b"\r\nbusy p...\r\n";

/// A cloneable handle that queues bytes for the writer task.
#[derive(Debug, Clone)]
pub struct Output {
    tx: mpsc::UnboundedSender<Vec<u8>>,
}

impl Output {
    /// Creates the handle and the receiver that [`write_loop`] drains.
    pub fn channel() -> (Self, mpsc::UnboundedReceiver<Vec<u8>>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Self { tx }, rx)
    }

    /// Queues one chunk; it reaches the line in one piece.
    pub fn write(&self, bytes: impl Into<Vec<u8>>) {
        // The writer only stops at shutdown, when nothing is listening anyway.
        let _ = self.tx.send(bytes.into());
    }

    /// Information lines (each already ending in CRLF) followed by `OK`, as one chunk.
    pub fn ok_with(&self, info: &[u8]) {
        let mut chunk = info.to_vec();
        chunk.extend_from_slice(OK);
        self.write(chunk);
    }

    /// `ERROR`, preceded by its `ERR CODE:` line when syslog is on (ESP-AT reference §2.2).
    pub fn error(&self, err: CommandError, syslog: bool) {
        self.write(error_bytes(err, syslog));
    }
}

/// The bytes of a failed command's final result.
pub fn error_bytes(err: CommandError, syslog: bool) -> Vec<u8> {
    let mut chunk = Vec::new();
    if syslog {
        for value in [err.core_code(), err.err_code()].into_iter().flatten() {
            chunk.extend_from_slice(err_code_line(value).as_bytes());
        }
    }
    chunk.extend_from_slice(ERROR);
    chunk
}

/// The writer task: writes each queued chunk whole, in order.
pub async fn write_loop<W: AsyncWrite + Unpin>(mut rx: mpsc::UnboundedReceiver<Vec<u8>>, mut w: W) {
    while let Some(chunk) = rx.recv().await {
        let result = async {
            w.write_all(&chunk).await?;
            w.flush().await
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, len = chunk.len(), "writing to the pty failed; output dropped");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::MqttCode;

    #[test]
    fn error_has_code_line_only_with_syslog() {
        let e = CommandError::Mqtt(MqttCode::NoConfigured);
        assert_eq!(error_bytes(e, false), b"\r\nERROR\r\n");
        assert_eq!(error_bytes(e, true), b"ERR CODE:0x010a6001\r\n\r\nERROR\r\n");
        assert_eq!(error_bytes(CommandError::Plain, true), b"\r\nERROR\r\n");
        let e = CommandError::Unparsable { index: 2, code: MqttCode::DataReadFailed };
        assert_eq!(error_bytes(e, true), b"ERR CODE:0x01080002\r\nERR CODE:0x010a6044\r\n\r\nERROR\r\n");
        assert_eq!(error_bytes(e, false), b"\r\nERROR\r\n");
    }
}
