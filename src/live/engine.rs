//! LiveEngine's answers to every [`QueryEngine`] question, computed from the
//! rows the store holds.
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
use super::indexes::{log_ix, mcp_ix, request_ix, step_ix, task_ix};
use super::store::{RequestRow, Store};
use crate::error::{Error, Result};
use crate::model::*;
use crate::query::*;
use async_trait::async_trait;
use chrono::Duration;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

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

/// Whether a cost report counts this request.
fn counted_request(r: &AiRequestRecord, counting: Counting) -> bool {
    counting.include_synthetic || !is_synthetic(r)
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

    pub(super) fn overview(&self, now: Timestamp) -> PlatformOverview {
        let since_24h = now - Duration::hours(24);
        let since_7d = now - Duration::days(7);
        let since_active = now - Duration::minutes(ACTIVE_SESSION_MINUTES);
        let mut users_24h = HashSet::new();
        let mut users_7d = HashSet::new();
        let mut active_sessions = 0;
        for s in self.sessions.iter() {
            if let Some(user) = &s.user_id {
                if s.last_activity_at >= since_24h {
                    users_24h.insert(user.as_str());
                }
                if s.last_activity_at >= since_7d {
                    users_7d.insert(user.as_str());
                }
            }
            if s.ended_at.is_none() && s.last_activity_at >= since_active {
                active_sessions += 1;
            }
        }
        PlatformOverview {
            total_users: self.users.len() as i64,
            active_users_24h: users_24h.len() as i64,
            active_users_7d: users_7d.len() as i64,
            total_sessions: self.sessions.len() as i64,
            active_sessions,
            total_contexts: self.contexts.len() as i64,
            total_tasks: self.tasks.len() as i64,
            total_ai_requests: self.requests.len() as i64,
        }
    }

    pub(super) fn activity_trend(
        &self,
        window: &TimeWindow,
        bucket: Bucket,
    ) -> Vec<ActivityBucket> {
        let mut buckets: BTreeMap<Timestamp, ActivityBucket> = bucket
            .starts(window)
            .into_iter()
            .map(|t| {
                (
                    t,
                    ActivityBucket {
                        bucket_start: t,
                        sessions: 0,
                        contexts: 0,
                        tasks: 0,
                        ai_requests: 0,
                        tool_executions: 0,
                    },
                )
            })
            .collect();
        let mut bump = |t: Timestamp, field: fn(&mut ActivityBucket) -> &mut i64| {
            if window.contains(t)
                && let Some(b) = buckets.get_mut(&bucket.truncate(t))
            {
                *field(b) += 1;
            }
        };
        for s in self.sessions.iter() {
            bump(s.started_at, |b| &mut b.sessions);
        }
        for c in self.contexts.iter() {
            bump(c.created_at, |b| &mut b.contexts);
        }
        for t in self.tasks.iter() {
            bump(t.created_at, |b| &mut b.tasks);
        }
        for r in self.requests.iter() {
            bump(r.record.created_at, |b| &mut b.ai_requests);
        }
        for m in self.mcp.iter() {
            bump(m.created_at, |b| &mut b.tool_executions);
        }
        buckets.into_values().collect()
    }

    pub(super) fn cost_summary(&self, window: &TimeWindow, counting: Counting) -> CostSummary {
        let mut sums = Sums::default();
        let mut synthetic = 0;
        for r in self.requests_in(window) {
            if counted_request(r, counting) {
                sums.add(r);
            } else {
                synthetic += 1;
            }
        }
        CostSummary {
            request_count: sums.count,
            input_tokens: sums.input,
            output_tokens: sums.output,
            total_tokens: sums.tokens,
            total_cost_microdollars: Microdollars(sums.cost),
            avg_cost_per_request_microdollars: Microdollars(int_avg(sums.cost, sums.count)),
            cache_read_tokens: sums.cache_read,
            cache_creation_tokens: sums.cache_write,
            cached_input_share: cached_share(sums.cache_read, sums.input),
            synthetic_requests_excluded: synthetic,
        }
    }

    pub(super) fn cost_breakdown(
        &self,
        window: &TimeWindow,
        by: CostDimension,
        counting: Counting,
    ) -> Vec<CostBreakdownRow> {
        let mut groups: BTreeMap<&str, Sums> = BTreeMap::new();
        let mut total = 0i64;
        for r in self
            .requests_in(window)
            .filter(|r| counted_request(r, counting))
        {
            let key = match by {
                CostDimension::Model => r.model.as_str(),
                CostDimension::Provider => r.provider.as_str(),
                CostDimension::Agent => self.agent_of(r).unwrap_or(NO_AGENT),
            };
            groups.entry(key).or_default().add(r);
            total = total.saturating_add(r.cost_microdollars.get());
        }
        let mut rows: Vec<CostBreakdownRow> = groups
            .into_iter()
            .map(|(key, s)| CostBreakdownRow {
                dimension: by,
                key: key.to_string(),
                request_count: s.count,
                input_tokens: s.input,
                output_tokens: s.output,
                total_tokens: s.tokens,
                total_cost_microdollars: Microdollars(s.cost),
                cost_share: rate(s.cost, total),
                cache_read_tokens: s.cache_read,
                cache_creation_tokens: s.cache_write,
                cached_input_share: cached_share(s.cache_read, s.input),
            })
            .collect();
        rows.sort_by(|a, b| {
            b.total_cost_microdollars
                .cmp(&a.total_cost_microdollars)
                .then_with(|| a.key.cmp(&b.key))
        });
        rows
    }

    pub(super) fn cost_trend(
        &self,
        window: &TimeWindow,
        bucket: Bucket,
        counting: Counting,
    ) -> Vec<CostTrendBucket> {
        let mut buckets: BTreeMap<Timestamp, CostTrendBucket> = bucket
            .starts(window)
            .into_iter()
            .map(|t| {
                (
                    t,
                    CostTrendBucket {
                        bucket_start: t,
                        request_count: 0,
                        total_tokens: 0,
                        total_cost_microdollars: Microdollars::ZERO,
                    },
                )
            })
            .collect();
        for r in self
            .requests_in(window)
            .filter(|r| counted_request(r, counting))
        {
            if let Some(b) = buckets.get_mut(&bucket.truncate(r.created_at)) {
                b.request_count += 1;
                b.total_tokens += tok(r.tokens_used);
                b.total_cost_microdollars = Microdollars(
                    b.total_cost_microdollars
                        .get()
                        .saturating_add(r.cost_microdollars.get()),
                );
            }
        }
        buckets.into_values().collect()
    }

    /// 24h / 7d / 30d are `TimeWindow::last(span, now)`; "total" and the
    /// average cover `TimeWindow::all_time(now)` (created before `now`);
    /// synthetic rows are left out.
    pub(super) fn cost_overview(&self, now: Timestamp) -> CostOverview {
        let cost = |span: Duration| {
            self.cost_summary(&TimeWindow::last(span, now), Counting::PLATFORM)
                .total_cost_microdollars
        };
        let all = self.cost_summary(&TimeWindow::all_time(now), Counting::PLATFORM);
        CostOverview {
            cost_24h_microdollars: cost(Duration::hours(24)),
            cost_7d_microdollars: cost(Duration::days(7)),
            cost_30d_microdollars: cost(Duration::days(30)),
            total_cost_microdollars: all.total_cost_microdollars,
            total_requests: all.request_count,
            avg_cost_per_request_microdollars: all.avg_cost_per_request_microdollars,
        }
    }

    /// Users with an AI request, a session or a task in the window, by cost
    /// desc, then request count desc, then user id.
    pub(super) fn top_users(&self, window: &TimeWindow, limit: usize) -> Vec<UserLeader> {
        let mut by_user: BTreeMap<&str, Sums> = BTreeMap::new();
        for r in self.requests_in(window) {
            by_user.entry(r.user_id.as_str()).or_default().add(r);
        }
        let mut sessions: HashMap<&str, i64> = HashMap::new();
        for s in self.sessions_in(window) {
            if let Some(u) = &s.user_id {
                *sessions.entry(u.as_str()).or_default() += 1;
            }
        }
        let mut tasks: HashMap<&str, i64> = HashMap::new();
        for t in self.tasks.iter().filter(|t| window.contains(t.created_at)) {
            if let Some(u) = &t.user_id {
                *tasks.entry(u.as_str()).or_default() += 1;
            }
        }
        let ids: BTreeSet<&str> = by_user
            .keys()
            .chain(sessions.keys())
            .chain(tasks.keys())
            .copied()
            .collect();
        let mut rows: Vec<UserLeader> = ids
            .into_iter()
            .map(|user| {
                let s = by_user.get(user);
                UserLeader {
                    user_id: UserId::new(user),
                    user_name: self.users.get(user).map(|u| u.name.clone()),
                    request_count: s.map_or(0, |s| s.count),
                    total_tokens: s.map_or(0, |s| s.tokens),
                    total_cost_microdollars: Microdollars(s.map_or(0, |s| s.cost)),
                    session_count: sessions.get(user).copied().unwrap_or(0),
                    task_count: tasks.get(user).copied().unwrap_or(0),
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            b.total_cost_microdollars
                .cmp(&a.total_cost_microdollars)
                .then(b.request_count.cmp(&a.request_count))
                .then_with(|| a.user_id.cmp(&b.user_id))
        });
        take(rows, limit)
    }

    /// Agents with a task created in the window or an AI request in the
    /// window whose task (created any time) names them, by task count desc,
    /// then name. `avg_execution_time_ms` over
    /// those tasks with `execution_time_ms` set; requests and cost are the
    /// window's AI requests whose task (created any time) has this agent.
    pub(super) fn top_agents(&self, window: &TimeWindow, limit: usize) -> Vec<AgentLeader> {
        #[derive(Default)]
        struct Acc {
            tasks: i64,
            completed: i64,
            failed: i64,
            time_sum: i64,
            time_count: i64,
            requests: i64,
            cost: i64,
        }
        let mut by_agent: BTreeMap<&str, Acc> = BTreeMap::new();
        for t in self.tasks.iter().filter(|t| window.contains(t.created_at)) {
            let Some(agent) = t.agent_name.as_deref() else {
                continue;
            };
            let acc = by_agent.entry(agent).or_default();
            acc.tasks += 1;
            if t.status == task_state::COMPLETED {
                acc.completed += 1;
            } else if t.status == task_state::FAILED {
                acc.failed += 1;
            }
            if let Some(ms) = t.execution_time_ms {
                acc.time_sum += i64::from(ms);
                acc.time_count += 1;
            }
        }
        for r in self.requests_in(window) {
            if let Some(agent) = self.agent_of(r) {
                let acc = by_agent.entry(agent).or_default();
                acc.requests += 1;
                acc.cost = acc.cost.saturating_add(r.cost_microdollars.get());
            }
        }
        let mut rows: Vec<AgentLeader> = by_agent
            .into_iter()
            .map(|(agent, a)| AgentLeader {
                agent_name: agent.to_string(),
                task_count: a.tasks,
                completed_count: a.completed,
                failed_count: a.failed,
                success_rate: rate(a.completed, a.tasks),
                avg_execution_time_ms: int_avg(a.time_sum, a.time_count),
                request_count: a.requests,
                total_cost_microdollars: Microdollars(a.cost),
            })
            .collect();
        rows.sort_by(|a, b| {
            b.task_count
                .cmp(&a.task_count)
                .then_with(|| a.agent_name.cmp(&b.agent_name))
        });
        take(rows, limit)
    }

    /// Tools grouped by (tool, server) over `started_at` in the window.
    /// `failure_count` counts `failed` and `timeout`. Sorted by the chosen
    /// figure (descending; `Name` ascending), then tool name, then server.
    pub(super) fn tools(
        &self,
        window: &TimeWindow,
        sort: ToolSort,
        limit: usize,
    ) -> Vec<ToolStats> {
        #[derive(Default)]
        struct Acc {
            count: i64,
            success: i64,
            failure: i64,
            time_sum: i64,
            time_count: i64,
            last: Option<Timestamp>,
        }
        let mut groups: BTreeMap<(&str, &str), Acc> = BTreeMap::new();
        for m in self.mcp.iter().filter(|m| window.contains(m.started_at)) {
            let acc = groups
                .entry((m.tool_name.as_str(), m.server_name.as_str()))
                .or_default();
            acc.count += 1;
            if m.status == mcp_status::SUCCESS {
                acc.success += 1;
            } else if is_mcp_failure(&m.status) {
                acc.failure += 1;
            }
            if let Some(ms) = m.execution_time_ms {
                acc.time_sum += i64::from(ms);
                acc.time_count += 1;
            }
            acc.last = Some(acc.last.map_or(m.started_at, |l| l.max(m.started_at)));
        }
        let mut rows: Vec<ToolStats> = groups
            .into_iter()
            .filter_map(|((tool, server), a)| {
                Some(ToolStats {
                    tool_name: tool.to_string(),
                    server_name: server.to_string(),
                    execution_count: a.count,
                    success_count: a.success,
                    failure_count: a.failure,
                    success_rate: rate(a.success, a.count),
                    avg_time_ms: int_avg(a.time_sum, a.time_count),
                    last_used: a.last?,
                })
            })
            .collect();
        rows.sort_by(|a, b| {
            let primary = match sort {
                ToolSort::Executions => b.execution_count.cmp(&a.execution_count),
                ToolSort::SuccessRate => b.success_rate.total_cmp(&a.success_rate),
                ToolSort::AvgTime => b.avg_time_ms.cmp(&a.avg_time_ms),
                ToolSort::LastUsed => b.last_used.cmp(&a.last_used),
                ToolSort::Name => std::cmp::Ordering::Equal,
            };
            primary
                .then_with(|| a.tool_name.cmp(&b.tool_name))
                .then_with(|| a.server_name.cmp(&b.server_name))
        });
        take(rows, limit)
    }

    /// The trace-list row of one trace, from its AI requests, MCP
    /// executions and tasks (logs do not count). `started_at` /
    /// `last_activity_at` are the min / max `created_at` of those rows;
    /// `user_id` is the earliest task's user, else the earliest request's,
    /// else the first MCP execution's that has one; `agent_name` the earliest task's;
    /// `error_count` = failed requests + failed/timed-out MCP executions.
    fn trace_item(&self, trace: &str) -> Option<TraceListItem> {
        let mut requests: Vec<&AiRequestRecord> = self
            .requests
            .lookup(request_ix::TRACE, trace)
            .map(|r| &r.record)
            .collect();
        requests.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        let mut mcps: Vec<&McpExecutionRecord> = self.mcp.lookup(mcp_ix::TRACE, trace).collect();
        mcps.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.mcp_execution_id.cmp(&b.mcp_execution_id))
        });
        let mut tasks: Vec<&AgentTaskRecord> = self.tasks.lookup(task_ix::TRACE, trace).collect();
        tasks.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.task_id.cmp(&b.task_id))
        });

        let times = requests
            .iter()
            .map(|r| r.created_at)
            .chain(mcps.iter().map(|m| m.created_at))
            .chain(tasks.iter().map(|t| t.created_at));
        let started_at = times.clone().min()?;
        let last_activity_at = times.max()?;

        let task_status = tasks.first().map(|t| normalise_status(&t.status));
        let status = if requests.iter().any(|r| r.status == request_status::FAILED)
            || mcps.iter().any(|m| is_mcp_failure(&m.status))
        {
            "failed".to_string()
        } else if let Some(task_status) = &task_status {
            task_status.clone()
        } else if requests.iter().any(|r| r.status == request_status::PENDING)
            || mcps.iter().any(|m| m.status == mcp_status::PENDING)
        {
            "pending".to_string()
        } else {
            "completed".to_string()
        };
        let user_id = tasks
            .first()
            .and_then(|t| t.user_id.clone())
            .or_else(|| requests.first().map(|r| r.user_id.clone()))
            .or_else(|| mcps.iter().find_map(|m| m.user_id.clone()));
        let mut sums = Sums::default();
        for r in &requests {
            sums.add(r);
        }
        let error_count = requests
            .iter()
            .filter(|r| r.status == request_status::FAILED)
            .count()
            + mcps.iter().filter(|m| is_mcp_failure(&m.status)).count();
        Some(TraceListItem {
            trace_id: TraceId::new(trace),
            started_at,
            last_activity_at,
            user_id,
            agent_name: tasks.first().and_then(|t| t.agent_name.clone()),
            status,
            task_status,
            request_count: sums.count,
            total_tokens: sums.tokens,
            total_cost_microdollars: Microdollars(sums.cost),
            mcp_count: mcps.len() as i64,
            error_count: error_count as i64,
        })
    }

    /// Traces with an AI request, MCP execution or task created in the
    /// window; filters as documented (`status` compared with the normalised
    /// form of the filter, `user` against the row's `user_id`); newest
    /// `started_at` first, then trace id ascending.
    pub(super) fn traces(&self, filter: &TraceListFilter) -> Vec<TraceListItem> {
        let mut ids: BTreeSet<&str> = BTreeSet::new();
        for r in self.requests.iter() {
            if let Some(t) = &r.record.trace_id
                && in_window(&filter.window, r.record.created_at)
            {
                ids.insert(t.as_str());
            }
        }
        for m in self.mcp.iter() {
            if let Some(t) = &m.trace_id
                && in_window(&filter.window, m.created_at)
            {
                ids.insert(t.as_str());
            }
        }
        for task in self.tasks.iter() {
            if let Some(t) = &task.trace_id
                && in_window(&filter.window, task.created_at)
            {
                ids.insert(t.as_str());
            }
        }
        let wanted_status = filter.status.as_deref().map(normalise_status);
        let mut rows: Vec<TraceListItem> = ids
            .into_iter()
            .filter(|id| {
                filter.agent.as_deref().is_none_or(|agent| {
                    self.tasks
                        .lookup(task_ix::TRACE, id)
                        .any(|t| t.agent_name.as_deref() == Some(agent))
                })
            })
            .filter(|id| {
                filter.tool.as_deref().is_none_or(|tool| {
                    self.mcp
                        .lookup(mcp_ix::TRACE, id)
                        .any(|m| m.tool_name == tool)
                })
            })
            .filter(|id| {
                filter
                    .has_mcp
                    .is_none_or(|want| self.mcp.has_key(mcp_ix::TRACE, id) == want)
            })
            .filter_map(|id| self.trace_item(id))
            .filter(|item| wanted_status.as_deref().is_none_or(|s| item.status == s))
            .filter(|item| {
                filter
                    .user
                    .as_ref()
                    .is_none_or(|u| item.user_id.as_ref() == Some(u))
            })
            .collect();
        rows.sort_by(|a, b| {
            b.started_at
                .cmp(&a.started_at)
                .then_with(|| a.trace_id.cmp(&b.trace_id))
        });
        take(rows, filter.limit)
    }

    /// `failed_count` of AI requests is status `failed`; of MCP executions
    /// `failed` or `timeout`; steps count `completed` / `failed` statuses.
    pub(super) fn trace_detail(&self, trace_id: &TraceId) -> Result<TraceDetail> {
        let trace = trace_id.as_str();
        let mut events = Vec::new();
        let mut ai = AiRequestSummary::default();
        for r in self.requests.lookup(request_ix::TRACE, trace) {
            let r = &r.record;
            ai.request_count += 1;
            if r.status == request_status::FAILED {
                ai.failed_count += 1;
            }
            ai.input_tokens += tok(r.input_tokens);
            ai.output_tokens += tok(r.output_tokens);
            ai.total_tokens += tok(r.tokens_used);
            ai.total_cost_microdollars = Microdollars(
                ai.total_cost_microdollars
                    .get()
                    .saturating_add(r.cost_microdollars.get()),
            );
            ai.total_latency_ms += tok(r.latency_ms);
            events.push(TraceEvent::AiRequest(r.clone()));
        }
        let mut mcp = McpExecutionSummary::default();
        for m in self.mcp.lookup(mcp_ix::TRACE, trace) {
            mcp.execution_count += 1;
            if is_mcp_failure(&m.status) {
                mcp.failed_count += 1;
            }
            mcp.total_execution_time_ms += tok(m.execution_time_ms);
            events.push(TraceEvent::McpExecution(m.clone()));
        }
        for l in self.logs.lookup(log_ix::TRACE, trace) {
            events.push(TraceEvent::Log(l.clone()));
        }
        let mut tasks: Vec<&AgentTaskRecord> = self.tasks.lookup(task_ix::TRACE, trace).collect();
        tasks.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.task_id.cmp(&b.task_id))
        });
        let mut steps = ExecutionStepSummary::default();
        for t in &tasks {
            for s in self.steps.lookup(step_ix::TASK, t.task_id.as_str()) {
                steps.step_count += 1;
                match s.status.as_str() {
                    "completed" => steps.completed_count += 1,
                    "failed" => steps.failed_count += 1,
                    _ => {}
                }
                steps.total_duration_ms += tok(s.duration_ms);
                events.push(TraceEvent::Step(s.clone()));
            }
        }
        if events.is_empty() && tasks.is_empty() {
            return Err(Error::not_found(format!(
                "no trace {trace}: no log, AI request, MCP execution or task has this trace id; check the id (`tracetop traces` lists recent ones)"
            )));
        }
        TraceEvent::sort_timeline(&mut events);
        Ok(TraceDetail {
            trace_id: trace_id.clone(),
            events,
            ai_summary: ai,
            mcp_summary: mcp,
            step_summary: steps,
            task: tasks.first().map(|t| (*t).clone()),
            tasks: tasks.into_iter().cloned().collect(),
        })
    }

    fn earliest_task_of_trace(&self, trace: &str) -> Option<&AgentTaskRecord> {
        self.tasks.lookup(task_ix::TRACE, trace).min_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.task_id.cmp(&b.task_id))
        })
    }

    fn audit_request(&self, row: &RequestRow) -> AuditRequest {
        let mut ids: BTreeSet<&str> = BTreeSet::new();
        if let Some(id) = &row.record.mcp_execution_id {
            ids.insert(id.as_str());
        }
        for call in &row.tool_calls {
            if let Some(id) = &call.mcp_execution_id {
                ids.insert(id.as_str());
            }
        }
        let mut mcp_executions: Vec<McpExecutionRecord> = ids
            .into_iter()
            .filter_map(|id| self.mcp.get(id))
            .cloned()
            .collect();
        mcp_executions.sort_by(|a, b| {
            a.started_at
                .cmp(&b.started_at)
                .then_with(|| a.mcp_execution_id.cmp(&b.mcp_execution_id))
        });
        AuditRequest {
            request: row.record.clone(),
            messages: row.messages.clone(),
            tool_calls: row.tool_calls.clone(),
            mcp_executions,
        }
    }

    fn audit_record(&self, kind: IdKind, id: &str) -> AuditRecord {
        let mut rows: Vec<&RequestRow> = match kind {
            IdKind::Request => self.requests.get(id).into_iter().collect(),
            IdKind::Task => self.requests.lookup(request_ix::TASK, id).collect(),
            IdKind::Trace => self.requests.lookup(request_ix::TRACE, id).collect(),
        };
        rows.sort_by(|a, b| {
            a.record
                .created_at
                .cmp(&b.record.created_at)
                .then_with(|| a.record.id.cmp(&b.record.id))
        });
        let (task, task_id, trace_id) = match kind {
            IdKind::Request => {
                let task_id = rows.first().and_then(|r| r.record.task_id.clone());
                let task = task_id
                    .as_ref()
                    .and_then(|t| self.tasks.get(t.as_str()))
                    .cloned();
                let trace_id = task
                    .as_ref()
                    .and_then(|t| t.trace_id.clone())
                    .or_else(|| rows.first().and_then(|r| r.record.trace_id.clone()));
                (task, task_id, trace_id)
            }
            IdKind::Task => {
                let task = self.tasks.get(id).cloned();
                let trace_id = task
                    .as_ref()
                    .and_then(|t| t.trace_id.clone())
                    .or_else(|| rows.iter().find_map(|r| r.record.trace_id.clone()));
                (task, Some(TaskId::new(id)), trace_id)
            }
            IdKind::Trace => {
                let task = self.earliest_task_of_trace(id).cloned();
                let task_id = task.as_ref().map(|t| t.task_id.clone());
                (task, task_id, Some(TraceId::new(id)))
            }
        };
        AuditRecord {
            matched_kind: kind,
            matched_id: id.to_string(),
            trace_id,
            task_id,
            request_ids: rows.iter().map(|r| r.record.id.clone()).collect(),
            task,
            requests: rows.iter().map(|r| self.audit_request(r)).collect(),
        }
    }

    /// Every (kind, id) whose id starts with `prefix`, with its creation
    /// time: a request's `created_at`; a task's earliest `created_at` over
    /// its `agent_tasks` row and the requests naming it; a trace's earliest
    /// `created_at` over its requests, tasks and MCP executions.
    fn audit_candidates(&self, prefix: &str) -> BTreeMap<(IdKind, String), Timestamp> {
        let mut out: BTreeMap<(IdKind, String), Timestamp> = BTreeMap::new();
        let mut note = |kind: IdKind, id: &str, at: Timestamp| {
            out.entry((kind, id.to_string()))
                .and_modify(|t| *t = (*t).min(at))
                .or_insert(at);
        };
        for r in self.requests.with_id_prefix(prefix) {
            note(IdKind::Request, r.record.id.as_str(), r.record.created_at);
        }
        for t in self.tasks.with_id_prefix(prefix) {
            note(IdKind::Task, t.task_id.as_str(), t.created_at);
        }
        let task_keys: Vec<&str> = self
            .requests
            .keys_with_prefix(request_ix::TASK, prefix)
            .collect();

        for key in task_keys {
            for r in self.requests.lookup(request_ix::TASK, key) {
                note(IdKind::Task, key, r.record.created_at);
            }
        }
        let mut traces: BTreeSet<&str> = BTreeSet::new();
        traces.extend(self.requests.keys_with_prefix(request_ix::TRACE, prefix));
        traces.extend(self.tasks.keys_with_prefix(task_ix::TRACE, prefix));
        traces.extend(self.mcp.keys_with_prefix(mcp_ix::TRACE, prefix));
        for trace in traces {
            for r in self.requests.lookup(request_ix::TRACE, trace) {
                note(IdKind::Trace, trace, r.record.created_at);
            }
            for t in self.tasks.lookup(task_ix::TRACE, trace) {
                note(IdKind::Trace, trace, t.created_at);
            }
            for m in self.mcp.lookup(mcp_ix::TRACE, trace) {
                note(IdKind::Trace, trace, m.created_at);
            }
        }
        out
    }

    /// Prefix resolution: trimmed; fewer than [`MIN_AUDIT_PREFIX`]
    /// characters is an input error; `%`, `_`, `\` are literal. An id equal
    /// to the prefix wins when it is the only such (kind, id) (several exact
    /// matches of different kinds are ambiguous); otherwise one candidate
    /// is found; several are ambiguous
    /// (newest `created_at` first, then kind, then id; at most
    /// [`MAX_AUDIT_CANDIDATES`]); none is not found.
    pub(super) fn audit_lookup(&self, prefix: &str) -> Result<AuditResolution> {
        let prefix = prefix.trim();
        if prefix.chars().count() < MIN_AUDIT_PREFIX {
            return Err(Error::input(format!(
                "audit prefix {prefix:?} is too short: give at least {MIN_AUDIT_PREFIX} characters of a request, task or trace id"
            )));
        }
        let candidates = self.audit_candidates(prefix);
        let exact: Vec<&(IdKind, String)> =
            candidates.keys().filter(|(_, id)| id == prefix).collect();
        if let [(kind, id)] = exact.as_slice() {
            return Ok(AuditResolution::Found(Box::new(
                self.audit_record(*kind, id),
            )));
        }
        // several exact matches of different kinds: ambiguous, never a guess
        let count = if exact.is_empty() {
            candidates.len()
        } else {
            candidates.len().max(2)
        };
        match count {
            0 => Err(Error::not_found(format!(
                "no request, task or trace id starts with {prefix:?}; check the id"
            ))),
            1 => {
                let (kind, id) = candidates
                    .keys()
                    .next()
                    .cloned()
                    .unwrap_or((IdKind::Request, String::new()));
                Ok(AuditResolution::Found(Box::new(
                    self.audit_record(kind, &id),
                )))
            }
            _ => {
                let mut list: Vec<AuditCandidate> = candidates
                    .into_iter()
                    .map(|((kind, id), created_at)| AuditCandidate {
                        kind,
                        id,
                        created_at,
                    })
                    .collect();
                list.sort_by(|a, b| {
                    b.created_at
                        .cmp(&a.created_at)
                        .then(a.kind.cmp(&b.kind))
                        .then_with(|| a.id.cmp(&b.id))
                });
                list.truncate(MAX_AUDIT_CANDIDATES);
                Ok(AuditResolution::Ambiguous {
                    prefix: prefix.to_string(),
                    candidates: list,
                })
            }
        }
    }

    pub(super) fn log_search(&self, filter: &LogFilter) -> Vec<LogRecord> {
        let pattern = filter.pattern.as_deref().map(str::to_lowercase);
        let keep = |l: &&LogRecord| {
            in_window(&filter.window, l.timestamp)
                && filter
                    .level
                    .as_deref()
                    .is_none_or(|lv| lv.split(',').any(|one| l.level.eq_ignore_ascii_case(one)))
                && filter.module.as_deref().is_none_or(|m| l.module == m)
                && filter
                    .trace_id
                    .as_ref()
                    .is_none_or(|t| l.trace_id.as_ref() == Some(t))
                && pattern
                    .as_deref()
                    .is_none_or(|p| contains_ci(&l.message, p))
        };
        let mut rows: Vec<LogRecord> = match &filter.trace_id {
            Some(t) => self
                .logs
                .lookup(log_ix::TRACE, t.as_str())
                .filter(keep)
                .cloned()
                .collect(),
            None => self.logs.iter().filter(keep).cloned().collect(),
        };
        rows.sort_by(|a, b| b.timestamp.cmp(&a.timestamp).then_with(|| b.id.cmp(&a.id)));
        take(rows, filter.limit)
    }

    pub(super) fn log_summary(&self, window: &TimeWindow) -> LogSummary {
        let mut total = 0i64;
        let mut levels: BTreeMap<&str, i64> = BTreeMap::new();
        let mut modules: BTreeMap<&str, i64> = BTreeMap::new();
        let mut first_at: Option<Timestamp> = None;
        let mut last_at: Option<Timestamp> = None;
        for l in self.logs.iter().filter(|l| window.contains(l.timestamp)) {
            total += 1;
            *levels.entry(l.level.as_str()).or_default() += 1;
            *modules.entry(l.module.as_str()).or_default() += 1;
            first_at = Some(first_at.map_or(l.timestamp, |t| t.min(l.timestamp)));
            last_at = Some(last_at.map_or(l.timestamp, |t| t.max(l.timestamp)));
        }
        const SEVERITY: [&str; 5] = ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"];
        let rank = |level: &str| {
            SEVERITY
                .iter()
                .position(|s| s.eq_ignore_ascii_case(level))
                .unwrap_or(SEVERITY.len())
        };
        let mut by_level: Vec<LevelCount> = levels
            .into_iter()
            .map(|(level, count)| LevelCount {
                level: level.to_string(),
                count,
            })
            .collect();
        by_level.sort_by(|a, b| {
            rank(&a.level)
                .cmp(&rank(&b.level))
                .then_with(|| a.level.cmp(&b.level))
        });
        let mut top_modules: Vec<ModuleCount> = modules
            .into_iter()
            .map(|(module, count)| ModuleCount {
                module: module.to_string(),
                count,
            })
            .collect();
        top_modules.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.module.cmp(&b.module)));
        top_modules.truncate(10);
        LogSummary {
            total,
            by_level,
            top_modules,
            first_at,
            last_at,
        }
    }

    /// Window on `started_at`; newest `started_at` first, then id desc.
    pub(super) fn tool_executions(&self, filter: &ToolExecutionFilter) -> Vec<McpExecutionRecord> {
        let keep = |m: &&McpExecutionRecord| {
            in_window(&filter.window, m.started_at)
                && filter.tool_name.as_deref().is_none_or(|t| m.tool_name == t)
                && filter
                    .server_name
                    .as_deref()
                    .is_none_or(|s| m.server_name == s)
                && filter.status.as_deref().is_none_or(|s| m.status == s)
        };
        let mut rows: Vec<McpExecutionRecord> = match &filter.tool_name {
            Some(t) => self
                .mcp
                .lookup(mcp_ix::TOOL, t)
                .filter(keep)
                .cloned()
                .collect(),
            None => self.mcp.iter().filter(keep).cloned().collect(),
        };
        rows.sort_by(|a, b| {
            b.started_at
                .cmp(&a.started_at)
                .then_with(|| b.mcp_execution_id.cmp(&a.mcp_execution_id))
        });
        take(rows, filter.limit)
    }

    /// Window on `created_at`; newest first, then id desc.
    pub(super) fn ai_requests(&self, filter: &AiRequestFilter) -> Vec<AiRequestRecord> {
        let keep = |r: &&AiRequestRecord| {
            in_window(&filter.window, r.created_at)
                && filter.model.as_deref().is_none_or(|m| r.model == m)
                && filter.provider.as_deref().is_none_or(|p| r.provider == p)
                && filter.status.as_deref().is_none_or(|s| r.status == s)
                && filter.user_id.as_ref().is_none_or(|u| &r.user_id == u)
        };
        let source: Box<dyn Iterator<Item = &RequestRow>> = match (&filter.user_id, &filter.model) {
            (Some(u), _) => Box::new(self.requests.lookup(request_ix::USER, u.as_str())),
            (None, Some(m)) => Box::new(self.requests.lookup(request_ix::MODEL, m)),
            (None, None) => Box::new(self.requests.iter()),
        };
        let mut rows: Vec<AiRequestRecord> =
            source.map(|r| &r.record).filter(keep).cloned().collect();
        rows.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.id.cmp(&a.id))
        });
        take(rows, filter.limit)
    }

    /// Per-model rows group by (model, provider), by request count desc,
    /// then model, then provider.
    pub(super) fn request_stats(&self, window: &TimeWindow) -> RequestStats {
        #[derive(Default)]
        struct Acc {
            count: i64,
            completed: i64,
            failed: i64,
            pending: i64,
            cache: i64,
            latencies: Vec<i64>,
            tokens: i64,
            cost: i64,
        }
        impl Acc {
            fn add(&mut self, r: &AiRequestRecord) {
                self.count += 1;
                match r.status.as_str() {
                    request_status::COMPLETED => self.completed += 1,
                    request_status::FAILED => self.failed += 1,
                    request_status::PENDING => self.pending += 1,
                    _ => {}
                }
                if r.cache_hit {
                    self.cache += 1;
                }
                if let Some(ms) = r.latency_ms {
                    self.latencies.push(i64::from(ms));
                }
                self.tokens += tok(r.tokens_used);
                self.cost = self.cost.saturating_add(r.cost_microdollars.get());
            }
            fn latency(&mut self) -> (i64, Option<i64>, Option<i64>, Option<i64>) {
                self.latencies.sort_unstable();
                let sum: i64 = self.latencies.iter().sum();
                (
                    int_avg(sum, self.latencies.len() as i64),
                    percentile_disc(&self.latencies, 0.50),
                    percentile_disc(&self.latencies, 0.95),
                    percentile_disc(&self.latencies, 0.99),
                )
            }
        }
        let mut all = Acc::default();
        let mut models: BTreeMap<(&str, &str), Acc> = BTreeMap::new();
        let (mut cache_read, mut cache_write, mut input, mut rerouted) = (0, 0, 0, 0);
        for r in self.requests_in(window) {
            all.add(r);
            cache_read += tok(r.cache_read_tokens);
            cache_write += tok(r.cache_creation_tokens);
            input += tok(r.input_tokens);
            rerouted += i64::from(r.requested_model.as_ref().is_some_and(|m| *m != r.model));
            models
                .entry((r.model.as_str(), r.provider.as_str()))
                .or_default()
                .add(r);
        }
        let mut by_model: Vec<ModelRequestStats> = models
            .into_iter()
            .map(|((model, provider), mut a)| {
                let (avg, p50, p95, p99) = a.latency();
                ModelRequestStats {
                    model: model.to_string(),
                    provider: provider.to_string(),
                    request_count: a.count,
                    failed_count: a.failed,
                    cache_hit_count: a.cache,
                    error_rate: rate(a.failed, a.count),
                    cache_hit_rate: rate(a.cache, a.count),
                    avg_latency_ms: avg,
                    p50_latency_ms: p50,
                    p95_latency_ms: p95,
                    p99_latency_ms: p99,
                    total_tokens: a.tokens,
                    total_cost_microdollars: Microdollars(a.cost),
                }
            })
            .collect();
        by_model.sort_by(|a, b| {
            b.request_count
                .cmp(&a.request_count)
                .then_with(|| a.model.cmp(&b.model))
                .then_with(|| a.provider.cmp(&b.provider))
        });
        let (avg, p50, p95, p99) = all.latency();
        RequestStats {
            request_count: all.count,
            completed_count: all.completed,
            failed_count: all.failed,
            pending_count: all.pending,
            cache_hit_count: all.cache,
            error_rate: rate(all.failed, all.count),
            cache_hit_rate: rate(all.cache, all.count),
            avg_latency_ms: avg,
            p50_latency_ms: p50,
            p95_latency_ms: p95,
            p99_latency_ms: p99,
            total_tokens: all.tokens,
            total_cost_microdollars: Microdollars(all.cost),
            cache_read_tokens: cache_read,
            cache_creation_tokens: cache_write,
            cached_input_share: cached_share(cache_read, input),
            rerouted_request_count: rerouted,
            by_model,
        }
    }

    /// `avg_duration_seconds`: the exact mean of the capped durations
    /// (microseconds) over counted ended sessions, rounded to whole
    /// seconds; the bot figures cover every session in the window.
    pub(super) fn session_stats(&self, window: &TimeWindow, counting: Counting) -> SessionStats {
        let mut out = SessionStats {
            bots_included: counting.include_bots,
            ..SessionStats::default()
        };
        let mut users = HashSet::new();
        let mut duration_micros: i64 = 0;
        let mut all = 0;
        for s in self.sessions_in(window) {
            all += 1;
            out.bot_sessions += i64::from(is_bot_session(s));
            out.scanner_sessions += i64::from(s.is_scanner);
            out.behavioral_bot_sessions += i64::from(s.is_behavioral_bot);
            out.ai_crawler_sessions += i64::from(s.is_ai_crawler.unwrap_or(false));
            if !counted_session(s, counting) {
                continue;
            }
            out.session_count += 1;
            if let Some(u) = &s.user_id {
                users.insert(u.as_str());
            }
            if let Some(end) = s.ended_at {
                out.ended_count += 1;
                duration_micros += capped_duration_micros(s, end);
            }
            out.total_requests += i64::from(s.request_count);
            out.total_ai_requests += i64::from(s.ai_request_count);
        }
        out.unique_users = users.len() as i64;
        out.avg_duration_seconds =
            int_avg(duration_micros, out.ended_count.saturating_mul(1_000_000));
        out.bot_share = rate(out.bot_sessions, all);
        out
    }

    pub(super) fn traffic(
        &self,
        window: &TimeWindow,
        limit: usize,
        counting: Counting,
    ) -> TrafficReport {
        let sessions: Vec<&SessionRecord> = self.sessions_in(window).collect();
        let all = sessions.len() as i64;
        let total = sessions
            .iter()
            .filter(|s| counted_session(s, counting))
            .count() as i64;
        let group = |key: fn(&SessionRecord) -> Option<&str>| -> Vec<TrafficRow> {
            let mut map: BTreeMap<&str, (i64, i64, i64)> = BTreeMap::new();
            for s in &sessions {
                let e = map.entry(key(s).unwrap_or(UNKNOWN_KEY)).or_default();
                e.0 += i64::from(counted_session(s, counting));
                e.1 += i64::from(is_bot_session(s));
                e.2 += i64::from(s.is_scanner);
            }
            let mut rows: Vec<TrafficRow> = map
                .into_iter()
                .map(|(k, (n, bots, scanners))| TrafficRow {
                    key: k.to_string(),
                    session_count: n,
                    bot_count: bots,
                    scanner_count: scanners,
                    share: rate(n, total),
                })
                .collect();
            sort_traffic_rows(&mut rows);
            take(rows, limit)
        };
        let bots = sessions.iter().filter(|s| is_bot_session(s)).count() as i64;
        let scanners = sessions.iter().filter(|s| s.is_scanner).count() as i64;
        TrafficReport {
            bots_included: counting.include_bots,
            total_sessions: total,
            bot_sessions: bots,
            scanner_sessions: scanners,
            bot_share: rate(bots, all),
            scanner_share: rate(scanners, all),
            by_source: group(|s| s.session_source.as_deref()),
            by_client: group(|s| s.client_id.as_ref().map(|c| c.as_str())),
            by_device: group(|s| s.device_type.as_deref()),
            by_country: group(|s| s.country.as_deref()),
        }
    }

    pub(super) fn content(
        &self,
        window: &TimeWindow,
        limit: usize,
        counting: Counting,
    ) -> ContentReport {
        let bot_sessions = self
            .sessions_in(window)
            .filter(|s| is_bot_session(s))
            .count() as i64;
        let sessions: Vec<&SessionRecord> = self
            .sessions_in(window)
            .filter(|s| counted_session(s, counting))
            .collect();
        let total = sessions.len() as i64;
        let group = |key: &dyn Fn(&SessionRecord) -> &str| -> Vec<ContentRow> {
            let mut map: BTreeMap<&str, (i64, HashSet<&str>)> = BTreeMap::new();
            for s in &sessions {
                let e = map.entry(key(s)).or_default();
                e.0 += 1;
                if let Some(u) = &s.user_id {
                    e.1.insert(u.as_str());
                }
            }
            let mut rows: Vec<ContentRow> = map
                .into_iter()
                .map(|(k, (n, users))| ContentRow {
                    key: k.to_string(),
                    session_count: n,
                    unique_users: users.len() as i64,
                    share: rate(n, total),
                })
                .collect();
            rows.sort_by(|a, b| {
                b.session_count
                    .cmp(&a.session_count)
                    .then_with(|| a.key.cmp(&b.key))
            });
            take(rows, limit)
        };
        ContentReport {
            bots_included: counting.include_bots,
            total_sessions: total,
            bot_sessions,
            landing_pages: group(&|s| s.landing_page.as_deref().unwrap_or(UNKNOWN_KEY)),
            referrers: group(&|s| s.referrer_source.as_deref().unwrap_or(DIRECT_KEY)),
        }
    }

    /// Contexts with `updated_at` in the window, most recently updated
    /// first (then context id ascending); totals over all the context's AI
    /// requests (any time).
    pub(super) fn conversations(&self, window: &TimeWindow, limit: usize) -> Vec<ConversationRow> {
        let mut contexts: Vec<&ContextRecord> = self
            .contexts
            .iter()
            .filter(|c| window.contains(c.updated_at))
            .collect();
        contexts.sort_by_key(|c| (Reverse(c.updated_at), c.context_id.as_str()));
        take(contexts, limit)
            .into_iter()
            .map(|c| {
                let mut sums = Sums::default();
                let mut messages = 0i64;
                for r in self
                    .requests
                    .lookup(request_ix::CONTEXT, c.context_id.as_str())
                {
                    sums.add(&r.record);
                    messages += r.messages.len() as i64;
                }
                ConversationRow {
                    context_id: c.context_id.clone(),
                    name: c.name.clone(),
                    user_id: c.user_id.clone(),
                    created_at: c.created_at,
                    updated_at: c.updated_at,
                    message_count: messages,
                    request_count: sums.count,
                    total_tokens: sums.tokens,
                    total_cost_microdollars: Microdollars(sums.cost),
                }
            })
            .collect()
    }
}

#[async_trait]
impl QueryEngine for LiveEngine {
    async fn reprice(&self, query: &RepriceQuery) -> Result<RepriceReport> {
        Ok(self.read().store.reprice(query))
    }
    async fn overview(&self, now: Timestamp) -> Result<PlatformOverview> {
        Ok(self.read().store.overview(now))
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
    async fn log_summary(&self, window: &TimeWindow) -> Result<LogSummary> {
        Ok(self.read().store.log_summary(window))
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
}
