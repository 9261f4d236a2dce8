//! Audit lookups (id prefixes and what they resolve to) and the review verdicts appended to them.

use super::*;

/// Which kind of id an audit prefix resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    Request,
    Task,
    Trace,
}

impl From<IdKind> for ReviewTarget {
    fn from(kind: IdKind) -> Self {
        match kind {
            IdKind::Request => ReviewTarget::Request,
            IdKind::Task => ReviewTarget::Task,
            IdKind::Trace => ReviewTarget::Trace,
        }
    }
}

impl IdKind {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Request => "request",
            IdKind::Task => "task",
            IdKind::Trace => "trace",
        }
    }
}

/// Shortest prefix accepted by an audit lookup.
pub const MIN_AUDIT_PREFIX: usize = 4;

/// Most candidates returned for an ambiguous prefix.
pub const MAX_AUDIT_CANDIDATES: usize = 20;

/// The outcome of an audit lookup. A prefix matching nothing is
/// `Error::NotFound`, not a variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "resolution", rename_all = "snake_case")]
pub enum AuditResolution {
    Found(Box<AuditRecord>),
    Ambiguous {
        prefix: String,
        candidates: Vec<AuditCandidate>,
    },
}

/// One id that an ambiguous prefix matched.
/// `created_at` is the earliest row carrying the id (a trace or task id
/// appears in several tables). Candidates are ordered by `created_at` desc,
/// then kind, then id. The input is trimmed; exactly one (kind, id) equal to
/// it wins outright, otherwise exactly one distinct (kind, id) starting with
/// it is found, and several (including several exact ones) are ambiguous.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCandidate {
    pub kind: IdKind,
    pub id: String,
    pub created_at: Timestamp,
}

/// Everything an auditor needs about the resolved id: the AI requests
/// (one for a request id; all of the task's or trace's otherwise), each with
///
/// Requests in `created_at`, id order; messages by `sequence_number`; tool
/// calls by `sequence_number`; MCP executions (linked through
/// `ai_request_tool_calls.mcp_execution_id` or the request's own
/// `mcp_execution_id`) by `started_at`, id. `trace_id` of a request or task
/// is the task's trace, else the first request's; `task_id` of a trace is
/// its earliest task.
/// its conversation, tool calls and linked MCP executions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub matched_kind: IdKind,
    pub matched_id: String,
    pub trace_id: Option<TraceId>,
    pub task_id: Option<TaskId>,
    pub request_ids: Vec<AiRequestId>,
    pub task: Option<AgentTaskRecord>,
    pub requests: Vec<AuditRequest>,
}

/// One AI request with its conversation, tool calls and MCP executions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRequest {
    pub request: AiRequestRecord,
    pub messages: Vec<MessageRecord>,
    pub tool_calls: Vec<ToolCallRecord>,
    pub mcp_executions: Vec<McpExecutionRecord>,
}

/// A verdict to append.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReview {
    pub target_kind: ReviewTarget,
    pub target_id: String,
    pub verdict: Verdict,
    pub note: Option<String>,
    pub reviewer: String,
}

impl NewReview {
    /// Check a verdict before it is written (by any store): non-empty
    /// target and reviewer (its kind and verdict are typed, so known).
    pub fn validate(&self) -> crate::error::Result<()> {
        if self.target_id.trim().is_empty() {
            return Err(crate::error::Error::input(
                "a review needs the id of what was reviewed",
            ));
        }
        if self.reviewer.trim().is_empty() {
            return Err(crate::error::Error::input("a review needs a reviewer name"));
        }
        Ok(())
    }
}

/// Which verdicts to read.
/// Newest first (`created_at`, then id, descending); `window` (half-open,
/// on `created_at`) keeps the verdicts given in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewFilter {
    pub target_kind: Option<ReviewTarget>,
    pub target_id: Option<String>,
    pub limit: usize,
    #[serde(default)]
    pub window: Option<TimeWindow>,
}
