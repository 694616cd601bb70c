//! One-shot faults armed through the control channel ([`crate::control`]).
//!
//! Each fault stands for an internal failure of the shipped firmware that no input on the serial
//! line can cause (a failed allocation, an esp-mqtt call returning an error, an unreadable
//! partition, a bigger command buffer). A command module consults the registry at the place where
//! the real firmware would fail, with [`Faults::take`]: an armed fault fires there once and is
//! disarmed. A reset (AT+RST or SIGUSR1) disarms all of them.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

/// A failure the control channel can arm; its name is what `fault <name>` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// AT+MQTTUSERCFG cannot allocate the link's configuration: 0x6005.
    Malloc,
    /// AT+MQTTCONN finds a configuration item missing when it prepares the client: 0x6007.
    NullParameter,
    /// AT+MQTTCONNCFG cannot read the link's protocol version: 0x602A.
    VersionRead,
    /// AT+MQTTCONN on a TLS scheme: the `mqtt_ca` partition reads as empty: 0x6021.
    CaEmpty,
    /// AT+MQTTCONN on a TLS scheme: the `mqtt_ca` partition holds no readable certificate: 0x6022.
    CaUnreadable,
    /// AT+MQTTCONN on a TLS scheme: the `mqtt_cert` partition reads as empty: 0x6023.
    CertEmpty,
    /// AT+MQTTCONN on a TLS scheme: the `mqtt_cert` partition holds no readable certificate: 0x6024.
    CertUnreadable,
    /// AT+MQTTCONN on a TLS scheme: the `mqtt_key` partition reads as empty: 0x6025.
    KeyEmpty,
    /// AT+MQTTCONN on a TLS scheme: the `mqtt_key` partition holds no readable key: 0x6026.
    KeyUnreadable,
    /// AT+MQTTCONN on a TLS scheme cannot build its TLS configuration: 0x6009.
    TlsConfig,
    /// AT+MQTTCONN cannot prepare the client's parameters: 0x600A.
    ParamPrepare,
    /// AT+MQTTCONN: esp-mqtt cannot parse the broker URI it was given: 0x6050.
    UriParse,
    /// AT+MQTTCONN cannot create its semaphore: 0x604E.
    CreateSema,
    /// AT+MQTTCONN cannot create the event group it waits on: 0x604F.
    CreateEventGroup,
    /// AT+MQTTCONN: starting the client fails: 0x600B.
    ClientStart,
    /// AT+MQTTPUB / AT+MQTTPUBRAW: the client refuses the publish (msg_id < 0): 0x600C.
    ClientPublish,
    /// AT+MQTTSUB: the client refuses the subscribe (msg_id < 0): 0x600D.
    ClientSubscribe,
    /// AT+MQTTUNSUB: the client refuses the unsubscribe (msg_id < 0): 0x600E.
    ClientUnsubscribe,
    /// AT+MQTTCLEAN: disconnecting the client fails: 0x600F.
    ClientDisconnect,
    /// AT+MQTTPUBRAW: the port hands over one byte less than announced: 0x604D.
    RecvLength,
    /// The next command line may be up to [`LIFTED_LINE_LIMIT`] bytes, as in a vendor build with a
    /// bigger command buffer; the command's own length checks then run on the long input.
    LongLine,
}

/// The line limit while [`Fault::LongLine`] is armed: a 1 KiB command buffer.
pub const LIFTED_LINE_LIMIT: usize = 1024;

impl Fault {
    /// Every fault, in the order `faults` lists them.
    pub const ALL: [Self; 21] = [
        Self::Malloc,
        Self::NullParameter,
        Self::VersionRead,
        Self::CaEmpty,
        Self::CaUnreadable,
        Self::CertEmpty,
        Self::CertUnreadable,
        Self::KeyEmpty,
        Self::KeyUnreadable,
        Self::TlsConfig,
        Self::ParamPrepare,
        Self::UriParse,
        Self::CreateSema,
        Self::CreateEventGroup,
        Self::ClientStart,
        Self::ClientPublish,
        Self::ClientSubscribe,
        Self::ClientUnsubscribe,
        Self::ClientDisconnect,
        Self::RecvLength,
        Self::LongLine,
    ];

    /// The name used on the control channel.
    pub fn name(self) -> &'static str {
        match self {
            Self::Malloc => "malloc",
            Self::NullParameter => "null_parameter",
            Self::VersionRead => "version_read",
            Self::CaEmpty => "ca_empty",
            Self::CaUnreadable => "ca_unreadable",
            Self::CertEmpty => "cert_empty",
            Self::CertUnreadable => "cert_unreadable",
            Self::KeyEmpty => "key_empty",
            Self::KeyUnreadable => "key_unreadable",
            Self::TlsConfig => "tls_config",
            Self::ParamPrepare => "param_prepare",
            Self::UriParse => "uri_parse",
            Self::CreateSema => "create_sema",
            Self::CreateEventGroup => "create_event_group",
            Self::ClientStart => "client_start",
            Self::ClientPublish => "client_publish",
            Self::ClientSubscribe => "client_subscribe",
            Self::ClientUnsubscribe => "client_unsubscribe",
            Self::ClientDisconnect => "client_disconnect",
            Self::RecvLength => "recv_length",
            Self::LongLine => "long_line",
        }
    }

    /// The fault with this control-channel name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// All names, space-separated, for listings and error messages.
    pub fn names() -> String {
        Self::ALL.map(Self::name).join(" ")
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The armed faults, shared by the control channel and the command executor.
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<Mutex<BTreeSet<Fault>>>);

impl Faults {
    fn lock(&self) -> MutexGuard<'_, BTreeSet<Fault>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Arms a fault until the stage it breaks is reached.
    pub fn arm(&self, fault: Fault) {
        tracing::info!(%fault, "fault armed");
        self.lock().insert(fault);
    }

    /// Whether `fault` fires here: true once if it was armed, which disarms it.
    pub fn take(&self, fault: Fault) -> bool {
        let fired = self.lock().remove(&fault);
        if fired {
            tracing::info!(%fault, "fault fired");
        }
        fired
    }

    /// Disarms every fault (the control channel's `clear`, and every reset).
    pub fn clear(&self) {
        let mut armed = self.lock();
        if !armed.is_empty() {
            tracing::info!(count = armed.len(), "faults disarmed");
        }
        armed.clear();
    }

    /// The armed faults, in listing order.
    pub fn armed(&self) -> Vec<Fault> {
        self.lock().iter().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for f in Fault::ALL {
            assert_eq!(Fault::from_name(f.name()), Some(f));
        }
        let mut names: Vec<_> = Fault::ALL.map(Fault::name).to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Fault::ALL.len());
        assert_eq!(Fault::from_name("nope"), None);
    }

    #[test]
    fn a_fault_fires_once() {
        let faults = Faults::default();
        assert!(!faults.take(Fault::ClientStart));
        faults.arm(Fault::ClientStart);
        faults.arm(Fault::Malloc);
        assert_eq!(faults.armed(), vec![Fault::Malloc, Fault::ClientStart]);
        assert!(faults.take(Fault::ClientStart));
        assert!(!faults.take(Fault::ClientStart));
        faults.clear();
        assert!(faults.armed().is_empty());
    }
}
