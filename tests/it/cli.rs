//! The real `tracetop` binary against a real Postgres database holding a
//! small fixture: exact JSON values, CSV headers and rows, tables that fit
//! `COLUMNS`, escape sequences made inert, a closed pipe, and one clear
//! line (without the password) for every kind of bad input.
//!
//! Fixture (all times relative to the fixture's `now()`):
//! * users u1 (Ada), u2 (Bob); sessions s1 (u1, web, DE, desktop, google,
//!   /home, open, active 10 min ago), s2 (u2, bot, US, mobile, no referrer,
//!   /pricing, ended), s3 (no user, scanner, no country, /wp-login.php).
//! * contexts ctx1 (u1, Quarterly report) and ctx2 (u2, Blog draft); tasks
//!   task-alpha (researcher, completed, 5000 ms, trace-alpha, in ctx1) and
//!   task-beta (writer, failed, trace-beta, in ctx2); one step.
//! * AI requests: req-3f2a91-0001 and req-3f2a91-0002 (anthropic
//!   claude-sonnet-4, trace-alpha, 1500 + 3000 tokens, 12000 + 24000 µ$,
//!   800 + 1200 ms, the second a cache hit), req-77b0-0003 (openai gpt-4o,
//!   trace-beta, failed, 500 tokens, 5000 µ$, 3000 ms), req-old-0004
//!   (openai gpt-4o, 10 days ago, 100 tokens, $1, trace-old, its
//!   context since deleted: requests carry no foreign key to contexts).
//!   The first three are user requests, the old one a job's.
//! * Two messages (with ANSI escapes) and one tool call on req-…0001; MCP
//!   executions mcp-1 (web_search, success, trace-alpha) and mcp-2
//!   (get_secret, failed, trace-beta); three log lines.
//!
//! The rows are valid on a real deployment too (every test runs on both
//! shapes): unique lower-case emails, parents before children, MCP
//! executions before the tool call naming one, actor kind and id.

use crate::support;

use support::Shape;

use serde_json::Value;
use std::process::{Command, Output, Stdio};

const FIXTURE: &str = r#"
INSERT INTO users (id, name, email) VALUES ('u1', 'Ada', 'ada@example.com'), ('u2', 'Bob', 'bob@example.com');
INSERT INTO user_sessions (session_id, user_id, started_at, last_activity_at, ended_at, client_id,
    device_type, country, referrer_source, landing_page, is_bot, is_scanner, session_source)
VALUES
 ('s1', 'u1', now() - interval '2 hours', now() - interval '10 minutes', NULL, 'cli-a', 'desktop', 'DE', 'google', '/home', false, false, 'web'),
 ('s2', 'u2', now() - interval '3 hours', now() - interval '2 hours', now() - interval '2 hours', 'cli-b', 'mobile', 'US', NULL, '/pricing', true, false, 'api'),
 ('s3', NULL, now() - interval '1 hour', now() - interval '1 hour', NULL, 'sp_web', NULL, NULL, NULL, '/wp-login.php', false, true, 'web');
INSERT INTO user_contexts (context_id, user_id, session_id, name, created_at, updated_at)
VALUES ('ctx1', 'u1', 's1', 'Quarterly report', now() - interval '2 hours', now() - interval '30 minutes'),
 ('ctx2', 'u2', 's2', 'Blog draft', now() - interval '90 minutes', now() - interval '90 minutes');
INSERT INTO agent_tasks (task_id, context_id, status, user_id, session_id, trace_id, agent_name,
    started_at, completed_at, execution_time_ms, error_message, created_at, updated_at)
VALUES
 ('task-alpha', 'ctx1', 'TASK_STATE_COMPLETED', 'u1', 's1', 'trace-alpha', 'researcher',
  now() - interval '2 hours', now() - interval '2 hours' + interval '5 seconds', 5000, NULL,
  now() - interval '2 hours', now() - interval '2 hours'),
 ('task-beta', 'ctx2', 'TASK_STATE_FAILED', 'u2', 's2', 'trace-beta', 'writer',
  now() - interval '90 minutes', NULL, NULL, 'boom', now() - interval '90 minutes', now() - interval '90 minutes');
INSERT INTO task_execution_steps (step_id, task_id, step_type, title, status, started_at, completed_at, duration_ms)
VALUES ('step-1', 'task-alpha', 'tool_call', 'search', 'completed',
  now() - interval '2 hours' + interval '1 second', now() - interval '2 hours' + interval '1.3 seconds', 300);
INSERT INTO ai_requests (id, request_id, user_id, session_id, task_id, context_id, trace_id, provider, model,
    tokens_used, input_tokens, output_tokens, cost_microdollars, latency_ms, cache_hit, status, error_message,
    created_at, updated_at, completed_at, actor_kind, actor_id)
VALUES
 ('req-3f2a91-0001', 'r1', 'u1', 's1', 'task-alpha', 'ctx1', 'trace-alpha', 'anthropic', 'claude-sonnet-4',
  1500, 1000, 500, 12000, 800, false, 'completed', NULL,
  now() - interval '2 hours', now() - interval '2 hours', now() - interval '2 hours', 'user', 'u1'),
 ('req-3f2a91-0002', 'r2', 'u1', 's1', 'task-alpha', 'ctx1', 'trace-alpha', 'anthropic', 'claude-sonnet-4',
  3000, 2000, 1000, 24000, 1200, true, 'completed', NULL,
  now() - interval '119 minutes', now() - interval '119 minutes', now() - interval '119 minutes', 'user', 'u1'),
 ('req-77b0-0003', 'r3', 'u2', 's2', 'task-beta', 'ctx2', 'trace-beta', 'openai', 'gpt-4o',
  500, 400, 100, 5000, 3000, false, 'failed', 'rate limited',
  now() - interval '90 minutes', now() - interval '90 minutes', NULL, 'user', 'u2'),
 ('req-old-0004', 'r4', 'u1', NULL, NULL, 'ctx-deleted', 'trace-old', 'openai', 'gpt-4o',
  100, 60, 40, 1000000, 500, false, 'completed', NULL,
  now() - interval '10 days', now() - interval '10 days', now() - interval '10 days', 'job', 'weekly-digest');
