//! The firmware dialects a scenario can apply to, and how feature tags say so.
//!
//! A scenario whose tags (feature, rule, scenario and examples together) name
//! no dialect applies to all of them; otherwise it applies to the dialects it names.

use std::fmt;

/// A family of AT firmware with its own MQTT command dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Dialect {
    /// Espressif ESP-AT on an ESP32.
    Esp32,
    /// Espressif ESP-AT on an ESP8266.
    Esp8266,
    /// WinnerMicro W800-AT.
    W800,
}

impl Dialect {
    /// Every dialect, in the order a default run takes them.
    pub const ALL: [Dialect; 3] = [Dialect::Esp32, Dialect::Esp8266, Dialect::W800];

    /// The feature-file tag (without `@`) and the virtual firmware's `--dialect` value.
    pub fn name(self) -> &'static str {
        match self {
            Self::Esp32 => "esp32",
            Self::Esp8266 => "esp8266",
            Self::W800 => "w800",
        }
    }

    /// Whether a scenario with these tags applies to this dialect.
    pub fn applies_to<S: AsRef<str>>(self, tags: &[S]) -> bool {
        let named: Vec<Dialect> = tags.iter().filter_map(|t| Self::from_tag(t.as_ref())).collect();
        named.is_empty() || named.contains(&self)
    }

    /// The dialect a tag names, if it names one (`esp32` or `@esp32`).
    pub fn from_tag(tag: &str) -> Option<Dialect> {
        let tag = tag.strip_prefix('@').unwrap_or(tag);
        Self::ALL.into_iter().find(|d| d.name() == tag)
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untagged_scenarios_apply_to_every_dialect() {
        let tags: [&str; 2] = ["pub", "deviation"];
        assert!(Dialect::ALL.iter().all(|d| d.applies_to(&tags)));
    }

    #[test]
    fn tagged_scenarios_apply_only_to_the_named_dialects() {
        let tags = ["esp32", "@esp8266", "pubraw"];
        assert!(Dialect::Esp32.applies_to(&tags));
        assert!(Dialect::Esp8266.applies_to(&tags));
        assert!(!Dialect::W800.applies_to(&tags));
    }
}
