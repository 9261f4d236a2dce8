//! Anomaly thresholds: the `[anomaly]` table of the config file.
//!
//! Every field has the platform's default, so an empty table (or none)
//! gives the standard rules and a config file only names what it changes:
//!
//! ```toml
//! [anomaly]
//! requests_per_minute = { warning = 20, critical = 40 }
//! credential_patterns = ["credential", "secret", "vault"]
//! ```
//!
//! A rule fires when its observed value reaches the level (`>=`). The MCP
//! rules the platform phrases as "over N" (calls per minute, payload bytes,
//! execution time, tool error rate, credential-tool calls per hour) fire
//! when the value is strictly above the level.

use serde::{Deserialize, Serialize};

/// A warning and a critical level for one rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Level {
    pub warning: f64,
    pub critical: f64,
}

impl Level {
    const fn new(warning: f64, critical: f64) -> Self {
        Level { warning, critical }
    }
}

/// Every threshold the detector uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// AI requests per user in the last minute (warning 15, critical 30).
    pub requests_per_minute: Level,
    /// Sessions started per browser fingerprint within
    /// `session_window_secs` (5 / 10).
    pub session_count_per_fingerprint: Level,
    /// Window of the fingerprint rule (1 hour).
    pub session_window_secs: i64,
    /// Share of failed AI requests, platform-wide (10 % / 25 %).
    pub error_rate: Level,
    /// Finished requests needed in the window before the error rate counts.
    pub error_rate_min_requests: i64,
    /// Window of the error-rate rules (5 minutes).
    pub error_rate_window_secs: i64,
    /// Requests in the last minute over the trailing per-minute average
    /// (2× / 3×).
    pub trend_spike: Level,
    /// Minutes of the trailing average (30).
    pub trend_baseline_minutes: i64,
    /// Requests needed in the last minute before a spike counts.
    pub trend_min_requests: i64,
    /// Calls of one MCP tool in the last minute (over 100 / 200).
    pub mcp_calls_per_minute: Level,
    /// Input or output size of one MCP execution in bytes (over 1 MiB /
    /// 10 MiB).
    pub mcp_payload_bytes: Level,
    /// Execution time of one MCP call in ms (over 5 s / 30 s).
    pub mcp_execution_ms: Level,
    /// Share of failed or timed-out calls of one tool (over 20 % / 50 %).
    pub mcp_error_rate: Level,
    /// Calls of a tool needed in the window before its error rate counts.
    pub mcp_error_rate_min_calls: i64,
    /// Calls per hour of a credential-like tool (over 50 / 100).
    pub credential_calls_per_hour: Level,
    /// Case-insensitive name fragments that make a tool credential-like.
    pub credential_patterns: Vec<String>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            requests_per_minute: Level::new(15.0, 30.0),
            session_count_per_fingerprint: Level::new(5.0, 10.0),
            session_window_secs: 3_600,
            error_rate: Level::new(0.10, 0.25),
            error_rate_min_requests: 20,
            error_rate_window_secs: 300,
            trend_spike: Level::new(2.0, 3.0),
            trend_baseline_minutes: 30,
            trend_min_requests: 10,
            mcp_calls_per_minute: Level::new(100.0, 200.0),
            mcp_payload_bytes: Level::new(1_048_576.0, 10_485_760.0),
            mcp_execution_ms: Level::new(5_000.0, 30_000.0),
            mcp_error_rate: Level::new(0.20, 0.50),
            mcp_error_rate_min_calls: 10,
            credential_calls_per_hour: Level::new(50.0, 100.0),
            credential_patterns: [
                "credential",
                "secret",
                "password",
                "token",
                "apikey",
                "auth",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
        }
    }
}

impl Thresholds {
    /// Read the `[anomaly]` table from a config file's text; a file
    /// without it gives the defaults.
    pub fn from_config_toml(text: &str) -> crate::error::Result<Thresholds> {
        #[derive(Deserialize)]
        struct File {
            #[serde(default)]
            anomaly: Option<Thresholds>,
        }
        let file: File = toml::from_str(text).map_err(|e| {
            crate::error::Error::input(format!(
                "invalid [anomaly] thresholds in the config file: {}; fix or remove the table",
                e.message()
            ))
            .caused_by(e)
        })?;
        let thresholds = file.anomaly.unwrap_or_default();
        thresholds.validate()?;
        Ok(thresholds)
    }

    /// Check that every level is usable (positive windows, warning not
    /// above critical).
    pub fn validate(&self) -> crate::error::Result<()> {
        let levels = [
            ("requests_per_minute", self.requests_per_minute),
            (
                "session_count_per_fingerprint",
                self.session_count_per_fingerprint,
            ),
            ("error_rate", self.error_rate),
            ("trend_spike", self.trend_spike),
            ("mcp_calls_per_minute", self.mcp_calls_per_minute),
            ("mcp_payload_bytes", self.mcp_payload_bytes),
            ("mcp_execution_ms", self.mcp_execution_ms),
            ("mcp_error_rate", self.mcp_error_rate),
            ("credential_calls_per_hour", self.credential_calls_per_hour),
        ];
        for (name, level) in levels {
            if !(level.warning.is_finite() && level.critical.is_finite())
                || level.warning <= 0.0
                || level.critical < level.warning
            {
                return Err(crate::error::Error::input(format!(
                    "anomaly threshold {name}: warning {} / critical {} must be positive with warning <= critical",
                    level.warning, level.critical
                )));
            }
        }
        let windows = [
            ("session_window_secs", self.session_window_secs),
            ("error_rate_window_secs", self.error_rate_window_secs),
            ("trend_baseline_minutes", self.trend_baseline_minutes),
        ];
        for (name, value) in windows {
            if value <= 0 {
                return Err(crate::error::Error::input(format!(
                    "anomaly threshold {name} must be a positive number, got {value}"
                )));
            }
        }
        Ok(())
    }

    /// Whether a tool name looks like it handles credentials: one of the
    /// patterns occurs in the name, case-insensitively and ignoring the
    /// separators `_`, `-`, `.` and spaces (so `get_api_key` matches
    /// `apikey`).
    pub fn is_credential_tool(&self, tool_name: &str) -> bool {
        let squash = |s: &str| -> String {
            s.chars()
                .filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
                .flat_map(char::to_lowercase)
                .collect()
        };
        let name = squash(tool_name);
        self.credential_patterns.iter().any(|p| {
            let p = squash(p);
            !p.is_empty() && name.contains(&p)
        })
    }
}
