//! The control channel: a Unix domain socket (`--control PATH`) through which a test arms faults.
//!
//! It is not the serial line, so nothing a host types can reach it. Line protocol, one reply per
//! request line, any number of requests per connection:
//!
//! * `fault <name>` → `ok`, or `error <why>` (an unknown name lists the known ones);
//! * `clear` → `ok` (disarms all faults);
//! * `faults` → `known: <names>`, `armed: <names>`, then `ok`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use tokio::io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use crate::faults::{Fault, Faults};

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
pub async fn serve(listener: UnixListener, faults: Faults) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(connection(stream, faults.clone()));
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

async fn connection(stream: UnixStream, faults: Faults) {
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader).lines();
    loop {
        match lines.next_line().await {
            Ok(Some(line)) => {
                let reply = handle(line.trim(), &faults);
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
pub fn handle(request: &str, faults: &Faults) -> String {
    let mut words = request.split_whitespace();
    match (words.next(), words.next(), words.next()) {
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
        _ => format!("error unknown request {request:?}; requests: fault <name>, clear, faults\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
