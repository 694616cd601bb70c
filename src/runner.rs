//! One conformance run: start the broker, then for each dialect open its device
//! (a board, or a fresh virtual firmware), run the feature files that apply to
//! it with cucumber, write reports, and say whether anything failed.

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

use crate::bringup::{self, BringUp};
use crate::broker::{Broker, BrokerConfig};
use crate::control::ControlChannel;
use crate::coverage::{CodeCoverage, ErrorCodeTable};
use crate::device::reset::HardReset;
use crate::device::Device;
use crate::dialect::Dialect;
use crate::expand::Vars;
use crate::report::cucumber_json::{self, DialectResults};
use crate::report::html::{self, HtmlInput};
use crate::report::spec_items::SpecItems;
use crate::report::{ScenarioOutcome, ScenarioRecord};
use crate::selection::{Exclusion, Exclusions, Selection};
use crate::virtual_device::{FirmwareCommand, VirtualFirmware};
use crate::world::{self, AtWorld, Environment, Timeouts};

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

/// How many scenarios of one dialect ended which way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Every step passed.
    pub passed: usize,
    /// A step or hook failed.
    pub failed: usize,
    /// A step had no definition (counted as a failure of the run too).
    pub skipped: usize,
    /// Failed as a deviation the board waives (not a failure of the run).
    pub waived: usize,
    /// Passed although waived: flagged, the waiver may be stale.
    pub waivers_passed: usize,
    /// Failed, then passed on a retry.
    pub passed_on_retry: usize,
    /// `feature: scenario` of each failed or skipped scenario.
    pub not_passed: Vec<String>,
    /// Every scenario that ran, for coverage.
    pub scenarios: Vec<ScenarioRecord>,
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

/// One broker per bench, kept for the whole run: scenarios running at once never see each other's traffic.
async fn start_brokers(options: &RunOptions) -> anyhow::Result<Vec<Arc<Broker>>> {
    let benches = if options.ports.is_empty() { options.devices.max(1) } else { options.ports.len() };
    let mut brokers = Vec::with_capacity(benches);
    for i in 0..benches {
        let mut config = options.broker.clone();
        if i > 0 {
            config.tcp_port = 0; // a fixed --broker-port can serve only the first bench
        }
        let broker = Broker::start(config).await.context("cannot start the hosted broker")?;
        brokers.push(Arc::new(broker));
    }
    Ok(brokers)
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

/// A running virtual firmware and the socket file of its control channel, removed on drop.
struct FirmwareProcess {
    process: VirtualFirmware,
    control_socket: PathBuf,
}

impl Drop for FirmwareProcess {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.control_socket);
    }
}

