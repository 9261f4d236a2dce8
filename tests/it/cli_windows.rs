//! Absolute windows and what changed, through the real binary: a window
//! that ends in the past (`--since 2026-11-10 --until 2026-11-11`) with
//! rows before, inside, on both edges and after it, the previous window of
//! the same length (2026-11-09) and the change between them, all answers
//! computed by hand. Bad `--since` / `--until` values: one line, exit 2.
//!
//! Fixture (every time UTC; W = [2026-11-10, 2026-11-11), P = the day before):
//!
//! | ai request | created at          | in | tokens | cost µ$ | trace   |
//! |------------|---------------------|----|--------|---------|---------|
//! | r-before   | 11-08 12:00         | -  | 1000   | 9000    | t-before|
//! | r-prev-1   | 11-09 06:00         | P  | 200    | 1500    | t-prev  |
//! | r-prev-2   | 11-09 18:00         | P  | 200    | 2500    | t-prev  |
//! | r-in-1     | 11-10 00:00 (start) | W  | 100    | 1000    | t-in-1  |
//! | r-in-2     | 11-10 12:00         | W  | 100    | 2000    | t-in-2  |
//! | r-in-3     | 11-10 23:59:59      | W  | 100    | 3000    | t-in-2  |
//! | r-end      | 11-11 00:00 (end)   | -  | 5000   | 50000   | t-end   |
//! | r-after    | 11-12 09:00         | -  | 7000   | 70000   | t-after |
//!
//! W: 3 requests, 300 tokens, 6000 µ$; P: 2, 400, 4000 → +50.0 %, -25.0 %, +50.0 %.
//! Sessions W 2 / P 1 (+100.0 %), contexts W 1 / P 0 (null), tasks W 1 /
//! P 2 (-50.0 %), tool executions W 0 / P 1 (-100.0 %), logs W 2 / P 1.
//! The tasks and requests belong to ctx-old (created before P): the rows
//! are valid on a real deployment too, and every test runs on both shapes.

use crate::support;

use serde_json::{Value, json};
use std::process::{Command, Output, Stdio};
use support::Shape;

const FIXTURE: &str = r#"
INSERT INTO users (id, name, email, created_at) VALUES
 ('u1', 'Ada', 'ada@example.com', '2026-11-01T00:00:00Z');
INSERT INTO user_sessions (session_id, user_id, started_at, last_activity_at, ended_at) VALUES
 ('s-prev', 'u1', '2026-11-09T03:00:00Z', '2026-11-09T03:10:00Z', '2026-11-09T03:20:00Z'),
 ('s-in-1', 'u1', '2026-11-10T01:00:00Z', '2026-11-10T01:10:00Z', '2026-11-10T01:20:00Z'),
 ('s-in-2', 'u1', '2026-11-10T02:00:00Z', '2026-11-10T02:10:00Z', '2026-11-10T02:20:00Z'),
 ('s-after', 'u1', '2026-11-11T05:00:00Z', '2026-11-11T05:10:00Z', NULL);
