//! The detection rules: what each one watches, its warning and critical
//! levels and window (from the thresholds), and how a finding reads.

use super::thresholds::{Level, Thresholds};
use chrono::Duration;

/// One detection rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// AI requests per user in the last minute.
    RequestsPerMinute,
    /// Sessions started per fingerprint in the session window.
    SessionsPerFingerprint,
    /// Platform-wide share of failed AI requests.
    ErrorRate,
    /// Requests in the last minute over the trailing per-minute average.
    TrendSpike,
    /// Calls of one MCP tool in the last minute.
    McpCallsPerMinute,
    /// Largest MCP input or output (bytes) in the last five minutes.
    McpPayloadSize,
    /// Longest MCP execution (ms) in the last five minutes.
    McpExecutionTime,
    /// Share of failed/timed-out calls of one tool.
    McpErrorRate,
    /// Calls of a credential-like tool in the last hour.
    CredentialToolCalls,
}

impl Rule {
    /// Every rule.
    pub const ALL: [Rule; 9] = [
        Rule::RequestsPerMinute,
        Rule::SessionsPerFingerprint,
        Rule::ErrorRate,
        Rule::TrendSpike,
        Rule::McpCallsPerMinute,
        Rule::McpPayloadSize,
        Rule::McpExecutionTime,
        Rule::McpErrorRate,
        Rule::CredentialToolCalls,
    ];

    /// The rule's name in anomaly ids and output.
    pub fn name(self) -> &'static str {
        match self {
            Rule::RequestsPerMinute => "requests_per_minute",
            Rule::SessionsPerFingerprint => "session_count_per_fingerprint",
            Rule::ErrorRate => "error_rate",
            Rule::TrendSpike => "trend_spike",
            Rule::McpCallsPerMinute => "mcp_calls_per_minute",
            Rule::McpPayloadSize => "mcp_payload_size",
            Rule::McpExecutionTime => "mcp_execution_time",
            Rule::McpErrorRate => "mcp_error_rate",
            Rule::CredentialToolCalls => "credential_tool_calls",
        }
    }

    pub(super) fn level(self, t: &Thresholds) -> Level {
        match self {
            Rule::RequestsPerMinute => t.requests_per_minute,
            Rule::SessionsPerFingerprint => t.session_count_per_fingerprint,
            Rule::ErrorRate => t.error_rate,
            Rule::TrendSpike => t.trend_spike,
            Rule::McpCallsPerMinute => t.mcp_calls_per_minute,
            Rule::McpPayloadSize => t.mcp_payload_bytes,
            Rule::McpExecutionTime => t.mcp_execution_ms,
            Rule::McpErrorRate => t.mcp_error_rate,
            Rule::CredentialToolCalls => t.credential_calls_per_hour,
        }
    }

    /// "Over N" rules fire strictly above the level.
    pub(super) fn strict(self) -> bool {
        matches!(
            self,
            Rule::McpCallsPerMinute
                | Rule::McpPayloadSize
                | Rule::McpExecutionTime
                | Rule::McpErrorRate
                | Rule::CredentialToolCalls
        )
    }

    pub(super) fn window(self, t: &Thresholds) -> Duration {
        match self {
            Rule::RequestsPerMinute | Rule::TrendSpike | Rule::McpCallsPerMinute => {
                Duration::minutes(1)
            }
            Rule::SessionsPerFingerprint => Duration::seconds(t.session_window_secs),
            Rule::ErrorRate | Rule::McpErrorRate => Duration::seconds(t.error_rate_window_secs),
            Rule::McpPayloadSize | Rule::McpExecutionTime => Duration::minutes(5),
            Rule::CredentialToolCalls => Duration::hours(1),
        }
    }

    pub(super) fn reaches(self, value: f64, level: f64) -> bool {
        if self.strict() {
            value > level
        } else {
            value >= level
        }
    }

    pub(super) fn describe(self, subject: &str, value: f64, level: f64) -> String {
        match self {
            Rule::RequestsPerMinute => {
                format!(
                    "user {subject} made {value} AI requests in the last minute (threshold {level})"
                )
            }
            Rule::SessionsPerFingerprint => {
                format!(
                    "fingerprint {subject} started {value} sessions in the window (threshold {level})"
                )
            }
            Rule::ErrorRate => format!(
                "{:.1}% of AI requests failed in the window (threshold {:.1}%)",
                value * 100.0,
                level * 100.0
            ),
            Rule::TrendSpike => format!(
                "requests in the last minute are {value:.1}x the trailing average (threshold {level}x)"
            ),
            Rule::McpCallsPerMinute => {
                format!(
                    "tool {subject} was called {value} times in the last minute (threshold {level})"
                )
            }
            Rule::McpPayloadSize => {
                format!("tool {subject} moved a {value} byte payload (threshold {level} bytes)")
            }
            Rule::McpExecutionTime => {
                format!("tool {subject} ran for {value} ms (threshold {level} ms)")
            }
            Rule::McpErrorRate => format!(
                "{:.1}% of calls to tool {subject} failed in the window (threshold {:.1}%)",
                value * 100.0,
                level * 100.0
            ),
            Rule::CredentialToolCalls => format!(
                "credential-like tool {subject} was called {value} times in the last hour (threshold {level})"
            ),
        }
    }
}
