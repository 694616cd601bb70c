//! `atconform script`: plain send/expect scripts for quick checks outside Gherkin.
//!
//! [`parse`] reads the file into steps, [`run`] resolves them against the
//! broker's placeholders and plays them on a device.

pub mod parse;
pub mod run;

pub use parse::{parse, Line, ScriptError, Step};
pub use run::{resolve, Failure, Resolved};
