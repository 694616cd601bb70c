//! One conformance run: start the brokers, then for each dialect open its devices
//! (boards, or fresh virtual firmware), run the feature files that apply to it
//! with cucumber sharded over them, write reports, and say whether anything failed.
//!
//! `bench` opens devices and brokers, `tally` records how scenarios ended,
//! `outputs` writes the report files and `summary` prints the closing summary.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use cucumber::event::ScenarioFinished;
use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::writer::Stats as _;
use cucumber::{writer, World as _, WriterExt as _};
use futures::FutureExt as _;

use crate::bringup::BringUp;
use crate::broker::{Broker, BrokerConfig};
use crate::dialect::Dialect;
use crate::report::{ScenarioOutcome, ScenarioRecord};
use crate::selection::{Exclusions, Selection};
use crate::virtual_device::FirmwareCommand;
use crate::world::{self, AtWorld};

mod bench;
mod outputs;
mod summary;
mod tally;

pub use bench::placeholder_vars;
pub use outputs::write_html;
pub use tally::Tally;

use bench::{start_benches, start_brokers};
use outputs::{per_dialect, report_file, write_reports, Reports, SharedBuffer};
use summary::{print_code_coverage, print_summary};
use tally::{failure_message, outcome_of, record};

/// Everything a run needs to know.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Directory (or single file) of `.feature` files.
    pub features: PathBuf,
    /// Serial devices to test, all of the one dialect; empty starts virtual firmware instead.
    pub ports: Vec<String>,
    /// How many virtual firmware instances share each dialect's scenarios (without `ports`).
    pub devices: usize,
    /// Baud rate for `port`.
    pub baud: u32,
    /// The dialects to run, one after another; a board speaks exactly one.
    pub dialects: Vec<Dialect>,
    /// How to start the virtual firmware.
    pub firmware: FirmwareCommand,
    /// Extra options for the virtual firmware (e.g. `--quirks shipped`).
    pub firmware_args: Vec<String>,
    /// Tag expression selecting scenarios, e.g. `@pub and not @slow`.
    pub tags: Option<String>,
    /// Regular expression selecting scenarios by name.
    pub name: Option<String>,
    /// Where to write JUnit XML (one file per dialect when several run).
    pub junit: Option<PathBuf>,
    /// Where to write cucumber JSON (every dialect in one file, each scenario with its atconform record).
    pub json: Option<PathBuf>,
    /// Where to write the HTML conformance report.
    pub html: Option<PathBuf>,
    /// The spec items whose coverage the HTML report states (`fixtures/spec_items.toml`).
    pub spec_items: Option<PathBuf>,
    /// Directory for failure transcripts and the firmware logs.
    pub out_dir: PathBuf,
    /// Broker addresses.
    pub broker: BrokerConfig,
    /// The error-code table whose coverage the summary states (`fixtures/error_codes.toml`).
    pub error_codes: Option<PathBuf>,
    /// Tags (without `@`) of the deviations the board waives: their scenarios run; a failure shows as
    /// waived, a pass is flagged as a waiver that unexpectedly passed.
    pub waived: Vec<String>,
    /// How many times a failed scenario is run again.
    pub retries: usize,
    /// What to do with each board (`ports`) once it answers AT, before any scenario.
    pub bring_up: Option<BringUp>,
}

/// How one dialect's part of the run went.
#[derive(Debug, Clone)]
pub struct DialectOutcome {
    /// The dialect.
    pub dialect: Dialect,
    /// Scenario results.
    pub tally: Tally,
    /// Scenarios left out, and why.
    pub exclusions: Exclusions,
    /// The device or firmware could not be set up: nothing ran.
    pub setup_error: Option<String>,
    /// Devices of a pool that could not be opened (the others ran the scenarios; the run fails).
    pub device_errors: Vec<String>,
    /// True when anything failed: a scenario, a parse, a hook, or the set-up.
    pub failed: bool,
    /// Wall time of this dialect's part.
    pub elapsed: Duration,
    /// Report files written for this dialect.
    pub reports: Vec<PathBuf>,
    /// What cucumber's JSON writer produced for this dialect.
    pub cucumber_json: Vec<u8>,
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// True when any dialect failed.
    pub failed: bool,
    /// One entry per dialect, in run order.
    pub dialects: Vec<DialectOutcome>,
}

