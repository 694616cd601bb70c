//! Where a run's reports go, and writing them: JUnit per dialect (by cucumber's writer), the
//! merged cucumber JSON and the HTML report.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;

use super::{DialectOutcome, RunOptions};
use crate::coverage::ErrorCodeTable;
use crate::dialect::Dialect;
use crate::report::cucumber_json::{self, DialectResults};
use crate::report::html::{self, HtmlInput};
use crate::report::spec_items::SpecItems;
use crate::report::ScenarioRecord;

/// Where one dialect's reports go.
pub(crate) struct Reports {
    /// This dialect's JUnit file.
    pub(crate) junit: Option<PathBuf>,
    /// Where failed scenarios' transcripts go.
    pub(crate) transcripts: PathBuf,
}

/// An in-memory sink for cucumber's JSON writer, merged across dialects after the run.
#[derive(Debug, Clone, Default)]
pub(crate) struct SharedBuffer(pub(crate) Arc<Mutex<Vec<u8>>>);

impl std::io::Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `reports/junit.xml` stays as it is for one dialect and becomes `reports/junit-w800.xml` for several.
pub(crate) fn per_dialect(path: &Path, dialect: Dialect, several: bool) -> PathBuf {
    if !several {
        return path.to_path_buf();
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{dialect}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{dialect}"),
    };
    path.with_file_name(name)
}

pub(crate) fn report_file(path: Option<&Path>, what: &str) -> anyhow::Result<Box<dyn std::io::Write>> {
    match path {
        Some(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            }
            let file =
                std::fs::File::create(path).with_context(|| format!("cannot create {what} file {}", path.display()))?;
            Ok(Box::new(std::io::BufWriter::new(file)))
        }
        None => Ok(Box::new(std::io::sink())),
    }
}

/// Writes the merged cucumber JSON and the HTML report, when asked for.
pub(crate) fn write_reports(options: &RunOptions, outcomes: &[DialectOutcome]) -> anyhow::Result<()> {
    let results: Vec<DialectResults> = outcomes
        .iter()
        .map(|o| DialectResults {
            dialect: o.dialect,
            cucumber_json: o.cucumber_json.clone(),
            records: o.tally.scenarios.iter().cloned().chain(o.exclusions.records()).collect(),
        })
        .collect();
    if let Some(path) = &options.json {
        let doc = cucumber_json::merge(&results).context("cucumber's JSON output is not JSON")?;
        cucumber_json::save(path, &doc)?;
        println!("report: {}", path.display());
    }
    if let Some(path) = &options.html {
        let records: Vec<ScenarioRecord> = results.into_iter().flat_map(|r| r.records).collect();
        write_html(path, &records, options.error_codes.as_deref(), options.spec_items.as_deref())?;
        println!("report: {}", path.display());
    }
    Ok(())
}

/// Renders the HTML report of these records; the tables are optional (absent outside a checkout).
pub fn write_html(
    path: &Path,
    records: &[ScenarioRecord],
    error_codes: Option<&Path>,
    spec_items: Option<&Path>,
) -> anyhow::Result<()> {
    let codes = error_codes.filter(|p| p.exists()).map(ErrorCodeTable::load).transpose()?;
    let items = spec_items.filter(|p| p.exists()).map(SpecItems::load).transpose()?;
    let title = format!("atconform conformance report — {}", utc_timestamp());
    let page = html::render(HtmlInput { title: &title, records, codes: codes.as_ref(), items: items.as_ref() });
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, page).with_context(|| format!("cannot write the HTML report {}", path.display()))
}

/// Now, in UTC, to the second (RFC 3339).
pub(crate) fn utc_timestamp() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_paths_get_the_dialect_only_when_several_run() {
        let p = Path::new("reports/junit.xml");
        assert_eq!(per_dialect(p, Dialect::W800, false), PathBuf::from("reports/junit.xml"));
        assert_eq!(per_dialect(p, Dialect::W800, true), PathBuf::from("reports/junit-w800.xml"));
        assert_eq!(per_dialect(Path::new("out"), Dialect::Esp32, true), PathBuf::from("out-esp32"));
    }
}
