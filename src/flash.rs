//! Writing a firmware image to an ESP board through its ROM bootloader, with the espflash crate.
//!
//! The image is the merged one ESP-AT releases ship (`factory/factory_<module>.bin`), written at
//! flash offset 0. It is checked before the port is touched; the bootloader's answer is awaited
//! for a bounded time, and so is the write.

use std::path::{Path, PathBuf};
use std::time::Duration;

use espflash::connection::{Connection, ResetAfterOperation, ResetBeforeOperation};
use espflash::flasher::Flasher;
use espflash::target::{Chip, DefaultProgressCallback};
use serialport::{FlowControl, UsbPortInfo};
use tokio::sync::mpsc;

use crate::dialect::Dialect;

/// The first byte of an ESP application or bootloader image.
const IMAGE_MAGIC: u8 = 0xE9;
/// Where the second-stage bootloader sits in a merged image: 0 on most chips, 0x1000 on the ESP32 and ESP32-S2.
const BOOTLOADER_OFFSETS: [usize; 2] = [0, 0x1000];
/// How long the bootloader may take to answer (espflash tries several reset sequences).
const CONNECT_WAIT: Duration = Duration::from_secs(30);

/// Why flashing did not happen or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum FlashError {
    /// The image file is missing or unreadable.
    #[error("cannot read the firmware image {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not something to write at offset 0.
    #[error("{path} is not a flashable ESP firmware image: {why}")]
    NotAnImage {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// The board's chip is not one espflash writes.
    #[error(
        "flashing supports ESP chips only (ESP32 family); the {dialect} dialect's board has to be flashed with {tool}"
    )]
    Unsupported {
        /// The board's dialect.
        dialect: Dialect,
        /// What to use instead.
        tool: &'static str,
    },
    /// No bootloader answered.
    #[error(
        "no ESP bootloader answered on {port}: {why}; check that an ESP board is on this port, that no other program \
         holds it, and that it can enter download mode (auto-reset over DTR/RTS, or hold BOOT while pressing EN)"
    )]
    NoBootloader {
        /// The port.
        port: String,
        /// espflash's error, or the timeout.
        why: String,
    },
    /// The bootloader answered but the write failed.
    #[error("writing {path} to the board on {port} failed: {why}")]
    Write {
        /// The port.
        port: String,
        /// The image.
        path: PathBuf,
        /// espflash's error, or the timeout.
        why: String,
    },
}

/// A checked image, ready to write.
#[derive(Debug, Clone)]
pub struct Image {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl Image {
    /// Reads `path` and checks that it is a merged ESP image (bootloader magic at offset 0 or 0x1000).
    pub fn load(path: &Path) -> Result<Image, FlashError> {
        let bytes = std::fs::read(path).map_err(|source| FlashError::Read { path: path.into(), source })?;
        check_image(&bytes).map_err(|why| FlashError::NotAnImage { path: path.into(), why })?;
        Ok(Image { path: path.into(), bytes })
    }
}

fn check_image(bytes: &[u8]) -> Result<(), String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    if bytes.starts_with(b"\x7fELF") {
        return Err("it is an ELF file; give the merged binary (e.g. ESP-AT's factory/factory_<module>.bin)".into());
    }
    if BOOTLOADER_OFFSETS.iter().any(|&at| bytes.get(at) == Some(&IMAGE_MAGIC)) {
        Ok(())
    } else {
        Err("no image header (byte 0xE9) at offset 0 or 0x1000; give the merged binary (e.g. ESP-AT's factory/factory_<module>.bin)".into())
    }
}

/// The chip espflash should expect on a board of this dialect.
pub fn chip_of(dialect: Dialect) -> Result<Chip, FlashError> {
    match dialect {
        Dialect::Esp32 => Ok(Chip::Esp32),
        // espflash 4 writes the ESP32 family only.
        Dialect::Esp8266 => Err(FlashError::Unsupported { dialect, tool: "esptool (espflash 4 dropped the ESP8266)" }),
        Dialect::W800 => Err(FlashError::Unsupported { dialect, tool: "WinnerMicro's own download tool" }),
    }
}

/// What a finished write found.
#[derive(Debug, Clone)]
pub struct Flashed {
    /// The chip the bootloader reported.
    pub chip: String,
    /// Bytes written.
    pub bytes: usize,
}

