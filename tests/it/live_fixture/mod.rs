//! The hand-built event set shared by the LiveEngine tests and the
//! conformance test: three users (one, u3, active only days ago), four
//! sessions, two contexts, three tasks with two steps, five AI requests
//! (completed, failed, pending, one from three days before), three MCP
//! executions and four logs, around `T0 = 2026-11-20T10:00Z`. Every
//! expected value in `live_engine.rs` is computed by hand from it.
//!
//! Every record is also a valid row of a real systemprompt deployment (the
//! conformance test loads it into both shapes): lower-case unique emails,
//! every session's user exists, a task's context is its user's (`uN` →
//! `ctx-N`), sessions carry a client id, steps a title, requests an actor,
//! log levels inside the level check.
#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use tracetop::model::*;
use tracetop::query::*;

pub fn t0() -> Timestamp {
    DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}
pub fn at(secs: i64) -> Timestamp {
    t0() + Duration::seconds(secs)
}
pub fn min(m: i64) -> Timestamp {
    at(m * 60)
}
/// The fixture's `now` and its window `[T0, T0+3h)`.
pub fn now() -> Timestamp {
    min(180)
}
pub fn window() -> TimeWindow {
    TimeWindow {
        start: t0(),
        end: now(),
    }
}

pub fn user(id: &str, name: &str) -> Event {
    Event::UserSeen {
        user: UserRecord {
            id: id.into(),
            name: name.into(),
            email: Some(format!("{}@example.test", name.to_lowercase())),
            status: "active".into(),
            roles: vec![],
            created_at: t0() - Duration::days(30),
        },
    }
}

pub fn session(id: &str, user: Option<&str>, started: Timestamp) -> SessionRecord {
    SessionRecord {
        session_id: id.into(),
        user_id: user.map(UserId::from),
        started_at: started,
        last_activity_at: started,
        ended_at: None,
        client_id: Some("sp_web".into()),
        request_count: 0,
        ai_request_count: 0,
        total_tokens_used: 0,
        total_ai_cost_microdollars: Microdollars(0),
        user_agent: None,
        device_type: None,
        browser: None,
        os: None,
        country: None,
        referrer_source: None,
        landing_page: None,
        fingerprint_hash: None,
        is_bot: false,
        is_scanner: false,
        is_behavioral_bot: false,
        session_source: None,
        is_ai_crawler: Some(false),
    }
}

pub fn context(id: &str, user: &str, created: Timestamp, updated: Timestamp) -> Event {
    Event::ContextCreated {
        context: ContextRecord {
            context_id: id.into(),
            user_id: user.into(),
            session_id: None,
            name: format!("conversation {id}"),
            created_at: created,
            updated_at: updated,
        },
    }
}

pub fn task(
    id: &str,
    agent: &str,
    trace: &str,
    status: &str,
    ms: Option<i32>,
    user: &str,
    created: Timestamp,
) -> Event {
    Event::TaskUpdated {
        task: AgentTaskRecord {
            task_id: id.into(),
            context_id: Some(ContextId::new(format!(
                "ctx-{}",
                user.trim_start_matches('u')
            ))),
            status: status.into(),
            user_id: Some(user.into()),
            session_id: None,
            trace_id: Some(trace.into()),
            agent_name: Some(agent.into()),
            started_at: Some(created),
            completed_at: None,
            execution_time_ms: ms,
            error_message: None,
            created_at: created,
            updated_at: created,
        },
    }
}

pub fn step(id: &str, task: &str, status: &str, ms: i32, started: Timestamp) -> Event {
    Event::ExecutionStep {
        step: StepRecord {
            step_id: id.into(),
            task_id: task.into(),
            step_type: "tool".into(),
            title: Some(format!("step {id}")),
            status: status.into(),
            content: Some("{}".into()),
            started_at: started,
            completed_at: None,
            duration_ms: Some(ms),
            error_message: None,
        },
    }
}

