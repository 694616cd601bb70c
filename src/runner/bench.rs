//! A run's benches: one broker each (kept for the whole run), and per dialect a device on each
//! — a board on its port, or a virtual firmware of that dialect started on a pty.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use super::RunOptions;
use crate::bringup;
use crate::broker::Broker;
use crate::control::ControlChannel;
use crate::device::reset::HardReset;
use crate::device::Device;
use crate::dialect::Dialect;
use crate::expand::Vars;
use crate::virtual_device::{self, VirtualFirmware};
use crate::world::{Environment, Timeouts};

/// One broker per bench, kept for the whole run: scenarios running at once never see each other's traffic.
pub(crate) async fn start_brokers(options: &RunOptions) -> anyhow::Result<Vec<Arc<Broker>>> {
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

/// A running virtual firmware and the socket file of its control channel, removed on drop.
pub(crate) struct FirmwareProcess {
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
pub(crate) async fn start_benches(
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
pub(crate) async fn start_environment(
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
pub(crate) async fn open_device(
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
    device
        .probe(Duration::from_secs(5))
        .await
        .with_context(|| format!("the device on {path} does not answer AT; check the port, baud rate and cabling"))?;
    if let (None, Some(bring_up)) = (&firmware, &options.bring_up) {
        bringup::prepare(&mut device, bring_up, &broker.pki.device_dir).await?;
    }
    Ok((device, path, firmware))
}

pub(crate) async fn spawn_firmware(
    options: &RunOptions,
    broker: &Broker,
    dialect: Dialect,
    index: usize,
) -> anyhow::Result<FirmwareProcess> {
    let n = index + 1;
    let log = options.out_dir.join(format!("virtual-firmware-{dialect}-{n}.log"));
    // A short path: Unix socket paths are limited to about 100 bytes, --out-dir may be deep.
    let control_socket = std::env::temp_dir().join(format!("atconform-{}-{dialect}-{n}.sock", std::process::id()));
    let mut args = virtual_device::device_args(dialect, &broker.pki.device_dir);
    args.extend(["--control".to_string(), control_socket.display().to_string()]);
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
