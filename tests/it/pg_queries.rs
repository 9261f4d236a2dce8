//! PgEngine against a real Postgres: every `QueryEngine` method checked on
//! small fixed datasets whose answers are computed by hand in the comments.
//! "NOW" is 2026-11-23 12:00 UTC throughout. Every test runs on both
//! shapes (ours and a real deployment's), so every fixture row is valid on
//! a real deployment: users with unique lower-case emails before their
//! sessions and contexts, a context for every task, MCP executions before
//! the tool calls naming them, an actor and a context id on every request
//! (requests carry no foreign key to contexts: `ctx-none` is a context
//! since deleted), levels and statuses inside the checks.

use crate::support;

use support::Shape;

use chrono::{DateTime, Duration, Utc};
use tracetop::error::Error;
use tracetop::model::*;
use tracetop::pg::PgEngine;
use tracetop::query::*;

fn at(text: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(text)
        .expect("fixture timestamp")
        .with_timezone(&Utc)
}

fn now() -> Timestamp {
    at("2026-11-23T12:00:00Z")
}

fn window(start: &str, end: &str) -> TimeWindow {
    TimeWindow {
        start: at(start),
        end: at(end),
    }
}

/// The last 24 hours before NOW: [2026-11-22 12:00, 2026-11-23 12:00).
fn last_day() -> TimeWindow {
    TimeWindow::last(Duration::hours(24), now())
}

async fn engine_with(shape: Shape, sql: &str) -> (support::TestDb, PgEngine) {
    let db = support::fresh_db_shaped(shape).await;
    db.exec(sql).await;
    let engine = PgEngine::connect(&db.url).await.expect("connect engine");
    (db, engine)
}

// ---------------------------------------------------------------- overview

const OVERVIEW_FIXTURE: &str = "
INSERT INTO users (id, name, email) VALUES ('u1', 'Ada', 'ada@example.test'), ('u2', 'Bob', 'bob@example.test'),
 ('u3', 'Cy', 'cy@example.test'), ('u4', 'Dee', 'dee@example.test'), ('u5', 'Eve', 'eve@example.test');
INSERT INTO user_sessions (session_id, user_id, started_at, last_activity_at, ended_at) VALUES
 ('s1', 'u1', '2026-11-23 11:00Z', '2026-11-23 11:50Z', NULL),
 ('s2', 'u1', '2026-11-23 11:00Z', '2026-11-23 11:40Z', '2026-11-23 11:45Z'),
 ('s3', 'u2', '2026-11-22 12:30Z', '2026-11-22 13:00Z', NULL),
 ('s4', 'u3', '2026-11-20 11:00Z', '2026-11-20 12:00Z', NULL),
 ('s5', NULL, '2026-11-23 11:58Z', '2026-11-23 11:59Z', NULL),
 ('s6', 'u2', '2026-11-01 11:00Z', '2026-11-01 12:00Z', NULL),
 ('s7', 'u4', '2026-11-22 11:00Z', '2026-11-22 12:00Z', NULL),
 ('s8', 'u5', '2026-11-22 11:00Z', '2026-11-22 11:59:59Z', NULL),
 ('s9', 'u1', '2026-11-23 11:00Z', '2026-11-23 11:30Z', NULL);
INSERT INTO users (id, name, email, status) VALUES ('u6', 'Fay', 'fay@example.test', 'deleted');
INSERT INTO user_sessions (session_id, user_id, started_at, last_activity_at, ended_at, is_behavioral_bot) VALUES
 ('s10', 'u5', '2026-11-23 11:00Z', '2026-11-23 11:55Z', NULL, true);
INSERT INTO user_contexts (context_id, user_id, name) VALUES ('c1', 'u1', 'one'), ('c2', 'u2', 'two');
INSERT INTO agent_tasks (task_id, context_id) VALUES ('t1', 'c1');
INSERT INTO ai_requests (id, request_id, user_id, provider, model, context_id, actor_kind, actor_id) VALUES
 ('r1', 'q1', 'u1', 'p', 'm', 'ctx-none', 'user', 'u1'), ('r2', 'q2', 'u1', 'p', 'm', 'ctx-none', 'user', 'u1'),
 ('r3', 'q3', 'u2', 'p', 'm', 'ctx-none', 'user', 'u2'), ('r4', 'q4', 'u2', 'p', 'm', 'ctx-none', 'user', 'u2');
";

async fn overview_counts_the_eight_platform_figures(shape: Shape) {
    let (_db, engine) = engine_with(shape, OVERVIEW_FIXTURE).await;
    let o = engine.overview(now()).await.unwrap();
    assert_eq!(
        o,
        PlatformOverview {
            // u6 is deleted
            total_users: 5,
            // last_activity >= 11-22 12:00: s1,s2,s9 (u1) s3 (u2) s5 (no user)
            // s7 (u4, exactly on the boundary) → {u1,u2,u4}
            active_users_24h: 3,
            // + s4 (u3, 3 days ago) + s8 (u5, one second outside 24h)
            active_users_7d: 5,
            // s10 is a behavioural bot: clean traffic leaves it out
            total_sessions: 9,
            // open and last_activity >= 11:30: s1 (11:50), s5 (11:59),
            // s9 (exactly 11:30); s2 is ended, s3 too old
            active_sessions: 3,
            total_contexts: 2,
            total_tasks: 1,
            total_ai_requests: 4,
        }
    );
    // Counting bots: s10 (u5, open, 11:55) adds u5 to the last 24 hours
    // (already in the 7 days), one session and one active session.
    let everything = engine
        .overview_counting(now(), Counting::EVERYTHING)
        .await
        .unwrap();
    assert_eq!(
        everything,
        PlatformOverview {
            active_users_24h: 4,
            total_sessions: 10,
            active_sessions: 4,
            ..o
        }
    );
}

async fn activity_trend_has_every_bucket_and_half_open_windows(shape: Shape) {
    let (_db, engine) = engine_with(
        shape,
        "
INSERT INTO users (id, name, email) VALUES ('u1', 'Ada', 'ada@example.test');
INSERT INTO user_sessions (session_id, user_id, started_at) VALUES
 ('s-before', 'u1', '2026-11-21 05:00Z'), ('s21', 'u1', '2026-11-21 07:00Z'),
 ('s22', 'u1', '2026-11-22 23:59Z'), ('s-end', 'u1', '2026-11-23 06:00Z');
INSERT INTO user_contexts (context_id, user_id, name, created_at) VALUES ('c22', 'u1', 'c', '2026-11-22 10:00Z');
INSERT INTO agent_tasks (task_id, context_id, created_at) VALUES ('t23', 'c22', '2026-11-23 05:59Z');
INSERT INTO ai_requests (id, request_id, user_id, provider, model, created_at, context_id, actor_kind, actor_id) VALUES
 ('r-start', 'q-r-start', 'u1', 'p', 'm', '2026-11-21 06:00Z', 'ctx-none', 'user', 'u1'),
 ('r21', 'q-r21', 'u1', 'p', 'm', '2026-11-21 12:00Z', 'ctx-none', 'user', 'u1'),
 ('r23', 'q-r23', 'u1', 'p', 'm', '2026-11-23 01:00Z', 'ctx-none', 'user', 'u1'),
 ('r-h1', 'q-r-h1', 'u1', 'p', 'm', '2026-11-23 10:15Z', 'ctx-none', 'user', 'u1'),
 ('r-h2', 'q-r-h2', 'u1', 'p', 'm', '2026-11-23 10:45Z', 'ctx-none', 'user', 'u1'),
 ('r-h3', 'q-r-h3', 'u1', 'p', 'm', '2026-11-23 11:59Z', 'ctx-none', 'user', 'u1');
INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, started_at, created_at, input, user_id)
 VALUES ('m22', 't', 's', '2026-11-20 00:00Z', '2026-11-22 01:00Z', '{}', 'u1');
",
    )
    .await;
    // Daily over [21 06:00, 23 06:00): buckets 21, 22, 23 (the first starts
    // before the window, as date_trunc does). r-h* fall after the window end.
    let daily = engine
        .activity_trend(
            &window("2026-11-21T06:00:00Z", "2026-11-23T06:00:00Z"),
            Bucket::Day,
        )
        .await
        .unwrap();
    let got: Vec<(String, i64, i64, i64, i64, i64)> = daily
        .iter()
        .map(|b| {
            (
                b.bucket_start.to_rfc3339(),
                b.sessions,
                b.contexts,
                b.tasks,
                b.ai_requests,
                b.tool_executions,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            // s21; r-start (on the window start, included) + r21
            ("2026-11-21T00:00:00+00:00".into(), 1, 0, 0, 2, 0),
            // s22; c22; m22 by created_at (its started_at is the 20th)
            ("2026-11-22T00:00:00+00:00".into(), 1, 1, 0, 0, 1),
            // t23 at 05:59; r23; s-end at 06:00 is outside [.., 06:00)
            ("2026-11-23T00:00:00+00:00".into(), 0, 0, 1, 1, 0),
        ]
    );
    // Hourly over [10:30, 12:00): buckets 10:00 and 11:00; r-h1 (10:15) is
    // before the window start.
    let hourly = engine
        .activity_trend(
            &window("2026-11-23T10:30:00Z", "2026-11-23T12:00:00Z"),
            Bucket::Hour,
        )
        .await
        .unwrap();
    let got: Vec<(String, i64)> = hourly
        .iter()
        .map(|b| (b.bucket_start.to_rfc3339(), b.ai_requests))
        .collect();
    assert_eq!(
        got,
        vec![
            ("2026-11-23T10:00:00+00:00".into(), 1),
            ("2026-11-23T11:00:00+00:00".into(), 1)
        ]
    );
}

