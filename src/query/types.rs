//! Filters and result types of [`super::QueryEngine`].
//!
//! Result structs serialize to the CLI's JSON contract: snake_case fields
//! whose names carry their unit (`total_cost_microdollars`, `avg_time_ms`).
//! Averages are integers (rounded half away from zero, as the platform's
//! own reports round) and rates are fractions in `[0, 1]`
//! computed from integer counts, so every engine produces bit-equal answers.
//!
//! Conventions shared by every query (where a type's doc is silent):
//! a `limit` of 0 means no limit; windows are half-open `[start, end)`;
//! ties in an ordering are broken by the name or id, ascending, in byte
//! order (Rust's `String` order, Postgres `COLLATE "C"`); "earliest task of a
//! trace" means by `created_at`, then `task_id`.

use super::window::TimeWindow;
use crate::model::*;
use serde::{Deserialize, Serialize, Serializer, ser::SerializeMap};

/// Integer average, rounded half away from zero, zero when `count` is
/// zero or negative.
pub fn int_avg(sum: i64, count: i64) -> i64 {
    if count <= 0 {
        return 0;
    }
    let (sum, count) = (i128::from(sum), i128::from(count));
    let half = count / 2;
    let rounded = if sum >= 0 {
        (sum + half) / count
    } else {
        (sum - half) / count
    };
    i64::try_from(rounded).unwrap_or(if sum >= 0 { i64::MAX } else { i64::MIN })
}

/// A fraction `part / whole`, zero when `whole` is zero.
pub fn rate(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Discrete percentile as Postgres `percentile_disc`: the first value whose
/// cumulative share reaches `p`. `sorted` must be ascending.
pub fn percentile_disc(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let pos = (p * n as f64).ceil() as usize;
    Some(sorted[pos.clamp(1, n) - 1])
}

/// The eight platform counters.
///
/// * `total_users`: users whose `status` is not `deleted`.
/// * the session-based counters count clean traffic: sessions with any bot
///   flag (see [`is_bot_session`]) are left out unless the question's
///   [`Counting`] includes bots, as the platform's own overview does.
/// * `active_users_24h` / `_7d`: distinct `user_sessions.user_id` with
///   `last_activity_at >= now - span`.
/// * `active_sessions`: sessions with `ended_at IS NULL` and
///   `last_activity_at >= now - 30 min`.
/// * `total_sessions`: counted sessions; the other `total_*` counters count
///   every row of their table.
/// * `active_*` have no upper bound (rows after `now` count too).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformOverview {
    pub total_users: i64,
    pub active_users_24h: i64,
    pub active_users_7d: i64,
    pub total_sessions: i64,
    pub active_sessions: i64,
    pub total_contexts: i64,
    pub total_tasks: i64,
    pub total_ai_requests: i64,
}

/// Minutes of inactivity after which an open session no longer counts as active.
pub const ACTIVE_SESSION_MINUTES: i64 = 30;

/// Activity in one trend bucket (by each table's creation time).
///
/// Sessions by `started_at`, contexts, tasks, AI requests and MCP
/// executions by `created_at`; only rows inside the window count. The
/// buckets are exactly `Bucket::starts(window)` (the first may begin before
/// `window.start`), empty ones with zeros.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityBucket {
    pub bucket_start: Timestamp,
    pub sessions: i64,
    pub contexts: i64,
    pub tasks: i64,
    pub ai_requests: i64,
    pub tool_executions: i64,
}

/// AI spend over a window (every `ai_requests` row with `created_at` in
/// it and a model and provider, synthetic rows left out unless
/// [`Counting::include_synthetic`]). Tokens are `coalesce(tokens_used, 0)`
/// etc.; `cached_input_share` is [`cached_share`] of the sums.
/// `no_model_requests_excluded` counts the rows in the window without a
/// model or provider (NULL or empty: the platform's rejected requests),
/// which no cost figure counts, as the platform's own reports skip them;
/// `synthetic_requests_excluded` counts the other, synthetic rows that were
/// left out (0 when included).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CostSummary {
    pub request_count: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
    pub avg_cost_per_request_microdollars: Microdollars,
    #[serde(default)]
    pub cache_read_tokens: i64,
    #[serde(default)]
    pub cache_creation_tokens: i64,
    #[serde(default)]
    pub cached_input_share: f64,
    #[serde(default)]
    pub synthetic_requests_excluded: i64,
    #[serde(default)]
    pub no_model_requests_excluded: i64,
}

/// Whether a request can carry spend: the platform's cost reports skip
/// rows without a model or provider (only a rejected request has none).
pub fn has_model_and_provider(r: &AiRequestRecord) -> bool {
    !r.model.is_empty() && !r.provider.is_empty()
}

