//! atconform: a conformance test harness for the MQTT AT command set of
//! Wi-Fi module firmware (ESP-AT, W800-AT).
//!
//! Gherkin feature files state every expectation; this crate provides the
//! generic machinery that checks them: a serial [`device`] session, a hosted
//! [`broker`] that records what reached it, cucumber [`steps`], and the
//! [`runner`] that ties them together. See ARCHITECTURE.md.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod attach;
pub mod board;
pub mod bringup;
pub mod broker;
pub mod console;
pub mod control;
pub mod coverage;
pub mod device;
pub mod dialect;
pub mod escapes;
pub mod expand;
pub mod flash;
pub mod pki;
pub mod ports;
pub mod report;
pub mod runner;
pub mod script;
pub mod selection;
pub mod steps;
pub mod virtual_device;
pub mod world;