// ------------------------------------------------------------------- costs

const COST_FIXTURE: &str = "
INSERT INTO users (id, name, email) VALUES ('u1', 'Ada', 'ada@example.test'), ('u2', 'Bob', 'bob@example.test'),
 ('u3', 'Cy', 'cy@example.test'), ('u4', 'Dee', 'dee@example.test');
INSERT INTO user_contexts (context_id, user_id, name) VALUES ('c1', 'u1', 'work');
INSERT INTO agent_tasks (task_id, context_id, agent_name, status, user_id, created_at, execution_time_ms) VALUES
 ('t1', 'c1', 'planner', 'TASK_STATE_COMPLETED', 'u1', '2026-11-23 09:00Z', 1000),
 ('t2', 'c1', 'coder', 'TASK_STATE_FAILED', NULL, '2026-11-23 09:30Z', NULL),
 ('t3', 'c1', NULL, 'TASK_STATE_WORKING', NULL, '2026-11-23 10:00Z', NULL),
 ('t4', 'c1', 'planner', 'TASK_STATE_FAILED', NULL, '2026-11-23 10:30Z', 2001),
 ('t5', 'c1', 'planner', 'TASK_STATE_COMPLETED', NULL, '2026-11-20 00:00Z', 5);
INSERT INTO ai_requests (id, request_id, user_id, task_id, provider, model, input_tokens,
    output_tokens, tokens_used, cost_microdollars, status, created_at, context_id, actor_kind, actor_id) VALUES
 ('r1', 'q1', 'u1', 't1', 'openai', 'gpt-4o', 100, 50, 150, 1000, 'completed', '2026-11-23 10:00Z', 'ctx-none', 'user', 'u1'),
 ('r2', 'q2', 'u1', 't2', 'openai', 'gpt-4o', 10, 10, 20, 3000, 'completed', '2026-11-23 11:00Z', 'ctx-none', 'user', 'u1'),
 ('r3', 'q3', 'u2', NULL, 'anthropic', 'claude', NULL, NULL, NULL, 501, 'failed', '2026-11-23 09:00Z', 'ctx-none', 'user', 'u2'),
 ('r4', 'q4', 'u2', 't3', 'anthropic', 'claude', 1, 2, 3, 2000, 'completed', '2026-11-22 12:00Z', 'ctx-none', 'user', 'u2'),
 ('r5', 'q5', 'u1', 't1', 'openai', 'gpt-4o', 1, 1, 2, 99999, 'completed', '2026-11-23 12:00Z', 'ctx-none', 'user', 'u1'),
 ('r6', 'q6', 'u2', NULL, 'anthropic', 'claude', 3, 4, 7, 7000, 'completed', '2026-11-21 12:00Z', 'ctx-none', 'user', 'u2'),
 ('r7', 'q7', 'u2', NULL, 'anthropic', 'claude', 0, 0, 0, 11000, 'completed', '2026-10-01 12:00Z', 'ctx-none', 'user', 'u2'),
 ('r8', 'q8', 'u2', NULL, 'anthropic', 'claude', 0, 0, 0, 13000, 'completed', '2026-11-10 12:00Z', 'ctx-none', 'user', 'u2'),
 ('r9', 'q9', 'u3', 't-missing', 'openai', 'gpt-4o-mini', NULL, NULL, NULL, 0, 'pending', '2026-11-23 08:00Z', 'ctx-none', 'user', 'u3');
INSERT INTO user_sessions (session_id, user_id, started_at) VALUES
 ('s1', 'u1', '2026-11-23 01:00Z'), ('s2', 'u1', '2026-11-23 02:00Z'), ('s3', 'u1', '2026-11-23 03:00Z'),
 ('s4', 'u3', '2026-11-23 04:00Z'), ('s5', 'u4', '2026-11-23 05:00Z'), ('s-old', 'u2', '2026-11-01 00:00Z');
";

async fn cost_summary_sums_the_window(shape: Shape) {
    let (_db, engine) = engine_with(shape, COST_FIXTURE).await;
    // In [22 12:00, 23 12:00): r1 r2 r3 r4 r9 (r5 sits on the end, excluded).
    let s = engine.cost_summary(&last_day()).await.unwrap();
    assert_eq!(
        s,
        CostSummary {
            request_count: 5,
            input_tokens: 111,                           // 100 + 10 + 0 + 1 + 0
            output_tokens: 62,                           // 50 + 10 + 0 + 2 + 0
            total_tokens: 173,                           // 150 + 20 + 0 + 3 + 0
            total_cost_microdollars: Microdollars(6501), // 1000 + 3000 + 501 + 2000 + 0
            avg_cost_per_request_microdollars: Microdollars(1300), // 6501 / 5 = 1300.2
            cache_read_tokens: 0,
            cache_creation_tokens: 0,
            cached_input_share: 0.0,
            synthetic_requests_excluded: 0,
            no_model_requests_excluded: 0,
        }
    );
}

/// A rejected request carries no model or provider (NULL on the real
/// shape, which allows it only for `rejected`; empty on ours, which has
/// them NOT NULL): no cost figure counts it, the summary says how many.
async fn costs_skip_requests_without_a_model_or_provider(shape: Shape) {
    let missing = match shape {
        Shape::Real => "NULL",
        Shape::Ours => "''",
    };
    let sql = format!(
        "{COST_FIXTURE}
INSERT INTO ai_requests (id, request_id, user_id, provider, model, input_tokens, output_tokens,
    tokens_used, cost_microdollars, status, created_at, context_id, actor_kind, actor_id) VALUES
 ('r10', 'q10', 'u2', {missing}, {missing}, 5, 0, 5, 777, 'rejected', '2026-11-23 10:30Z', 'ctx-none', 'user', 'u2'),
 ('r11', 'q11', 'u2', 'openai', {missing}, 5, 0, 5, 888, 'rejected', '2026-11-23 10:40Z', 'ctx-none', 'user', 'u2');"
    );
    let (_db, engine) = engine_with(shape, &sql).await;
    let s = engine.cost_summary(&last_day()).await.unwrap();
    // as cost_summary_sums_the_window: r10 and r11 are left out and counted
    assert_eq!(
        (
            s.request_count,
            s.total_cost_microdollars,
            s.no_model_requests_excluded
        ),
        (5, Microdollars(6501), 2)
    );
    let by_provider = engine
        .cost_breakdown(&last_day(), CostDimension::Provider)
        .await
        .unwrap();
    assert!(
        by_provider.iter().all(|r| !r.key.is_empty()),
        "{by_provider:?}"
    );
    assert_eq!(
        by_provider.iter().map(|r| r.request_count).sum::<i64>(),
        5,
        "{by_provider:?}"
    );
    let trend = engine.cost_trend(&last_day(), Bucket::Day).await.unwrap();
    assert_eq!(
        trend
            .iter()
            .map(|b| b.total_cost_microdollars.get())
            .sum::<i64>(),
        6501
    );
    let rolling = engine.cost_overview(now()).await.unwrap();
    let without = engine_with(shape, COST_FIXTURE).await;
    assert_eq!(rolling, without.1.cost_overview(now()).await.unwrap());
}

fn breakdown_keys(rows: &[CostBreakdownRow]) -> Vec<(String, i64, i64, i64)> {
    rows.iter()
        .map(|r| {
            (
                r.key.clone(),
                r.request_count,
                r.total_tokens,
                r.total_cost_microdollars.get(),
            )
        })
        .collect()
}

async fn cost_breakdown_by_model_provider_and_agent(shape: Shape) {
    let (_db, engine) = engine_with(shape, COST_FIXTURE).await;
    let w = last_day();
    let by_model = engine
        .cost_breakdown(&w, CostDimension::Model)
        .await
        .unwrap();
    assert_eq!(
        breakdown_keys(&by_model),
        vec![
            ("gpt-4o".into(), 2, 170, 4000), // r1 + r2
            ("claude".into(), 2, 3, 2501),   // r3 + r4
            ("gpt-4o-mini".into(), 1, 0, 0), // r9
        ]
    );
    assert_eq!(by_model[0].input_tokens, 110);
    assert_eq!(by_model[0].output_tokens, 60);
    assert_eq!(by_model[0].cost_share, 4000.0 / 6501.0);
    assert_eq!(by_model[2].cost_share, 0.0);
    let json = serde_json::to_value(&by_model[0]).unwrap();
    assert_eq!(json["model"], "gpt-4o");
    assert_eq!(json["total_cost_microdollars"], 4000);

    let by_provider = engine
        .cost_breakdown(&w, CostDimension::Provider)
        .await
        .unwrap();
    assert_eq!(
        breakdown_keys(&by_provider),
        vec![
            ("openai".into(), 3, 170, 4000),  // r1 r2 r9
            ("anthropic".into(), 2, 3, 2501), // r3 r4
        ]
    );

    // Agents: r1 → t1 planner; r2 → t2 coder; r3 no task, r4 → t3 without
    // agent name, r9 → a task id with no row: all three under "(none)".
    let by_agent = engine
        .cost_breakdown(&w, CostDimension::Agent)
        .await
        .unwrap();
    assert_eq!(
        breakdown_keys(&by_agent),
        vec![
            ("coder".into(), 1, 20, 3000),
            (NO_AGENT.into(), 3, 3, 2501),
            ("planner".into(), 1, 150, 1000),
        ]
    );
    let shares: f64 = by_agent.iter().map(|r| r.cost_share).sum();
    assert!((shares - 1.0).abs() < 1e-12);
}

