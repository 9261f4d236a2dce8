//! Time travel against real Postgres, on both schema shapes: a past window
//! read for replay holds exactly the rows whose polled time is inside it
//! (counted per table against the generator's own rows), in time order,
//! each decoded as the tail decodes it (equal to the tail's event for the
//! same row); replayed through the buffer it comes out whole, and back
//! again after a seek. `record --since/--until` writes the same window to
//! a file that replays as the same events, and `serve` answers windows
//! with the token's scope.

use crate::support;

use std::collections::BTreeMap;
use std::time::Duration;
use support::Shape;
use tokio::sync::mpsc;
use tracetop::model::*;
use tracetop::query::TimeWindow;
use tracetop::sim::{self, SimConfig};
use tracetop::source::postgres::{PgTail, TailConfig};
use tracetop::source::window::buffer::{Release, ReplayBase, ReplayBuffer};
use tracetop::source::window::file::FileWindow;
use tracetop::source::window::pg::PgWindow;
use tracetop::source::window::{Replayed, WindowSource};

fn sim_config() -> SimConfig {
    SimConfig {
        seed: 42,
        users: 40,
        days: 1,
        until: "2026-03-10T15:30:00Z".parse().unwrap(),
    }
}

/// Four busy hours of the simulated day.
fn window() -> TimeWindow {
    let end: Timestamp = "2026-03-10T14:00:00Z".parse().unwrap();
    TimeWindow {
        start: end - chrono::Duration::hours(4),
        end,
    }
}

async fn read_all(source: &dyn WindowSource, window: TimeWindow) -> Vec<Replayed> {
    let (tx, mut rx) = mpsc::channel(4);
    let reading = async {
        source.read(window, tx).await.expect("read the window");
    };
    let collecting = async {
        let mut all = Vec::new();
        while let Some(batch) = rx.recv().await {
            all.extend(batch);
        }
        all
    };
    let ((), all) = tokio::join!(reading, collecting);
    all
}

/// The table and id an event is about.
fn key(event: &Event) -> (&'static str, String) {
    match event {
        Event::UserSeen { user } => ("users", user.id.to_string()),
        Event::SessionStarted { session } | Event::SessionEnded { session } => {
            ("user_sessions", session.session_id.to_string())
        }
        Event::ContextCreated { context } => ("user_contexts", context.context_id.to_string()),
        Event::TaskUpdated { task } => ("agent_tasks", task.task_id.to_string()),
        Event::ExecutionStep { step } => ("task_execution_steps", step.step_id.to_string()),
        Event::AiRequestStarted { request }
        | Event::AiRequestCompleted { request, .. }
        | Event::AiRequestFailed { request, .. } => ("ai_requests", request.id.to_string()),
        Event::McpExecution { execution } => (
            "mcp_tool_executions",
            execution.mcp_execution_id.to_string(),
        ),
        Event::Log { log } => ("logs", log.id.to_string()),
        other => (other.kind(), String::new()),
    }
}

/// The generator's own rows inside the window, per table, by the time the
/// tail polls each table on.
fn expected_ids(w: &sim::Workload, window: &TimeWindow) -> BTreeMap<&'static str, Vec<String>> {
    let mut out: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut put = |table, at: Timestamp, id: String| {
        if window.contains(at) {
            out.entry(table).or_default().push(id);
        }
    };
    for r in &w.users {
        put("users", r.created_at, r.id.to_string());
    }
    for r in &w.sessions {
        put(
            "user_sessions",
            r.last_activity_at,
            r.session_id.to_string(),
        );
    }
    for r in &w.contexts {
        put("user_contexts", r.created_at, r.context_id.to_string());
    }
    for r in &w.tasks {
        put("agent_tasks", r.updated_at, r.task_id.to_string());
    }
    for r in &w.steps {
        put("task_execution_steps", r.started_at, r.step_id.to_string());
    }
    for r in &w.ai_requests {
        put("ai_requests", r.updated_at, r.id.to_string());
    }
    for r in &w.mcp_executions {
        put(
            "mcp_tool_executions",
            r.created_at,
            r.mcp_execution_id.to_string(),
        );
    }
    for r in &w.logs {
        put("logs", r.timestamp, r.id.to_string());
    }
    for ids in out.values_mut() {
        ids.sort();
    }
    out
}

