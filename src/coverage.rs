//! Error-code coverage: which codes of the project's table (`fixtures/error_codes.toml`)
//! the passing scenarios of a run exercised.
//!
//! A scenario exercises a code when its steps (text, doc strings, tables) expect the
//! line `ERR CODE:0x010a60xx`, or, for a code that prints no such line (the shipped
//! firmware's `*_IS_NULL` warnings), when it carries the tag `@code_60xx`.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::dialect::Dialect;
use crate::report::ScenarioRecord;

/// What can go wrong reading the table.
#[derive(Debug, thiserror::Error)]
pub enum CoverageError {
    /// The file could not be read.
    #[error("cannot read the error-code table {path}: {source}")]
    Read {
        /// The table's path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not a valid table.
    #[error("the error-code table {path} is malformed: {source}")]
    Parse {
        /// The table's path.
        path: PathBuf,
        /// The underlying error.
        source: toml::de::Error,
    },
}

/// One error code of the table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorCode {
    /// The code, e.g. 0x6001.
    pub code: u16,
    /// Its name, e.g. `AT_MQTT_NO_CONFIGURED`.
    pub name: String,
}

/// The project's error-code table.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorCodeTable {
    /// Every code, in table order.
    #[serde(rename = "code")]
    pub codes: Vec<ErrorCode>,
}

impl ErrorCodeTable {
    /// Reads a table like `fixtures/error_codes.toml`.
    pub fn load(path: &Path) -> Result<Self, CoverageError> {
        load_toml(path)
    }
}

/// Reads one of the project's TOML tables (`fixtures/*.toml`).
pub fn load_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, CoverageError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| CoverageError::Read { path: path.to_path_buf(), source })?;
    toml::from_str(&text).map_err(|source| CoverageError::Parse { path: path.to_path_buf(), source })
}

/// Which passing scenarios exercised each code of a table.
#[derive(Debug, Clone, Default)]
pub struct CodeCoverage {
    /// Code → (dialect, `feature: scenario`, virtual only) of each passing scenario that exercised it.
    pub covered: BTreeMap<u16, Vec<(Dialect, String, bool)>>,
    /// Codes of the table that no passing scenario exercised.
    pub missing: Vec<ErrorCode>,
}

impl CodeCoverage {
    /// Matches a table against the scenarios each dialect ran.
    pub fn compute<'a>(
        table: &ErrorCodeTable,
        runs: impl IntoIterator<Item = (Dialect, &'a [ScenarioRecord])>,
    ) -> Self {
        let mut covered: BTreeMap<u16, Vec<(Dialect, String, bool)>> = BTreeMap::new();
        for (dialect, scenarios) in runs {
            for s in scenarios.iter().filter(|s| s.passed()) {
                for code in s.codes() {
                    let entry = (dialect, format!("{}: {}", s.feature, s.name), s.virtual_only());
                    covered.entry(code).or_default().push(entry);
                }
            }
        }
        let missing = table.codes.iter().filter(|c| !covered.contains_key(&c.code)).cloned().collect();
        covered.retain(|code, _| table.codes.iter().any(|c| c.code == *code));
        Self { covered, missing }
    }

    /// Codes whose every covering scenario needs the virtual firmware.
    pub fn virtual_only(&self) -> Vec<u16> {
        self.covered.iter().filter(|(_, by)| by.iter().all(|(_, _, v)| *v)).map(|(c, _)| *c).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ScenarioOutcome;

    fn record(text: &str, tags: &[&str], passed: bool) -> ScenarioRecord {
        let outcome = if passed { ScenarioOutcome::Passed } else { ScenarioOutcome::Failed };
        ScenarioRecord {
            tags: tags.iter().map(|t| t.to_string()).collect(),
            text: text.into(),
            ..ScenarioRecord::blank(Dialect::Esp32, "f", "s", outcome)
        }
    }

    fn table() -> ErrorCodeTable {
        toml::from_str("[[code]]\ncode = 0x6001\nname = \"A\"\n[[code]]\ncode = 0x6015\nname = \"B\"\n").unwrap()
    }

    #[test]
    fn codes_come_from_err_code_lines_and_code_tags() {
        let r = record("the device answers:\nERR CODE:0x010a6001\nERROR\n", &["code_6015", "conn"], true);
        assert_eq!(r.codes().into_iter().collect::<Vec<_>>(), vec![0x6001, 0x6015]);
    }

    #[test]
    fn only_passing_scenarios_cover_a_code() {
        let runs = [record("ERR CODE:0x010a6001", &[], false), record("", &["code_6015", "virtual_only"], true)];
        let cov = CodeCoverage::compute(&table(), [(Dialect::Esp32, &runs[..])]);
        assert_eq!(cov.missing.iter().map(|c| c.code).collect::<Vec<_>>(), vec![0x6001]);
        assert_eq!(cov.virtual_only(), vec![0x6015]);
    }
}
