//! A workload as the time-ordered [`Event`] stream a live source would have
//! produced: each request as `ai_request_started` (pending) then
//! `ai_request_completed` / `ai_request_failed` (with its messages and tool
//! calls), tasks as a working update then their final state, and so on. The
//! last event about any row always carries that row's final state, so a
//! consumer that upserts by id ends with exactly the workload's rows (the
//! conformance test relies on this).

use super::Workload;
use super::trace::{pending_execution, pending_request, working_task};
use crate::model::*;
use std::collections::HashMap;

/// Every row of `w` as events, ordered by time (ties keep causal order).
pub fn workload_events(w: &Workload) -> Vec<Event> {
    let mut timed: Vec<(Timestamp, Event)> =
        Vec::with_capacity(w.row_count() + w.ai_requests.len() + w.tasks.len());
    for user in &w.users {
        timed.push((user.created_at, Event::UserSeen { user: user.clone() }));
    }
    for session in &w.sessions {
        timed.push((
            session.started_at,
            Event::SessionStarted {
                session: session.clone(),
            },
        ));
        if let Some(end) = session.ended_at {
            timed.push((
                end,
                Event::SessionEnded {
                    session: session.clone(),
                },
            ));
        }
    }
    for context in &w.contexts {
        timed.push((
            context.created_at,
            Event::ContextCreated {
                context: context.clone(),
            },
        ));
    }
    for task in &w.tasks {
        push_task(&mut timed, task);
    }
    for step in &w.steps {
        timed.push((
            step.completed_at.unwrap_or(step.started_at),
            Event::ExecutionStep { step: step.clone() },
        ));
    }
    let mut messages: HashMap<&AiRequestId, Vec<MessageRecord>> = HashMap::new();
    for m in &w.messages {
        messages.entry(&m.request_id).or_default().push(m.clone());
    }
    let mut calls: HashMap<&AiRequestId, Vec<ToolCallRecord>> = HashMap::new();
    for c in &w.tool_calls {
        calls.entry(&c.request_id).or_default().push(c.clone());
    }
    for r in &w.ai_requests {
        let m = messages.remove(&r.id).unwrap_or_default();
        let c = calls.remove(&r.id).unwrap_or_default();
        push_request(&mut timed, r, m, c);
    }
    for m in &w.mcp_executions {
        push_execution(&mut timed, m);
    }
    for log in &w.logs {
        timed.push((log.timestamp, Event::Log { log: log.clone() }));
    }
    timed.sort_by_key(|(t, _)| *t);
    timed.into_iter().map(|(_, e)| e).collect()
}

pub(crate) fn push_task(timed: &mut Vec<(Timestamp, Event)>, task: &AgentTaskRecord) {
    let terminal = matches!(
        task.status.as_str(),
        task_state::COMPLETED | task_state::FAILED | task_state::CANCELED
    );
    if terminal && task.started_at.is_some() {
        let working = working_task(task);
        timed.push((working.updated_at, Event::TaskUpdated { task: working }));
    }
    timed.push((task.updated_at, Event::TaskUpdated { task: task.clone() }));
}

pub(crate) fn push_request(
    timed: &mut Vec<(Timestamp, Event)>,
    r: &AiRequestRecord,
    messages: Vec<MessageRecord>,
    tool_calls: Vec<ToolCallRecord>,
) {
    let pending = pending_request(r);
    if r.status == request_status::PENDING {
        timed.push((r.created_at, Event::AiRequestStarted { request: r.clone() }));
        return;
    }
    timed.push((r.created_at, Event::AiRequestStarted { request: pending }));
    let at = r.completed_at.unwrap_or(r.updated_at);
    let event = if r.status == request_status::FAILED {
        Event::AiRequestFailed {
            request: r.clone(),
            messages,
            tool_calls,
        }
    } else {
        Event::AiRequestCompleted {
            request: r.clone(),
            messages,
            tool_calls,
        }
    };
    timed.push((at, event));
}

pub(crate) fn push_execution(timed: &mut Vec<(Timestamp, Event)>, m: &McpExecutionRecord) {
    match m.completed_at {
        Some(done) => {
            if m.execution_time_ms.unwrap_or(0) >= 2_000 {
                timed.push((
                    m.started_at,
                    Event::McpExecution {
                        execution: pending_execution(m),
                    },
                ));
            }
            timed.push((
                done,
                Event::McpExecution {
                    execution: m.clone(),
                },
            ));
        }
        None => timed.push((
            m.started_at,
            Event::McpExecution {
                execution: m.clone(),
            },
        )),
    }
}

/// A complete trace draft as timed events (the live generator's input).
pub(crate) fn draft_events(w: Workload) -> Vec<(Timestamp, Event)> {
    let mut timed = Vec::with_capacity(w.row_count() + w.ai_requests.len() + 2);
    for task in &w.tasks {
        push_task(&mut timed, task);
    }
    for step in w.steps {
        // a long step is written when it starts (in progress) and again when
        // it ends, as a gateway does: written only at its end, its
        // `started_at` would be older than a tail's re-read window
        if step
            .completed_at
            .is_some_and(|done| done - step.started_at >= chrono::Duration::seconds(2))
        {
            timed.push((
                step.started_at,
                Event::ExecutionStep {
                    step: super::trace::in_progress_step(&step),
                },
            ));
        }
        timed.push((
            step.completed_at.unwrap_or(step.started_at),
            Event::ExecutionStep { step },
        ));
    }
    let mut messages: HashMap<AiRequestId, Vec<MessageRecord>> = HashMap::new();
    for m in w.messages {
        messages.entry(m.request_id.clone()).or_default().push(m);
    }
    let mut calls: HashMap<AiRequestId, Vec<ToolCallRecord>> = HashMap::new();
    for c in w.tool_calls {
        calls.entry(c.request_id.clone()).or_default().push(c);
    }
    for r in &w.ai_requests {
        let m = messages.remove(&r.id).unwrap_or_default();
        let c = calls.remove(&r.id).unwrap_or_default();
        push_request(&mut timed, r, m, c);
    }
    for m in &w.mcp_executions {
        push_execution(&mut timed, m);
    }
    for log in w.logs {
        timed.push((log.timestamp, Event::Log { log }));
    }
    timed
}