/// Runs the suite for every requested dialect and reports; errors are set-up failures of the whole run.
pub async fn run(options: RunOptions) -> anyhow::Result<Outcome> {
    ensure!(options.features.exists(), "no feature files at {}: pass --features DIR", options.features.display());
    ensure!(!options.dialects.is_empty(), "no dialect to run: pass --dialect esp32, esp8266 or w800");
    if !options.ports.is_empty() && options.dialects.len() != 1 {
        bail!("a board speaks one dialect: with --port, pass exactly one --dialect (esp32, esp8266 or w800)");
    }
    ensure!(
        options.ports.is_empty() || options.devices <= 1,
        "--devices starts virtual firmware; for a pool of boards, give --port once per board"
    );
    let tags = options.tags.as_deref().map(parse_tags).transpose()?; // fail before anything is started
    let name = options.name.as_deref().map(regex::Regex::new).transpose().context("bad --name regex")?;
    std::fs::create_dir_all(&options.out_dir)
        .with_context(|| format!("cannot create the output directory {}", options.out_dir.display()))?;

    let brokers = start_brokers(&options).await?;
    let mut outcomes = Vec::new();
    for &dialect in &options.dialects {
        let on_board = !options.ports.is_empty();
        let waived = options.waived.clone();
        let selection = Selection { dialect, on_board, tags: tags.clone(), name: name.clone(), waived };
        outcomes.push(run_dialect(&options, &brokers, selection).await);
    }
    print_summary(&outcomes);
    write_reports(&options, &outcomes)?;
    // Outside a checkout the table may be absent: coverage is then simply not stated.
    if let Some(path) = options.error_codes.as_ref().filter(|p| p.exists()) {
        print_code_coverage(path, &outcomes);
    }
    Ok(Outcome { failed: outcomes.iter().any(|o| o.failed), dialects: outcomes })
}

/// One dialect: its own devices, its own cucumber run sharded over them, its own report files.
async fn run_dialect(options: &RunOptions, brokers: &[Arc<Broker>], selection: Selection) -> DialectOutcome {
    let started = Instant::now();
    let dialect = selection.dialect;
    let several = options.dialects.len() > 1;
    let reports = Reports {
        junit: options.junit.as_deref().map(|p| per_dialect(p, dialect, several)),
        transcripts: options.out_dir.join("transcripts").join(dialect.name()),
    };
    let exclusions = Exclusions::default();
    let mut outcome = DialectOutcome {
        dialect,
        tally: Tally::default(),
        exclusions: exclusions.clone(),
        setup_error: None,
        device_errors: Vec::new(),
        failed: true,
        elapsed: Duration::ZERO,
        reports: reports.junit.iter().cloned().collect(),
        cucumber_json: Vec::new(),
    };
    println!("== dialect {dialect}");
    let (benches, firmware, device_errors) = start_benches(options, brokers, dialect).await;
    outcome.device_errors = device_errors;
    if benches.is_empty() {
        outcome.setup_error = Some(format!("no device of dialect {dialect} could be opened"));
    } else {
        let parallel = benches.len();
        world::install(benches);
        match run_features(options, selection, &reports, exclusions, parallel).await {
            Ok((failed, tally, json)) => (outcome.failed, outcome.tally, outcome.cucumber_json) = (failed, tally, json),
            Err(e) => outcome.setup_error = Some(format!("{e:#}")),
        }
        world::uninstall();
        outcome.failed |= !outcome.device_errors.is_empty();
    }
    drop(firmware); // ends the virtual firmware processes
    outcome.elapsed = started.elapsed();
    outcome
}

