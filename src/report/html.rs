//! The self-contained HTML conformance report: a matrix of command families × dialects
//! (and schemes × dialects), counts, spec coverage, and for every failure its serial
//! transcript and broker observations. No scripts, no external resources.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::LazyLock;

use regex::Regex;

use super::spec_items::{ItemCoverage, SpecItems};
use super::{ScenarioOutcome, ScenarioRecord};
use crate::coverage::{CodeCoverage, ErrorCodeTable};
use crate::dialect::Dialect;

/// What the report is made from.
#[derive(Debug, Clone, Copy)]
pub struct HtmlInput<'a> {
    /// The report's heading, e.g. the run's date or firmware build.
    pub title: &'a str,
    /// Every scenario record of the run (all dialects).
    pub records: &'a [ScenarioRecord],
    /// The error-code table, when there is one.
    pub codes: Option<&'a ErrorCodeTable>,
    /// The spec items, when there are some.
    pub items: Option<&'a SpecItems>,
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
th{background:#f3f3f3}.pass{background:#d8f5d8}.fail{background:#f8d0d0}.excl{background:#eee;color:#666}
.miss{background:#fde9c8}.waiv{background:#fff3b0}.na{color:#aaa}pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:12px}
details{margin:.5em 0}summary{cursor:pointer;font-weight:600}h2{margin-top:2em}";

/// Renders the whole report.
pub fn render(input: HtmlInput<'_>) -> String {
    let dialects: Vec<Dialect> = input.records.iter().map(|r| r.dialect).collect::<BTreeSet<_>>().into_iter().collect();
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title><style>{STYLE}</style>\
         </head><body><h1>{0}</h1>",
        esc(input.title)
    );
    html.push_str(&totals(input.records, &dialects));
    html.push_str(&matrix("Command families", input.records, &dialects, |r| Some(r.family())));
    html.push_str(&matrix("Schemes", input.records, &dialects, scheme_of));
    html.push_str(&coverage(input, &dialects));
    html.push_str(&failures(input.records));
    html.push_str(&exclusions(input.records, &dialects));
    html.push_str("</body></html>\n");
    html
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[derive(Default, Clone, Copy)]
struct Counts {
    passed: usize,
    failed: usize,
    excluded: usize,
    waived: usize,
    waivers_passed: usize,
    passed_on_retry: usize,
}

impl Counts {
    fn add(&mut self, outcome: ScenarioOutcome) {
        match outcome {
            ScenarioOutcome::Passed => self.passed += 1,
            ScenarioOutcome::Failed | ScenarioOutcome::Skipped => self.failed += 1,
            ScenarioOutcome::Excluded => self.excluded += 1,
            ScenarioOutcome::Waived => self.waived += 1,
            ScenarioOutcome::WaiverPassed => self.waivers_passed += 1,
            ScenarioOutcome::PassedOnRetry => self.passed_on_retry += 1,
        }
    }

    fn cell(self) -> String {
        let class = match self {
            Counts { failed: 1.., .. } => "fail",
            Counts { waived: 1.., .. } | Counts { waivers_passed: 1.., .. } | Counts { passed_on_retry: 1.., .. } => {
                "waiv"
            }
            Counts { passed: 1.., .. } => "pass",
            Counts { excluded: 1.., .. } => "excl",
            _ => "na",
        };
        let total =
            self.passed + self.failed + self.excluded + self.waived + self.waivers_passed + self.passed_on_retry;
        let mut text = if total == 0 {
            "—".to_string()
        } else {
            format!("{} passed, {} failed, {} excluded", self.passed, self.failed, self.excluded)
        };
        if self.waived > 0 {
            text.push_str(&format!(", {} waived", self.waived));
        }
        if self.waivers_passed > 0 {
            text.push_str(&format!(", {} waivers unexpectedly passed", self.waivers_passed));
        }
        if self.passed_on_retry > 0 {
            text.push_str(&format!(", {} passed on retry", self.passed_on_retry));
        }
        format!("<td class=\"{class}\">{text}</td>")
    }
}

fn totals(records: &[ScenarioRecord], dialects: &[Dialect]) -> String {
    let mut out = String::from(
        "<h2>Summary</h2><table><tr><th>dialect</th><th>passed</th><th>failed</th>\
        <th>unknown step</th><th>passed on retry</th><th>waived</th><th>waivers that passed</th><th>excluded (why)</th><th>devices</th></tr>",
    );
    for d in dialects {
        let mine: Vec<&ScenarioRecord> = records.iter().filter(|r| r.dialect == *d).collect();
        let count = |o: ScenarioOutcome| mine.iter().filter(|r| r.outcome == o).count();
        let mut why: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &mine {
            if let Some(reason) = &r.excluded {
                *why.entry(reason.as_str()).or_default() += 1;
            }
        }
        let why = why.iter().map(|(w, n)| format!("{n} {w}")).collect::<Vec<_>>().join(", ");
        let devices = mine.iter().filter_map(|r| r.device.as_deref()).collect::<BTreeSet<_>>();
        let devices = devices.into_iter().map(esc).collect::<Vec<_>>().join("<br>");
        let _ = write!(
            out,
            "<tr><th>{d}</th><td class=\"pass\">{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{} {}</td><td>{devices}</td></tr>",
            count(ScenarioOutcome::Passed),
            if count(ScenarioOutcome::Failed) > 0 { "fail" } else { "pass" },
            count(ScenarioOutcome::Failed),
            count(ScenarioOutcome::Skipped),
            count(ScenarioOutcome::PassedOnRetry),
            count(ScenarioOutcome::Waived),
            count(ScenarioOutcome::WaiverPassed),
            count(ScenarioOutcome::Excluded),
            if why.is_empty() { String::new() } else { format!("({})", esc(&why)) },
        );
    }
    out.push_str("</table>");
    out
}

fn matrix(
    title: &str,
    records: &[ScenarioRecord],
    dialects: &[Dialect],
    row_of: impl Fn(&ScenarioRecord) -> Option<String>,
) -> String {
    let mut cells: BTreeMap<String, BTreeMap<Dialect, Counts>> = BTreeMap::new();
    for r in records {
        if let Some(row) = row_of(r) {
            cells.entry(row).or_default().entry(r.dialect).or_default().add(r.outcome);
        }
    }
    if cells.is_empty() {
        return String::new();
    }
    let mut out = format!("<h2>{}</h2><table><tr><th></th>", esc(title));
    for d in dialects {
        let _ = write!(out, "<th>{d}</th>");
    }
    out.push_str("</tr>");
    for (row, by_dialect) in &cells {
        let _ = write!(out, "<tr><th>{}</th>", esc(row));
        for d in dialects {
            out.push_str(&by_dialect.get(d).copied().unwrap_or_default().cell());
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

/// The scheme a scenario configures with AT+MQTTUSERCFG, for the schemes matrix.
fn scheme_of(record: &ScenarioRecord) -> Option<String> {
    static SCHEME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"AT\+MQTTUSERCFG=0,(\d+),").unwrap());
    let scheme: u8 = SCHEME.captures(&record.text)?[1].parse().ok()?;
    (1..=10).contains(&scheme).then(|| format!("scheme {scheme:>2}"))
}

fn coverage(input: HtmlInput<'_>, dialects: &[Dialect]) -> String {
    let mut out = String::from("<h2>Spec coverage</h2>");
    if let Some(table) = input.codes {
        let runs: Vec<(Dialect, Vec<ScenarioRecord>)> = dialects
            .iter()
            .map(|d| (*d, input.records.iter().filter(|r| r.dialect == *d).cloned().collect()))
            .collect();
        let cov = CodeCoverage::compute(table, runs.iter().map(|(d, r)| (*d, &r[..])));
        let virtual_only = cov.virtual_only();
        let _ = write!(
            out,
            "<p>Error codes exercised by passing scenarios: <b>{} of {}</b> ({} only through the virtual \
             firmware's fault injection, never passed on a board).</p><details><summary>every code</summary>\
             <table><tr><th>code</th><th>name</th><th>exercised by</th></tr>",
            cov.covered.len(),
            table.codes.len(),
            virtual_only.len()
        );
        for code in &table.codes {
            let (class, by) = match cov.covered.get(&code.code) {
                Some(by) => {
                    let dialects: BTreeSet<String> = by.iter().map(|(d, _, _)| d.to_string()).collect();
                    let tag = if virtual_only.contains(&code.code) { " — virtual only" } else { "" };
                    (
                        "pass",
                        format!(
                            "{} scenarios ({}){tag}",
                            by.len(),
                            dialects.into_iter().collect::<Vec<_>>().join(", ")
                        ),
                    )
                }
                None => ("miss", "not exercised".to_string()),
            };
            let _ = write!(
                out,
                "<tr class=\"{class}\"><td>0x{:04x}</td><td>{}</td><td>{by}</td></tr>",
                code.code,
                esc(&code.name)
            );
        }
        out.push_str("</table></details>");
    }
    if let Some(items) = input.items {
        out.push_str(&item_table(items, input.records, dialects));
    }
    out
}

fn item_table(items: &SpecItems, records: &[ScenarioRecord], dialects: &[Dialect]) -> String {
    let mut exercised = 0;
    let mut applicable = 0;
    let mut rows = String::new();
    for item in &items.items {
        let _ = write!(rows, "<tr><td>{}</td><td>{}</td>", esc(&item.kind), esc(&item.id));
        for d in dialects {
            let (class, text) = match item.coverage(*d, records) {
                ItemCoverage::NotApplicable => ("na", "n/a"),
                ItemCoverage::Exercised => ("pass", "exercised"),
                ItemCoverage::Missed => ("miss", "not exercised"),
            };
            applicable += usize::from(class != "na");
            exercised += usize::from(class == "pass");
            let _ = write!(rows, "<td class=\"{class}\">{text}</td>");
        }
        rows.push_str("</tr>");
    }
    let heads: String = dialects.iter().map(|d| format!("<th>{d}</th>")).collect();
    format!(
        "<p>Spec items (command forms, responses and URCs, limits) exercised: <b>{exercised} of {applicable}</b> \
         (item × dialect).</p><details><summary>every item</summary><table><tr><th>kind</th><th>item</th>{heads}</tr>\
         {rows}</table></details>"
    )
}

fn failures(records: &[ScenarioRecord]) -> String {
    let of = |outcomes: &[ScenarioOutcome]| -> Vec<&ScenarioRecord> {
        records.iter().filter(|r| outcomes.contains(&r.outcome)).collect()
    };
    let failed = of(&[ScenarioOutcome::Failed, ScenarioOutcome::Skipped]);
    let mut out = format!("<h2>Failures ({})</h2>", failed.len());
    let waivers_passed = of(&[ScenarioOutcome::WaiverPassed]);
    if !waivers_passed.is_empty() {
        let n = waivers_passed.len();
        let _ = write!(out, "<p class=\"waiv\">{n} waived deviations passed: is the waiver stale?</p><ul>");
        for r in waivers_passed {
            let _ = write!(out, "<li>[{}] {}: {}</li>", r.dialect, esc(&r.feature), esc(&r.name));
        }
        out.push_str("</ul>");
    }
    failed.iter().for_each(|r| out.push_str(&failure_details(r)));
    let flaky = of(&[ScenarioOutcome::PassedOnRetry]);
    if !flaky.is_empty() {
        let _ = write!(out, "<h2>Passed on retry ({})</h2><p>Flaky: not counted as passed.</p>", flaky.len());
        flaky.iter().for_each(|r| out.push_str(&failure_details(r)));
    }
    out
}

/// One failed (or flaky) scenario: where it ran, its message, transcript and broker observations.
fn failure_details(r: &ScenarioRecord) -> String {
    let attempts = if r.attempts > 1 { format!(" — attempt {}", r.attempts) } else { String::new() };
    let mut out = format!(
        "<details open><summary class=\"fail\">[{}] {}: {} (line {}){attempts}</summary><p>device: {}</p>",
        r.dialect,
        esc(&r.feature),
        esc(&r.name),
        r.line,
        esc(r.device.as_deref().unwrap_or("?"))
    );
    for (title, text) in
        [("message", &r.message), ("serial transcript", &r.transcript), ("broker observations", &r.observations)]
    {
        if let Some(text) = text {
            let _ = write!(out, "<h4>{title}</h4><pre>{}</pre>", esc(text));
        }
    }
    out.push_str("</details>");
    out
}

fn exclusions(records: &[ScenarioRecord], dialects: &[Dialect]) -> String {
    let mut out = String::from(
        "<h2>Excluded scenarios</h2><p>Excluded scenarios did not run; they are never counted as passed.</p>",
    );
    for d in dialects {
        let mut by_reason: BTreeMap<&str, Vec<&ScenarioRecord>> = BTreeMap::new();
        for r in records.iter().filter(|r| r.dialect == *d) {
            if let Some(why) = &r.excluded {
                by_reason.entry(why.as_str()).or_default().push(r);
            }
        }
        for (why, list) in by_reason {
            let _ = write!(out, "<details><summary>{d}: {} {}</summary><ul>", list.len(), esc(why));
            for r in list {
                let _ = write!(out, "<li>{}: {}</li>", esc(&r.feature), esc(&r.name));
            }
            out.push_str("</ul></details>");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_escapes_text_and_shows_failures_with_their_transcript() {
        let mut failed = ScenarioRecord::blank(Dialect::W800, "F <x>", "s", ScenarioOutcome::Failed);
        failed.transcript = Some("-> AT+MQTTCONN?\\r\\n".into());
        failed.tags = vec!["conn".into()];
        let passed = ScenarioRecord::blank(Dialect::Esp32, "F <x>", "t", ScenarioOutcome::Passed);
        let html = render(HtmlInput { title: "run", records: &[failed, passed], codes: None, items: None });
        assert!(html.contains("F &lt;x&gt;"));
        assert!(html.contains("Failures (1)"));
        assert!(html.contains("-&gt; AT+MQTTCONN?"));
        assert!(html.contains("<td class=\"fail\">0 passed, 1 failed, 0 excluded</td>"));
        assert!(!html.contains("<script"));
    }
}
