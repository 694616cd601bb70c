//! The per-scenario state: a handle on the run's environment, and marks
//! that scope the transcript and the broker's observations to this scenario.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;

use crate::broker::Broker;
use crate::control::ControlChannel;
use crate::device::reset::HardReset;
use crate::device::{Device, Response};
use crate::dialect::Dialect;
use crate::expand::Vars;

/// What one dialect's run shares between all its scenarios: one device, the broker.
#[derive(Debug)]
pub struct Environment {
    /// The dialect the device speaks.
    pub dialect: Dialect,
    /// The device under test; scenarios take turns.
    pub device: tokio::sync::Mutex<Device>,
    /// The hosted broker (one for the whole run, shared by every dialect).
    pub broker: Arc<Broker>,
    /// The virtual firmware's control channel; `None` for a board.
    pub control: Option<ControlChannel>,
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

// cucumber builds each scenario's World with no arguments, so the environment is global;
// it is replaced (never shared) between the dialects of a run, which run one after another.
static ENVIRONMENT: RwLock<Option<Arc<Environment>>> = RwLock::new(None);

/// Installs the environment that scenarios created from now on use.
pub fn install(env: Arc<Environment>) {
    *ENVIRONMENT.write().unwrap_or_else(|e| e.into_inner()) = Some(env);
}

/// Removes the environment, so its device and firmware can be dropped.
pub fn uninstall() {
    *ENVIRONMENT.write().unwrap_or_else(|e| e.into_inner()) = None;
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
        let env = ENVIRONMENT
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .context("no device environment: start scenarios through atconform::runner")?;
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
