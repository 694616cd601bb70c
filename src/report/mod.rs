//! What a run produced, as data: one record per scenario and dialect (run or excluded),
//! and the report files made from it — cucumber JSON carrying these records
//! ([`cucumber_json`]), the HTML conformance matrix ([`html`]) and run diffs ([`diff`]).

pub mod cucumber_json;
pub mod diff;
pub mod html;
pub mod spec_items;

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::dialect::Dialect;
use crate::selection::{Exclusion, VIRTUAL_ONLY_TAG};

fn one() -> u32 {
    1
}

/// How a scenario ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioOutcome {
    /// Every step passed.
    Passed,
    /// A step or hook failed.
    Failed,
    /// A step had no definition.
    Skipped,
    /// Not run: another dialect's, virtual only on a board, or not selected.
    Excluded,
    /// Failed, as the deviation the board's profile waives predicts.
    Waived,
    /// Passed although the board's profile waives it: the waiver may be stale.
    WaiverPassed,
    /// Failed, then passed when run again (`--retry`): flaky, not a plain pass.
    PassedOnRetry,
}

impl ScenarioOutcome {
    /// How reports name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Failed => "failed",
            Self::Skipped => "unknown step",
            Self::Excluded => "excluded",
            Self::Waived => "waived",
            Self::WaiverPassed => "waiver unexpectedly passed",
            Self::PassedOnRetry => "passed on retry",
        }
    }
}

/// One scenario of one dialect, run or excluded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioRecord {
    /// The dialect it was run (or excluded) for.
    pub dialect: Dialect,
    /// Its feature's name.
    pub feature: String,
    /// Its name (an outline's rows share it; `line` tells them apart).
    pub name: String,
    /// Its line in the feature file (an outline row's own line).
    pub line: usize,
    /// Every tag that applied (feature, rule, scenario, examples), without `@`.
    pub tags: Vec<String>,
    /// Its steps' text, doc strings and table cells, one per line.
    pub text: String,
    /// How it ended.
    pub outcome: ScenarioOutcome,
    /// Why it was excluded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded: Option<String>,
    /// The device it ran on, e.g. `esp32#2 (/dev/pts/7)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// How many times it ran (more than 1 after `--retry`).
    #[serde(default = "one")]
    pub attempts: u32,
    /// The failure message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The scenario's whole timestamped serial transcript (kept for failures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
    /// What the broker observed during the scenario (kept for failures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observations: Option<String>,
}

impl ScenarioRecord {
    /// A record with only its identity and outcome.
    pub fn blank(dialect: Dialect, feature: &str, name: &str, outcome: ScenarioOutcome) -> Self {
        Self {
            dialect,
            feature: feature.to_string(),
            name: name.to_string(),
            line: 0,
            tags: Vec::new(),
            text: String::new(),
            outcome,
            attempts: 1,
            excluded: None,
            device: None,
            message: None,
            transcript: None,
            observations: None,
        }
    }

    /// The record of a cucumber scenario (tags and step text filled in).
    pub fn new(
        dialect: Dialect,
        feature: &cucumber::gherkin::Feature,
        rule: Option<&cucumber::gherkin::Rule>,
        scenario: &cucumber::gherkin::Scenario,
        outcome: ScenarioOutcome,
    ) -> Self {
        let tags = feature.tags.iter().chain(rule.iter().flat_map(|r| &r.tags)).chain(&scenario.tags);
        let tags = tags.map(|t| t.trim_start_matches('@').to_string()).collect();
        let mut text = String::new();
        for step in &scenario.steps {
            text.push_str(&step.value);
            text.push('\n');
            if let Some(doc) = &step.docstring {
                text.push_str(doc);
                text.push('\n');
            }
            for row in step.table.iter().flat_map(|t| &t.rows) {
                text.push_str(&row.join(" | "));
                text.push('\n');
            }
        }
        Self {
            line: scenario.position.line,
            tags,
            text,
            ..Self::blank(dialect, &feature.name, &scenario.name, outcome)
        }
    }

    /// The record of a scenario left out of the run.
    pub fn excluded(mut self, why: Exclusion) -> Self {
        self.outcome = ScenarioOutcome::Excluded;
        self.excluded = Some(why.label().to_string());
        self
    }

    /// Applies a board's waiver: a failure becomes waived, a pass is flagged.
    pub fn waive(&mut self) {
        self.outcome = match self.outcome {
            ScenarioOutcome::Failed | ScenarioOutcome::Skipped => ScenarioOutcome::Waived,
            ScenarioOutcome::Passed => ScenarioOutcome::WaiverPassed,
            other => other,
        };
    }

    /// Whether every step passed (and no waiver applied).
    pub fn passed(&self) -> bool {
        self.outcome == ScenarioOutcome::Passed
    }

    /// The identity a diff matches on: dialect, feature, name and line.
    pub fn key(&self) -> (Dialect, String, String, usize) {
        (self.dialect, self.feature.clone(), self.name.clone(), self.line)
    }

    /// The ESP-AT error codes this scenario exercises: an expected `ERR CODE:0x010a60xx`
    /// line, or a `@code_60xx` tag for a code that prints no such line.
    pub fn codes(&self) -> BTreeSet<u16> {
        static LINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)ERR CODE:0x010a([0-9a-f]{4})").unwrap());
        static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)^code_([0-9a-f]{4})$").unwrap());
        let from_lines = LINE.captures_iter(&self.text).map(|c| c[1].to_string());
        let from_tags = self.tags.iter().filter_map(|t| TAG.captures(t).map(|c| c[1].to_string()));
        from_lines.chain(from_tags).filter_map(|hex| u16::from_str_radix(&hex, 16).ok()).collect()
    }

    /// Whether it needs the virtual firmware's fault injection.
    pub fn virtual_only(&self) -> bool {
        self.tags.iter().any(|t| t == VIRTUAL_ONLY_TAG)
    }

    /// The command family it belongs to: its feature's first tag that is not a dialect or marker tag.
    pub fn family(&self) -> String {
        const MARKERS: [&str; 4] = ["virtual_only", "deviation", "doc_derived", "slow"];
        self.tags
            .iter()
            .find(|t| Dialect::from_tag(t).is_none() && !MARKERS.contains(&t.as_str()) && !t.starts_with("code_"))
            .cloned()
            .unwrap_or_else(|| self.feature.clone())
    }
}
