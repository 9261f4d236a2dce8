//! The simulator against hand-computed expectations and a real Postgres:
//! determinism, referential integrity, every planted incident, exact costs,
//! bulk-load row counts, live pending → completed rows, the live writer
//! (`simulate --live`, `demo --postgres`), and the real binary's errors.

use crate::support;

use support::Shape;

use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeSet, HashMap, HashSet};
use tracetop::model::*;
use tracetop::prices::{PriceTable, Usage};
use tracetop::sim::prices::{
    GatewayBilling, MISPRICED_AS, MISPRICED_MODEL, UNPRICED_FROM, UNPRICED_MODEL,
};
use tracetop::sim::{self, IncidentPlan, SimConfig, Workload};
use tracetop::source::demo::LiveGenerator;

fn at(s: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn cfg(seed: u64) -> SimConfig {
    SimConfig {
        seed,
        users: 24,
        days: 2,
        until: at("2026-11-20T12:00:00Z"),
    }
}

fn workload() -> &'static Workload {
    static W: std::sync::OnceLock<Workload> = std::sync::OnceLock::new();
    W.get_or_init(|| sim::generate(&cfg(7)))
}

#[test]
fn same_seed_same_rows_and_other_seed_differs() {
    let a = workload();
    let b = sim::generate(&cfg(7));
    assert_eq!(a, &b);
    let mut chunked = Workload::default();
    for chunk in sim::generate_chunks(&cfg(7), 1) {
        chunked.append(chunk);
    }
    assert_eq!(a, &chunked, "chunk size must not change the rows");
    let other = sim::generate(&cfg(8));
    assert_ne!(a.users[0].id, other.users[0].id);
    assert_ne!(a.ai_requests.len(), 0);
    assert!(a.ai_requests.len() > 500, "{}", a.ai_requests.len());
}

#[test]
fn rows_are_joined_and_within_the_window() {
    let w = workload();
    let until = cfg(7).until;
    let start = until - Duration::days(2);
    let mcp: HashSet<&McpExecutionId> = w
        .mcp_executions
        .iter()
        .map(|m| &m.mcp_execution_id)
        .collect();
    let requests: HashMap<&AiRequestId, &AiRequestRecord> =
        w.ai_requests.iter().map(|r| (&r.id, r)).collect();
    let tasks: HashMap<&TaskId, &AgentTaskRecord> =
        w.tasks.iter().map(|t| (&t.task_id, t)).collect();
    let sessions: HashSet<&SessionId> = w.sessions.iter().map(|s| &s.session_id).collect();
    let contexts: HashSet<&ContextId> = w.contexts.iter().map(|c| &c.context_id).collect();
    let users: HashSet<&UserId> = w.users.iter().map(|u| &u.id).collect();
    let log_traces: HashSet<&TraceId> = w.logs.iter().filter_map(|l| l.trace_id.as_ref()).collect();
    assert!(!w.tool_calls.is_empty());
    for c in &w.tool_calls {
        let id = c
            .mcp_execution_id
            .as_ref()
            .expect("tool call links an execution");
        assert!(mcp.contains(id), "tool call {id} has no MCP execution");
        assert!(requests.contains_key(&c.request_id));
    }
    for m in &w.messages {
        assert!(requests.contains_key(&m.request_id));
    }
    for r in &w.ai_requests {
        let task = tasks[r.task_id.as_ref().unwrap()];
        assert_eq!(
            task.trace_id, r.trace_id,
            "request and task share the trace"
        );
        assert!(
            log_traces.contains(r.trace_id.as_ref().unwrap()),
            "trace has logs"
        );
        assert!(sessions.contains(r.session_id.as_ref().unwrap()));
        assert!(contexts.contains(r.context_id.as_ref().unwrap()));
        assert!(users.contains(&r.user_id));
        assert!(r.created_at >= start - Duration::minutes(1) && r.created_at <= until);
        assert!(r.updated_at <= until);
        if r.status != request_status::PENDING {
            assert_eq!(
                r.tokens_used,
                Some(r.input_tokens.unwrap() + r.output_tokens.unwrap())
            );
        }
    }
    for m in &w.mcp_executions {
        let task = tasks[m.task_id.as_ref().unwrap()];
        assert_eq!(task.trace_id, m.trace_id);
        assert!(m.completed_at.is_none_or(|c| c <= until));
    }
    for s in &w.steps {
        assert!(tasks.contains_key(&s.task_id));
    }
    assert!(w.logs.iter().all(|l| l.timestamp <= until));
    for level in ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"] {
        assert!(w.logs.iter().any(|l| l.level == level), "no {level} log");
    }
    // ids look real
    assert!(
        w.sessions
            .iter()
            .all(|s| s.session_id.0.starts_with("sess_"))
    );
    assert!(
        w.contexts
            .iter()
            .all(|c| c.context_id.0.starts_with("ctx_"))
    );
    assert!(uuid::Uuid::parse_str(&w.ai_requests[0].id.0).is_ok());
    // a run is in flight at `until`
    assert!(
        w.ai_requests
            .iter()
            .any(|r| r.status == request_status::PENDING)
    );
    assert!(w.tasks.iter().any(|t| t.status == task_state::WORKING));
    assert!(w.sessions.iter().any(|s| s.ended_at.is_none()));
    // session aggregates match their requests
    for s in w.sessions.iter().take(50) {
        let mine: Vec<_> = w
            .ai_requests
            .iter()
            .filter(|r| r.session_id.as_ref() == Some(&s.session_id))
            .collect();
        assert_eq!(s.ai_request_count as usize, mine.len());
        let cost: i64 = mine.iter().map(|r| r.cost_microdollars.0).sum();
        assert_eq!(s.total_ai_cost_microdollars.0, cost);
    }
}

