//! Bad input at the edges gets a clear error, and the rest of the run goes on.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn atconform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_atconform")).args(args).output().expect("run atconform")
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join(file), text).unwrap();
}

/// `atconform run` on these features, with its output and PKI inside `dir`, plus `extra` options.
fn run_features(dir: &Path, features: &Path, extra: &[&str]) -> Output {
    let (out, certs) = (dir.join("out"), dir.join("certs"));
    let mut args = vec!["run", "--features", features.to_str().unwrap(), "--out-dir", out.to_str().unwrap()];
    args.extend(["--certs", certs.to_str().unwrap()]);
    args.extend_from_slice(extra);
    atconform(&args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_missing_port_is_a_set_up_error_naming_the_port() {
    let dir = scratch("missing-port");
    let certs = dir.join("certs");
    let out = atconform(&[
        "run",
        "--port",
        "/dev/atconform-no-such-port",
        "--dialect",
        "esp32",
        "--features",
        "features",
        "--certs",
        certs.to_str().unwrap(),
        "--out-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "stderr: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("cannot open serial port /dev/atconform-no-such-port"));
}

#[test]
fn a_missing_features_directory_is_a_set_up_error() {
    let out = atconform(&["run", "--features", "/nonexistent/atconform-features"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent/atconform-features"), "stderr: {}", text(&out.stderr));
}

#[test]
fn a_bad_tag_expression_is_a_set_up_error() {
    let dir = scratch("bad-tags");
    let out = atconform(&[
        "run",
        "--tags",
        "@a and and",
        "--out-dir",
        dir.to_str().unwrap(),
        "--certs",
        dir.join("certs").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("bad --tags expression"), "stderr: {}", text(&out.stderr));
}

#[test]
fn malformed_features_and_unknown_steps_fail_while_the_rest_still_runs() {
    let dir = scratch("bad-features");
    let features = dir.join("features");
    std::fs::create_dir_all(&features).unwrap();
    write(&features, "fine.feature", "Feature: fine\n  Scenario: ok\n    Given the device has been reset\n    When I send AT\n    Then the device answers OK\n");
    write(
        &features,
        "unknown.feature",
        "Feature: unknown\n  Scenario: frob\n    Given the device has been reset\n    When I frobnicate the device\n",
    );
    write(&features, "malformed.feature", "Feature: bad\n  Scenario without a colon\n@@@\n");
    let out_dir = dir.join("out");
    let out = atconform(&["run", "--features", features.to_str().unwrap(), "--out-dir", out_dir.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "stdout: {stdout}\nstderr: {}", text(&out.stderr));
    assert!(stdout.contains("2 scenarios (1 passed, 1 failed)"), "stdout: {stdout}");
    assert!(stdout.contains("1 parsing error"), "stdout: {stdout}");
    assert!(stdout.contains("Step doesn't match any function"), "stdout: {stdout}");
}

#[test]
fn a_failing_scenario_keeps_its_timestamped_transcript_and_names_what_arrived() {
    let dir = scratch("failing");
    let features = dir.join("features");
    std::fs::create_dir_all(&features).unwrap();
    write(
        &features,
        "wrong.feature",
        "Feature: wrong\n  Scenario: expects the wrong answer\n    Given the device has been reset\n    When I send AT+NOSUCHCOMMAND\n    Then the device answers OK\n",
    );
    let out_dir = dir.join("out");
    let junit = dir.join("junit.xml");
    let out = atconform(&[
        "run",
        "--dialect",
        "esp32",
        "--features",
        features.to_str().unwrap(),
        "--out-dir",
        out_dir.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
        "--certs",
        dir.join("certs").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains(r#"the device answered ["ERROR"], expected ["OK"]"#), "stdout: {stdout}");
    let transcript = std::fs::read_to_string(out_dir.join("transcripts/esp32/wrong--expects_the_wrong_answer.log"))
        .expect("transcript of the failed scenario");
    assert!(transcript.contains("-> AT+NOSUCHCOMMAND\\r\\n"), "{transcript}");
    assert!(transcript.contains("<- "), "{transcript}");
    let xml = std::fs::read_to_string(junit).expect("junit written");
    assert!(xml.contains("<failure"), "{xml}");
}

#[test]
fn a_board_needs_exactly_one_dialect() {
    let dir = scratch("board-dialect");
    let out = atconform(&["run", "--port", "/dev/ttyUSB9", "--out-dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("pass exactly one --dialect"), "stderr: {}", text(&out.stderr));
}

const DIALECT_FEATURE: &str = "Feature: dialects
  Scenario: everywhere
    Given the device has been reset
  @w800
  Scenario: only on w800
    Given the device has been reset
  @esp32 @esp8266
  Scenario: only on ESP-AT
    Given the device has been reset
  @virtual_only
  Scenario: needs the control channel
    Given the device has been reset
";

#[test]
fn each_dialect_runs_what_applies_to_it_and_reports_the_rest_as_excluded() {
    let dir = scratch("dialects");
    let features = dir.join("features");
    std::fs::create_dir_all(&features).unwrap();
    write(&features, "dialects.feature", DIALECT_FEATURE);
    let junit = dir.join("junit.xml");
    let out = run_features(&dir, &features, &["--junit", junit.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "stdout: {stdout}\nstderr: {}", text(&out.stderr));
    assert!(
        stdout.contains("esp32    3 passed, 0 failed, 0 with unknown steps; excluded: 1 other dialect"),
        "{stdout}"
    );
    assert!(
        stdout.contains("w800     3 passed, 0 failed, 0 with unknown steps; excluded: 1 other dialect"),
        "{stdout}"
    );
    for dialect in ["esp32", "esp8266", "w800"] {
        let xml =
            std::fs::read_to_string(dir.join(format!("junit-{dialect}.xml"))).expect("one JUnit file per dialect");
        assert_eq!(xml.matches("<testcase").count(), 3, "{dialect}: {xml}");
    }
}

#[test]
fn a_board_run_excludes_virtual_only_scenarios_as_such() {
    let dir = scratch("virtual-only");
    let features = dir.join("features");
    std::fs::create_dir_all(&features).unwrap();
    write(&features, "dialects.feature", DIALECT_FEATURE);
    let (mut board, pty) = stand_in_board("w800");
    let out = run_features(&dir, &features, &["--port", &pty, "--dialect", "w800"]);
    let _ = board.kill();
    let _ = board.wait();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "stdout: {stdout}\nstderr: {}", text(&out.stderr));
    assert!(
        stdout.contains("w800     2 passed, 0 failed, 0 with unknown steps; excluded: 1 other dialect, 1 virtual only"),
        "{stdout}"
    );
}

/// A "board": the virtual firmware started on its own, reached only through its pty path.
fn stand_in_board(dialect: &str) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut board = Command::new(env!("CARGO_BIN_EXE_atconform"))
        .args(["virtual-firmware", "--dialect", dialect])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the virtual firmware");
    let mut first = String::new();
    BufReader::new(board.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let pty = first.trim().strip_prefix("PTY ").expect("PTY line").to_string();
    (board, pty)
}

#[test]
fn a_pool_board_that_cannot_be_opened_is_named_the_others_run_and_the_run_fails() {
    let dir = scratch("pool-missing");
    let features = dir.join("features");
    std::fs::create_dir_all(&features).unwrap();
    write(&features, "dialects.feature", DIALECT_FEATURE);
    let (mut board, pty) = stand_in_board("esp32");
    let args = ["--port", &pty, "--port", "/dev/atconform-no-such-port", "--dialect", "esp32"];
    let out = run_features(&dir, &features, &args);
    let _ = board.kill();
    let _ = board.wait();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "stdout: {stdout}\nstderr: {}", text(&out.stderr));
    assert!(stdout.contains("esp32    2 passed, 0 failed"), "{stdout}");
    assert!(stdout.contains("device 2 of dialect esp32 could not start"), "{stdout}");
    assert!(stdout.contains("/dev/atconform-no-such-port"), "{stdout}");
}

#[test]
fn devices_shard_one_suite_and_the_summary_says_which_device_ran_what() {
    let dir = scratch("devices");
    let features = dir.join("features");
    std::fs::create_dir_all(&features).unwrap();
    let mut feature = String::from("Feature: shard\n");
    for i in 1..=6 {
        feature.push_str(&format!("  Scenario: s{i}\n    Given the device has been reset\n    When I send AT\n    Then the device answers OK\n"));
    }
    write(&features, "shard.feature", &feature);
    let out = run_features(&dir, &features, &["--devices", "3", "--dialect", "esp8266"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "stdout: {stdout}\nstderr: {}", text(&out.stderr));
    assert!(stdout.contains("esp8266  6 passed, 0 failed"), "{stdout}");
    for device in ["esp8266#1 (", "esp8266#2 (", "esp8266#3 ("] {
        assert!(stdout.contains(device), "{device} ran nothing: {stdout}");
    }
}

#[test]
fn devices_and_ports_do_not_mix() {
    let out = atconform(&["run", "--port", "/dev/ttyUSB9", "--dialect", "esp32", "--devices", "2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("give --port once per board"), "stderr: {}", text(&out.stderr));
}

#[test]
fn report_diff_flags_a_broken_firmware_build_as_a_regression() {
    let dir = scratch("diff");
    let run = |name: &str, extra: &[&str]| {
        let json = dir.join(format!("{name}.json"));
        let html = dir.join(format!("{name}.html"));
        let mut args = vec![
            "run",
            "--dialect",
            "esp32",
            "--features",
            "features/mqtt/sub.feature",
            "--out-dir",
            dir.to_str().unwrap(),
            "--certs",
            dir.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let json_arg = json.to_str().unwrap().to_string();
        let html_arg = html.to_str().unwrap().to_string();
        args.extend_from_slice(&["--json", &json_arg, "--html", &html_arg]);
        let out = atconform(&args);
        (out, json, html)
    };
    let (good, good_json, good_html) = run("good", &[]);
    assert_eq!(good.status.code(), Some(0), "stdout: {}", text(&good.stdout));
    // The same firmware built with the shipped quirks: it no longer says ALREADY SUBSCRIBE (esp-at#453).
    let (broken, broken_json, broken_html) = run("broken", &["--firmware-arg=--quirks", "--firmware-arg=shipped"]);
    assert_eq!(broken.status.code(), Some(1), "stdout: {}", text(&broken.stdout));

    let same = atconform(&["report", "diff", good_json.to_str().unwrap(), good_json.to_str().unwrap()]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stdout));
    let diff = atconform(&["report", "diff", good_json.to_str().unwrap(), broken_json.to_str().unwrap()]);
    let stdout = text(&diff.stdout);
    assert_eq!(diff.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("REGRESSION"), "{stdout}");
    assert!(stdout.contains("ALREADY SUBSCRIBE") || stdout.contains("already subscribed"), "{stdout}");
    let fixed = atconform(&["report", "diff", broken_json.to_str().unwrap(), good_json.to_str().unwrap()]);
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed.stdout));
    assert!(!text(&fixed.stdout).contains("fixed: 0"), "{}", text(&fixed.stdout));

    let good_page = std::fs::read_to_string(good_html).unwrap();
    assert!(good_page.contains("Failures (0)"), "{good_page}");
    let broken_page = std::fs::read_to_string(broken_html).unwrap();
    assert!(!broken_page.contains("Failures (0)"));
    assert!(broken_page.contains("serial transcript") && broken_page.contains("broker observations"));
}

#[test]
fn report_diff_of_a_file_that_is_not_a_report_is_a_clear_error() {
    let dir = scratch("diff-bad");
    write(&dir, "junk.json", "{\"not\": \"cucumber\"}");
    let junk = dir.join("junk.json");
    let out = atconform(&["report", "diff", junk.to_str().unwrap(), junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is not a cucumber JSON report of atconform"), "{}", text(&out.stderr));
}

#[test]
fn a_retried_failure_is_one_failed_scenario_that_ran_twice() {
    let dir = scratch("retry");
    let features = dir.join("features");
    std::fs::create_dir_all(&features).unwrap();
    write(
        &features,
        "retry.feature",
        "Feature: retry\n  Scenario: always wrong\n    Given the device has been reset\n    When I send AT\n    Then the device answers ERROR\n",
    );
    let json = dir.join("run.json");
    let out = run_features(&dir, &features, &["--dialect", "esp32", "--retry", "1", "--json", json.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("esp32    0 passed, 1 failed, 0 with unknown steps;"), "{stdout}");
    let json = std::fs::read_to_string(json).unwrap();
    assert!(json.contains(r#""attempts": 2"#), "{json}");
}

#[test]
fn report_merge_joins_the_runs_of_several_boards_into_one_report() {
    let dir = scratch("merge");
    let features = dir.join("features");
    std::fs::create_dir_all(&features).unwrap();
    write(&features, "dialects.feature", DIALECT_FEATURE);
    let mut inputs = Vec::new();
    for dialect in ["esp32", "w800"] {
        let json = dir.join(format!("{dialect}.json"));
        let out = run_features(&dir, &features, &["--dialect", dialect, "--json", json.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
        inputs.push(json.to_str().unwrap().to_string());
    }
    let (merged, html) = (dir.join("merged.json"), dir.join("matrix.html"));
    let out = atconform(&[
        "report",
        "merge",
        &inputs[0],
        &inputs[1],
        "--json",
        merged.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let merged = std::fs::read_to_string(merged).unwrap();
    // Four scenarios per dialect, run or excluded, each with its record.
    assert_eq!(merged.matches(r#""atconform": {"#).count(), 8, "{merged}");
    let page = std::fs::read_to_string(html).unwrap();
    assert!(page.contains("<th>esp32</th>") && page.contains("<th>w800</th>"), "{page}");
    let nothing = atconform(&["report", "merge", &inputs[0]]);
    assert_eq!(nothing.status.code(), Some(2));
    assert!(text(&nothing.stderr).contains("pass --json and/or --html"), "{}", text(&nothing.stderr));
}

const ROBUSTNESS_FEATURE: &str = r#"Feature: robustness
  @virtual_only
  Scenario: noise before a command
    Given the device has been reset
    When the virtual firmware writes the noise "\xff\xfe#junk\r\n" on the line
    And I send AT
    Then the device answers OK
  Scenario: the next scenario is clean
    Given the device has been reset
    When I send AT
    Then the device answers OK
  @virtual_only
  Scenario: the line vanishes
    Given the device has been reset
    When the virtual firmware exits
    And I send AT
    Then the device answers OK
  Scenario: after the line vanished
    Given the device has been reset
"#;

#[test]
fn garbage_on_the_line_and_a_vanished_device_fail_clearly_and_the_run_goes_on() {
    let dir = scratch("robustness");
    let features = dir.join("features");
    std::fs::create_dir_all(&features).unwrap();
    write(&features, "robust.feature", ROBUSTNESS_FEATURE);
    let out = run_features(&dir, &features, &["--dialect", "esp32", "--dialect", "w800"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    // The noise is named as what arrived; the scenario after it starts clean.
    assert!(stdout.contains(r#"the device answered ["��#junk", "OK"], expected ["OK"]"#), "{stdout}");
    // Once the line is gone every later step says so at once, and the next dialect still runs.
    assert!(stdout.contains("cannot send `AT+RST`: the serial line closed earlier"), "{stdout}");
    for dialect in ["esp32   ", "w800    "] {
        assert!(stdout.contains(&format!("{dialect} 1 passed, 3 failed, 0 with unknown steps")), "{stdout}");
    }
}
