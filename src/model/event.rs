//! The one Event type for everything that moves.
//!
//! Serialized as JSON with a snake_case `type` field; variants carry whole
//! records so a consumer (LiveEngine, the console, `tail`) never needs a
//! second query. The wire format is a contract: add variants and optional
//! fields, never rename. Anything we cannot decode becomes
//! [`Event::Unknown`] with its raw text kept, see [`Event::from_json`].

use super::analytics::*;
use super::records::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A live change, a snapshot, or a stream-control notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// An AI request was opened (status `pending`).
    AiRequestStarted { request: AiRequestRecord },
    /// An AI request finished; carries the conversation and tool calls.
    AiRequestCompleted {
        request: AiRequestRecord,
        #[serde(default)]
        messages: Vec<MessageRecord>,
        #[serde(default)]
        tool_calls: Vec<ToolCallRecord>,
    },
    /// An AI request failed.
    AiRequestFailed {
        request: AiRequestRecord,
        #[serde(default)]
        messages: Vec<MessageRecord>,
        #[serde(default)]
        tool_calls: Vec<ToolCallRecord>,
    },
    /// An MCP tool execution was recorded or changed status.
    McpExecution { execution: McpExecutionRecord },
    /// A log line.
    Log { log: LogRecord },
    /// A task was created or changed state.
    TaskUpdated { task: AgentTaskRecord },
    /// An execution step of a task.
    ExecutionStep { step: StepRecord },
    /// A session started.
    SessionStarted { session: SessionRecord },
    /// A session ended.
    SessionEnded { session: SessionRecord },
    /// A user was created or first seen.
    UserSeen { user: UserRecord },
    /// A conversation (context) was created.
    ContextCreated { context: ContextRecord },
    /// Periodic platform counters from the source.
    StatsSnapshot { stats: StatsSnapshot },
    /// A visitor session began (a systemprompt analytics stream's
    /// SESSION_STARTED).
    AnalyticsSessionStarted { session: AnalyticsSessionStart },
    /// A visitor session ended (SESSION_ENDED).
    AnalyticsSessionEnded { session: AnalyticsSessionEnd },
    /// A page was viewed (PAGE_VIEW).
    PageView { page_view: PageView },
    /// Scroll depth and time on a page (ENGAGEMENT_UPDATE).
    EngagementUpdate { engagement: EngagementUpdate },
    /// An anomaly crossed a threshold.
    AnomalyRaised { anomaly: Anomaly },
    /// An open anomaly crossed its critical threshold.
    AnomalyEscalated { anomaly: Anomaly },
    /// An open anomaly went back under its threshold.
    AnomalyCleared { anomaly: Anomaly },
    /// Keep-alive from the source.
    Heartbeat { at: DateTime<Utc> },
    /// Events were lost between two cursors (replay ring too short, or the
    /// consumer fell behind and dropped the oldest), or, on a stream
    /// without ids, between two times (the connection was lost at
    /// `from_time` and back at `to_time`; what the server sent in between
    /// is gone and its number unknown).
    Gap {
        #[serde(default)]
        from_cursor: Option<u64>,
        #[serde(default)]
        to_cursor: Option<u64>,
        #[serde(default)]
        dropped: u64,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from_time: Option<DateTime<Utc>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_time: Option<DateTime<Utc>>,
    },
    /// Anything we could not decode, kept verbatim.
    Unknown {
        #[serde(default)]
        type_name: Option<String>,
        raw: String,
    },
}

/// Platform counters as a source reports them (systemprompt's
/// REAL_TIME_STATS, or our own serve).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsSnapshot {
    pub at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub active_users: Option<i64>,
    #[serde(default)]
    pub active_sessions: Option<i64>,
    #[serde(default)]
    pub requests_per_minute: Option<f64>,
    /// Page views in the last five minutes (systemprompt only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_views_last_5m: Option<i64>,
    /// Requests from bots in the last five minutes (systemprompt only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_requests_last_5m: Option<i64>,
}

/// Anomaly severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Critical,
}

/// A detected anomaly: which rule, about what, how bad.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    /// Stable id: rule + subject, so raise/escalate/clear refer to one thing.
    pub id: String,
    /// Rule name, e.g. `requests_per_minute`, `mcp_payload_size`.
    pub rule: String,
    /// What the rule is about: a user id, a tool name, a fingerprint.
    pub subject: String,
    pub severity: Severity,
    /// Observed value.
    pub value: f64,
    /// Threshold crossed.
    pub threshold: f64,
    pub message: String,
    pub raised_at: DateTime<Utc>,
    #[serde(default)]
    pub trace_id: Option<super::ids::TraceId>,
    /// The budget's figures when the anomaly is a budget's
    /// (`budget_warning` / `budget_exceeded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Box<super::budget::BudgetStatus>>,
}

