//! The trace list's filter and rows, and one trace's detail (events, delegation chain).

use super::*;

/// Filter for the trace list. A trace is listed when it has at least one
/// AI request, MCP execution or agent task created in the window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TraceListFilter {
    pub window: Option<TimeWindow>,
    /// Exact agent name of a task in the trace.
    pub agent: Option<String>,
    /// Normalised status (see [`TraceListItem::status`]).
    pub status: Option<String>,
    /// Exact tool name of an MCP execution in the trace.
    pub tool: Option<String>,
    /// Only traces with (true) or without (false) MCP executions.
    pub has_mcp: Option<bool>,
    pub user: Option<UserId>,
    pub limit: usize,
    /// Exact (served) model of an AI request in the trace.
    #[serde(default)]
    pub model: Option<String>,
    /// Exact provider of an AI request in the trace.
    #[serde(default)]
    pub provider: Option<String>,
    /// Only traces every AI request, MCP execution and task of which
    /// belongs to this user (a NULL user is nobody's), so every count and
    /// sum of a listed row is computed from this user's rows only. `serve`
    /// sets it for a user-scoped token.
    #[serde(default)]
    pub sole_user: Option<UserId>,
}

/// One row of the trace list.
///
/// `status` (as the platform reports it): `failed` when any of the trace's
/// AI requests failed or MCP executions failed/timed out; otherwise the
/// lower-case state of the earliest task (`TASK_STATE_COMPLETED` →
/// `completed`) when it has one; otherwise `pending` if any request or
/// execution is pending, else `completed`. `task_status` is the earliest
/// task's own state, lower-cased, so a completed task whose tool call
/// failed reads `failed` with `task_status` `completed`.
///
/// `started_at` / `last_activity_at`: earliest / latest `created_at` of the
/// trace's AI requests, MCP executions and tasks (all of its rows, not only
/// those in the window). `user_id`: the earliest task's, else the earliest
/// AI request's, else the earliest MCP execution's non-NULL user.
/// `agent_name`: the earliest task's. Counts and sums cover every row of the
/// trace; `error_count` = failed AI requests + failed/timed-out MCP
/// executions. Ordered by `started_at` desc, then trace id. The `status`
/// filter is compared after [`normalise_status`]; the `user` filter matches
/// `user_id` as defined here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceListItem {
    pub trace_id: TraceId,
    pub started_at: Timestamp,
    pub last_activity_at: Timestamp,
    pub user_id: Option<UserId>,
    pub agent_name: Option<String>,
    pub status: String,
    #[serde(default)]
    pub task_status: Option<String>,
    pub request_count: i64,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
    pub mcp_count: i64,
    pub error_count: i64,
}

/// Normalise a task or request status for the trace list.
pub fn normalise_status(status: &str) -> String {
    status
        .strip_prefix("TASK_STATE_")
        .unwrap_or(status)
        .to_ascii_lowercase()
}

/// One row of a trace timeline. Serializes with a `kind` tag and the
/// record's own fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TraceEvent {
    Log(LogRecord),
    AiRequest(AiRequestRecord),
    McpExecution(McpExecutionRecord),
    Step(StepRecord),
}

impl TraceEvent {
    /// When the row happened: log timestamp, request created_at, MCP and
    /// step started_at.
    pub fn at(&self) -> Timestamp {
        match self {
            TraceEvent::Log(l) => l.timestamp,
            TraceEvent::AiRequest(r) => r.created_at,
            TraceEvent::McpExecution(m) => m.started_at,
            TraceEvent::Step(s) => s.started_at,
        }
    }

    /// Sort rank of the kind for rows at the same instant.
    pub fn kind_rank(&self) -> u8 {
        match self {
            TraceEvent::Step(_) => 0,
            TraceEvent::AiRequest(_) => 1,
            TraceEvent::McpExecution(_) => 2,
            TraceEvent::Log(_) => 3,
        }
    }

    /// The row's own id.
    pub fn id(&self) -> &str {
        match self {
            TraceEvent::Log(l) => l.id.as_str(),
            TraceEvent::AiRequest(r) => r.id.as_str(),
            TraceEvent::McpExecution(m) => m.mcp_execution_id.as_str(),
            TraceEvent::Step(s) => s.step_id.as_str(),
        }
    }

