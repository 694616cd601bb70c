//! The `atconform` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use atconform::broker::BrokerConfig;
use atconform::dialect::Dialect;
use atconform::runner::{self, RunOptions};
use atconform::virtual_device::FirmwareCommand;

#[path = "cli/board_commands.rs"]
mod board_commands;
#[path = "cli/console_script.rs"]
mod console_script;
#[path = "cli/report_commands.rs"]
mod report_commands;

/// Conformance test harness for the MQTT AT command set of Wi-Fi module firmware.
#[derive(Debug, Parser)]
#[command(name = "atconform", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

// Parsed once per process: the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the conformance suite (the default): against the virtual firmware, or a board with --board or --port.
    Run(RunArgs),
    /// Write the test PKI (CA, server, client and deliberately bad certificates) to a directory, reusing what is there.
    Certs(CertsArgs),
    /// Work with report files: compare two runs, or merge runs into one report.
    #[command(subcommand)]
    Report(report_commands::ReportCommand),
    /// Run the virtual firmware on a pseudo-terminal (prints `PTY <path>`; talk to it with picocom).
    #[command(name = "virtual-firmware")]
    VirtualFirmware(virtual_firmware::Args),
    /// List the serial ports attached to this host: path, type, USB vid:pid, serial number, manufacturer,
    /// product and bus location.
    Ports,
    /// Write a firmware image to an ESP board through its bootloader.
    Flash(board_commands::FlashArgs),
    /// An interactive AT console on a board (--port) or a virtual firmware with the hosted broker (--virtual).
    Console(console_script::ConsoleArgs),
    /// Run a send/expect script (`> AT`, `< OK`, `~ regex`, `raw`, `wait`) against a board or a virtual firmware.
    Script(console_script::ScriptArgs),
}

#[derive(Debug, clap::Args)]
struct CertsArgs {
    /// Directory for the PEM files.
    #[arg(long, default_value = "certs")]
    dir: PathBuf,
    /// A host name or address the server certificate must also cover (repeatable), e.g. the host's LAN address.
    #[arg(long = "san")]
    server_names: Vec<String>,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Test the board of this profile: a name under fixtures/boards/ (without .toml) or a path.
    /// It gives the port, baud rate, dialect, broker host, excluded and waived tags.
    #[arg(long, conflicts_with_all = ["port", "dialect", "baud", "devices"])]
    board: Option<String>,
    /// With --board: first write the profile's `firmware` image to the board.
    #[arg(long, requires = "board")]
    flash: bool,
    /// Serial port of a board to test (e.g. /dev/ttyUSB0), repeatable for a pool of boards of one dialect;
    /// without it the virtual firmware is started.
    #[arg(long)]
    port: Vec<String>,
    /// How many virtual firmware instances share the scenarios of each dialect.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=16))]
    devices: u16,
    /// Baud rate of --port.
    #[arg(long, default_value_t = 115_200)]
    baud: u32,
    /// Dialect to run (repeatable); by default every dialect runs, each on its own virtual device.
    /// A board (--port) needs exactly one.
    #[arg(long, value_enum)]
    dialect: Vec<Dialect>,
    /// Feature files to run: a directory or one .feature file.
    #[arg(long, default_value = "features")]
    features: PathBuf,
    /// Only scenarios matching this tag expression, e.g. '@pub and not @slow'.
    #[arg(long, short = 't')]
    tags: Option<String>,
    /// Only scenarios whose name matches this regular expression.
    #[arg(long, short = 'n')]
    name: Option<String>,
    /// Run a failed scenario up to N more times (flaky hardware); a pass on a retry is reported
    /// as "passed on retry", never as a plain pass.
    #[arg(long, default_value_t = 0, value_name = "N")]
    retry: usize,
    /// Write a JUnit XML report here (with several dialects, one file each: junit-esp32.xml, ...).
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Write a cucumber JSON report here (every dialect in one file; the input of `report diff`).
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the self-contained HTML conformance report here.
    #[arg(long)]
    html: Option<PathBuf>,
    /// Spec items whose coverage the HTML report states.
    #[arg(long, default_value = "fixtures/spec_items.toml")]
    spec_items: PathBuf,
    /// Error-code table whose coverage the summary states.
    #[arg(long, default_value = "fixtures/error_codes.toml")]
    error_codes: PathBuf,
    /// Directory for failure transcripts and the virtual firmware's log.
    #[arg(long, default_value = "reports")]
    out_dir: PathBuf,
    /// Address the broker's device-facing listeners bind to (0.0.0.0 for a board on the LAN)
    /// [default: 127.0.0.1; 0.0.0.0 with --board].
    #[arg(long)]
    broker_bind: Option<std::net::IpAddr>,
    /// Host name or address the device is told to connect to (the host's LAN address for a board)
    /// [default: 127.0.0.1; the profile's broker_host with --board].
    #[arg(long)]
    broker_host: Option<String>,
    /// Port of the scheme-1 (MQTT over TCP) listener; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    broker_port: u16,
    /// Directory of the test PKI (made on demand, reused when present).
    #[arg(long, default_value = "certs")]
    certs: PathBuf,
    /// A host name or address the server certificate must also cover (repeatable); defaults to --broker-host.
    #[arg(long = "san")]
    server_names: Vec<String>,
    /// Extra option for the virtual firmware, e.g. --firmware-arg=--quirks --firmware-arg=shipped.
    #[arg(long = "firmware-arg", allow_hyphen_values = true)]
    firmware_args: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::VirtualFirmware(args)) => run_firmware(args),
        Some(Command::Run(args)) => run_suite(args),
        Some(Command::Certs(args)) => write_certs(args),
        Some(Command::Report(command)) => report_commands::report(command),
        Some(Command::Ports) => board_commands::list_ports(),
        Some(Command::Flash(args)) => board_commands::flash_command(args),
        Some(Command::Console(args)) => console_script::run_console(args),
        Some(Command::Script(args)) => console_script::run_script(args),
        None => run_suite(parse_default_run()),
    }
}

