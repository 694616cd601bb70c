//! What `--dialect` changes, byte for byte, where the harness's line framing cannot see it
//! (blank lines are skipped there): the W800 banner and result strings, the ESP8266's schemes.

mod common;

use common::Board;

#[tokio::test]
async fn w800_banner_has_no_leading_crlf() {
    let mut b = Board::start_with_banner(&["--dialect", "w800"], b"ready\r\n").await;
    assert_eq!(b.command("AT+RST", b"ready\r\n").await, "AT+RST\r\n\r\nOK\r\nready\r\n");
    assert_eq!(b.command("AT", b"OK\r\n").await, "AT\r\n\r\nOK\r\n");
}

#[tokio::test]
async fn w800_names_unknown_commands_and_format_errors_without_codes() {
    let mut b = Board::start_with_banner(&["--dialect", "w800"], b"ready\r\n").await;
    assert_eq!(b.command("AT+SYSLOG=1", b"ERR\r\n").await, "AT+SYSLOG=1\r\n\r\nCMD FORMAT ERR\r\n");
    assert_eq!(
        b.command("AT+MQTTCLIENTID=0,\"x\"", b"ERR\r\n").await,
        "AT+MQTTCLIENTID=0,\"x\"\r\n\r\nCMD FORMAT ERR\r\n"
    );
    b.command("AT+MQTTUSERCFG=0,1,\"w\",\"\",\"\",0,0,\"\"", b"OK\r\n").await;
    let quoted_port = b.command("AT+MQTTCONN=0,\"127.0.0.1\",\"1883\",0", b"ERR\r\n").await;
    assert_eq!(quoted_port, "AT+MQTTCONN=0,\"127.0.0.1\",\"1883\",0\r\n\r\nCMD PARSE ERR\r\n");
    let empty_host = b.command("AT+MQTTCONN=0,\"\",1883,0", b"ERROR\r\n").await;
    assert_eq!(empty_host, "AT+MQTTCONN=0,\"\",1883,0\r\n\r\nERROR\r\n");
}

#[tokio::test]
async fn long_client_id_prompts_then_answers_ok() {
    let mut b = Board::start_with_banner(&["--dialect", "w800"], b"ready\r\n").await;
    b.command("AT+MQTTUSERCFG=0,1,\"w\",\"\",\"\",0,0,\"\"", b"OK\r\n").await;
    assert_eq!(b.command("AT+MQTTLONGCLIENTID=0,5", b">").await, "AT+MQTTLONGCLIENTID=0,5\r\n\r\nOK\r\n\r\n>");
    b.send(b"ab,\"c").await;
    assert_eq!(String::from_utf8(b.expect(b"OK\r\n").await).unwrap(), "\r\nOK\r\n");
    let query = b.command("AT+MQTTUSERCFG?", b"OK\r\n").await;
    assert_eq!(query, "AT+MQTTUSERCFG?\r\n+MQTTUSERCFG:0,1,\"ab,\"c\",\"\",\"\",0,0,\"\"\r\n\r\nOK\r\n");
}

#[tokio::test]
async fn esp8266_refuses_tls_schemes_with_their_code() {
    let mut b = Board::start(&["--dialect", "esp8266"]).await;
    b.command("AT+SYSLOG=1", b"OK\r\n").await;
    let tls = b.command("AT+MQTTUSERCFG=0,2,\"e\",\"\",\"\",0,0,\"\"", b"ERROR\r\n").await;
    assert_eq!(tls, "AT+MQTTUSERCFG=0,2,\"e\",\"\",\"\",0,0,\"\"\r\nERR CODE:0x010a6013\r\n\r\nERROR\r\n");
    let ws = b.command("AT+MQTTUSERCFG=0,6,\"e\",\"\",\"\",0,0,\"/mqtt\"", b"OK\r\n").await;
    assert!(ws.ends_with("\r\nOK\r\n"), "{ws:?}");
}