INSERT INTO ai_request_messages (request_id, role, content, sequence_number) VALUES
 ('req-3f2a91-0001', 'user', E'What is 2+2? \x1b[31mred\x1b[0m', 1),
 ('req-3f2a91-0001', 'assistant', E'It is 4.\x1b]0;pwned\x07 Done.\x1b[2J', 2);
INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, started_at, completed_at,
    execution_time_ms, input, output, status, error_message, user_id, task_id, trace_id, created_at)
VALUES
 ('mcp-1', 'web_search', 'search-srv', now() - interval '2 hours' + interval '2 seconds',
  now() - interval '2 hours' + interval '2.25 seconds', 250, '{"q": "x"}', '{"hits": 3}', 'success', NULL,
  'u1', 'task-alpha', 'trace-alpha', now() - interval '2 hours' + interval '2 seconds'),
 ('mcp-2', 'get_secret', 'vault', now() - interval '89 minutes', now() - interval '89 minutes' + interval '6 seconds',
  6000, '{"name": "db"}', NULL, 'failed', 'denied', 'u2', 'task-beta', 'trace-beta', now() - interval '89 minutes');
INSERT INTO ai_request_tool_calls (request_id, tool_name, tool_input, mcp_execution_id, ai_tool_call_id, sequence_number)
VALUES ('req-3f2a91-0001', 'web_search', '{"q": "x, \"y\""}', 'mcp-1', 'call-1', 1);
INSERT INTO logs (id, timestamp, level, module, message, trace_id, user_id) VALUES
 ('log-1', now() - interval '2 hours' + interval '3 seconds', 'ERROR', 'gateway', 'upstream timeout 50%_done', 'trace-alpha', 'u1'),
 ('log-2', now() - interval '119 minutes' + interval '1 second', 'INFO', 'gateway', 'request ok', 'trace-alpha', 'u1'),
 ('log-3', now() - interval '30 minutes', 'WARN', 'billing', 'quota near', NULL, NULL);
"#;

/// Run the binary with no inherited DATABASE_URL/COLUMNS.
fn tracetop(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tracetop"));
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env_remove("COLUMNS")
        .env_remove("TRACETOP_TOKEN")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run tracetop")
}

/// Run against `url` and expect success; stdout as text.
fn ok(url: &str, args: &[&str]) -> String {
    let out = tracetop(args, &[("DATABASE_URL", url)]);
    assert!(
        out.status.success(),
        "tracetop {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn json(url: &str, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let text = ok(url, &all);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON from {args:?}: {e}\n{text}"))
}

fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.expect("valid CSV").iter().map(str::to_string).collect())
        .collect()
}

fn stderr_line(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line on stderr: {err:?}"
    );
    err.trim_end().to_string()
}

async fn fixture_db(shape: Shape) -> support::TestDb {
    let db = support::fresh_db_shaped(shape).await;
    db.exec(FIXTURE).await;
    db
}

