//! The fault-injection control channel: requests over the Unix socket, effects on the pty.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;

use common::{Board, STEP};

/// A socket path unique to this test process and call.
fn socket_path() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("vfw-control-{}-{n}.sock", std::process::id()))
}

/// A firmware started with `--control` and the path it listens on.
async fn board_with_control() -> (Board, PathBuf) {
    let path = socket_path();
    // A stale file must not stop the firmware from binding.
    std::fs::write(&path, b"stale").unwrap();
    let board = Board::start(&["--control", path.to_str().unwrap()]).await;
    (board, path)
}

/// Sends one request and reads reply lines up to and including the final `ok` or `error ...` line.
async fn request(path: &Path, line: &str) -> Vec<String> {
    let stream = tokio::time::timeout(STEP, UnixStream::connect(path)).await.expect("connect in time").unwrap();
    let (reader, mut writer) = stream.into_split();
    writer.write_all(format!("{line}\n").as_bytes()).await.unwrap();
    let mut lines = BufReader::new(reader).lines();
    let mut reply = Vec::new();
    loop {
        let l = tokio::time::timeout(STEP, lines.next_line()).await.expect("reply in time").unwrap().expect("a line");
        let last = l == "ok" || l.starts_with("error ");
        reply.push(l);
        if last {
            return reply;
        }
    }
}

#[tokio::test]
async fn an_armed_fault_fails_the_next_connect_once() {
    let (mut b, path) = board_with_control().await;
    b.command("ATE0", b"OK\r\n").await;
    b.command("AT+SYSLOG=1", b"OK\r\n").await;
    b.command(r#"AT+MQTTUSERCFG=0,1,"","","",0,0,"""#, b"OK\r\n").await;
    assert_eq!(request(&path, "fault client_start").await, ["ok"]);
    // Port 1 refuses at once: only a connect that really dials shows +MQTTDISCONNECTED.
    let conn = r#"AT+MQTTCONN=0,"127.0.0.1",1,0,3000"#;
    assert_eq!(b.command(conn, b"ERROR\r\n").await, "ERR CODE:0x010a600b\r\n\r\nERROR\r\n");
    assert_eq!(b.command(conn, b"ERROR\r\n").await, "+MQTTDISCONNECTED:0\r\n\r\nERROR\r\n", "one-shot");
}

#[tokio::test]
async fn unknown_and_malformed_requests_are_refused_with_the_known_names() {
    let (_b, path) = board_with_control().await;
    let reply = request(&path, "fault no_such_fault").await;
    assert_eq!(reply.len(), 1, "{reply:?}");
    assert!(reply[0].starts_with("error unknown fault \"no_such_fault\"; known: malloc "), "{reply:?}");
    assert!(reply[0].contains(" client_start ") && reply[0].ends_with(" long_line"), "{reply:?}");
    assert!(request(&path, "explode").await[0].starts_with("error unknown request"));
    assert_eq!(request(&path, "fault malloc").await, ["ok"]);
    let listing = request(&path, "faults").await;
    assert_eq!(listing.len(), 3, "{listing:?}");
    assert_eq!(listing[1..], ["armed: malloc", "ok"]);
    assert_eq!(request(&path, "clear").await, ["ok"]);
    assert_eq!(request(&path, "faults").await[1], "armed: ");
}

#[tokio::test]
async fn a_reset_disarms_every_fault() {
    let (mut b, path) = board_with_control().await;
    assert_eq!(request(&path, "fault malloc").await, ["ok"]);
    b.command("AT+RST", b"ready\r\n").await;
    b.command("AT+SYSLOG=1", b"OK\r\n").await;
    let answer = b.command(r#"AT+MQTTUSERCFG=0,1,"","","",0,0,"""#, b"\r\n\r\nOK\r\n").await;
    assert!(!answer.contains("ERR CODE"), "{answer:?}");
    assert_eq!(request(&path, "faults").await[1], "armed: ");
}

#[tokio::test]
async fn long_line_lifts_the_line_limit_for_one_command() {
    let (mut b, path) = board_with_control().await;
    b.command("ATE0", b"OK\r\n").await;
    b.command("AT+SYSLOG=1", b"OK\r\n").await;
    let usercfg = |id_len: usize| format!(r#"AT+MQTTUSERCFG=0,1,"{}","","",0,0,"""#, "c".repeat(id_len));
    request(&path, "fault long_line").await;
    assert_eq!(b.command(&usercfg(257), b"ERROR\r\n").await, "ERR CODE:0x010a6016\r\n\r\nERROR\r\n");
    request(&path, "fault long_line").await;
    assert_eq!(b.command(&usercfg(256), b"OK\r\n").await, "\r\nOK\r\n");
    // Without the fault the line limit refuses the same line before any parameter is read.
    assert_eq!(b.command(&usercfg(256), b"ERROR\r\n").await, "\r\nERROR\r\n");
}

#[tokio::test]
async fn the_socket_file_is_removed_at_exit() {
    let (mut b, path) = board_with_control().await;
    assert!(path.exists());
    drop(b.child.stdin.take());
    tokio::time::timeout(STEP, b.child.wait()).await.expect("exit in time").unwrap();
    assert!(!path.exists());
}
