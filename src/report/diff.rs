//! `atconform report diff OLD.json NEW.json`: what a new firmware build broke, fixed, or newly excludes.

use std::collections::BTreeMap;
use std::fmt;

use super::{ScenarioOutcome, ScenarioRecord};
use crate::dialect::Dialect;

/// One scenario whose outcome differs between two runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The dialect.
    pub dialect: Dialect,
    /// `feature: scenario (line N)`.
    pub scenario: String,
    /// The old outcome (`None`: not in the old run).
    pub old: Option<ScenarioOutcome>,
    /// The new outcome (`None`: not in the new run).
    pub new: Option<ScenarioOutcome>,
}

/// The differences between two runs, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// Passed before, fails now; or new and failing.
    pub broke: Vec<Change>,
    /// Failed before, passes now.
    pub fixed: Vec<Change>,
    /// Ran before, excluded now.
    pub newly_excluded: Vec<Change>,
    /// Excluded before, runs now.
    pub newly_run: Vec<Change>,
    /// In the new run only (and not failing).
    pub added: Vec<Change>,
    /// In the old run only.
    pub removed: Vec<Change>,
    /// Any other change of outcome (e.g. into or out of a waiver).
    pub changed: Vec<Change>,
}

impl Diff {
    /// Compares two runs' records, scenario by scenario.
    pub fn between(old: &[ScenarioRecord], new: &[ScenarioRecord]) -> Self {
        let index =
            |records: &[ScenarioRecord]| -> BTreeMap<_, _> { records.iter().map(|r| (r.key(), r.outcome)).collect() };
        let (old, new) = (index(old), index(new));
        let mut diff = Diff::default();
        for key in old.keys().chain(new.keys()).collect::<std::collections::BTreeSet<_>>() {
            let (o, n) = (old.get(key).copied(), new.get(key).copied());
            let change =
                Change { dialect: key.0, scenario: format!("{}: {} (line {})", key.1, key.2, key.3), old: o, new: n };
            if let Some(list) = diff.bucket(o, n) {
                list.push(change);
            }
        }
        diff
    }

    fn bucket(&mut self, old: Option<ScenarioOutcome>, new: Option<ScenarioOutcome>) -> Option<&mut Vec<Change>> {
        use ScenarioOutcome::*;
        let failing = |x: ScenarioOutcome| matches!(x, Failed | Skipped);
        match (old, new) {
            (Some(o), Some(n)) if o == n => None,
            (Some(Passed), Some(n)) if failing(n) => Some(&mut self.broke),
            (None, Some(n)) if failing(n) => Some(&mut self.broke),
            (Some(o), Some(Passed)) if failing(o) => Some(&mut self.fixed),
            (Some(_), Some(Excluded)) => Some(&mut self.newly_excluded),
            (Some(Excluded), Some(_)) => Some(&mut self.newly_run),
            (None, Some(_)) => Some(&mut self.added),
            (Some(_), None) => Some(&mut self.removed),
            (Some(o), Some(n)) if failing(o) && failing(n) => None, // failed ↔ unknown step: still failing
            _ => Some(&mut self.changed),
        }
    }

    /// True when the new run broke something the old one passed (or a new scenario fails).
    pub fn is_regression(&self) -> bool {
        !self.broke.is_empty()
    }
}

impl fmt::Display for Diff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sections = [
            ("broke", &self.broke),
            ("fixed", &self.fixed),
            ("newly excluded", &self.newly_excluded),
            ("newly run", &self.newly_run),
            ("added", &self.added),
            ("removed", &self.removed),
            ("other changes", &self.changed),
        ];
        for (title, changes) in sections {
            writeln!(f, "{title}: {}", changes.len())?;
            for c in changes {
                let show = |o: Option<ScenarioOutcome>| o.map_or("absent", ScenarioOutcome::label);
                writeln!(f, "  [{}] {}: {} -> {}", c.dialect, c.scenario, show(c.old), show(c.new))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(name: &str, outcome: ScenarioOutcome) -> ScenarioRecord {
        ScenarioRecord::blank(Dialect::Esp32, "F", name, outcome)
    }

    #[test]
    fn a_pass_turned_failure_is_a_regression_and_a_failure_turned_pass_is_a_fix() {
        use ScenarioOutcome::*;
        let old = [rec("a", Passed), rec("b", Failed), rec("c", Passed), rec("d", Passed)];
        let new = [rec("a", Failed), rec("b", Passed), rec("c", Excluded), rec("d", Passed), rec("e", Passed)];
        let diff = Diff::between(&old, &new);
        assert!(diff.is_regression());
        assert_eq!(diff.broke.len(), 1);
        assert_eq!(diff.fixed.len(), 1);
        assert_eq!(diff.newly_excluded.len(), 1);
        assert_eq!(diff.added.len(), 1);
        assert!(diff.to_string().contains("[esp32] F: a (line 0): passed -> failed"));
    }

    #[test]
    fn identical_runs_differ_in_nothing() {
        let old = [rec("a", ScenarioOutcome::Passed)];
        assert_eq!(Diff::between(&old, &old), Diff::default());
    }
}
