//! Spec coverage: the items of the specs (`fixtures/spec_items.toml`) and which of them the
//! passing scenarios of a run exercised.

use std::path::Path;

use serde::Deserialize;

use super::ScenarioRecord;
use crate::coverage::CoverageError;
use crate::dialect::Dialect;

/// One normative item: a command form, a response or URC, or a limit.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SpecItem {
    /// What it is, e.g. `AT+MQTTCONN? query`.
    pub id: String,
    /// `command`, `response`, `urc` or `limit`.
    pub kind: String,
    /// Literal texts that must all appear in passing scenarios' names or steps.
    pub needles: Vec<String>,
    /// The dialects it belongs to; empty = all.
    #[serde(default)]
    pub dialects: Vec<Dialect>,
}

/// The spec items of a project.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SpecItems {
    /// Every item, in file order.
    #[serde(rename = "item", default)]
    pub items: Vec<SpecItem>,
}

impl SpecItems {
    /// Reads `fixtures/spec_items.toml`.
    pub fn load(path: &Path) -> Result<Self, CoverageError> {
        crate::coverage::load_toml(path)
    }
}

/// Whether an item was exercised for one dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemCoverage {
    /// The item does not belong to this dialect.
    NotApplicable,
    /// Some passing scenarios of the dialect contain every needle.
    Exercised,
    /// The dialect ran, but no passing scenario contains every needle.
    Missed,
}

impl SpecItem {
    /// Whether the dialect's passing scenarios exercised this item.
    pub fn coverage(&self, dialect: Dialect, records: &[ScenarioRecord]) -> ItemCoverage {
        if !self.dialects.is_empty() && !self.dialects.contains(&dialect) {
            return ItemCoverage::NotApplicable;
        }
        let passing: Vec<&ScenarioRecord> = records.iter().filter(|r| r.dialect == dialect && r.passed()).collect();
        let seen = |needle: &String| {
            passing.iter().any(|r| r.name.contains(needle.as_str()) || r.text.contains(needle.as_str()))
        };
        if self.needles.iter().all(seen) {
            ItemCoverage::Exercised
        } else {
            ItemCoverage::Missed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ScenarioOutcome;

    #[test]
    fn an_item_needs_every_needle_in_passing_scenarios_of_its_dialects() {
        let item = SpecItem {
            id: "topic 128".into(),
            kind: "limit".into(),
            needles: vec!["{128 x".into(), "{129 x".into()],
            dialects: vec![Dialect::Esp32],
        };
        let mut a = ScenarioRecord::blank(Dialect::Esp32, "F", "a", ScenarioOutcome::Passed);
        a.text = "AT+MQTTPUB=0,\"{128 x 't'}\"".into();
        let mut b = ScenarioRecord::blank(Dialect::Esp32, "F", "b", ScenarioOutcome::Failed);
        b.text = "AT+MQTTPUB=0,\"{129 x 't'}\"".into();
        assert_eq!(item.coverage(Dialect::Esp32, &[a.clone(), b.clone()]), ItemCoverage::Missed);
        b.outcome = ScenarioOutcome::Passed;
        assert_eq!(item.coverage(Dialect::Esp32, &[a, b]), ItemCoverage::Exercised);
        assert_eq!(item.coverage(Dialect::W800, &[]), ItemCoverage::NotApplicable);
    }
}
