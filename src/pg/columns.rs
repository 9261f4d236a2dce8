//! Shared SQL fragments: the column lists that decode into the model's
//! records (JSON-ish columns cast to `::text` so TEXT and JSONB both decode
//! into `String`), plus the small helpers every query file uses (open
//! windows, LIKE escaping, limits).
//!
//! The column lists are macros expanding to string literals so queries stay
//! `&'static str` (built with `concat!`), never strings assembled at run time.

use crate::model::Timestamp;
use crate::query::TimeWindow;
use chrono::{NaiveDate, TimeZone, Utc};

/// `ai_requests` aliased `r` → [`crate::model::AiRequestRecord`].
macro_rules! ai_request_columns {
    () => {
        "r.id, r.request_id, r.user_id, r.session_id, r.task_id, r.context_id, r.trace_id, \
         r.mcp_execution_id, r.provider, r.model, r.tokens_used, r.input_tokens, r.output_tokens, \
         r.cost_microdollars, r.latency_ms, r.cache_hit, r.status, r.error_message, r.created_at, \
         r.updated_at, r.completed_at"
    };
}

/// `mcp_tool_executions` aliased `m` → [`crate::model::McpExecutionRecord`].
macro_rules! mcp_columns {
    () => {
        "m.mcp_execution_id, m.tool_name, m.server_name, m.started_at, m.completed_at, \
         m.execution_time_ms, m.input::text AS input, m.output::text AS output, m.status, \
         m.error_message, m.user_id, m.session_id, m.context_id, m.task_id, m.trace_id, m.created_at"
    };
}

/// `logs` aliased `l` → [`crate::model::LogRecord`].
macro_rules! log_columns {
    () => {
        "l.id, l.timestamp, l.level, l.module, l.message, l.metadata::text AS metadata, l.user_id, \
         l.session_id, l.task_id, l.trace_id, l.context_id, l.client_id"
    };
}

/// `task_execution_steps` aliased `s` → [`crate::model::StepRecord`].
macro_rules! step_columns {
    () => {
        "s.step_id, s.task_id, s.step_type, s.title, s.status, s.content::text AS content, \
         s.started_at, s.completed_at, s.duration_ms, s.error_message"
    };
}

/// `agent_tasks` aliased `t` → [`crate::model::AgentTaskRecord`].
macro_rules! task_columns {
    () => {
        "t.task_id, t.context_id, t.status, t.user_id, t.session_id, t.trace_id, t.agent_name, \
         t.started_at, t.completed_at, t.execution_time_ms, t.error_message, t.created_at, t.updated_at"
    };
}

/// `ai_request_messages` aliased `msg` → [`crate::model::MessageRecord`].
macro_rules! message_columns {
    () => {
        "msg.request_id, msg.role, msg.content::text AS content, msg.sequence_number, msg.name, \
         msg.tool_call_id"
    };
}

/// `ai_request_tool_calls` aliased `tc` → [`crate::model::ToolCallRecord`].
macro_rules! tool_call_columns {
    () => {
        "tc.request_id, tc.tool_name, tc.tool_input::text AS tool_input, tc.mcp_execution_id, \
         tc.ai_tool_call_id, tc.sequence_number"
    };
}

pub(crate) use {
    ai_request_columns, log_columns, mcp_columns, message_columns, step_columns, task_columns,
    tool_call_columns,
};

/// Bounds used when a filter has no window: wide enough for any real row,
/// inside Postgres' timestamptz range, so every query keeps the same
/// index-friendly `col >= $a AND col < $b` shape.
pub(crate) fn bounds(window: Option<&TimeWindow>) -> (Timestamp, Timestamp) {
    match window {
        Some(w) => (w.start, w.end),
        None => {
            let start = NaiveDate::from_ymd_opt(1, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| Utc.from_utc_datetime(&d))
                .unwrap_or(chrono::DateTime::UNIX_EPOCH);
            let end = NaiveDate::from_ymd_opt(9999, 12, 31)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| Utc.from_utc_datetime(&d))
                .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC);
            (start, end)
        }
    }
}

/// A LIMIT parameter: `0` means no limit (bound as NULL).
pub(crate) fn limit(n: usize) -> Option<i64> {
    if n == 0 {
        None
    } else {
        Some(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

/// Escape `\`, `%` and `_` so user text matches literally in LIKE/ILIKE
/// (with the default escape character, backslash).
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Truncate a Rust-side list to a `limit` (0 = no limit).
pub(crate) fn truncate<T>(mut rows: Vec<T>, n: usize) -> Vec<T> {
    if n != 0 {
        rows.truncate(n);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_metacharacters() {
        assert_eq!(escape_like("ab_"), "ab\\_");
        assert_eq!(escape_like("50%"), "50\\%");
        assert_eq!(escape_like("a\\b"), "a\\\\b");
        assert_eq!(escape_like("plain"), "plain");
    }

    #[test]
    fn zero_limit_is_unbounded() {
        assert_eq!(limit(0), None);
        assert_eq!(limit(5), Some(5));
    }
}
