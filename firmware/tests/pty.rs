//! Drives the built binary over its pty, as the harness does.

mod common;

use tokio::process::Command;

use common::{Board, STEP};

#[tokio::test]
async fn at_is_echoed_and_answered_ok() {
    let mut b = Board::start(&[]).await;
    assert_eq!(b.command("AT", b"OK\r\n").await, "AT\r\n\r\nOK\r\n");
}

#[tokio::test]
async fn mqttconn_query_before_config() {
    let mut b = Board::start(&[]).await;
    assert_eq!(
        b.command("AT+MQTTCONN?", b"OK\r\n").await,
        "AT+MQTTCONN?\r\n+MQTTCONN:0,0,0,\"\",\"\",\"\",0\r\n\r\nOK\r\n"
    );
}

#[tokio::test]
async fn echo_off_and_syslog_error_codes() {
    let mut b = Board::start(&["--quirks", "shipped"]).await;
    assert_eq!(b.command("ATE0", b"OK\r\n").await, "ATE0\r\n\r\nOK\r\n");
    assert_eq!(b.command("AT+SYSLOG=1", b"OK\r\n").await, "\r\nOK\r\n");
    assert_eq!(b.command("AT+MQTTPUB=0,\"t\",\"d\",0,0", b"ERROR\r\n").await, "ERR CODE:0x010a6006\r\n\r\nERROR\r\n");
    assert_eq!(b.command("AT+FAKE", b"ERROR\r\n").await, "ERR CODE:0x01090000\r\n\r\nERROR\r\n");
    assert_eq!(b.command("at", b"ERROR\r\n").await, "ERR CODE:0x01030000\r\n\r\nERROR\r\n");
}

#[tokio::test]
async fn cr_only_lines_and_long_lines() {
    let mut b = Board::start(&[]).await;
    b.send(b"AT\r").await;
    assert_eq!(b.expect(b"OK\r\n").await, b"AT\r\n\r\nOK\r\n");
    b.command("AT+SYSLOG=1", b"OK\r\n").await;
    let line = |len: usize| {
        let frame = "AT+MQTTPUB=0,\"t\",\"\",0,0".len();
        format!("AT+MQTTPUB=0,\"t\",\"{}\",0,0", "x".repeat(len - frame))
    };
    let at_limit = line(255);
    assert_eq!(at_limit.len(), 255);
    let answer = b.command(&at_limit, b"ERROR\r\n").await;
    assert!(answer.ends_with("ERR CODE:0x010a6006\r\n\r\nERROR\r\n"), "255 bytes is parsed: {answer:?}");
    let too_long = line(256);
    let answer = b.command(&too_long, b"ERROR\r\n").await;
    assert_eq!(answer, format!("{too_long}\r\n\r\nERROR\r\n"), "256 bytes is refused without a code");
}

#[tokio::test]
async fn reset_prints_ready_and_restores_echo() {
    let mut b = Board::start(&[]).await;
    b.command("ATE0", b"OK\r\n").await;
    assert_eq!(b.command("AT+RST", b"ready\r\n").await, "\r\nOK\r\n\r\nready\r\n");
    assert_eq!(b.command("AT", b"OK\r\n").await, "AT\r\n\r\nOK\r\n");
}

#[tokio::test]
async fn failed_connect_shows_disconnected_then_error() {
    let mut b = Board::start(&[]).await;
    b.command(r#"AT+MQTTUSERCFG=0,1,"","","",0,0,"""#, b"OK\r\n").await;
    let answer = b.command(r#"AT+MQTTCONN=0,"127.0.0.1",1,0,3000"#, b"ERROR\r\n").await;
    assert!(answer.ends_with("+MQTTDISCONNECTED:0\r\n\r\nERROR\r\n"), "{answer:?}");
    let q = b.command("AT+MQTTCONN?", b"OK\r\n").await;
    assert!(q.contains("+MQTTCONN:0,1,1,\"\",\"\",\"\",0\r\n"), "{q:?}");
}

#[tokio::test]
async fn exits_when_stdin_closes() {
    let mut b = Board::start(&[]).await;
    drop(b.child.stdin.take());
    let status = tokio::time::timeout(STEP, b.child.wait()).await.expect("exit in time").unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn exits_on_sigterm() {
    let mut b = Board::start(&[]).await;
    let pid = b.child.id().unwrap().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().await.unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(STEP, b.child.wait()).await.expect("exit in time").unwrap();
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn lines_during_a_pending_connect_get_busy() {
    // A "broker" that accepts and never answers, so CONNACK never comes.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let mut b = Board::start(&[]).await;
    b.command(r#"AT+MQTTUSERCFG=0,1,"","","",0,0,"""#, b"OK\r\n").await;
    b.send(format!("AT+MQTTCONN=0,\"127.0.0.1\",{port},0,3000\r\n").as_bytes()).await;
    b.expect(b"3000\r\n").await;
    b.send(b"AT\r\n").await;
    assert_eq!(b.expect(b"busy p...\r\n").await, b"AT\r\n\r\nbusy p...\r\n");
    assert_eq!(b.expect(b"ERROR\r\n").await, b"+MQTTDISCONNECTED:0\r\n\r\nERROR\r\n");
}

#[tokio::test]
async fn a_line_in_the_same_write_as_a_long_command_gets_busy() {
    // The two lines reach the firmware in one read: the second must not wait for the first.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let mut b = Board::start(&[]).await;
    b.command(r#"AT+MQTTUSERCFG=0,1,"","","",0,0,"""#, b"OK\r\n").await;
    b.send(format!("AT+MQTTCONN=0,\"127.0.0.1\",{port},0,3000\r\nAT\r\n").as_bytes()).await;
    let first = b.expect(b"busy p...\r\n").await;
    assert!(!first.windows(5).any(|w| w == b"ERROR"), "busy must come before the connect fails: {first:?}");
    b.expect(b"ERROR\r\n").await;
    drop(silent);
}

#[tokio::test]
async fn sigusr1_hard_reset_abandons_a_pending_connect_and_prints_ready() {
    let mut b = Board::start(&[]).await;
    b.command("ATE0", b"OK\r\n").await;
    // A listener that never answers keeps AT+MQTTCONN busy for its whole timeout.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    b.command("AT+MQTTUSERCFG=0,1,\"hr\",\"\",\"\",0,0,\"\"", b"OK\r\n").await;
    b.send(format!("AT+MQTTCONN=0,\"127.0.0.1\",{port},0,60000\r\n").as_bytes()).await;
    let _held = tokio::time::timeout(STEP, silent.accept()).await.expect("the firmware dials").unwrap();
    let pid = b.child.id().expect("running");
    let status = std::process::Command::new("kill").args(["-USR1", &pid.to_string()]).status().unwrap();
    assert!(status.success());
    b.expect(b"\r\nready\r\n").await;
    // Echo is back on and the pending connect is gone: the module is idle and unconfigured.
    assert_eq!(
        b.command("AT+MQTTCONN?", b"OK\r\n").await,
        "AT+MQTTCONN?\r\n+MQTTCONN:0,0,0,\"\",\"\",\"\",0\r\n\r\nOK\r\n"
    );
}
