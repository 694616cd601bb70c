//! The `console` and `script` subcommands: their options and how they start.
//!
//! Both talk to one device, a board (`--port`) or a virtual firmware started
//! with the hosted broker (`--virtual`), through `atconform::attach`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

use atconform::attach::{self, AttachOptions, Attached, Target};
use atconform::broker::BrokerConfig;
use atconform::console::{self, input, Console};
use atconform::dialect::Dialect;
use atconform::script;
use atconform::virtual_device::FirmwareCommand;

/// Which device to talk to, shared by `console` and `script`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("device").required(true).multiple(false))]
pub struct TargetArgs {
    /// Serial port of a board, e.g. /dev/ttyUSB0.
    #[arg(long, group = "device")]
    port: Option<String>,
    /// Baud rate of --port.
    #[arg(long, default_value_t = 115_200, requires = "port")]
    baud: u32,
    /// Start a virtual firmware (and the hosted broker) instead of opening a board.
    #[arg(long = "virtual", id = "virtual_device", group = "device")]
    virtual_device: bool,
    /// Dialect of the virtual firmware.
    #[arg(long, value_enum, default_value_t = Dialect::Esp32, requires = "virtual_device")]
    dialect: Dialect,
    /// With --port: also start the hosted broker on all interfaces; {broker.host} is this address
    /// (this machine's address on the board's network).
    #[arg(long, requires = "port")]
    broker_host: Option<String>,
    /// Directory of the test PKI the broker presents (made on demand, reused when present).
    #[arg(long, default_value = "certs")]
    certs: PathBuf,
}

/// `atconform console`.
#[derive(Debug, clap::Args)]
pub struct ConsoleArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// How long a command may take to end with a final result (seconds).
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
}

/// `atconform script`.
#[derive(Debug, clap::Args)]
pub struct ScriptArgs {
    /// The script (see README, "Console and scripts").
    file: PathBuf,
    #[command(flatten)]
    target: TargetArgs,
    /// How long each expectation (and each wait for a `>` prompt) may take (seconds).
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
}

/// Runs the console; 0 when the person leaves, 1 when the device goes away, 2 when it cannot start.
pub fn run_console(args: ConsoleArgs) -> ExitCode {
    let Some(timeout) = seconds(args.timeout) else {
        eprintln!("atconform console: --timeout must be a positive number of seconds");
        return ExitCode::from(2);
    };
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async {
        let mut attached = match attach_target(&args.target, false).await {
            Ok(a) => a,
            Err(e) => {
                eprintln!("atconform console: {e:#}");
                return ExitCode::from(2);
            }
        };
        print_banner(&attached);
        let (input, printer) = match input::start(Some(input::history_file())) {
            Ok(started) => started,
            Err(e) => {
                eprintln!("atconform console: {e:#}");
                return ExitCode::from(2);
            }
        };
        let mut console = Console { device: &mut attached.device, vars: &attached.vars, timeout, printer };
        let result = console.run(input).await;
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                // On a terminal the cursor may still sit after a half-typed line.
                let fresh_line = if std::io::stdin().is_terminal() { "\n" } else { "" };
                eprintln!("{fresh_line}atconform console: {e}");
                ExitCode::from(1)
            }
        }
    })
}

fn print_banner(attached: &Attached) {
    println!("## device: {}", attached.description);
    if let Some(broker) = &attached.broker {
        println!("## hosted broker (placeholders you can type):");
        for line in attach::broker_lines(broker) {
            println!("##   {line}");
        }
    }
    println!("{}", console::HELP);
}

/// Runs a script; 0 when every expectation is met, 1 on the first that is not, 2 when it cannot run.
pub fn run_script(args: ScriptArgs) -> ExitCode {
    let Some(timeout) = seconds(args.timeout) else {
        eprintln!("atconform script: --timeout must be a positive number of seconds");
        return ExitCode::from(2);
    };
    let file = args.file.display().to_string();
    let lines = match read_script(&args.file) {
        Ok(lines) => lines,
        Err(e) => {
            eprintln!("atconform script: {file}: {e:#}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async {
        let mut attached = match attach_target(&args.target, true).await {
            Ok(a) => a,
            Err(e) => {
                eprintln!("atconform script: {e:#}");
                return ExitCode::from(2);
            }
        };
        let steps = match script::resolve(&lines, &attached.vars) {
            Ok(steps) => steps,
            Err(e) => {
                eprintln!("atconform script: {file}: {e}");
                return ExitCode::from(2);
            }
        };
        println!("## {file} on {}", attached.description);
        let mut stdout = std::io::stdout();
        match script::run::run(&mut attached.device, &steps, timeout, &mut stdout).await {
            Ok(()) => {
                println!("## {file}: passed ({} steps)", steps.len());
                ExitCode::SUCCESS
            }
            Err(failure) => {
                eprintln!("atconform script: {file} {failure}");
                ExitCode::from(1)
            }
        }
    })
}

fn read_script(path: &Path) -> anyhow::Result<Vec<script::Line>> {
    let text = std::fs::read_to_string(path).context("cannot read the script")?;
    Ok(script::parse(&text)?)
}

fn seconds(value: f64) -> Option<Duration> {
    (value.is_finite() && value > 0.0).then(|| Duration::from_secs_f64(value))
}

async fn attach_target(args: &TargetArgs, probe: bool) -> anyhow::Result<Attached> {
    let exe = std::env::current_exe().context("cannot find the atconform executable")?;
    let firmware = FirmwareCommand { program: exe.into(), args: vec!["virtual-firmware".into()] };
    let broker_config = |bind: std::net::IpAddr, host: &str| BrokerConfig {
        bind,
        device_host: host.to_string(),
        tcp_port: 0,
        certs_dir: args.certs.clone(),
        server_names: vec![host.to_string()],
    };
    let (target, broker) = match &args.port {
        Some(path) => {
            let broker = args.broker_host.as_deref().map(|h| broker_config(std::net::IpAddr::from([0, 0, 0, 0]), h));
            (Target::Port { path: path.clone(), baud: args.baud }, broker)
        }
        None => {
            let broker = broker_config(std::net::IpAddr::from([127, 0, 0, 1]), "127.0.0.1");
            (Target::Virtual { dialect: args.dialect }, Some(broker))
        }
    };
    let log_dir = std::env::temp_dir();
    attach::attach(AttachOptions { target, firmware, broker, probe, log_dir }).await
}