#[test]
fn realistic_mix() {
    let w = workload();
    let providers: HashSet<&str> = w.ai_requests.iter().map(|r| r.provider.as_str()).collect();
    assert_eq!(providers, HashSet::from(["anthropic", "openai", "gemini"]));
    let agents: HashSet<&str> = w
        .tasks
        .iter()
        .filter_map(|t| t.agent_name.as_deref())
        .collect();
    assert!(agents.len() >= 5, "{agents:?}");
    let servers: HashSet<&str> = w
        .mcp_executions
        .iter()
        .map(|m| m.server_name.as_str())
        .collect();
    for s in ["github", "postgres", "filesystem", "slack", "vault"] {
        assert!(servers.contains(s), "{s}");
    }
    assert!(w.ai_requests.iter().any(|r| r.cache_hit));
    assert!(w.tasks.iter().any(|t| t.status == task_state::FAILED));
    let bots = w.sessions.iter().filter(|s| s.is_bot).count();
    assert!(
        bots * 100 / w.sessions.len() >= 5,
        "{bots} of {}",
        w.sessions.len()
    );
    assert!(w.sessions.iter().any(|s| s.is_scanner));
    let sources: HashSet<&str> = w
        .sessions
        .iter()
        .filter_map(|s| s.session_source.as_deref())
        .collect();
    assert!(sources.is_superset(&HashSet::from(["web", "api", "cli"])));
    assert!(w.users.iter().any(|u| u.status != "active"));
    let roles: HashSet<&str> = w.messages.iter().map(|m| m.role.as_str()).collect();
    assert_eq!(
        roles,
        HashSet::from(["system", "user", "assistant", "tool"])
    );
}

