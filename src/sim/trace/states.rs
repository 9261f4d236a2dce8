//! A simulated trace cut at a moment: what is still pending, in progress or
//! working at that time (the live generator's half-finished runs).

use super::*;

/// Append what of `draft` exists at `horizon` to `out`: rows that start
/// later are dropped, rows in flight become pending / in progress.
pub(crate) fn cut_into(draft: Workload, horizon: Timestamp, out: &mut Workload) {
    use std::collections::HashSet;
    let mut kept_requests = HashSet::new();
    for r in draft.ai_requests {
        if r.created_at > horizon {
            continue;
        }
        if r.completed_at.is_some_and(|c| c > horizon) {
            out.ai_requests.push(pending_request(&r));
        } else {
            kept_requests.insert(r.id.clone());
            out.ai_requests.push(r);
        }
    }
    out.messages.extend(
        draft
            .messages
            .into_iter()
            .filter(|m| kept_requests.contains(&m.request_id)),
    );
    let mut kept_mcp = HashSet::new();
    for m in draft.mcp_executions {
        if m.started_at > horizon {
            continue;
        }
        kept_mcp.insert(m.mcp_execution_id.clone());
        if m.completed_at.is_some_and(|c| c > horizon) {
            out.mcp_executions.push(pending_execution(&m));
        } else {
            out.mcp_executions.push(m);
        }
    }
    out.tool_calls
        .extend(draft.tool_calls.into_iter().filter(|c| {
            kept_requests.contains(&c.request_id)
                && c.mcp_execution_id
                    .as_ref()
                    .is_some_and(|id| kept_mcp.contains(id))
        }));
    for s in draft.steps {
        if s.started_at > horizon {
            continue;
        }
        if s.completed_at.is_some_and(|c| c > horizon) {
            out.steps.push(in_progress_step(&s));
        } else {
            out.steps.push(s);
        }
    }
    out.logs
        .extend(draft.logs.into_iter().filter(|l| l.timestamp <= horizon));
    for task in draft.tasks {
        if task.created_at > horizon {
            continue;
        }
        if task.started_at.is_some_and(|s| s > horizon) {
            out.tasks.push(AgentTaskRecord {
                status: task_state::SUBMITTED.to_string(),
                started_at: None,
                completed_at: None,
                execution_time_ms: None,
                error_message: None,
                updated_at: task.created_at,
                ..task
            });
        } else if task.completed_at.is_some_and(|c| c > horizon) {
            out.tasks.push(working_task(&task));
        } else {
            out.tasks.push(task);
        }
    }
}

/// The row a gateway writes when a request is opened.
pub(crate) fn pending_request(r: &AiRequestRecord) -> AiRequestRecord {
    AiRequestRecord {
        tokens_used: None,
        input_tokens: None,
        output_tokens: None,
        cost_microdollars: Microdollars::ZERO,
        latency_ms: None,
        cache_hit: false,
        status: request_status::PENDING.to_string(),
        error_message: None,
        updated_at: r.created_at,
        completed_at: None,
        cache_read_tokens: None,
        cache_creation_tokens: None,
        provider_request_id: None,
        ..r.clone()
    }
}

/// An MCP execution that has started and not finished.
pub(crate) fn pending_execution(m: &McpExecutionRecord) -> McpExecutionRecord {
    McpExecutionRecord {
        completed_at: None,
        execution_time_ms: None,
        output: None,
        status: mcp_status::PENDING.to_string(),
        error_message: None,
        ..m.clone()
    }
}

/// A step that has started and not finished.
pub(crate) fn in_progress_step(s: &StepRecord) -> StepRecord {
    StepRecord {
        status: "in_progress".to_string(),
        completed_at: None,
        duration_ms: None,
        error_message: None,
        ..s.clone()
    }
}

/// A task that is running.
pub(crate) fn working_task(t: &AgentTaskRecord) -> AgentTaskRecord {
    AgentTaskRecord {
        status: task_state::WORKING.to_string(),
        completed_at: None,
        execution_time_ms: None,
        error_message: None,
        updated_at: t.started_at.unwrap_or(t.created_at),
        ..t.clone()
    }
}
