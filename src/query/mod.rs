//! The `QueryEngine` trait: every question the console and the CLI ask.
//!
//! PgEngine answers with SQL, LiveEngine from its in-memory store, and a
//! RemoteEngine over `serve`'s JSON endpoints. Callers never know which one
//! they hold. Time windows are resolved to absolute instants by the caller
//! (see [`TimeWindow`]) so two engines asked the same question at the same
//! `now` give the same answer.

pub mod change;
pub mod counting;
pub mod reprice;
pub mod types;
pub mod window;

pub use change::*;
pub use counting::*;
pub use reprice::*;
pub use types::*;
pub use window::*;

use crate::error::Result;
use crate::model::*;
use async_trait::async_trait;

/// Every read the console and the CLI need.
#[async_trait]
pub trait QueryEngine: Send + Sync {
    /// The eight platform counters, relative to `now`, counted as
    /// `counting` (bot sessions out of the user and session counters unless
    /// `include_bots`).
    async fn overview_counting(
        &self,
        now: Timestamp,
        counting: Counting,
    ) -> Result<PlatformOverview>;
    /// [`Self::overview_counting`] as the platform counts.
    async fn overview(&self, now: Timestamp) -> Result<PlatformOverview> {
        self.overview_counting(now, Counting::PLATFORM).await
    }
    /// Daily (or hourly) counts of sessions, contexts, tasks, AI requests and
    /// tool executions.
    async fn activity_trend(
        &self,
        window: &TimeWindow,
        bucket: Bucket,
    ) -> Result<Vec<ActivityBucket>>;
    /// Rows created in the window per table: the trend's five dimensions
    /// summed. The default sums the day buckets of [`Self::activity_trend`]
    /// (every engine agrees by construction); PgEngine counts directly.
    async fn activity_totals(&self, window: &TimeWindow) -> Result<ActivityTotals> {
        let buckets = self.activity_trend(window, Bucket::Day).await?;
        Ok(ActivityTotals::from_buckets(&buckets))
    }

    /// Requests, tokens and cost over the window, counted as `counting`
    /// says (synthetic rows out unless included).
    async fn cost_summary_counting(
        &self,
        window: &TimeWindow,
        counting: Counting,
    ) -> Result<CostSummary>;
    /// Cost split by model, provider or agent, most expensive first.
    async fn cost_breakdown_counting(
        &self,
        window: &TimeWindow,
        by: CostDimension,
        counting: Counting,
    ) -> Result<Vec<CostBreakdownRow>>;
    /// Cost per hour or day bucket, oldest first, empty buckets included.
    async fn cost_trend_counting(
        &self,
        window: &TimeWindow,
        bucket: Bucket,
        counting: Counting,
    ) -> Result<Vec<CostTrendBucket>>;

    /// [`Self::cost_summary_counting`] as the platform counts.
    async fn cost_summary(&self, window: &TimeWindow) -> Result<CostSummary> {
        self.cost_summary_counting(window, Counting::PLATFORM).await
    }
    /// [`Self::cost_breakdown_counting`] as the platform counts.
    async fn cost_breakdown(
        &self,
        window: &TimeWindow,
        by: CostDimension,
    ) -> Result<Vec<CostBreakdownRow>> {
        self.cost_breakdown_counting(window, by, Counting::PLATFORM)
            .await
    }
    /// [`Self::cost_trend_counting`] as the platform counts.
    async fn cost_trend(
        &self,
        window: &TimeWindow,
        bucket: Bucket,
    ) -> Result<Vec<CostTrendBucket>> {
        self.cost_trend_counting(window, bucket, Counting::PLATFORM)
            .await
    }
    /// Cost over the last 24h, 7d, 30d, all time, and average per request.
    async fn cost_overview(&self, now: Timestamp) -> Result<CostOverview>;
    /// The window's completed AI requests re-priced at a rate card, per
    /// served model, against their stored cost (see [`reprice`]). A
    /// source that holds no requests (a remote console) says so.
    async fn reprice(&self, query: &RepriceQuery) -> Result<RepriceReport> {
        let _ = query;
        Err(crate::error::Error::input(
            "re-pricing reads every request of the window: run `tracetop analytics costs --reprice` with --database-url, not --remote",
        ))
    }

