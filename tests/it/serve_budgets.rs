//! Budget alerts through the real `tracetop serve` on 127.0.0.1: the
//! server evaluates the config's `[[budget]]` entries against its database
//! and streams `budget_exceeded` anomaly events; an all-users token gets
//! every budget, a token scoped to alice only the user budgets whose match
//! takes "alice" (exact, or a glob), never bob's, the platform's or an
//! agent's. The server's query API gives a remote console the same burn
//! rate and budget states as the database.

use crate::support;

use std::collections::BTreeSet;
use std::time::Duration;
use support::Shape;
use tokio::sync::mpsc;
use tracetop::model::*;
use tracetop::source::sse_client::ClientConfig;
use tracetop::source::{SourceSpec, spawn_source};

const ALL: &str = "all-users-token-0123456789";
const ALICE: &str = "alice-only-token-0123456789";

const BUDGETS: &str = r#"
[[budget]]
name = "alice-daily"
scope = "user"
match = "alice"
period = "day"
limit_usd = 1

[[budget]]
name = "a-team"
scope = "user"
match = "a*"
period = "week"
limit_usd = 1

[[budget]]
name = "alice-by-name"
scope = "user"
match = "ALICE LIDDELL"
period = "day"
limit_usd = 1

[[budget]]
name = "bob-daily"
scope = "user"
match = "bob"
period = "day"
limit_usd = 1

[[budget]]
name = "platform"
scope = "platform"
period = "month"
limit_usd = 2

[[budget]]
name = "writer"
scope = "agent"
match = "*"
period = "day"
limit_usd = 1000
"#;

fn client(url: &str, token: &str) -> ClientConfig {
    let mut c = ClientConfig::new(url, Some(token.to_string()));
    c.heartbeat = Duration::from_secs(1);
    c.initial_backoff = Duration::from_millis(50);
    c.max_backoff = Duration::from_millis(300);
    c
}

/// Budget anomaly ids (`budget:NAME`) seen, and whether `sentinel` (a log
/// id) has arrived.
fn take(events: Vec<Event>, budgets: &mut BTreeSet<String>, logs: &mut BTreeSet<String>) {
    for e in events {
        match e {
            Event::AnomalyRaised { anomaly } | Event::AnomalyEscalated { anomaly }
                if anomaly.id.starts_with("budget:") =>
            {
                assert_eq!(anomaly.rule, "budget_exceeded", "{anomaly:?}");
                assert!(anomaly.budget.is_some(), "{anomaly:?}");
                budgets.insert(anomaly.id);
            }
            Event::Log { log } => {
                logs.insert(log.id.0);
            }
            _ => {}
        }
    }
}

async fn until(
    rx: &mut mpsc::Receiver<SourceUpdate>,
    budgets: &mut BTreeSet<String>,
    logs: &mut BTreeSet<String>,
    done: impl Fn(&BTreeSet<String>, &BTreeSet<String>) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !done(budgets, logs) {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(SourceUpdate::Events(events))) => take(events, budgets, logs),
            Ok(Some(_)) => {}
            Ok(None) => panic!("source ended; budgets {budgets:?}"),
            Err(_) => panic!("timed out; budgets {budgets:?}, logs {logs:?}"),
        }
    }
}

async fn budget_alerts_stream_to_remote_consoles_scoped_by_user(shape: Shape) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = support::fresh_db_shaped(shape).await;
    // alice is known by name: a budget matching it (in another case) is hers
    db.exec(
        "INSERT INTO users (id, name, email) VALUES
           ('alice', 'Alice Liddell', 'alice@example.test'), ('bob', 'Bob', 'bob@example.test')",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, format!("{ALL}\n{ALICE} user:alice\n")).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, BUDGETS).unwrap();
    let config = config.to_str().expect("a UTF-8 temp path");
    let serve = support::serve::ServeProcess::start(
        &db.url,
        &tokens,
        &[
            "--config",
            config,
            "--heartbeat",
            "1s",
            "--interval",
            "100ms",
            "--budget-interval",
            "200ms",
        ],
    )
    .await;
    let url = serve.stream_url();
    let (all_tx, mut all_rx) = mpsc::channel(256);
    let (alice_tx, mut alice_rx) = mpsc::channel(256);
    let all_task = spawn_source(SourceSpec::Remote(client(&url, ALL)), all_tx);
    let alice_task = spawn_source(SourceSpec::Remote(client(&url, ALICE)), alice_tx);
    tokio::time::sleep(Duration::from_millis(500)).await;

    // alice and bob each spend $1.50 a minute ago: both user budgets, the
    // a* glob (alice) and the platform ($3 of $2) are over; the agent
    // budget is not (no tasks: no agent)
    db.exec(
        "INSERT INTO ai_requests (id, request_id, user_id, context_id, actor_kind, actor_id, provider, model,
                                  status, cost_microdollars, created_at, updated_at)
         SELECT u || '-r', u || '-r', u, 'ctx-' || u, 'user', u, 'openai', 'gpt-4o', 'completed', 1500000,
                now() - interval '1 minute', now() - interval '1 minute'
         FROM unnest(ARRAY['alice', 'bob']) AS u",
    )
    .await;
    let (mut all_budgets, mut all_logs) = (BTreeSet::new(), BTreeSet::new());
    until(&mut all_rx, &mut all_budgets, &mut all_logs, |b, _| {
        b.len() >= 5
    })
    .await;
    let want_all: BTreeSet<String> = [
        "budget:a-team",
        "budget:alice-by-name",
        "budget:alice-daily",
        "budget:bob-daily",
        "budget:platform",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(all_budgets, want_all);

    // a log of alice's, written after the alerts went out, marks the end of
    // what alice's stream can have received before it
    db.exec("INSERT INTO logs (id, level, module, message, user_id) VALUES ('sentinel', 'INFO', 'm', 'x', 'alice')")
        .await;
    let (mut alice_budgets, mut alice_logs) = (BTreeSet::new(), BTreeSet::new());
    until(
        &mut alice_rx,
        &mut alice_budgets,
        &mut alice_logs,
        |_, l| l.contains("sentinel"),
    )
    .await;
    let want_alice: BTreeSet<String> = [
        "budget:a-team",
        "budget:alice-by-name",
        "budget:alice-daily",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(alice_budgets, want_alice);
    all_task.abort();
    alice_task.abort();

    // a remote console asks the server's query API the same questions:
    // same burn rate and budget states as the database gives directly
    use tracetop::budget::{SpendConfig, burn_rate, evaluate};
    let remote = tracetop::sse::remote::RemoteEngine::connect(&url, Some(ALL.to_string()))
        .await
        .expect("remote engine");
    let pg = tracetop::pg::PgEngine::connect(&db.url).await.unwrap();
    let budgets = SpendConfig::from_config_toml(BUDGETS).unwrap().budgets;
    let at = chrono::Utc::now();
    for zone in [chrono_tz::Tz::UTC, chrono_tz::Asia::Tokyo] {
        assert_eq!(
            burn_rate(&remote, at, zone).await.unwrap(),
            burn_rate(&pg, at, zone).await.unwrap()
        );
    }
    let through_server = evaluate(&remote, &budgets, at).await.unwrap();
    assert_eq!(through_server, evaluate(&pg, &budgets, at).await.unwrap());
    assert_eq!(
        through_server[4].spent_microdollars,
        Microdollars(3_000_000)
    );
}

both_shapes!(budget_alerts_stream_to_remote_consoles_scoped_by_user);
