//! `impl QueryEngine for PgEngine`: one line per method, delegating to the
//! query file of its area (overview, costs, leaderboards, traces, audit,
//! logs, analytics).

use super::{PgEngine, analytics, audit, costs, leaderboards, logs, overview, reprice, traces};
use crate::error::Result;
use crate::model::*;
use crate::query::*;
use async_trait::async_trait;

#[async_trait]
impl QueryEngine for PgEngine {
    async fn overview_counting(
        &self,
        now: Timestamp,
        counting: Counting,
    ) -> Result<PlatformOverview> {
        overview::overview(self, now, counting).await
    }
    async fn activity_trend(
        &self,
        window: &TimeWindow,
        bucket: Bucket,
    ) -> Result<Vec<ActivityBucket>> {
        overview::activity_trend(self, window, bucket).await
    }
    async fn activity_totals(&self, window: &TimeWindow) -> Result<ActivityTotals> {
        overview::activity_totals(self, window).await
    }
    async fn cost_summary_counting(
        &self,
        window: &TimeWindow,
        counting: Counting,
    ) -> Result<CostSummary> {
        costs::cost_summary(self, window, counting).await
    }
    async fn cost_breakdown_counting(
        &self,
        window: &TimeWindow,
        by: CostDimension,
        counting: Counting,
    ) -> Result<Vec<CostBreakdownRow>> {
        costs::cost_breakdown(self, window, by, counting).await
    }
    async fn cost_trend_counting(
        &self,
        window: &TimeWindow,
        bucket: Bucket,
        counting: Counting,
    ) -> Result<Vec<CostTrendBucket>> {
        costs::cost_trend(self, window, bucket, counting).await
    }
    async fn cost_overview(&self, now: Timestamp) -> Result<CostOverview> {
        costs::cost_overview(self, now).await
    }
    async fn reprice(&self, query: &RepriceQuery) -> Result<RepriceReport> {
        reprice::reprice(self, query).await
    }
    async fn top_users(&self, window: &TimeWindow, limit: usize) -> Result<Vec<UserLeader>> {
        leaderboards::top_users(self, window, limit).await
    }
    async fn top_agents(&self, window: &TimeWindow, limit: usize) -> Result<Vec<AgentLeader>> {
        leaderboards::top_agents(self, window, limit).await
    }
    async fn top_tools(&self, window: &TimeWindow, limit: usize) -> Result<Vec<ToolStats>> {
        leaderboards::tools(self, window, ToolSort::Executions, limit).await
    }
    async fn tools(
        &self,
        window: &TimeWindow,
        sort: ToolSort,
        limit: usize,
    ) -> Result<Vec<ToolStats>> {
        leaderboards::tools(self, window, sort, limit).await
    }
    async fn traces(&self, filter: &TraceListFilter) -> Result<Vec<TraceListItem>> {
        traces::traces(self, filter).await
    }
    async fn trace_detail(&self, trace_id: &TraceId) -> Result<TraceDetail> {
        traces::trace_detail(self, trace_id).await
    }
    async fn audit_lookup(&self, prefix: &str) -> Result<AuditResolution> {
        audit::audit_lookup(self, prefix).await
    }
    async fn log_search(&self, filter: &LogFilter) -> Result<Vec<LogRecord>> {
        logs::log_search(self, filter).await
    }
    async fn log_summary_filtered(&self, filter: &LogFilter) -> Result<LogSummary> {
        logs::log_summary(self, filter).await
    }
    async fn tool_executions(
        &self,
        filter: &ToolExecutionFilter,
    ) -> Result<Vec<McpExecutionRecord>> {
        logs::tool_executions(self, filter).await
    }
    async fn ai_requests(&self, filter: &AiRequestFilter) -> Result<Vec<AiRequestRecord>> {
        logs::ai_requests(self, filter).await
    }
    async fn request_stats(&self, window: &TimeWindow) -> Result<RequestStats> {
        analytics::request_stats(self, window).await
    }
    async fn session_stats_counting(
        &self,
        window: &TimeWindow,
        counting: Counting,
    ) -> Result<SessionStats> {
        analytics::session_stats(self, window, counting).await
    }
    async fn traffic_counting(
        &self,
        window: &TimeWindow,
        limit: usize,
        counting: Counting,
    ) -> Result<TrafficReport> {
        analytics::traffic(self, window, limit, counting).await
    }
    async fn content_counting(
        &self,
        window: &TimeWindow,
        limit: usize,
        counting: Counting,
    ) -> Result<ContentReport> {
        analytics::content(self, window, limit, counting).await
    }
    async fn conversations(
        &self,
        window: &TimeWindow,
        limit: usize,
    ) -> Result<Vec<ConversationRow>> {
        analytics::conversations(self, window, limit).await
    }
    async fn users(&self, limit: usize) -> Result<Vec<UserRecord>> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM users u ORDER BY u.created_at DESC, u.id COLLATE \"C\" LIMIT $1",
            self.selects().user
        )))
        .bind(super::columns::limit(limit))
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.err(e))
    }
    async fn user(&self, id: &UserId) -> Result<Option<UserRecord>> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM users u WHERE u.id = $1",
            self.selects().user
        )))
        .bind(id.as_str())
        .fetch_optional(self.pool())
        .await
        .map_err(|e| self.err(e))
    }
}
