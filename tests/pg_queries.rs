//! PgEngine against a real Postgres: every `QueryEngine` method checked on
//! small fixed datasets whose answers are computed by hand in the comments.
//! "NOW" is 2026-11-23 12:00 UTC throughout.

mod support;

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

async fn engine_with(sql: &str) -> (support::TestDb, PgEngine) {
    let db = support::fresh_db().await;
    db.exec(sql).await;
    let engine = PgEngine::connect(&db.url).await.expect("connect engine");
    (db, engine)
}

// ---------------------------------------------------------------- overview

const OVERVIEW_FIXTURE: &str = "
INSERT INTO users (id, name) VALUES ('u1', 'Ada'), ('u2', 'Bob'), ('u3', 'Cy');
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
INSERT INTO user_contexts (context_id, user_id) VALUES ('c1', 'u1'), ('c2', 'u2');
INSERT INTO agent_tasks (task_id) VALUES ('t1');
INSERT INTO ai_requests (id, request_id, user_id, provider, model) VALUES
 ('r1', 'q1', 'u1', 'p', 'm'), ('r2', 'q2', 'u1', 'p', 'm'),
 ('r3', 'q3', 'u2', 'p', 'm'), ('r4', 'q4', 'u2', 'p', 'm');
";

#[tokio::test]
async fn overview_counts_the_eight_platform_figures() {
    let (_db, engine) = engine_with(OVERVIEW_FIXTURE).await;
    let o = engine.overview(now()).await.unwrap();
    assert_eq!(
        o,
        PlatformOverview {
            total_users: 3,
            // last_activity >= 11-22 12:00: s1,s2,s9 (u1) s3 (u2) s5 (no user)
            // s7 (u4, exactly on the boundary) → {u1,u2,u4}
            active_users_24h: 3,
            // + s4 (u3, 3 days ago) + s8 (u5, one second outside 24h)
            active_users_7d: 5,
            total_sessions: 9,
            // open and last_activity >= 11:30: s1 (11:50), s5 (11:59),
            // s9 (exactly 11:30); s2 is ended, s3 too old
            active_sessions: 3,
            total_contexts: 2,
            total_tasks: 1,
            total_ai_requests: 4,
        }
    );
}

#[tokio::test]
async fn activity_trend_has_every_bucket_and_half_open_windows() {
    let (_db, engine) = engine_with(
        "
INSERT INTO user_sessions (session_id, user_id, started_at) VALUES
 ('s-before', 'u1', '2026-11-21 05:00Z'), ('s21', 'u1', '2026-11-21 07:00Z'),
 ('s22', 'u1', '2026-11-22 23:59Z'), ('s-end', 'u1', '2026-11-23 06:00Z');
INSERT INTO user_contexts (context_id, user_id, created_at) VALUES ('c22', 'u1', '2026-11-22 10:00Z');
INSERT INTO agent_tasks (task_id, created_at) VALUES ('t23', '2026-11-23 05:59Z');
INSERT INTO ai_requests (id, request_id, user_id, provider, model, created_at) VALUES
 ('r-start', 'q', 'u1', 'p', 'm', '2026-11-21 06:00Z'),
 ('r21', 'q', 'u1', 'p', 'm', '2026-11-21 12:00Z'),
 ('r23', 'q', 'u1', 'p', 'm', '2026-11-23 01:00Z'),
 ('r-h1', 'q', 'u1', 'p', 'm', '2026-11-23 10:15Z'),
 ('r-h2', 'q', 'u1', 'p', 'm', '2026-11-23 10:45Z'),
 ('r-h3', 'q', 'u1', 'p', 'm', '2026-11-23 11:59Z');
INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, started_at, created_at)
 VALUES ('m22', 't', 's', '2026-11-20 00:00Z', '2026-11-22 01:00Z');
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
INSERT INTO users (id, name) VALUES ('u1', 'Ada'), ('u2', 'Bob');
INSERT INTO agent_tasks (task_id, agent_name, status, user_id, created_at, execution_time_ms) VALUES
 ('t1', 'planner', 'TASK_STATE_COMPLETED', 'u1', '2026-11-23 09:00Z', 1000),
 ('t2', 'coder', 'TASK_STATE_FAILED', NULL, '2026-11-23 09:30Z', NULL),
 ('t3', NULL, 'TASK_STATE_WORKING', NULL, '2026-11-23 10:00Z', NULL),
 ('t4', 'planner', 'TASK_STATE_FAILED', NULL, '2026-11-23 10:30Z', 2001),
 ('t5', 'planner', 'TASK_STATE_COMPLETED', NULL, '2026-11-20 00:00Z', 5);
INSERT INTO ai_requests (id, request_id, user_id, task_id, provider, model, input_tokens,
    output_tokens, tokens_used, cost_microdollars, status, created_at) VALUES
 ('r1', 'q1', 'u1', 't1', 'openai', 'gpt-4o', 100, 50, 150, 1000, 'completed', '2026-11-23 10:00Z'),
 ('r2', 'q2', 'u1', 't2', 'openai', 'gpt-4o', 10, 10, 20, 3000, 'completed', '2026-11-23 11:00Z'),
 ('r3', 'q3', 'u2', NULL, 'anthropic', 'claude', NULL, NULL, NULL, 501, 'failed', '2026-11-23 09:00Z'),
 ('r4', 'q4', 'u2', 't3', 'anthropic', 'claude', 1, 2, 3, 2000, 'completed', '2026-11-22 12:00Z'),
 ('r5', 'q5', 'u1', 't1', 'openai', 'gpt-4o', 1, 1, 2, 99999, 'completed', '2026-11-23 12:00Z'),
 ('r6', 'q6', 'u2', NULL, 'anthropic', 'claude', 3, 4, 7, 7000, 'completed', '2026-11-21 12:00Z'),
 ('r7', 'q7', 'u2', NULL, 'anthropic', 'claude', 0, 0, 0, 11000, 'completed', '2026-10-01 12:00Z'),
 ('r8', 'q8', 'u2', NULL, 'anthropic', 'claude', 0, 0, 0, 13000, 'completed', '2026-11-10 12:00Z'),
 ('r9', 'q9', 'u3', 't-missing', 'openai', 'gpt-4o-mini', NULL, NULL, NULL, 0, 'pending', '2026-11-23 08:00Z');
INSERT INTO user_sessions (session_id, user_id, started_at) VALUES
 ('s1', 'u1', '2026-11-23 01:00Z'), ('s2', 'u1', '2026-11-23 02:00Z'), ('s3', 'u1', '2026-11-23 03:00Z'),
 ('s4', 'u3', '2026-11-23 04:00Z'), ('s5', 'u4', '2026-11-23 05:00Z'), ('s-old', 'u2', '2026-11-01 00:00Z');
";

#[tokio::test]
async fn cost_summary_sums_the_window() {
    let (_db, engine) = engine_with(COST_FIXTURE).await;
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
        }
    );
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