INSERT INTO user_contexts (context_id, user_id, session_id, name, created_at, updated_at) VALUES
 ('ctx-old', 'u1', NULL, 'October', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z'),
 ('ctx-in', 'u1', 's-in-1', 'November', '2026-11-10T01:05:00Z', '2026-11-10T01:05:00Z');
INSERT INTO agent_tasks (task_id, context_id, status, user_id, trace_id, agent_name, started_at, created_at, updated_at) VALUES
 ('task-prev-1', 'ctx-old', 'TASK_STATE_COMPLETED', 'u1', 't-prev', 'researcher', '2026-11-09T06:00:00Z', '2026-11-09T06:00:00Z', '2026-11-09T06:00:00Z'),
 ('task-prev-2', 'ctx-old', 'TASK_STATE_COMPLETED', 'u1', 't-prev', 'researcher', '2026-11-09T18:00:00Z', '2026-11-09T18:00:00Z', '2026-11-09T18:00:00Z'),
 ('task-in', 'ctx-old', 'TASK_STATE_COMPLETED', 'u1', 't-in-2', 'writer', '2026-11-10T12:00:00Z', '2026-11-10T12:00:00Z', '2026-11-10T12:00:00Z');
INSERT INTO ai_requests (id, request_id, user_id, trace_id, provider, model, tokens_used, input_tokens,
    output_tokens, cost_microdollars, latency_ms, status, created_at, updated_at, completed_at,
    context_id, actor_kind, actor_id)
VALUES
 ('r-before', 'x0', 'u1', 't-before', 'openai', 'gpt-4o', 1000, 600, 400, 9000, 100, 'completed',
  '2026-11-08T12:00:00Z', '2026-11-08T12:00:00Z', '2026-11-08T12:00:00Z', 'ctx-old', 'user', 'u1'),
 ('r-prev-1', 'x1', 'u1', 't-prev', 'openai', 'gpt-4o', 200, 100, 100, 1500, 100, 'completed',
  '2026-11-09T06:00:00Z', '2026-11-09T06:00:00Z', '2026-11-09T06:00:00Z', 'ctx-old', 'user', 'u1'),
 ('r-prev-2', 'x2', 'u1', 't-prev', 'openai', 'gpt-4o', 200, 100, 100, 2500, 100, 'completed',
  '2026-11-09T18:00:00Z', '2026-11-09T18:00:00Z', '2026-11-09T18:00:00Z', 'ctx-old', 'user', 'u1'),
 ('r-in-1', 'x3', 'u1', 't-in-1', 'anthropic', 'claude-sonnet-4', 100, 60, 40, 1000, 100, 'completed',
  '2026-11-10T00:00:00Z', '2026-11-10T00:00:00Z', '2026-11-10T00:00:00Z', 'ctx-old', 'user', 'u1'),
 ('r-in-2', 'x4', 'u1', 't-in-2', 'anthropic', 'claude-sonnet-4', 100, 60, 40, 2000, 100, 'completed',
  '2026-11-10T12:00:00Z', '2026-11-10T12:00:00Z', '2026-11-10T12:00:00Z', 'ctx-old', 'user', 'u1'),
 ('r-in-3', 'x5', 'u1', 't-in-2', 'openai', 'gpt-4o', 100, 60, 40, 3000, 100, 'completed',
  '2026-11-10T23:59:59Z', '2026-11-10T23:59:59Z', '2026-11-10T23:59:59Z', 'ctx-old', 'user', 'u1'),
 ('r-end', 'x6', 'u1', 't-end', 'openai', 'gpt-4o', 5000, 3000, 2000, 50000, 100, 'completed',
  '2026-11-11T00:00:00Z', '2026-11-11T00:00:00Z', '2026-11-11T00:00:00Z', 'ctx-old', 'user', 'u1'),
 ('r-after', 'x7', 'u1', 't-after', 'openai', 'gpt-4o', 7000, 4000, 3000, 70000, 100, 'completed',
  '2026-11-12T09:00:00Z', '2026-11-12T09:00:00Z', '2026-11-12T09:00:00Z', 'ctx-old', 'user', 'u1');
INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, started_at, completed_at,
    execution_time_ms, input, status, user_id, trace_id, created_at)
VALUES
 ('mcp-prev', 'web_search', 'search', '2026-11-09T06:00:01Z', '2026-11-09T06:00:02Z', 1000, '{}', 'success',
  'u1', 't-prev', '2026-11-09T06:00:01Z'),
 ('mcp-after', 'web_search', 'search', '2026-11-12T09:00:01Z', '2026-11-12T09:00:02Z', 1000, '{}', 'success',
  'u1', 't-after', '2026-11-12T09:00:01Z');
INSERT INTO logs (id, timestamp, level, module, message, trace_id) VALUES
 ('log-prev', '2026-11-09T06:00:00Z', 'INFO', 'gateway', 'request ok', 't-prev'),
 ('log-in-1', '2026-11-10T04:00:00Z', 'ERROR', 'gateway', 'upstream timeout', NULL),
 ('log-in-2', '2026-11-10T05:00:00Z', 'INFO', 'billing', 'request ok', NULL),
 ('log-after', '2026-11-11T00:00:00Z', 'INFO', 'gateway', 'request ok', 't-end');
"#;

/// The window of the fixture, in the forms the flags accept.
const WINDOW: [&str; 4] = ["--since", "2026-11-10", "--until", "2026-11-11"];

fn tracetop(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .args(args)
        .env("DATABASE_URL", url)
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .output()
        .expect("run tracetop")
}

fn text(url: &str, args: &[&str]) -> String {
    let out = tracetop(url, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn json_of(url: &str, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = text(url, &all);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"))
}

fn with_window<'a>(args: &[&'a str]) -> Vec<&'a str> {
    args.iter().copied().chain(WINDOW).collect()
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("array: {v}"))
        .iter()
        .map(|r| r[key].as_str().unwrap().to_string())
        .collect()
}

