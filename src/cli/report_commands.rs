//! The `report` subcommands: compare two runs, merge runs into one report.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use atconform::report::cucumber_json;
use atconform::report::diff::Diff;
use atconform::runner;

/// Work with report files.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// What NEW broke, fixed or newly excludes compared with OLD (cucumber JSON of `run --json`);
    /// exits 1 on a regression.
    Diff {
        /// The earlier run.
        old: PathBuf,
        /// The later run.
        new: PathBuf,
    },
    /// Merges the JSON of several runs (e.g. one per board) into one JSON and/or HTML report.
    Merge {
        /// cucumber JSON files written by `run --json`.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Write the merged cucumber JSON here.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write the merged HTML conformance report here.
        #[arg(long)]
        html: Option<PathBuf>,
        /// Error-code table whose coverage the HTML states.
        #[arg(long, default_value = "fixtures/error_codes.toml")]
        error_codes: PathBuf,
        /// Spec items whose coverage the HTML states.
        #[arg(long, default_value = "fixtures/spec_items.toml")]
        spec_items: PathBuf,
    },
}

/// Runs a `report` subcommand: 0 fine, 1 a regression, 2 bad input.
pub fn report(command: ReportCommand) -> ExitCode {
    let result = match command {
        ReportCommand::Diff { old, new } => report_diff(&old, &new),
        ReportCommand::Merge { inputs, json, html, error_codes, spec_items } => {
            report_merge(&inputs, json.as_deref(), html.as_deref(), &error_codes, &spec_items).map(|()| true)
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("atconform report: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Prints the diff; `Ok(false)` on a regression.
fn report_diff(old: &Path, new: &Path) -> anyhow::Result<bool> {
    let old_records = cucumber_json::load(old)?;
    let new_records = cucumber_json::load(new)?;
    let diff = Diff::between(&old_records, &new_records);
    print!("{diff}");
    if diff.is_regression() {
        println!(
            "REGRESSION: {} scenario(s) that passed in {} fail in {}",
            diff.broke.len(),
            old.display(),
            new.display()
        );
    }
    Ok(!diff.is_regression())
}

fn report_merge(
    inputs: &[PathBuf],
    json: Option<&Path>,
    html: Option<&Path>,
    error_codes: &Path,
    spec_items: &Path,
) -> anyhow::Result<()> {
    anyhow::ensure!(json.is_some() || html.is_some(), "nothing to write: pass --json and/or --html");
    let mut features = Vec::new();
    let mut records = Vec::new();
    for input in inputs {
        let text = std::fs::read_to_string(input).with_context(|| format!("cannot read {}", input.display()))?;
        let doc: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{} is not JSON", input.display()))?;
        records.extend(cucumber_json::records(&doc).map_err(|why| anyhow::anyhow!("{}: {why}", input.display()))?);
        features.extend(doc.as_array().cloned().unwrap_or_default());
    }
    if let Some(path) = json {
        cucumber_json::save(path, &serde_json::Value::Array(features))?;
        println!("report: {}", path.display());
    }
    if let Some(path) = html {
        runner::write_html(path, &records, Some(error_codes), Some(spec_items))?;
        println!("report: {}", path.display());
    }
    Ok(())
}
