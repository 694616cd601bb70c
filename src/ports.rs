//! The serial ports attached to the host, and finding a board's among them by a USB serial
//! number or bus location that stays the same when the board is plugged in again.

use std::fmt;

use serialport::{SerialPortInfo, SerialPortType};

use crate::board::PortSelector;

/// Why the port of a board could not be found.
#[derive(Debug, thiserror::Error)]
pub enum PortError {
    /// The operating system's list of ports could not be read.
    #[error("cannot list the serial ports")]
    List(#[source] serialport::Error),
    /// No attached port matches.
    #[error("no serial port with USB {what} {value:?} is attached{attached}")]
    NotAttached {
        /// `serial number` or `location`.
        what: &'static str,
        /// The value looked for.
        value: String,
        /// What is attached instead, as `; attached: ...`.
        attached: String,
    },
    /// Several ports match (a board with two UARTs on one serial number, say).
    #[error("several serial ports have USB {what} {value:?}: {ports}; give `port` instead")]
    Ambiguous {
        /// `serial number` or `location`.
        what: &'static str,
        /// The value looked for.
        value: String,
        /// The matching paths.
        ports: String,
    },
}

/// One attached serial port, as `atconform ports` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortInfo {
    /// Device path, e.g. `/dev/ttyUSB0`.
    pub path: String,
    /// `usb`, `pci`, `bluetooth` or `unknown`.
    pub kind: &'static str,
    /// USB vendor and product id.
    pub vid_pid: Option<(u16, u16)>,
    /// USB serial number.
    pub serial_number: Option<String>,
    /// USB manufacturer string.
    pub manufacturer: Option<String>,
    /// USB product string.
    pub product: Option<String>,
    /// USB bus location, `<bus>-<port>[.<port>...]`.
    pub location: Option<String>,
}

impl From<SerialPortInfo> for PortInfo {
    fn from(info: SerialPortInfo) -> Self {
        let mut port = PortInfo {
            path: info.port_name,
            kind: "unknown",
            vid_pid: None,
            serial_number: None,
            manufacturer: None,
            product: None,
            location: None,
        };
        match info.port_type {
            SerialPortType::UsbPort(usb) => {
                port.kind = "usb";
                port.vid_pid = Some((usb.vid, usb.pid));
                port.location = usb.location.map(|l| location_text(l.bus_id(), l.port_chain()));
                (port.serial_number, port.manufacturer, port.product) =
                    (usb.serial_number, usb.manufacturer, usb.product);
            }
            SerialPortType::PciPort => port.kind = "pci",
            SerialPortType::BluetoothPort => port.kind = "bluetooth",
            SerialPortType::Unknown => {}
        }
        port
    }
}

/// `1` and `[1, 4]` → `1-1.4`, as Linux names USB devices.
fn location_text(bus: &str, chain: &[u8]) -> String {
    let chain: Vec<String> = chain.iter().map(u8::to_string).collect();
    format!("{bus}-{}", chain.join("."))
}

impl fmt::Display for PortInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}  {}", self.path, self.kind)?;
        if let Some((vid, pid)) = self.vid_pid {
            write!(f, "  {vid:04x}:{pid:04x}")?;
        }
        let fields = [
            ("serial", &self.serial_number),
            ("manufacturer", &self.manufacturer),
            ("product", &self.product),
            ("location", &self.location),
        ];
        for (name, value) in fields {
            if let Some(value) = value {
                write!(f, "  {name}={value:?}")?;
            }
        }
        Ok(())
    }
}

/// Every serial port the operating system reports.
pub fn list() -> Result<Vec<PortInfo>, PortError> {
    let mut ports: Vec<PortInfo> =
        serialport::available_ports().map_err(PortError::List)?.into_iter().map(PortInfo::from).collect();
    ports.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(ports)
}

/// The device path a board's selector points at now.
pub fn resolve(selector: &PortSelector) -> Result<String, PortError> {
    match selector {
        PortSelector::Path(path) => Ok(path.clone()),
        _ => find(selector, &list()?),
    }
}

/// Picks the one port of `ports` the USB selector names.
pub fn find(selector: &PortSelector, ports: &[PortInfo]) -> Result<String, PortError> {
    let (what, value, pick): (_, _, fn(&PortInfo) -> Option<&String>) = match selector {
        PortSelector::Path(path) => return Ok(path.clone()),
        PortSelector::UsbSerial(s) => ("serial number", s, |p| p.serial_number.as_ref()),
        PortSelector::UsbLocation(l) => ("location", l, |p| p.location.as_ref()),
    };
    let matching: Vec<&PortInfo> = ports.iter().filter(|p| pick(p) == Some(value)).collect();
    match matching.as_slice() {
        [one] => Ok(one.path.clone()),
        [] => {
            let attached: Vec<String> = ports.iter().map(|p| p.to_string()).collect();
            let attached = if attached.is_empty() {
                "; no serial port is attached at all".to_string()
            } else {
                format!("; attached: {}", attached.join("; "))
            };
            Err(PortError::NotAttached { what, value: value.clone(), attached })
        }
        several => Err(PortError::Ambiguous {
            what,
            value: value.clone(),
            ports: several.iter().map(|p| p.path.as_str()).collect::<Vec<_>>().join(", "),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usb(path: &str, serial: &str, location: &str) -> PortInfo {
        PortInfo {
            path: path.into(),
            kind: "usb",
            vid_pid: Some((0x10c4, 0xea60)),
            serial_number: Some(serial.into()),
            manufacturer: Some("Silicon Labs".into()),
            product: Some("CP2102 USB to UART Bridge Controller".into()),
            location: Some(location.into()),
        }
    }

    #[test]
    fn serial_numbers_and_locations_pick_one_port() {
        let ports = [usb("/dev/ttyUSB0", "0001", "1-1.4"), usb("/dev/ttyUSB1", "0002", "1-1.3")];
        assert_eq!(find(&PortSelector::UsbSerial("0002".into()), &ports).unwrap(), "/dev/ttyUSB1");
        assert_eq!(find(&PortSelector::UsbLocation("1-1.4".into()), &ports).unwrap(), "/dev/ttyUSB0");
    }

    #[test]
    fn an_absent_serial_number_is_named_with_what_is_attached() {
        let ports = [usb("/dev/ttyUSB0", "0001", "1-1.4")];
        let e = find(&PortSelector::UsbSerial("A50285BI".into()), &ports).unwrap_err().to_string();
        assert!(e.starts_with(r#"no serial port with USB serial number "A50285BI" is attached; attached: /dev/ttyUSB0  usb  10c4:ea60"#), "{e}");
        let none = find(&PortSelector::UsbLocation("3-2".into()), &[]).unwrap_err().to_string();
        assert!(none.ends_with("no serial port is attached at all"), "{none}");
    }

    #[test]
    fn two_ports_with_one_serial_number_are_ambiguous() {
        let ports = [usb("/dev/ttyUSB0", "0001", "1-1.4"), usb("/dev/ttyUSB1", "0001", "1-1.4")];
        let e = find(&PortSelector::UsbSerial("0001".into()), &ports).unwrap_err().to_string();
        assert!(e.contains("/dev/ttyUSB0, /dev/ttyUSB1; give `port` instead"), "{e}");
    }

    #[test]
    fn locations_are_written_as_linux_does() {
        assert_eq!(location_text("1", &[1, 4]), "1-1.4");
        assert_eq!(location_text("3", &[2]), "3-2");
    }
}