async fn fixture(shape: Shape) -> support::TestDb {
    let db = support::fresh_db_shaped(shape).await;
    db.exec(FIXTURE).await;
    db
}

async fn costs_in_a_past_window_with_the_previous_one(shape: Shape) {
    let db = fixture(shape).await;
    let v = json_of(&db.url, &with_window(&["analytics", "costs"]));
    assert_eq!(v["window_start"], "2026-11-10T00:00:00Z");
    assert_eq!(v["window_end"], "2026-11-11T00:00:00Z");
    assert_eq!(
        v["summary"],
        json!({"request_count": 3, "input_tokens": 180, "output_tokens": 120, "total_tokens": 300,
               "total_cost_microdollars": 6000, "avg_cost_per_request_microdollars": 2000,
               "cache_read_tokens": 0, "cache_creation_tokens": 0, "cached_input_share": 0.0,
               "synthetic_requests_excluded": 0, "no_model_requests_excluded": 0})
    );
    assert_eq!(v["previous_window_start"], "2026-11-09T00:00:00Z");
    assert_eq!(v["previous_window_end"], "2026-11-10T00:00:00Z");
    assert_eq!(v["previous_request_count"], 2);
    assert_eq!(v["previous_total_tokens"], 400);
    assert_eq!(v["previous_total_cost_microdollars"], 4000);
    assert_eq!(v["request_change_percent"], 50.0);
    assert_eq!(v["tokens_change_percent"], -25.0);
    assert_eq!(v["cost_change_percent"], 50.0);
    // rolling figures end at --until: 24h = W, 7d and all time add P and r-before
    assert_eq!(v["overview"]["cost_24h_microdollars"], 6000);
    assert_eq!(v["overview"]["cost_7d_microdollars"], 19000);
    assert_eq!(v["overview"]["total_cost_microdollars"], 19000);
    assert_eq!(v["overview"]["total_requests"], 6);

    // the same window in other forms; without --since, 24h before --until
    for args in [
        vec![
            "analytics",
            "costs",
            "--since",
            "2026-11-10T00:00",
            "--until",
            "2026-11-11T00:00:00Z",
        ],
        vec![
            "analytics",
            "costs",
            "--since",
            "2026-11-10T01:00:00+01:00",
            "--until",
            "2026-11-11 00:00",
        ],
        vec!["analytics", "costs", "--until", "2026-11-11"],
    ] {
        let same = json_of(&db.url, &args);
        assert_eq!(same["window_start"], "2026-11-10T00:00:00Z", "{args:?}");
        assert_eq!(same["summary"]["total_cost_microdollars"], 6000, "{args:?}");
    }

    // previous window empty: the change is null (JSON), empty (CSV), - (table)
    let v = json_of(
        &db.url,
        &[
            "analytics",
            "costs",
            "--since",
            "2026-11-09T06:00",
            "--until",
            "2026-11-09T12:00",
        ],
    );
    assert_eq!(v["summary"]["total_cost_microdollars"], 1500);
    assert_eq!(v["previous_total_cost_microdollars"], 0);
    assert_eq!(v["cost_change_percent"], Value::Null);

    let csv = text(
        &db.url,
        &[
            &with_window(&["analytics", "costs"])[..],
            &["--format", "csv"],
        ]
        .concat(),
    );
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let field = |name: &str| row[header.iter().position(|h| *h == name).expect(name)];
    assert_eq!(field("window_start"), "2026-11-10T00:00:00.000Z");
    assert_eq!(field("total_cost_microdollars"), "6000");
    assert_eq!(field("previous_total_cost_microdollars"), "4000");
    assert_eq!(field("cost_change_percent"), "50.0");
    assert_eq!(field("tokens_change_percent"), "-25.0");

    let table = text(&db.url, &with_window(&["analytics", "costs"]));
    let first = table.lines().next().unwrap();
    assert_eq!(
        first,
        "Costs · 2026-11-10 00:00:00 → 2026-11-11 00:00:00 UTC"
    );
    assert!(
        table.contains("Previous window · 2026-11-09 00:00:00 → 2026-11-10 00:00:00 UTC"),
        "{table}"
    );
    assert!(
        table.contains("↑ 50.0%") && table.contains("↓ 25.0%"),
        "{table}"
    );
}

