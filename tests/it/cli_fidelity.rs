//! The binary on a small gateway-shaped fixture, on both shapes: cache
//! tokens and the synthetic count in `analytics costs`, a routed fallback
//! in `analytics requests`, `trace` and `audit` (requested → served, the
//! actor), and a delegation chain printed as one.
//!
//! Fixture (relative to the database's `now()`): user u1; context ctx-f;
//! tasks task-parent (planner, completed) and task-child (researcher,
//! completed, a minute later) under trace-chain; AI requests req-routed
//! (asked gpt-4o, served gpt-4o-mini, a job's, 1000 input tokens of which
//! 600 read from the cache and 200 written, 3000 µ$), req-plain (gpt-4o,
//! 500 input, 1001 µ$) and req-synthetic (a probe, 5000 µ$, 100 cache
//! read); MCP execution mcp-f (failed) in trace-chain.

use crate::support;

use support::Shape;

use serde_json::Value;
use std::process::{Command, Stdio};

const FIXTURE: &str = r#"
INSERT INTO users (id, name, email) VALUES ('u1', 'Ada', 'ada@example.test');
INSERT INTO user_contexts (context_id, user_id, name, created_at, updated_at)
VALUES ('ctx-f', 'u1', 'Fidelity', now() - interval '1 hour', now() - interval '1 hour');
INSERT INTO agent_tasks (task_id, context_id, status, user_id, trace_id, agent_name, started_at,
    execution_time_ms, created_at, updated_at)
VALUES
 ('task-parent', 'ctx-f', 'TASK_STATE_COMPLETED', 'u1', 'trace-chain', 'planner', now() - interval '50 minutes',
  1000, now() - interval '50 minutes', now() - interval '50 minutes'),
 ('task-child', 'ctx-f', 'TASK_STATE_COMPLETED', 'u1', 'trace-chain', 'researcher', now() - interval '49 minutes',
  400, now() - interval '49 minutes', now() - interval '49 minutes');
INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, started_at, input, status, user_id,
    trace_id, created_at)
VALUES ('mcp-f', 'search', 'web', now() - interval '48 minutes', '{}', 'failed', 'u1', 'trace-chain',
    now() - interval '48 minutes');
INSERT INTO ai_requests (id, request_id, user_id, task_id, context_id, trace_id, provider, model, requested_model,
    input_tokens, output_tokens, tokens_used, cost_microdollars, latency_ms, status, cache_read_tokens,
    cache_creation_tokens, actor_kind, actor_id, synthetic, created_at, updated_at)
VALUES
 ('req-routed', 'q-routed', 'u1', 'task-parent', 'ctx-f', 'trace-chain', 'openai', 'gpt-4o-mini', 'gpt-4o',
  1000, 100, 1100, 3000, 900, 'completed', 600, 200, 'job', 'nightly-digest', false,
  now() - interval '48 minutes', now() - interval '48 minutes'),
 ('req-plain', 'q-plain', 'u1', NULL, 'ctx-f', NULL, 'openai', 'gpt-4o', 'gpt-4o',
  500, 50, 550, 1001, 100, 'completed', 0, 0, 'user', 'u1', false,
  now() - interval '40 minutes', now() - interval '40 minutes'),
 ('req-synthetic', 'q-synthetic', 'u1', NULL, 'ctx-f', NULL, 'openai', 'gpt-4o', 'gpt-4o',
  200, 20, 220, 5000, 50, 'completed', 100, 0, 'job', 'probe', true,
  now() - interval '30 minutes', now() - interval '30 minutes');
"#;

fn run(url: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .args(args)
        .env("DATABASE_URL", url)
        .env_remove("COLUMNS")
        .env_remove("TRACETOP_TOKEN")
        .stdin(Stdio::null())
        .output()
        .expect("run tracetop");
    assert!(
        out.status.success(),
        "tracetop {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn json(url: &str, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let text = run(url, &all);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON from {args:?}: {e}\n{text}"))
}

async fn fixture_db(shape: Shape) -> support::TestDb {
    let db = support::fresh_db_shaped(shape).await;
    db.exec(FIXTURE).await;
    db
}

