//! The whole Gherkin suite against the virtual firmware, every dialect, as part of `cargo test`.

use std::path::PathBuf;
use std::process::ExitCode;

use atconform::broker::BrokerConfig;
use atconform::dialect::Dialect;
use atconform::runner::{run, RunOptions};
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
        error_codes: Some(root.join("fixtures/error_codes.toml")),
        out_dir: root.join("target/atconform-tests"),
        broker: BrokerConfig { certs_dir: root.join("target/atconform-tests/certs"), ..BrokerConfig::default() },
    };
    std::fs::create_dir_all(root.join("target/atconform-tests")).expect("create target/atconform-tests");
    match run(options).await {
        Ok(outcome) if !outcome.failed => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("conformance suite could not run: {e:#}");
            ExitCode::FAILURE
        }
    }
}