#[allow(clippy::too_many_arguments)]
pub fn request(
    id: &str,
    user: &str,
    task: Option<&str>,
    ctx: Option<&str>,
    trace: Option<&str>,
    provider: &str,
    model: &str,
    tokens: Option<(i32, i32)>,
    cost: i64,
    latency: Option<i32>,
    status: &str,
    created: Timestamp,
) -> AiRequestRecord {
    AiRequestRecord {
        id: id.into(),
        request_id: format!("rq-{id}"),
        user_id: user.into(),
        session_id: None,
        task_id: task.map(TaskId::from),
        context_id: ctx.map(ContextId::from),
        trace_id: trace.map(TraceId::from),
        mcp_execution_id: None,
        provider: provider.into(),
        model: model.into(),
        tokens_used: tokens.map(|(i, o)| i + o),
        input_tokens: tokens.map(|(i, _)| i),
        output_tokens: tokens.map(|(_, o)| o),
        cost_microdollars: Microdollars(cost),
        latency_ms: latency,
        cache_hit: false,
        status: status.into(),
        error_message: None,
        created_at: created,
        updated_at: created,
        completed_at: (status != "pending").then_some(created),
        requested_model: None,
        cache_read_tokens: None,
        cache_creation_tokens: None,
        is_streaming: Some(false),
        actor_kind: Some(actor_kind::USER.into()),
        actor_id: Some(user.into()),
        synthetic: Some(false),
        gateway_conversation_id: None,
        provider_request_id: None,
    }
}

pub fn message(req: &str, seq: i32, role: &str, content: &str) -> MessageRecord {
    MessageRecord {
        request_id: req.into(),
        role: role.into(),
        content: content.into(),
        sequence_number: seq,
        name: None,
        tool_call_id: None,
    }
}

#[allow(clippy::too_many_arguments)]
pub fn mcp(
    id: &str,
    tool: &str,
    server: &str,
    trace: &str,
    status: &str,
    ms: Option<i32>,
    user: &str,
    started: Timestamp,
) -> McpExecutionRecord {
    McpExecutionRecord {
        mcp_execution_id: id.into(),
        tool_name: tool.into(),
        server_name: server.into(),
        started_at: started,
        completed_at: None,
        execution_time_ms: ms,
        input: "{}".into(),
        output: None,
        status: status.into(),
        error_message: None,
        user_id: Some(user.into()),
        session_id: None,
        context_id: None,
        task_id: None,
        trace_id: Some(trace.into()),
        created_at: started,
    }
}

pub fn log(
    id: &str,
    trace: Option<&str>,
    level: &str,
    module: &str,
    msg: &str,
    ts: Timestamp,
) -> Event {
    Event::Log {
        log: LogRecord {
            id: id.into(),
            timestamp: ts,
            level: level.into(),
            module: module.into(),
            message: msg.into(),
            metadata: None,
            user_id: None,
            session_id: None,
            task_id: None,
            trace_id: trace.map(TraceId::from),
            context_id: None,
            client_id: None,
            gateway_conversation_id: None,
            provider_request_id: None,
        },
    }
}