async fn run_features(
    options: &RunOptions,
    selection: Selection,
    reports: &Reports,
    exclusions: Exclusions,
    parallel: usize,
) -> anyhow::Result<(bool, Tally, Vec<u8>)> {
    let junit_out = report_file(reports.junit.as_deref(), "JUnit")?;
    let json_out = SharedBuffer::default();
    let json_buffer = json_out.clone();
    let dialect = selection.dialect;
    let tally = Arc::new(Mutex::new(Tally::default()));
    let transcripts = reports.transcripts.clone();
    let after_tally = tally.clone();
    let waivers = selection.clone();
    let writer = AtWorld::cucumber()
        // One scenario per device at a time; each World leases a free device (world::Lease).
        .max_concurrent_scenarios(parallel)
        .with_writer(
            writer::Basic::stdout()
                .summarized()
                .tee::<AtWorld, _>(writer::JUnit::for_tee(junit_out, 0))
                .tee::<AtWorld, _>(writer::Json::for_tee(json_out))
                .normalized(),
        )
        .after(move |feature, rule, scenario, finished, world| {
            let (transcripts, tally, waivers) = (transcripts.clone(), after_tally.clone(), waivers.clone());
            async move {
                let mut scenario_record = ScenarioRecord::new(dialect, feature, rule, scenario, outcome_of(finished));
                if waivers.waives(&scenario_record.tags) {
                    scenario_record.waive();
                }
                scenario_record.device = world.as_ref().map(|w| w.env.label.clone());
                scenario_record.message = failure_message(finished);
                if let (Some(world), ScenarioFinished::StepFailed(..)) = (world, finished) {
                    keep_transcript(&transcripts, &feature.name, &scenario.name, world).await;
                    scenario_record.transcript = Some(world.transcript().await);
                    scenario_record.observations = Some(world.observations());
                }
                record(&tally, scenario_record);
            }
            .boxed_local()
        })
        // After with_writer, which would replace the wrapper: an unknown step fails its scenario.
        .fail_on_skipped()
        .retries((options.retries > 0).then_some(options.retries))
        // No CLI of its own: selection is ours, so a --tags filter cannot bypass the dialect filter.
        .with_cli(cucumber::cli::Opts::<_, _, _, cucumber::cli::Empty>::default())
        .filter_run(options.features.clone(), move |feature, rule, scenario| {
            let tags: Vec<&String> =
                feature.tags.iter().chain(rule.iter().flat_map(|r| &r.tags)).chain(&scenario.tags).collect();
            match selection.exclusion(&tags, &scenario.name) {
                None => true,
                Some(why) => {
                    let outcome = ScenarioOutcome::Excluded;
                    exclusions.record(why, ScenarioRecord::new(dialect, feature, rule, scenario, outcome));
                    false
                }
            }
        })
        .await;
    let tally = tally.lock().expect("tally lock").clone();
    let json = std::mem::take(&mut *json_buffer.0.lock().expect("buffer lock"));
    // Not cucumber's own verdict: a waived deviation's failure does not fail the run.
    let failing = tally.count(ScenarioOutcome::Failed) + tally.count(ScenarioOutcome::Skipped);
    let failed = failing > 0 || writer.parsing_errors() > 0 || writer.hook_errors() > 0;
    Ok((failed, tally, json))
}

fn parse_tags(tags: &str) -> anyhow::Result<TagOperation> {
    tags.parse().map_err(|e| anyhow::anyhow!("bad --tags expression {tags:?}: {e:?}"))
}

/// Writes a failed scenario's serial transcript to a file and says where.
async fn keep_transcript(dir: &Path, feature: &str, scenario: &str, world: &AtWorld) {
    let path = dir.join(format!("{}--{}.log", file_safe(feature), file_safe(scenario)));
    let text = world.transcript().await;
    let written = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, text));
    match written {
        Ok(()) => {
            let _ = writeln!(std::io::stderr(), "serial transcript of the failed scenario: {}", path.display());
        }
        Err(e) => tracing::error!("cannot write transcript {}: {e}", path.display()),
    }
}

fn file_safe(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    s.chars().take(80).collect()
}

/// Fails clearly when a path that must be a directory or feature file is neither.
pub fn check_features_path(path: &Path) -> anyhow::Result<()> {
    if path.is_dir() || path.extension().is_some_and(|e| e == "feature") {
        Ok(())
    } else {
        bail!("{} is neither a directory nor a .feature file", path.display())
    }
}
