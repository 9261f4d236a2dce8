//! Leaderboards: top users, top agents and the tools table.

use super::*;

impl Store {
    /// Users with an AI request, a session or a task in the window, by cost
    /// desc, then request count desc, then user id.
    pub(in crate::live) fn top_users(&self, window: &TimeWindow, limit: usize) -> Vec<UserLeader> {
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
    pub(in crate::live) fn top_agents(
        &self,
        window: &TimeWindow,
        limit: usize,
    ) -> Vec<AgentLeader> {
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
    pub(in crate::live) fn tools(
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
}