/// Writes `image` at offset 0 of the board on `port`, then resets it into the new firmware.
///
/// `chip` refuses a board of another chip; `baud` speeds up the write once connected at 115200.
pub async fn flash(port: &str, image: &Image, chip: Option<Chip>, baud: Option<u32>) -> Result<Flashed, FlashError> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let job = (port.to_string(), image.bytes.clone(), chip, baud);
    // espflash is blocking; a thread keeps the runtime free, and the waits below bound it.
    std::thread::spawn(move || flash_blocking(job, &tx));
    let connect = wait_for(&mut rx, CONNECT_WAIT).await;
    let chip = match connect {
        Some(Ok(Step::Connected(chip))) => chip,
        Some(Ok(Step::Written)) => unreachable!("the write is reported after the connection"),
        Some(Err(why)) => return Err(FlashError::NoBootloader { port: port.into(), why }),
        None => {
            return Err(FlashError::NoBootloader {
                port: port.into(),
                why: format!("no answer within {CONNECT_WAIT:?}"),
            })
        }
    };
    let write_wait = write_wait(image.bytes.len(), baud.unwrap_or(115_200));
    let write_error = |why| FlashError::Write { port: port.into(), path: image.path.clone(), why };
    match wait_for(&mut rx, write_wait).await {
        Some(Ok(_)) => Ok(Flashed { chip, bytes: image.bytes.len() }),
        Some(Err(why)) => Err(write_error(why)),
        None => Err(write_error(format!("not finished within {write_wait:?}"))),
    }
}

/// Ten bits a byte on the wire, uncompressed, twice over, plus a minute for erasing and verifying.
fn write_wait(bytes: usize, baud: u32) -> Duration {
    let wire = bytes as f64 * 10.0 / f64::from(baud.max(9600));
    Duration::from_secs_f64(60.0 + 2.0 * wire)
}

enum Step {
    Connected(String),
    Written,
}

/// The flashing thread's next report, or `None` when none came within `wait`.
async fn wait_for(
    rx: &mut mpsc::UnboundedReceiver<Result<Step, String>>,
    wait: Duration,
) -> Option<Result<Step, String>> {
    match tokio::time::timeout(wait, rx.recv()).await {
        Ok(Some(step)) => Some(step),
        Ok(None) => Some(Err("the flashing thread ended".into())),
        Err(_) => None,
    }
}

type Job = (String, Vec<u8>, Option<Chip>, Option<u32>);

fn flash_blocking((port, bytes, chip, baud): Job, tx: &mpsc::UnboundedSender<Result<Step, String>>) {
    let mut flasher = match connect(&port, chip, baud) {
        Ok(flasher) => flasher,
        Err(why) => return drop(tx.send(Err(why))),
    };
    let chip = flasher.chip();
    let _ = tx.send(Ok(Step::Connected(chip.to_string())));
    let written = flasher.write_bin_to_flash(0, &bytes, &mut DefaultProgressCallback).and_then(|()| {
        // Leave the bootloader: the board restarts into the firmware just written.
        flasher.connection().reset_after(true, chip)
    });
    let _ = tx.send(written.map(|()| Step::Written).map_err(|e| e.to_string()));
}

fn connect(port: &str, chip: Option<Chip>, baud: Option<u32>) -> Result<Flasher, String> {
    let serial = serialport::new(port, 115_200)
        .flow_control(FlowControl::None)
        .open_native()
        .map_err(|e| format!("cannot open the port ({e})"))?;
    // The USB ids only choose a reset strategy; a plain bridge (vid/pid 0) gets the DTR/RTS ones.
    let usb = UsbPortInfo { vid: 0, pid: 0, serial_number: None, manufacturer: None, product: None, location: None };
    let connection =
        Connection::new(serial, usb, ResetAfterOperation::HardReset, ResetBeforeOperation::DefaultReset, 115_200);
    Flasher::connect(connection, true, true, false, chip, baud).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_need_the_header_byte_where_a_bootloader_sits() {
        let mut esp32 = vec![0xFF; 0x2000];
        esp32[0x1000] = IMAGE_MAGIC;
        assert!(check_image(&esp32).is_ok());
        assert!(check_image(&[IMAGE_MAGIC, 3, 2, 0x20]).is_ok());
        assert_eq!(check_image(&[]).unwrap_err(), "the file is empty");
        assert!(check_image(b"\x7fELF\x01\x01").unwrap_err().starts_with("it is an ELF file"));
        assert!(check_image(b"hello, world").unwrap_err().starts_with("no image header"));
    }

    #[test]
    fn only_esp32_boards_are_flashed() {
        assert_eq!(chip_of(Dialect::Esp32).unwrap(), Chip::Esp32);
        let w800 = chip_of(Dialect::W800).unwrap_err().to_string();
        assert!(w800.starts_with("flashing supports ESP chips only"), "{w800}");
        assert!(chip_of(Dialect::Esp8266).is_err());
    }

    #[test]
    fn the_write_wait_grows_with_the_image() {
        assert!(write_wait(4 << 20, 115_200) > Duration::from_secs(60 + 700));
        assert!(write_wait(0, 115_200) >= Duration::from_secs(60));
    }
}