async fn cost_trend_fills_empty_buckets(shape: Shape) {
    let (_db, engine) = engine_with(shape, COST_FIXTURE).await;
    let trend = engine
        .cost_trend(
            &window("2026-11-20T00:00:00Z", "2026-11-23T12:00:00Z"),
            Bucket::Day,
        )
        .await
        .unwrap();
    let got: Vec<(String, i64, i64, i64)> = trend
        .iter()
        .map(|b| {
            (
                b.bucket_start.to_rfc3339(),
                b.request_count,
                b.total_tokens,
                b.total_cost_microdollars.get(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("2026-11-20T00:00:00+00:00".into(), 0, 0, 0),
            ("2026-11-21T00:00:00+00:00".into(), 1, 7, 7000), // r6
            ("2026-11-22T00:00:00+00:00".into(), 1, 3, 2000), // r4
            // r1 r2 r3 r9: 150+20+0+0 tokens, 1000+3000+501+0; r5 at 12:00 excluded
            ("2026-11-23T00:00:00+00:00".into(), 4, 170, 4501),
        ]
    );
}

async fn cost_overview_relative_to_now(shape: Shape) {
    let (_db, engine) = engine_with(shape, COST_FIXTURE).await;
    let o = engine.cost_overview(now()).await.unwrap();
    assert_eq!(
        o,
        CostOverview {
            cost_24h_microdollars: Microdollars(6501), // r1 r2 r3 r4 r9
            cost_7d_microdollars: Microdollars(13501), // + r6 (7000)
            cost_30d_microdollars: Microdollars(26501), // + r8 (13000)
            total_cost_microdollars: Microdollars(37501), // + r7 (11000); r5 is at NOW, excluded
            total_requests: 8,
            avg_cost_per_request_microdollars: Microdollars(4688), // 37501 / 8 = 4687.6, rounded
        }
    );
}

async fn ai_request_list_filters_and_orders(shape: Shape) {
    let (_db, engine) = engine_with(shape, COST_FIXTURE).await;
    let ids = |rows: Vec<AiRequestRecord>| rows.into_iter().map(|r| r.id.0).collect::<Vec<_>>();
    let claude = AiRequestFilter {
        model: Some("claude".into()),
        window: Some(last_day()),
        ..Default::default()
    };
    assert_eq!(
        ids(engine.ai_requests(&claude).await.unwrap()),
        ["r3", "r4"]
    );
    let openai = AiRequestFilter {
        provider: Some("openai".into()),
        window: Some(last_day()),
        limit: 2,
        ..Default::default()
    };
    assert_eq!(
        ids(engine.ai_requests(&openai).await.unwrap()),
        ["r2", "r1"]
    );
    let failed = AiRequestFilter {
        status: Some("failed".into()),
        ..Default::default()
    };
    assert_eq!(ids(engine.ai_requests(&failed).await.unwrap()), ["r3"]);
    let u2_all_time = AiRequestFilter {
        user_id: Some(UserId::new("u2")),
        ..Default::default()
    };
    // newest first: r3 (11-23 09:00), r4 (11-22), r6 (11-21), r8 (11-10), r7 (10-01)
    assert_eq!(
        ids(engine.ai_requests(&u2_all_time).await.unwrap()),
        ["r3", "r4", "r6", "r8", "r7"]
    );
}

// ------------------------------------------------------------ leaderboards

async fn top_users_count_each_table_without_join_multiplication(shape: Shape) {
    let (_db, engine) = engine_with(shape, COST_FIXTURE).await;
    let users = engine.top_users(&last_day(), 10).await.unwrap();
    type Row = (String, Option<String>, i64, i64, i64, i64, i64);
    let got: Vec<Row> = users
        .iter()
        .map(|u| {
            (
                u.user_id.0.clone(),
                u.user_name.clone(),
                u.request_count,
                u.total_tokens,
                u.total_cost_microdollars.get(),
                u.session_count,
                u.task_count,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            // u1: 3 sessions, 2 requests (r1 r2), 1 task (t1): a join would show 6 requests
            ("u1".into(), Some("Ada".into()), 2, 170, 4000, 3, 1),
            // u2: r3 + r4; s-old is outside the window
            ("u2".into(), Some("Bob".into()), 2, 3, 2501, 0, 0),
            // u3: r9 (cost 0) and one session
            ("u3".into(), Some("Cy".into()), 1, 0, 0, 1, 0),
            // u4: a session only
            ("u4".into(), Some("Dee".into()), 0, 0, 0, 1, 0),
        ]
    );
    let top2 = engine.top_users(&last_day(), 2).await.unwrap();
    assert_eq!(top2.len(), 2);
}

async fn top_agents_by_task_count(shape: Shape) {
    let (_db, engine) = engine_with(shape, COST_FIXTURE).await;
    let agents = engine.top_agents(&last_day(), 10).await.unwrap();
    assert_eq!(
        agents,
        vec![
            AgentLeader {
                agent_name: "planner".into(),
                task_count: 2, // t1, t4 (t5 is outside the window)
                completed_count: 1,
                failed_count: 1,
                success_rate: 0.5,
                avg_execution_time_ms: 1501, // (1000 + 2001) / 2 = 1500.5, rounded
                request_count: 1,            // r1 (r5 sits on the window end)
                total_cost_microdollars: Microdollars(1000),
            },
            AgentLeader {
                agent_name: "coder".into(),
                task_count: 1,
                completed_count: 0,
                failed_count: 1,
                success_rate: 0.0,
                avg_execution_time_ms: 0, // no execution time recorded
                request_count: 1,         // r2
                total_cost_microdollars: Microdollars(3000),
            },
        ]
    );
}

const TOOLS_FIXTURE: &str = "
INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, status, execution_time_ms, started_at,
    input, user_id) VALUES
 ('m1', 'search', 'web', 'success', 100, '2026-11-23 01:00Z', '{}', 'u1'),
 ('m2', 'search', 'web', 'failed', 300, '2026-11-23 02:00Z', '{}', 'u1'),
 ('m3', 'search', 'web', 'success', NULL, '2026-11-23 03:00Z', '{}', 'u1'),
 ('m4', 'fetch', 'web', 'timeout', 50, '2026-11-23 04:00Z', '{}', 'u1'),
 ('m5', 'read_file', 'fs', 'success', 10, '2026-11-23 05:00Z', '{}', 'u2'),
 ('m6', 'read_file', 'fs', 'success', 20, '2026-11-23 11:00Z', '{}', 'u2'),
 ('m7', 'search', 'other', 'success', 1000, '2026-11-23 06:00Z', '{}', 'u2'),
 ('m8', 'search', 'web', 'success', 5, '2026-11-22 23:00Z', '{}', 'u2');
";

fn tool_keys(rows: &[ToolStats]) -> Vec<String> {
    rows.iter()
        .map(|t| format!("{}@{}", t.tool_name, t.server_name))
        .collect()
}

async fn tools_statistics_and_every_sort_order(shape: Shape) {
    let (_db, engine) = engine_with(shape, TOOLS_FIXTURE).await;
    let w = window("2026-11-23T00:00:00Z", "2026-11-23T12:00:00Z");
    let by_exec = engine.tools(&w, ToolSort::Executions, 0).await.unwrap();
    // search@web: m1 m2 m3 (m8 is before the window): 2 ok, 1 failed,
    // avg over m1, m2 (m3 has no time) = (100 + 300) / 2 = 200, last 03:00
    assert_eq!(
        by_exec[0],
        ToolStats {
            tool_name: "search".into(),
            server_name: "web".into(),
            execution_count: 3,
            success_count: 2,
            failure_count: 1,
            success_rate: 2.0 / 3.0,
            avg_time_ms: 200,
            last_used: at("2026-11-23T03:00:00Z"),
        }
    );
    // fetch@web: a timeout counts as a failure
    let fetch = by_exec.iter().find(|t| t.tool_name == "fetch").unwrap();
    assert_eq!(
        (fetch.success_count, fetch.failure_count, fetch.avg_time_ms),
        (0, 1, 50)
    );
    let read = by_exec.iter().find(|t| t.tool_name == "read_file").unwrap();
    assert_eq!(
        (read.execution_count, read.avg_time_ms, read.success_rate),
        (2, 15, 1.0)
    );

    assert_eq!(
        tool_keys(&by_exec),
        ["search@web", "read_file@fs", "fetch@web", "search@other"]
    );
    let by_rate = engine.tools(&w, ToolSort::SuccessRate, 0).await.unwrap();
    assert_eq!(
        tool_keys(&by_rate),
        ["read_file@fs", "search@other", "search@web", "fetch@web"]
    );
    let by_time = engine.tools(&w, ToolSort::AvgTime, 0).await.unwrap();
    assert_eq!(
        tool_keys(&by_time),
        ["search@other", "search@web", "fetch@web", "read_file@fs"]
    );
    let by_last = engine.tools(&w, ToolSort::LastUsed, 0).await.unwrap();
    assert_eq!(
        tool_keys(&by_last),
        ["read_file@fs", "search@other", "fetch@web", "search@web"]
    );
    let by_name = engine.tools(&w, ToolSort::Name, 3).await.unwrap();
    assert_eq!(
        tool_keys(&by_name),
        ["fetch@web", "read_file@fs", "search@other"]
    );
    let top = engine.top_tools(&w, 2).await.unwrap();
    assert_eq!(tool_keys(&top), ["search@web", "read_file@fs"]);
}

async fn tool_execution_list_filters_and_orders(shape: Shape) {
    let (_db, engine) = engine_with(shape, TOOLS_FIXTURE).await;
    let ids = |rows: Vec<McpExecutionRecord>| {
        rows.into_iter()
            .map(|r| r.mcp_execution_id.0)
            .collect::<Vec<_>>()
    };
    let w = window("2026-11-23T00:00:00Z", "2026-11-23T12:00:00Z");
    let search_web = ToolExecutionFilter {
        tool_name: Some("search".into()),
        server_name: Some("web".into()),
        window: Some(w),
        ..Default::default()
    };
    assert_eq!(
        ids(engine.tool_executions(&search_web).await.unwrap()),
        ["m3", "m2", "m1"]
    );
    let ok = ToolExecutionFilter {
        status: Some("success".into()),
        window: Some(w),
        ..Default::default()
    };
    assert_eq!(
        ids(engine.tool_executions(&ok).await.unwrap()),
        ["m6", "m7", "m5", "m3", "m1"]
    );
    let all = ToolExecutionFilter {
        limit: 1,
        ..Default::default()
    };
    assert_eq!(ids(engine.tool_executions(&all).await.unwrap()), ["m6"]);
}

// ------------------------------------------------------------------ traces

const TRACE_FIXTURE: &str = "
INSERT INTO users (id, name, email) VALUES ('u1', 'Ada', 'ada@example.test'), ('u4', 'Dee', 'dee@example.test'),
 ('u9', 'Ivy', 'ivy@example.test');
INSERT INTO user_contexts (context_id, user_id, name) VALUES ('cA', 'u1', 'a'), ('cD', 'u4', 'd'), ('cX', 'u9', 'x');
INSERT INTO agent_tasks (task_id, context_id, trace_id, agent_name, status, user_id, created_at) VALUES
 ('tA', 'cA', 'trace-a', 'planner', 'TASK_STATE_COMPLETED', 'u1', '2026-11-23 10:00Z'),
 ('tA2', 'cA', 'trace-a', 'planner', 'TASK_STATE_FAILED', 'u1', '2026-11-23 10:30Z'),
 ('tD1', 'cD', 'trace-d', 'coder', 'TASK_STATE_FAILED', 'u4', '2026-11-22 08:00Z'),
 ('tD2', 'cD', 'trace-d', 'reviewer', 'TASK_STATE_WORKING', 'u4', '2026-11-23 08:30Z'),
 ('tX', 'cX', 'trace-x', 'other', 'TASK_STATE_COMPLETED', 'u9', '2026-11-01 00:00Z');
INSERT INTO ai_requests (id, request_id, user_id, trace_id, task_id, provider, model, input_tokens,
    output_tokens, tokens_used, cost_microdollars, latency_ms, status, created_at, context_id, actor_kind, actor_id) VALUES
 ('rA1', 'q-rA1', 'u1', 'trace-a', 'tA', 'openai', 'gpt', 6, 4, 10, 100, 200, 'completed', '2026-11-23 10:01Z', 'ctx-none', 'user', 'u1'),
 ('rA2', 'q-rA2', 'u1', 'trace-a', 'tA', 'openai', 'gpt', 3, 2, 5, 50, NULL, 'failed', '2026-11-23 10:02Z', 'ctx-none', 'user', 'u1'),
 ('rB1', 'q-rB1', 'u2', 'trace-b', NULL, 'openai', 'gpt', 0, 0, 0, 0, NULL, 'pending', '2026-11-23 11:00Z', 'ctx-none', 'user', 'u2'),
 ('rC1', 'q-rC1', 'u3', 'trace-c', NULL, 'openai', 'gpt', 1, 0, 1, 7, 20, 'completed', '2026-11-23 09:00Z', 'ctx-none', 'user', 'u3'),
 ('rD1', 'q-rD1', 'u5', 'trace-d', NULL, 'openai', 'gpt', 0, 0, 0, 0, NULL, 'pending', '2026-11-23 08:00Z', 'ctx-none', 'user', 'u5'),
 ('rE1', 'q-rE1', 'u6', 'trace-e', NULL, 'openai', 'gpt', 0, 0, 0, 3, 10, 'completed', '2026-11-20 08:00Z', 'ctx-none', 'user', 'u6'),
 ('rF1', 'q-rF1', 'u1', 'trace-f', NULL, 'openai', 'gpt', 0, 0, 0, 0, NULL, 'pending', '2026-11-23 11:30Z', 'ctx-none', 'user', 'u1');
INSERT INTO mcp_tool_executions (mcp_execution_id, trace_id, tool_name, server_name, status,
    execution_time_ms, started_at, created_at, input, output, user_id) VALUES
 ('mA1', 'trace-a', 'search', 'web', 'success', 30, '2026-11-23 10:03Z', '2026-11-23 10:03Z', '{\"q\":1}', 'ok', 'u1'),
 ('mB1', 'trace-b', 'fetch', 'web', 'failed', 5, '2026-11-23 11:05Z', '2026-11-23 11:05Z', '{}', NULL, 'u2');
INSERT INTO task_execution_steps (step_id, task_id, step_type, title, status, content, started_at, duration_ms) VALUES
 ('st1', 'tA', 'plan', 'plan', 'completed', '{\"plan\": [1, 2]}', '2026-11-23 10:00:30Z', 400),
 ('st2', 'tA', 'tool', 'search', 'failed', '{}', '2026-11-23 10:01Z', 100),
 ('stX', 'tX', 'plan', 'plan', 'completed', '{}', '2026-11-23 10:01Z', 999);
INSERT INTO logs (id, timestamp, level, module, message, metadata, trace_id) VALUES
 ('l1', '2026-11-23 10:01Z', 'INFO', 'agent', 'calling model', '{\"k\": 1}', 'trace-a'),
 ('l2', '2026-11-23 10:03Z', 'WARN', 'mcp', 'slow tool', NULL, 'trace-a'),
 ('lX', '2026-11-23 10:03Z', 'INFO', 'mcp', 'other trace', NULL, 'trace-x');
";

fn trace_ids(rows: &[TraceListItem]) -> Vec<&str> {
    rows.iter().map(|t| t.trace_id.as_str()).collect()
}

async fn traces_list_summarises_and_filters(shape: Shape) {
    let (_db, engine) = engine_with(shape, TRACE_FIXTURE).await;
    let base = TraceListFilter {
        window: Some(last_day()),
        ..Default::default()
    };
    let all = engine.traces(&base).await.unwrap();
    // Listed: something created in [22 12:00, 23 12:00). Newest start first:
    // F 11:30, B 11:00, A 10:00, C 09:00, D (its first task is 22 08:00).
    // E (only the 20th) and X (the 1st) are not listed.
    assert_eq!(
        trace_ids(&all),
        ["trace-f", "trace-b", "trace-a", "trace-c", "trace-d"]
    );
    let a = &all[2];
    assert_eq!(
        a,
        &TraceListItem {
            trace_id: TraceId::new("trace-a"),
            started_at: at("2026-11-23T10:00:00Z"), // task tA
            last_activity_at: at("2026-11-23T10:30:00Z"), // task tA2
            user_id: Some(UserId::new("u1")),
            agent_name: Some("planner".into()),
            // rA2 failed: the trace failed, though its earliest task completed
            status: "failed".into(),
            task_status: Some("completed".into()),
            request_count: 2,
            total_tokens: 15,
            total_cost_microdollars: Microdollars(150),
            mcp_count: 1,
            error_count: 1, // rA2 failed
        }
    );
    // B: no task; its MCP execution failed → failed, though rB1 is pending
    assert_eq!(
        (
            all[1].status.as_str(),
            all[1].error_count,
            all[1].agent_name.clone()
        ),
        ("failed", 1, None)
    );
    assert_eq!(all[1].last_activity_at, at("2026-11-23T11:05:00Z"));
    // F: only a pending request → pending; C: completed
    assert_eq!(all[0].status, "pending");
    assert_eq!(all[3].status, "completed");
    // D: the earliest task tD1 (coder, failed, user u4) defines it
    assert_eq!(
        (
            all[4].status.as_str(),
            all[4].agent_name.as_deref(),
            all[4].user_id.as_ref().map(|u| u.as_str())
        ),
        ("failed", Some("coder"), Some("u4"))
    );
    assert_eq!(all[4].started_at, at("2026-11-22T08:00:00Z"));

    let with = |f: TraceListFilter| {
        let engine = engine.clone();
        async move { engine.traces(&f).await.unwrap() }
    };
    let r = with(TraceListFilter {
        agent: Some("planner".into()),
        ..base.clone()
    })
    .await;
    assert_eq!(trace_ids(&r), ["trace-a"]);
    // any task of the trace counts: tD2 is the reviewer
    let r = with(TraceListFilter {
        agent: Some("reviewer".into()),
        ..base.clone()
    })
    .await;
    assert_eq!(trace_ids(&r), ["trace-d"]);
    let r = with(TraceListFilter {
        status: Some("failed".into()),
        ..base.clone()
    })
    .await;
    assert_eq!(trace_ids(&r), ["trace-b", "trace-a", "trace-d"]);
    let r = with(TraceListFilter {
        status: Some("TASK_STATE_COMPLETED".into()),
        ..base.clone()
    })
    .await;
    // trace-a's task completed, but one of its requests failed
    assert_eq!(trace_ids(&r), ["trace-c"]);
    let r = with(TraceListFilter {
        tool: Some("fetch".into()),
        ..base.clone()
    })
    .await;
    assert_eq!(trace_ids(&r), ["trace-b"]);
    let r = with(TraceListFilter {
        has_mcp: Some(true),
        ..base.clone()
    })
    .await;
    assert_eq!(trace_ids(&r), ["trace-b", "trace-a"]);
    let r = with(TraceListFilter {
        has_mcp: Some(false),
        ..base.clone()
    })
    .await;
    assert_eq!(trace_ids(&r), ["trace-f", "trace-c", "trace-d"]);
    let r = with(TraceListFilter {
        user: Some(UserId::new("u2")),
        ..base.clone()
    })
    .await;
    assert_eq!(trace_ids(&r), ["trace-b"]);
    let r = with(TraceListFilter {
        limit: 2,
        ..base.clone()
    })
    .await;
    assert_eq!(trace_ids(&r), ["trace-f", "trace-b"]);
    let r = with(TraceListFilter::default()).await;
    assert_eq!(
        trace_ids(&r),
        [
            "trace-f", "trace-b", "trace-a", "trace-c", "trace-d", "trace-e", "trace-x"
        ]
    );
}

async fn trace_detail_orders_the_timeline_and_sums(shape: Shape) {
    let (_db, engine) = engine_with(shape, TRACE_FIXTURE).await;
    let d = engine.trace_detail(&TraceId::new("trace-a")).await.unwrap();
    let order: Vec<(&str, &str)> = d
        .events
        .iter()
        .map(|e| {
            let kind = match e {
                TraceEvent::Log(_) => "log",
                TraceEvent::AiRequest(_) => "ai_request",
                TraceEvent::McpExecution(_) => "mcp",
                TraceEvent::Step(_) => "step",
            };
            (kind, e.id())
        })
        .collect();
    // 10:00:30 st1; at 10:01 step st2, request rA1, log l1 (kind rank);
    // 10:02 rA2; at 10:03 mcp mA1 before log l2. stX and lX are other traces.
    assert_eq!(
        order,
        [
            ("step", "st1"),
            ("step", "st2"),
            ("ai_request", "rA1"),
            ("log", "l1"),
            ("ai_request", "rA2"),
            ("mcp", "mA1"),
            ("log", "l2"),
        ]
    );
    assert_eq!(
        d.ai_summary,
        AiRequestSummary {
            request_count: 2,
            failed_count: 1,
            input_tokens: 9,  // 6 + 3
            output_tokens: 6, // 4 + 2
            total_tokens: 15,
            total_cost_microdollars: Microdollars(150),
            total_latency_ms: 200, // rA2 has none
        }
    );
    assert_eq!(
        d.mcp_summary,
        McpExecutionSummary {
            execution_count: 1,
            failed_count: 0,
            total_execution_time_ms: 30
        }
    );
    assert_eq!(
        d.step_summary,
        ExecutionStepSummary {
            step_count: 2,
            completed_count: 1,
            failed_count: 1,
            total_duration_ms: 500
        }
    );
    assert_eq!(d.task.as_ref().map(|t| t.task_id.as_str()), Some("tA"));
    // JSONB columns arrive as text
    match &d.events[0] {
        TraceEvent::Step(s) => assert_eq!(s.content.as_deref(), Some("{\"plan\": [1, 2]}")),
        other => panic!("expected a step, got {other:?}"),
    }
    match &d.events[3] {
        TraceEvent::Log(l) => assert_eq!(l.metadata.as_deref(), Some("{\"k\": 1}")),
        other => panic!("expected a log, got {other:?}"),
    }
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["trace_id"], "trace-a");
    assert_eq!(json["events"][2]["kind"], "ai_request");
}

async fn trace_detail_of_an_unknown_id_is_not_found(shape: Shape) {
    let (_db, engine) = engine_with(shape, TRACE_FIXTURE).await;
    let err = engine
        .trace_detail(&TraceId::new("nope"))
        .await
        .expect_err("no such trace");
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("no trace 'nope'"), "{msg}");
    assert!(msg.contains("tracetop traces"), "{msg}");
    assert!(!msg.contains('\n'));
}