/// The kind of an event, for `--kind` filters and feed columns.
impl Event {
    /// The `type` tag of this event.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::AiRequestStarted { .. } => "ai_request_started",
            Event::AiRequestCompleted { .. } => "ai_request_completed",
            Event::AiRequestFailed { .. } => "ai_request_failed",
            Event::McpExecution { .. } => "mcp_execution",
            Event::Log { .. } => "log",
            Event::TaskUpdated { .. } => "task_updated",
            Event::ExecutionStep { .. } => "execution_step",
            Event::SessionStarted { .. } => "session_started",
            Event::SessionEnded { .. } => "session_ended",
            Event::UserSeen { .. } => "user_seen",
            Event::ContextCreated { .. } => "context_created",
            Event::StatsSnapshot { .. } => "stats_snapshot",
            Event::AnalyticsSessionStarted { .. } => "analytics_session_started",
            Event::AnalyticsSessionEnded { .. } => "analytics_session_ended",
            Event::PageView { .. } => "page_view",
            Event::EngagementUpdate { .. } => "engagement_update",
            Event::AnomalyRaised { .. } => "anomaly_raised",
            Event::AnomalyEscalated { .. } => "anomaly_escalated",
            Event::AnomalyCleared { .. } => "anomaly_cleared",
            Event::Heartbeat { .. } => "heartbeat",
            Event::Gap { .. } => "gap",
            Event::Unknown { .. } => "unknown",
        }
    }

    /// Every kind name, for help text and `--kind` validation.
    pub const KINDS: &'static [&'static str] = &[
        "ai_request_started",
        "ai_request_completed",
        "ai_request_failed",
        "mcp_execution",
        "log",
        "task_updated",
        "execution_step",
        "session_started",
        "session_ended",
        "user_seen",
        "context_created",
        "stats_snapshot",
        "analytics_session_started",
        "analytics_session_ended",
        "page_view",
        "engagement_update",
        "anomaly_raised",
        "anomaly_escalated",
        "anomaly_cleared",
        "heartbeat",
        "gap",
        "unknown",
    ];

    /// When this event happened, according to its payload.
    pub fn occurred_at(&self) -> Option<DateTime<Utc>> {
        Some(match self {
            Event::AiRequestStarted { request } => request.created_at,
            Event::AiRequestCompleted { request, .. } | Event::AiRequestFailed { request, .. } => {
                request.completed_at.unwrap_or(request.updated_at)
            }
            Event::McpExecution { execution } => {
                execution.completed_at.unwrap_or(execution.started_at)
            }
            Event::Log { log } => log.timestamp,
            Event::TaskUpdated { task } => task.updated_at,
            Event::ExecutionStep { step } => step.completed_at.unwrap_or(step.started_at),
            Event::SessionStarted { session } => session.started_at,
            Event::SessionEnded { session } => session.ended_at.unwrap_or(session.last_activity_at),
            Event::UserSeen { user } => user.created_at,
            Event::ContextCreated { context } => context.created_at,
            Event::StatsSnapshot { stats } => return stats.at,
            Event::AnalyticsSessionStarted { session } => session.timestamp,
            Event::AnalyticsSessionEnded { session } => session.timestamp,
            Event::PageView { page_view } => page_view.timestamp,
            Event::EngagementUpdate { engagement } => engagement.timestamp,
            Event::AnomalyRaised { anomaly }
            | Event::AnomalyEscalated { anomaly }
            | Event::AnomalyCleared { anomaly } => anomaly.raised_at,
            Event::Heartbeat { at } => *at,
            Event::Gap { to_time, .. } => return *to_time,
            Event::Unknown { .. } => return None,
        })
    }

    /// The trace this event belongs to, if any.
    pub fn trace_id(&self) -> Option<&super::ids::TraceId> {
        match self {
            Event::AiRequestStarted { request }
            | Event::AiRequestCompleted { request, .. }
            | Event::AiRequestFailed { request, .. } => request.trace_id.as_ref(),
            Event::McpExecution { execution } => execution.trace_id.as_ref(),
            Event::Log { log } => log.trace_id.as_ref(),
            Event::TaskUpdated { task } => task.trace_id.as_ref(),
            Event::AnomalyRaised { anomaly }
            | Event::AnomalyEscalated { anomaly }
            | Event::AnomalyCleared { anomaly } => anomaly.trace_id.as_ref(),
            _ => None,
        }
    }

    /// For a gap in time (a stream without ids reconnected), the line that
    /// says so: `events between 10:00:01 and 10:00:09 not received (…)`,
    /// times in UTC. `None` for other events and for gaps between cursors.
    pub fn time_gap_line(&self) -> Option<String> {
        let Event::Gap {
            from_time: Some(from),
            to_time: Some(to),
            reason,
            ..
        } = self
        else {
            return None;
        };
        Some(format!(
            "events between {} and {} not received ({})",
            from.format("%H:%M:%S"),
            to.format("%H:%M:%S"),
            crate::sanitize::clean(reason)
        ))
    }

    /// Decode one JSON text. Never fails: text that is not one of our events
    /// becomes [`Event::Unknown`] with the `type` it claimed (if any) and the
    /// raw text.
    pub fn from_json(raw: &str) -> Event {
        match serde_json::from_str::<Event>(raw) {
            Ok(event) => event,
            Err(_) => {
                let type_name = serde_json::from_str::<serde_json::Value>(raw)
                    .ok()
                    .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string));
                Event::Unknown {
                    type_name,
                    raw: raw.to_string(),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heartbeat_round_trips_with_type_tag() {
        let at = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let json = serde_json::to_string(&Event::Heartbeat { at }).unwrap();
        assert_eq!(json, r#"{"type":"heartbeat","at":"2026-11-23T10:00:00Z"}"#);
        assert_eq!(Event::from_json(&json), Event::Heartbeat { at });
    }

    #[test]
    fn unknown_type_is_kept_raw() {
        let raw = r#"{"type":"PAGE_VIEW","path":"/x"}"#;
        match Event::from_json(raw) {
            Event::Unknown {
                type_name,
                raw: kept,
            } => {
                assert_eq!(type_name.as_deref(), Some("PAGE_VIEW"));
                assert_eq!(kept, raw);
            }
            other => panic!("expected unknown, got {other:?}"),
        }
        assert!(matches!(
            Event::from_json("not json"),
            Event::Unknown {
                type_name: None,
                ..
            }
        ));
    }

    #[test]
    fn every_kind_is_listed() {
        let hb = Event::Heartbeat { at: Utc::now() };
        assert!(Event::KINDS.contains(&hb.kind()));
        assert_eq!(Event::KINDS.len(), 22);
    }
}