/// Share of input tokens read from the provider's prompt cache: cache read
/// tokens over input tokens (a gateway counts cache reads inside the
/// input), at most 1, zero without input.
pub fn cached_share(cache_read_tokens: i64, input_tokens: i64) -> f64 {
    rate(cache_read_tokens.min(input_tokens), input_tokens)
}

/// What a cost breakdown is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum CostDimension {
    Model,
    Provider,
    /// `ai_requests` joined to `agent_tasks` on `task_id`; requests without
    /// a task (or a task without agent name) fall under [`NO_AGENT`].
    Agent,
    /// `ai_requests.user_id`.
    User,
}

impl CostDimension {
    /// The JSON/CSV column name of the group key.
    pub fn column(self) -> &'static str {
        match self {
            CostDimension::Model => "model",
            CostDimension::Provider => "provider",
            CostDimension::Agent => "agent",
            CostDimension::User => "user_id",
        }
    }
}

/// Group key for AI requests that belong to no agent.
pub const NO_AGENT: &str = "(none)";

/// One group of a cost breakdown (synthetic rows as in [`CostSummary`]);
/// rows are ordered by cost descending, then key. Serializes its key under the dimension's
/// name: `{"model": "gpt-4o", "request_count": …}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CostBreakdownRow {
    pub dimension: CostDimension,
    pub key: String,
    pub request_count: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
    /// This group's share of the window's total cost, `[0, 1]`.
    pub cost_share: f64,
    #[serde(default)]
    pub cache_read_tokens: i64,
    #[serde(default)]
    pub cache_creation_tokens: i64,
    /// [`cached_share`] of this group's sums.
    #[serde(default)]
    pub cached_input_share: f64,
}

impl Serialize for CostBreakdownRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(10))?;
        map.serialize_entry(self.dimension.column(), &self.key)?;
        map.serialize_entry("request_count", &self.request_count)?;
        map.serialize_entry("input_tokens", &self.input_tokens)?;
        map.serialize_entry("output_tokens", &self.output_tokens)?;
        map.serialize_entry("total_tokens", &self.total_tokens)?;
        map.serialize_entry("total_cost_microdollars", &self.total_cost_microdollars)?;
        map.serialize_entry("cost_share", &self.cost_share)?;
        map.serialize_entry("cache_read_tokens", &self.cache_read_tokens)?;
        map.serialize_entry("cache_creation_tokens", &self.cache_creation_tokens)?;
        map.serialize_entry("cached_input_share", &self.cached_input_share)?;
        map.end()
    }
}

/// Cost in one trend bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostTrendBucket {
    pub bucket_start: Timestamp,
    pub request_count: i64,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
}

/// Spend at a glance, relative to `now`.
///
/// `cost_24h/7d/30d` cover `[now - span, now)`; `total_cost` and
/// `total_requests` every request with `created_at < now`; the average is
/// `total_cost / total_requests`, rounded. Synthetic rows are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostOverview {
    pub cost_24h_microdollars: Microdollars,
    pub cost_7d_microdollars: Microdollars,
    pub cost_30d_microdollars: Microdollars,
    pub total_cost_microdollars: Microdollars,
    pub total_requests: i64,
    pub avg_cost_per_request_microdollars: Microdollars,
}

/// A user on the leaderboard. Each figure is counted on its own table (no
/// join multiplication): requests/tokens/cost from `ai_requests`, sessions
/// from `user_sessions` (started in window), tasks from `agent_tasks`.
/// Listed: every user with a request, session or task in the window,
/// ordered by cost desc, request count desc, then user id. `user_name` is
/// `users.name` (None without a `users` row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserLeader {
    pub user_id: UserId,
    pub user_name: Option<String>,
    pub request_count: i64,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
    pub session_count: i64,
    pub task_count: i64,
}

/// An agent on the leaderboard (tasks created in the window; requests and
/// cost of those requests in the window whose task has this agent).
/// Tasks without `agent_name` are left out. Listed: agents with a task or
/// a request in the window, by task count desc, then name.
/// `completed_count` / `failed_count`: `TASK_STATE_COMPLETED` /
/// `TASK_STATE_FAILED`; `success_rate` = completed / tasks;
/// `avg_execution_time_ms` over tasks with `execution_time_ms` set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentLeader {
    pub agent_name: String,
    pub task_count: i64,
    pub completed_count: i64,
    pub failed_count: i64,
    pub success_rate: f64,
    pub avg_execution_time_ms: i64,
    pub request_count: i64,
    pub total_cost_microdollars: Microdollars,
}