// ------------------------------------------------------------------- audit

const AUDIT_FIXTURE: &str = r#"
INSERT INTO users (id, name, email) VALUES ('u1', 'Ada', 'ada@example.test');
INSERT INTO user_contexts (context_id, user_id, name) VALUES ('ctx-a', 'u1', 'audit');
INSERT INTO agent_tasks (task_id, context_id, trace_id, agent_name, created_at) VALUES
 ('task-9f01', 'ctx-a', 'tr-77aa', 'planner', '2026-11-23 09:30Z');
INSERT INTO ai_requests (id, request_id, user_id, task_id, trace_id, mcp_execution_id, provider, model, created_at, context_id, actor_kind, actor_id) VALUES
 ('req-abc1', 'q-req-abc1', 'u1', 'task-9f01', 'tr-77aa', 'mcp-2', 'p', 'm', '2026-11-23 10:00Z', 'ctx-none', 'user', 'u1'),
 ('req-abc2', 'q-req-abc2', 'u1', NULL, 'tr-77aa', NULL, 'p', 'm', '2026-11-23 11:00Z', 'ctx-none', 'user', 'u1'),
 ('req-abc10', 'q-req-abc10', 'u1', NULL, NULL, NULL, 'p', 'm', '2026-11-23 08:00Z', 'ctx-none', 'user', 'u1'),
 ('ab_x9999', 'q-ab_x9999', 'u1', NULL, NULL, NULL, 'p', 'm', '2026-11-23 07:00Z', 'ctx-none', 'user', 'u1'),
 ('abcx1234', 'q-abcx1234', 'u1', NULL, NULL, NULL, 'p', 'm', '2026-11-23 07:30Z', 'ctx-none', 'user', 'u1'),
 ('ab\cd123', 'q-ab\cd123', 'u1', NULL, NULL, NULL, 'p', 'm', '2026-11-23 06:00Z', 'ctx-none', 'user', 'u1'),
 ('dup0-r', 'q-dup0-r', 'u1', NULL, 'dup0-t', NULL, 'p', 'm', '2026-11-23 05:00Z', 'ctx-none', 'user', 'u1');
