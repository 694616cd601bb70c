//! The device a console or a script talks to: a board on a serial port, or a
//! virtual firmware started for the occasion together with the hosted broker
//! its MQTT commands can reach.
//!
//! Both are opened through [`Device::open`], the one serial stack of the harness.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::broker::{Broker, BrokerConfig, SCHEME_LISTENERS};
use crate::device::Device;
use crate::dialect::Dialect;
use crate::expand::Vars;
use crate::runner::placeholder_vars;
use crate::virtual_device::{FirmwareCommand, VirtualFirmware};

/// How long a device may take to answer the first `AT`.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Which device to talk to.
#[derive(Debug, Clone)]
pub enum Target {
    /// A board on a serial port.
    Port {
        /// The port's path, e.g. /dev/ttyUSB0.
        path: String,
        /// Its baud rate.
        baud: u32,
    },
    /// A virtual firmware of this dialect, started now.
    Virtual {
        /// The dialect it imitates.
        dialect: Dialect,
    },
}

/// What [`attach`] needs.
#[derive(Debug, Clone)]
pub struct AttachOptions {
    /// The device.
    pub target: Target,
    /// How to start the virtual firmware.
    pub firmware: FirmwareCommand,
    /// The hosted broker to start: always for a virtual device, on request for a board.
    pub broker: Option<BrokerConfig>,
    /// Send `AT` and require `OK` before handing the device over (always done for a virtual device).
    pub probe: bool,
    /// Where the virtual firmware writes its log.
    pub log_dir: PathBuf,
}

/// An open device, the placeholders naming the broker, and what keeps them running.
#[derive(Debug)]
pub struct Attached {
    /// The serial session.
    pub device: Device,
    /// `{broker.host}`, `{port.schemeN}`, ... (empty without a broker).
    pub vars: Vars,
    /// The hosted broker, when one was started.
    pub broker: Option<Broker>,
    /// What the device is, for the user: the port, or the virtual firmware's pty and log.
    pub description: String,
    /// Keeps the virtual firmware alive; it is killed when this is dropped.
    _firmware: Option<VirtualFirmware>,
}

/// Starts the broker (if asked), the virtual firmware (if asked) and opens the device.
pub async fn attach(options: AttachOptions) -> anyhow::Result<Attached> {
    let broker = match &options.broker {
        Some(config) => Some(Broker::start(config.clone()).await.context("cannot start the hosted broker")?),
        None => None,
    };
    let vars = broker.as_ref().map(placeholder_vars).unwrap_or_default();
    let (path, baud, firmware, description) = match &options.target {
        Target::Port { path, baud } => (path.clone(), *baud, None, format!("{path} at {baud} baud")),
        Target::Virtual { dialect } => {
            let broker = broker.as_ref().context("a virtual device needs the hosted broker")?;
            let log = options.log_dir.join(format!("atconform-virtual-{dialect}-{}.log", std::process::id()));
            let extra = crate::virtual_device::device_args(*dialect, &broker.pki.device_dir);
            let fw = VirtualFirmware::spawn(&options.firmware, &extra, &log).await?;
            let text = format!("virtual {dialect} firmware on {} (log: {})", fw.pty, log.display());
            (fw.pty.clone(), 115_200, Some(fw), text)
        }
    };
    let mut device = Device::open(&path, baud)?;
    if options.probe || firmware.is_some() {
        probe(&mut device, &path).await?;
    }
    Ok(Attached { device, vars, broker, description, _firmware: firmware })
}

/// Sends `AT`, requires `OK`, then forgets the boot banner and the probe so what follows starts clean.
async fn probe(device: &mut Device, path: &str) -> anyhow::Result<()> {
    device
        .probe(PROBE_TIMEOUT)
        .await
        .with_context(|| format!("the device on {path} does not answer AT; check the port, baud rate and cabling"))?;
    device.forget_pending();
    Ok(())
}

/// Lines telling the user where the broker listens, as the placeholders that name it.
pub fn broker_lines(broker: &Broker) -> Vec<String> {
    let mut lines = vec![format!("{{broker.host}} = {}", broker.device_host)];
    for (scheme, listener) in SCHEME_LISTENERS {
        if let Some(port) = broker.scheme_port(scheme) {
            lines.push(format!("{{port.scheme{scheme}}} = {port} ({listener})"));
        }
    }
    lines
}
