//! Which scenarios a run takes, and a record of the ones it leaves out and why.
//!
//! Exclusions are results too: a report shows a scenario left out for another
//! dialect, or as virtual only on a board, as excluded — never as passed.

use std::sync::{Arc, Mutex};

use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::tag::Ext as _;

use crate::dialect::Dialect;
use crate::report::ScenarioRecord;

/// The tag of scenarios that need the virtual firmware's fault-injection channel.
pub const VIRTUAL_ONLY_TAG: &str = "virtual_only";

/// Why a scenario does not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exclusion {
    /// Its dialect tags name other dialects.
    OtherDialect,
    /// It needs the virtual firmware (`@virtual_only`) and the device is a board.
    VirtualOnly,
    /// `--tags` or `--name` left it out.
    NotSelected,
}

impl Exclusion {
    /// How reports name this reason.
    pub fn label(self) -> &'static str {
        match self {
            Self::OtherDialect => "other dialect",
            Self::VirtualOnly => "virtual only",
            Self::NotSelected => "not selected",
        }
    }
}

/// The rules that pick the scenarios of one dialect's run.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The dialect being run.
    pub dialect: Dialect,
    /// True when the device is a board: `@virtual_only` scenarios are excluded.
    pub on_board: bool,
    /// The user's `--tags` expression.
    pub tags: Option<TagOperation>,
    /// The user's `--name` pattern.
    pub name: Option<regex::Regex>,
    /// Tags (without `@`) of the deviations the board waives: their scenarios still run, and a
    /// failure shows as waived, a pass as a waiver that unexpectedly passed.
    pub waived: Vec<String>,
}

impl Selection {
    /// Whether the board waives one of these tags (both without `@`, as records and profiles keep them).
    pub fn waives<S: AsRef<str>>(&self, tags: &[S]) -> bool {
        tags.iter().any(|t| self.waived.iter().any(|w| w == t.as_ref()))
    }

    /// `None` when the scenario runs, otherwise why not.
    pub fn exclusion<S: AsRef<str>>(&self, tags: &[S], scenario_name: &str) -> Option<Exclusion> {
        let bare: Vec<&str> = tags.iter().map(|t| t.as_ref().strip_prefix('@').unwrap_or(t.as_ref())).collect();
        if !self.dialect.applies_to(&bare) {
            return Some(Exclusion::OtherDialect);
        }
        if self.on_board && bare.contains(&VIRTUAL_ONLY_TAG) {
            return Some(Exclusion::VirtualOnly);
        }
        let tags_ok = self.tags.as_ref().is_none_or(|op| op.eval(bare.iter()));
        let name_ok = self.name.as_ref().is_none_or(|re| re.is_match(scenario_name));
        (!(tags_ok && name_ok)).then_some(Exclusion::NotSelected)
    }
}

/// The scenarios a run left out, with why; shared with the cucumber filter.
#[derive(Debug, Clone, Default)]
pub struct Exclusions(Arc<Mutex<Vec<(Exclusion, ScenarioRecord)>>>);

impl Exclusions {
    /// Records one left-out scenario.
    pub fn record(&self, why: Exclusion, scenario: ScenarioRecord) {
        self.0.lock().expect("exclusions lock").push((why, scenario.excluded(why)));
    }

    /// How many scenarios were left out for this reason.
    pub fn count(&self, why: Exclusion) -> usize {
        self.0.lock().expect("exclusions lock").iter().filter(|(w, _)| *w == why).count()
    }

    /// Every left-out scenario's record.
    pub fn records(&self) -> Vec<ScenarioRecord> {
        self.0.lock().expect("exclusions lock").iter().map(|(_, r)| r.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selection(on_board: bool, tags: Option<&str>) -> Selection {
        Selection {
            dialect: Dialect::W800,
            on_board,
            tags: tags.map(|t| t.parse().unwrap()),
            name: None,
            waived: vec![],
        }
    }

    #[test]
    fn waived_scenarios_still_run_and_are_recognised_by_their_tags() {
        let s = Selection { waived: vec!["esp_at_453".into()], ..selection(true, Some("@sub")) };
        assert_eq!(s.exclusion(&["sub", "deviation", "esp_at_453"], "x"), None);
        assert!(s.waives(&["sub", "esp_at_453"]));
        assert!(!s.waives(&["sub", "deviation"]));
        assert_eq!(s.exclusion(&["esp32", "esp_at_453"], "x"), Some(Exclusion::OtherDialect));
    }

    #[test]
    fn a_scenario_for_another_dialect_is_excluded_as_such() {
        let s = selection(false, None);
        assert_eq!(s.exclusion(&["esp32", "pub"], "x"), Some(Exclusion::OtherDialect));
        assert_eq!(s.exclusion(&["w800", "pub"], "x"), None);
        assert_eq!(s.exclusion(&["pub"], "x"), None);
    }

    #[test]
    fn virtual_only_scenarios_are_excluded_on_a_board_only() {
        assert_eq!(selection(true, None).exclusion(&["virtual_only"], "x"), Some(Exclusion::VirtualOnly));
        assert_eq!(selection(false, None).exclusion(&["virtual_only"], "x"), None);
    }

    #[test]
    fn the_tag_expression_sees_every_tag() {
        let s = selection(false, Some("@pub and not @slow"));
        assert_eq!(s.exclusion(&["pub"], "x"), None);
        assert_eq!(s.exclusion(&["pub", "slow"], "x"), Some(Exclusion::NotSelected));
        assert_eq!(s.exclusion(&["sub"], "x"), Some(Exclusion::NotSelected));
    }
}