INSERT INTO ai_requests (id, request_id, user_id, context_id, actor_kind, actor_id, provider, model, created_at)
 SELECT 'many-' || lpad(i::text, 2, '0'), 'q-many-' || i, 'u1', 'ctx-a', 'user', 'u1', 'p', 'm',
        '2026-11-23 00:00Z'::timestamptz + i * interval '1 minute'
 FROM generate_series(0, 24) AS i;
INSERT INTO ai_request_messages (request_id, role, content, sequence_number) VALUES
 ('req-abc1', 'assistant', 'hello', 2),
 ('req-abc1', 'user', 'hi', 1),
 ('req-abc2', 'user', 'again', 1);
INSERT INTO mcp_tool_executions (mcp_execution_id, trace_id, tool_name, server_name, status, started_at, input, user_id) VALUES
 ('mcp-1', 'tr-77aa', 'search', 'web', 'success', '2026-11-23 10:00:01Z', '{}', 'u1'),
 ('mcp-2', 'tr-77aa', 'fetch', 'web', 'success', '2026-11-23 10:00:02Z', '{}', 'u1'),
 ('mcp-3', 'tr-77aa', 'other', 'web', 'success', '2026-11-23 10:00:03Z', '{}', 'u1');
INSERT INTO ai_request_tool_calls (request_id, tool_name, tool_input, mcp_execution_id, sequence_number) VALUES
 ('req-abc1', 'search', '{"q": "x"}', 'mcp-1', 0);
"#;

fn found(res: AuditResolution) -> AuditRecord {
    match res {
        AuditResolution::Found(r) => *r,
        other => panic!("expected a match, got {other:?}"),
    }
}

fn candidates(res: AuditResolution) -> Vec<(IdKind, String)> {
    match res {
        AuditResolution::Ambiguous { candidates, .. } => {
            candidates.into_iter().map(|c| (c.kind, c.id)).collect()
        }
        other => panic!("expected candidates, got {other:?}"),
    }
}