/// Sort orders for the tools table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum ToolSort {
    Executions,
    SuccessRate,
    AvgTime,
    LastUsed,
    Name,
}

/// One tool (grouped by server and tool name) with execution statistics
/// over `mcp_tool_executions.started_at` in the window.
/// `success_rate` = success / all executions; `avg_time_ms` over rows with
/// `failure_count` = status `failed` or `timeout`; `last_used` = latest
/// `started_at` in the window. Sorts: the key descending (`Name`
/// ascending), ties by tool name then server name.
/// `execution_time_ms` set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolStats {
    pub tool_name: String,
    pub server_name: String,
    pub execution_count: i64,
    pub success_count: i64,
    pub failure_count: i64,
    pub success_rate: f64,
    pub avg_time_ms: i64,
    pub last_used: Timestamp,
}

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

/// Log search. `pattern` is matched case-insensitively as a literal
/// substring of `message` (`%`, `_`, `\` are literal).
/// An empty pattern is no pattern. Window on `timestamp`; newest first,
/// ties by id descending.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogFilter {
    pub pattern: Option<String>,
    /// Exact level, case-insensitive (`error`, `WARN`), or a comma-separated
    /// set of levels (`ERROR,WARN`: the console's "warn and worse").
    pub level: Option<String>,
    /// Exact module.
    pub module: Option<String>,
    pub trace_id: Option<TraceId>,
    pub window: Option<TimeWindow>,
    pub limit: usize,
}

/// Count of logs at one level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelCount {
    pub level: String,
    pub count: i64,
}

/// Count of logs from one module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleCount {
    pub module: String,
    pub count: i64,
}

/// Logs in a window at a glance. `by_level` in severity order
/// (ERROR, WARN, INFO, DEBUG, TRACE, then others by name); `top_modules`
/// by count then name, at most 10.
/// Levels are upper-cased before grouping (`error` and `ERROR` are one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogSummary {
    pub total: i64,
    pub by_level: Vec<LevelCount>,
    pub top_modules: Vec<ModuleCount>,
    pub first_at: Option<Timestamp>,
    pub last_at: Option<Timestamp>,
}

/// Tool execution filter (exact matches).
/// Window on `started_at`; newest first, ties by id descending.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolExecutionFilter {
    pub tool_name: Option<String>,
    pub server_name: Option<String>,
    pub status: Option<String>,
    pub window: Option<TimeWindow>,
    pub limit: usize,
}

/// AI request filter (exact matches).
/// Window on `created_at`; newest first, ties by id descending.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AiRequestFilter {
    pub model: Option<String>,
    pub provider: Option<String>,
    pub status: Option<String>,
    pub user_id: Option<UserId>,
    pub window: Option<TimeWindow>,
    pub limit: usize,
}

/// Latency and outcome statistics of AI requests in a window.
/// Percentiles are `percentile_disc` over `latency_ms` of requests that have
/// one; `error_rate` = failed / all; `cache_hit_rate` = cache hits / all.
/// `completed/failed/pending_count` by status; `avg_latency_ms` over
/// requests with a latency; tokens are `coalesce(tokens_used, 0)`; cache
/// tokens summed with NULL as 0, `cached_input_share` is [`cached_share`];
/// `rerouted_request_count`: requests served by another model than the
/// one requested (`requested_model` set and different from `model`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestStats {
    pub request_count: i64,
    pub completed_count: i64,
    pub failed_count: i64,
    pub pending_count: i64,
    pub cache_hit_count: i64,
    pub error_rate: f64,
    pub cache_hit_rate: f64,
    pub avg_latency_ms: i64,
    pub p50_latency_ms: Option<i64>,
    pub p95_latency_ms: Option<i64>,
    pub p99_latency_ms: Option<i64>,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
    #[serde(default)]
    pub cache_read_tokens: i64,
    #[serde(default)]
    pub cache_creation_tokens: i64,
    #[serde(default)]
    pub cached_input_share: f64,
    #[serde(default)]
    pub rerouted_request_count: i64,
    /// The same figures per model (by request count, then name).
    pub by_model: Vec<ModelRequestStats>,
}

/// [`RequestStats`] for one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRequestStats {
    pub model: String,
    pub provider: String,
    pub request_count: i64,
    pub failed_count: i64,
    pub cache_hit_count: i64,
    pub error_rate: f64,
    pub cache_hit_rate: f64,
    pub avg_latency_ms: i64,
    pub p50_latency_ms: Option<i64>,
    pub p95_latency_ms: Option<i64>,
    pub p99_latency_ms: Option<i64>,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
}

