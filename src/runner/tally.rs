//! How the scenarios of one dialect ended: counts, and one record per scenario (a retry
//! replaces its earlier attempt).

use std::sync::Mutex;

use cucumber::event::ScenarioFinished;

use crate::report::{ScenarioOutcome, ScenarioRecord};

/// How many scenarios of one dialect ended which way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Every step passed.
    pub passed: usize,
    /// A step or hook failed.
    pub failed: usize,
    /// A step had no definition (counted as a failure of the run too).
    pub skipped: usize,
    /// Failed as a deviation the board waives (not a failure of the run).
    pub waived: usize,
    /// Passed although waived: flagged, the waiver may be stale.
    pub waivers_passed: usize,
    /// Failed, then passed on a retry.
    pub passed_on_retry: usize,
    /// `feature: scenario` of each failed or skipped scenario.
    pub not_passed: Vec<String>,
    /// Every scenario that ran, for coverage.
    pub scenarios: Vec<ScenarioRecord>,
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
        tally.forget(&earlier);
        scenario.attempts = earlier.attempts + 1;
        if scenario.outcome == ScenarioOutcome::Passed {
            scenario.outcome = ScenarioOutcome::PassedOnRetry;
            // Keep why the earlier attempt failed: that is what a flaky scenario needs looked at.
            scenario.message = earlier.message.map(|m| format!("an earlier attempt failed: {m}"));
            scenario.transcript = earlier.transcript;
            scenario.observations = earlier.observations;
        }
    }
    match scenario.outcome {
        ScenarioOutcome::Passed => tally.passed += 1,
        ScenarioOutcome::Skipped => tally.skipped += 1,
        ScenarioOutcome::Failed => tally.failed += 1,
        ScenarioOutcome::Waived => tally.waived += 1,
        ScenarioOutcome::WaiverPassed => tally.waivers_passed += 1,
        ScenarioOutcome::PassedOnRetry => tally.passed_on_retry += 1,
        ScenarioOutcome::Excluded => {}
    }
    if !scenario.passed() {
        tally.not_passed.push(format!("{}: {}", scenario.feature, scenario.name));
    }
    tally.scenarios.push(scenario);
}

impl Tally {
    /// Takes back the counts of a record that a retry replaces.
    fn forget(&mut self, earlier: &ScenarioRecord) {
        let counter = match earlier.outcome {
            ScenarioOutcome::Passed => &mut self.passed,
            ScenarioOutcome::Failed => &mut self.failed,
            ScenarioOutcome::Skipped => &mut self.skipped,
            ScenarioOutcome::Waived => &mut self.waived,
            ScenarioOutcome::WaiverPassed => &mut self.waivers_passed,
            ScenarioOutcome::PassedOnRetry => &mut self.passed_on_retry,
            ScenarioOutcome::Excluded => return,
        };
        *counter = counter.saturating_sub(1);
        let name = format!("{}: {}", earlier.feature, earlier.name);
        if let Some(i) = self.not_passed.iter().position(|n| *n == name) {
            self.not_passed.remove(i);
        }
    }
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
        assert_eq!((tally.passed, tally.failed, tally.passed_on_retry), (0, 0, 1));
        assert_eq!(tally.scenarios.len(), 1);
        assert_eq!(tally.scenarios[0].attempts, 3);
        assert_eq!(tally.scenarios[0].message.as_deref(), Some("an earlier attempt failed: no OK"));
        assert_eq!(tally.not_passed, ["F: s"]); // listed once: a flaky scenario is not a plain pass
    }
}
