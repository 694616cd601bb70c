//! `atconform script` against `--virtual`: the shipped example passes, an unmet
//! expectation is exit 1 with the documented report, a malformed script exit 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("script").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `atconform script FILE --virtual ...` (a bounded run: every wait in it has --timeout).
fn script(dir: &Path, file: &str, text: Option<&str>, extra: &[&str]) -> Output {
    let path = match text {
        Some(text) => {
            let path = dir.join(file);
            std::fs::write(&path, text).unwrap();
            path
        }
        None => PathBuf::from(file),
    };
    Command::new(env!("CARGO_BIN_EXE_atconform"))
        .arg("script")
        .arg(&path)
        .args(["--virtual", "--certs"])
        .arg(dir.join("certs"))
        .args(extra)
        .output()
        .expect("run atconform script")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_connect_and_publish_example_passes_on_every_dialect() {
    let dir = scratch("example");
    for dialect in ["esp32", "esp8266", "w800"] {
        let out = script(&dir, "fixtures/scripts/connect_publish.atscript", None, &["--dialect", dialect]);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{dialect}: stdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(stdout.contains(&format!("virtual {dialect} firmware")), "{stdout}");
        assert!(stdout.contains("passed (20 steps)"), "{stdout}");
        assert!(stdout.contains("~ +MQTTCONNECTED:0,1,"), "each step is shown as it runs:\n{stdout}");
    }
}

#[test]
fn an_unmet_expectation_names_line_sent_awaited_received_and_shows_the_transcript() {
    let dir = scratch("mismatch");
    let out = script(&dir, "mismatch.atscript", Some("# mismatch\n> AT\n< OK\n> AT+MQTTCONN?\n< ERROR\n"), &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(stderr.contains("mismatch.atscript line 5: expectation not met"), "{stderr}");
    assert!(stderr.contains("  sent:     `AT+MQTTCONN?` (line 4)"), "{stderr}");
    assert!(stderr.contains("  awaited:  the line `ERROR`"), "{stderr}");
    assert!(stderr.contains("  received: `+MQTTCONN:0,0,0,\"\",\"\",\"\",0`"), "{stderr}");
    assert!(stderr.contains("transcript tail:\n# serial transcript; t=0 is unix time"), "{stderr}");
    assert!(stderr.contains("s] -> AT+MQTTCONN?\\r\\n"), "timestamped transcript lines:\n{stderr}");
}

#[test]
fn a_line_that_never_comes_is_a_bounded_failure() {
    let dir = scratch("timeout");
    let out = script(&dir, "timeout.atscript", Some("> AT\n< OK\n~ \\+MQTTSUBRECV:.*\n"), &["--timeout", "0.5"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(stderr.contains("line 3: expectation not met"), "{stderr}");
    assert!(stderr.contains("  awaited:  a line matching `\\+MQTTSUBRECV:.*`"), "{stderr}");
    assert!(stderr.contains("  received: no line within 0.5 s"), "{stderr}");
}

#[test]
fn a_malformed_line_is_exit_2_with_its_number_before_anything_starts() {
    let dir = scratch("malformed");
    let out = script(&dir, "bad.atscript", Some("> AT\n< OK\n\nexpect OK\n"), &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{stderr}");
    assert!(stderr.contains("bad.atscript: line 4: not a script line"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing ran:\n{}", text(&out.stdout));
}

#[test]
fn an_unknown_placeholder_is_exit_2_with_its_line_and_nothing_is_sent() {
    let dir = scratch("placeholder");
    let out = script(&dir, "ph.atscript", Some("> AT\n< OK\n> AT+MQTTCONN=0,\"{broker.hots}\",1883,0\n"), &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{stderr}");
    assert!(stderr.contains("ph.atscript: line 3: unknown placeholder {broker.hots}"), "{stderr}");
    assert!(!text(&out.stdout).contains("> AT"), "nothing was sent:\n{}", text(&out.stdout));
}