async fn audit_prefix_ambiguity_and_exact_match(shape: Shape) {
    let (_db, engine) = engine_with(shape, AUDIT_FIXTURE).await;
    // 'req-abc' matches three request ids: newest first
    let c = candidates(engine.audit_lookup("req-abc").await.unwrap());
    assert_eq!(
        c,
        [
            (IdKind::Request, "req-abc2".to_string()),
            (IdKind::Request, "req-abc1".to_string()),
            (IdKind::Request, "req-abc10".to_string()),
        ]
    );
    // 'req-abc1' is also a prefix of req-abc10, but the exact id wins
    let r = found(engine.audit_lookup("  req-abc1 ").await.unwrap());
    assert_eq!(
        (r.matched_kind, r.matched_id.as_str()),
        (IdKind::Request, "req-abc1")
    );
    assert_eq!(r.trace_id, Some(TraceId::new("tr-77aa")));
    assert_eq!(r.task_id, Some(TaskId::new("task-9f01")));
    assert_eq!(r.request_ids, [AiRequestId::new("req-abc1")]);
    assert_eq!(
        r.task.as_ref().map(|t| t.task_id.as_str()),
        Some("task-9f01")
    );
    let req = &r.requests[0];
    let seq: Vec<(i32, &str)> = req
        .messages
        .iter()
        .map(|m| (m.sequence_number, m.content.as_str()))
        .collect();
    assert_eq!(seq, [(1, "hi"), (2, "hello")]);
    assert_eq!(req.tool_calls.len(), 1);
    assert_eq!(req.tool_calls[0].tool_input, "{\"q\": \"x\"}");
    // linked by the tool call (mcp-1) and by the request itself (mcp-2);
    // mcp-3 shares the trace but is not linked
    let mcps: Vec<&str> = req
        .mcp_executions
        .iter()
        .map(|m| m.mcp_execution_id.as_str())
        .collect();
    assert_eq!(mcps, ["mcp-1", "mcp-2"]);

    // a prefix that matches a request and a trace is ambiguous across kinds
    let c = candidates(engine.audit_lookup("dup0").await.unwrap());
    assert_eq!(
        c,
        [
            (IdKind::Request, "dup0-r".to_string()),
            (IdKind::Trace, "dup0-t".to_string())
        ]
    );
    // 25 matches: at most MAX_AUDIT_CANDIDATES, newest first
    let c = candidates(engine.audit_lookup("many-").await.unwrap());
    assert_eq!(c.len(), MAX_AUDIT_CANDIDATES);
    assert_eq!(c[0].1, "many-24");
    assert_eq!(c[19].1, "many-05");
}

async fn audit_resolves_tasks_and_traces(shape: Shape) {
    let (_db, engine) = engine_with(shape, AUDIT_FIXTURE).await;
    // task id: in agent_tasks and ai_requests.task_id, one candidate
    let t = found(engine.audit_lookup("task-9f").await.unwrap());
    assert_eq!(
        (t.matched_kind, t.matched_id.as_str()),
        (IdKind::Task, "task-9f01")
    );
    assert_eq!(t.request_ids, [AiRequestId::new("req-abc1")]);
    assert_eq!(t.trace_id, Some(TraceId::new("tr-77aa")));
    assert!(t.task.is_some());
    // trace id: in ai_requests, agent_tasks and mcp_tool_executions
    let tr = found(engine.audit_lookup("tr-77").await.unwrap());
    assert_eq!(
        (tr.matched_kind, tr.matched_id.as_str()),
        (IdKind::Trace, "tr-77aa")
    );
    assert_eq!(
        tr.request_ids,
        [AiRequestId::new("req-abc1"), AiRequestId::new("req-abc2")]
    );
    assert_eq!(tr.task_id, Some(TaskId::new("task-9f01")));
    assert_eq!(tr.requests[1].messages.len(), 1);
    assert!(tr.requests[1].mcp_executions.is_empty());
    let json = serde_json::to_value(AuditResolution::Found(Box::new(tr))).unwrap();
    assert_eq!(json["resolution"], "found");
    assert_eq!(json["matched_id"], "tr-77aa");
}

async fn audit_prefix_metacharacters_are_literal(shape: Shape) {
    let (_db, engine) = engine_with(shape, AUDIT_FIXTURE).await;
    // '_' is literal: 'ab_x' matches ab_x9999 but not abcx1234
    let r = found(engine.audit_lookup("ab_x").await.unwrap());
    assert_eq!(r.matched_id, "ab_x9999");
    // '%' is literal: nothing starts with 'ab%x'
    let err = engine.audit_lookup("ab%x").await.expect_err("no literal %");
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    // '\' is literal: 'ab\c' is ab\cd123, not abcx1234
    let r = found(engine.audit_lookup(r"ab\c").await.unwrap());
    assert_eq!(r.matched_id, r"ab\cd123");
}

async fn audit_rejects_short_prefixes_and_reports_no_match(shape: Shape) {
    let (_db, engine) = engine_with(shape, AUDIT_FIXTURE).await;
    for short in ["abc", "  ab  ", ""] {
        let err = engine.audit_lookup(short).await.expect_err("too short");
        assert!(matches!(err, Error::Input(_)), "{err:?}");
        assert!(err.to_string().contains("at least 4"), "{err}");
    }
    let err = engine.audit_lookup("zzzz").await.expect_err("no match");
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("'zzzz'"), "{msg}");
    assert!(msg.contains("tracetop traces"), "{msg}");
}

// -------------------------------------------------------------------- logs

const LOG_FIXTURE: &str = r#"
INSERT INTO logs (id, timestamp, level, module, message, trace_id) VALUES
 ('L1', '2026-11-23 10:00Z', 'ERROR', 'api', 'payment failed: 100% of retries', NULL),
 ('L2', '2026-11-23 10:01Z', 'INFO', 'api', 'progress 100 percent', NULL),
 ('L3', '2026-11-23 10:02Z', 'ERROR', 'worker', 'file_name missing', NULL),
 ('L4', '2026-11-23 10:03Z', 'WARN', 'worker', 'filexname missing', NULL),
 ('L5', '2026-11-23 10:04Z', 'INFO', 'api', 'path C:\temp\x', NULL),
 ('L6', '2026-11-23 10:05Z', 'INFO', 'api', 'PAYMENT Failed again', 'tr-1'),
 ('L7', '2026-11-22 10:00Z', 'ERROR', 'api', 'payment failed old', NULL);
"#;

async fn log_search_is_literal_case_insensitive_and_filtered(shape: Shape) {
    let (_db, engine) = engine_with(shape, LOG_FIXTURE).await;
    let w = Some(window("2026-11-23T00:00:00Z", "2026-11-23T12:00:00Z"));
    let search = |f: LogFilter| {
        let engine = engine.clone();
        async move {
            engine
                .log_search(&f)
                .await
                .unwrap()
                .into_iter()
                .map(|l| l.id.0)
                .collect::<Vec<_>>()
        }
    };
    let pat = |p: &str| LogFilter {
        pattern: Some(p.into()),
        window: w,
        ..Default::default()
    };
    // '%' literal: "100%" is not "100" followed by anything (L2)
    assert_eq!(search(pat("100%")).await, ["L1"]);
    // '_' literal: not "filexname"
    assert_eq!(search(pat("file_name")).await, ["L3"]);
    // '\' literal
    assert_eq!(search(pat(r"C:\temp")).await, ["L5"]);
    // case-insensitive, newest first, L7 outside the window
    assert_eq!(search(pat("payment failed")).await, ["L6", "L1"]);
    assert_eq!(
        search(LogFilter {
            pattern: Some("payment failed".into()),
            ..Default::default()
        })
        .await,
        ["L6", "L1", "L7"]
    );
    // level case-insensitive both ways
    for level in ["error", "ERROR"] {
        assert_eq!(
            search(LogFilter {
                level: Some(level.into()),
                window: w,
                ..Default::default()
            })
            .await,
            ["L3", "L1"]
        );
    }
    // a set of levels: the console's "warn and worse"
    assert_eq!(
        search(LogFilter {
            level: Some(LogLevel::Warn.and_worse()),
            window: w,
            ..Default::default()
        })
        .await,
        ["L4", "L3", "L1"]
    );
    assert_eq!(
        search(LogFilter {
            module: Some("worker".into()),
            window: w,
            ..Default::default()
        })
        .await,
        ["L4", "L3"]
    );
    assert_eq!(
        search(LogFilter {
            trace_id: Some(TraceId::new("tr-1")),
            ..Default::default()
        })
        .await,
        ["L6"]
    );
    assert_eq!(
        search(LogFilter {
            limit: 2,
            ..Default::default()
        })
        .await,
        ["L6", "L5"]
    );
}