async fn replayed_window_equals_its_rows(shape: Shape) {
    let cfg = sim_config();
    let workload = sim::generate(&cfg);
    let db = support::fresh_db_shaped(shape).await;
    sim::load_config(&db.url, &cfg, true, |_| {})
        .await
        .expect("load the simulated workload");
    let window = window();
    let source = PgWindow::connect(&db.url).await.unwrap();
    let replayed = read_all(&source, window).await;

    // count and content of each table: the generator's rows in the window
    let mut got: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for item in &replayed {
        let (table, id) = key(&item.event);
        got.entry(table).or_default().push(id);
    }
    for ids in got.values_mut() {
        ids.sort();
    }
    let expected = expected_ids(&workload, &window);
    assert!(
        expected.get("ai_requests").is_some_and(|v| v.len() > 20)
            && expected.get("logs").is_some_and(|v| v.len() > 20),
        "a window worth replaying: {:?}",
        expected
            .iter()
            .map(|(t, v)| (t, v.len()))
            .collect::<Vec<_>>()
    );
    assert_eq!(got, expected, "every row of the window once, nothing else");

    // order: instants inside the window and never going back; the logs in
    // the order of their own time (then id)
    assert!(replayed.iter().all(|i| window.contains(i.at)));
    assert!(replayed.windows(2).all(|p| p[0].at <= p[1].at));
    let replayed_logs: Vec<String> = replayed
        .iter()
        .filter_map(|i| match &i.event {
            Event::Log { log } => Some(log.id.to_string()),
            _ => None,
        })
        .collect();
    let mut logs: Vec<&LogRecord> = workload
        .logs
        .iter()
        .filter(|l| window.contains(l.timestamp))
        .collect();
    logs.sort_by(|a, b| a.timestamp.cmp(&b.timestamp).then(a.id.0.cmp(&b.id.0)));
    let logs: Vec<String> = logs.iter().map(|l| l.id.to_string()).collect();
    assert_eq!(replayed_logs, logs);

    // content: each event equals the tail's event for the same row (the
    // same decoding: messages and tool calls, jsonb, the real shape's types)
    let mut tail = PgTail::connect(
        &db.url,
        TailConfig {
            backfill: Some(Duration::from_secs(364 * 86_400)),
            backfill_cap: None,
            max_pages: 1000,
            ..TailConfig::default()
        },
    )
    .await
    .unwrap();
    let tail_events: BTreeMap<(&'static str, String), Event> = tail
        .poll_once()
        .await
        .unwrap()
        .into_iter()
        .map(|e| (key(&e), e))
        .collect();
    for item in &replayed {
        let k = key(&item.event);
        assert_eq!(
            tail_events.get(&k),
            Some(&item.event),
            "{k:?} decodes as the tail decodes it"
        );
    }

    // through the replay buffer: whole, in order, and again after a seek back
    let events: Vec<Event> = replayed.iter().map(|i| i.event.clone()).collect();
    let mut buffer = ReplayBuffer::new(1_000_000, 64);
    buffer.push(replayed.clone());
    let all = buffer.release_to(window.end);
    let released = |buffer: &ReplayBuffer, r: Release| -> Vec<Event> {
        buffer
            .range(r.from, r.to)
            .map(|i| i.event.clone())
            .collect()
    };
    assert_eq!(all.base, ReplayBase::Continue);
    assert_eq!(released(&buffer, all), events);
    let middle = window.start + chrono::Duration::hours(1);
    let back = buffer.release_to(middle);
    let before = replayed.iter().filter(|i| i.at <= middle).count() as u64;
    assert!(before > 64);
    // from the checkpoint before the clock: the events after it
    assert_eq!(back.base, ReplayBase::After(before / 64 * 64));
    assert_eq!(
        released(&buffer, back),
        events[(before / 64 * 64) as usize..before as usize]
    );
}

/// `record --since --until` through the real binary: the file holds the
/// window's events, and replays (as the console reads a recording) as the
/// same events in the same order.
async fn record_writes_the_window_and_it_replays_the_same(shape: Shape) {
    let cfg = sim_config();
    let db = support::fresh_db_shaped(shape).await;
    sim::load_config(&db.url, &cfg, true, |_| {})
        .await
        .expect("load the simulated workload");
    let window = window();
    let from_db: Vec<Event> = read_all(&PgWindow::connect(&db.url).await.unwrap(), window)
        .await
        .into_iter()
        .map(|i| i.event)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("incident.jsonl");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .args(["record", "--database-url", &db.url, "--since"])
        .arg(tracetop::query::rfc3339(window.start))
        .arg("--until")
        .arg(tracetop::query::rfc3339(window.end))
        .arg("--out")
        .arg(&out)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run tracetop record");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let (file, file_window) = FileWindow::open(&out).await.unwrap();
    let from_file: Vec<Event> = read_all(&file, file_window)
        .await
        .into_iter()
        .map(|i| i.event)
        .collect();
    assert_eq!(from_file.len(), from_db.len());
    assert!(from_file == from_db, "the recording replays as the window");
}

both_shapes!(
    replayed_window_equals_its_rows,
    record_writes_the_window_and_it_replays_the_same,
);

const ALL: &str = "all-users-token-0123456789";
const ALICE: &str = "alice-only-token-0123456789";

/// `serve` answers `/api/v1/window` for remote consoles, with the token's
/// scope: an all-users token gets the window as the database has it, a
/// user-scoped token only its user's rows; a bad window is refused.
#[tokio::test]
async fn serve_answers_windows_with_the_tokens_scope() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = support::fresh_db().await;
    db.exec(
        "INSERT INTO logs (id, timestamp, level, module, message, user_id) VALUES
           ('a-1', '2026-11-24T03:10:00Z', 'INFO', 'm', 'x', 'alice'),
           ('b-1', '2026-11-24T03:20:00Z', 'ERROR', 'm', 'x', 'bob'),
           ('a-2', '2026-11-24T03:30:00Z', 'INFO', 'm', 'x', 'alice'),
           ('a-late', '2026-11-24T05:00:00Z', 'INFO', 'm', 'x', 'alice')",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, format!("{ALL}\n{ALICE} user:alice\n")).unwrap();
    let serve = support::serve::ServeProcess::start(&db.url, &tokens, &[]).await;
    let url = serve.stream_url();
    let window = TimeWindow {
        start: "2026-11-24T03:00:00Z".parse().unwrap(),
        end: "2026-11-24T04:00:00Z".parse().unwrap(),
    };
    let ids = |items: Vec<Replayed>| -> Vec<String> {
        items
            .into_iter()
            .filter_map(|i| match i.event {
                Event::Log { log } => Some(log.id.to_string()),
                _ => None,
            })
            .collect()
    };
    let all = tracetop::source::window::remote::RemoteWindow::new(&url, Some(ALL.into())).unwrap();
    assert_eq!(ids(read_all(&all, window).await), vec!["a-1", "b-1", "a-2"]);
    let alice =
        tracetop::source::window::remote::RemoteWindow::new(&url, Some(ALICE.into())).unwrap();
    assert_eq!(ids(read_all(&alice, window).await), vec!["a-1", "a-2"]);
    let nobody = tracetop::source::window::remote::RemoteWindow::new(
        &url,
        Some("wrong-token-0123456789".into()),
    )
    .unwrap();
    let (tx, _rx) = mpsc::channel(4);
    let refused = nobody.read(window, tx).await.unwrap_err().to_string();
    assert!(refused.contains("401"), "{refused}");
}

/// A window larger than the live engine's limit streams through: the
/// reader is held back while unreleased events fill the buffer, every
/// event is released once and in order, the oldest are evicted, and the
/// replay says how many.
#[tokio::test]
async fn a_window_over_the_limit_streams_through_with_the_oldest_evicted() {
    use tracetop::tui::msg::{Msg, ReplayMsg};
    use tracetop::tui::replay_driver::ReplayDriver;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("busy.jsonl");
    let start: Timestamp = "2026-11-24T03:00:00Z".parse().unwrap();
    let mut text = String::new();
    for i in 0..100 {
        let event = Event::Log {
            log: LogRecord {
                id: LogId::new(format!("l-{i:03}")),
                timestamp: start + chrono::Duration::seconds(i),
                level: "INFO".into(),
                module: "m".into(),
                message: "x".into(),
                metadata: None,
                user_id: None,
                session_id: None,
                task_id: None,
                trace_id: None,
                context_id: None,
                client_id: None,
                gateway_conversation_id: None,
                provider_request_id: None,
            },
        };
        text.push_str(&serde_json::to_string(&event).unwrap());
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    let (file, window) = FileWindow::open(&path).await.unwrap();
    let limits = tracetop::live::LiveLimits {
        max_events: 40,
        max_bytes: 64 << 20,
    };
    let mut driver = ReplayDriver::new(Some(std::sync::Arc::new(file)), limits, None);
    driver.start(1, window);
    let mut released = Vec::new();
    let mut evicted = 0;
    let mut until = window.start;
    let mut done = false;
    let mut steps = 0;
    while !done || until < window.end {
        steps += 1;
        assert!(steps < 10_000, "the replay streams to its end");
        if driver.wants_read() {
            let read = driver.next_read().await;
            for msg in driver.on_read(read) {
                match msg {
                    Msg::Replay(ReplayMsg::Progress {
                        evicted: e,
                        loaded_until,
                        ..
                    }) => {
                        evicted = e;
                        assert!(loaded_until.is_some());
                    }
                    Msg::Replay(ReplayMsg::Done { error, .. }) => {
                        assert_eq!(error, None);
                        done = true;
                    }
                    _ => {}
                }
            }
        } else {
            // the clock moves on ten seconds at a time
            until += chrono::Duration::seconds(10);
            for msg in driver.release_to(1, until) {
                match msg {
                    Msg::Replay(ReplayMsg::Events { base, events, .. }) => {
                        assert_eq!(base, ReplayBase::Continue);
                        released.extend(events.into_iter().map(|e| match e {
                            Event::Log { log } => log.id.to_string(),
                            other => other.kind().to_string(),
                        }));
                    }
                    Msg::Replay(ReplayMsg::Progress { evicted: e, .. }) => evicted = e,
                    _ => {}
                }
            }
        }
    }
    let expected: Vec<String> = (0..100).map(|i| format!("l-{i:03}")).collect();
    assert_eq!(released, expected, "every event once, in order");
    assert!(
        evicted >= 60,
        "the oldest were evicted and said so: {evicted}"
    );
    assert!(driver.engine().unwrap().stats().rows <= 20);
}
