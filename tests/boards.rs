//! Board profiles, port listing and flashing, as far as they can be tried without a board:
//! a virtual firmware started on its own stands in for a board, reached only through its pty.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn atconform(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_atconform")).args(args).envs(env.iter().copied()).output().expect("run atconform")
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("boards").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A "board": the virtual firmware on a pty, killed when dropped.
struct StandIn {
    process: Child,
    pty: String,
}

impl StandIn {
    fn start(dialect: &str) -> StandIn {
        Self::start_with(&["--dialect", dialect])
    }

    fn start_with(args: &[&str]) -> StandIn {
        let mut process = Command::new(env!("CARGO_BIN_EXE_atconform"))
            .arg("virtual-firmware")
            .args(args)
            .stdin(Stdio::piped()) // it ends when its stdin closes
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the virtual firmware");
        let mut first = String::new();
        BufReader::new(process.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let pty = first.trim().strip_prefix("PTY ").expect("PTY line").to_string();
        StandIn { process, pty }
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A profile for the stand-in board; `extra` adds or overrides fields.
fn profile(dir: &Path, port: &str, extra: &str) -> PathBuf {
    let path = dir.join("bench.toml");
    let text = format!(
        "port = \"{port}\"\ndialect = \"esp32\"\n\
         # TEST-NET-1: never dialed, since no scenario here connects.\n\
         broker_host = \"192.0.2.1\"\npki = \"preflashed\"\n{extra}"
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn run_board(dir: &Path, board: &Path, features: &str, env: &[(&str, &str)]) -> Output {
    let feature_dir = dir.join("features");
    std::fs::create_dir_all(&feature_dir).unwrap();
    std::fs::write(feature_dir.join("bench.feature"), features).unwrap();
    atconform(
        &[
            "run",
            "--board",
            board.to_str().unwrap(),
            "--features",
            feature_dir.to_str().unwrap(),
            // Only this machine: the profile's 0.0.0.0 default is overridden as it may be.
            "--broker-bind",
            "127.0.0.1",
            "--out-dir",
            dir.join("out").to_str().unwrap(),
            "--certs",
            dir.join("certs").to_str().unwrap(),
            "--json",
            dir.join("run.json").to_str().unwrap(),
        ],
        env,
    )
}

const BENCH_FEATURE: &str = "Feature: bench
  Scenario: plain
    Given the device has been reset
    When I send AT
    Then the device answers OK
  @deviation @vendor_bug_1
  Scenario: a deviation the board waives
    Given the device has been reset
  @slow
  Scenario: excluded by the profile
    Given the device has been reset
  @virtual_only
  Scenario: needs the control channel
    Given the device has been reset
";

/// The bench feature plus a waived deviation that fails, as the waiver predicts.
const WAIVER_FEATURE: &str = "Feature: bench
  Scenario: plain
    Given the device has been reset
    When I send AT
    Then the device answers OK
  @deviation @vendor_bug_1
  Scenario: a deviation the board waives, which passes all the same
    Given the device has been reset
  @deviation @vendor_bug_1
  Scenario: a deviation the board waives, failing as predicted
    Given the device has been reset
    When I send AT
    Then the device answers ERROR
  @slow
  Scenario: excluded by the profile
    Given the device has been reset
  @virtual_only
  Scenario: needs the control channel
    Given the device has been reset
";

const WIFI: [(&str, &str); 2] = [("BENCH_SSID", "bench, \"lab\""), ("BENCH_PASSWORD", "s3cret\\pass")];

#[test]
fn ports_lists_what_is_attached() {
    let out = atconform(&["ports"], &[]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // Each line starts with a device path; with nothing attached it says so.
    assert!(stdout == "no serial port is attached\n" || stdout.lines().all(|l| l.starts_with("/dev/")), "{stdout}");
}

#[test]
fn a_wrong_profile_is_a_set_up_error_naming_file_and_field() {
    let dir = scratch("wrong-profile");
    let board = profile(&dir, "/dev/ttyUSB0", "").to_str().unwrap().to_string();
    std::fs::write(&board, std::fs::read_to_string(&board).unwrap().replace("esp32", "esp33")).unwrap();
    let out = atconform(&["run", "--board", &board], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).trim(),
        format!(r#"atconform: {board}: field `dialect`: expected one of esp32, esp8266, w800, found "esp33""#)
    );
    let incomplete = dir.join("incomplete.toml");
    std::fs::write(&incomplete, "port = \"/dev/ttyUSB0\"\ndialect = \"esp32\"\npki = \"preflashed\"\n").unwrap();
    let out = atconform(&["run", "--board", incomplete.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("missing field `broker_host`"), "{}", text(&out.stderr));
}

#[test]
fn a_board_that_is_not_attached_is_named() {
    let dir = scratch("not-attached");
    let board = dir.join("gone.toml");
    let text_ = "usb_serial = \"ATCONFORM-NO-SUCH-BOARD\"\ndialect = \"esp32\"\nbroker_host = \"192.0.2.1\"\npki = \"preflashed\"\n";
    std::fs::write(&board, text_).unwrap();
    let out = atconform(&["run", "--board", board.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            r#"cannot find the board: no serial port with USB serial number "ATCONFORM-NO-SUCH-BOARD" is attached"#
        ),
        "{stderr}"
    );
}

#[test]
fn the_shipped_profiles_name_missing_wifi_variables() {
    let out = atconform(&["run", "--board", "w800-arduino"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("fixtures/boards/w800-arduino.toml: field `wifi_ssid_env`: the environment variable ATCONFORM_WIFI_SSID is not set"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_board_run_checks_the_firmware_joins_the_network_and_reports_waived_scenarios() {
    let dir = scratch("bench");
    let standin = StandIn::start("esp32");
    let extra = "firmware_version = \"AT version:4.0.0.0\"\n\
                 wifi_ssid_env = \"BENCH_SSID\"\nwifi_password_env = \"BENCH_PASSWORD\"\n\
                 exclude_tags = [\"slow\"]\nwaived = [\"@vendor_bug_1\"]\n";
    let board = profile(&dir, &standin.pty, extra);
    let out = run_board(&dir, &board, WAIVER_FEATURE, &WIFI);
    let stdout = text(&out.stdout);
    // The waived deviation's failure does not fail the run; its pass is flagged, not counted as passed.
    assert_eq!(out.status.code(), Some(0), "stdout: {stdout}\nstderr: {}", text(&out.stderr));
    assert!(stdout.contains(&format!("board bench (esp32) on {}", standin.pty)), "{stdout}");
    assert!(
        stdout.contains(
            "esp32    1 passed, 0 failed, 0 with unknown steps, 1 waived, 1 waivers unexpectedly passed; \
             excluded: 1 virtual only, 1 not selected"
        ),
        "{stdout}"
    );
    let json = std::fs::read_to_string(dir.join("run.json")).unwrap();
    assert!(json.contains(r#""outcome": "waived""#), "{json}");
    assert!(json.contains(r#""outcome": "waiver_passed""#), "{json}");
}

#[test]
fn a_firmware_version_mismatch_names_expected_and_actual() {
    let dir = scratch("mismatch");
    let standin = StandIn::start("esp32");
    let board = profile(&dir, &standin.pty, "firmware_version = \"AT version:3.4.0.0\"\n");
    let out = run_board(&dir, &board, BENCH_FEATURE, &[]);
    assert_eq!(out.status.code(), Some(2), "stdout: {}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            r#"AT+GMR's first line should contain "AT version:3.4.0.0", but it is "AT version:4.0.0.0(virtual - ESP32"#
        ),
        "{stderr}"
    );
}

#[test]
fn sysmfg_provisioning_writes_the_device_pki_into_the_board() {
    let dir = scratch("sysmfg");
    // The stand-in's partitions are the files of its own --pki-dir, empty at first.
    let partitions = dir.join("partitions");
    std::fs::create_dir_all(&partitions).unwrap();
    let standin = StandIn::start_with(&["--dialect", "esp32", "--pki-dir", partitions.to_str().unwrap()]);
    let board = profile(&dir, &standin.pty, "").to_str().unwrap().to_string();
    std::fs::write(&board, std::fs::read_to_string(&board).unwrap().replace("preflashed", "sysmfg")).unwrap();
    let out = run_board(&dir, Path::new(&board), BENCH_FEATURE, &[]);
    assert_eq!(out.status.code(), Some(0), "stdout: {}\nstderr: {}", text(&out.stdout), text(&out.stderr));
    for file in ["mqtt_ca.crt", "mqtt_client.crt", "mqtt_client.key"] {
        let written = std::fs::read(partitions.join(file)).unwrap_or_default();
        assert_eq!(written, std::fs::read(dir.join("certs/device").join(file)).unwrap(), "{file}");
    }
}

#[test]
fn a_refused_sysmfg_write_is_named() {
    // Without --pki-dir the stand-in has no partition to write: the first write is refused.
    let dir = scratch("sysmfg-refused");
    let standin = StandIn::start("esp32");
    let board = profile(&dir, &standin.pty, "").to_str().unwrap().to_string();
    std::fs::write(&board, std::fs::read_to_string(&board).unwrap().replace("preflashed", "sysmfg")).unwrap();
    let out = run_board(&dir, Path::new(&board), BENCH_FEATURE, &[]);
    assert_eq!(out.status.code(), Some(2), "stdout: {}", text(&out.stdout));
    let stderr = text(&out.stderr);
    let ca_len = std::fs::metadata(dir.join("certs/device/mqtt_ca.crt")).unwrap().len();
    let expected = format!(r#"answered AT+SYSMFG=2,"mqtt_ca","mqtt_ca.0",8,{ca_len} with ["ERROR"]"#);
    assert!(stderr.contains(&expected), "{stderr}");
}

#[test]
fn the_wifi_password_never_shows_in_an_error() {
    // The join goes through (the stand-in accepts any network); the password is sent to the board
    // with ESP-AT escapes but appears in no output and no report.
    let dir = scratch("secret");
    let standin = StandIn::start("esp32");
    let extra = "wifi_ssid_env = \"BENCH_SSID\"\nwifi_password_env = \"BENCH_PASSWORD\"\n";
    let board = profile(&dir, &standin.pty, extra);
    let out = run_board(&dir, &board, BENCH_FEATURE, &WIFI);
    assert_eq!(out.status.code(), Some(0), "stdout: {}\nstderr: {}", text(&out.stdout), text(&out.stderr));
    for output in [text(&out.stdout), text(&out.stderr), std::fs::read_to_string(dir.join("run.json")).unwrap()] {
        assert!(!output.contains("s3cret"), "{output}");
    }
}

#[test]
fn flash_refuses_a_missing_empty_or_foreign_image_before_touching_the_port() {
    let dir = scratch("images");
    std::fs::write(dir.join("empty.bin"), b"").unwrap();
    std::fs::write(dir.join("notes.bin"), b"release notes, not an image").unwrap();
    // The port does not exist: had it been touched, the error would be about the port.
    let port = "/dev/atconform-no-such-port";
    let cases = [
        ("missing.bin", "cannot read the firmware image"),
        ("empty.bin", "is not a flashable ESP firmware image: the file is empty"),
        ("notes.bin", "is not a flashable ESP firmware image: no image header (byte 0xE9) at offset 0 or 0x1000"),
    ];
    for (file, message) in cases {
        let image = dir.join(file);
        let out = atconform(&["flash", "--firmware", image.to_str().unwrap(), "--port", port], &[]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(message) && !stderr.contains(port), "{file}: {stderr}");
    }
}

#[test]
fn flash_needs_its_arguments() {
    let out = atconform(&["flash", "--port", "/dev/ttyUSB0"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--firmware <FIRMWARE>"), "{}", text(&out.stderr));
    let out = atconform(&["run", "--flash"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--board <BOARD>"), "{}", text(&out.stderr));
}

#[test]
fn run_flash_refuses_a_w800_or_a_profile_without_firmware() {
    let out = atconform(&["run", "--board", "w800-arduino", "--flash"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("flashing supports ESP chips only"), "{}", text(&out.stderr));
    let dir = scratch("no-firmware");
    let board = profile(&dir, "/dev/atconform-no-such-port", "");
    let out = atconform(&["run", "--board", board.to_str().unwrap(), "--flash"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--flash needs the field `firmware`"), "{}", text(&out.stderr));
}

#[test]
fn flashing_a_port_where_no_bootloader_answers_fails_clearly_and_in_time() {
    let dir = scratch("no-bootloader");
    let image = dir.join("image.bin");
    let mut bytes = vec![0xFF; 0x2000];
    bytes[0x1000] = 0xE9;
    std::fs::write(&image, bytes).unwrap();
    let standin = StandIn::start("esp32"); // answers AT, never the ROM bootloader's SLIP sync
    let started = Instant::now();
    let out = atconform(&["flash", "--firmware", image.to_str().unwrap(), "--port", &standin.pty], &[]);
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&format!("no ESP bootloader answered on {}", standin.pty)), "{stderr}");
}

#[tokio::test]
async fn after_a_flash_the_runner_waits_for_the_board_to_answer() {
    let standin = StandIn::start("esp32");
    let within = std::time::Duration::from_secs(10);
    atconform::bringup::await_answer(&standin.pty, 115_200, within).await.expect("the stand-in answers AT");
    let err = atconform::bringup::await_answer("/dev/atconform-no-such-port", 115_200, within).await.unwrap_err();
    assert!(format!("{err:#}").contains("/dev/atconform-no-such-port"), "{err:#}");
}
