//! Traces: the trace list (one row per trace from its requests, MCP
//! executions and tasks) and one trace's detail.

use super::*;

impl Store {
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
    pub(in crate::live) fn traces(&self, filter: &TraceListFilter) -> Vec<TraceListItem> {
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
            .filter(|id| {
                filter.model.as_deref().is_none_or(|model| {
                    self.requests
                        .lookup(request_ix::TRACE, id)
                        .any(|r| r.record.model == model)
                })
            })
            .filter(|id| {
                filter.provider.as_deref().is_none_or(|provider| {
                    self.requests
                        .lookup(request_ix::TRACE, id)
                        .any(|r| r.record.provider == provider)
                })
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
    pub(in crate::live) fn trace_detail(&self, trace_id: &TraceId) -> Result<TraceDetail> {
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

    pub(super) fn earliest_task_of_trace(&self, trace: &str) -> Option<&AgentTaskRecord> {
        self.tasks.lookup(task_ix::TRACE, trace).min_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.task_id.cmp(&b.task_id))
        })
    }
}
