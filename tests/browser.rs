//! The HTML report opens in a real headless browser (Debian's chromium) without errors.
//!
//! CI sets ATCONFORM_REQUIRE_BROWSER=1 (and .ci/run installs chromium), so there a missing
//! browser fails the test instead of passing it untested.

use std::path::PathBuf;
use std::process::Command;

fn browser() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()))
}

#[test]
fn the_html_report_renders_in_a_headless_browser_without_errors() {
    let Some(browser) = browser() else {
        assert!(std::env::var_os("ATCONFORM_REQUIRE_BROWSER").is_none(), "no chromium to open the report with");
        eprintln!("no chromium on this machine: the browser check did not run");
        return;
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("report.html");
    let run = Command::new(env!("CARGO_BIN_EXE_atconform"))
        .args(["run", "--tags", "@basic or @faults", "--html"])
        .arg(&html)
        .arg("--out-dir")
        .arg(&dir)
        .arg("--certs")
        .arg(dir.join("certs"))
        .output()
        .expect("run atconform");
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stdout));

    let url = format!("file://{}", html.display());
    let shot = dir.join("report.png");
    let headless = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"];
    let screenshot = Command::new(browser)
        .args(headless)
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,2000")
        .arg(&url)
        .output()
        .expect("run the browser");
    let log = String::from_utf8_lossy(&screenshot.stderr);
    assert!(screenshot.status.success(), "{log}");
    assert!(!log.contains("Uncaught") && !log.contains(":CONSOLE("), "the page logged errors: {log}");
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "screenshot of {} bytes", png.len());

    let dom = Command::new(browser).args(headless).arg("--dump-dom").arg(&url).output().expect("dump the DOM");
    let dom = String::from_utf8_lossy(&dom.stdout);
    for part in ["Command families", "Spec coverage", "Excluded scenarios", "esp32", "w800", "virtual only"] {
        assert!(dom.contains(part), "the rendered page lacks {part:?}");
    }
}
