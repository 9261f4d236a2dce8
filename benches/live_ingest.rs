//! LiveEngine throughput and memory, printed (speed is a benchmark, not a
//! test). Run (release profile):
//!
//! ```sh
//! cargo bench --bench live_ingest
//! ```
//!
//! Targets: parse + decode + store >= 200k events/s on one core (on-CPU
//! time of the ingesting thread, so a busy machine does not skew it), and
//! one million events held in <= 1 GB.
//!
//! A synthetic workload shaped like a gateway's stream (per AI request: a
//! task created and completed, request started and completed with two
//! messages and a tool call, an MCP execution, an execution step and four
//! log lines, about 430 bytes of JSON per event on average) is serialized
//! to JSON lines in chunks; only `decode_event` (the fast equivalent of
//! `Event::from_json`) + `ingest_batch` is timed. Memory is the resident-set growth while one million events are
//! held.

use chrono::{DateTime, Duration, Utc};
use futures::executor::block_on;
use std::time::Instant;
use tracetop::live::{LiveEngine, LiveLimits, decode_event};
use tracetop::model::*;
use tracetop::query::{QueryEngine, TimeWindow};

fn uuid(kind: &str, n: u64) -> String {
    format!(
        "{kind}{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        n * 2654435761 % 0xffff_ffff,
        n % 0xffff,
        n % 0xfff,
        (n / 7) % 0xfff,
        n
    )
}

