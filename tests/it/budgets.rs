//! Spend control through the real binary, on fixed data computed by hand:
//! the burn rate of `analytics costs` (UTC and Europe/Berlin), every
//! budget state of `tracetop budgets` (period starts on the edge, a Monday
//! week start, a leap-year February, a zone), the budget anomalies of
//! `tracetop anomalies`, and invalid budget entries refused with one line
//! and exit 2.
//!
//! Evaluated at AT = 2028-02-28T12:30:00Z (a Monday; 2028 is a leap year,
//! so the month ends 2028-03-01, 35.5 h later). Every time UTC:
//!
//! | request | created at           | µ$         | user  | model / provider          | agent      |
//! |---------|----------------------|------------|-------|---------------------------|------------|
//! | r1      | 01-31 23:30          | 1,000,000  | alice | gpt-4o / openai           | research-a |
//! | r2      | 02-01 00:00 (month)  | 2,000,000  | bob   | claude-sonnet-4 / anthr.  | (none)     |
//! | r3      | 02-27 23:59:59 (Sun) | 3,000,000  | alice | gpt-4o / openai           | research-b |
//! | r4      | 02-28 00:00 (day,wk) | 4,000,000  | bob   | gpt-4o / openai           | writer     |
//! | r5      | 02-28 11:30 (AT−1h)  | 6,000,000  | bob   | claude-sonnet-4 / anthr.  | (none)     |
//! | r6      | 02-28 12:00          |   600,000  | alice | gpt-4o / openai           | research-a |
//! | r7      | 02-28 12:30 (= AT)   | 50,000,000 | alice | gpt-4o / openai           | (none)     |
//! | r8      | 02-28 12:10 synthetic| 9,000,000  | alice | gpt-4o / openai           | research-a |
//!
//! r7 (at AT, the end is exclusive) and r8 (synthetic) never count.
//! Rate window [11:30, 12:30): r5 + r6 = 6.6 $/h, 0.11 $/min.
//! UTC: today r4+r5+r6 = 10.6 $, + 6.6 × 11.5 h = 86.5 $ projected;
//! month r2..r6 = 15.6 $, + 6.6 × 35.5 h = 249.9 $.
//! Berlin (UTC+1): the day starts 02-27 23:00Z, so r3 is today: 13.6 $
//! plus 6.6 × 10.5 h = 82.9 $; the month starts 01-31 23:00Z, so r1
//! counts: 16.6 $ plus 6.6 × 34.5 h = 244.3 $.

use crate::support;
use serde_json::{Value, json};
use std::process::{Command, Output, Stdio};
use support::Shape;

const AT: &str = "2028-02-28T12:30:00Z";

const FIXTURE: &str = r#"
INSERT INTO users (id, name, email, created_at) VALUES
 ('alice', 'Alice', 'alice@example.com', '2028-01-01T00:00:00Z'),
 ('bob', 'Bob', 'bob@example.com', '2028-01-01T00:00:00Z');
INSERT INTO user_contexts (context_id, user_id, name, created_at, updated_at) VALUES
 ('ctx', 'alice', 'c', '2028-01-01T00:00:00Z', '2028-01-01T00:00:00Z');
INSERT INTO agent_tasks (task_id, context_id, status, user_id, agent_name, created_at, updated_at) VALUES
 ('t-ra1', 'ctx', 'TASK_STATE_COMPLETED', 'alice', 'research-a', '2028-01-31T23:30:00Z', '2028-01-31T23:30:00Z'),
 ('t-rb', 'ctx', 'TASK_STATE_COMPLETED', 'alice', 'research-b', '2028-02-27T23:59:59Z', '2028-02-27T23:59:59Z'),
 ('t-w', 'ctx', 'TASK_STATE_COMPLETED', 'bob', 'writer', '2028-02-28T00:00:00Z', '2028-02-28T00:00:00Z'),
 ('t-ra2', 'ctx', 'TASK_STATE_COMPLETED', 'alice', 'research-a', '2028-02-28T12:00:00Z', '2028-02-28T12:00:00Z');
INSERT INTO ai_requests (id, request_id, user_id, task_id, provider, model, tokens_used, input_tokens,
    output_tokens, cost_microdollars, latency_ms, status, created_at, updated_at, completed_at,
    context_id, actor_kind, actor_id, synthetic)
