//! The summary printed at the end of a run: one line per dialect, and error-code coverage.

use std::path::Path;

use super::tally::Tally;
use super::DialectOutcome;
use crate::coverage::{CodeCoverage, ErrorCodeTable};
use crate::report::{ScenarioOutcome, ScenarioRecord};
use crate::selection::Exclusion;

/// States how many codes of the table passing scenarios exercised, and which they missed.
pub(crate) fn print_code_coverage(table: &Path, outcomes: &[DialectOutcome]) {
    let table = match ErrorCodeTable::load(table) {
        Ok(t) => t,
        Err(e) => return println!("error-code coverage: {e}"),
    };
    let coverage = CodeCoverage::compute(&table, outcomes.iter().map(|o| (o.dialect, &o.tally.scenarios[..])));
    println!(
        "error codes exercised by passing scenarios: {} of {} ({} only through the virtual firmware's fault injection)",
        coverage.covered.len(),
        table.codes.len(),
        coverage.virtual_only().len()
    );
    for code in &coverage.missing {
        println!("         not exercised: 0x{:04x} {}", code.code, code.name);
    }
}

/// One line per dialect: what ran, what passed, what was left out and why.
pub(crate) fn print_summary(outcomes: &[DialectOutcome]) {
    println!("\n== atconform summary");
    for o in outcomes {
        let excluded = [Exclusion::OtherDialect, Exclusion::VirtualOnly, Exclusion::NotSelected]
            .iter()
            .filter(|why| o.exclusions.count(**why) > 0)
            .map(|why| format!("{} {}", o.exclusions.count(*why), why.label()))
            .collect::<Vec<_>>();
        let excluded = if excluded.is_empty() { "none".to_string() } else { excluded.join(", ") };
        match &o.setup_error {
            Some(e) => println!("{:<8} not run: {e}", o.dialect.name()),
            None => println!(
                "{:<8} {} passed, {} failed, {} with unknown steps{}; excluded: {excluded}; {:.1} s",
                o.dialect.name(),
                o.tally.count(ScenarioOutcome::Passed),
                o.tally.count(ScenarioOutcome::Failed),
                o.tally.count(ScenarioOutcome::Skipped),
                waiver_counts(&o.tally),
                o.elapsed.as_secs_f64()
            ),
        }
        for error in &o.device_errors {
            println!("         {error}");
        }
        for (device, count) in scenarios_per_device(&o.tally.scenarios) {
            println!("         {device} ran {count} scenarios");
        }
        for name in o.tally.not_passed() {
            println!("         not passed: {name}");
        }
        for path in &o.reports {
            println!("         report: {}", path.display());
        }
    }
}

/// ", N waived, M waivers unexpectedly passed" when a board waives deviations, and
/// ", N passed on retry" when retries were needed.
pub(crate) fn waiver_counts(tally: &Tally) -> String {
    let mut text = String::new();
    let (waived, waivers_passed) = (tally.count(ScenarioOutcome::Waived), tally.count(ScenarioOutcome::WaiverPassed));
    if waived + waivers_passed > 0 {
        text = format!(", {waived} waived, {waivers_passed} waivers unexpectedly passed");
    }
    let passed_on_retry = tally.count(ScenarioOutcome::PassedOnRetry);
    if passed_on_retry > 0 {
        text.push_str(&format!(", {passed_on_retry} passed on retry"));
    }
    text
}

/// How many scenarios each device ran, in device order.
pub(crate) fn scenarios_per_device(scenarios: &[ScenarioRecord]) -> Vec<(String, usize)> {
    let mut per_device = std::collections::BTreeMap::<String, usize>::new();
    for s in scenarios {
        *per_device.entry(s.device.clone().unwrap_or_else(|| "(no device)".into())).or_default() += 1;
    }
    per_device.into_iter().collect()
}