/// The ten events of unit `n`.
fn unit(n: u64, base: Timestamp) -> Vec<Event> {
    let t = base + Duration::milliseconds(n as i64 * 5);
    let user = UserId::new(format!("user-{:04}", n % 2000));
    let trace = TraceId::new(uuid("", n * 3 + 1));
    let task_id = TaskId::new(uuid("", n * 3 + 2));
    let req_id = AiRequestId::new(uuid("", n * 3 + 3));
    let mcp_id = McpExecutionId::new(uuid("m", n));
    let models = [
        ("openai", "gpt-4o"),
        ("anthropic", "claude-sonnet-4"),
        ("google", "gemini-2.5-pro"),
    ];
    let (provider, model) = models[(n % 3) as usize];
    let mut task = AgentTaskRecord {
        task_id: task_id.clone(),
        context_id: Some(ContextId::new(format!("ctx_{:06}", n / 10))),
        status: task_state::WORKING.into(),
        user_id: Some(user.clone()),
        session_id: Some(SessionId::new(format!("sess_{:06}", n / 50))),
        trace_id: Some(trace.clone()),
        agent_name: Some(["planner", "coder", "researcher", "support"][(n % 4) as usize].into()),
        started_at: Some(t),
        completed_at: None,
        execution_time_ms: None,
        error_message: None,
        created_at: t,
        updated_at: t,
    };
    let mut request = AiRequestRecord {
        id: req_id.clone(),
        request_id: format!("chatcmpl-{n:012}"),
        user_id: user.clone(),
        session_id: task.session_id.clone(),
        task_id: Some(task_id.clone()),
        context_id: task.context_id.clone(),
        trace_id: Some(trace.clone()),
        mcp_execution_id: None,
        provider: provider.into(),
        model: model.into(),
        tokens_used: None,
        input_tokens: None,
        output_tokens: None,
        cost_microdollars: Microdollars(0),
        latency_ms: None,
        cache_hit: false,
        status: request_status::PENDING.into(),
        error_message: None,
        created_at: t,
        updated_at: t,
        completed_at: None,
        requested_model: None,
        cache_read_tokens: None,
        cache_creation_tokens: None,
        is_streaming: None,
        actor_kind: None,
        actor_id: None,
        synthetic: None,
        gateway_conversation_id: None,
        provider_request_id: None,
    };
    let started = Event::AiRequestStarted {
        request: request.clone(),
    };
    let done = t + Duration::milliseconds(800);
    request.status = request_status::COMPLETED.into();
    request.tokens_used = Some(1200);
    request.input_tokens = Some(1000);
    request.output_tokens = Some(200);
    request.cost_microdollars = Microdollars(4200);
    request.latency_ms = Some(800);
    request.updated_at = done;
    request.completed_at = Some(done);
    let completed = Event::AiRequestCompleted {
        request,
        messages: vec![
            MessageRecord {
                request_id: req_id.clone(),
                role: "user".into(),
                content: "Summarise the open incidents for the payments service and suggest next steps.".into(),
                sequence_number: 0,
                name: None,
                tool_call_id: None,
            },
            MessageRecord {
                request_id: req_id.clone(),
                role: "assistant".into(),
                content: "There are two open incidents: elevated latency on the card API and a failed settlement batch. Next: check the batch logs.".into(),
                sequence_number: 1,
                name: None,
                tool_call_id: None,
            },
        ],
        tool_calls: vec![ToolCallRecord {
            request_id: req_id.clone(),
            tool_name: "search_incidents".into(),
            tool_input: "{\"service\":\"payments\",\"state\":\"open\"}".into(),
            mcp_execution_id: Some(mcp_id.clone()),
            ai_tool_call_id: Some(format!("call_{n:010}")),
            sequence_number: 0,
        }],
    };
    let mcp = Event::McpExecution {
        execution: McpExecutionRecord {
            mcp_execution_id: mcp_id,
            tool_name: "search_incidents".into(),
            server_name: "ops-mcp".into(),
            started_at: t + Duration::milliseconds(100),
            completed_at: Some(t + Duration::milliseconds(300)),
            execution_time_ms: Some(200),
            input: "{\"service\":\"payments\",\"state\":\"open\"}".into(),
            output: Some("{\"incidents\":[{\"id\":\"INC-1\",\"title\":\"card API latency\"},{\"id\":\"INC-2\",\"title\":\"settlement batch failed\"}]}".into()),
            status: mcp_status::SUCCESS.into(),
            error_message: None,
            user_id: Some(user.clone()),
            session_id: task.session_id.clone(),
            context_id: task.context_id.clone(),
            task_id: Some(task_id.clone()),
            trace_id: Some(trace.clone()),
            created_at: t + Duration::milliseconds(100),
        },
    };
    let step = Event::ExecutionStep {
        step: StepRecord {
            step_id: StepId::new(uuid("s", n)),
            task_id: task_id.clone(),
            step_type: "tool_call".into(),
            title: Some("search incidents".into()),
            status: "completed".into(),
            content: None,
            started_at: t + Duration::milliseconds(100),
            completed_at: Some(t + Duration::milliseconds(300)),
            duration_ms: Some(200),
            error_message: None,
        },
    };
    let logs = (0..4u64).map(|k| Event::Log {
        log: LogRecord {
            id: LogId::new(uuid("l", n * 4 + k)),
            timestamp: t + Duration::milliseconds(k as i64 * 200),
            level: ["INFO", "DEBUG", "INFO", "WARN"][k as usize].into(),
            module: [
                "gateway::router",
                "agent::runtime",
                "mcp::client",
                "gateway::billing",
            ][k as usize]
                .into(),
            message: format!(
                "request {n} stage {k}: forwarded to {provider} in {} ms",
                100 + k * 50
            ),
            metadata: Some("{\"region\":\"eu-west-1\"}".into()),
            user_id: Some(user.clone()),
            session_id: task.session_id.clone(),
            task_id: Some(task_id.clone()),
            trace_id: Some(trace.clone()),
            context_id: task.context_id.clone(),
            client_id: None,
            gateway_conversation_id: None,
            provider_request_id: None,
        },
    });
    let created = Event::TaskUpdated { task: task.clone() };
    task.status = task_state::COMPLETED.into();
    task.completed_at = Some(done);
    task.execution_time_ms = Some(800);
    task.updated_at = done;
    let mut out = vec![created, started, mcp, step];
    out.extend(logs);
    out.push(completed);
    out.push(Event::TaskUpdated { task });
    out
}

