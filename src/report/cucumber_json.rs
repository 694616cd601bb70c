//! cucumber JSON, the file format of a run's results.
//!
//! cucumber's own writer records every step of every scenario that ran. The dialects'
//! outputs are merged into one array (feature ids and names prefixed with the dialect),
//! and each scenario element gains an `atconform` object holding its [`ScenarioRecord`].
//! Each excluded scenario becomes an element whose one step is `skipped`, so no tool
//! counts it as passed. Other cucumber tools ignore the extra object.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::{ScenarioOutcome, ScenarioRecord};
use crate::dialect::Dialect;

/// What can go wrong reading or writing results.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file is not JSON.
    #[error("{path} is not JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// The JSON is not cucumber JSON written by atconform.
    #[error("{path} is not a cucumber JSON report of atconform: {why}")]
    Shape {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        why: String,
    },
}

/// One dialect's cucumber JSON output and its scenario records (run and excluded).
#[derive(Debug, Clone)]
pub struct DialectResults {
    /// The dialect.
    pub dialect: Dialect,
    /// What cucumber's JSON writer produced.
    pub cucumber_json: Vec<u8>,
    /// Every scenario, run or excluded.
    pub records: Vec<ScenarioRecord>,
}

/// Merges the dialects' outputs into one cucumber JSON document carrying the records.
pub fn merge(results: &[DialectResults]) -> Result<Value, serde_json::Error> {
    let mut merged = Vec::new();
    for r in results {
        let features: Vec<Value> =
            if r.cucumber_json.is_empty() { Vec::new() } else { serde_json::from_slice(&r.cucumber_json)? };
        let mut by_feature: BTreeMap<String, Value> = BTreeMap::new();
        for mut feature in features {
            let name = feature["name"].as_str().unwrap_or_default().to_string();
            attach_records(&mut feature, &name, &r.records);
            by_feature.insert(name, feature);
        }
        for record in r.records.iter().filter(|x| x.outcome == ScenarioOutcome::Excluded) {
            let feature = by_feature.entry(record.feature.clone()).or_insert_with(|| empty_feature(record));
            push_element(feature, excluded_element(record));
        }
        for (_, mut feature) in by_feature {
            prefix_dialect(&mut feature, r.dialect);
            merged.push(feature);
        }
    }
    Ok(Value::Array(merged))
}

fn attach_records(feature: &mut Value, feature_name: &str, records: &[ScenarioRecord]) {
    let Some(elements) = feature["elements"].as_array_mut() else { return };
    for element in elements.iter_mut().filter(|e| e["type"] == "scenario") {
        // The line identifies a scenario (or outline row) within its feature; the element's
        // name may carry its rule's name in front.
        let line = element["line"].as_u64().unwrap_or(0);
        let found = records
            .iter()
            .find(|r| r.outcome != ScenarioOutcome::Excluded && r.feature == feature_name && r.line as u64 == line);
        if let Some(record) = found {
            element["atconform"] = serde_json::to_value(record).unwrap_or(Value::Null);
        }
    }
}

fn empty_feature(record: &ScenarioRecord) -> Value {
    json!({"uri": "", "keyword": "Feature", "id": slug(&record.feature), "name": record.feature,
           "line": 0, "tags": [], "elements": []})
}

fn excluded_element(record: &ScenarioRecord) -> Value {
    let why = record.excluded.as_deref().unwrap_or("excluded");
    let tags: Vec<Value> = record.tags.iter().map(|t| json!({"name": format!("@{t}"), "line": record.line})).collect();
    json!({
        "keyword": "Scenario", "type": "scenario", "id": slug(&format!("{}/{}", record.feature, record.name)),
        "name": record.name, "line": record.line, "tags": tags,
        "steps": [{"keyword": "* ", "line": record.line, "name": format!("excluded: {why}"),
                   "result": {"status": "skipped"}}],
        "atconform": serde_json::to_value(record).unwrap_or(Value::Null),
    })
}

fn push_element(feature: &mut Value, element: Value) {
    if let Some(elements) = feature["elements"].as_array_mut() {
        elements.push(element);
    } else {
        feature["elements"] = Value::Array(vec![element]);
    }
}

fn prefix_dialect(feature: &mut Value, dialect: Dialect) {
    for key in ["id", "name"] {
        let sep = if key == "id" { "/" } else { " " };
        let old = feature[key].as_str().unwrap_or_default().to_string();
        let new = if key == "id" { format!("{dialect}{sep}{old}") } else { format!("[{dialect}]{sep}{old}") };
        feature[key] = Value::String(new);
    }
    if let Some(elements) = feature["elements"].as_array_mut() {
        for e in elements {
            let old = e["id"].as_str().unwrap_or_default().to_string();
            e["id"] = Value::String(format!("{dialect}/{old}"));
        }
    }
}

fn slug(text: &str) -> String {
    text.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() || c == '/' { c } else { '-' }).collect()
}

/// Writes a merged document.
pub fn save(path: &Path, doc: &Value) -> Result<(), ReportError> {
    let io = |source| ReportError::Io { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let text = serde_json::to_string_pretty(doc).expect("a JSON value serializes");
    std::fs::write(path, text).map_err(io)
}

/// Reads the scenario records back from a cucumber JSON report written by atconform.
pub fn load(path: &Path) -> Result<Vec<ScenarioRecord>, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::Io { path: path.to_path_buf(), source })?;
    let doc: Value =
        serde_json::from_str(&text).map_err(|source| ReportError::Json { path: path.to_path_buf(), source })?;
    records(&doc).map_err(|why| ReportError::Shape { path: path.to_path_buf(), why })
}

/// The records a merged document carries.
pub fn records(doc: &Value) -> Result<Vec<ScenarioRecord>, String> {
    let features = doc.as_array().ok_or("the top level is not an array of features")?;
    let mut records = Vec::new();
    for element in features.iter().flat_map(|f| f["elements"].as_array().into_iter().flatten()) {
        if element.get("atconform").is_some_and(|a| !a.is_null()) {
            let record = serde_json::from_value(element["atconform"].clone())
                .map_err(|e| format!("a scenario's atconform record is malformed: {e}"))?;
            records.push(record);
        }
    }
    if records.is_empty() && !features.is_empty() {
        return Err("no scenario carries an `atconform` record (was it written by `atconform run --json`?)".into());
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CUCUMBER: &str = r#"[{"uri":"f.feature","keyword":"Feature","id":"f","name":"F","line":1,"tags":[],
        "elements":[{"keyword":"Scenario","type":"scenario","id":"f/s","name":"S","line":3,"tags":[],
        "steps":[{"keyword":"Given ","line":4,"name":"x","result":{"status":"passed"}}]}]}]"#;

    #[test]
    fn records_survive_a_round_trip_and_exclusions_are_skipped_steps() {
        let mut ran = ScenarioRecord::blank(Dialect::W800, "F", "S", ScenarioOutcome::Passed);
        ran.line = 3;
        let excluded = ScenarioRecord::blank(Dialect::W800, "G", "T", ScenarioOutcome::Passed)
            .excluded(crate::selection::Exclusion::OtherDialect);
        let results = DialectResults {
            dialect: Dialect::W800,
            cucumber_json: CUCUMBER.as_bytes().to_vec(),
            records: vec![ran.clone(), excluded.clone()],
        };
        let doc = merge(&[results]).unwrap();
        assert_eq!(doc[0]["name"], "[w800] F");
        let text = doc.to_string();
        assert!(text.contains(r#""name":"excluded: other dialect","result":{"status":"skipped"}"#), "{text}");
        assert_eq!(records(&doc).unwrap(), vec![ran, excluded]);
    }
}
