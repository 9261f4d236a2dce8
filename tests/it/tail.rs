//! The Postgres tail against real Postgres: new rows become events once,
//! status changes are re-emitted, rows older than the start are history, and
//! a Postgres restart under the tail loses and repeats nothing. The first
//! three run on both shapes (ours and a real deployment's, whose session
//! token counter is `integer`, metadata `text` and message ids text UUIDs).

use crate::support;

use support::Shape;

use std::time::Duration;
use tracetop::model::*;
use tracetop::source::postgres::{PgTail, TailConfig};

fn config() -> TailConfig {
    TailConfig {
        interval: Duration::from_millis(50),
        lookback: Duration::from_secs(5),
        ..TailConfig::default()
    }
}

fn summary(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::AiRequestStarted { request } => format!("started {}", request.id),
            Event::AiRequestCompleted {
                request,
                messages,
                tool_calls,
            } => format!(
                "completed {} msgs={} calls={}",
                request.id,
                messages.len(),
                tool_calls.len()
            ),
            Event::AiRequestFailed { request, .. } => format!("failed {}", request.id),
            Event::Log { log } => format!("log {}", log.id),
            Event::McpExecution { execution } => {
                format!("mcp {} {}", execution.mcp_execution_id, execution.status)
            }
            Event::TaskUpdated { task } => format!("task {} {}", task.task_id, task.status),
            Event::SessionStarted { session } => format!("session+ {}", session.session_id),
            Event::SessionEnded { session } => format!("session- {}", session.session_id),
            other => other.kind().to_string(),
        })
        .collect()
}

async fn new_rows_once_and_status_changes_as_updates(shape: Shape) {
    let db = support::fresh_db_shaped(shape).await;
    // History: before the tail starts, never reported.
    db.exec("INSERT INTO logs (id, timestamp, level, module, message) VALUES ('old', now() - interval '1 hour', 'INFO', 'm', 'old');
             INSERT INTO users (id, name, email, created_at) VALUES ('u1', 'ada', 'ada@example.test', now() - interval '1 day')")
        .await;
    db.exec("INSERT INTO logs (id, level, module, message) VALUES ('recent-history', 'INFO', 'm', 'just before start')")
        .await;
    let mut tail = PgTail::connect(&db.url, config())
        .await
        .expect("tail starts");
    assert!(
        tail.poll_once().await.unwrap().is_empty(),
        "history must not be reported"
    );

    db.exec(
        "INSERT INTO ai_requests (id, request_id, user_id, context_id, provider, model, status, trace_id,
                                  actor_kind, actor_id) \
         VALUES ('r1', 'req-1', 'u1', 'c1', 'openai', 'gpt-4o', 'pending', 't1', 'user', 'u1');
         INSERT INTO logs (id, level, module, message, trace_id, metadata)
         VALUES ('l1', 'ERROR', 'gw', 'boom', 't1', '{\"code\": 502}');
         INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, status, started_at, input, user_id)
         VALUES ('m1', 'search', 'web', 'pending', now(), '{}', 'u1');
         INSERT INTO user_sessions (session_id, user_id, total_tokens_used) VALUES ('s1', 'u1', 1234);",
    )
    .await;
    let first_events = tail.poll_once().await.unwrap();
    // the session's integer token counter and the log's JSON metadata (text
    // or jsonb by shape) decode alike
    let tokens = first_events.iter().find_map(|e| match e {
        Event::SessionStarted { session } => Some(session.total_tokens_used),
        _ => None,
    });
    assert_eq!(tokens, Some(1234));
    let metadata = first_events.iter().find_map(|e| match e {
        Event::Log { log } => log.metadata.clone(),
        _ => None,
    });
    assert_eq!(metadata.as_deref(), Some("{\"code\": 502}"));
    let first = summary(&first_events);
    let mut sorted = first.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        vec!["log l1", "mcp m1 pending", "session+ s1", "started r1"]
    );
    // Polling again reports nothing new.
    assert!(tail.poll_once().await.unwrap().is_empty());

    // Completion: updated_at bumped for the request; the MCP row changes
    // status without touching created_at (found by the pending re-read).
    db.exec(
        "INSERT INTO ai_request_messages (request_id, role, content, sequence_number) VALUES
            ('r1', 'user', 'hi', 0), ('r1', 'assistant', E'\\x1b[31mred\\x1b[0m', 1);
         INSERT INTO ai_request_tool_calls (request_id, tool_name, tool_input, sequence_number) VALUES ('r1', 'search', '{}', 0);
         UPDATE ai_requests SET status = 'completed', completed_at = now(), updated_at = now(), tokens_used = 42 WHERE id = 'r1';
         UPDATE mcp_tool_executions SET status = 'success', completed_at = now(), execution_time_ms = 12 WHERE mcp_execution_id = 'm1';
         UPDATE user_sessions SET ended_at = now(), last_activity_at = now() WHERE session_id = 's1';",
    )
    .await;
    let events = tail.poll_once().await.unwrap();
    let mut second = summary(&events);
    second.sort();
    assert_eq!(
        second,
        vec![
            "completed r1 msgs=2 calls=1",
            "mcp m1 success",
            "session- s1"
        ]
    );
    // The ANSI escape in the reply arrives as data, byte for byte.
    let reply = events.iter().find_map(|e| match e {
        Event::AiRequestCompleted { messages, .. } => Some(messages[1].content.clone()),
        _ => None,
    });
    assert_eq!(reply.as_deref(), Some("\u{1b}[31mred\u{1b}[0m"));
    // A touch that does not change the state is not an event.
    db.exec("UPDATE ai_requests SET updated_at = now() WHERE id = 'r1'")
        .await;
    assert!(tail.poll_once().await.unwrap().is_empty());
    assert_eq!(tail.emitted(), 7);
}

