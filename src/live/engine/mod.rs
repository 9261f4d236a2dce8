//! LiveEngine's answers to every [`QueryEngine`] question, computed from the
//! rows the store holds: the shared counting helpers and the trait impl here,
//! the answers themselves by question area in the submodules (overview, costs,
//! leaders, traces, audit, logs, reports).
//!
//! Each method follows the semantics documented on its result type in
//! `query/types.rs` (half-open windows, rounded integer averages,
//! [`rate`], [`percentile_disc`], label constants) so a conformance test can
//! compare it with PgEngine row for row. Where a document leaves a choice
//! open, the reading taken is written next to the code, and ties are always
//! broken by name or id so the order is deterministic:
//!
//! * lists "newest first" order by their time column descending, then id
//!   descending (`ORDER BY t DESC, id DESC`), except the trace list and
//!   conversations, whose ties go by id ascending;
//! * leaderboards and breakdowns order by their figure descending, then by
//!   name ascending (byte order, Postgres `COLLATE "C"`);
//! * a `limit` of zero means no limit (as PgEngine).

use super::LiveEngine;
use super::indexes::RequestRow;
use super::indexes::{log_ix, mcp_ix, request_ix, step_ix, task_ix};
use super::store::Store;
use crate::error::{Error, Result};
use crate::model::*;
use crate::query::*;
use async_trait::async_trait;
use chrono::Duration;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

mod audit;
mod costs;
mod leaders;
mod logs;
mod overview;
mod reports;
mod traces;

/// Apply a row limit; zero means no limit (as PgEngine's `LIMIT NULL`).
fn take<T>(mut rows: Vec<T>, limit: usize) -> Vec<T> {
    if limit != 0 {
        rows.truncate(limit);
    }
    rows
}

fn tok(v: Option<i32>) -> i64 {
    i64::from(v.unwrap_or(0))
}

fn in_window(window: &Option<TimeWindow>, t: Timestamp) -> bool {
    window.as_ref().is_none_or(|w| w.contains(t))
}

/// Case-insensitive literal substring match (ILIKE '%…%' with the pattern
/// escaped).
fn contains_ci(haystack: &str, needle_lower: &str) -> bool {
    needle_lower.is_empty() || haystack.to_lowercase().contains(needle_lower)
}

#[derive(Default)]
struct Sums {
    count: i64,
    input: i64,
    output: i64,
    tokens: i64,
    cost: i64,
    cache_read: i64,
    cache_write: i64,
}

impl Sums {
    fn add(&mut self, r: &AiRequestRecord) {
        self.count += 1;
        self.input += tok(r.input_tokens);
        self.output += tok(r.output_tokens);
        self.tokens += tok(r.tokens_used);
        self.cost = self.cost.saturating_add(r.cost_microdollars.get());
        self.cache_read += tok(r.cache_read_tokens);
        self.cache_write += tok(r.cache_creation_tokens);
    }
}

fn is_synthetic(r: &AiRequestRecord) -> bool {
    r.synthetic.unwrap_or(false)
}

/// Whether a cost report counts this request: it has a model and a
/// provider, and it is real traffic unless synthetic rows are counted.
fn counted_request(r: &AiRequestRecord, counting: Counting) -> bool {
    has_model_and_provider(r) && (counting.include_synthetic || !is_synthetic(r))
}

/// Whether a session report counts this session.
fn counted_session(s: &SessionRecord, counting: Counting) -> bool {
    counting.include_bots || !is_bot_session(s)
}

/// A session's duration as the platform counts it: `ended_at −
/// started_at`, capped at the inactivity cut-off, in microseconds.
fn capped_duration_micros(s: &SessionRecord, end: Timestamp) -> i64 {
    (end - s.started_at)
        .num_microseconds()
        .unwrap_or(0)
        .min(SESSION_DURATION_CAP_SECONDS * 1_000_000)
}

fn is_mcp_failure(status: &str) -> bool {
    status == mcp_status::FAILED || status == mcp_status::TIMEOUT
}

impl Store {
    fn requests_in<'a>(
        &'a self,
        window: &'a TimeWindow,
    ) -> impl Iterator<Item = &'a AiRequestRecord> + 'a {
        self.requests
            .iter()
            .map(|r| &r.record)
            .filter(move |r| window.contains(r.created_at))
    }

    fn sessions_in<'a>(
        &'a self,
        window: &'a TimeWindow,
    ) -> impl Iterator<Item = &'a SessionRecord> + 'a {
        self.sessions
            .iter()
            .filter(move |s| window.contains(s.started_at))
    }

    fn agent_of(&self, request: &AiRequestRecord) -> Option<&str> {
        let task = self.tasks.get(request.task_id.as_ref()?.as_str())?;
        task.agent_name.as_deref()
    }
}

