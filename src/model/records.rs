//! One record type per audited table, field for field with the data contract
//! in `design.md` (systemprompt-core column names). Status columns stay plain
//! strings because a real database may hold values we do not know; helpers
//! classify them. JSON-ish columns (`input`, `output`, `content`, `metadata`,
//! `tool_input`) are carried as text: queries select them with `::text`.
//!
//! Fields a real gateway fills but older deployments (and old JSON streams)
//! lack are `Option`s that default when absent and are left out of JSON
//! when unknown, so existing field names and payloads stay as they were.

use super::ids::*;
use super::money::Microdollars;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Timestamp type used everywhere.
pub type Timestamp = DateTime<Utc>;

/// `users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct UserRecord {
    pub id: UserId,
    pub name: String,
    pub email: Option<String>,
    pub status: String,
    pub roles: Vec<String>,
    pub created_at: Timestamp,
}

/// `user_sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct SessionRecord {
    pub session_id: SessionId,
    pub user_id: Option<UserId>,
    pub started_at: Timestamp,
    pub last_activity_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    pub client_id: Option<ClientId>,
    pub request_count: i32,
    pub ai_request_count: i32,
    pub total_tokens_used: i64,
    pub total_ai_cost_microdollars: Microdollars,
    pub user_agent: Option<String>,
    pub device_type: Option<String>,
    pub browser: Option<String>,
    pub os: Option<String>,
    pub country: Option<String>,
    pub referrer_source: Option<String>,
    pub landing_page: Option<String>,
    pub fingerprint_hash: Option<String>,
    pub is_bot: bool,
    pub is_scanner: bool,
    pub is_behavioral_bot: bool,
    pub session_source: Option<String>,
    /// Flagged as an AI crawler (`is_ai_crawler`; absent in older schemas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_ai_crawler: Option<bool>,
}

/// `user_contexts`: one conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ContextRecord {
    pub context_id: ContextId,
    pub user_id: UserId,
    pub session_id: Option<SessionId>,
    pub name: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// `agent_tasks`. `status` holds `TASK_STATE_*` values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AgentTaskRecord {
    pub task_id: TaskId,
    pub context_id: Option<ContextId>,
    pub status: String,
    pub user_id: Option<UserId>,
    pub session_id: Option<SessionId>,
    pub trace_id: Option<TraceId>,
    pub agent_name: Option<String>,
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub execution_time_ms: Option<i32>,
    pub error_message: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Task states as systemprompt writes them.
pub mod task_state {
    pub const SUBMITTED: &str = "TASK_STATE_SUBMITTED";
    pub const WORKING: &str = "TASK_STATE_WORKING";
    pub const COMPLETED: &str = "TASK_STATE_COMPLETED";
    pub const FAILED: &str = "TASK_STATE_FAILED";
    pub const CANCELED: &str = "TASK_STATE_CANCELED";

    /// Whether a task in `state` has finished (completed, failed,
    /// canceled or rejected); every other state is still running.
    pub fn is_final(state: &str) -> bool {
        matches!(
            state,
            COMPLETED | FAILED | CANCELED | "TASK_STATE_REJECTED" | "TASK_STATE_UNKNOWN"
        )
    }
}

/// `task_execution_steps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct StepRecord {
    pub step_id: StepId,
    pub task_id: TaskId,
    pub step_type: String,
    pub title: Option<String>,
    pub status: String,
    pub content: Option<String>,
    pub started_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    pub duration_ms: Option<i32>,
    pub error_message: Option<String>,
}

/// `ai_requests`. `status` is `pending`, `completed` or `failed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AiRequestRecord {
    pub id: AiRequestId,
    pub request_id: String,
    pub user_id: UserId,
    pub session_id: Option<SessionId>,
    pub task_id: Option<TaskId>,
    pub context_id: Option<ContextId>,
    pub trace_id: Option<TraceId>,
    pub mcp_execution_id: Option<McpExecutionId>,
    pub provider: String,
    pub model: String,
    pub tokens_used: Option<i32>,
    pub input_tokens: Option<i32>,
    pub output_tokens: Option<i32>,
    pub cost_microdollars: Microdollars,
    pub latency_ms: Option<i32>,
    pub cache_hit: bool,
    pub status: String,
    pub error_message: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    /// The model the caller asked for; differs from `model` (served) when
    /// the gateway routed to a fallback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_model: Option<String>,
    /// Input tokens read from the provider's prompt cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read_tokens: Option<i32>,
    /// Input tokens written to the provider's prompt cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation_tokens: Option<i32>,
    /// Whether the response was streamed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_streaming: Option<bool>,
    /// Who made the request: `user`, `job` or `mcp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_kind: Option<String>,
    /// The user, job or MCP server id behind `actor_kind`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    /// Synthetic (test or probe) traffic, not a real caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synthetic: Option<bool>,
    /// The gateway's conversation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_conversation_id: Option<String>,
    /// The provider's own id for this request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_request_id: Option<String>,
}

impl AiRequestRecord {
    /// The model the caller asked for, when the gateway served another one
    /// (a routed fallback).
    pub fn rerouted_from(&self) -> Option<&str> {
        self.requested_model
            .as_deref()
            .filter(|asked| !asked.is_empty() && *asked != self.model)
    }

    /// The served model, as `requested → served` when they differ.
    pub fn model_label(&self) -> String {
        match self.rerouted_from() {
            Some(asked) => format!("{asked} → {}", self.model),
            None => self.model.clone(),
        }
    }