async fn out_of_order_commit_inside_lookback_is_caught(shape: Shape) {
    let db = support::fresh_db_shaped(shape).await;
    let mut tail = PgTail::connect(&db.url, config()).await.unwrap();
    db.exec("INSERT INTO logs (id, level, module, message) VALUES ('b', 'INFO', 'm', 'later row')")
        .await;
    assert_eq!(summary(&tail.poll_once().await.unwrap()), vec!["log b"]);
    // A row stamped 2 s earlier, committed after the watermark moved past it.
    db.exec("INSERT INTO logs (id, timestamp, level, module, message) VALUES ('a', now() - interval '2 seconds', 'INFO', 'm', 'late commit')")
        .await;
    assert_eq!(summary(&tail.poll_once().await.unwrap()), vec!["log a"]);
}

async fn backfill_reports_recent_history_in_time_order(shape: Shape) {
    let db = support::fresh_db_shaped(shape).await;
    db.exec(
        "INSERT INTO logs (id, timestamp, level, module, message) VALUES
            ('x2', now() - interval '2 minutes', 'INFO', 'm', 'two'),
            ('x1', now() - interval '3 minutes', 'INFO', 'm', 'one'),
            ('x0', now() - interval '30 minutes', 'INFO', 'm', 'too old')",
    )
    .await;
    let mut cfg = config();
    cfg.backfill = Some(Duration::from_secs(600));
    let mut tail = PgTail::connect(&db.url, cfg).await.unwrap();
    assert_eq!(
        summary(&tail.poll_once().await.unwrap()),
        vec!["log x1", "log x2"]
    );
}