#[async_trait]
impl QueryEngine for LiveEngine {
    async fn reprice(&self, query: &RepriceQuery) -> Result<RepriceReport> {
        Ok(self.read().store.reprice(query))
    }
    async fn overview_counting(
        &self,
        now: Timestamp,
        counting: Counting,
    ) -> Result<PlatformOverview> {
        Ok(self.read().store.overview(now, counting))
    }
    async fn activity_trend(
        &self,
        window: &TimeWindow,
        bucket: Bucket,
    ) -> Result<Vec<ActivityBucket>> {
        Ok(self.read().store.activity_trend(window, bucket))
    }
    async fn cost_summary_counting(
        &self,
        window: &TimeWindow,
        counting: Counting,
    ) -> Result<CostSummary> {
        Ok(self.read().store.cost_summary(window, counting))
    }
    async fn cost_breakdown_counting(
        &self,
        window: &TimeWindow,
        by: CostDimension,
        counting: Counting,
    ) -> Result<Vec<CostBreakdownRow>> {
        Ok(self.read().store.cost_breakdown(window, by, counting))
    }
    async fn cost_trend_counting(
        &self,
        window: &TimeWindow,
        bucket: Bucket,
        counting: Counting,
    ) -> Result<Vec<CostTrendBucket>> {
        Ok(self.read().store.cost_trend(window, bucket, counting))
    }
    async fn cost_overview(&self, now: Timestamp) -> Result<CostOverview> {
        Ok(self.read().store.cost_overview(now))
    }
    async fn top_users(&self, window: &TimeWindow, limit: usize) -> Result<Vec<UserLeader>> {
        Ok(self.read().store.top_users(window, limit))
    }
    async fn top_agents(&self, window: &TimeWindow, limit: usize) -> Result<Vec<AgentLeader>> {
        Ok(self.read().store.top_agents(window, limit))
    }
    async fn top_tools(&self, window: &TimeWindow, limit: usize) -> Result<Vec<ToolStats>> {
        Ok(self.read().store.tools(window, ToolSort::Executions, limit))
    }
    async fn tools(
        &self,
        window: &TimeWindow,
        sort: ToolSort,
        limit: usize,
    ) -> Result<Vec<ToolStats>> {
        Ok(self.read().store.tools(window, sort, limit))
    }
    async fn traces(&self, filter: &TraceListFilter) -> Result<Vec<TraceListItem>> {
        Ok(self.read().store.traces(filter))
    }
    async fn trace_detail(&self, trace_id: &TraceId) -> Result<TraceDetail> {
        self.read().store.trace_detail(trace_id)
    }
    async fn audit_lookup(&self, prefix: &str) -> Result<AuditResolution> {
        self.read().store.audit_lookup(prefix)
    }
    async fn log_search(&self, filter: &LogFilter) -> Result<Vec<LogRecord>> {
        Ok(self.read().store.log_search(filter))
    }
    async fn log_summary_filtered(&self, filter: &LogFilter) -> Result<LogSummary> {
        Ok(self.read().store.log_summary(filter))
    }
    async fn tool_executions(
        &self,
        filter: &ToolExecutionFilter,
    ) -> Result<Vec<McpExecutionRecord>> {
        Ok(self.read().store.tool_executions(filter))
    }
    async fn ai_requests(&self, filter: &AiRequestFilter) -> Result<Vec<AiRequestRecord>> {
        Ok(self.read().store.ai_requests(filter))
    }
    async fn request_stats(&self, window: &TimeWindow) -> Result<RequestStats> {
        Ok(self.read().store.request_stats(window))
    }
    async fn session_stats_counting(
        &self,
        window: &TimeWindow,
        counting: Counting,
    ) -> Result<SessionStats> {
        Ok(self.read().store.session_stats(window, counting))
    }
    async fn traffic_counting(
        &self,
        window: &TimeWindow,
        limit: usize,
        counting: Counting,
    ) -> Result<TrafficReport> {
        Ok(self.read().store.traffic(window, limit, counting))
    }
    async fn content_counting(
        &self,
        window: &TimeWindow,
        limit: usize,
        counting: Counting,
    ) -> Result<ContentReport> {
        Ok(self.read().store.content(window, limit, counting))
    }
    async fn conversations(
        &self,
        window: &TimeWindow,
        limit: usize,
    ) -> Result<Vec<ConversationRow>> {
        Ok(self.read().store.conversations(window, limit))
    }
    async fn users(&self, limit: usize) -> Result<Vec<UserRecord>> {
        let mut users: Vec<UserRecord> = self.read().store.users.iter().cloned().collect();
        users.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(take(users, limit))
    }
    async fn user(&self, id: &UserId) -> Result<Option<UserRecord>> {
        Ok(self.read().store.users.get(id.as_str()).cloned())
    }
}