/// The fixture described in the module docs of `live/engine.rs` tests:
/// three users (u3 active only days ago), four sessions, two contexts,
/// three tasks, five AI requests, three MCP executions, four logs.
pub fn fixture() -> Vec<Event> {
    let mut ev = vec![user("u1", "Ada"), user("u2", "Bob"), user("u3", "Cy")];

    let mut s1 = session("sess-1", Some("u1"), t0());
    s1.last_activity_at = min(10);
    s1.ended_at = Some(min(10));
    s1.client_id = Some("c1".into());
    s1.device_type = Some("desktop".into());
    s1.country = Some("DE".into());
    s1.session_source = Some("web".into());
    s1.landing_page = Some("/".into());
    s1.referrer_source = Some("google".into());
    s1.request_count = 5;
    s1.ai_request_count = 2;
    let mut s2 = session("sess-2", Some("u2"), min(60));
    s2.last_activity_at = now() - Duration::minutes(10);
    s2.device_type = Some("mobile".into());
    s2.is_bot = true;
    s2.request_count = 3;
    s2.ai_request_count = 1;
    let mut s3 = session("sess-3", Some("u1"), min(120));
    s3.ended_at = Some(min(120) + Duration::milliseconds(31_500));
    s3.last_activity_at = min(120);
    s3.device_type = Some("desktop".into());
    s3.country = Some("DE".into());
    s3.session_source = Some("web".into());
    s3.landing_page = Some("/".into());
    s3.is_scanner = true;
    let s4 = session("sess-4", Some("u3"), t0() - Duration::days(2));
    ev.push(Event::SessionStarted {
        session: s1.clone(),
    });
    ev.push(Event::SessionEnded { session: s1 });
    ev.push(Event::SessionStarted { session: s2 });
    ev.push(Event::SessionEnded { session: s3 });
    ev.push(Event::SessionStarted { session: s4 });

    ev.push(context("ctx-1", "u1", t0(), min(5)));
    ev.push(context("ctx-2", "u2", min(60), min(61)));

    ev.push(task(
        "task-0001",
        "planner",
        "trace-01",
        task_state::COMPLETED,
        Some(1000),
        "u1",
        min(1),
    ));
    ev.push(task(
        "task-0002",
        "planner",
        "trace-02",
        task_state::FAILED,
        Some(3000),
        "u2",
        min(61),
    ));
    ev.push(task(
        "task-0003",
        "coder",
        "trace-010",
        task_state::WORKING,
        None,
        "u1",
        min(120),
    ));

    ev.push(step("step-1", "task-0001", "completed", 200, min(1)));
    ev.push(step("step-2", "task-0001", "failed", 50, min(2)));

    let r1 = request(
        "req-aaaa1",
        "u1",
        Some("task-0001"),
        Some("ctx-1"),
        Some("trace-01"),
        "openai",
        "gpt-4o",
        Some((60, 40)),
        1000,
        Some(500),
        "completed",
        min(1),
    );
    let mut r2 = request(
        "req-aaaa2",
        "u1",
        Some("task-0001"),
        Some("ctx-1"),
        Some("trace-01"),
        "anthropic",
        "claude-sonnet",
        Some((120, 80)),
        3000,
        Some(1500),
        "completed",
        min(2),
    );
    r2.cache_hit = true;
    let mut r3 = request(
        "req-bbbb3",
        "u2",
        Some("task-0002"),
        Some("ctx-2"),
        Some("trace-02"),
        "openai",
        "gpt-4o",
        Some((30, 20)),
        500,
        Some(2500),
        "failed",
        min(62),
    );
    r3.mcp_execution_id = Some("mcp-2".into());
    let r4 = request(
        "req-cccc4",
        "u2",
        Some("task-9999"),
        Some("ctx-2"),
        Some("trace-04"),
        "openai",
        "gpt-4o-mini",
        None,
        0,
        None,
        "pending",
        min(63),
    );
    let r5 = request(
        "req-dddd5",
        "u1",
        None,
        Some("ctx-archived"),
        None,
        "openai",
        "gpt-4o",
        Some((5, 5)),
        10_000,
        Some(100),
        "completed",
        t0() - Duration::days(3),
    );

    ev.push(Event::AiRequestStarted {
        request: r1.clone(),
    });
    ev.push(Event::AiRequestCompleted {
        request: r1,
        // out of order on purpose: the store keeps sequence order
        messages: vec![
            message("req-aaaa1", 1, "assistant", "hello"),
            message("req-aaaa1", 0, "user", "hi"),
        ],
        tool_calls: vec![ToolCallRecord {
            request_id: "req-aaaa1".into(),
            tool_name: "search".into(),
            tool_input: "{\"q\":\"x\"}".into(),
            mcp_execution_id: Some("mcp-1".into()),
            ai_tool_call_id: Some("call-1".into()),
            sequence_number: 0,
        }],
    });
    ev.push(Event::AiRequestCompleted {
        request: r2,
        messages: vec![message("req-aaaa2", 0, "user", "more")],
        tool_calls: vec![],
    });
    ev.push(Event::AiRequestFailed {
        request: r3,
        messages: vec![message("req-bbbb3", 0, "user", "fail please")],
        tool_calls: vec![],
    });
    ev.push(Event::AiRequestStarted { request: r4 });
    ev.push(Event::AiRequestCompleted {
        request: r5,
        messages: vec![],
        tool_calls: vec![],
    });

    ev.push(Event::McpExecution {
        execution: mcp(
            "mcp-1",
            "search",
            "web",
            "trace-01",
            "success",
            Some(100),
            "u1",
            at(90),
        ),
    });
    ev.push(Event::McpExecution {
        execution: mcp(
            "mcp-2",
            "search",
            "web",
            "trace-02",
            "failed",
            Some(300),
            "u2",
            at(62 * 60 + 10),
        ),
    });
    ev.push(Event::McpExecution {
        execution: mcp(
            "mcp-3",
            "get_secret",
            "vault",
            "trace-010",
            "timeout",
            None,
            "u1",
            min(121),
        ),
    });

    ev.push(log(
        "log-1",
        Some("trace-01"),
        "INFO",
        "agent",
        "planner started",
        min(1),
    ));
    ev.push(log(
        "log-2",
        Some("trace-01"),
        "ERROR",
        "mcp",
        "Tool 100% failed_x",
        min(3),
    ));
    ev.push(log("log-3", None, "WARN", "agent", "slow", min(120)));
    ev.push(log("log-4", None, "TRACE", "zeta", "note", min(125)));
    ev
}