/// Opens every device of the dialect; one that cannot be opened is reported and left out,
/// and the others run the scenarios.
async fn start_benches(
    options: &RunOptions,
    brokers: &[Arc<Broker>],
    dialect: Dialect,
) -> (Vec<Arc<Environment>>, Vec<FirmwareProcess>, Vec<String>) {
    let (mut benches, mut processes, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for (index, broker) in brokers.iter().enumerate() {
        match start_environment(options, broker, dialect, index).await {
            Ok((env, firmware)) => {
                benches.push(env);
                processes.extend(firmware);
            }
            Err(e) => {
                let error = format!("device {} of dialect {dialect} could not start: {e:#}", index + 1);
                eprintln!("atconform: {error}");
                errors.push(error);
            }
        }
    }
    (benches, processes, errors)
}

/// Opens one device of the dialect and builds the bench its scenarios share.
async fn start_environment(
    options: &RunOptions,
    broker: &Arc<Broker>,
    dialect: Dialect,
    index: usize,
) -> anyhow::Result<(Arc<Environment>, Option<FirmwareProcess>)> {
    let (device, path, firmware) = open_device(options, broker, dialect, index).await?;
    let hard_reset = match &firmware {
        Some(fw) => HardReset::VirtualFirmware { pid: fw.process.pid },
        None => HardReset::Unavailable,
    };
    let control = firmware.as_ref().map(|fw| ControlChannel { path: fw.control_socket.clone() });
    let env = Arc::new(Environment {
        dialect,
        label: format!("{dialect}#{} ({path})", index + 1),
        device: tokio::sync::Mutex::new(device),
        vars: placeholder_vars(broker),
        broker: broker.clone(),
        control,
        timeouts: Timeouts::default(),
        hard_reset,
    });
    Ok((env, firmware))
}

/// Opens the index-th board of `--port`, or starts a virtual firmware of this dialect and opens its pty.
async fn open_device(
    options: &RunOptions,
    broker: &Broker,
    dialect: Dialect,
    index: usize,
) -> anyhow::Result<(Device, String, Option<FirmwareProcess>)> {
    let (path, firmware) = match options.ports.get(index) {
        Some(port) => (port.clone(), None),
        None => {
            let firmware = spawn_firmware(options, broker, dialect, index).await?;
            (firmware.process.pty.clone(), Some(firmware))
        }
    };
    let mut device = Device::open(&path, options.baud)?;
    device.send_command("AT").await?;
    let response = device
        .response(Duration::from_secs(5))
        .await
        .with_context(|| format!("the device on {path} does not answer AT; check the port, baud rate and cabling"))?;
    ensure!(response.result == "OK", "the device on {path} answered AT with {:?}", response.all_lines());
    if let (None, Some(bring_up)) = (&firmware, &options.bring_up) {
        bringup::prepare(&mut device, bring_up, &broker.pki.device_dir).await?;
    }
    Ok((device, path, firmware))
}

async fn spawn_firmware(
    options: &RunOptions,
    broker: &Broker,
    dialect: Dialect,
    index: usize,
) -> anyhow::Result<FirmwareProcess> {
    let n = index + 1;
    let log = options.out_dir.join(format!("virtual-firmware-{dialect}-{n}.log"));
    // A short path: Unix socket paths are limited to about 100 bytes, --out-dir may be deep.
    let control_socket = std::env::temp_dir().join(format!("atconform-{}-{dialect}-{n}.sock", std::process::id()));
    let mut args = vec![
        "--dialect".to_string(),
        dialect.name().to_string(),
        // The virtual device reads its trust material from files, as a board does from its partitions.
        "--pki-dir".to_string(),
        broker.pki.device_dir.display().to_string(),
        "--control".to_string(),
        control_socket.display().to_string(),
    ];
    args.extend(options.firmware_args.iter().cloned());
    let process = VirtualFirmware::spawn(&options.firmware, &args, &log).await?;
    Ok(FirmwareProcess { process, control_socket })
}

/// The placeholders naming where `broker` listens: `{broker.host}`, `{port.schemeN}`, `{port.<listener>}`, `{port.silent}`.
pub fn placeholder_vars(broker: &Broker) -> Vars {
    let mut vars = Vars::default();
    vars.set("broker.host", broker.device_host.clone());
    vars.set("port.silent", broker.silent_port.to_string());
    for (name, port) in &broker.ports {
        vars.set(format!("port.{name}"), port.to_string());
    }
    for scheme in 1..=10 {
        if let Some(port) = broker.scheme_port(scheme) {
            vars.set(format!("port.scheme{scheme}"), port.to_string());
        }
    }
    vars
}

/// Where one dialect's reports go.
struct Reports {
    junit: Option<PathBuf>,
    transcripts: PathBuf,
}

/// An in-memory sink for cucumber's JSON writer, merged across dialects after the run.
#[derive(Debug, Clone, Default)]
struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `reports/junit.xml` stays as it is for one dialect and becomes `reports/junit-w800.xml` for several.
fn per_dialect(path: &Path, dialect: Dialect, several: bool) -> PathBuf {
    if !several {
        return path.to_path_buf();
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{dialect}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{dialect}"),
    };
    path.with_file_name(name)
}

fn report_file(path: Option<&Path>, what: &str) -> anyhow::Result<Box<dyn std::io::Write>> {
    match path {
        Some(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            }
            let file =
                std::fs::File::create(path).with_context(|| format!("cannot create {what} file {}", path.display()))?;
            Ok(Box::new(std::io::BufWriter::new(file)))
        }
        None => Ok(Box::new(std::io::sink())),
    }
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
    let failed = tally.failed + tally.skipped > 0 || writer.parsing_errors() > 0 || writer.hook_errors() > 0;
    Ok((failed, tally, json))
}

fn outcome_of(finished: &ScenarioFinished) -> ScenarioOutcome {
    match finished {
        ScenarioFinished::StepPassed => ScenarioOutcome::Passed,
        ScenarioFinished::StepSkipped => ScenarioOutcome::Skipped,
        ScenarioFinished::StepFailed(..) | ScenarioFinished::BeforeHookFailed(..) => ScenarioOutcome::Failed,
    }
}

fn failure_message(finished: &ScenarioFinished) -> Option<String> {
    match finished {
        ScenarioFinished::StepFailed(_, _, error) => Some(error.to_string()),
        ScenarioFinished::BeforeHookFailed(info) => Some(format!("a before hook failed: {info:?}")),
        ScenarioFinished::StepSkipped => Some("a step matches no step definition".into()),
        ScenarioFinished::StepPassed => None,
    }
}