async fn costs_show_cache_tokens_and_leave_synthetic_out(shape: Shape) {
    let db = fixture_db(shape).await;
    let v = json(&db.url, &["analytics", "costs"]);
    let s = &v["summary"];
    assert_eq!(s["request_count"], 2);
    assert_eq!(s["total_cost_microdollars"], 4001);
    assert_eq!(s["avg_cost_per_request_microdollars"], 2001); // 2000.5 rounded
    assert_eq!(s["cache_read_tokens"], 600);
    assert_eq!(s["cache_creation_tokens"], 200);
    assert_eq!(s["cached_input_share"].as_f64(), Some(600.0 / 1500.0));
    assert_eq!(s["synthetic_requests_excluded"], 1);
    let table = run(&db.url, &["analytics", "costs"]);
    assert!(
        table.contains("1 synthetic requests left out; --include-synthetic counts them"),
        "{table}"
    );
    let v = json(&db.url, &["analytics", "costs", "--include-synthetic"]);
    assert_eq!(v["summary"]["request_count"], 3);
    assert_eq!(v["summary"]["total_cost_microdollars"], 9001);
    assert_eq!(v["summary"]["synthetic_requests_excluded"], 0);
    let table = run(&db.url, &["analytics", "costs", "--include-synthetic"]);
    assert!(!table.contains("synthetic requests left out"), "{table}");

    let v = json(&db.url, &["analytics", "costs", "--by", "model"]);
    let rows: Vec<(String, i64, i64)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["model"].as_str().unwrap().to_string(),
                r["request_count"].as_i64().unwrap(),
                r["cache_read_tokens"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("gpt-4o-mini".to_string(), 1, 600),
            ("gpt-4o".to_string(), 1, 0)
        ]
    );
    let table = run(&db.url, &["analytics", "costs", "--by", "model"]);
    assert!(table.contains("1 synthetic requests left out"), "{table}");

    let v = json(&db.url, &["analytics", "requests"]);
    assert_eq!(v["request_count"], 3);
    assert_eq!(v["rerouted_request_count"], 1);
    assert_eq!(v["cache_read_tokens"], 700);
    assert_eq!(v["cached_input_share"].as_f64(), Some(700.0 / 1700.0));
    let table = run(&db.url, &["analytics", "requests"]);
    assert!(table.contains("served by another model"), "{table}");
}

async fn trace_prints_the_chain_the_fallback_and_the_actor(shape: Shape) {
    let db = fixture_db(shape).await;
    let v = json(&db.url, &["trace", "trace-chain"]);
    let tasks: Vec<&str> = v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["task_id"].as_str().unwrap())
        .collect();
    assert_eq!(tasks, ["task-parent", "task-child"]);
    assert_eq!(v["task"]["task_id"], "task-parent");
    let table = run(&db.url, &["trace", "trace-chain"]);
    assert!(table.contains("Delegation (2 tasks)"), "{table}");
    let parent = table.find("planner").expect("the parent");
    let child = table.find("└─ researcher").expect("the sub-agent, nested");
    assert!(parent < child, "parent first:\n{table}");
    assert!(
        table.contains("openai/gpt-4o → gpt-4o-mini by job nightly-digest"),
        "{table}"
    );
    // the task completed, but its tool call failed: the trace failed
    assert!(table.contains("failed"), "{table}");

    let traces = json(&db.url, &["traces", "--since", "2h"]);
    let chain = traces
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["trace_id"] == "trace-chain")
        .expect("listed");
    assert_eq!(chain["status"], "failed");
    assert_eq!(chain["task_status"], "completed");
    let csv = run(&db.url, &["traces", "--since", "2h", "--format", "csv"]);
    let header = csv.lines().next().unwrap_or_default();
    assert!(header.ends_with(",task_status"), "{header}");
    let row = csv
        .lines()
        .find(|l| l.contains("trace-chain"))
        .expect("the chain's row");
    assert!(
        row.contains(",failed,") && row.ends_with(",completed"),
        "{row}"
    );

    let audit = run(&db.url, &["audit", "req-routed"]);
    assert!(audit.contains("openai/gpt-4o → gpt-4o-mini"), "{audit}");
    assert!(audit.contains("job nightly-digest"), "{audit}");
    assert!(audit.contains("read 600, written 200"), "{audit}");
    let audit = run(&db.url, &["audit", "req-synthetic"]);
    assert!(audit.contains("synthetic"), "{audit}");
}

both_shapes!(
    costs_show_cache_tokens_and_leave_synthetic_out,
    trace_prints_the_chain_the_fallback_and_the_actor,
);