    /// Users by AI spend (then requests) in the window.
    async fn top_users(&self, window: &TimeWindow, limit: usize) -> Result<Vec<UserLeader>>;
    /// Agents by task count in the window.
    async fn top_agents(&self, window: &TimeWindow, limit: usize) -> Result<Vec<AgentLeader>>;
    /// Tools by execution count in the window.
    async fn top_tools(&self, window: &TimeWindow, limit: usize) -> Result<Vec<ToolStats>>;
    /// Every tool with its execution statistics, sorted.
    async fn tools(
        &self,
        window: &TimeWindow,
        sort: ToolSort,
        limit: usize,
    ) -> Result<Vec<ToolStats>>;

    /// Recent traces matching the filter, newest first.
    async fn traces(&self, filter: &TraceListFilter) -> Result<Vec<TraceListItem>>;
    /// One trace assembled into a timeline; `Error::NotFound` if no row has it.
    async fn trace_detail(&self, trace_id: &TraceId) -> Result<TraceDetail>;

    /// Resolve a request, task or trace id by prefix.
    async fn audit_lookup(&self, prefix: &str) -> Result<AuditResolution>;

    /// Log lines matching the filter, newest first.
    async fn log_search(&self, filter: &LogFilter) -> Result<Vec<LogRecord>>;
    /// Counts by level, top modules and time range of the log lines that
    /// match the filter (its `limit` does not apply: every match counts).
    async fn log_summary_filtered(&self, filter: &LogFilter) -> Result<LogSummary>;
    /// [`Self::log_summary_filtered`] of every log line in the window.
    async fn log_summary(&self, window: &TimeWindow) -> Result<LogSummary> {
        self.log_summary_filtered(&LogFilter {
            window: Some(*window),
            ..LogFilter::default()
        })
        .await
    }
    /// MCP tool executions matching the filter, newest first.
    async fn tool_executions(
        &self,
        filter: &ToolExecutionFilter,
    ) -> Result<Vec<McpExecutionRecord>>;
    /// AI requests matching the filter, newest first.
    async fn ai_requests(&self, filter: &AiRequestFilter) -> Result<Vec<AiRequestRecord>>;

    /// Latency percentiles, error and cache-hit rates, per-model split.
    async fn request_stats(&self, window: &TimeWindow) -> Result<RequestStats>;
    /// Session counts, durations and bot share (bots counted as `counting`
    /// says).
    async fn session_stats_counting(
        &self,
        window: &TimeWindow,
        counting: Counting,
    ) -> Result<SessionStats>;
    /// Sessions by source, client, device and country.
    async fn traffic_counting(
        &self,
        window: &TimeWindow,
        limit: usize,
        counting: Counting,
    ) -> Result<TrafficReport>;
    /// Landing pages and referrers.
    async fn content_counting(
        &self,
        window: &TimeWindow,
        limit: usize,
        counting: Counting,
    ) -> Result<ContentReport>;

    /// [`Self::session_stats_counting`] on clean traffic.
    async fn session_stats(&self, window: &TimeWindow) -> Result<SessionStats> {
        self.session_stats_counting(window, Counting::PLATFORM)
            .await
    }
    /// [`Self::traffic_counting`] on clean traffic.
    async fn traffic(&self, window: &TimeWindow, limit: usize) -> Result<TrafficReport> {
        self.traffic_counting(window, limit, Counting::PLATFORM)
            .await
    }
    /// [`Self::content_counting`] on clean traffic.
    async fn content(&self, window: &TimeWindow, limit: usize) -> Result<ContentReport> {
        self.content_counting(window, limit, Counting::PLATFORM)
            .await
    }
    /// Recent contexts with their message, request and cost totals.
    async fn conversations(
        &self,
        window: &TimeWindow,
        limit: usize,
    ) -> Result<Vec<ConversationRow>>;
    /// The user directory (id, name, …): newest `created_at` first, then
    /// id; a `limit` of zero means no limit. The console shows names with it.
    async fn users(&self, limit: usize) -> Result<Vec<UserRecord>>;
    /// One user of the directory by id (None: no such user), read by its
    /// key: what a user-scoped token may see of the directory.
    async fn user(&self, id: &UserId) -> Result<Option<UserRecord>>;
}

/// The console's own writable state: audit verdicts in `tracetop_reviews`.
/// Kept apart from [`QueryEngine`] because it is the only write tracetop ever
/// makes, and it never touches audited rows.
#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// Append one verdict.
    async fn record_review(&self, review: &NewReview) -> Result<ReviewRecord>;
    /// Verdicts, newest first, optionally for one target.
    async fn reviews(&self, filter: &ReviewFilter) -> Result<Vec<ReviewRecord>>;
    /// Why verdicts recorded here are not kept durably (memory only, or
    /// refused), to say so where verdicts are marked; `None` when they are.
    fn durability_note(&self) -> Option<String> {
        None
    }
}