async fn log_summary_counts_levels_modules_and_range(shape: Shape) {
    let (_db, engine) = engine_with(shape, LOG_FIXTURE).await;
    let s = engine
        .log_summary(&window("2026-11-23T00:00:00Z", "2026-11-23T12:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        s,
        LogSummary {
            total: 6, // L1..L6
            by_level: vec![
                // 'ERROR' (L1) and 'error' (L3) are one level
                LevelCount {
                    level: "ERROR".into(),
                    count: 2
                },
                LevelCount {
                    level: "WARN".into(),
                    count: 1
                },
                LevelCount {
                    level: "INFO".into(),
                    count: 3
                },
            ],
            top_modules: vec![
                ModuleCount {
                    module: "api".into(),
                    count: 4
                },
                ModuleCount {
                    module: "worker".into(),
                    count: 2
                },
            ],
            first_at: Some(at("2026-11-23T10:00:00Z")),
            last_at: Some(at("2026-11-23T10:05:00Z")),
        }
    );
    let empty = engine
        .log_summary(&window("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(empty, LogSummary::default());
}

// --------------------------------------------------------------- analytics

async fn request_stats_percentiles_and_rates(shape: Shape) {
    let (_db, engine) = engine_with(
        shape,
        "
-- gpt: 20 requests, latency 10..200 step 10; i<=16 completed, 17..19 failed,
-- 20 pending; cache hits for i<=5; 10 tokens and 100 µ$ each
INSERT INTO ai_requests (id, request_id, user_id, context_id, actor_kind, actor_id, provider, model,
    latency_ms, status, cache_hit, tokens_used, cost_microdollars, created_at)
SELECT 'g' || i, 'q-g' || i, 'u1', 'ctx-none', 'user', 'u1', 'openai', 'gpt', i * 10,
       CASE WHEN i <= 16 THEN 'completed' WHEN i <= 19 THEN 'failed' ELSE 'pending' END,
       i <= 5, 10, 100, '2026-11-23 01:00Z'::timestamptz + i * interval '1 minute'
FROM generate_series(1, 20) AS i;
INSERT INTO ai_requests (id, request_id, user_id, provider, model, latency_ms, status, cache_hit,
    tokens_used, cost_microdollars, created_at, context_id, actor_kind, actor_id) VALUES
 ('c1', 'q-c1', 'u1', 'anthropic', 'claude', 5, 'completed', true, 10, 100, '2026-11-23 02:00Z', 'ctx-none', 'user', 'u1'),
 ('c2', 'q-c2', 'u1', 'anthropic', 'claude', NULL, 'pending', false, 10, 100, '2026-11-23 02:01Z', 'ctx-none', 'user', 'u1'),
 ('c3', 'q-c3', 'u1', 'anthropic', 'claude', 8, 'failed', false, 10, 100, '2026-11-23 02:02Z', 'ctx-none', 'user', 'u1'),
 ('old', 'q-old', 'u1', 'anthropic', 'claude', 1, 'failed', false, 10, 100, '2026-11-22 02:02Z', 'ctx-none', 'user', 'u1');
",
    )
    .await;
    let s = engine
        .request_stats(&window("2026-11-23T00:00:00Z", "2026-11-23T12:00:00Z"))
        .await
        .unwrap();
    assert_eq!(s.request_count, 23);
    assert_eq!(
        (s.completed_count, s.failed_count, s.pending_count),
        (17, 4, 2)
    );
    assert_eq!(s.cache_hit_count, 6);
    assert_eq!(s.error_rate, 4.0 / 23.0);
    assert_eq!(s.cache_hit_rate, 6.0 / 23.0);
    // 22 latencies: 5, 8, 10, 20, …, 200. Sum 2100 + 13 = 2113 / 22 = 96.04
    assert_eq!(s.avg_latency_ms, 96);
    // percentile_disc: position ceil(p·22): p50 → 11th = 90,
    // p95 → ceil(20.9) = 21st = 190, p99 → ceil(21.78) = 22nd = 200
    assert_eq!(
        (s.p50_latency_ms, s.p95_latency_ms, s.p99_latency_ms),
        (Some(90), Some(190), Some(200))
    );
    assert_eq!(s.total_tokens, 230);
    assert_eq!(s.total_cost_microdollars, Microdollars(2300));
    let models: Vec<&str> = s.by_model.iter().map(|m| m.model.as_str()).collect();
    assert_eq!(models, ["gpt", "claude"]);
    let gpt = &s.by_model[0];
    // 20 latencies 10..200: p50 → 10th = 100, p99 → ceil(19.8) = 20th = 200;
    // avg 2100 / 20 = 105
    assert_eq!(
        (
            gpt.provider.as_str(),
            gpt.request_count,
            gpt.failed_count,
            gpt.cache_hit_count
        ),
        ("openai", 20, 3, 5)
    );
    assert_eq!(
        (gpt.avg_latency_ms, gpt.p50_latency_ms, gpt.p99_latency_ms),
        (105, Some(100), Some(200))
    );
    assert_eq!(gpt.error_rate, 3.0 / 20.0);
    let claude = &s.by_model[1];
    // latencies 5, 8: p50 → 1st = 5, p95 → ceil(1.9) = 2nd = 8; avg 13 / 2 = 6.5, rounded
    assert_eq!(
        (
            claude.avg_latency_ms,
            claude.p50_latency_ms,
            claude.p95_latency_ms,
            claude.cache_hit_rate
        ),
        (7, Some(5), Some(8), 1.0 / 3.0)
    );

    let empty = engine
        .request_stats(&window("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(empty, RequestStats::default());
}

const SESSION_FIXTURE: &str = "
INSERT INTO users (id, name, email) VALUES ('u1', 'Ada', 'ada@example.test'), ('u2', 'Bob', 'bob@example.test'),
 ('u3', 'Cy', 'cy@example.test');
INSERT INTO user_sessions (session_id, user_id, started_at, ended_at, session_source, client_id,
    device_type, country, landing_page, referrer_source, request_count, ai_request_count,
    is_bot, is_scanner, is_behavioral_bot) VALUES
 ('sA', 'u1', '2026-11-23 01:00Z', '2026-11-23 01:10Z', 'web', 'cli-1', 'desktop', 'DE', '/home', 'google', 10, 2, false, false, false),
 ('sB', 'u1', '2026-11-23 02:00Z', '2026-11-23 02:00:05.5Z', 'web', 'sp_web', 'mobile', 'US', '/home', NULL, 3, 0, true, false, false),
 ('sC', 'u2', '2026-11-23 03:00Z', NULL, 'api', 'cli-1', 'desktop', 'DE', '/docs', 'google', 7, 5, false, true, false),
 ('sD', NULL, '2026-11-23 04:00Z', NULL, NULL, 'cli-2', NULL, NULL, NULL, 'hn', 1, 0, false, true, true),
 ('sE', 'u3', '2026-11-22 23:00Z', NULL, 'web', 'cli-1', 'desktop', 'FR', '/x', 'y', 100, 100, false, false, false);
";

fn session_window() -> TimeWindow {
    window("2026-11-23T00:00:00Z", "2026-11-23T12:00:00Z")
}

async fn session_stats_counts_durations_and_bots(shape: Shape) {
    let (_db, engine) = engine_with(shape, SESSION_FIXTURE).await;
    let everything = engine
        .session_stats_counting(&session_window(), Counting::EVERYTHING)
        .await
        .unwrap();
    assert_eq!(
        everything,
        SessionStats {
            bots_included: true,
            session_count: 4,           // sA..sD; sE started before the window
            unique_users: 2,            // u1, u2 (sD has none)
            ended_count: 2,             // sA, sB
            avg_duration_seconds: 303,  // (600 + 5.5) / 2 = 302.75, rounded
            total_requests: 21,         // 10 + 3 + 7 + 1
            total_ai_requests: 7,       // 2 + 0 + 5 + 0
            bot_sessions: 3,            // sB (bot), sC (scanner), sD (scanner, behavioural)
            scanner_sessions: 2,        // sC, sD
            behavioral_bot_sessions: 1, // sD
            ai_crawler_sessions: 0,
            bot_share: 0.75, // 3 of 4
        }
    );
    // As the platform counts: only sA is clean traffic; the bot figures
    // stay beside the totals.
    let clean = engine.session_stats(&session_window()).await.unwrap();
    assert_eq!(
        clean,
        SessionStats {
            bots_included: false,
            session_count: 1,
            unique_users: 1,
            ended_count: 1,
            avg_duration_seconds: 600,
            total_requests: 10,
            total_ai_requests: 2,
            ..everything
        }
    );
}

fn traffic_rows(rows: &[TrafficRow]) -> Vec<(String, i64, i64, i64)> {
    rows.iter()
        .map(|r| (r.key.clone(), r.session_count, r.bot_count, r.scanner_count))
        .collect()
}

async fn traffic_groups_sessions_by_source_client_device_country(shape: Shape) {
    let (_db, engine) = engine_with(shape, SESSION_FIXTURE).await;
    let t = engine
        .traffic_counting(&session_window(), 0, Counting::EVERYTHING)
        .await
        .unwrap();
    // bots (any flag): sB (bot), sC (scanner), sD (scanner, behavioural)
    assert_eq!(
        (t.total_sessions, t.bot_sessions, t.scanner_sessions),
        (4, 3, 2)
    );
    assert_eq!((t.bot_share, t.scanner_share), (0.75, 0.5));
    let u = UNKNOWN_KEY.to_string();
    // ties broken by bot count, then key in byte order: "(unknown)" sorts
    // before letters
    assert_eq!(
        traffic_rows(&t.by_source),
        [
            ("web".into(), 2, 1, 0),
            (u.clone(), 1, 1, 1),
            ("api".into(), 1, 1, 1)
        ]
    );
    assert_eq!(t.by_source[0].share, 0.5);
    assert_eq!(t.by_source[2].share, 0.25);
    assert_eq!(
        traffic_rows(&t.by_client),
        [
            ("cli-1".into(), 2, 1, 1),
            ("cli-2".into(), 1, 1, 1),
            ("sp_web".into(), 1, 1, 0)
        ]
    );
    assert_eq!(
        traffic_rows(&t.by_device),
        [
            ("desktop".into(), 2, 1, 1),
            (u.clone(), 1, 1, 1),
            ("mobile".into(), 1, 1, 0)
        ]
    );
    assert_eq!(
        traffic_rows(&t.by_country),
        [
            ("DE".into(), 2, 1, 1),
            (u.clone(), 1, 1, 1),
            ("US".into(), 1, 1, 0)
        ]
    );
    let top1 = engine
        .traffic_counting(&session_window(), 1, Counting::EVERYTHING)
        .await
        .unwrap();
    assert_eq!(traffic_rows(&top1.by_country), [("DE".into(), 2, 1, 1)]);

    // Clean traffic (the default): only sA counts; every key keeps its bots
    // beside, and the shares of bots are still of all four sessions.
    let clean = engine.traffic(&session_window(), 0).await.unwrap();
    assert_eq!(
        (
            clean.bots_included,
            clean.total_sessions,
            clean.bot_sessions
        ),
        (false, 1, 3)
    );
    assert_eq!((clean.bot_share, clean.scanner_share), (0.75, 0.5));
    assert_eq!(
        traffic_rows(&clean.by_country),
        [
            ("DE".into(), 1, 1, 1), // sA counted, sC a scanner
            (u.clone(), 0, 1, 1),
            ("US".into(), 0, 1, 0)
        ]
    );
    assert_eq!(clean.by_country[0].share, 1.0);
    let empty = engine
        .traffic(&window("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"), 0)
        .await
        .unwrap();
    assert_eq!(empty, TrafficReport::default());
}

async fn content_lists_landing_pages_and_referrers(shape: Shape) {
    let (_db, engine) = engine_with(shape, SESSION_FIXTURE).await;
    let c = engine
        .content_counting(&session_window(), 0, Counting::EVERYTHING)
        .await
        .unwrap();
    assert_eq!((c.total_sessions, c.bot_sessions), (4, 3));
    let rows = |rows: &[ContentRow]| {
        rows.iter()
            .map(|r| (r.key.clone(), r.session_count, r.unique_users, r.share))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rows(&c.landing_pages),
        [
            ("/home".into(), 2, 1, 0.5),      // sA, sB (both u1)
            (UNKNOWN_KEY.into(), 1, 0, 0.25), // sD, no user
            ("/docs".into(), 1, 1, 0.25),     // sC
        ]
    );
    assert_eq!(
        rows(&c.referrers),
        [
            ("google".into(), 2, 2, 0.5),    // sA (u1), sC (u2)
            (DIRECT_KEY.into(), 1, 1, 0.25), // sB
            ("hn".into(), 1, 0, 0.25),       // sD
        ]
    );
    let top1 = engine
        .content_counting(&session_window(), 1, Counting::EVERYTHING)
        .await
        .unwrap();
    assert_eq!(top1.landing_pages.len(), 1);
    assert_eq!(top1.referrers.len(), 1);
    // Clean traffic: only sA (u1, /home, google)
    let clean = engine.content(&session_window(), 0).await.unwrap();
    assert_eq!((clean.total_sessions, clean.bot_sessions), (1, 3));
    assert_eq!(rows(&clean.landing_pages), [("/home".into(), 1, 1, 1.0)]);
    assert_eq!(rows(&clean.referrers), [("google".into(), 1, 1, 1.0)]);
    let empty = engine
        .content(&window("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"), 0)
        .await
        .unwrap();
    assert_eq!(empty, ContentReport::default());
    let empty = engine
        .session_stats(&window("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(empty, SessionStats::default());
}

async fn conversations_total_messages_requests_and_cost(shape: Shape) {
    let (_db, engine) = engine_with(
        shape,
        "
INSERT INTO users (id, name, email) VALUES ('u1', 'Ada', 'ada@example.test'), ('u2', 'Bob', 'bob@example.test');
INSERT INTO user_contexts (context_id, user_id, name, created_at, updated_at) VALUES
 ('ctx1', 'u1', 'Billing', '2026-11-22 10:00Z', '2026-11-23 11:00Z'),
 ('ctx2', 'u2', 'Docs', '2026-11-23 01:00Z', '2026-11-23 05:00Z'),
 ('ctx3', 'u1', 'Old', '2026-11-22 01:00Z', '2026-11-22 05:00Z');
INSERT INTO ai_requests (id, request_id, user_id, context_id, provider, model, tokens_used, cost_microdollars, created_at, actor_kind, actor_id) VALUES
 ('c1r1', 'q-c1r1', 'u1', 'ctx1', 'p', 'm', 10, 100, '2026-11-22 10:05Z', 'user', 'u1'),
 ('c1r2', 'q-c1r2', 'u1', 'ctx1', 'p', 'm', 20, 200, '2026-11-23 10:05Z', 'user', 'u1'),
 ('c3r1', 'q-c3r1', 'u1', 'ctx3', 'p', 'm', 5, 5, '2026-11-22 01:05Z', 'user', 'u1');
INSERT INTO ai_request_messages (request_id, role, content, sequence_number) VALUES
 ('c1r1', 'user', 'a', 1), ('c1r1', 'assistant', 'b', 2), ('c1r1', 'user', 'c', 3),
 ('c1r2', 'user', 'd', 1), ('c1r2', 'assistant', 'e', 2), ('c3r1', 'user', 'f', 1);
INSERT INTO ai_request_tool_calls (request_id, tool_name, tool_input, sequence_number) VALUES
 ('c1r1', 'x', '{}', 0), ('c1r1', 'y', '{}', 1);
",
    )
    .await;
    let rows = engine.conversations(&session_window(), 0).await.unwrap();
    let got: Vec<(&str, &str, i64, i64, i64, i64)> = rows
        .iter()
        .map(|r| {
            (
                r.context_id.as_str(),
                r.name.as_str(),
                r.message_count,
                r.request_count,
                r.total_tokens,
                r.total_cost_microdollars.get(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // all of ctx1's requests (c1r1 predates the window): 3 + 2 messages,
            // the two tool calls do not multiply anything
            ("ctx1", "Billing", 5, 2, 30, 300),
            ("ctx2", "Docs", 0, 0, 0, 0),
        ]
    );
    assert_eq!(rows[0].user_id, UserId::new("u1"));
    let top1 = engine.conversations(&session_window(), 1).await.unwrap();
    assert_eq!(top1.len(), 1);
    assert_eq!(top1[0].context_id.as_str(), "ctx1");
}

async fn trend_buckets_are_utc_whatever_the_database_time_zone(shape: Shape) {
    let db = support::fresh_db_shaped(shape).await;
    // A database whose sessions default to New York time (UTC-5 in
    // November): a session-local date_trunc would put 03:00Z on the 22nd.
    db.exec(&format!(
        "ALTER DATABASE \"{}\" SET TimeZone = 'America/New_York'",
        db.name
    ))
    .await;
    db.exec(
        "INSERT INTO ai_requests (id, request_id, user_id, provider, model, cost_microdollars, created_at, context_id, actor_kind, actor_id) VALUES
 ('r1', 'q-r1', 'u1', 'p', 'm', 5, '2026-11-23 03:00Z', 'ctx-none', 'user', 'u1')",
    )
    .await;
    let engine = PgEngine::connect(&db.url).await.unwrap();
    let tz: String = sqlx::query_scalar("SHOW TimeZone")
        .fetch_one(engine.pool())
        .await
        .unwrap();
    assert_eq!(tz, "UTC");
    let trend = engine
        .cost_trend(
            &window("2026-11-22T00:00:00Z", "2026-11-24T00:00:00Z"),
            Bucket::Day,
        )
        .await
        .unwrap();
    let got: Vec<(String, i64)> = trend
        .iter()
        .map(|b| (b.bucket_start.to_rfc3339(), b.request_count))
        .collect();
    assert_eq!(
        got,
        [
            ("2026-11-22T00:00:00+00:00".into(), 0),
            ("2026-11-23T00:00:00+00:00".into(), 1)
        ]
    );
    let activity = engine
        .activity_trend(
            &window("2026-11-22T00:00:00Z", "2026-11-24T00:00:00Z"),
            Bucket::Day,
        )
        .await
        .unwrap();
    assert_eq!(
        activity.iter().map(|b| b.ai_requests).collect::<Vec<_>>(),
        [0, 1]
    );
}

async fn nul_characters_in_input_are_input_errors(shape: Shape) {
    let (_db, engine) = engine_with(shape, LOG_FIXTURE).await;
    let err = engine.audit_lookup("abcd\0ef").await.expect_err("NUL");
    assert!(matches!(err, Error::Input(_)), "{err:?}");
    assert!(err.to_string().contains("NUL"), "{err}");
    let err = engine
        .log_search(&LogFilter {
            pattern: Some("pay\0".into()),
            ..Default::default()
        })
        .await
        .expect_err("NUL");
    assert!(matches!(err, Error::Input(_)), "{err:?}");
    let err = engine
        .trace_detail(&TraceId::new("t\0"))
        .await
        .expect_err("NUL");
    assert!(matches!(err, Error::Input(_)), "{err:?}");
}

both_shapes!(
    overview_counts_the_eight_platform_figures,
    activity_trend_has_every_bucket_and_half_open_windows,
    cost_summary_sums_the_window,
    costs_skip_requests_without_a_model_or_provider,
    cost_breakdown_by_model_provider_and_agent,
    cost_trend_fills_empty_buckets,
    cost_overview_relative_to_now,
    ai_request_list_filters_and_orders,
    top_users_count_each_table_without_join_multiplication,
    top_agents_by_task_count,
    tools_statistics_and_every_sort_order,
    tool_execution_list_filters_and_orders,
    traces_list_summarises_and_filters,
    trace_detail_orders_the_timeline_and_sums,
    trace_detail_of_an_unknown_id_is_not_found,
    audit_prefix_ambiguity_and_exact_match,
    audit_resolves_tasks_and_traces,
    audit_prefix_metacharacters_are_literal,
    audit_rejects_short_prefixes_and_reports_no_match,
    log_search_is_literal_case_insensitive_and_filtered,
    log_summary_counts_levels_modules_and_range,
    request_stats_percentiles_and_rates,
    session_stats_counts_durations_and_bots,
    traffic_groups_sessions_by_source_client_device_country,
    content_lists_landing_pages_and_referrers,
    conversations_total_messages_requests_and_cost,
    trend_buckets_are_utc_whatever_the_database_time_zone,
    nul_characters_in_input_are_input_errors,
);