#[test]
fn planted_incidents_are_findable() {
    let w = workload();
    let plan = IncidentPlan::for_config(&cfg(7));
    // error burst: openai fails ~40% for 10 minutes
    let burst: Vec<_> = w
        .ai_requests
        .iter()
        .filter(|r| {
            r.provider == sim::BURST_PROVIDER
                && r.created_at >= plan.error_burst.0
                && r.created_at < plan.error_burst.1
        })
        .collect();
    let failed = burst
        .iter()
        .filter(|r| r.status == request_status::FAILED)
        .count();
    assert!(burst.len() >= 40, "{}", burst.len());
    let rate = failed as f64 / burst.len() as f64;
    assert!((0.25..0.6).contains(&rate), "burst failure rate {rate}");
    assert!(
        burst
            .iter()
            .filter(|r| r.status == request_status::FAILED)
            .all(|r| r.error_message.is_some())
    );
    // slow MCP server
    let slow: Vec<_> = w
        .mcp_executions
        .iter()
        .filter(|m| {
            m.server_name == sim::SLOW_SERVER
                && m.started_at >= plan.slow_server.0
                && m.started_at < plan.slow_server.1
                && m.status != "timeout"
        })
        .collect();
    assert!(slow.len() >= 10, "{}", slow.len());
    assert!(
        slow.iter()
            .all(|m| (5_000..=20_000).contains(&m.execution_time_ms.unwrap()))
    );
    // runaway loop: one trace, hundreds of requests within minutes
    let mut per_trace: HashMap<&TraceId, Vec<&AiRequestRecord>> = HashMap::new();
    for r in &w.ai_requests {
        per_trace
            .entry(r.trace_id.as_ref().unwrap())
            .or_default()
            .push(r);
    }
    let (_, loop_requests) = per_trace.iter().max_by_key(|(_, v)| v.len()).unwrap();
    assert_eq!(loop_requests.len(), sim::RUNAWAY_ITERATIONS as usize);
    let first = loop_requests.iter().map(|r| r.created_at).min().unwrap();
    let last = loop_requests.iter().map(|r| r.created_at).max().unwrap();
    assert!(last - first < Duration::minutes(15), "{}", last - first);
    assert!(first >= plan.runaway_at);
    // credential-tool spike: > 50 calls within an hour
    let creds: Vec<_> = w
        .mcp_executions
        .iter()
        .filter(|m| m.tool_name.contains("secret") || m.tool_name.contains("token"))
        .filter(|m| {
            m.started_at >= plan.credential_spike_at
                && m.started_at < plan.credential_spike_at + Duration::hours(1)
        })
        .collect();
    assert!(creds.len() > 50, "{}", creds.len());
    // one 2 MB payload
    let big: Vec<_> = w
        .mcp_executions
        .iter()
        .filter(|m| {
            m.output
                .as_ref()
                .is_some_and(|o| o.len() >= sim::BIG_PAYLOAD_BYTES)
        })
        .collect();
    assert_eq!(big.len(), 1);
    assert_eq!(big[0].tool_name, "read_file");
    // ANSI escapes inside a model reply
    let ansi: Vec<_> = w
        .messages
        .iter()
        .filter(|m| m.role == "assistant" && m.content.contains("\x1b[31m"))
        .collect();
    assert_eq!(ansi.len(), 1);
    assert!(ansi[0].content.contains("\x1b]0;") && ansi[0].content.contains("\x1b[2J"));
    // behavioural bot: many sessions, one fingerprint
    let bot = w
        .sessions
        .iter()
        .filter(|s| s.fingerprint_hash.as_deref() == Some(sim::BEHAVIORAL_BOT_FINGERPRINT))
        .count();
    assert_eq!(bot, sim::BEHAVIORAL_BOT_SESSIONS as usize);
}

#[test]
fn costs_follow_the_shipped_price_table_except_where_planted() {
    let w = workload();
    let c = cfg(7);
    let billing = GatewayBilling::for_window(c.until - Duration::days(2), c.until);
    let (m_start, m_end) = billing.misprice_window().unwrap();
    assert_eq!(
        (m_start, m_end),
        (at("2026-11-19T09:00:00Z"), at("2026-11-19T12:00:00Z"))
    );
    let plan = IncidentPlan::for_config(&c);
    assert_eq!(plan.mispriced_window, (m_start, m_end));
    let table = PriceTable::shipped();
    let usage = |r: &AiRequestRecord| Usage {
        input: i64::from(r.input_tokens.unwrap_or(0)),
        output: i64::from(r.output_tokens.unwrap_or(0)),
        cache_read: i64::from(r.cache_read_tokens.unwrap_or(0)),
        cache_write: i64::from(r.cache_creation_tokens.unwrap_or(0)),
    };
    let (mut mispriced, mut unpriced) = (0, 0);
    for r in &w.ai_requests {
        if r.status != request_status::COMPLETED {
            assert_eq!(r.cost_microdollars, Microdollars::ZERO, "{}", r.id);
            continue;
        }
        let in_misprice =
            r.model == MISPRICED_MODEL && r.created_at >= m_start && r.created_at < m_end;
        if r.model == UNPRICED_MODEL {
            unpriced += 1;
            assert!(table.price_at(&r.model, r.created_at).is_none());
            assert_eq!(r.requested_model.as_deref(), Some(UNPRICED_FROM));
            // billed at the model it stands in for
            assert_eq!(
                Some(r.cost_microdollars),
                table.cost(UNPRICED_FROM, r.created_at, usage(r)),
                "{}",
                r.id
            );
        } else if in_misprice {
            mispriced += 1;
            assert_eq!(
                Some(r.cost_microdollars),
                table.cost(MISPRICED_AS, r.created_at, usage(r))
            );
        } else {
            assert_eq!(
                Some(r.cost_microdollars),
                table.cost(&r.model, r.created_at, usage(r)),
                "{}",
                r.id
            );
        }
    }
    assert!(mispriced > 0 && unpriced > 0, "{mispriced} {unpriced}");
    // one request by hand: sonnet without cache tokens costs input × 3 + output × 15 µ$
    let r = w
        .ai_requests
        .iter()
        .find(|r| {
            r.model == "claude-sonnet-4-5"
                && r.status == "completed"
                && r.cache_read_tokens == Some(0)
                && r.cache_creation_tokens == Some(0)
                && r.created_at < m_start
        })
        .unwrap();
    let by_hand = i64::from(r.input_tokens.unwrap()) * 3 + i64::from(r.output_tokens.unwrap()) * 15;
    assert_eq!(r.cost_microdollars.0, by_hand);
    // and one with cache reads: (input − read) × 3 + read × 0.3 + output × 15, rounded half up
    let r = w
        .ai_requests
        .iter()
        .find(|r| {
            r.model == "claude-sonnet-4-5"
                && r.status == "completed"
                && r.cache_read_tokens.unwrap_or(0) > 0
                && r.created_at < m_start
        })
        .unwrap();
    let (input, read, output) = (
        i64::from(r.input_tokens.unwrap()),
        i64::from(r.cache_read_tokens.unwrap()),
        i64::from(r.output_tokens.unwrap()),
    );
    let tenths = (input - read) * 30 + read * 3 + output * 150;
    assert_eq!(r.cost_microdollars.0, (tenths + 5) / 10);
}

