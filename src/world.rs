//! The per-scenario state: a handle on the run's environment, and marks
//! that scope the transcript and the broker's observations to this scenario.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;
use tokio::sync::mpsc;

use crate::broker::Broker;
use crate::control::ControlChannel;
use crate::device::reset::HardReset;
use crate::device::{Device, Response};
use crate::dialect::Dialect;
use crate::expand::Vars;

/// One bench: a device and the broker it talks to, shared by the scenarios that run on it in turn.
#[derive(Debug)]
pub struct Environment {
    /// The dialect the device speaks.
    pub dialect: Dialect,
    /// How reports name this device, e.g. `esp32#2 (/dev/pts/7)`.
    pub label: String,
    /// The device under test; scenarios take turns.
    pub device: tokio::sync::Mutex<Device>,
    /// This bench's hosted broker (kept for the whole run, reused by every dialect).
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

// cucumber builds each scenario's World with no arguments, so the pool is global; it is
// replaced (never shared) between the dialects of a run, which run one after another.
static POOL: RwLock<Option<Arc<Pool>>> = RwLock::new(None);

/// The environments (benches) of the dialect being run; a scenario leases one for its lifetime.
#[derive(Debug)]
struct Pool {
    benches: Vec<Arc<Environment>>,
    /// Where a released bench goes back.
    release: mpsc::UnboundedSender<usize>,
    /// Free benches, longest idle first, so scenarios spread over every device.
    free: tokio::sync::Mutex<mpsc::UnboundedReceiver<usize>>,
}

/// Installs the benches that scenarios created from now on lease, one scenario per bench at a time.
pub fn install(benches: Vec<Arc<Environment>>) {
    let (release, free) = mpsc::unbounded_channel();
    for index in 0..benches.len() {
        let _ = release.send(index); // the receiver is right here
    }
    let pool = Pool { benches, release, free: tokio::sync::Mutex::new(free) };
    *POOL.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(pool));
}

/// Removes the benches, so their devices and firmware can be dropped.
pub fn uninstall() {
    *POOL.write().unwrap_or_else(|e| e.into_inner()) = None;
}

/// A scenario's hold on one bench; dropping it frees the bench for the next scenario.
#[derive(Debug)]
pub struct Lease {
    pool: Arc<Pool>,
    index: usize,
}

/// How long a new scenario may wait for a device to come free (the longest scenario's length).
const LEASE_WAIT: Duration = Duration::from_secs(120);

impl Lease {
    /// Takes the longest-idle bench, waiting while every bench is still held by a scenario
    /// whose World cucumber has not dropped yet.
    async fn take() -> anyhow::Result<Self> {
        let pool = POOL
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .context("no device environment: start scenarios through atconform::runner")?;
        let next = async { pool.free.lock().await.recv().await };
        let index = tokio::time::timeout(LEASE_WAIT, next)
            .await
            .map_err(|_| {
                anyhow::anyhow!("no device came free within {LEASE_WAIT:?}: every device is held by a running scenario")
            })?
            .context("the device pool was closed")?;
        Ok(Self { pool, index })
    }

    fn env(&self) -> Arc<Environment> {
        self.pool.benches[self.index].clone()
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let _ = self.pool.release.send(self.index); // the pool holds the receiver as long as a lease lives
    }
}

/// Per-scenario state.
#[derive(Debug, cucumber::World)]
#[world(init = Self::new)]
pub struct AtWorld {
    /// The bench this scenario runs on: its device, broker and control channel.
    pub env: Arc<Environment>,
    /// Where this scenario's part of the serial transcript starts.
    pub transcript_mark: usize,
    /// Where this scenario's broker observations start.
    pub observation_mark: usize,
    /// A response already read and not yet checked by a `Then the device answers` step.
    pub last_response: Option<Response>,
    /// Returns the bench to the pool when the scenario's World is dropped.
    _lease: Lease,
}

impl AtWorld {
    async fn new() -> anyhow::Result<Self> {
        let lease = Lease::take().await?;
        let env = lease.env();
        let observation_mark = env.broker.log.mark();
        let transcript_mark = env.device.try_lock().map(|d| d.transcript().mark()).unwrap_or(0);
        Ok(Self { env, transcript_mark, observation_mark, last_response: None, _lease: lease })
    }

    /// Expands placeholders in feature-file text.
    pub fn expand(&self, text: &str) -> anyhow::Result<String> {
        Ok(self.env.vars.expand(text)?)
    }

    /// What this scenario's bench broker observed so far, one line each.
    pub fn observations(&self) -> String {
        let seen = self.env.broker.log.since(self.observation_mark);
        let line = |o: &crate::broker::observations::Observed| {
            let client = o.client_id.as_deref().unwrap_or("?");
            format!("#{} connection {} ({client}): {}", o.seq, o.connection, o.what)
        };
        seen.iter().map(line).collect::<Vec<_>>().join("\n")
    }

    /// This scenario's serial transcript so far.
    pub async fn transcript(&self) -> String {
        self.env.device.lock().await.transcript().render_since(self.transcript_mark)
    }
}
