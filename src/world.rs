//! The per-scenario state: a handle on the run's environment, and marks
//! that scope the transcript and the broker's observations to this scenario.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;

use crate::broker::Broker;
use crate::device::reset::HardReset;
use crate::device::{Device, Response};
use crate::expand::Vars;

/// What one run shares between all scenarios: one device, one broker.
#[derive(Debug)]
pub struct Environment {
    /// The device under test; scenarios take turns.
    pub device: tokio::sync::Mutex<Device>,
    /// The hosted broker.
    pub broker: Broker,
    /// Placeholder values such as `{broker.host}`.
    pub vars: Vars,
    /// Bounds on waits.
    pub timeouts: Timeouts,
    /// How to reset the device when AT+RST cannot reach it.
    pub hard_reset: HardReset,
}

/// How long each kind of wait may last.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// A command's final result (AT+MQTTCONN may legitimately take up to its 15 s default).
    pub response: Duration,
    /// A URC.
    pub urc: Duration,
    /// `ready` after a reset.
    pub reset: Duration,
    /// An observation at the broker.
    pub broker: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            response: Duration::from_secs(20),
            urc: Duration::from_secs(10),
            reset: Duration::from_secs(10),
            broker: Duration::from_secs(5),
        }
    }
}

static ENVIRONMENT: OnceLock<Arc<Environment>> = OnceLock::new();

/// Installs the run's environment; scenarios created afterwards use it.
pub fn install(env: Arc<Environment>) -> anyhow::Result<()> {
    ENVIRONMENT.set(env).map_err(|_| anyhow::anyhow!("the run environment is already installed"))
}

/// Per-scenario state.
#[derive(Debug, cucumber::World)]
#[world(init = Self::new)]
pub struct AtWorld {
    /// The shared environment.
    pub env: Arc<Environment>,
    /// Where this scenario's part of the serial transcript starts.
    pub transcript_mark: usize,
    /// Where this scenario's broker observations start.
    pub observation_mark: usize,
    /// A response already read and not yet checked by a `Then the device answers` step.
    pub last_response: Option<Response>,
}

impl AtWorld {
    fn new() -> anyhow::Result<Self> {
        let env =
            ENVIRONMENT.get().context("no device environment: start scenarios through atconform::runner")?.clone();
        let observation_mark = env.broker.log.mark();
        let transcript_mark = env.device.try_lock().map(|d| d.transcript().mark()).unwrap_or(0);
        Ok(Self { env, transcript_mark, observation_mark, last_response: None })
    }

    /// Expands placeholders in feature-file text.
    pub fn expand(&self, text: &str) -> anyhow::Result<String> {
        Ok(self.env.vars.expand(text)?)
    }

    /// This scenario's serial transcript so far.
    pub async fn transcript(&self) -> String {
        self.env.device.lock().await.transcript().render_since(self.transcript_mark)
    }
}
