//! Every read command of the CLI, run twice on one simulated database: once
//! locally (`--database-url`) and once through `--remote` against a real
//! `tracetop serve` on 127.0.0.1, with the same fixed window and
//! `--format json`: the outputs must be equal. The command tree is walked
//! so that a new command offering `--remote` without a parity case here
//! fails the test; a read command that cannot work remotely must not offer
//! `--remote` and must refuse it in one line. Also: a user-scoped token's
//! trace list only lists (and sums) traces made of its user's rows.

use crate::support;
use support::serve::ServeProcess;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

const ALL: &str = "parity-all-users-token-0123456789";
const SCOPED: &str = "parity-user-token-0123456789abcd";
const SINCE: &str = "2026-11-19T12:00:00Z";
const UNTIL: &str = "2026-11-20T12:00:00Z";

/// Run `tracetop ARGS --format json` with `source` flags; stdout as JSON.
fn run_json(source: &[String], args: &[String]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .args(args)
        .args(source)
        .args(["--format", "json"])
        .env_remove("DATABASE_URL")
        .env_remove("TRACETOP_TOKEN")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tracetop {args:?} {source:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "tracetop {args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Every leaf command path (`analytics costs`) that takes `--remote`.
fn commands_offering_remote() -> BTreeSet<String> {
    use clap::CommandFactory;
    fn walk(cmd: &clap::Command, path: &str, into: &mut BTreeSet<String>) {
        let subs: Vec<&clap::Command> = cmd
            .get_subcommands()
            .filter(|s| s.get_name() != "help")
            .collect();
        if cmd.get_arguments().any(|a| a.get_id() == "remote") && !path.is_empty() {
            into.insert(path.to_string());
        }
        for sub in subs {
            let p = if path.is_empty() {
                sub.get_name().to_string()
            } else {
                format!("{path} {}", sub.get_name())
            };
            walk(sub, &p, into);
        }
    }
    let mut set = BTreeSet::new();
    // the unbuilt tree: globals are not yet copied into every subcommand
    walk(&tracetop::cli::Cli::command(), "", &mut set);
    set
}

async fn load_workload(db: &support::TestDb) {
    let until = chrono::DateTime::parse_from_rfc3339(UNTIL)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let cfg = tracetop::sim::SimConfig {
        seed: 14,
        users: 6,
        days: 1,
        until,
    };
    tracetop::sim::load::load_config(&db.url, &cfg, false, |_| {})
        .await
        .expect("load the simulated workload");
    db.exec(
        "INSERT INTO tracetop_reviews (target_kind, target_id, verdict, note, reviewer, created_at)
         VALUES ('trace', 'parity-trace', 'flag', 'looks odd', 'auditor', '2026-11-20T10:00:00Z'),
                ('request', 'parity-request', 'ok', NULL, 'auditor', '2026-11-20T11:00:00Z');",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_command_answers_the_same_through_serve_as_locally() {
    let db = support::fresh_db().await;
    load_workload(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, format!("{ALL}\n")).unwrap();
    let client_token = dir.path().join("client-token");
    std::fs::write(&client_token, format!("{ALL}\n")).unwrap();
    let serve = ServeProcess::start(&db.url, &tokens, &["--backfill", "1m"]).await;
    let local = strings(&["--database-url", &db.url]);
    let remote = vec![
        "--remote".to_string(),
        serve.stream_url(),
        "--token-file".to_string(),
        client_token.display().to_string(),
    ];

    let window = ["--since", SINCE, "--until", UNTIL];
    let listed = run_json(
        &local,
        &strings(&["traces", "--limit", "5"])
            .into_iter()
            .chain(strings(&window))
            .collect::<Vec<_>>(),
    );
    let rows = listed.as_array().expect("a trace list");
    assert!(!rows.is_empty(), "the workload has traces in the window");
    let trace_id = rows[0]["trace_id"].as_str().unwrap().to_string();
    let model: String = {
        let mut conn = db.writer().await;
        sqlx::query_scalar("SELECT model FROM ai_requests ORDER BY id LIMIT 1")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    };

    // (command path, arguments): every read command and its variants
    let mut cases: Vec<(&str, Vec<String>)> = Vec::new();
    let with_window = |args: &[&str]| -> Vec<String> {
        let mut v = strings(args);
        v.extend(strings(&window));
        v
    };
    for report in [
        "overview",
        "conversations",
        "agents",
        "users",
        "tools",
        "requests",
        "sessions",
        "content",
        "traffic",
        "costs",
    ] {
        let path: &'static str = Box::leak(format!("analytics {report}").into_boxed_str());
        cases.push((path, with_window(&["analytics", report])));
    }
    cases.push((
        "analytics overview",
        with_window(&["analytics", "overview", "--trend", "hour"]),
    ));
    cases.push((
        "analytics overview",
        with_window(&["analytics", "overview", "--include-bots"]),
    ));
    cases.push((
        "analytics tools",
        with_window(&["analytics", "tools", "--sort", "avg-time"]),
    ));
    cases.push((
        "analytics sessions",
        with_window(&["analytics", "sessions", "--include-bots"]),
    ));
    cases.push((
        "analytics traffic",
        with_window(&["analytics", "traffic", "--include-bots"]),
    ));
    for by in ["model", "provider", "agent"] {
        cases.push((
            "analytics costs",
            with_window(&["analytics", "costs", "--by", by]),
        ));
    }
    for trend in ["hour", "day"] {
        cases.push((
            "analytics costs",
            with_window(&["analytics", "costs", "--trend", trend]),
        ));
    }
    cases.push((
        "analytics costs",
        with_window(&["analytics", "costs", "--include-synthetic"]),
    ));
    cases.push((
        "analytics costs",
        with_window(&["analytics", "costs", "--by", "user"]),
    ));
    cases.push((
        "analytics costs",
        with_window(&["analytics", "costs", "--timezone", "Europe/Berlin"]),
    ));
    let budgets = dir.path().join("budgets.toml");
    std::fs::write(
        &budgets,
        "[[budget]]\nname = \"platform\"\nscope = \"platform\"\nperiod = \"day\"\nlimit_usd = 1\n\n\
         [[budget]]\nname = \"per-model\"\nscope = \"model\"\nmatch = \"*\"\nperiod = \"month\"\nlimit_usd = 500\n",
    )
    .unwrap();
    let budgets = budgets.display().to_string();
    cases.push((
        "budgets",
        strings(&["budgets", "--config", &budgets, "--at", UNTIL]),
    ));
    cases.push(("traces", with_window(&["traces"])));
    cases.push(("traces", with_window(&["traces", "--status", "failed"])));
    cases.push(("traces", with_window(&["traces", "--model", &model])));
    cases.push((
        "traces",
        with_window(&["traces", "--has-mcp", "--limit", "7"]),
    ));
    cases.push(("trace", strings(&["trace", &trace_id])));
    cases.push(("audit", strings(&["audit", &trace_id[..8]])));
    cases.push(("audit export", strings(&["audit", "export"])));
    cases.push((
        "audit export",
        strings(&["audit", "export", "--target-kind", "trace"]),
    ));
    cases.push(("logs search", with_window(&["logs", "search", "a"])));
    cases.push((
        "logs search",
        with_window(&["logs", "search", "", "--level", "error,warn"]),
    ));
    cases.push(("logs summary", with_window(&["logs", "summary"])));
    cases.push((
        "logs summary",
        with_window(&["logs", "summary", "--level", "error"]),
    ));
    cases.push(("tools", with_window(&["tools"])));
    cases.push(("tools", with_window(&["tools", "--status", "failed"])));

    let mut covered = BTreeSet::new();
    for (path, args) in &cases {
        covered.insert(path.to_string());
        let here = run_json(&local, args);
        let there = run_json(&remote, args);
        assert_eq!(
            here, there,
            "tracetop {args:?}: --remote answers differently from --database-url"
        );
    }
    // re-pricing reads every request of the window: local only, and the
    // remote form is refused in one line naming the way out
    let reprice = with_window(&["analytics", "costs", "--reprice"]);
    run_json(&local, &reprice);
    let refused = Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .args(&reprice)
        .args(&remote)
        .args(["--format", "json"])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--database-url"), "{stderr}");
    // live sources, not query commands: covered by the tail and serve tests
    let live = BTreeSet::from(["tail".to_string(), "record".to_string()]);
    let offered = commands_offering_remote();
    let untested: Vec<&String> = offered
        .iter()
        .filter(|p| !covered.contains(*p) && !live.contains(*p))
        .collect();
    assert!(
        untested.is_empty(),
        "these commands offer --remote but have no parity case here: {untested:?}"
    );
}

/// A read command that cannot answer through a server does not offer
/// `--remote` in its help and refuses it in one line.
#[test]
fn read_commands_without_a_remote_path_do_not_offer_it() {
    let offered = commands_offering_remote();
    let without_remote: [&str; 1] = ["anomalies"];
    for path in without_remote.iter().copied() {
        assert!(!offered.contains(path), "{path} offers --remote");
        let args: Vec<&str> = path.split(' ').collect();
        let help = Command::new(env!("CARGO_BIN_EXE_tracetop"))
            .args(&args)
            .arg("--help")
            .output()
            .unwrap();
        assert!(!String::from_utf8_lossy(&help.stdout).contains("--remote"));
        let out = Command::new(env!("CARGO_BIN_EXE_tracetop"))
            .args(["--remote", "http://127.0.0.1:9/api/v1/stream"])
            .args(&args)
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("--remote"), "{stderr}");
    }
}

/// A user-scoped token's trace list over `serve` lists only traces made
/// wholly of its user's rows, so no count or sum it shows comes from
/// another user's requests: a trace alice started but bob's request joined
/// is not listed for alice (its detail is refused too), while the local
/// all-users list shows it with both users' cost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_scoped_trace_list_counts_only_that_users_rows() {
    use tracetop::query::{QueryEngine, TraceListFilter};
    use tracetop::sse::remote::RemoteEngine;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = support::fresh_db().await;
    db.exec(
        "INSERT INTO users (id, name, email) VALUES ('alice', 'alice', 'alice@example.test'), ('bob', 'bob', 'bob@example.test');
         INSERT INTO agent_tasks (task_id, context_id, status, user_id, trace_id, agent_name, created_at, updated_at)
           VALUES ('task-mixed', 'ctx-a', 'TASK_STATE_COMPLETED', 'alice', 'trace-mixed', 'helper', now() - interval '50 minutes', now() - interval '50 minutes');
         INSERT INTO ai_requests (id, request_id, user_id, context_id, provider, model, status, trace_id, cost_microdollars,
                                  tokens_used, created_at, updated_at, completed_at, latency_ms, actor_kind, actor_id)
           VALUES ('r-own', 'req-own', 'alice', 'ctx-a', 'openai', 'gpt-4o', 'completed', 'trace-own', 1000, 10,
                   now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour', 100, 'user', 'alice'),
                  ('r-mixed-a', 'req-ma', 'alice', 'ctx-a', 'openai', 'gpt-4o', 'completed', 'trace-mixed', 500, 5,
                   now() - interval '50 minutes', now() - interval '50 minutes', now() - interval '50 minutes', 100, 'user', 'alice'),
                  ('r-mixed-b', 'req-mb', 'bob', 'ctx-b', 'openai', 'gpt-4o', 'failed', 'trace-mixed', 7000, 70,
                   now() - interval '49 minutes', now() - interval '49 minutes', now() - interval '49 minutes', 100, 'user', 'bob');",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, format!("{ALL}\n{SCOPED} user:alice\n")).unwrap();
    let serve = ServeProcess::start(&db.url, &tokens, &["--backfill", "1m"]).await;
    let local = tracetop::pg::PgEngine::connect(&db.url).await.unwrap();
    let alice = RemoteEngine::connect(&serve.stream_url(), Some(SCOPED.into()))
        .await
        .unwrap();
    let everyone = TraceListFilter {
        limit: 50,
        ..Default::default()
    };
    let all = local.traces(&everyone).await.unwrap();
    let mixed = all
        .iter()
        .find(|t| t.trace_id.as_str() == "trace-mixed")
        .expect("the mixed trace is listed for all users");
    assert_eq!(mixed.user_id.as_ref().map(|u| u.as_str()), Some("alice"));
    assert_eq!(mixed.total_cost_microdollars.0, 7500);

    let scoped = alice.traces(&everyone).await.unwrap();
    let ids: Vec<&str> = scoped.iter().map(|t| t.trace_id.as_str()).collect();
    assert_eq!(ids, ["trace-own"], "alice sees only her own trace");
    assert_eq!(scoped[0].total_cost_microdollars.0, 1000);
    assert_eq!(
        scoped[0],
        *all.iter()
            .find(|t| t.trace_id.as_str() == "trace-own")
            .unwrap()
    );
    let detail = alice
        .trace_detail(&tracetop::model::TraceId::new("trace-mixed"))
        .await;
    assert!(detail.is_err(), "the mixed trace's detail is not alice's");
}