    /// Who made the request, `kind id` (`job nightly-digest`), when known.
    pub fn actor_label(&self) -> Option<String> {
        let kind = self.actor_kind.as_deref().filter(|k| !k.is_empty())?;
        Some(match self.actor_id.as_deref().filter(|i| !i.is_empty()) {
            Some(id) => format!("{kind} {id}"),
            None => kind.to_string(),
        })
    }

    /// Synthetic (test or probe) traffic.
    pub fn is_synthetic(&self) -> bool {
        self.synthetic.unwrap_or(false)
    }
}

/// Actor kinds of an AI request (`ai_requests.actor_kind`).
pub mod actor_kind {
    pub const USER: &str = "user";
    pub const JOB: &str = "job";
    pub const MCP: &str = "mcp";
}

/// AI request statuses.
pub mod request_status {
    pub const PENDING: &str = "pending";
    pub const COMPLETED: &str = "completed";
    pub const FAILED: &str = "failed";
}

/// `ai_request_messages`: one turn of the conversation sent to or received
/// from the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct MessageRecord {
    pub request_id: AiRequestId,
    pub role: String,
    pub content: String,
    pub sequence_number: i32,
    pub name: Option<String>,
    pub tool_call_id: Option<String>,
}

/// `ai_request_tool_calls`: a tool call the model asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ToolCallRecord {
    pub request_id: AiRequestId,
    pub tool_name: String,
    pub tool_input: String,
    pub mcp_execution_id: Option<McpExecutionId>,
    pub ai_tool_call_id: Option<String>,
    pub sequence_number: i32,
}

/// `mcp_tool_executions`. `status` is pending/success/failed/timeout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct McpExecutionRecord {
    pub mcp_execution_id: McpExecutionId,
    pub tool_name: String,
    pub server_name: String,
    pub started_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    pub execution_time_ms: Option<i32>,
    pub input: String,
    pub output: Option<String>,
    pub status: String,
    pub error_message: Option<String>,
    pub user_id: Option<UserId>,
    pub session_id: Option<SessionId>,
    pub context_id: Option<ContextId>,
    pub task_id: Option<TaskId>,
    pub trace_id: Option<TraceId>,
    pub created_at: Timestamp,
}

/// MCP execution statuses.
pub mod mcp_status {
    pub const PENDING: &str = "pending";
    pub const SUCCESS: &str = "success";
    pub const FAILED: &str = "failed";
    pub const TIMEOUT: &str = "timeout";
}

/// `logs`. `level` is ERROR/WARN/INFO/DEBUG/TRACE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct LogRecord {
    pub id: LogId,
    pub timestamp: Timestamp,
    pub level: String,
    pub module: String,
    pub message: String,
    pub metadata: Option<String>,
    pub user_id: Option<UserId>,
    pub session_id: Option<SessionId>,
    pub task_id: Option<TaskId>,
    pub trace_id: Option<TraceId>,
    pub context_id: Option<ContextId>,
    pub client_id: Option<ClientId>,
    /// The gateway's conversation id (absent in older schemas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_conversation_id: Option<String>,
    /// The provider's request id (absent in older schemas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_request_id: Option<String>,
}

/// `tracetop_reviews`: one append-only audit verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ReviewRecord {
    pub id: i64,
    pub target_kind: ReviewTarget,
    pub target_id: String,
    pub verdict: Verdict,
    pub note: Option<String>,
    pub reviewer: String,
    pub created_at: Timestamp,
}

super::text_enum::text_enum!(
    /// An audit verdict.
    Verdict, "verdict", {
        Ok => "ok",
        Flag => "flag",
        Escalate => "escalate",
    }
);

super::text_enum::text_enum!(
    /// What a verdict is about (the `tracetop_reviews.target_kind` CHECK).
    ReviewTarget, "review target kind", {
        Request => "request",
        Task => "task",
        Trace => "trace",
        McpExecution => "mcp_execution",
        Log => "log",
        Anomaly => "anomaly",
    }
);

/// A log level, most severe first (the `logs.level` CHECK allows these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    /// Every level, most severe first.
    pub const ALL: [LogLevel; 5] = [
        LogLevel::Error,
        LogLevel::Warn,
        LogLevel::Info,
        LogLevel::Debug,
        LogLevel::Trace,
    ];

    /// This level and every more severe one, as a log filter's level set
    /// (`WARN` → `ERROR,WARN`).
    pub fn and_worse(self) -> String {
        LogLevel::ALL
            .iter()
            .take_while(|l| **l <= self)
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The name as stored (`ERROR`, `WARN`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "ERROR",
            LogLevel::Warn => "WARN",
            LogLevel::Info => "INFO",
            LogLevel::Debug => "DEBUG",
            LogLevel::Trace => "TRACE",
        }
    }
}

impl std::str::FromStr for LogLevel {
    type Err = String;

    /// Case-insensitive; `warning` is accepted for `WARN`.
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let upper = text.trim().to_ascii_uppercase();
        let upper = if upper == "WARNING" {
            "WARN".to_string()
        } else {
            upper
        };
        LogLevel::ALL
            .into_iter()
            .find(|l| l.as_str() == upper)
            .ok_or_else(|| {
                format!("unknown log level {text:?}: use error, warn, info, debug or trace")
            })
    }
}