async fn costs_by_model_json_and_csv(shape: Shape) {
    let db = fixture_db(shape).await;
    let v = json(
        &db.url,
        &["analytics", "costs", "--by", "model", "--since", "24h"],
    );
    let rows = v.as_array().expect("array of rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["model"], "claude-sonnet-4");
    assert_eq!(rows[0]["request_count"], 2);
    assert_eq!(rows[0]["input_tokens"], 3000);
    assert_eq!(rows[0]["output_tokens"], 1500);
    assert_eq!(rows[0]["total_tokens"], 4500);
    assert_eq!(rows[0]["total_cost_microdollars"], 36000);
    assert_eq!(rows[0]["cost_share"].as_f64(), Some(36000.0 / 41000.0));
    assert_eq!(rows[1]["model"], "gpt-4o");
    assert_eq!(rows[1]["request_count"], 1);
    assert_eq!(rows[1]["total_cost_microdollars"], 5000);

    let text = ok(
        &db.url,
        &[
            "analytics",
            "costs",
            "--since",
            "30d",
            "--by",
            "model",
            "--format",
            "csv",
        ],
    );
    let records = csv_records(&text);
    assert_eq!(
        records[0],
        [
            "model",
            "request_count",
            "input_tokens",
            "output_tokens",
            "total_tokens",
            "total_cost_microdollars",
            "cost_share",
            "cache_read_tokens",
            "cache_creation_tokens",
            "cached_input_share"
        ]
    );
    assert_eq!(records.len(), 3);
    assert_eq!(
        records[1][..6],
        ["gpt-4o", "2", "460", "140", "600", "1005000"]
    );
    assert_eq!(
        records[2][..6],
        ["claude-sonnet-4", "2", "3000", "1500", "4500", "36000"]
    );
}

async fn costs_summary_provider_agent_and_trend(shape: Shape) {
    let db = fixture_db(shape).await;
    let v = json(&db.url, &["analytics", "costs", "--since", "24h"]);
    assert_eq!(v["summary"]["request_count"], 3);
    assert_eq!(v["summary"]["input_tokens"], 3400);
    assert_eq!(v["summary"]["output_tokens"], 1600);
    assert_eq!(v["summary"]["total_tokens"], 5000);
    assert_eq!(v["summary"]["total_cost_microdollars"], 41000);
    assert_eq!(v["summary"]["avg_cost_per_request_microdollars"], 13667); // 41000 / 3, rounded
    assert_eq!(v["overview"]["cost_24h_microdollars"], 41000);
    assert_eq!(v["overview"]["cost_7d_microdollars"], 41000);
    assert_eq!(v["overview"]["cost_30d_microdollars"], 1041000);
    assert_eq!(v["overview"]["total_cost_microdollars"], 1041000);
    assert_eq!(v["overview"]["total_requests"], 4);
    assert_eq!(v["overview"]["avg_cost_per_request_microdollars"], 260250);

    let records = csv_records(&ok(&db.url, &["analytics", "costs", "--format", "csv"]));
    assert_eq!(records.len(), 2);
    let header = &records[0];
    let value = |name: &str| {
        let i = header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"));
        records[1][i].clone()
    };
    assert_eq!(value("total_cost_microdollars"), "41000");
    assert_eq!(value("all_time_cost_microdollars"), "1041000");
    assert_eq!(value("cost_30d_microdollars"), "1041000");

    let v = json(&db.url, &["analytics", "costs", "--by", "provider"]);
    assert_eq!(v[0]["provider"], "anthropic");
    assert_eq!(v[0]["total_cost_microdollars"], 36000);
    assert_eq!(v[1]["provider"], "openai");
    assert_eq!(v[1]["total_cost_microdollars"], 5000);

    let v = json(&db.url, &["analytics", "costs", "--by", "agent"]);
    assert_eq!(v[0]["agent"], "researcher");
    assert_eq!(v[0]["request_count"], 2);
    assert_eq!(v[1]["agent"], "writer");
    assert_eq!(v[1]["total_cost_microdollars"], 5000);

    let v = json(
        &db.url,
        &["analytics", "costs", "--trend", "hour", "--since", "6h"],
    );
    let buckets = v.as_array().unwrap();
    assert!(
        buckets.len() == 6 || buckets.len() == 7,
        "{}",
        buckets.len()
    );
    let total: i64 = buckets
        .iter()
        .map(|b| b["total_cost_microdollars"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 41000);
    let requests: i64 = buckets
        .iter()
        .map(|b| b["request_count"].as_i64().unwrap())
        .sum();
    assert_eq!(requests, 3);
}

async fn overview_requests_sessions_traffic_content_conversations_agents(shape: Shape) {
    let db = fixture_db(shape).await;
    let mut v = json(&db.url, &["analytics", "overview"]);
    let window = |v: &mut Value, key: &str| -> chrono::DateTime<chrono::Utc> {
        let text = v.as_object_mut().unwrap().remove(key).expect(key);
        chrono::DateTime::parse_from_rfc3339(text.as_str().unwrap())
            .unwrap()
            .to_utc()
    };
    let (start, end) = (window(&mut v, "window_start"), window(&mut v, "window_end"));
    let (previous_start, previous_end) = (
        window(&mut v, "previous_window_start"),
        window(&mut v, "previous_window_end"),
    );
    assert_eq!(end - start, chrono::Duration::hours(24));
    assert_eq!(
        (previous_end, previous_end - previous_start),
        (start, end - start)
    );
    // the last 24h hold every fixture row but req-old-0004; the 24h before,
    // none. The counters count clean traffic: s2 (bot) and s3 (scanner) out.
    assert_eq!(
        v,
        serde_json::json!({
            "total_users": 2, "active_users_24h": 1, "active_users_7d": 1,
            "total_sessions": 1, "active_sessions": 1, "total_contexts": 2,
            "total_tasks": 2, "total_ai_requests": 4,
            "sessions": 3, "previous_sessions": 0, "sessions_change_percent": null,
            "contexts": 2, "previous_contexts": 0, "contexts_change_percent": null,
            "tasks": 2, "previous_tasks": 0, "tasks_change_percent": null,
            "ai_requests": 3, "previous_ai_requests": 0, "ai_requests_change_percent": null,
            "tool_executions": 2, "previous_tool_executions": 0,
            "tool_executions_change_percent": null
        })
    );
    // --include-bots counts u2's bot session (s2) and the scanner (s3);
    // neither is active (s2 ended, s3 idle for an hour)
    let all = json(&db.url, &["analytics", "overview", "--include-bots"]);
    assert_eq!(
        (
            &all["active_users_24h"],
            &all["active_users_7d"],
            &all["total_sessions"],
            &all["active_sessions"]
        ),
        (&2.into(), &2.into(), &3.into(), &1.into())
    );
    let records = csv_records(&ok(&db.url, &["analytics", "overview", "--format", "csv"]));
    assert_eq!(records.len(), 2);
    assert_eq!(
        records[0][..12],
        [
            "window_start",
            "window_end",
            "previous_window_start",
            "previous_window_end",
            "total_users",
            "active_users_24h",
            "active_users_7d",
            "total_sessions",
            "active_sessions",
            "total_contexts",
            "total_tasks",
            "total_ai_requests"
        ]
    );
    assert_eq!(records[1][4..12], ["2", "1", "1", "1", "1", "2", "2", "4"]);
    assert_eq!(
        records[0][12..15],
        ["sessions", "previous_sessions", "sessions_change_percent"]
    );
    assert_eq!(records[1][12..15], ["3", "0", ""]);

    let v = json(&db.url, &["analytics", "requests"]);
    assert_eq!(v["request_count"], 3);
    assert_eq!(v["completed_count"], 2);
    assert_eq!(v["failed_count"], 1);
    assert_eq!(v["cache_hit_count"], 1);
    assert_eq!(v["error_rate"].as_f64(), Some(1.0 / 3.0));
    assert_eq!(v["cache_hit_rate"].as_f64(), Some(1.0 / 3.0));
    assert_eq!(v["avg_latency_ms"], 1667); // 5000 / 3, rounded
    assert_eq!(v["p50_latency_ms"], 1200);
    assert_eq!(v["p95_latency_ms"], 3000);
    assert_eq!(v["p99_latency_ms"], 3000);
    assert_eq!(v["by_model"][0]["model"], "claude-sonnet-4");
    assert_eq!(v["by_model"][0]["p50_latency_ms"], 800);
    assert_eq!(v["by_model"][0]["cache_hit_rate"].as_f64(), Some(0.5));
    assert_eq!(v["by_model"][1]["model"], "gpt-4o");
    assert_eq!(v["by_model"][1]["error_rate"].as_f64(), Some(1.0));
    let records = csv_records(&ok(&db.url, &["analytics", "requests", "--format", "csv"]));
    assert_eq!(records[0][..3], ["model", "provider", "request_count"]);
    assert_eq!(records[1][..3], ["(all)", "(all)", "3"]);
    assert_eq!(records[2][..3], ["claude-sonnet-4", "anthropic", "2"]);
    assert_eq!(records[3][..3], ["gpt-4o", "openai", "1"]);

    // Clean traffic by default: s2 (is_bot) and s3 (scanner) are left out
    // of the totals and counted beside them.
    let v = json(&db.url, &["analytics", "sessions"]);
    assert_eq!(v["bots_included"], false);
    assert_eq!(v["session_count"], 1);
    assert_eq!(v["unique_users"], 1);
    assert_eq!(v["ended_count"], 0);
    assert_eq!(v["avg_duration_seconds"], 0);
    assert_eq!(v["bot_sessions"], 2);
    assert_eq!(v["scanner_sessions"], 1);
    assert_eq!(v["bot_share"].as_f64(), Some(2.0 / 3.0));
    let v = json(&db.url, &["analytics", "sessions", "--include-bots"]);
    assert_eq!(v["bots_included"], true);
    assert_eq!(v["session_count"], 3);
    assert_eq!(v["unique_users"], 2);
    assert_eq!(v["ended_count"], 1);
    // s2 ended 1 h after it started: capped at the 30-minute cut-off
    assert_eq!(v["avg_duration_seconds"], 1800);
    assert_eq!(v["bot_sessions"], 2);
    let table = ok(&db.url, &["analytics", "sessions"]);
    assert!(table.contains("clean traffic"), "{table}");

    let v = json(&db.url, &["analytics", "traffic"]);
    assert_eq!(v["total_sessions"], 1);
    assert_eq!(v["bot_sessions"], 2);
    assert_eq!(v["scanner_sessions"], 1);
    assert_eq!(v["bot_share"].as_f64(), Some(2.0 / 3.0));
    let table = ok(&db.url, &["analytics", "traffic"]);
    assert!(
        table.contains("2 bot sessions (66.7% of all) left out"),
        "{table}"
    );
    let v = json(&db.url, &["analytics", "traffic", "--include-bots"]);
    assert_eq!(v["total_sessions"], 3);
    assert_eq!(v["bot_sessions"], 2);
    let records = csv_records(&ok(
        &db.url,
        &["analytics", "traffic", "--include-bots", "--format", "csv"],
    ));
    assert_eq!(
        records[0],
        [
            "dimension",
            "key",
            "session_count",
            "bot_count",
            "scanner_count",
            "share"
        ]
    );
    let third = (1.0f64 / 3.0).to_string();
    for expected in [
        ["country", "DE", "1", "0", "0", third.as_str()],
        ["country", "US", "1", "1", "0", third.as_str()],
        ["country", "(unknown)", "1", "1", "1", third.as_str()],
        ["device", "desktop", "1", "0", "0", third.as_str()],
    ] {
        assert!(
            records.iter().any(|r| r == &expected),
            "{expected:?} in {records:?}"
        );
    }
    let web = (2.0f64 / 3.0).to_string();
    assert!(
        records
            .iter()
            .any(|r| r == &["source", "web", "2", "1", "1", web.as_str()])
    );
    // clean: the bots' rows stay, with no counted session
    let records = csv_records(&ok(&db.url, &["analytics", "traffic", "--format", "csv"]));
    assert!(
        records
            .iter()
            .any(|r| r == &["country", "US", "0", "1", "0", "0"]),
        "{records:?}"
    );
    assert!(
        records
            .iter()
            .any(|r| r == &["source", "web", "1", "1", "1", "1"]),
        "{records:?}"
    );

    let clean = csv_records(&ok(&db.url, &["analytics", "content", "--format", "csv"]));
    assert!(!clean.iter().any(|r| r[..2] == ["referrer", "(direct)"]));
    let records = csv_records(&ok(
        &db.url,
        &["analytics", "content", "--include-bots", "--format", "csv"],
    ));
    assert_eq!(
        records[0],
        ["dimension", "key", "session_count", "unique_users", "share"]
    );
    assert!(
        records
            .iter()
            .any(|r| r[..4] == ["landing_page", "/home", "1", "1"])
    );
    assert!(
        records
            .iter()
            .any(|r| r[..4] == ["referrer", "(direct)", "2", "1"])
    );
    assert!(
        records
            .iter()
            .any(|r| r[..4] == ["referrer", "google", "1", "1"])
    );

    let v = json(&db.url, &["analytics", "conversations"]);
    assert_eq!(v.as_array().unwrap().len(), 2);
    // ctx2 (updated 90 min ago) after ctx1 (30 min ago): one failed request
    assert_eq!(v[1]["context_id"], "ctx2");
    assert_eq!(v[1]["message_count"], 0);
    assert_eq!(v[1]["request_count"], 1);
    assert_eq!(v[1]["total_cost_microdollars"], 5000);
    assert_eq!(v[0]["context_id"], "ctx1");
    assert_eq!(v[0]["name"], "Quarterly report");
    assert_eq!(v[0]["message_count"], 2);
    assert_eq!(v[0]["request_count"], 2);
    assert_eq!(v[0]["total_tokens"], 4500);
    assert_eq!(v[0]["total_cost_microdollars"], 36000);

    let v = json(&db.url, &["analytics", "agents"]);
    let researcher = v
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent_name"] == "researcher")
        .unwrap();
    assert_eq!(researcher["task_count"], 1);
    assert_eq!(researcher["completed_count"], 1);
    assert_eq!(researcher["success_rate"].as_f64(), Some(1.0));
    assert_eq!(researcher["avg_execution_time_ms"], 5000);
    assert_eq!(researcher["request_count"], 2);
    assert_eq!(researcher["total_cost_microdollars"], 36000);

    let v = json(&db.url, &["analytics", "tools"]);
    let mut names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tool_name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["get_secret", "web_search"]);
    let secret = v
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tool_name"] == "get_secret")
        .unwrap();
    assert_eq!(secret["failure_count"], 1);
    assert_eq!(secret["avg_time_ms"], 6000);

    let v = json(&db.url, &["analytics", "users"]);
    assert_eq!(v[0]["user_id"], "u1");
    assert_eq!(v[0]["total_cost_microdollars"], 36000);
}

async fn trace_timeline_json_table_and_csv(shape: Shape) {
    let db = fixture_db(shape).await;
    let v = json(&db.url, &["trace", "trace-alpha"]);
    assert_eq!(v["trace_id"], "trace-alpha");
    let kinds: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "ai_request",
            "step",
            "mcp_execution",
            "log",
            "ai_request",
            "log"
        ]
    );
    assert_eq!(v["events"][0]["id"], "req-3f2a91-0001");
    assert_eq!(v["ai_summary"]["request_count"], 2);
    assert_eq!(v["ai_summary"]["total_tokens"], 4500);
    assert_eq!(v["ai_summary"]["total_cost_microdollars"], 36000);
    assert_eq!(v["ai_summary"]["total_latency_ms"], 2000);
    assert_eq!(v["mcp_summary"]["execution_count"], 1);
    assert_eq!(v["mcp_summary"]["total_execution_time_ms"], 250);
    assert_eq!(v["step_summary"]["step_count"], 1);
    assert_eq!(v["step_summary"]["total_duration_ms"], 300);
    assert_eq!(v["task"]["task_id"], "task-alpha");

    let out = tracetop(
        &["trace", "trace-alpha"],
        &[("DATABASE_URL", &db.url), ("COLUMNS", "60")],
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines() {
        assert!(unicode_width(line) <= 60, "{line:?}");
    }
    assert!(text.contains("$0.04"), "{text}");
    assert!(text.contains("TIME") && text.contains("KIND"), "{text}");

    let records = csv_records(&ok(&db.url, &["trace", "trace-alpha", "--format", "csv"]));
    assert_eq!(
        records[0],
        [
            "at",
            "kind",
            "what",
            "duration_ms",
            "total_tokens",
            "cost_microdollars",
            "status",
            "id"
        ]
    );
    assert_eq!(records.len(), 7);
    assert_eq!(
        records[1][1..],
        [
            "ai_request",
            "anthropic/claude-sonnet-4",
            "800",
            "1500",
            "12000",
            "completed",
            "req-3f2a91-0001"
        ]
    );
    assert_eq!(
        records[3][1..],
        [
            "mcp_execution",
            "search-srv/web_search",
            "250",
            "",
            "",
            "success",
            "mcp-1"
        ]
    );
}