/// Sessions started in a window.
///
/// The counted sessions are the clean ones (no bot flag, see
/// [`is_bot_session`]) unless [`Counting::include_bots`]; `session_count`,
/// `unique_users`, `ended_count`, the duration and the request totals cover
/// the counted sessions. `avg_duration_seconds` is the mean over counted
/// sessions with `ended_at` of `ended_at − started_at` capped at
/// [`SESSION_DURATION_CAP_SECONDS`] (in microseconds, rounded to whole
/// seconds). Beside the totals, always over every session in the window:
/// `bot_sessions` (any of the four flags), one count per flag, and
/// `bot_share` = bot sessions / all sessions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionStats {
    #[serde(default)]
    pub bots_included: bool,
    pub session_count: i64,
    pub unique_users: i64,
    pub ended_count: i64,
    pub avg_duration_seconds: i64,
    pub total_requests: i64,
    pub total_ai_requests: i64,
    pub bot_sessions: i64,
    pub scanner_sessions: i64,
    pub behavioral_bot_sessions: i64,
    #[serde(default)]
    pub ai_crawler_sessions: i64,
    pub bot_share: f64,
}

/// The `users.status` of a deleted account, which the user total leaves out.
pub const DELETED_USER: &str = "deleted";

/// A bot session as the platform's clean-traffic views define it: any of
/// `is_bot`, `is_ai_crawler`, `is_scanner`, `is_behavioral_bot`.
pub fn is_bot_session(s: &SessionRecord) -> bool {
    s.is_bot || s.is_scanner || s.is_behavioral_bot || s.is_ai_crawler.unwrap_or(false)
}

/// Sessions grouped by one attribute (NULL shows as `(unknown)`).
/// `session_count`: counted sessions (see [`TrafficReport`]) with this key;
/// `bot_count` / `scanner_count`: bot sessions (any flag) / scanner
/// sessions with this key, counted or not. A key is listed when it has a
/// session of either kind. Each list is ordered by session count desc,
/// then bot count desc, then key, and cut to the limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrafficRow {
    pub key: String,
    pub session_count: i64,
    pub bot_count: i64,
    pub scanner_count: i64,
    /// Share of the counted sessions (`total_sessions`).
    pub share: f64,
}

/// Traffic rows in report order: session count desc, bot count desc, key.
pub fn sort_traffic_rows(rows: &mut [TrafficRow]) {
    rows.sort_by(|a, b| {
        b.session_count
            .cmp(&a.session_count)
            .then_with(|| b.bot_count.cmp(&a.bot_count))
            .then_with(|| a.key.cmp(&b.key))
    });
}

/// Group label for a NULL attribute.
pub const UNKNOWN_KEY: &str = "(unknown)";

/// Sessions started in a window by source, client, device and country.
/// `total_sessions` counts the clean sessions, or all of them with
/// [`Counting::include_bots`]; `bot_sessions` (any bot flag) and
/// `scanner_sessions` always cover every session in the window, and their
/// shares are of every session in the window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrafficReport {
    #[serde(default)]
    pub bots_included: bool,
    pub total_sessions: i64,
    pub bot_sessions: i64,
    pub scanner_sessions: i64,
    pub bot_share: f64,
    pub scanner_share: f64,
    pub by_source: Vec<TrafficRow>,
    pub by_client: Vec<TrafficRow>,
    pub by_device: Vec<TrafficRow>,
    pub by_country: Vec<TrafficRow>,
}

/// Sessions per landing page or referrer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentRow {
    pub key: String,
    pub session_count: i64,
    pub unique_users: i64,
    pub share: f64,
}

/// Landing pages and referrers of the counted sessions started in a
/// window (clean, or all with [`Counting::include_bots`]; rows by session
/// count, then key; NULL as `(unknown)` / `(direct)`). `unique_users`
/// counts distinct non-NULL users. `bot_sessions`: every bot session in
/// the window, counted or not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContentReport {
    #[serde(default)]
    pub bots_included: bool,
    pub total_sessions: i64,
    #[serde(default)]
    pub bot_sessions: i64,
    pub landing_pages: Vec<ContentRow>,
    pub referrers: Vec<ContentRow>,
}

/// Group label for sessions without a referrer.
pub const DIRECT_KEY: &str = "(direct)";

/// A conversation (context) with its totals. Contexts updated in the window,
/// most recently updated first. `message_count` counts
/// `ai_request_messages` of the context's requests.
/// Totals cover all of the context's requests (not only those in the
/// window); ties by context id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationRow {
    pub context_id: ContextId,
    pub name: String,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub message_count: i64,
    pub request_count: i64,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
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