/// CPU time this thread has run, from `/proc/thread-self/schedstat` (so a
/// busy shared machine does not count against us).
fn thread_cpu() -> std::time::Duration {
    let ns = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
        })
        .unwrap_or(0);
    std::time::Duration::from_nanos(ns)
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let base: Timestamp = DateTime::parse_from_rfc3339("2026-11-20T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let engine = LiveEngine::new(LiveLimits {
        max_events: 2_000_000,
        max_bytes: 4 << 30,
    });
    let rss_before = rss_kib();
    let units = 125_000u64; // ten events (eight rows) each: 1.25M events, 1M rows
    let chunk = 1_000u64;
    let mut timed = std::time::Duration::ZERO;
    let mut parse_time = std::time::Duration::ZERO;
    let mut parse_cpu = std::time::Duration::ZERO;
    let mut store_cpu = std::time::Duration::ZERO;
    let mut store_time = std::time::Duration::ZERO;
    let mut events = 0u64;
    let mut json_bytes = 0usize;
    let mut lines: Vec<String> = Vec::with_capacity((chunk * 10) as usize);
    for start in (0..units).step_by(chunk as usize) {
        lines.clear();
        for n in start..start + chunk {
            for e in unit(n, base) {
                lines.push(serde_json::to_string(&e).unwrap());
            }
        }
        json_bytes += lines.iter().map(String::len).sum::<usize>();
        let cpu0 = thread_cpu();
        let clock = Instant::now();
        let decoded: Vec<Event> = lines.iter().map(|l| decode_event(l)).collect();
        let parsed_at = clock.elapsed();
        let cpu1 = thread_cpu();
        engine.ingest_batch(decoded);
        let total = clock.elapsed();
        let cpu2 = thread_cpu();
        parse_cpu += cpu1 - cpu0;
        store_cpu += cpu2 - cpu1;
        parse_time += parsed_at;
        store_time += total - parsed_at;
        timed += total;
        events += lines.len() as u64;
        if events == 1_000_000 {
            let s = engine.stats();
            println!(
                "after 1,000,000 events: {} rows, store estimate {} MiB, RSS grew {} MiB",
                s.rows,
                s.bytes >> 20,
                rss_kib().saturating_sub(rss_before) >> 10
            );
        }
    }
    drop(lines);
    let rss_after = rss_kib();
    let stats = engine.stats();
    println!(
        "parse+decode+store: {events} events ({:.0} bytes JSON avg) in {:.2} s = {:.0} events/s",
        json_bytes as f64 / events as f64,
        timed.as_secs_f64(),
        events as f64 / timed.as_secs_f64()
    );
    println!(
        "  of which parse+decode {:.2} s ({:.0} events/s), store {:.2} s ({:.0} events/s)",
        parse_time.as_secs_f64(),
        events as f64 / parse_time.as_secs_f64(),
        store_time.as_secs_f64(),
        events as f64 / store_time.as_secs_f64()
    );
    let cpu = (parse_cpu + store_cpu).as_secs_f64();
    println!(
        "  on-CPU time: parse+decode {:.2} s, store {:.2} s: {:.0} events per CPU-second",
        parse_cpu.as_secs_f64(),
        store_cpu.as_secs_f64(),
        events as f64 / cpu
    );
    println!(
        "held: {} rows (from {} events, {} evicted), approx {} MiB by the store's estimate; RSS grew {} MiB ({} -> {} MiB)",
        stats.rows,
        stats.ingested,
        stats.evicted,
        stats.bytes >> 20,
        (rss_after.saturating_sub(rss_before)) >> 10,
        rss_before >> 10,
        rss_after >> 10
    );

    // a few queries over the full store, for scale
    let window = TimeWindow {
        start: base,
        end: base + Duration::days(1),
    };
    let now = base + Duration::days(1);
    let clock = Instant::now();
    let _ = block_on(engine.cost_summary(&window)).unwrap();
    println!(
        "cost_summary over {} requests: {:?}",
        units,
        clock.elapsed()
    );
    let clock = Instant::now();
    let _ = block_on(engine.request_stats(&window)).unwrap();
    println!("request_stats: {:?}", clock.elapsed());
    let clock = Instant::now();
    let trace = TraceId::new(uuid("", 50_000 * 3 + 1));
    let d = block_on(engine.trace_detail(&trace)).unwrap();
    println!(
        "trace_detail ({} events): {:?}",
        d.events.len(),
        clock.elapsed()
    );
    let clock = Instant::now();
    let _ = block_on(engine.audit_lookup(&uuid("", 50_000 * 3 + 3)[..12]));
    println!("audit_lookup by 12-char prefix: {:?}", clock.elapsed());
    let clock = Instant::now();
    let r = engine.rates(now);
    println!("rates: {:?} ({r:?})", clock.elapsed());
}