#[tokio::test]
async fn cost_breakdown_by_model_provider_and_agent() {
    let (_db, engine) = engine_with(COST_FIXTURE).await;
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

#[tokio::test]
async fn cost_trend_fills_empty_buckets() {
    let (_db, engine) = engine_with(COST_FIXTURE).await;
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

#[tokio::test]
async fn cost_overview_relative_to_now() {
    let (_db, engine) = engine_with(COST_FIXTURE).await;
    let o = engine.cost_overview(now()).await.unwrap();
    assert_eq!(
        o,
        CostOverview {
            cost_24h_microdollars: Microdollars(6501), // r1 r2 r3 r4 r9
            cost_7d_microdollars: Microdollars(13501), // + r6 (7000)
            cost_30d_microdollars: Microdollars(26501), // + r8 (13000)
            total_cost_microdollars: Microdollars(37501), // + r7 (11000); r5 is at NOW, excluded
            total_requests: 8,
            avg_cost_per_request_microdollars: Microdollars(4687), // 37501 / 8 = 4687.6
        }
    );
}

#[tokio::test]
async fn ai_request_list_filters_and_orders() {
    let (_db, engine) = engine_with(COST_FIXTURE).await;
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

#[tokio::test]
async fn top_users_count_each_table_without_join_multiplication() {
    let (_db, engine) = engine_with(COST_FIXTURE).await;
    let users = engine.top_users(&last_day(), 10).await.unwrap();
    let got: Vec<(String, Option<String>, i64, i64, i64, i64, i64)> = users
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
            // u3: r9 (cost 0) and one session, no users row
            ("u3".into(), None, 1, 0, 0, 1, 0),
            // u4: a session only
            ("u4".into(), None, 0, 0, 0, 1, 0),
        ]
    );
    let top2 = engine.top_users(&last_day(), 2).await.unwrap();
    assert_eq!(top2.len(), 2);
}

#[tokio::test]
async fn top_agents_by_task_count() {
    let (_db, engine) = engine_with(COST_FIXTURE).await;
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
                avg_execution_time_ms: 1500, // (1000 + 2001) / 2 = 1500.5
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
INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, status, execution_time_ms, started_at) VALUES
 ('m1', 'search', 'web', 'success', 100, '2026-11-23 01:00Z'),
 ('m2', 'search', 'web', 'failed', 300, '2026-11-23 02:00Z'),
 ('m3', 'search', 'web', 'success', NULL, '2026-11-23 03:00Z'),
 ('m4', 'fetch', 'web', 'timeout', 50, '2026-11-23 04:00Z'),
 ('m5', 'read_file', 'fs', 'success', 10, '2026-11-23 05:00Z'),
 ('m6', 'read_file', 'fs', 'success', 20, '2026-11-23 11:00Z'),
 ('m7', 'search', 'other', 'success', 1000, '2026-11-23 06:00Z'),
 ('m8', 'search', 'web', 'success', 5, '2026-11-22 23:00Z');
";

fn tool_keys(rows: &[ToolStats]) -> Vec<String> {
    rows.iter()
        .map(|t| format!("{}@{}", t.tool_name, t.server_name))
        .collect()
}

#[tokio::test]
async fn tools_statistics_and_every_sort_order() {
    let (_db, engine) = engine_with(TOOLS_FIXTURE).await;
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

#[tokio::test]
async fn tool_execution_list_filters_and_orders() {
    let (_db, engine) = engine_with(TOOLS_FIXTURE).await;
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
