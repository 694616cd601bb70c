//! Scenarios share devices one after another, so each must start from a reset device:
//! every scenario's first step (its feature's Background included) resets it. The reset
//! step itself checks `OK` and `ready`, so the isolation is verified at run time too.

use std::path::{Path, PathBuf};

use cucumber::gherkin::{Feature, GherkinEnv, Scenario, Step};

const RESET_STEP: &str = "the device has been reset";

fn feature_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            feature_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
}

fn first_step<'a>(
    feature: &'a Feature,
    rule_background: Option<&'a [Step]>,
    scenario: &'a Scenario,
) -> Option<&'a Step> {
    let feature_bg = feature.background.as_ref().map(|b| &b.steps[..]).unwrap_or_default();
    feature_bg.iter().chain(rule_background.unwrap_or_default()).chain(&scenario.steps).next()
}

#[test]
fn every_scenario_starts_by_resetting_the_device() {
    let mut files = Vec::new();
    feature_files(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("features"), &mut files);
    assert!(files.len() > 10, "found only {} feature files", files.len());
    let mut offenders = Vec::new();
    for file in &files {
        let feature = Feature::parse_path(file, GherkinEnv::default()).unwrap_or_else(|e| panic!("{e}"));
        let top = feature.scenarios.iter().map(|s| (None, s));
        let ruled = feature
            .rules
            .iter()
            .flat_map(|r| r.scenarios.iter().map(move |s| (r.background.as_ref().map(|b| &b.steps[..]), s)));
        for (rule_bg, scenario) in top.chain(ruled) {
            if first_step(&feature, rule_bg, scenario).is_none_or(|s| s.value != RESET_STEP) {
                offenders.push(format!("{}: {}", file.display(), scenario.name));
            }
        }
    }
    assert!(offenders.is_empty(), "scenarios that do not start with `Given {RESET_STEP}`:\n{}", offenders.join("\n"));
}