/// A backfill on a busy table re-reads only its newest `backfill_cap` rows
/// and says, first, which span it left out; a quiet table is read whole.
async fn backfill_is_capped_per_table_and_says_so(shape: Shape) {
    let db = support::fresh_db_shaped(shape).await;
    db.exec(
        "INSERT INTO logs (id, timestamp, level, module, message)
         SELECT 'log-' || lpad(i::text, 3, '0'), now() - (i || ' seconds')::interval, 'INFO', 'm', 'busy'
         FROM generate_series(1, 50) AS i;
         INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, status, started_at,
             created_at, input, user_id)
         VALUES ('m-quiet', 'search', 'web', 'success', now() - interval '5 minutes',
             now() - interval '5 minutes', '{}', 'u1')",
    )
    .await;
    let mut cfg = config();
    cfg.backfill = Some(Duration::from_secs(15 * 60));
    cfg.backfill_cap = Some(10);
    let mut tail = PgTail::connect(&db.url, cfg).await.unwrap();
    let events = tail.poll_once().await.unwrap();
    let Event::Gap {
        reason,
        from_time,
        to_time,
        ..
    } = &events[0]
    else {
        panic!("the capped backfill says so first: {:?}", summary(&events));
    };
    assert!(
        reason.contains("15m backfill is capped at 10 rows per table")
            && reason.contains("logs")
            && !reason.contains("mcp_tool_executions"),
        "{reason}"
    );
    assert!(from_time < to_time);
    let logs: Vec<String> = summary(&events)
        .into_iter()
        .filter(|s| s.starts_with("log "))
        .collect();
    // the newest rows (1..=11 s ago; the 11th is the cut-off row itself),
    // oldest first
    assert_eq!(logs.len(), 11, "{logs:?}");
    assert_eq!(logs.first().map(String::as_str), Some("log log-011"));
    assert_eq!(logs.last().map(String::as_str), Some("log log-001"));
    assert!(summary(&events).contains(&"mcp m-quiet success".to_string()));
    // the notice comes once
    assert!(
        !tail
            .poll_once()
            .await
            .unwrap()
            .iter()
            .any(|e| matches!(e, Event::Gap { .. }))
    );
}

/// Restart the Postgres server under a running tail: rows written before,
/// while (queued) and after the outage each arrive exactly once.
#[tokio::test]
async fn postgres_restart_loses_and_repeats_nothing() {
    let cluster = tracetop::pg::cluster::TempCluster::start().expect("temp cluster");
    let url = cluster.create_database("tailrestart", None).await.unwrap();
    tracetop::pg::migrate::run(&url).await.unwrap();
    let insert = |ids: std::ops::Range<u32>| {
        let url = url.clone();
        async move {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            for i in ids {
                sqlx::query(
                    "INSERT INTO logs (id, level, module, message) VALUES ($1, 'INFO', 'm', 'x')",
                )
                .bind(format!("log-{i:03}"))
                .execute(&mut c)
                .await
                .unwrap();
            }
            let _ = c.close().await;
        }
    };
    let tail = PgTail::connect(&url, config()).await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    let task = tokio::spawn(tail.run(tx));
    insert(0..10).await;
    let mut seen: Vec<String> = Vec::new();
    let mut states = Vec::new();
    let mut collect_until =
        async |n: usize, seen: &mut Vec<String>, states: &mut Vec<SourceState>| {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            while seen.len() < n {
                let update = tokio::time::timeout_at(deadline, rx.recv())
                    .await
                    .expect("events arrive")
                    .expect("tail alive");
                match update.decoded() {
                    SourceUpdate::Events(events) => {
                        for e in events {
                            if let Event::Log { log } = e {
                                seen.push(log.id.0);
                            }
                        }
                    }
                    SourceUpdate::State(s) => states.push(s),
                    SourceUpdate::Counters(_) => {}
                    SourceUpdate::Raw(_) => unreachable!("decoded"),
                }
            }
        };
    collect_until(10, &mut seen, &mut states).await;
    cluster.stop_server().unwrap();
    // Let the tail notice the outage.
    tokio::time::sleep(Duration::from_millis(600)).await;
    cluster.restart_server().unwrap();
    cluster.wait_ready(Duration::from_secs(30)).await.unwrap();
    insert(10..20).await;
    collect_until(20, &mut seen, &mut states).await;
    // Nothing more turns up (no duplicates) over a few more polls.
    tokio::time::sleep(Duration::from_millis(500)).await;
    while let Ok(update) = rx.try_recv() {
        if let SourceUpdate::Events(events) = update {
            for e in events {
                if let Event::Log { log } = e {
                    seen.push(log.id.0);
                }
            }
        } else if let SourceUpdate::State(s) = update {
            states.push(s);
        }
    }
    let expected: Vec<String> = (0..20).map(|i| format!("log-{i:03}")).collect();
    assert_eq!(seen, expected);
    assert!(
        states
            .iter()
            .any(|s| matches!(s, SourceState::Reconnecting { .. })),
        "the outage was reported: {states:?}"
    );
    task.abort();
}

