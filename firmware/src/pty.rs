//! The pseudo-terminal the firmware is served on.
//!
//! Crates reference §5: `SerialStream::pair()` gives a raw (master, slave) pair; the harness
//! reopens the slave by path as if it were /dev/ttyUSB0.

use anyhow::Context;
use tokio_serial::{SerialPort, SerialStream};

/// The firmware's end of the pty plus the slave kept open for the whole run.
pub struct Pty {
    /// The end the firmware reads commands from and writes responses to.
    pub master: SerialStream,
    /// Held open so master reads do not fail with EIO while no one else has the slave open (crates reference §5).
    pub slave: SerialStream,
    /// The path a client opens, e.g. `/dev/pts/3`.
    pub path: String,
}

/// Opens a new pty pair.
pub fn open() -> anyhow::Result<Pty> {
    let (master, slave) = SerialStream::pair().context("could not open a pseudo-terminal pair")?;
    let path = slave.name().context("the pty slave has no path (is /dev/pts mounted?)")?;
    Ok(Pty { master, slave, path })
}