/// Writes the merged cucumber JSON and the HTML report, when asked for.
fn write_reports(options: &RunOptions, outcomes: &[DialectOutcome]) -> anyhow::Result<()> {
    let results: Vec<DialectResults> = outcomes
        .iter()
        .map(|o| DialectResults {
            dialect: o.dialect,
            cucumber_json: o.cucumber_json.clone(),
            records: o.tally.scenarios.iter().cloned().chain(o.exclusions.records()).collect(),
        })
        .collect();
    if let Some(path) = &options.json {
        let doc = cucumber_json::merge(&results).context("cucumber's JSON output is not JSON")?;
        cucumber_json::save(path, &doc)?;
        println!("report: {}", path.display());
    }
    if let Some(path) = &options.html {
        let records: Vec<ScenarioRecord> = results.into_iter().flat_map(|r| r.records).collect();
        write_html(path, &records, options.error_codes.as_deref(), options.spec_items.as_deref())?;
        println!("report: {}", path.display());
    }
    Ok(())
}

/// Renders the HTML report of these records; the tables are optional (absent outside a checkout).
pub fn write_html(
    path: &Path,
    records: &[ScenarioRecord],
    error_codes: Option<&Path>,
    spec_items: Option<&Path>,
) -> anyhow::Result<()> {
    let codes = error_codes.filter(|p| p.exists()).map(ErrorCodeTable::load).transpose()?;
    let items = spec_items.filter(|p| p.exists()).map(SpecItems::load).transpose()?;
    let title = format!("atconform conformance report — {}", utc_timestamp());
    let page = html::render(HtmlInput { title: &title, records, codes: codes.as_ref(), items: items.as_ref() });
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, page).with_context(|| format!("cannot write the HTML report {}", path.display()))
}

/// Now, in UTC, to the second (RFC 3339).
fn utc_timestamp() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

fn record(tally: &Mutex<Tally>, mut scenario: ScenarioRecord) {
    let mut tally = tally.lock().expect("tally lock");
    // A retry of a scenario that already ended: it replaces the earlier attempt's record.
    if let Some(i) = tally.scenarios.iter().position(|s| s.key() == scenario.key()) {
        let earlier = tally.scenarios.remove(i);
        tally.forget(&earlier);
        scenario.attempts = earlier.attempts + 1;
        if scenario.outcome == ScenarioOutcome::Passed {
            scenario.outcome = ScenarioOutcome::PassedOnRetry;
            // Keep why the earlier attempt failed: that is what a flaky scenario needs looked at.
            scenario.message = earlier.message.map(|m| format!("an earlier attempt failed: {m}"));
            scenario.transcript = earlier.transcript;
            scenario.observations = earlier.observations;
        }
    }
    match scenario.outcome {
        ScenarioOutcome::Passed => tally.passed += 1,
        ScenarioOutcome::Skipped => tally.skipped += 1,
        ScenarioOutcome::Failed => tally.failed += 1,
        ScenarioOutcome::Waived => tally.waived += 1,
        ScenarioOutcome::WaiverPassed => tally.waivers_passed += 1,
        ScenarioOutcome::PassedOnRetry => tally.passed_on_retry += 1,
        ScenarioOutcome::Excluded => {}
    }
    if !scenario.passed() {
        tally.not_passed.push(format!("{}: {}", scenario.feature, scenario.name));
    }
    tally.scenarios.push(scenario);
}

/// States how many codes of the table passing scenarios exercised, and which they missed.
fn print_code_coverage(table: &Path, outcomes: &[DialectOutcome]) {
    let table = match ErrorCodeTable::load(table) {
        Ok(t) => t,
        Err(e) => return println!("error-code coverage: {e}"),
    };
    let coverage = CodeCoverage::compute(&table, outcomes.iter().map(|o| (o.dialect, &o.tally.scenarios[..])));
    println!(
        "error codes exercised by passing scenarios: {} of {} ({} only through the virtual firmware's fault injection)",
        coverage.covered.len(),
        table.codes.len(),
        coverage.virtual_only().len()
    );
    for code in &coverage.missing {
        println!("         not exercised: 0x{:04x} {}", code.code, code.name);
    }
}

