//! How the scenarios of one dialect ended: one record per scenario (a retry replaces its
//! earlier attempt); the counts are read off the records.

use std::sync::Mutex;

use cucumber::event::ScenarioFinished;

use crate::report::{ScenarioOutcome, ScenarioRecord};

/// How the scenarios of one dialect ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Every scenario that ran, one record each, in the order they ended.
    pub scenarios: Vec<ScenarioRecord>,
}

impl Tally {
    /// How many scenarios ended this way.
    pub fn count(&self, outcome: ScenarioOutcome) -> usize {
        self.scenarios.iter().filter(|s| s.outcome == outcome).count()
    }

    /// `feature: scenario` of each scenario that did not plainly pass.
    pub fn not_passed(&self) -> impl Iterator<Item = String> + '_ {
        self.scenarios.iter().filter(|s| !s.passed()).map(|s| format!("{}: {}", s.feature, s.name))
    }
}

pub(crate) fn outcome_of(finished: &ScenarioFinished) -> ScenarioOutcome {
    match finished {
        ScenarioFinished::StepPassed => ScenarioOutcome::Passed,
        ScenarioFinished::StepSkipped => ScenarioOutcome::Skipped,
        ScenarioFinished::StepFailed(..) | ScenarioFinished::BeforeHookFailed(..) => ScenarioOutcome::Failed,
    }
}

pub(crate) fn failure_message(finished: &ScenarioFinished) -> Option<String> {
    match finished {
        ScenarioFinished::StepFailed(_, _, error) => Some(error.to_string()),
        ScenarioFinished::BeforeHookFailed(info) => Some(format!("a before hook failed: {info:?}")),
        ScenarioFinished::StepSkipped => Some("a step matches no step definition".into()),
        ScenarioFinished::StepPassed => None,
    }
}

pub(crate) fn record(tally: &Mutex<Tally>, mut scenario: ScenarioRecord) {
    let mut tally = tally.lock().expect("tally lock");
    // A retry of a scenario that already ended: it replaces the earlier attempt's record.
    if let Some(i) = tally.scenarios.iter().position(|s| s.key() == scenario.key()) {
        let earlier = tally.scenarios.remove(i);
        scenario.attempts = earlier.attempts + 1;
        if scenario.outcome == ScenarioOutcome::Passed {
            scenario.outcome = ScenarioOutcome::PassedOnRetry;
            // Keep why the earlier attempt failed: that is what a flaky scenario needs looked at.
            scenario.message = earlier.message.map(|m| format!("an earlier attempt failed: {m}"));
            scenario.transcript = earlier.transcript;
            scenario.observations = earlier.observations;
        }
    }
    tally.scenarios.push(scenario);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Dialect;

    #[test]
    fn a_retry_replaces_the_earlier_attempt_and_a_late_pass_is_not_a_plain_pass() {
        let tally = Mutex::new(Tally::default());
        let attempt = |outcome| ScenarioRecord::blank(Dialect::Esp32, "F", "s", outcome);
        let mut failed = attempt(ScenarioOutcome::Failed);
        failed.message = Some("no OK".into());
        record(&tally, failed.clone());
        record(&tally, failed);
        record(&tally, attempt(ScenarioOutcome::Passed));
        let tally = tally.into_inner().unwrap();
        let count = |o| tally.count(o);
        assert_eq!((count(ScenarioOutcome::Passed), count(ScenarioOutcome::Failed)), (0, 0));
        assert_eq!(count(ScenarioOutcome::PassedOnRetry), 1);
        assert_eq!(tally.scenarios.len(), 1);
        assert_eq!(tally.scenarios[0].attempts, 3);
        assert_eq!(tally.scenarios[0].message.as_deref(), Some("an earlier attempt failed: no OK"));
        assert_eq!(tally.not_passed().collect::<Vec<_>>(), ["F: s"]); // once: a flaky scenario is no plain pass
    }
}