#[test]
fn events_end_in_each_rows_final_state() {
    let w = workload();
    let events = sim::workload_events(w);
    let started = events
        .iter()
        .filter(|e| matches!(e, Event::AiRequestStarted { .. }))
        .count();
    assert_eq!(started, w.ai_requests.len());
    let mut last: HashMap<&AiRequestId, &AiRequestRecord> = HashMap::new();
    let mut previous_time = None;
    for e in &events {
        if let Some(t) = e.occurred_at() {
            assert!(previous_time.is_none_or(|p| p <= t), "events out of order");
            previous_time = Some(t);
        }
        match e {
            Event::AiRequestStarted { request } => {
                assert_eq!(request.status, "pending");
                assert!(!last.contains_key(&request.id), "started after an update");
                last.insert(&request.id, request);
            }
            Event::AiRequestCompleted { request, .. } | Event::AiRequestFailed { request, .. } => {
                last.insert(&request.id, request);
            }
            _ => {}
        }
    }
    for r in &w.ai_requests {
        assert_eq!(last[&r.id], r);
    }
    let messages: usize = events
        .iter()
        .map(|e| match e {
            Event::AiRequestCompleted { messages, .. }
            | Event::AiRequestFailed { messages, .. } => messages.len(),
            _ => 0,
        })
        .sum();
    assert_eq!(messages, w.messages.len());
}

