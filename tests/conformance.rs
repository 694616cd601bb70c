//! The whole Gherkin suite against the virtual firmware, every dialect, as part of `cargo test`.

use std::path::PathBuf;
use std::process::ExitCode;

use atconform::broker::BrokerConfig;
use atconform::coverage::{CodeCoverage, ErrorCodeTable};
use atconform::dialect::Dialect;
use atconform::runner::{run, Outcome, RunOptions};
use atconform::virtual_device::FirmwareCommand;

#[tokio::main]
async fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let options = RunOptions {
        features: root.join("features"),
        ports: Vec::new(),
        devices: 1,
        baud: 115_200,
        dialects: Dialect::ALL.to_vec(),
        firmware: FirmwareCommand {
            program: env!("CARGO_BIN_EXE_atconform").into(),
            args: vec!["virtual-firmware".into()],
        },
        firmware_args: Vec::new(),
        tags: std::env::var("ATCONFORM_TAGS").ok(),
        name: None,
        junit: Some(root.join("target/atconform-tests/junit.xml")),
        json: Some(root.join("target/atconform-tests/cucumber.json")),
        html: Some(root.join("target/atconform-tests/report.html")),
        error_codes: Some(root.join("fixtures/error_codes.toml")),
        spec_items: Some(root.join("fixtures/spec_items.toml")),
        out_dir: root.join("target/atconform-tests"),
        broker: BrokerConfig { certs_dir: root.join("target/atconform-tests/certs"), ..BrokerConfig::default() },
        waived: Vec::new(),
        retries: 0,
        bring_up: None,
    };
    std::fs::create_dir_all(root.join("target/atconform-tests")).expect("create target/atconform-tests");
    match run(options).await {
        Ok(outcome) if !outcome.failed => every_code_has_a_passing_scenario(&root, &outcome),
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("conformance suite could not run: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Every code of fixtures/error_codes.toml must be exercised by a scenario that ran and passed.
fn every_code_has_a_passing_scenario(root: &std::path::Path, outcome: &Outcome) -> ExitCode {
    let table = ErrorCodeTable::load(&root.join("fixtures/error_codes.toml")).expect("fixtures/error_codes.toml");
    let runs = outcome.dialects.iter().map(|d| (d.dialect, &d.tally.scenarios[..]));
    let coverage = CodeCoverage::compute(&table, runs);
    let missing: Vec<String> = coverage.missing.iter().map(|c| format!("0x{:04x} {}", c.code, c.name)).collect();
    let (passed, failed) = (usize::from(missing.is_empty()), usize::from(!missing.is_empty()));
    println!("error-code coverage: {passed} passed, {failed} failed");
    if missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("error codes with no passing scenario: {}", missing.join(", "));
        ExitCode::FAILURE
    }
}