fn unicode_width(s: &str) -> usize {
    tracetop::sanitize::display_width(s)
}

async fn traces_tools_and_logs_filters(shape: Shape) {
    let db = fixture_db(shape).await;
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| t["trace_id"].as_str().unwrap().to_string())
            .collect()
    };
    let v = json(&db.url, &["traces"]);
    assert_eq!(ids(&v), ["trace-beta", "trace-alpha", "trace-old"]);
    assert_eq!(
        ids(&json(&db.url, &["traces", "--agent", "researcher"])),
        ["trace-alpha"]
    );
    assert_eq!(ids(&json(&db.url, &["traces", "--no-mcp"])), ["trace-old"]);
    assert_eq!(
        ids(&json(&db.url, &["traces", "--has-mcp", "--since", "24h"])),
        ["trace-beta", "trace-alpha"]
    );
    assert_eq!(
        ids(&json(&db.url, &["traces", "--tool", "get_secret"])),
        ["trace-beta"]
    );
    assert_eq!(
        ids(&json(&db.url, &["traces", "--status", "failed"])),
        ["trace-beta"]
    );
    let alpha = &json(&db.url, &["traces", "--agent", "researcher"])[0];
    assert_eq!(alpha["request_count"], 2);
    assert_eq!(alpha["total_cost_microdollars"], 36000);
    assert_eq!(alpha["mcp_count"], 1);
    assert_eq!(alpha["status"], "completed");

    let v = json(&db.url, &["tools", "--status", "failed"]);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["mcp_execution_id"], "mcp-2");
    assert_eq!(v[0]["error_message"], "denied");
    let v = json(&db.url, &["tools", "--server", "search-srv"]);
    assert_eq!(v[0]["mcp_execution_id"], "mcp-1");

    // `%` and `_` are literal: without escaping, "%_" would match every line.
    let v = json(&db.url, &["logs", "search", "TIMEOUT 50%_"]);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["id"], "log-1");
    let v = json(&db.url, &["logs", "search", "%_"]);
    assert_eq!(v.as_array().unwrap().len(), 1);
    let v = json(&db.url, &["logs", "search", "", "--module", "gateway"]);
    assert_eq!(v.as_array().unwrap().len(), 2);
    let v = json(&db.url, &["logs", "search", "", "--level", "warn"]);
    assert_eq!(v[0]["id"], "log-3");

    let v = json(&db.url, &["logs", "summary"]);
    assert_eq!(v["total"], 3);
    assert_eq!(
        v["by_level"],
        serde_json::json!([{"level": "ERROR", "count": 1}, {"level": "WARN", "count": 1}, {"level": "INFO", "count": 1}])
    );
    assert_eq!(
        v["top_modules"],
        serde_json::json!([{"module": "gateway", "count": 2}, {"module": "billing", "count": 1}])
    );
    let records = csv_records(&ok(&db.url, &["logs", "summary", "--format", "csv"]));
    assert_eq!(
        records,
        vec![
            vec!["dimension", "key", "count"],
            vec!["total", "", "3"],
            vec!["level", "ERROR", "1"],
            vec!["level", "WARN", "1"],
            vec!["level", "INFO", "1"],
            vec!["module", "gateway", "2"],
            vec!["module", "billing", "1"],
        ]
    );
    // the summary counts what the filters match: gateway lines (log-1 ERROR,
    // log-2 INFO); warn and worse (log-1, log-3); a text in log-1 only
    let v = json(&db.url, &["logs", "summary", "--module", "gateway"]);
    assert_eq!(
        (&v["total"], &v["by_level"]),
        (
            &2.into(),
            &serde_json::json!([{"level": "ERROR", "count": 1}, {"level": "INFO", "count": 1}])
        )
    );
    let v = json(&db.url, &["logs", "summary", "--level", "error,warn"]);
    assert_eq!(
        v["top_modules"],
        serde_json::json!([{"module": "billing", "count": 1}, {"module": "gateway", "count": 1}])
    );
    let v = json(&db.url, &["logs", "summary", "--grep", "50%_"]);
    assert_eq!((&v["total"], &v["first_at"]), (&1.into(), &v["last_at"]));
    let v = json(&db.url, &["logs", "summary", "--trace", "trace-none"]);
    assert_eq!(
        (&v["total"], &v["by_level"]),
        (&0.into(), &serde_json::json!([]))
    );
}

