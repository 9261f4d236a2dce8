//! The console's config file, `$XDG_CONFIG_HOME/tracetop/config.toml`:
//! theme, key remapping, display thresholds and the default source.
//!
//! ```toml
//! theme = "dark"
//! reviewer = "dana"          # verdicts are recorded as (default $USER)
//! backfill = "15m"           # a database feed opens on the recent past (0: none)
//! [keymap]
//! quit = ["q", "ctrl-c"]
//! [thresholds]
//! slow_request_ms = 10000
//! expensive_request_microdollars = 100000
//! [source]
//! database_url = "postgres://ro@db/prod"   # or:
//! remote = "https://ops.example/api/v1/stream"
//! token_file = "~/.tt"
//! # and at the top level: prices = "~/prices.toml"  (or LiteLLM's JSON)
//! ```
//!
//! Spend control adds a top-level `timezone` (period boundaries of the
//! burn rate and budgets, default UTC) and `[[budget]]` entries, checked
//! by [`crate::budget::config`].

use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Everything the config file may set. Unknown keys are rejected so a typo
/// is reported instead of silently ignored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleConfig {
    /// Theme name or path.
    pub theme: Option<String>,
    /// Name verdicts are recorded under (default `$USER`).
    pub reviewer: Option<String>,
    /// How far back a database feed starts (`15m`, `1h`; `0` for none).
    pub backfill: Option<String>,
    /// Action name → keys, replacing that action's defaults.
    #[serde(default)]
    pub keymap: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub thresholds: Thresholds,
    #[serde(default)]
    pub source: SourceConfig,
    /// Anomaly rule thresholds (the `[anomaly]` table, shared with
    /// `tracetop anomalies`).
    #[serde(default)]
    pub anomaly: crate::anomaly::Thresholds,
    /// Price table file (tracetop TOML or LiteLLM JSON) for re-pricing
    /// and the costs view's drift line (default: the shipped table).
    pub prices: Option<PathBuf>,
    /// IANA zone of day / week / month boundaries (default UTC).
    pub timezone: Option<String>,
    /// The `[[budget]]` entries as written; checked into [`Self::budgets`].
    #[serde(default)]
    pub budget: Vec<toml::Table>,
    /// The checked budgets (filled by [`ConsoleConfig::parse`]).
    #[serde(skip)]
    pub budgets: Vec<crate::budget::Budget>,
}

/// Display thresholds: rows beyond them are marked in the feed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// AI request latency above which a row is marked slow (`⚠`).
    pub slow_request_ms: i64,
    /// AI request cost above which a row is marked expensive (`⚠`).
    pub expensive_request_microdollars: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            slow_request_ms: 15_000,
            expensive_request_microdollars: 250_000,
        }
    }
}

/// The source used when no flag names one.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub database_url: Option<String>,
    pub remote: Option<String>,
    pub token_file: Option<PathBuf>,
}

/// The default config path: `$XDG_CONFIG_HOME/tracetop/config.toml`
/// (`~/.config/tracetop/config.toml` when unset).
pub fn default_path() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(dirs::config_dir)
        .map(|d| d.join("tracetop").join("config.toml"))
}

impl ConsoleConfig {
    /// Load `explicit` (must exist) or the default path (may be absent).
    pub fn load(explicit: Option<&Path>) -> Result<ConsoleConfig> {
        let (path, required) = match explicit {
            Some(p) => (p.to_path_buf(), true),
            None => match default_path() {
                Some(p) => (p, false),
                None => return Ok(ConsoleConfig::default()),
            },
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => ConsoleConfig::parse(&text).map_err(|e| {
                Error::input(format!("config file {}: {e}", path.display())).caused_by(e)
            }),
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                Ok(ConsoleConfig::default())
            }
            Err(e) => Err(
                Error::input(format!("cannot read config file {}: {e}", path.display()))
                    .caused_by(e),
            ),
        }
    }

    /// Parse config text.
    pub fn parse(text: &str) -> Result<ConsoleConfig> {
        let mut config: ConsoleConfig =
            toml::from_str(text).map_err(|e| Error::input(e.message().to_string()).caused_by(e))?;
        config.anomaly.validate()?;
        config.budgets = crate::budget::parse_budgets(&config.budget, config.zone()?)?;
        Ok(config)
    }

    /// The configured `timezone`, UTC when absent.
    pub fn zone(&self) -> Result<chrono_tz::Tz> {
        crate::budget::parse_default_zone(self.timezone.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_section() {
        let cfg = ConsoleConfig::parse(
            r#"
theme = "light"
[keymap]
quit = ["x"]
[thresholds]
slow_request_ms = 5000
[source]
remote = "https://ops.example/api/v1/stream"
[anomaly]
requests_per_minute = { warning = 20, critical = 40 }
"#,
        )
        .unwrap();
        assert_eq!(cfg.theme.as_deref(), Some("light"));
        assert_eq!(cfg.keymap["quit"], vec!["x".to_string()]);
        assert_eq!(cfg.thresholds.slow_request_ms, 5000);
        assert_eq!(cfg.thresholds.expensive_request_microdollars, 250_000);
        assert!(cfg.source.remote.is_some());
        assert_eq!(cfg.anomaly.requests_per_minute.warning, 20.0);
        assert_eq!(
            cfg.anomaly.error_rate,
            crate::anomaly::Thresholds::default().error_rate
        );
    }

    #[test]
    fn typo_is_rejected() {
        let err = ConsoleConfig::parse("theem = \"dark\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("theem"), "{err}");
    }

    #[test]
    fn missing_explicit_file_is_an_error() {
        let err = ConsoleConfig::load(Some(Path::new("/nonexistent/tracetop.toml")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/tracetop.toml"), "{err}");
    }
}