VALUES
 ('r1', 'x1', 'alice', 't-ra1', 'openai', 'gpt-4o', 10, 5, 5, 1000000, 100, 'completed',
  '2028-01-31T23:30:00Z', '2028-01-31T23:30:00Z', '2028-01-31T23:30:00Z', 'ctx', 'user', 'alice', false),
 ('r2', 'x2', 'bob', NULL, 'anthropic', 'claude-sonnet-4', 10, 5, 5, 2000000, 100, 'completed',
  '2028-02-01T00:00:00Z', '2028-02-01T00:00:00Z', '2028-02-01T00:00:00Z', 'ctx', 'user', 'bob', false),
 ('r3', 'x3', 'alice', 't-rb', 'openai', 'gpt-4o', 10, 5, 5, 3000000, 100, 'completed',
  '2028-02-27T23:59:59Z', '2028-02-27T23:59:59Z', '2028-02-27T23:59:59Z', 'ctx', 'user', 'alice', false),
 ('r4', 'x4', 'bob', 't-w', 'openai', 'gpt-4o', 10, 5, 5, 4000000, 100, 'completed',
  '2028-02-28T00:00:00Z', '2028-02-28T00:00:00Z', '2028-02-28T00:00:00Z', 'ctx', 'user', 'bob', false),
 ('r5', 'x5', 'bob', NULL, 'anthropic', 'claude-sonnet-4', 10, 5, 5, 6000000, 100, 'completed',
  '2028-02-28T11:30:00Z', '2028-02-28T11:30:00Z', '2028-02-28T11:30:00Z', 'ctx', 'user', 'bob', false),
 ('r6', 'x6', 'alice', 't-ra2', 'openai', 'gpt-4o', 10, 5, 5, 600000, 100, 'completed',
  '2028-02-28T12:00:00Z', '2028-02-28T12:00:00Z', '2028-02-28T12:00:00Z', 'ctx', 'user', 'alice', false),
 ('r7', 'x7', 'alice', NULL, 'openai', 'gpt-4o', 10, 5, 5, 50000000, 100, 'completed',
  '2028-02-28T12:30:00Z', '2028-02-28T12:30:00Z', '2028-02-28T12:30:00Z', 'ctx', 'user', 'alice', false),
 ('r8', 'x8', 'alice', 't-ra2', 'openai', 'gpt-4o', 10, 5, 5, 9000000, 100, 'completed',
  '2028-02-28T12:10:00Z', '2028-02-28T12:10:00Z', '2028-02-28T12:10:00Z', 'ctx', 'user', 'alice', true);
"#;

/// One budget per state and basis; see the module docs for the rows.
pub const BUDGETS: &str = r#"
[[budget]]
name = "research-agents"   # 3.6 spent (r3 + r6), 0.6 last hour: 3.6 + 0.6 × 35.5 = 24.9 ≥ 24 → warn, projected
scope = "agent"
match = "research-*"
period = "month"
limit_usd = 30

[[budget]]
name = "platform-week"     # from Monday 00:00: 10.6, + 6.6 × 155.5 h (to Monday 03-06) = 1,036.9 → over, projected
scope = "platform"
period = "week"
limit_usd = 15
warn_at = 0.5

[[budget]]
name = "claude-month"      # r2 (on the month's first instant) + r5 = 8 = limit → over, spent
scope = "model"
match = "claude-*"
period = "month"
limit_usd = 8

[[budget]]
name = "alice-day"         # r6 only: 0.6, + 0.6 × 11.5 = 7.5 → ok
scope = "user"
match = "alice"
period = "day"
limit_usd = 100

[[budget]]
name = "writer-week"       # r4 = 4 = 0.8 × 5, nothing in the last hour → warn, spent
scope = "agent"
match = "writer"
period = "week"
limit_usd = 5

[[budget]]
name = "openai-day-berlin" # Berlin's day holds r3: 3 + 4 + 0.6 = 7.6 ≥ 6.4, + 0.6 × 10.5 = 13.9 → over, projected
scope = "provider"
match = "openai"
period = "day"
limit_usd = 8
timezone = "Europe/Berlin"
"#;

