//! Cucumber step definitions, grouped by domain concept: the serial line
//! ([`serial`]), the broker ([`broker`]) and the virtual firmware's control
//! channel ([`control`]). Steps are generic: every expected value comes from
//! the feature file.

pub mod broker;
pub mod control;
pub mod serial;

use crate::world::AtWorld;

/// How many transcript entries a failure message quotes.
const TRANSCRIPT_TAIL: usize = 30;

/// Adds the tail of the scenario's serial transcript to a failing step's error.
pub(crate) async fn with_transcript<T>(world: &AtWorld, result: anyhow::Result<T>) -> anyhow::Result<T> {
    match result {
        Ok(v) => Ok(v),
        Err(e) => {
            let full = world.transcript().await;
            let lines: Vec<&str> = full.lines().collect();
            let tail = lines[lines.len().saturating_sub(TRANSCRIPT_TAIL)..].join("\n");
            Err(anyhow::anyhow!("{e:#}\n\nserial transcript (last {TRANSCRIPT_TAIL} entries):\n{tail}"))
        }
    }
}

/// The lines of a doc string, trimmed, without blank lines.
pub(crate) fn docstring_lines(step: &cucumber::gherkin::Step) -> anyhow::Result<Vec<String>> {
    let doc = step.docstring.as_ref().ok_or_else(|| anyhow::anyhow!("this step needs a \"\"\" doc string"))?;
    Ok(doc.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect())
}