async fn count(url: &str, table: &str) -> i64 {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let n = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

async fn load_writes_every_row(shape: Shape) {
    let db = support::fresh_db_shaped(shape).await;
    let w = workload();
    let stats = sim::load(&db.url, w).await.expect("load");
    assert_eq!(stats.rows as usize, w.row_count());
    let expected = [
        ("users", w.users.len()),
        ("user_sessions", w.sessions.len()),
        ("user_contexts", w.contexts.len()),
        ("agent_tasks", w.tasks.len()),
        ("task_execution_steps", w.steps.len()),
        ("ai_requests", w.ai_requests.len()),
        ("ai_request_messages", w.messages.len()),
        ("ai_request_tool_calls", w.tool_calls.len()),
        ("mcp_tool_executions", w.mcp_executions.len()),
        ("logs", w.logs.len()),
    ];
    for (table, n) in expected {
        assert_eq!(count(&db.url, table).await, n as i64, "{table}");
        assert_eq!(stats.count(table), n as u64, "{table}");
    }
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let total: i64 = sqlx::query_scalar("SELECT sum(cost_microdollars)::bigint FROM ai_requests")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        total,
        w.ai_requests
            .iter()
            .map(|r| r.cost_microdollars.0)
            .sum::<i64>()
    );
    // one request round-trips field for field
    let r = &w.ai_requests[17];
    let back: AiRequestRecord = sqlx::query_as("SELECT * FROM ai_requests WHERE id = $1")
        .bind(&r.id.0)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(&back, r);
    // escapes, tabs and newlines survive COPY byte for byte
    let ansi: String = sqlx::query_scalar(
        "SELECT content FROM ai_request_messages WHERE content LIKE '%' || chr(27) || ']0;%'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(ansi, sim::ANSI_REPLY);
    let big: i32 = sqlx::query_scalar("SELECT max(length(output)) FROM mcp_tool_executions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(big as usize >= sim::BIG_PAYLOAD_BYTES);
    let roles: Vec<String> = sqlx::query_scalar("SELECT roles[1] FROM users ORDER BY id LIMIT 1")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(!roles.is_empty());
    pool.close().await;
}

#[test]
fn live_generator_shows_everything_in_the_first_second() {
    let start = at("2026-11-23T10:00:00Z");
    let mut g = LiveGenerator::new(3, start);
    let first = g.advance(start + Duration::seconds(1), 50.0);
    let kinds: HashSet<&str> = first.iter().map(|e| e.kind()).collect();
    for k in [
        "user_seen",
        "session_started",
        "context_created",
        "task_updated",
        "execution_step",
        "ai_request_started",
        "ai_request_completed",
        "ai_request_failed",
        "mcp_execution",
        "log",
    ] {
        assert!(kinds.contains(k), "no {k} in the first second: {kinds:?}");
    }
    // the rate holds over a minute (in steps of 100 ms)
    let mut n = 0usize;
    let mut t = start + Duration::seconds(1);
    for _ in 0..600 {
        t += Duration::milliseconds(100);
        n += g.advance(t, 50.0).len();
    }
    assert!((1_500..6_000).contains(&n), "{n} events in 60 s at 50/s");
    // a request opened pending is completed later
    let mut g = LiveGenerator::new(3, start);
    let mut pending: HashSet<AiRequestId> = HashSet::new();
    let mut completed_after_pending = 0;
    let mut t = start;
    for _ in 0..100 {
        t += Duration::milliseconds(100);
        for e in g.advance(t, 50.0) {
            match e {
                Event::AiRequestStarted { request } => {
                    assert_eq!(request.status, "pending");
                    assert!(request.created_at <= t);
                    pending.insert(request.id);
                }
                Event::AiRequestCompleted { request, .. } if pending.contains(&request.id) => {
                    assert!(request.completed_at.unwrap() <= t);
                    completed_after_pending += 1;
                }
                _ => {}
            }
        }
    }
    assert!(completed_after_pending > 10);
}

/// Every AI request the live generator completes over `minutes`, from `start`.
fn live_completed(seed: u64, start: Timestamp, minutes: i64) -> (Vec<Event>, Vec<AiRequestRecord>) {
    let mut g = LiveGenerator::new(seed, start);
    let (mut events, mut done) = (Vec::new(), Vec::new());
    let mut t = start;
    for _ in 0..minutes * 60 {
        t += Duration::seconds(1);
        for e in g.advance(t, 40.0) {
            if let Event::AiRequestCompleted { request, .. } = &e {
                done.push(request.clone());
            }
            events.push(e);
        }
    }
    (events, done)
}

#[tokio::test]
async fn live_generator_plants_drift_only_in_its_recurring_mispriced_windows() {
    use tracetop::live::{LiveEngine, LiveLimits};
    use tracetop::prices::RateCard;
    use tracetop::query::{Counting, QueryEngine, RepriceQuery, TimeWindow};
    let start = at("2026-11-23T10:00:00Z");
    let billing = GatewayBilling::live(start);
    let table = PriceTable::shipped();
    let (events, done) = live_completed(5, start, 17);
    let usage = |r: &AiRequestRecord| Usage {
        input: i64::from(r.input_tokens.unwrap_or(0)),
        output: i64::from(r.output_tokens.unwrap_or(0)),
        cache_read: i64::from(r.cache_read_tokens.unwrap_or(0)),
        cache_write: i64::from(r.cache_creation_tokens.unwrap_or(0)),
    };
    // the windows: 09:59:30-10:01:30, then 10:14:30-10:16:30
    let first = (at("2026-11-23T09:59:30Z"), at("2026-11-23T10:01:30Z"));
    let second = (at("2026-11-23T10:14:30Z"), at("2026-11-23T10:16:30Z"));
    let inside = |t: Timestamp, (a, b): (Timestamp, Timestamp)| t >= a && t < b;
    let (mut in_first, mut in_second, mut drifted) = (0, 0, BTreeSet::new());
    for r in &done {
        let listed = table.cost(&r.model, r.created_at, usage(r));
        let mispriced = r.model == MISPRICED_MODEL && billing.is_mispriced_at(r.created_at);
        assert_eq!(
            mispriced,
            r.model == MISPRICED_MODEL
                && (inside(r.created_at, first) || inside(r.created_at, second)),
            "{} at {}",
            r.id,
            r.created_at
        );
        if mispriced {
            assert_eq!(
                Some(r.cost_microdollars),
                table.cost(MISPRICED_AS, r.created_at, usage(r)),
                "{}",
                r.id
            );
            if Some(r.cost_microdollars) != listed {
                drifted.insert(r.id.0.clone());
                if inside(r.created_at, first) {
                    in_first += 1;
                } else {
                    in_second += 1;
                }
            }
        } else {
            assert_eq!(Some(r.cost_microdollars), listed, "{} {}", r.id, r.model);
        }
    }
    assert!(in_first > 0 && in_second > 0, "{in_first} / {in_second}");
    // the first frame's warm-up already holds some
    assert!(
        done.iter()
            .any(|r| r.created_at < start && drifted.contains(&r.id.0)),
        "no drift in the warm-up"
    );

    // re-pricing what the demo's console holds finds exactly those
    let live = LiveEngine::new(LiveLimits::default());
    live.ingest_all(&events);
    let report = live
        .reprice(&RepriceQuery {
            window: TimeWindow {
                start: start - Duration::minutes(5),
                end: start + Duration::minutes(20),
            },
            counting: Counting::PLATFORM,
            card: std::sync::Arc::new(RateCard::new(&table, &[]).unwrap()),
            worst: 1000,
        })
        .await
        .unwrap();
    assert!(report.has_drift());
    let found: BTreeSet<String> = report
        .models
        .iter()
        .flat_map(|m| m.worst_requests.iter().map(|d| d.id.clone()))
        .collect();
    // (synthetic traffic is left out of cost reports)
    let counted: BTreeSet<String> = done
        .iter()
        .filter(|r| drifted.contains(&r.id.0) && r.synthetic != Some(true))
        .map(|r| r.id.0.clone())
        .collect();
    assert!(counted.len() < drifted.len(), "some drift is synthetic");
    assert_eq!(found, counted);
    assert_eq!(report.drifted_requests, counted.len() as i64);
    assert!(report.unpriced_models.is_empty());

    // deterministic: the same seed and start bill the same
    let (_, again) = live_completed(5, start, 17);
    let costs = |d: &[AiRequestRecord]| -> Vec<(String, i64)> {
        d.iter()
            .map(|r| (r.id.0.clone(), r.cost_microdollars.get()))
            .collect()
    };
    assert_eq!(costs(&again), costs(&done));
}

async fn live_rows_go_pending_then_completed(shape: Shape) {
    let db = support::fresh_db_shaped(shape).await;
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let start = at("2026-11-23T10:00:00Z");
    let mut g = LiveGenerator::new(11, start);
    let mut watched: Option<(AiRequestId, bool)> = None;
    let mut t = start;
    for _ in 0..150 {
        t += Duration::milliseconds(200);
        let events = g.advance(t, 40.0);
        sim::apply_events(&pool, &events).await.expect("apply");
        if watched.is_none() {
            let pending: Option<String> = sqlx::query_scalar(
                "SELECT id FROM ai_requests WHERE status = 'pending' ORDER BY id LIMIT 1",
            )
            .fetch_optional(&pool)
            .await
            .unwrap();
            if let Some(id) = pending {
                let tokens: Option<i32> =
                    sqlx::query_scalar("SELECT tokens_used FROM ai_requests WHERE id = $1")
                        .bind(&id)
                        .fetch_one(&pool)
                        .await
                        .unwrap();
                assert_eq!(tokens, None);
                watched = Some((AiRequestId(id), false));
            }
        }
    }
    let (id, _) = watched.expect("a pending request was written");
    let (status, tokens, completed): (String, Option<i32>, Option<Timestamp>) =
        sqlx::query_as("SELECT status, tokens_used, completed_at FROM ai_requests WHERE id = $1")
            .bind(&id.0)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_ne!(status, "pending", "request {id} never completed");
    assert!(tokens.is_some() && completed.is_some());
    let messages: i64 =
        sqlx::query_scalar("SELECT count(*) FROM ai_request_messages WHERE request_id = $1")
            .bind(&id.0)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(messages > 0);
    let sessions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM user_sessions WHERE ai_request_count > 0")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(sessions > 0);
    pool.close().await;
}

async fn write_live_writes_until_stopped(shape: Shape) {
    let db = support::fresh_db_shaped(shape).await;
    let cfg = sim::load::LiveConfig {
        seed: 5,
        users: 10,
        rate: 200.0,
    };
    let mut steps = 0u32;
    let mut last_total = 0u64;
    let stop = tokio::time::sleep(std::time::Duration::from_millis(2500));
    let total = sim::load::write_live(&db.url, cfg, stop, |total, _in_flight| {
        assert!(total >= last_total, "the running total only grows");
        last_total = total;
        steps += 1;
    })
    .await
    .expect("write live traffic");
    assert!(total > 0, "no live event written in 2.5 s at 200 ev/s");
    assert_eq!(total, last_total, "progress saw the final total");
    // progress is reported step by step (one per 200 ms on a quiet
    // machine; the cadence is not asserted: a loaded one makes fewer)
    assert!(steps >= 1, "{steps} progress reports");
    assert!(count(&db.url, "ai_requests").await > 0);
    assert!(count(&db.url, "users").await > 0);
    // an unreachable database is an error, not a silent stop
    let err = sim::load::write_live(
        "postgres://nobody@%2Fnonexistent-socket-dir:5432/x",
        cfg,
        std::future::pending(),
        |_, _| {},
    )
    .await
    .unwrap_err();
    assert!(!err.to_string().is_empty());
}

fn tracetop(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run tracetop")
}

#[test]
fn bad_urls_fail_with_one_clear_line() {
    let out = tracetop(&[
        "simulate",
        "--database-url",
        "mysql://x",
        "--users",
        "2",
        "--days",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid database URL"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");

    let out = tracetop(&[
        "simulate",
        "--database-url",
        "postgres://ops:hunter2@127.0.0.1:1/prod",
        "--users",
        "2",
        "--days",
        "1",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("connect") && err.contains("127.0.0.1:1"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");

    let out = tracetop(&[
        "migrate",
        "--database-url",
        "postgres://ops:hunter2@127.0.0.1:1/prod",
    ]);
    assert!(!out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("hunter2"));

    let out = tracetop(&["simulate", "--users", "2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL"));

    let out = tracetop(&[
        "simulate",
        "--database-url",
        "postgres://x@127.0.0.1:1/db",
        "--days",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--live"));
}

async fn simulate_migrates_an_empty_database_and_refuses_a_full_one(shape: Shape) {
    // an empty database, or a real deployment's tables without tracetop's
    let db = support::empty_db().await;
    if shape == Shape::Real {
        db.exec(support::REAL_SHAPE_DDL).await;
    }
    let migrate = tracetop(&["migrate", "--database-url", &db.url]);
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    let text = String::from_utf8_lossy(&migrate.stdout);
    let migration_files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count();
    assert!(
        text.contains(&format!("applied {migration_files} migrations")),
        "{text}"
    );
    if shape == Shape::Ours {
        assert!(text.contains("audit schema"), "{text}");
    }
    let again = tracetop(&["migrate", "--database-url", &db.url]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("up to date"));

    let args = [
        "simulate",
        "--database-url",
        &db.url,
        "--seed",
        "5",
        "--users",
        "3",
        "--days",
        "1",
        "--until",
        "2026-11-20T12:00:00Z",
    ];
    let out = tracetop(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("rows/s"), "{text}");
    let expected = sim::generate(&SimConfig {
        seed: 5,
        users: 3,
        days: 1,
        until: at("2026-11-20T12:00:00Z"),
    });
    assert_eq!(
        count(&db.url, "ai_requests").await,
        expected.ai_requests.len() as i64
    );
    assert_eq!(count(&db.url, "logs").await, expected.logs.len() as i64);

    // the secondary indexes dropped for the load are back
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let indexes: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_indexes WHERE indexname IN ('idx_logs_trace_id', 'idx_ai_requests_id_pattern', 'idx_mcp_trace_id')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(indexes, 3);
    pool.close().await;

    let refused = tracetop(&args);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("--append"), "{err}");
    assert_eq!(
        count(&db.url, "ai_requests").await,
        expected.ai_requests.len() as i64,
        "nothing half-written"
    );

    let mut appended = args.to_vec();
    appended.extend(["--seed", "6", "--append"]);
    appended.remove(3);
    appended.remove(3);
    let out = tracetop(&appended);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(count(&db.url, "ai_requests").await > expected.ai_requests.len() as i64);
}

/// What a real gateway records, drawn deterministically: unique lower-case
/// names and emails, actors of every kind, synthetic probes, routed
/// fallbacks, streaming, cache reads on hits and cache writes, provider
/// request ids, and sub-agent delegation chains (parent task first).
#[test]
fn gateway_columns_and_delegation_chains() {
    let w = workload();
    let names: HashSet<&str> = w.users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names.len(), w.users.len(), "user names are unique");
    let emails: HashSet<&str> = w.users.iter().filter_map(|u| u.email.as_deref()).collect();
    assert_eq!(emails.len(), w.users.len(), "every user has a unique email");
    assert!(emails.iter().all(|e| *e == e.trim().to_lowercase()));
    let kinds: HashSet<&str> = w
        .ai_requests
        .iter()
        .map(|r| r.actor_kind.as_deref().expect("an actor kind"))
        .collect();
    assert_eq!(kinds, HashSet::from(["user", "job", "mcp"]));
    assert!(
        w.ai_requests
            .iter()
            .all(|r| r.actor_id.as_deref().is_some_and(|a| !a.is_empty()))
    );
    let users = w
        .ai_requests
        .iter()
        .filter(|r| r.actor_kind.as_deref() == Some("user"))
        .count();
    assert!(
        users * 100 / w.ai_requests.len() >= 70,
        "mostly users: {users}"
    );
    let synthetic = w
        .ai_requests
        .iter()
        .filter(|r| r.synthetic == Some(true))
        .count();
    assert!(
        synthetic > 0 && synthetic * 100 / w.ai_requests.len() < 10,
        "{synthetic}"
    );
    let routed = w
        .ai_requests
        .iter()
        .filter(|r| r.requested_model.as_deref().is_some_and(|m| m != r.model))
        .count();
    assert!(
        routed > 0 && routed * 100 / w.ai_requests.len() < 10,
        "{routed} fallbacks"
    );
    assert!(w.ai_requests.iter().any(|r| r.is_streaming == Some(true)));
    assert!(w.ai_requests.iter().any(|r| r.is_streaming == Some(false)));
    for r in w
        .ai_requests
        .iter()
        .filter(|r| r.status == request_status::COMPLETED)
    {
        let read = r.cache_read_tokens.expect("cache reads recorded");
        assert!(read <= r.input_tokens.unwrap());
        assert_eq!(
            read > 0,
            r.cache_hit,
            "{}: a hit reads from the cache",
            r.id
        );
        assert!(r.provider_request_id.as_deref() == Some(r.request_id.as_str()));
    }
    assert!(
        w.ai_requests
            .iter()
            .any(|r| r.cache_creation_tokens.is_some_and(|n| n > 0))
    );
    // delegation: several tasks under one trace, the parent created first
    let mut by_trace: HashMap<&TraceId, Vec<&AgentTaskRecord>> = HashMap::new();
    for t in &w.tasks {
        by_trace
            .entry(t.trace_id.as_ref().unwrap())
            .or_default()
            .push(t);
    }
    let chains: Vec<&Vec<&AgentTaskRecord>> = by_trace.values().filter(|t| t.len() > 1).collect();
    assert!(chains.len() >= 3, "{} delegation chains", chains.len());
    for tasks in chains {
        let parent = tasks[0];
        assert!(tasks[1..].iter().all(|c| c.created_at > parent.created_at));
        assert!(tasks.iter().all(|t| t.context_id == parent.context_id));
    }
    // AI crawlers are flagged
    assert!(w.sessions.iter().any(|s| s.is_ai_crawler == Some(true)));
}

/// A load refused by the target names the table and the constraint it
/// broke, never blames the seed on an empty database.
#[tokio::test]
async fn a_refused_load_names_the_constraint() {
    let db = support::fresh_real_db().await;
    db.exec("ALTER TABLE users ADD CONSTRAINT users_no_acme CHECK (email NOT LIKE '%@acme.io')")
        .await;
    let err = sim::load(&db.url, workload())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("users_no_acme"), "{err}");
    assert!(err.contains("loading users"), "{err}");
    assert!(err.contains("check constraint"), "{err}");
    assert!(!err.contains("seed"), "{err}");
    assert_eq!(count(&db.url, "users").await, 0, "nothing half-written");
    // a second load of the same seed into a full database blames the ids
    let db = support::fresh_real_db().await;
    sim::load(&db.url, workload()).await.unwrap();
    let err = sim::load(&db.url, workload())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unique constraint") && err.contains("--seed"),
        "{err}"
    );
}

/// An older deployment without the gateway columns: the loader writes only
/// the columns it has, and the engine reads the rows back.
#[tokio::test]
async fn load_into_an_older_deployment_writes_only_its_columns() {
    let db = support::empty_db().await;
    db.exec(support::REAL_SHAPE_DDL).await;
    db.exec(
        "ALTER TABLE ai_requests DROP COLUMN requested_model, DROP COLUMN cache_read_tokens,
             DROP COLUMN cache_creation_tokens, DROP COLUMN is_streaming, DROP COLUMN synthetic;
         ALTER TABLE user_sessions DROP COLUMN is_ai_crawler;",
    )
    .await;
    tracetop::pg::migrate::run(&db.url).await.unwrap();
    let w = workload();
    let stats = sim::load(&db.url, w)
        .await
        .expect("load an older deployment");
    assert_eq!(stats.rows as usize, w.row_count());
    let engine = tracetop::pg::PgEngine::connect(&db.url).await.unwrap();
    let requests = tracetop::query::QueryEngine::ai_requests(
        &engine,
        &tracetop::query::AiRequestFilter {
            limit: 5,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(requests.len(), 5);
    assert!(
        requests
            .iter()
            .all(|r| r.cache_read_tokens.is_none() && r.actor_kind.is_some())
    );
}

both_shapes!(
    load_writes_every_row,
    live_rows_go_pending_then_completed,
    write_live_writes_until_stopped,
    simulate_migrates_an_empty_database_and_refuses_a_full_one,
);