async fn overview_activity_change_and_trend(shape: Shape) {
    let db = fixture(shape).await;
    let v = json_of(&db.url, &with_window(&["analytics", "overview"]));
    assert_eq!(v["window_start"], "2026-11-10T00:00:00Z");
    assert_eq!(v["window_end"], "2026-11-11T00:00:00Z");
    assert_eq!(v["previous_window_start"], "2026-11-09T00:00:00Z");
    let pick = |keys: &[&str]| -> Value {
        keys.iter()
            .map(|k| (k.to_string(), v[*k].clone()))
            .collect()
    };
    assert_eq!(
        pick(&[
            "sessions",
            "previous_sessions",
            "sessions_change_percent",
            "contexts",
            "previous_contexts",
            "contexts_change_percent",
            "tasks",
            "previous_tasks",
            "tasks_change_percent",
            "ai_requests",
            "previous_ai_requests",
            "ai_requests_change_percent",
            "tool_executions",
            "previous_tool_executions",
            "tool_executions_change_percent"
        ]),
        json!({"sessions": 2, "previous_sessions": 1, "sessions_change_percent": 100.0,
               "contexts": 1, "previous_contexts": 0, "contexts_change_percent": null,
               "tasks": 1, "previous_tasks": 2, "tasks_change_percent": -50.0,
               "ai_requests": 3, "previous_ai_requests": 2, "ai_requests_change_percent": 50.0,
               "tool_executions": 0, "previous_tool_executions": 1,
               "tool_executions_change_percent": -100.0})
    );
    // the counters are relative to the window's end (last activity ≥ 24h before it)
    assert_eq!(v["active_users_24h"], 1);
    assert_eq!(v["total_ai_requests"], 8);

    let table = text(&db.url, &with_window(&["analytics", "overview"]));
    assert!(
        table.starts_with("Platform overview · 2026-11-10 00:00:00 → 2026-11-11 00:00:00 UTC\n"),
        "{table}"
    );
    let line = |name: &str| {
        table
            .lines()
            .rfind(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {table}"))
            .trim_end()
            .to_string()
    };
    assert!(line("sessions").ends_with("↑ 100.0%"), "{table}");
    assert!(line("contexts").trim_end().ends_with('-'), "{table}");
    assert!(line("tasks").ends_with("↓ 50.0%"), "{table}");
    assert!(line("tool executions").ends_with("↓ 100.0%"), "{table}");

    let v = json_of(
        &db.url,
        &[
            "analytics",
            "overview",
            "--trend",
            "day",
            "--since",
            "2026-11-09",
            "--until",
            "2026-11-11",
        ],
    );
    assert_eq!(
        v,
        json!([
            {"bucket_start": "2026-11-09T00:00:00Z", "sessions": 1, "contexts": 0, "tasks": 2,
             "ai_requests": 2, "tool_executions": 1},
            {"bucket_start": "2026-11-10T00:00:00Z", "sessions": 2, "contexts": 1, "tasks": 1,
             "ai_requests": 3, "tool_executions": 0}
        ])
    );
    let csv = text(
        &db.url,
        &[
            "analytics",
            "overview",
            "--trend",
            "hour",
            "--since",
            "2026-11-10T00:00",
            "--until",
            "2026-11-10T03:00",
            "--format",
            "csv",
        ],
    );
    assert_eq!(
        csv,
        "bucket_start,sessions,contexts,tasks,ai_requests,tool_executions\n\
         2026-11-10T00:00:00.000Z,0,0,0,1,0\n\
         2026-11-10T01:00:00.000Z,1,1,0,0,0\n\
         2026-11-10T02:00:00.000Z,1,0,0,0,0\n"
    );
    let table = text(
        &db.url,
        &[
            "analytics",
            "overview",
            "--trend",
            "day",
            "--since",
            "2026-11-09",
            "--until",
            "2026-11-11",
        ],
    );
    assert!(
        table.starts_with("Activity per day · 2026-11-09 00:00:00 → 2026-11-11 00:00:00 UTC\n"),
        "{table}"
    );
}

async fn lists_and_reports_keep_to_a_past_window(shape: Shape) {
    let db = fixture(shape).await;
    let v = json_of(&db.url, &with_window(&["traces"]));
    assert_eq!(ids(&v, "trace_id"), ["t-in-2", "t-in-1"]);
    let v = json_of(&db.url, &["traces", "--until", "2026-11-10"]);
    assert_eq!(ids(&v, "trace_id"), ["t-prev", "t-before"]);

    let v = json_of(
        &db.url,
        &[
            "logs",
            "search",
            "request",
            "--since",
            "2026-11-09",
            "--until",
            "2026-11-11",
        ],
    );
    assert_eq!(ids(&v, "id"), ["log-in-2", "log-prev"]);
    let v = json_of(&db.url, &with_window(&["logs", "summary"]));
    assert_eq!(v["window_start"], "2026-11-10T00:00:00Z");
    assert_eq!(v["window_end"], "2026-11-11T00:00:00Z");
    assert_eq!(v["total"], 2);
    let table = text(&db.url, &with_window(&["logs", "summary"]));
    assert!(
        table.starts_with("Logs · 2026-11-10 00:00:00 → 2026-11-11 00:00:00 UTC\n"),
        "{table}"
    );

    let v = json_of(
        &db.url,
        &["tools", "--since", "2026-11-09", "--until", "2026-11-10"],
    );
    assert_eq!(ids(&v, "mcp_execution_id"), ["mcp-prev"]);
    assert_eq!(json_of(&db.url, &with_window(&["tools"])), json!([]));

    let v = json_of(
        &db.url,
        &with_window(&["analytics", "costs", "--by", "model"]),
    );
    // a tie on cost is broken by the name
    assert_eq!(ids(&v, "model"), ["claude-sonnet-4", "gpt-4o"]);
    assert_eq!(v[0]["total_cost_microdollars"], 3000);
    assert_eq!(v[1]["total_cost_microdollars"], 3000);
    let v = json_of(&db.url, &with_window(&["analytics", "users"]));
    assert_eq!(v[0]["request_count"], 3);
    assert_eq!(v[0]["session_count"], 2);
    assert_eq!(v[0]["task_count"], 1);
    let v = json_of(&db.url, &with_window(&["analytics", "requests"]));
    assert_eq!(v["window_start"], "2026-11-10T00:00:00Z");
    assert_eq!(v["request_count"], 3);
    let v = json_of(&db.url, &with_window(&["analytics", "sessions"]));
    assert_eq!(v["window_end"], "2026-11-11T00:00:00Z");
    assert_eq!(v["session_count"], 2);
    let v = json_of(&db.url, &with_window(&["analytics", "agents"]));
    assert_eq!(ids(&v, "agent_name"), ["writer"]);

    let out = tracetop(&db.url, &with_window(&["anomalies"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Anomalies · 2026-11-10 00:00:00 → 2026-11-11 00:00:00 UTC\nno anomalies\n"
    );
}

async fn bad_windows_are_one_line_and_exit_2(shape: Shape) {
    let db = fixture(shape).await;
    let forms = "a duration back from now (15m, 24h, 7d, 2w), a date (2026-11-24, meaning 00:00 UTC) \
                 or an RFC 3339 time (2026-11-24T03:00:00Z; 2026-11-24T03:00 is UTC)";
    let commands: [&[&str]; 7] = [
        &["analytics", "costs"],
        &["analytics", "overview", "--trend", "day"],
        &["traces"],
        &["tools"],
        &["logs", "search", "x"],
        &["logs", "summary"],
        &["anomalies"],
    ];
    for command in commands {
        let cases = [
            (
                vec!["--since", "2026-11-11", "--until", "2026-11-10"],
                format!(
                    "tracetop: --since \"2026-11-11\", --until \"2026-11-10\": the window must end after it \
                     starts, and 2026-11-11T00:00:00Z is not before 2026-11-10T00:00:00Z: give a --since \
                     earlier than --until ({forms})"
                ),
            ),
            (
                vec!["--since", "2026-11-10", "--until", "2026-11-10T00:00"],
                format!(
                    "tracetop: --since \"2026-11-10\", --until \"2026-11-10T00:00\": the window must end after \
                     it starts, and 2026-11-10T00:00:00Z is not before 2026-11-10T00:00:00Z: give a --since \
                     earlier than --until ({forms})"
                ),
            ),
            (
                vec!["--until", "2026-13-01"],
                format!("tracetop: --until \"2026-13-01\" is not a time: use {forms}"),
            ),
            (
                vec!["--since", "last tuesday"],
                format!("tracetop: --since \"last tuesday\" is not a time: use {forms}"),
            ),
        ];
        for (flags, expected) in cases {
            let args: Vec<&str> = command
                .iter()
                .copied()
                .chain(flags.iter().copied())
                .collect();
            let out = tracetop(&db.url, &args);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert_eq!(
                String::from_utf8_lossy(&out.stderr),
                format!("{expected}\n"),
                "{args:?}"
            );
            assert!(out.stdout.is_empty(), "{args:?}");
        }
    }
}

both_shapes!(
    costs_in_a_past_window_with_the_previous_one,
    overview_activity_change_and_trend,
    lists_and_reports_keep_to_a_past_window,
    bad_windows_are_one_line_and_exit_2,
);
