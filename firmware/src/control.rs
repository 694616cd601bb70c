//! The control channel: a Unix domain socket (`--control PATH`) through which a test arms faults.
//!
//! It is not the serial line, so nothing a host types can reach it. Line protocol, one reply per
//! request line, any number of requests per connection:
//!
//! * `fault <name>` → `ok`, or `error <why>` (an unknown name lists the known ones);
//! * `clear` → `ok` (disarms all faults);
//! * `faults` → `known: <names>`, `armed: <names>`, then `ok`;
//! * `noise <hex>` → `ok`, after writing those bytes on the serial line (line noise, a glitch);
//! * `reset` → `ok`: a hard reset, like pulling the module's EN pin (the same as SIGUSR1);
//! * `exit` → `ok`, then the firmware ends: the serial line vanishes, like an unplugged board.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use tokio::io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::Notify;

use crate::faults::{Fault, Faults};
use crate::output::Output;

/// What the control channel can do besides arming faults: act on the line and the power.
#[derive(Debug, Clone)]
pub struct Misbehaviour {
    /// The serial line's writer, for noise.
    pub out: Output,
    /// Signalled for a hard reset.
    pub reset: Arc<Notify>,
    /// Signalled to end the firmware.
    pub exit: Arc<Notify>,
}

/// Binds the socket at `path`, replacing a stale one left by an earlier run.
pub fn bind(path: &Path) -> anyhow::Result<UnixListener> {
    match std::fs::remove_file(path) {
        Ok(()) => tracing::debug!(path = %path.display(), "removed a stale control socket"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot remove the stale file {}", path.display())),
    }
    UnixListener::bind(path).with_context(|| format!("cannot bind the control socket {}", path.display()))
}

/// Accepts connections forever, each served in its own task.
pub async fn serve(listener: UnixListener, faults: Faults, misbehaviour: Misbehaviour) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(connection(stream, faults.clone(), misbehaviour.clone()));
            }
            Err(e) => {
                tracing::warn!(error = %e, "control socket accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

/// Removes the socket file when the firmware exits.
#[derive(Debug)]
pub struct SocketFile(pub PathBuf);

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn connection(stream: UnixStream, faults: Faults, misbehaviour: Misbehaviour) {
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader).lines();
    loop {
        match lines.next_line().await {
            Ok(Some(line)) => {
                let reply = handle(line.trim(), &faults, &misbehaviour);
                if let Err(e) = send(&mut writer, &reply).await {
                    tracing::debug!(error = %e, "control client went away");
                    return;
                }
            }
            Ok(None) => return,
            Err(e) => {
                tracing::debug!(error = %e, "control read failed");
                return;
            }
        }
    }
}

async fn send<W: AsyncWrite + Unpin>(w: &mut W, reply: &str) -> std::io::Result<()> {
    w.write_all(reply.as_bytes()).await?;
    w.flush().await
}

/// The reply to one request line, each of its lines ending in `\n`.
pub fn handle(request: &str, faults: &Faults, misbehaviour: &Misbehaviour) -> String {
    let mut words = request.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("noise"), Some(hex), None) => match decode_hex(hex) {
            Some(bytes) => {
                misbehaviour.out.write(bytes);
                "ok\n".to_owned()
            }
            None => format!("error noise takes an even number of hex digits, not {hex:?}\n"),
        },
        (Some("reset"), None, _) => {
            misbehaviour.reset.notify_one();
            "ok\n".to_owned()
        }
        (Some("exit"), None, _) => {
            misbehaviour.exit.notify_one();
            "ok\n".to_owned()
        }
        (Some("fault"), Some(name), None) => match Fault::from_name(name) {
            Some(f) => {
                faults.arm(f);
                "ok\n".to_owned()
            }
            None => format!("error unknown fault {name:?}; known: {}\n", Fault::names()),
        },
        (Some("fault"), _, _) => format!("error usage: fault <name>; known: {}\n", Fault::names()),
        (Some("clear"), None, _) => {
            faults.clear();
            "ok\n".to_owned()
        }
        (Some("faults"), None, _) => {
            let armed: Vec<_> = faults.armed().into_iter().map(Fault::name).collect();
            format!("known: {}\narmed: {}\nok\n", Fault::names(), armed.join(" "))
        }
        _ => format!(
            "error unknown request {request:?}; requests: fault <name>, clear, faults, noise <hex>, reset, exit\n"
        ),
    }
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn misbehaviour() -> (Misbehaviour, tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>) {
        let (out, rx) = Output::channel();
        (Misbehaviour { out, reset: Arc::default(), exit: Arc::default() }, rx)
    }

    fn handle(request: &str, faults: &Faults) -> String {
        super::handle(request, faults, &misbehaviour().0)
    }

    #[test]
    fn noise_goes_out_on_the_line_and_bad_hex_is_refused() {
        let (m, mut rx) = misbehaviour();
        assert_eq!(super::handle("noise 00ff0d0a", &Faults::default(), &m), "ok\n");
        assert_eq!(rx.try_recv().unwrap(), vec![0x00, 0xff, b'\r', b'\n']);
        assert!(super::handle("noise 0", &Faults::default(), &m).starts_with("error noise"));
        assert!(super::handle("noise zz", &Faults::default(), &m).starts_with("error noise"));
    }

    #[test]
    fn requests_and_replies() {
        let faults = Faults::default();
        assert_eq!(handle("fault client_start", &faults), "ok\n");
        assert_eq!(faults.armed(), vec![Fault::ClientStart]);
        let listing = handle("faults", &faults);
        assert!(listing.starts_with("known: malloc null_parameter "), "{listing}");
        assert!(listing.ends_with("\narmed: client_start\nok\n"), "{listing}");
        assert_eq!(handle("clear", &faults), "ok\n");
        assert!(faults.armed().is_empty());
    }

    #[test]
    fn bad_requests_say_why() {
        let faults = Faults::default();
        let reply = handle("fault nope", &faults);
        assert!(reply.starts_with("error unknown fault \"nope\"; known: malloc "), "{reply}");
        assert!(reply.contains(" long_line"), "{reply}");
        assert!(handle("fault", &faults).starts_with("error usage"));
        assert!(handle("fault a b", &faults).starts_with("error usage"));
        assert!(handle("explode", &faults).starts_with("error unknown request"));
        assert!(handle("", &faults).starts_with("error unknown request"));
        assert!(faults.armed().is_empty());
    }
}
