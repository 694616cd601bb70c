//! The command-line side of boards (part of the `atconform` binary, not the library):
//! `atconform ports`, `atconform flash`, and what `run --board NAME [--flash]` makes of a profile.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use atconform::board::{Board, Pki};
use atconform::bringup::{self, BringUp};
use atconform::flash::{self, Image};
use atconform::ports;

/// Arguments of `atconform flash`.
#[derive(Debug, clap::Args)]
pub struct FlashArgs {
    /// The merged firmware image to write at offset 0 (e.g. ESP-AT's factory/factory_WROOM-32.bin).
    #[arg(long)]
    pub firmware: PathBuf,
    /// Serial port of the board's USB-serial bridge (the one its bootloader listens on).
    #[arg(long)]
    pub port: String,
    /// Baud rate for the write once connected at 115200 (e.g. 460800); by default the write stays at 115200.
    #[arg(long)]
    pub baud: Option<u32>,
}

/// A board ready to be run: its profile, its port now, and what to do once it is open.
#[derive(Debug)]
pub struct BoardRun {
    /// The profile.
    pub board: Board,
    /// The port its selector resolved to.
    pub port: String,
    /// Firmware check, network join and certificates.
    pub bring_up: BringUp,
}

/// `atconform ports`: one line per attached serial port.
pub fn list_ports() -> ExitCode {
    match ports::list() {
        Ok(list) if list.is_empty() => {
            println!("no serial port is attached");
            ExitCode::SUCCESS
        }
        Ok(list) => {
            for port in list {
                println!("{port}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("atconform ports: {:#}", anyhow::Error::from(e));
            ExitCode::from(2)
        }
    }
}

/// `atconform flash`: exit 0 when written, 2 when not.
pub fn flash_command(args: FlashArgs) -> ExitCode {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let result = runtime.block_on(async {
        let image = Image::load(&args.firmware)?; // before the port is touched
        flash_image(&args.port, &image, None, args.baud).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("atconform flash: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn flash_image(
    port: &str,
    image: &Image,
    chip: Option<espflash::target::Chip>,
    baud: Option<u32>,
) -> anyhow::Result<()> {
    println!("flashing {} ({} bytes) to {port} ...", image.path.display(), image.bytes.len());
    let flashed = flash::flash(port, image, chip, baud).await?;
    println!("flashed {} bytes to the {} on {port}; it restarts into the new firmware", flashed.bytes, flashed.chip);
    Ok(())
}

/// Loads the profile, reads the secrets it names, finds its port and, with `flash`, writes its firmware.
pub async fn prepare(name: &str, flash: bool) -> anyhow::Result<BoardRun> {
    let board = Board::load(name, Path::new(""))?;
    // Everything that can be wrong without a board is checked before any port is opened.
    let image = if flash { Some(firmware_image(&board)?) } else { None };
    let wifi = board.wifi_credentials()?;
    let port =
        ports::resolve(&board.port).with_context(|| format!("{}: cannot find the board", board.path.display()))?;
    println!("board {} ({}) on {port}", board.name, board.dialect);
    if let Some(image) = image {
        let chip = flash::chip_of(board.dialect)?;
        flash_image(board.flash_port.as_deref().unwrap_or(&port), &image, Some(chip), None).await?;
        // The flash ends with a reset into the new firmware: wait until it answers.
        bringup::await_answer(&port, board.baud, bringup::BOOT_WAIT).await?;
    }
    let bring_up = BringUp { firmware_version: board.firmware_version.clone(), wifi, sysmfg: board.pki == Pki::Sysmfg };
    Ok(BoardRun { board, port, bring_up })
}

/// The profile's image, checked, for a chip that can be flashed; all before any port is opened.
fn firmware_image(board: &Board) -> anyhow::Result<Image> {
    flash::chip_of(board.dialect).with_context(|| format!("{}: cannot --flash", board.path.display()))?;
    let path = board.firmware.as_ref().with_context(|| {
        format!(
            "{}: --flash needs the field `firmware` (the image to write), which the profile lacks",
            board.path.display()
        )
    })?;
    Ok(Image::load(path)?)
}
