//! A reset that does not depend on the device understanding AT+RST.
//!
//! A device can be left where AT commands cannot reach it: waiting for the raw
//! bytes of AT+MQTTPUBRAW (ESP-AT has no escape from that mode, esp-at#1027),
//! or hung. To keep one scenario's failure from spilling into the next, the
//! harness can reset it out of band: the virtual firmware power-cycles itself
//! on SIGUSR1, its control channel.

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// How to reset the device without the serial line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HardReset {
    /// No out-of-band reset is wired up (a board without a reset line).
    Unavailable,
    /// The virtual firmware process with this pid.
    VirtualFirmware {
        /// Process id.
        pid: u32,
    },
}

/// Why a hard reset could not be done.
#[derive(Debug, thiserror::Error)]
pub enum HardResetError {
    /// Nothing to reset with.
    #[error("the device has no out-of-band reset; power-cycle it by hand")]
    Unavailable,
    /// The signal could not be delivered.
    #[error("cannot signal the virtual firmware (pid {pid})")]
    Signal {
        /// Process id.
        pid: u32,
        /// Why.
        source: nix::Error,
    },
}

impl HardReset {
    /// Triggers the reset; the device then prints `ready` as after power-on.
    pub fn trigger(&self) -> Result<(), HardResetError> {
        match *self {
            HardReset::Unavailable => Err(HardResetError::Unavailable),
            HardReset::VirtualFirmware { pid } => {
                let raw = i32::try_from(pid).map_err(|_| HardResetError::Signal { pid, source: nix::Error::EINVAL })?;
                kill(Pid::from_raw(raw), Signal::SIGUSR1).map_err(|source| HardResetError::Signal { pid, source })
            }
        }
    }
}