    /// Timeline order: time, then kind rank, then id.
    pub fn sort_timeline(events: &mut [TraceEvent]) {
        events.sort_by(|a, b| {
            a.at()
                .cmp(&b.at())
                .then(a.kind_rank().cmp(&b.kind_rank()))
                .then_with(|| a.id().cmp(b.id()))
        });
    }
}

/// AI requests of one trace, summed.
/// `failed_count`: status `failed`; NULL tokens and latencies count as 0.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AiRequestSummary {
    pub request_count: i64,
    pub failed_count: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
    pub total_latency_ms: i64,
}

/// MCP executions of one trace, summed.
/// `failed_count`: status `failed` or `timeout`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpExecutionSummary {
    pub execution_count: i64,
    pub failed_count: i64,
    pub total_execution_time_ms: i64,
}

/// Execution steps of the trace's tasks, summed.
/// `completed_count` / `failed_count`: step status `completed` / `failed`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionStepSummary {
    pub step_count: i64,
    pub completed_count: i64,
    pub failed_count: i64,
    pub total_duration_ms: i64,
}

/// One trace: every log, AI request, MCP execution and step row sharing the
/// trace id (steps through the trace's tasks), in timeline order, with the
/// summaries, the linked (earliest) task, and every task of the trace
/// (a delegation chain: the parent first, then its sub-agents, by
/// `created_at`, then `task_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceDetail {
    pub trace_id: TraceId,
    pub events: Vec<TraceEvent>,
    pub ai_summary: AiRequestSummary,
    pub mcp_summary: McpExecutionSummary,
    pub step_summary: ExecutionStepSummary,
    pub task: Option<AgentTaskRecord>,
    #[serde(default)]
    pub tasks: Vec<AgentTaskRecord>,
}

/// One row of a trace drawn as a delegation chain (see
/// [`TraceDetail::chain_rows`]). `depth` 0 is the parent task (or the
/// trace itself without tasks), 1 a sub-agent's task or the parent's rows,
/// 2 a sub-agent's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainRow<'a> {
    Task {
        task: &'a AgentTaskRecord,
        depth: u8,
    },
    Event {
        event: &'a TraceEvent,
        depth: u8,
    },
}

impl<'a> ChainRow<'a> {
    /// The row's own id (task id or event id).
    pub fn id(&self) -> &'a str {
        match self {
            ChainRow::Task { task, .. } => task.task_id.as_str(),
            ChainRow::Event { event, .. } => event.id(),
        }
    }
}

impl TraceEvent {
    /// The task the row belongs to, when it names one.
    pub fn task_id(&self) -> Option<&str> {
        match self {
            TraceEvent::Log(l) => l.task_id.as_ref().map(|t| t.as_str()),
            TraceEvent::AiRequest(r) => r.task_id.as_ref().map(|t| t.as_str()),
            TraceEvent::McpExecution(m) => m.task_id.as_ref().map(|t| t.as_str()),
            TraceEvent::Step(s) => Some(s.task_id.as_str()),
        }
    }
}

impl TraceDetail {
    /// Every task of the trace, parent first (`task` alone when `tasks`
    /// is empty, as an older server sends it).
    pub fn all_tasks(&self) -> Vec<&AgentTaskRecord> {
        if self.tasks.is_empty() {
            self.task.iter().collect()
        } else {
            self.tasks.iter().collect()
        }
    }

    /// The trace as a delegation chain: the parent task, its rows (and
    /// every row naming no sub-agent's task), then each sub-agent's task
    /// followed by its own rows; rows keep timeline order within a task.
    pub fn chain_rows(&self) -> Vec<ChainRow<'_>> {
        let tasks = self.all_tasks();
        let mut out = Vec::with_capacity(self.events.len() + tasks.len());
        let child_of = |event: &TraceEvent| {
            let id = event.task_id()?;
            tasks.iter().skip(1).position(|t| t.task_id.as_str() == id)
        };
        let top = u8::from(!tasks.is_empty());
        if let Some(parent) = tasks.first() {
            out.push(ChainRow::Task {
                task: parent,
                depth: 0,
            });
        }
        for event in self.events.iter().filter(|e| child_of(e).is_none()) {
            out.push(ChainRow::Event { event, depth: top });
        }
        for (i, task) in tasks.iter().skip(1).enumerate() {
            out.push(ChainRow::Task { task, depth: 1 });
            for event in self.events.iter().filter(|e| child_of(e) == Some(i)) {
                out.push(ChainRow::Event { event, depth: 2 });
            }
        }
        out
    }
}
