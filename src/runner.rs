//! One conformance run: set up the broker and the device, run the feature
//! files with cucumber, write reports, and say whether anything failed.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, ensure, Context};
use cucumber::writer::Stats as _;
use cucumber::{writer, World as _, WriterExt as _};
use futures::FutureExt as _;

use crate::broker::{Broker, BrokerConfig};
use crate::device::reset::HardReset;
use crate::device::Device;
use crate::expand::Vars;
use crate::virtual_device::{FirmwareCommand, VirtualFirmware};
use crate::world::{self, AtWorld, Environment, Timeouts};

/// Everything a run needs to know.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Directory (or single file) of `.feature` files.
    pub features: PathBuf,
    /// A serial device to test; `None` starts the virtual firmware.
    pub port: Option<String>,
    /// Baud rate for `port`.
    pub baud: u32,
    /// How to start the virtual firmware.
    pub firmware: FirmwareCommand,
    /// Extra options for the virtual firmware (e.g. `--quirks shipped`).
    pub firmware_args: Vec<String>,
    /// Tag expression selecting scenarios, e.g. `@esp32 and not @slow`.
    pub tags: Option<String>,
    /// Regular expression selecting scenarios by name.
    pub name: Option<String>,
    /// Where to write JUnit XML.
    pub junit: Option<PathBuf>,
    /// Directory for failure transcripts and the firmware log.
    pub out_dir: PathBuf,
    /// Broker addresses.
    pub broker: BrokerConfig,
}

/// The result of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// True when any step failed, a feature did not parse, or a hook failed.
    pub failed: bool,
}

/// Runs the suite and reports; errors are set-up failures, not scenario failures.
pub async fn run(options: RunOptions) -> anyhow::Result<Outcome> {
    ensure!(options.features.exists(), "no feature files at {}: pass --features DIR", options.features.display());
    if let Some(tags) = &options.tags {
        parse_tags(tags)?; // fail before anything is started
    }
    std::fs::create_dir_all(&options.out_dir)
        .with_context(|| format!("cannot create the output directory {}", options.out_dir.display()))?;

    let broker = Broker::start(options.broker.clone()).await.context("cannot start the hosted broker")?;
    let (device, firmware) = open_device(&options, &broker).await?;
    let hard_reset = match &firmware {
        Some(fw) => HardReset::VirtualFirmware { pid: fw.pid },
        None => HardReset::Unavailable,
    };
    let env = Arc::new(Environment {
        device: tokio::sync::Mutex::new(device),
        vars: placeholder_vars(&broker),
        broker,
        timeouts: Timeouts::default(),
        hard_reset,
    });
    world::install(env)?;
    let outcome = run_features(&options).await;
    drop(firmware); // ends the virtual firmware process
    outcome
}

/// Opens the board on `--port`, or starts the virtual firmware and opens its pty.
async fn open_device(options: &RunOptions, broker: &Broker) -> anyhow::Result<(Device, Option<VirtualFirmware>)> {
    let (path, firmware) = match &options.port {
        Some(port) => (port.clone(), None),
        None => {
            let log = options.out_dir.join("virtual-firmware.log");
            // The virtual device reads its trust material from files, as a board does from its partitions.
            let mut args = vec!["--pki-dir".to_string(), broker.pki.device_dir.display().to_string()];
            args.extend(options.firmware_args.iter().cloned());
            let fw = VirtualFirmware::spawn(&options.firmware, &args, &log).await?;
            (fw.pty.clone(), Some(fw))
        }
    };
    let mut device = Device::open(&path, options.baud)?;
    device.send_command("AT").await?;
    let response = device
        .response(std::time::Duration::from_secs(5))
        .await
        .with_context(|| format!("the device on {path} does not answer AT; check the port, baud rate and cabling"))?;
    ensure!(response.result == "OK", "the device on {path} answered AT with {:?}", response.all_lines());
    Ok((device, firmware))
}

fn placeholder_vars(broker: &Broker) -> Vars {
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

async fn run_features(options: &RunOptions) -> anyhow::Result<Outcome> {
    let junit_out: Box<dyn std::io::Write> = match &options.junit {
        Some(path) => Box::new(
            std::fs::File::create(path).with_context(|| format!("cannot create JUnit file {}", path.display()))?,
        ),
        None => Box::new(std::io::sink()),
    };
    let mut cli = cucumber::cli::Opts::<_, _, _, cucumber::cli::Empty>::default();
    if let Some(tags) = &options.tags {
        cli.tags_filter = Some(parse_tags(tags)?);
    }
    if let Some(name) = &options.name {
        cli.re_filter = Some(regex::Regex::new(name).with_context(|| format!("bad --name regex {name:?}"))?);
    }
    let transcripts = options.out_dir.join("transcripts");
    let writer = AtWorld::cucumber()
        // One device: scenarios take turns on it.
        .max_concurrent_scenarios(1)
        .with_writer(
            writer::Basic::stdout().summarized().tee::<AtWorld, _>(writer::JUnit::for_tee(junit_out, 0)).normalized(),
        )
        .after(move |feature, _rule, scenario, finished, world| {
            let transcripts = transcripts.clone();
            async move {
                if let (Some(world), cucumber::event::ScenarioFinished::StepFailed(..)) = (world, finished) {
                    keep_transcript(&transcripts, &feature.name, &scenario.name, world).await;
                }
            }
            .boxed_local()
        })
        // After with_writer, which would replace the wrapper: an unknown step fails its scenario.
        .fail_on_skipped()
        .with_cli(cli)
        .run(&options.features)
        .await;
    Ok(Outcome { failed: writer.execution_has_failed() })
}

fn parse_tags(tags: &str) -> anyhow::Result<cucumber::gherkin::tagexpr::TagOperation> {
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