/// Plain `atconform` behaves as `atconform run` with its defaults.
fn parse_default_run() -> RunArgs {
    #[derive(Parser)]
    struct Only {
        #[command(flatten)]
        run: RunArgs,
    }
    Only::parse_from(["atconform"]).run
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,rumqttd=off"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

fn run_firmware(args: virtual_firmware::Args) -> ExitCode {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(virtual_firmware::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("virtual-firmware: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Each dialect once, in the order given.
fn dedup(dialects: Vec<Dialect>) -> Vec<Dialect> {
    let mut seen = Vec::new();
    for d in dialects {
        if !seen.contains(&d) {
            seen.push(d);
        }
    }
    seen
}

/// The server certificate must cover the address the device dials.
fn with_broker_host(mut names: Vec<String>, broker_host: &str) -> Vec<String> {
    if !names.iter().any(|n| n == broker_host) {
        names.push(broker_host.to_string());
    }
    names
}

fn write_certs(args: CertsArgs) -> ExitCode {
    match atconform::pki::Pki::ensure(&args.dir, &args.server_names) {
        Ok(pki) => {
            println!("test PKI in {}", pki.dir.display());
            println!("  CA (trust this on the device):    {}", pki.ca.cert.display());
            println!(
                "  device client certificate / key:  {} / {}",
                pki.client.cert.display(),
                pki.client.key.display()
            );
            println!(
                "  as the device's partitions:       {}/mqtt_ca.crt, mqtt_client.crt, mqtt_client.key",
                pki.device_dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("atconform certs: {:#}", anyhow::Error::from(e));
            ExitCode::from(2)
        }
    }
}

fn run_suite(args: RunArgs) -> ExitCode {
    init_logging();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(run_suite_async(args)) {
        // No dialect could even start (no device, no firmware): a set-up error, like a bad option.
        Ok(outcome) if outcome.dialects.iter().all(|d| d.setup_error.is_some()) => ExitCode::from(2),
        Ok(outcome) if !outcome.failed => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            eprintln!("atconform: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run_suite_async(args: RunArgs) -> anyhow::Result<runner::Outcome> {
    runner::check_features_path(&args.features)?;
    let exe = std::env::current_exe().context("cannot find the atconform executable")?;
    let board = match &args.board {
        Some(name) => Some(board_commands::prepare(name, args.flash).await?),
        None => None,
    };
    let loopback = std::net::IpAddr::from([127, 0, 0, 1]);
    let broker_host = args
        .broker_host
        .or_else(|| board.as_ref().map(|b| b.board.broker_host.clone()))
        .unwrap_or_else(|| loopback.to_string());
    // A board dials the host over the LAN: listen there unless told otherwise.
    let default_bind = if board.is_some() { std::net::IpAddr::from([0, 0, 0, 0]) } else { loopback };
    let mut options = RunOptions {
        features: args.features,
        ports: args.port,
        devices: usize::from(args.devices),
        baud: args.baud,
        dialects: if args.dialect.is_empty() { Dialect::ALL.to_vec() } else { dedup(args.dialect) },
        firmware: FirmwareCommand { program: exe.into(), args: vec!["virtual-firmware".into()] },
        firmware_args: args.firmware_args,
        tags: args.tags,
        name: args.name,
        junit: args.junit,
        json: args.json,
        html: args.html,
        error_codes: Some(args.error_codes),
        spec_items: Some(args.spec_items),
        out_dir: args.out_dir,
        broker: BrokerConfig {
            bind: args.broker_bind.unwrap_or(default_bind),
            server_names: with_broker_host(args.server_names, &broker_host),
            device_host: broker_host,
            tcp_port: args.broker_port,
            certs_dir: args.certs,
        },
        waived: Vec::new(),
        bring_up: None,
        retries: args.retry,
    };
    if let Some(run) = board {
        options.ports = vec![run.port];
        options.baud = run.board.baud;
        options.dialects = vec![run.board.dialect];
        options.tags = run.board.tag_expression(options.tags.as_deref());
        options.waived = run.board.waived.clone();
        options.bring_up = Some(run.bring_up);
    }
    runner::run(options).await
}