async fn audit_resolves_prefixes_and_refuses_to_guess(shape: Shape) {
    let db = fixture_db(shape).await;
    let v = json(&db.url, &["audit", "req-3f2a91-0001"]);
    assert_eq!(v["resolution"], "found");
    assert_eq!(v["matched_kind"], "request");
    assert_eq!(v["matched_id"], "req-3f2a91-0001");
    assert_eq!(v["trace_id"], "trace-alpha");
    assert_eq!(v["task_id"], "task-alpha");
    assert_eq!(v["request_ids"], serde_json::json!(["req-3f2a91-0001"]));
    let request = &v["requests"][0];
    assert_eq!(request["messages"].as_array().unwrap().len(), 2);
    assert_eq!(request["tool_calls"][0]["tool_name"], "web_search");
    assert_eq!(request["mcp_executions"][0]["mcp_execution_id"], "mcp-1");
    // JSON keeps the data exact: the escape survives, escaped.
    assert_eq!(
        request["messages"][0]["content"],
        "What is 2+2? \u{1b}[31mred\u{1b}[0m"
    );

    let out = tracetop(
        &["audit", "req-3f2a91-0001"],
        &[("DATABASE_URL", &db.url), ("COLUMNS", "70")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out.stdout.contains(&0x1b),
        "escape byte reached the terminal"
    );
    assert!(!out.stdout.contains(&0x07), "BEL reached the terminal");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("What is 2+2? red"), "{text}");
    assert!(text.contains("It is 4. Done."), "{text}");
    for line in text.lines() {
        assert!(unicode_width(line) <= 70, "{line:?}");
    }

    let v = json(&db.url, &["audit", "trace-al"]);
    assert_eq!(v["matched_kind"], "trace");
    assert_eq!(
        v["request_ids"],
        serde_json::json!(["req-3f2a91-0001", "req-3f2a91-0002"])
    );

    let records = csv_records(&ok(&db.url, &["audit", "req-77b0", "--format", "csv"]));
    assert_eq!(
        records[0][..5],
        [
            "matched_kind",
            "matched_id",
            "trace_id",
            "task_id",
            "request_id"
        ]
    );
    assert_eq!(
        records[1][..5],
        [
            "request",
            "req-77b0-0003",
            "trace-beta",
            "task-beta",
            "req-77b0-0003"
        ]
    );

    // Ambiguous: candidates on stdout, one line and a non-zero exit.
    let out = tracetop(
        &["audit", "req-3f2a91", "--format", "json"],
        &[("DATABASE_URL", &db.url)],
    );
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["resolution"], "ambiguous");
    let mut ids: Vec<&str> = v["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["req-3f2a91-0001", "req-3f2a91-0002"]);
    let line = stderr_line(&out);
    assert!(
        line.contains("ambiguous") && line.contains("give more characters"),
        "{line}"
    );

    // `%` is literal in a prefix.
    let out = tracetop(&["audit", "req-%"], &[("DATABASE_URL", &db.url)]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stderr_line(&out).contains("no request, task or trace id starts with"));
}