/// One line per dialect: what ran, what passed, what was left out and why.
fn print_summary(outcomes: &[DialectOutcome]) {
    println!("\n== atconform summary");
    for o in outcomes {
        let excluded = [Exclusion::OtherDialect, Exclusion::VirtualOnly, Exclusion::NotSelected]
            .iter()
            .filter(|why| o.exclusions.count(**why) > 0)
            .map(|why| format!("{} {}", o.exclusions.count(*why), why.label()))
            .collect::<Vec<_>>();
        let excluded = if excluded.is_empty() { "none".to_string() } else { excluded.join(", ") };
        match &o.setup_error {
            Some(e) => println!("{:<8} not run: {e}", o.dialect.name()),
            None => println!(
                "{:<8} {} passed, {} failed, {} with unknown steps{}; excluded: {excluded}; {:.1} s",
                o.dialect.name(),
                o.tally.passed,
                o.tally.failed,
                o.tally.skipped,
                waiver_counts(&o.tally),
                o.elapsed.as_secs_f64()
            ),
        }
        for error in &o.device_errors {
            println!("         {error}");
        }
        for (device, count) in scenarios_per_device(&o.tally.scenarios) {
            println!("         {device} ran {count} scenarios");
        }
        for name in &o.tally.not_passed {
            println!("         not passed: {name}");
        }
        for path in &o.reports {
            println!("         report: {}", path.display());
        }
    }
}

/// ", N waived, M waivers unexpectedly passed" when a board waives deviations, and
/// ", N passed on retry" when retries were needed.
fn waiver_counts(tally: &Tally) -> String {
    let mut text = String::new();
    if tally.waived + tally.waivers_passed > 0 {
        text = format!(", {} waived, {} waivers unexpectedly passed", tally.waived, tally.waivers_passed);
    }
    if tally.passed_on_retry > 0 {
        text.push_str(&format!(", {} passed on retry", tally.passed_on_retry));
    }
    text
}

impl Tally {
    /// Takes back the counts of a record that a retry replaces.
    fn forget(&mut self, earlier: &ScenarioRecord) {
        let counter = match earlier.outcome {
            ScenarioOutcome::Passed => &mut self.passed,
            ScenarioOutcome::Failed => &mut self.failed,
            ScenarioOutcome::Skipped => &mut self.skipped,
            ScenarioOutcome::Waived => &mut self.waived,
            ScenarioOutcome::WaiverPassed => &mut self.waivers_passed,
            ScenarioOutcome::PassedOnRetry => &mut self.passed_on_retry,
            ScenarioOutcome::Excluded => return,
        };
        *counter = counter.saturating_sub(1);
        let name = format!("{}: {}", earlier.feature, earlier.name);
        if let Some(i) = self.not_passed.iter().position(|n| *n == name) {
            self.not_passed.remove(i);
        }
    }
}

/// How many scenarios each device ran, in device order.
fn scenarios_per_device(scenarios: &[ScenarioRecord]) -> Vec<(String, usize)> {
    let mut per_device = std::collections::BTreeMap::<String, usize>::new();
    for s in scenarios {
        *per_device.entry(s.device.clone().unwrap_or_else(|| "(no device)".into())).or_default() += 1;
    }
    per_device.into_iter().collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_replaces_the_earlier_attempt_and_a_late_pass_is_not_a_plain_pass() {
        let tally = Mutex::new(Tally::default());
        let attempt = |outcome| ScenarioRecord::blank(Dialect::Esp32, "F", "s", outcome);
        let mut failed = attempt(ScenarioOutcome::Failed);
        failed.message = Some("no OK".into());
        record(&tally, failed.clone());
        record(&tally, failed);
        record(&tally, attempt(ScenarioOutcome::Passed));
        let tally = tally.into_inner().unwrap();
        assert_eq!((tally.passed, tally.failed, tally.passed_on_retry), (0, 0, 1));
        assert_eq!(tally.scenarios.len(), 1);
        assert_eq!(tally.scenarios[0].attempts, 3);
        assert_eq!(tally.scenarios[0].message.as_deref(), Some("an earlier attempt failed: no OK"));
        assert_eq!(tally.not_passed, ["F: s"]); // listed once: a flaky scenario is not a plain pass
    }

    #[test]
    fn report_paths_get_the_dialect_only_when_several_run() {
        let p = Path::new("reports/junit.xml");
        assert_eq!(per_dialect(p, Dialect::W800, false), PathBuf::from("reports/junit.xml"));
        assert_eq!(per_dialect(p, Dialect::W800, true), PathBuf::from("reports/junit-w800.xml"));
        assert_eq!(per_dialect(Path::new("out"), Dialect::Esp32, true), PathBuf::from("out-esp32"));
    }
}
