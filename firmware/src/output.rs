//! Everything the firmware writes to the line goes through one [`Output`] so that responses and
//! URCs are written as whole chunks and never interleave in the middle of a line.

use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::error_code::{err_code_line, CommandError};
use crate::profile::ErrorStyle;

/// ESP-AT reference §2.2: final result strings.
pub const OK: &[u8] = b"\r\nOK\r\n";
/// ESP-AT reference §2.2.
pub const ERROR: &[u8] = b"\r\nERROR\r\n";
/// ESP-AT reference §2.2: OK followed by the input prompt, with nothing after `>`.
pub const OK_PROMPT: &[u8] = b"\r\nOK\r\n\r\n>";
/// ESP-AT reference §2.2 and §3: the only busy string of the current core.
pub const BUSY: &[u8] = b"\r\nbusy p...\r\n";
/// W800 reference §2.1: the final result of a command that does not exist.
pub const CMD_FORMAT_ERR: &[u8] = b"\r\nCMD FORMAT ERR\r\n";
/// W800 reference §2.1: the final result of parameters not in the required format.
pub const CMD_PARSE_ERR: &[u8] = b"\r\nCMD PARSE ERR\r\n";

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

    /// A failed command's final result in the dialect's style.
    pub fn error(&self, err: CommandError, style: ErrorStyle, syslog: bool) {
        self.write(error_bytes(err, style, syslog));
    }
}

/// The bytes of a failed command's final result, any notice line first.
pub fn error_bytes(err: CommandError, style: ErrorStyle, syslog: bool) -> Vec<u8> {
    let mut chunk = Vec::new();
    if let CommandError::Notice(notice) = err {
        chunk.extend_from_slice(notice.as_bytes());
        chunk.extend_from_slice(b"\r\n");
    }
    match style {
        ErrorStyle::EspAt => {
            // ESP-AT reference §2.2: the ERR CODE line comes before ERROR, and only with syslog on.
            if syslog {
                for value in [err.core_code(), err.err_code()].into_iter().flatten() {
                    chunk.extend_from_slice(err_code_line(value).as_bytes());
                }
            }
            chunk.extend_from_slice(ERROR);
        }
        ErrorStyle::W800 if err.is_unknown_command() => chunk.extend_from_slice(CMD_FORMAT_ERR),
        ErrorStyle::W800 if err.is_parse_failure() => chunk.extend_from_slice(CMD_PARSE_ERR),
        ErrorStyle::W800 => chunk.extend_from_slice(ERROR),
    }
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
        assert_eq!(error_bytes(e, ErrorStyle::EspAt, false), b"\r\nERROR\r\n");
        assert_eq!(error_bytes(e, ErrorStyle::EspAt, true), b"ERR CODE:0x010a6001\r\n\r\nERROR\r\n");
        assert_eq!(error_bytes(CommandError::Plain, ErrorStyle::EspAt, true), b"\r\nERROR\r\n");
    }

    #[test]
    fn w800_prints_no_codes_and_names_format_and_parse_errors() {
        let w = ErrorStyle::W800;
        assert_eq!(error_bytes(CommandError::Unsupported, w, true), b"\r\nCMD FORMAT ERR\r\n");
        assert_eq!(error_bytes(MqttCode::PortReadFailed.into(), w, true), b"\r\nCMD PARSE ERR\r\n");
        assert_eq!(error_bytes(MqttCode::ParameterCountsIsWrong.into(), w, false), b"\r\nCMD PARSE ERR\r\n");
        assert_eq!(error_bytes(MqttCode::HostIsNull.into(), w, true), b"\r\nERROR\r\n");
    }

    #[test]
    fn a_notice_precedes_the_final_result() {
        let e = CommandError::Notice("ALREADY FULL SUBSCRIBE");
        assert_eq!(error_bytes(e, ErrorStyle::W800, false), b"ALREADY FULL SUBSCRIBE\r\n\r\nERROR\r\n");
    }

    #[test]
    fn an_unparsable_parameter_prints_the_core_code_first() {
        let e = CommandError::Unparsable { index: 2, code: MqttCode::DataReadFailed };
        let esp = ErrorStyle::EspAt;
        assert_eq!(error_bytes(e, esp, true), b"ERR CODE:0x01080002\r\nERR CODE:0x010a6044\r\n\r\nERROR\r\n");
        assert_eq!(error_bytes(e, esp, false), b"\r\nERROR\r\n");
        assert_eq!(error_bytes(e, ErrorStyle::W800, true), b"\r\nCMD PARSE ERR\r\n");
    }
}