async fn unknown_ids_and_bad_inputs_give_one_clear_line(shape: Shape) {
    let db = fixture_db(shape).await;
    let out = tracetop(&["trace", "no-such-trace"], &[("DATABASE_URL", &db.url)]);
    assert_eq!(out.status.code(), Some(3));
    let line = stderr_line(&out);
    assert!(
        line.starts_with("tracetop: no trace with id \"no-such-trace\""),
        "{line}"
    );
    assert!(out.stdout.is_empty());

    let out = tracetop(
        &["analytics", "costs", "--since", "5x"],
        &[("DATABASE_URL", &db.url)],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_line(&out).starts_with("tracetop: --since \"5x\" is not a time: use a duration")
    );
    assert!(out.stdout.is_empty());

    let out = tracetop(
        &["analytics", "overview", "--format", "xml"],
        &[("DATABASE_URL", &db.url)],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr_line(&out),
        "tracetop: unknown --format \"xml\": use table, json or csv"
    );

    let out = tracetop(&["analytics", "overview"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr_line(&out),
        "tracetop: no database given: pass --database-url postgres://user:password@host/db or set DATABASE_URL"
    );

    let out = tracetop(&["audit", "abc"], &[("DATABASE_URL", &db.url)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_line(&out).contains("too short"));

    let empty = support::empty_db().await;
    let out = tracetop(&["analytics", "overview"], &[("DATABASE_URL", &empty.url)]);
    assert_ne!(out.status.code(), Some(0));
    let overview_line = stderr_line(&out);
    assert!(overview_line.contains("tracetop migrate"));
    // audit's direct connection checks the schema as every command does:
    // the same line, naming every missing table, and the same exit code
    let audit = tracetop(&["audit", "abcd"], &[("DATABASE_URL", &empty.url)]);
    assert_eq!(audit.status.code(), out.status.code());
    assert_eq!(stderr_line(&audit), overview_line);
    assert!(overview_line.contains("ai_requests"), "{overview_line}");
}

#[test]
fn bad_urls_never_show_the_password() {
    let out = tracetop(
        &[
            "analytics",
            "overview",
            "--database-url",
            "mysql://ro:hunter2secret@db/prod",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let line = stderr_line(&out);
    assert!(line.contains("invalid database URL"), "{line}");
    assert!(!line.contains("hunter2secret"), "{line}");

    // Nothing listens on port 1: the connection fails, the password stays hidden.
    let out = tracetop(
        &["traces"],
        &[(
            "DATABASE_URL",
            "postgres://ro:hunter2secret@127.0.0.1:1/prod",
        )],
    );
    assert_eq!(out.status.code(), Some(1));
    let line = stderr_line(&out);
    assert!(line.contains("127.0.0.1:1"), "{line}");
    assert!(!line.contains("hunter2secret"), "{line}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hunter2secret"));

    let out = tracetop(
        &["analytics", "overview", "--help"],
        &[("DATABASE_URL", "postgres://ro:hunter2secret@h/db")],
    );
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hunter2secret"));
}

#[test]
fn an_unreachable_remote_fails_in_one_line() {
    let out = tracetop(
        &[
            "analytics",
            "overview",
            "--remote",
            "http://127.0.0.1:1/api/v1/stream",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr_line(&out),
        "tracetop: cannot reach http://127.0.0.1:1: Connection refused (os error 111); is `tracetop serve` running there?"
    );
    let out = tracetop(&["traces", "--remote", "ftp://ops.example"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr_line(&out),
        "tracetop: invalid remote URL ftp://ops.example: use http:// or https://"
    );
}

fn assert_quiet_on_closed_pipe(args: &[&str], env: &[(&str, &str)]) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tracetop"));
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn tracetop");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn a_closed_pipe_ends_quietly(shape: Shape) {
    assert_quiet_on_closed_pipe(&["completions", "bash"], &[]);
    let db = fixture_db(shape).await;
    for args in [
        vec!["analytics", "overview"],
        vec!["analytics", "traffic", "--format", "csv"],
        vec!["trace", "trace-alpha", "--format", "json"],
        vec!["audit", "req-3f2a91-0001"],
    ] {
        assert_quiet_on_closed_pipe(&args, &[("DATABASE_URL", &db.url)]);
    }
}

async fn tables_fit_the_width(shape: Shape) {
    let db = fixture_db(shape).await;
    for width in ["40", "80"] {
        for args in [
            vec!["analytics", "costs", "--by", "model"],
            vec!["analytics", "requests"],
            vec!["traces"],
            vec!["logs", "search", "o"],
            vec!["tools"],
        ] {
            let out = tracetop(&args, &[("DATABASE_URL", &db.url), ("COLUMNS", width)]);
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8(out.stdout).unwrap();
            let max: usize = width.parse().unwrap();
            for line in text.lines() {
                assert!(unicode_width(line) <= max, "{args:?} at {width}: {line:?}");
            }
        }
    }
    let text = ok(&db.url, &["analytics", "costs", "--by", "model"]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Costs by model · "), "{text}");
    assert!(lines[0].ends_with(" UTC"), "{text}");
    assert!(lines[1].starts_with("MODEL"), "{text}");
    assert!(
        lines[2].starts_with("claude-sonnet-4") && lines[2].contains("$0.04"),
        "{text}"
    );
}

#[test]
fn completions_cover_the_command_tree() {
    let out = tracetop(&["completions", "bash"], &[]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for word in ["analytics", "costs", "traces", "audit", "--by", "--since"] {
        assert!(text.contains(word), "{word}");
    }
}

async fn audit_export_reads_the_recorded_verdicts(shape: Shape) {
    let db = support::fresh_db_shaped(shape).await;
    db.exec(
        "INSERT INTO tracetop_reviews (target_kind, target_id, verdict, note, reviewer, created_at) VALUES
         ('request', 'req-1', 'ok', NULL, 'ann', now() - interval '2 hours'),
         ('trace', 'trace-9', 'flag', E'odd tool use, see \"vault\"\\nfollow up', 'bob', now() - interval '1 hour')",
    )
    .await;
    let text = ok(&db.url, &["audit", "export", "--format", "csv"]);
    let records = csv_records(&text);
    assert_eq!(
        records[0],
        [
            "id",
            "created_at",
            "target_kind",
            "target_id",
            "verdict",
            "reviewer",
            "note"
        ]
    );
    assert_eq!(records.len(), 3);
    assert_eq!(
        records[1][2..],
        [
            "trace",
            "trace-9",
            "flag",
            "bob",
            "odd tool use, see \"vault\"\nfollow up"
        ]
    );
    assert_eq!(records[2][2..], ["request", "req-1", "ok", "ann", ""]);
    assert!(
        text.contains("\"odd tool use, see \"\"vault\"\"\nfollow up\""),
        "{text}"
    );

    let v = json(&db.url, &["audit", "export", "--target-kind", "request"]);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["target_id"], "req-1");
    assert_eq!(v[0]["verdict"], "ok");
    assert_eq!(v[0]["note"], Value::Null);

    // a window on when the verdict was given (the fixture's are 1 h and 2 h
    // old): the last 90 minutes hold the newer, three hours both, a window
    // that ended in 2000 none
    let all = json(&db.url, &["audit", "export"]);
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");
    assert_eq!(json(&db.url, &["audit", "export", "--since", "3h"]), all);
    let recent = json(&db.url, &["audit", "export", "--since", "90m"]);
    assert_eq!(recent, serde_json::json!([all[0].clone()]));
    assert_eq!(all[0]["target_id"], "trace-9");
    let none = json(&db.url, &["audit", "export", "--until", "2000-01-01"]);
    assert_eq!(none, serde_json::json!([]));
}

/// Sources that cannot be opened: one line naming the input and what to
/// do, a non-zero exit, the console never started, no secret echoed.
#[test]
fn console_sources_that_cannot_open_fail_in_one_line() {
    let refused = tracetop(&["--remote", "http://127.0.0.1:1/"], &[]);
    assert_eq!(refused.status.code(), Some(1));
    let line = stderr_line(&refused);
    assert!(line.contains("cannot reach http://127.0.0.1:1"), "{line}");
    assert!(line.contains("Connection refused"), "{line}");

    let missing = tracetop(&["--replay", "/nonexistent/incident.jsonl"], &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr_line(&missing).contains("replay file /nonexistent/incident.jsonl not found"),
        "{}",
        stderr_line(&missing)
    );

    let db = tracetop(
        &["--database-url", "postgres://ops:hunter2@127.0.0.1:1/prod"],
        &[],
    );
    assert_eq!(db.status.code(), Some(1));
    let line = stderr_line(&db);
    assert!(
        line.contains("cannot connect to postgres://ops:***@127.0.0.1:1/prod"),
        "{line}"
    );
    assert!(!line.contains("hunter2"), "{line}");

    // no flag, no DATABASE_URL, no config file
    let none = tracetop(&[], &[("XDG_CONFIG_HOME", "/nonexistent/tracetop-test")]);
    assert_eq!(none.status.code(), Some(2));
    assert!(
        stderr_line(&none).contains("no source"),
        "{}",
        stderr_line(&none)
    );
}

/// `--database-url` before the subcommand wins over DATABASE_URL (which
/// names a database without rows) on every reporting command; one the
/// subcommand cannot use is refused in one line.
async fn database_url_before_the_subcommand_is_honoured(shape: Shape) {
    let with_rows = fixture_db(shape).await;
    let without_rows = support::fresh_db_shaped(shape).await;
    let wrong = [("DATABASE_URL", without_rows.url.as_str())];
    let before = |args: &[&str]| -> Value {
        let mut all = vec!["--database-url", with_rows.url.as_str()];
        all.extend(args);
        all.extend(["--format", "json"]);
        let out = tracetop(&all, &wrong);
        assert!(
            out.status.success(),
            "{all:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    assert_eq!(before(&["traces"]).as_array().unwrap().len(), 3);
    assert_eq!(
        before(&["analytics", "costs", "--since", "30d"])["summary"]["request_count"],
        4
    );
    assert_eq!(before(&["analytics", "users"]).as_array().unwrap().len(), 2);
    assert_eq!(before(&["audit", "req-3f2a91-0001"])["resolution"], "found");
    assert_eq!(before(&["trace", "trace-alpha"])["trace_id"], "trace-alpha");
    assert_eq!(before(&["tools"]).as_array().unwrap().len(), 2);
    assert_eq!(
        before(&["logs", "search", "quota"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(before(&["logs", "summary"])["total"], 3);
    // the same flag between two subcommand levels reaches the leaf too
    let out = tracetop(
        &[
            "analytics",
            "--database-url",
            &with_rows.url,
            "users",
            "--format",
            "json",
        ],
        &wrong,
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v.as_array().unwrap().len(), 2);
    // and the other way round: the empty database named before the
    // subcommand beats a DATABASE_URL that has rows
    let out = tracetop(
        &[
            "--database-url",
            &without_rows.url,
            "traces",
            "--format",
            "json",
        ],
        &[("DATABASE_URL", with_rows.url.as_str())],
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");

    let out = tracetop(&["--database-url", &with_rows.url, "demo"], &wrong);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr_line(&out),
        "tracetop: --database-url is not used by `tracetop demo`: leave it out"
    );
    let out = tracetop(
        &[
            "--database-url",
            &with_rows.url,
            "traces",
            "--database-url",
            &without_rows.url,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr_line(&out),
        "tracetop: --database-url is given more than once: give it once, before or after `traces`"
    );
    // --remote before the subcommand is used (here: refused as no http URL)
    let out = tracetop(&["--remote", "ftp://ops.example", "traces"], &wrong);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr_line(&out),
        "tracetop: invalid remote URL ftp://ops.example: use http:// or https://"
    );
}
/// Every report command in every format it offers succeeds and prints
/// something, whatever the shape of the database.
async fn every_command_in_every_format(shape: Shape) {
    let db = fixture_db(shape).await;
    let commands: &[&[&str]] = &[
        &["analytics", "overview"],
        &["analytics", "conversations"],
        &["analytics", "agents"],
        &["analytics", "users"],
        &["analytics", "tools"],
        &["analytics", "requests"],
        &["analytics", "sessions"],
        &["analytics", "content"],
        &["analytics", "traffic"],
        &["analytics", "costs"],
        &["analytics", "costs", "--by", "model"],
        &["analytics", "costs", "--by", "provider"],
        &["analytics", "costs", "--by", "agent"],
        &["analytics", "costs", "--trend", "hour"],
        &["analytics", "costs", "--trend", "day"],
        &["trace", "trace-alpha"],
        &["traces"],
        &["audit", "req-3f2a91-0001"],
        &["audit", "task-alpha"],
        &["audit", "trace-beta"],
        &["audit", "export"],
        &["logs", "search", "o"],
        &["logs", "summary"],
        &["tools"],
    ];
    for args in commands {
        for format in ["table", "json", "csv"] {
            let mut all = args.to_vec();
            all.extend(["--format", format]);
            let out = ok(&db.url, &all);
            assert!(
                !out.trim().is_empty() || args[0] == "audit",
                "{all:?} printed nothing"
            );
            if format == "json" {
                serde_json::from_str::<Value>(&out)
                    .unwrap_or_else(|e| panic!("{all:?}: bad JSON: {e}\n{out}"));
            }
        }
    }
    // anomalies replays the window's requests, sessions and MCP executions
    for format in ["table", "json"] {
        let out = ok(
            &db.url,
            &["anomalies", "--since", "24h", "--format", format],
        );
        if format == "json" {
            serde_json::from_str::<Value>(&out)
                .unwrap_or_else(|e| panic!("anomalies: bad JSON: {e}\n{out}"));
        }
    }
}

both_shapes!(
    every_command_in_every_format,
    costs_by_model_json_and_csv,
    costs_summary_provider_agent_and_trend,
    overview_requests_sessions_traffic_content_conversations_agents,
    trace_timeline_json_table_and_csv,
    traces_tools_and_logs_filters,
    audit_resolves_prefixes_and_refuses_to_guess,
    unknown_ids_and_bad_inputs_give_one_clear_line,
    a_closed_pipe_ends_quietly,
    tables_fit_the_width,
    audit_export_reads_the_recorded_verdicts,
    database_url_before_the_subcommand_is_honoured,
);

/// Time travel's flags: bad input is one line naming the flag, exit 2,
/// before anything is opened (the unreachable database is never dialled).
#[test]
fn time_travel_flags_say_what_is_wrong() {
    let nowhere = "postgres://nobody@127.0.0.1:1/nothing";
    let out = tracetop(&["--database-url", nowhere, "--at", "tuesday"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_line(&out).starts_with("tracetop: --at \"tuesday\" is not a time: use a duration"),
        "{}",
        stderr_line(&out)
    );
    let out = tracetop(
        &[
            "--database-url",
            nowhere,
            "--at",
            "2026-11-24T03:00",
            "--window",
            "0s",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_line(&out).contains("--window"),
        "{}",
        stderr_line(&out)
    );
    let out = tracetop(
        &["--database-url", nowhere, "--at", "2h", "--speed=-1"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_line(&out).contains("invalid --speed -1"),
        "{}",
        stderr_line(&out)
    );
    let out = tracetop(
        &[
            "record",
            "--database-url",
            nowhere,
            "--since",
            "2h",
            "--until",
            "3h",
            "--out",
            "/tmp/x.jsonl",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_line(&out).contains("the window must end after it starts"),
        "{}",
        stderr_line(&out)
    );
}