/// A small recording: two logs (one with escape sequences) and a heartbeat.
fn recording(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("in.jsonl");
    let log = |id: &str, msg: &str| {
        serde_json::to_string(&Event::Log {
            log: LogRecord {
                id: LogId::new(id),
                timestamp: chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
                    .unwrap()
                    .into(),
                level: "ERROR".into(),
                module: "gw".into(),
                message: msg.into(),
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
        })
        .unwrap()
    };
    let text = format!(
        "{}\n{}\n{{\"type\":\"heartbeat\",\"at\":\"2026-11-23T10:00:01Z\"}}\n",
        log("a", "\u{1b}[2J\u{1b}]0;pwned\u{7}evil"),
        log("b", "plain")
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn tracetop(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

#[test]
fn text_format_strips_escapes_and_jsonl_keeps_them_as_data() {
    let dir = tempfile::tempdir().unwrap();
    let file = recording(&dir);
    let f = file.to_str().unwrap();
    let text = tracetop(&["replay", f, "--speed", "0", "--format", "text"]);
    assert!(text.status.success());
    let out = String::from_utf8(text.stdout).unwrap();
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert_eq!(
        out,
        "2026-11-23 10:00:00.000 log                  ERROR gw evil\n\
         2026-11-23 10:00:00.000 log                  ERROR gw plain\n"
    );
    let jsonl = tracetop(&[
        "replay",
        f,
        "--speed",
        "0",
        "--format",
        "jsonl",
        "--kind",
        "log",
        "--kind",
        "heartbeat",
    ]);
    let lines: Vec<Event> = String::from_utf8(jsonl.stdout)
        .unwrap()
        .lines()
        .map(Event::from_json)
        .collect();
    assert_eq!(lines.len(), 3);
    match &lines[0] {
        Event::Log { log } => assert_eq!(log.message, "\u{1b}[2J\u{1b}]0;pwned\u{7}evil"),
        other => panic!("{other:?}"),
    }
    assert_eq!(lines[2].kind(), "heartbeat");
    let bad = tracetop(&["replay", f, "--kind", "nope"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown kind"));
}

#[test]
fn record_then_replay_round_trips_and_a_closed_pipe_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    let file = recording(&dir);
    let out = dir.path().join("out.jsonl");
    let rec = tracetop(&[
        "record",
        "--replay",
        file.to_str().unwrap(),
        "--speed",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        rec.status.success(),
        "{}",
        String::from_utf8_lossy(&rec.stderr)
    );
    assert!(!dir.path().join("out.jsonl.partial").exists());
    let recorded = std::fs::read_to_string(&out).unwrap();
    // Heartbeats are not recorded; the two logs are, byte for byte.
    let source = std::fs::read_to_string(&file).unwrap();
    let expected: String = source.lines().take(2).map(|l| format!("{l}\n")).collect();
    assert_eq!(recorded, expected);
    // Refuses to overwrite.
    let again = tracetop(&[
        "record",
        "--replay",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    // A big replay into a pipe closed after one line: exit 0, no panic.
    let big = dir.path().join("big.jsonl");
    let line = source.lines().nth(1).unwrap().to_string();
    std::fs::write(&big, format!("{line}\n").repeat(200_000)).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .args([
            "replay",
            big.to_str().unwrap(),
            "--speed",
            "0",
            "--format",
            "jsonl",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::BufRead;
        let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        reader.read_line(&mut first).unwrap();
        assert!(first.starts_with("{\"type\":\"log\""));
    } // stdout closed here
    let status = child.wait_with_output().unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(!String::from_utf8_lossy(&status.stderr).contains("panick"));
}

both_shapes!(
    new_rows_once_and_status_changes_as_updates,
    out_of_order_commit_inside_lookback_is_caught,
    backfill_reports_recent_history_in_time_order,
    backfill_is_capped_per_table_and_says_so,
);