fn tracetop(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .output()
        .expect("run tracetop")
}

fn stdout_of(url: &str, args: &[&str]) -> String {
    let out = tracetop(url, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn json_of(url: &str, args: &[&str]) -> Value {
    let out = stdout_of(url, args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"))
}

fn config_file(dir: &tempfile::TempDir, text: &str) -> String {
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

async fn fixture(shape: Shape) -> support::TestDb {
    let db = support::fresh_db_shaped(shape).await;
    db.exec(FIXTURE).await;
    db
}

async fn burn_rate_by_hand_in_utc_and_in_a_zone(shape: Shape) {
    let db = fixture(shape).await;
    let v = json_of(
        &db.url,
        &["analytics", "costs", "--until", AT, "--format", "json"],
    );
    let fields = [
        "burn_rate_at",
        "timezone",
        "rate_window_start",
        "rate_window_end",
        "rate_window_microdollars",
        "spend_per_minute_microdollars",
        "spend_per_hour_microdollars",
        "day_start",
        "day_end",
        "today_microdollars",
        "projected_day_microdollars",
        "month_start",
        "month_end",
        "month_to_date_microdollars",
        "projected_month_microdollars",
    ];
    let pick = |v: &Value| -> Value {
        fields
            .iter()
            .map(|f| (f.to_string(), v[f].clone()))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    assert_eq!(
        pick(&v),
        json!({
            "burn_rate_at": "2028-02-28T12:30:00Z",
            "timezone": "UTC",
            "rate_window_start": "2028-02-28T11:30:00Z",
            "rate_window_end": "2028-02-28T12:30:00Z",
            "rate_window_microdollars": 6_600_000,
            "spend_per_minute_microdollars": 110_000,
            "spend_per_hour_microdollars": 6_600_000,
            "day_start": "2028-02-28T00:00:00Z",
            "day_end": "2028-02-29T00:00:00Z",
            "today_microdollars": 10_600_000,
            "projected_day_microdollars": 86_500_000,
            "month_start": "2028-02-01T00:00:00Z",
            "month_end": "2028-03-01T00:00:00Z",
            "month_to_date_microdollars": 15_600_000,
            "projected_month_microdollars": 249_900_000,
        })
    );
    // the cost report's own figures are still there beside them
    assert!(v["summary"]["total_cost_microdollars"].is_i64(), "{v}");

    let berlin = json_of(
        &db.url,
        &[
            "analytics",
            "costs",
            "--until",
            AT,
            "--timezone",
            "Europe/Berlin",
            "--format",
            "json",
        ],
    );
    assert_eq!(berlin["timezone"], "Europe/Berlin");
    assert_eq!(berlin["day_start"], "2028-02-27T23:00:00Z");
    assert_eq!(berlin["today_microdollars"], 13_600_000);
    assert_eq!(berlin["projected_day_microdollars"], 82_900_000);
    assert_eq!(berlin["month_start"], "2028-01-31T23:00:00Z");
    assert_eq!(berlin["month_end"], "2028-02-29T23:00:00Z");
    assert_eq!(berlin["month_to_date_microdollars"], 16_600_000);
    assert_eq!(berlin["projected_month_microdollars"], 244_300_000);
    assert_eq!(berlin["spend_per_hour_microdollars"], 6_600_000);

    // without the flag, the config file's `timezone` is the zone
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("tracetop")).unwrap();
    std::fs::write(
        home.path().join("tracetop/config.toml"),
        "timezone = \"Europe/Berlin\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .args(["analytics", "costs", "--until", AT, "--format", "json"])
        .env("DATABASE_URL", &db.url)
        .env("XDG_CONFIG_HOME", home.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let configured: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(configured["timezone"], "Europe/Berlin");
    assert_eq!(configured["today_microdollars"], 13_600_000);

    // the table labels the projections as projections
    let table = stdout_of(&db.url, &["analytics", "costs", "--until", AT]);
    assert!(
        table.contains("Burn rate at 2028-02-28 12:30:00 UTC (UTC)"),
        "{table}"
    );
    assert!(table.contains("today at this rate (projection)"), "{table}");
    assert!(table.contains("month at this rate (projection)"), "{table}");
    assert!(table.contains("$249.90"), "{table}");
    // CSV carries the same fields, raw units
    let csv = stdout_of(
        &db.url,
        &["analytics", "costs", "--until", AT, "--format", "csv"],
    );
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |key: &str| row[header.iter().position(|h| *h == key).expect(key)];
    assert_eq!(at("projected_month_microdollars"), "249900000");
    assert_eq!(at("spend_per_minute_microdollars"), "110000");

    let bad = tracetop(&db.url, &["analytics", "costs", "--timezone", "Mars/Base"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("Mars/Base") && err.lines().count() == 1,
        "{err}"
    );
}

async fn every_budget_state_by_hand(shape: Shape) {
    let db = fixture(shape).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(&dir, BUDGETS);
    let v = json_of(
        &db.url,
        &[
            "budgets", "--config", &config, "--at", AT, "--format", "json",
        ],
    );
    let rows = v.as_array().expect("an array of budgets");
    let got: Vec<(String, i64, i64, i64, String, Value)> = rows
        .iter()
        .map(|b| {
            (
                b["name"].as_str().unwrap().to_string(),
                b["spent_microdollars"].as_i64().unwrap(),
                b["rate_window_microdollars"].as_i64().unwrap(),
                b["projected_microdollars"].as_i64().unwrap(),
                b["state"].as_str().unwrap().to_string(),
                b["state_basis"].clone(),
            )
        })
        .collect();
    let want = [
        (
            "research-agents",
            3_600_000,
            600_000,
            24_900_000,
            "warn",
            json!("projected"),
        ),
        (
            "platform-week",
            10_600_000,
            6_600_000,
            1_036_900_000,
            "over",
            json!("projected"),
        ),
        (
            "claude-month",
            8_000_000,
            6_000_000,
            221_000_000,
            "over",
            json!("spent"),
        ),
        ("alice-day", 600_000, 600_000, 7_500_000, "ok", Value::Null),
        (
            "writer-week",
            4_000_000,
            0,
            4_000_000,
            "warn",
            json!("spent"),
        ),
        (
            "openai-day-berlin",
            7_600_000,
            600_000,
            13_900_000,
            "over",
            json!("projected"),
        ),
    ];
    let want: Vec<(String, i64, i64, i64, String, Value)> = want
        .into_iter()
        .map(|(n, s, r, p, st, b)| (n.to_string(), s, r, p, st.to_string(), b))
        .collect();
    assert_eq!(got, want);
    let research = &rows[0];
    assert_eq!(research["scope"], "agent");
    assert_eq!(research["match"], "research-*");
    assert_eq!(research["period"], "month");
    assert_eq!(research["timezone"], "UTC");
    assert_eq!(research["period_start"], "2028-02-01T00:00:00Z");
    assert_eq!(research["period_end"], "2028-03-01T00:00:00Z");
    assert_eq!(research["limit_microdollars"], 30_000_000);
    assert_eq!(research["warn_at"], 0.8);
    assert_eq!(research["spent_percent"], 12.0);
    assert_eq!(research["projected_percent"], 83.0);
    let week = &rows[1];
    assert_eq!(week["match"], Value::Null);
    assert_eq!(week["period_start"], "2028-02-28T00:00:00Z");
    assert_eq!(week["period_end"], "2028-03-06T00:00:00Z");
    let berlin = &rows[5];
    assert_eq!(berlin["timezone"], "Europe/Berlin");
    assert_eq!(berlin["period_start"], "2028-02-27T23:00:00Z");
    assert_eq!(berlin["period_end"], "2028-02-28T23:00:00Z");

    let table = stdout_of(&db.url, &["budgets", "--config", &config, "--at", AT]);
    for needle in [
        "research-agents",
        "⚠ warn",
        "✗ over",
        "83.0%",
        "$1,036.90",
        "projected",
    ] {
        assert!(table.contains(needle), "{needle:?} in\n{table}");
    }
    let csv = stdout_of(
        &db.url,
        &[
            "budgets", "--config", &config, "--at", AT, "--format", "csv",
        ],
    );
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("name,scope,match,period,spent_microdollars,limit_microdollars,spent_percent,projected_microdollars,projected_percent,state,state_basis,period_start"),
        "{header}"
    );
    assert!(
        csv.contains(
            "writer-week,agent,writer,week,4000000,5000000,80.00,4000000,80.00,warn,spent,"
        ),
        "{csv}"
    );

    // one day later the day budgets start over; the week goes on
    let next = json_of(
        &db.url,
        &[
            "budgets",
            "--config",
            &config,
            "--at",
            "2028-02-29T00:00:00Z",
            "--format",
            "json",
        ],
    );
    let alice = &next.as_array().unwrap()[3];
    assert_eq!(alice["period_start"], "2028-02-29T00:00:00Z");
    assert_eq!(alice["spent_microdollars"], 0);
}

async fn budget_anomalies_are_listed_by_tracetop_anomalies(shape: Shape) {
    let db = fixture(shape).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(&dir, BUDGETS);
    let v = json_of(
        &db.url,
        &[
            "anomalies",
            "--config",
            &config,
            "--until",
            AT,
            "--format",
            "json",
        ],
    );
    let mut budget: Vec<(String, String, String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["id"].as_str().unwrap().starts_with("budget:"))
        .map(|a| {
            (
                a["subject"].as_str().unwrap().to_string(),
                a["rule"].as_str().unwrap().to_string(),
                a["severity"].as_str().unwrap().to_string(),
                a["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    budget.sort();
    let want: Vec<(String, String, String, String)> = [
        ("claude-month", "budget_exceeded", "critical"),
        ("openai-day-berlin", "budget_exceeded", "critical"),
        ("platform-week", "budget_exceeded", "critical"),
        ("research-agents", "budget_warning", "warning"),
        ("writer-week", "budget_warning", "warning"),
    ]
    .into_iter()
    .map(|(a, b, c)| (a.into(), b.into(), c.into(), "open".into()))
    .collect();
    assert_eq!(budget, want);
    let claude = v
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "budget:claude-month")
        .unwrap();
    assert_eq!(claude["value"], 221.0 / 8.0);
    assert_eq!(claude["threshold"], 1.0);
    assert_eq!(claude["budget"]["spent_microdollars"], 8_000_000);
    assert!(
        claude["message"]
            .as_str()
            .unwrap()
            .contains("model claude-* budget per month: over its limit: spent $8.00 of $8.00 (100.0%), projected $221.00 at period end"),
        "{claude}"
    );
    let table = stdout_of(&db.url, &["anomalies", "--config", &config, "--until", AT]);
    assert!(
        table.contains("budget_exceeded") && table.contains("budget_warning"),
        "{table}"
    );
}

/// User budgets take a user by id or by name, ignoring case (as the
/// console's `user:` filter): Carol's id shares nothing with her name.
async fn user_budgets_match_ids_and_names_ignoring_case(shape: Shape) {
    let db = fixture(shape).await;
    db.exec(
        "INSERT INTO users (id, name, email, created_at) VALUES
          ('u-7f3a', 'Carol Danvers', 'carol@example.com', '2028-01-01T00:00:00Z');
         INSERT INTO ai_requests (id, request_id, user_id, provider, model, tokens_used, input_tokens,
             output_tokens, cost_microdollars, latency_ms, status, created_at, updated_at, completed_at,
             context_id, actor_kind, actor_id, synthetic)
         VALUES ('c1', 'xc1', 'u-7f3a', 'openai', 'gpt-4o', 10, 5, 5, 2500000, 100, 'completed',
             '2028-02-28T10:00:00Z', '2028-02-28T10:00:00Z', '2028-02-28T10:00:00Z', 'ctx', 'user', 'u-7f3a', false)",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let budget = |name: &str, pattern: &str| {
        format!(
            "[[budget]]\nname = \"{name}\"\nscope = \"user\"\nmatch = \"{pattern}\"\nperiod = \"day\"\nlimit_usd = 100\n"
        )
    };
    let config = config_file(
        &dir,
        &[
            budget("carol-by-name", "CAROL*"),
            budget("carol-exact-name", "carol danvers"),
            budget("carol-by-id", "U-7F3A"),
            budget("alice-by-name", "Alice"),
            budget("a-or-c", "?a*"),
            budget("nobody", "dave*"),
        ]
        .concat(),
    );
    let v = json_of(
        &db.url,
        &[
            "budgets", "--config", &config, "--at", AT, "--format", "json",
        ],
    );
    let spent: Vec<(String, i64)> = v
        .as_array()
        .expect("an array of budgets")
        .iter()
        .map(|b| {
            (
                b["name"].as_str().unwrap().to_string(),
                b["spent_microdollars"].as_i64().unwrap(),
            )
        })
        .collect();
    // today (UTC): c1 2.5 $ for Carol, r6 0.6 $ for Alice (r7 is at AT, r8 synthetic)
    let want: Vec<(String, i64)> = [
        ("carol-by-name", 2_500_000),
        ("carol-exact-name", 2_500_000),
        ("carol-by-id", 2_500_000),
        ("alice-by-name", 600_000),
        // "?a*": Carol by name ("Carol Danvers"), not Alice ("alice"), not Bob
        ("a-or-c", 2_500_000),
        ("nobody", 0),
    ]
    .into_iter()
    .map(|(n, s)| (n.to_string(), s))
    .collect();
    assert_eq!(spent, want);
}

/// On the in-memory engine (demo, remote streams), at a 31-day month's
/// last evening: 2026-12-31T22:00:00Z, two hours before the month, the
/// day and the year end in UTC; in America/New_York (UTC−5) it is 17:00
/// on the 31st, seven hours before its midnight.
///
/// | request | created at UTC  | µ$        | user  |
/// |---------|-----------------|-----------|-------|
/// | m1      | 11-30 23:00     | 5,000,000 | carol |  November in UTC, but Nov 30 18:00 in New York
/// | m2      | 12-01 04:59     | 1,000,000 | carol |  December in UTC, Nov 30 23:59 in New York
/// | m3      | 12-31 04:00     | 2,000,000 | dave  |  the 31st in UTC, the 30th 23:00 in New York
/// | m4      | 12-31 21:15     |   400,000 | carol |  in the rate window
/// | m5      | 12-31 21:45     |   200,000 | dave  |  in the rate window
#[tokio::test]
async fn burn_rate_and_budgets_at_a_31_day_month_end_in_memory_and_in_new_york() {
    use crate::live_fixture::request;
    use tracetop::budget::{SpendConfig, burn_rate, evaluate};
    use tracetop::live::{LiveEngine, LiveLimits};
    use tracetop::model::*;
    let t = |s: &str| -> Timestamp { s.parse().unwrap() };
    let live = LiveEngine::new(LiveLimits::default());
    for (id, user, at, cost) in [
        ("m1", "carol", "2026-11-30T23:00:00Z", 5_000_000),
        ("m2", "carol", "2026-12-01T04:59:00Z", 1_000_000),
        ("m3", "dave", "2026-12-31T04:00:00Z", 2_000_000),
        ("m4", "carol", "2026-12-31T21:15:00Z", 400_000),
        ("m5", "dave", "2026-12-31T21:45:00Z", 200_000),
    ] {
        let r = request(
            id,
            user,
            None,
            None,
            None,
            "openai",
            "gpt-4o",
            Some((1, 1)),
            cost,
            Some(10),
            "completed",
            t(at),
        );
        live.ingest(&Event::AiRequestCompleted {
            request: r,
            messages: vec![],
            tool_calls: vec![],
        });
    }
    let at = t("2026-12-31T22:00:00Z");
    let utc = burn_rate(&live, at, chrono_tz::Tz::UTC).await.unwrap();
    assert_eq!(utc.rate_window_microdollars, Microdollars(600_000));
    assert_eq!(utc.spend_per_minute_microdollars, Microdollars(10_000));
    // today m3 + m4 + m5 = 2.6, + 0.6 × 2 h
    assert_eq!(utc.today_microdollars, Microdollars(2_600_000));
    assert_eq!(utc.projected_day_microdollars, Microdollars(3_800_000));
    // December m2..m5 = 3.6, the month ends at the same midnight
    assert_eq!(utc.month_start, t("2026-12-01T00:00:00Z"));
    assert_eq!(utc.month_end, t("2027-01-01T00:00:00Z"));
    assert_eq!(utc.month_to_date_microdollars, Microdollars(3_600_000));
    assert_eq!(utc.projected_month_microdollars, Microdollars(4_800_000));

    let ny = burn_rate(&live, at, chrono_tz::America::New_York)
        .await
        .unwrap();
    assert_eq!(ny.day_start, t("2026-12-31T05:00:00Z"));
    assert_eq!(ny.day_end, t("2027-01-01T05:00:00Z"));
    // New York's 31st holds m4 + m5 only: 0.6, + 0.6 × 7 h = 4.8
    assert_eq!(ny.today_microdollars, Microdollars(600_000));
    assert_eq!(ny.projected_day_microdollars, Microdollars(4_800_000));
    // its December starts 12-01 05:00Z: m3 + m4 + m5 = 2.6 (m1, m2 are November there)
    assert_eq!(ny.month_start, t("2026-12-01T05:00:00Z"));
    assert_eq!(ny.month_to_date_microdollars, Microdollars(2_600_000));
    assert_eq!(ny.projected_month_microdollars, Microdollars(6_800_000));

    let config = SpendConfig::from_config_toml(
        r#"
timezone = "America/New_York"
[[budget]]
name = "carol-month"
scope = "user"
match = "carol"
period = "month"
limit_usd = 1.5
[[budget]]
name = "carol-month-utc"
scope = "user"
match = "carol"
period = "month"
limit_usd = 1.5
timezone = "UTC"
[[budget]]
name = "d-users-week"
scope = "user"
match = "d*"
period = "week"
limit_usd = 10
"#,
    )
    .unwrap();
    let statuses = evaluate(&live, &config.budgets, at).await.unwrap();
    let got: Vec<(&str, i64, i64, BudgetState)> = statuses
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.spent_microdollars.get(),
                s.projected_microdollars.get(),
                s.state,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            // New York's December: m4 only (m2 is Nov 30 there); 0.4 + 0.4 × 7 h = 3.2 ≥ 1.5
            ("carol-month", 400_000, 3_200_000, BudgetState::Over),
            // UTC's December: m2 + m4 = 1.4 ≥ 1.2 (warn), + 0.4 × 2 h = 2.2 ≥ 1.5
            ("carol-month-utc", 1_400_000, 2_200_000, BudgetState::Over),
            // the week of Monday 12-28 (New York): m3 (Dec 30 23:00 there) + m5 = 2.2,
            // + 0.2 × (Jan 4 05:00Z − Dec 31 22:00Z = 79 h) = 18
            ("d-users-week", 2_200_000, 18_000_000, BudgetState::Over),
        ]
    );
    assert_eq!(statuses[2].period_start, t("2026-12-28T05:00:00Z"));
    assert_eq!(statuses[1].state_basis, Some(StateBasis::Projected));

    // in memory too a user budget takes a name, ignoring case: dave is
    // "Dave Lister" in the directory
    live.ingest(&Event::UserSeen {
        user: UserRecord {
            id: UserId::from("dave"),
            name: "Dave Lister".into(),
            email: None,
            status: "active".into(),
            roles: vec![],
            created_at: t("2026-01-01T00:00:00Z"),
        },
    });
    let by_name = SpendConfig::from_config_toml(
        r#"
[[budget]]
name = "lister-month"
scope = "user"
match = "*LISTER"
period = "month"
limit_usd = 10
"#,
    )
    .unwrap();
    let statuses = evaluate(&live, &by_name.budgets, at).await.unwrap();
    // UTC's December for dave: m3 + m5
    assert_eq!(statuses[0].spent_microdollars, Microdollars(2_200_000));
}

/// The live stage on a real database that goes away: the first failed
/// evaluation is said once (not every interval) and no alert is made up;
/// once the table is back the budget's alert comes, and the recovery is
/// said.
async fn watched_budgets_survive_a_failing_database(shape: Shape) {
    use std::sync::{Arc, Mutex};
    use tracetop::budget::{SpendConfig, watch_budgets};
    use tracetop::model::*;
    let db = support::fresh_db_shaped(shape).await;
    db.exec(
        "INSERT INTO ai_requests (id, request_id, user_id, context_id, actor_kind, actor_id, provider, model,
                                  status, cost_microdollars, created_at, updated_at)
         VALUES ('w1', 'w1', 'u', 'c', 'user', 'u', 'openai', 'gpt-4o', 'completed', 2000000,
                 now() - interval '1 minute', now() - interval '1 minute')",
    )
    .await;
    let engine = Arc::new(tracetop::pg::PgEngine::connect(&db.url).await.unwrap());
    db.exec("ALTER TABLE ai_requests RENAME TO ai_requests_away")
        .await;
    let budgets = SpendConfig::from_config_toml(
        "[[budget]]\nname = \"all\"\nscope = \"platform\"\nperiod = \"day\"\nlimit_usd = 1\n",
    )
    .unwrap()
    .budgets;
    let said = Arc::new(Mutex::new(Vec::<String>::new()));
    let heard = said.clone();
    let (_tx, rx) = tokio::sync::mpsc::channel(16);
    let mut out = watch_budgets(
        rx,
        budgets.into(),
        engine,
        std::time::Duration::from_millis(100),
        move |line| heard.lock().unwrap().push(line),
    );
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert!(out.try_recv().is_err(), "no alert while the table is away");
    {
        let lines = said.lock().unwrap();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with("budgets not evaluated: "), "{lines:?}");
    }
    db.exec("ALTER TABLE ai_requests_away RENAME TO ai_requests")
        .await;
    let update = tokio::time::timeout(std::time::Duration::from_secs(20), out.recv())
        .await
        .expect("an alert once the table is back")
        .expect("the stage runs");
    match update {
        SourceUpdate::Events(events) => match events.as_slice() {
            [Event::AnomalyRaised { anomaly }] => {
                assert_eq!(
                    (anomaly.id.as_str(), anomaly.rule.as_str()),
                    ("budget:all", "budget_exceeded")
                )
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    let lines = said.lock().unwrap();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[1], "budgets evaluated again");
}

/// Invalid entries: one line naming the entry, exit 2, before any
/// connection (the URL points nowhere).
#[test]
fn invalid_budgets_are_refused_with_one_line_naming_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[[budget]]\nname = \"research-agents\"\nscope = \"agent\"\nmatch = \"research-*\"\nperiod = \"fortnight\"\nlimit_usd = 500\n",
            "budget \"research-agents\": period \"fortnight\" is not day, week or month",
        ),
        (
            "[[budget]]\nname = \"ops\"\nscope = \"team\"\nperiod = \"day\"\nlimit_usd = 5\n",
            "budget \"ops\": scope \"team\" is not platform, user, agent, model or provider",
        ),
        (
            "timezone = \"Moon/Tranquility\"\n",
            "timezone \"Moon/Tranquility\" is not an IANA time zone name",
        ),
    ];
    for (text, want) in cases {
        let config = config_file(&dir, text);
        for args in [
            vec!["budgets", "--config", config.as_str()],
            vec!["anomalies", "--config", config.as_str()],
        ] {
            let out = tracetop("postgres://nobody@127.0.0.1:1/none", &args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(want), "{args:?}: {err:?} should say {want:?}");
            assert_eq!(err.trim_end().lines().count(), 1, "{err:?}");
        }
    }
    // the console and serve refuse the same file before they start
    let config = config_file(
        &dir,
        "[[budget]]\nname = \"research-agents\"\nscope = \"agent\"\nmatch = \"r*\"\nperiod = \"fortnight\"\nlimit_usd = 5\n",
    );
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, "all-users-token-0123456789\n").unwrap();
    for args in [
        vec!["--config", config.as_str()],
        vec![
            "serve",
            "--config",
            config.as_str(),
            "--token-file",
            tokens.to_str().unwrap(),
            "--listen",
            "127.0.0.1:1",
        ],
    ] {
        let out = tracetop("postgres://nobody@127.0.0.1:1/none", &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("budget \"research-agents\": period \"fortnight\""),
            "{args:?}: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{err:?}");
    }
    // and without budgets, `budgets` says how to add them
    let config = config_file(&dir, "theme = \"dark\"\n");
    let out = tracetop(
        "postgres://nobody@127.0.0.1:1/none",
        &["budgets", "--config", &config],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no budgets configured"));
}

both_shapes!(
    burn_rate_by_hand_in_utc_and_in_a_zone,
    user_budgets_match_ids_and_names_ignoring_case,
    every_budget_state_by_hand,
    budget_anomalies_are_listed_by_tracetop_anomalies,
    watched_budgets_survive_a_failing_database,
);
