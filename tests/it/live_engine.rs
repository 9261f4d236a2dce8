//! LiveEngine against a small hand-built event set: every QueryEngine
//! method with hand-computed answers, replacement of pending rows, bounded
//! eviction (by rows and by bytes), rolling rates over a synthetic minute,
//! audit prefix edge cases.

#![allow(clippy::type_complexity)]

use crate::live_fixture;

use chrono::Duration;
use live_fixture::*;
use tracetop::error::Error;
use tracetop::live::{LiveEngine, LiveLimits};
use tracetop::model::*;
use tracetop::query::*;

fn engine() -> LiveEngine {
    let e = LiveEngine::new(LiveLimits::default());
    e.ingest_all(&fixture());
    e
}

#[tokio::test]
async fn overview_counts_rows_and_activity_relative_to_now() {
    let o = engine().overview(now()).await.unwrap();
    assert_eq!(
        o,
        PlatformOverview {
            // u1, u2 and u3 (seen 30 days ago, active only days ago)
            total_users: 3,
            // clean traffic: sess-2 (u2, bot) and sess-3 (scanner) are out,
            // leaving sess-1 (u1, today) and sess-4 (u3, two days ago)
            active_users_24h: 1,
            active_users_7d: 2,
            total_sessions: 2,
            // sess-2 was the only open one
            active_sessions: 0,
            total_contexts: 2,
            total_tasks: 3,
            total_ai_requests: 5,
        }
    );
}

#[tokio::test]
async fn activity_trend_has_every_hour_bucket() {
    let buckets = engine()
        .activity_trend(&window(), Bucket::Hour)
        .await
        .unwrap();
    let rows: Vec<(Timestamp, i64, i64, i64, i64, i64)> = buckets
        .iter()
        .map(|b| {
            (
                b.bucket_start,
                b.sessions,
                b.contexts,
                b.tasks,
                b.ai_requests,
                b.tool_executions,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (min(0), 1, 1, 1, 2, 1),
            (min(60), 1, 1, 1, 2, 1),
            (min(120), 1, 0, 1, 0, 1),
        ]
    );
}

#[tokio::test]
async fn cost_summary_breakdowns_trend_and_overview() {
    let e = engine();
    let s = e.cost_summary(&window()).await.unwrap();
    assert_eq!(
        s,
        CostSummary {
            request_count: 4,
            input_tokens: 210,
            output_tokens: 140,
            total_tokens: 350,
            total_cost_microdollars: Microdollars(4500),
            avg_cost_per_request_microdollars: Microdollars(1125),
            cache_read_tokens: 0,
            cache_creation_tokens: 0,
            cached_input_share: 0.0,
            synthetic_requests_excluded: 0,
            no_model_requests_excluded: 0,
        }
    );

    let by_model = e
        .cost_breakdown(&window(), CostDimension::Model)
        .await
        .unwrap();
    let rows: Vec<(&str, i64, i64, i64, f64)> = by_model
        .iter()
        .map(|r| {
            (
                r.key.as_str(),
                r.request_count,
                r.total_tokens,
                r.total_cost_microdollars.get(),
                r.cost_share,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("claude-sonnet", 1, 200, 3000, 3000.0 / 4500.0),
            ("gpt-4o", 2, 150, 1500, 1500.0 / 4500.0),
            ("gpt-4o-mini", 1, 0, 0, 0.0),
        ]
    );
    assert_eq!(by_model[1].input_tokens, 90);
    assert_eq!(by_model[1].output_tokens, 60);
    let json = serde_json::to_value(&by_model[0]).unwrap();
    assert_eq!(json["model"], "claude-sonnet");

    let by_provider = e
        .cost_breakdown(&window(), CostDimension::Provider)
        .await
        .unwrap();
    let rows: Vec<(&str, i64, i64)> = by_provider
        .iter()
        .map(|r| {
            (
                r.key.as_str(),
                r.request_count,
                r.total_cost_microdollars.get(),
            )
        })
        .collect();
    assert_eq!(rows, vec![("anthropic", 1, 3000), ("openai", 3, 1500)]);

    let by_agent = e
        .cost_breakdown(&window(), CostDimension::Agent)
        .await
        .unwrap();
    let rows: Vec<(&str, i64, i64, f64)> = by_agent
        .iter()
        .map(|r| {
            (
                r.key.as_str(),
                r.request_count,
                r.total_cost_microdollars.get(),
                r.cost_share,
            )
        })
        .collect();
    assert_eq!(rows, vec![("planner", 3, 4500, 1.0), (NO_AGENT, 1, 0, 0.0)]);

    let trend = e.cost_trend(&window(), Bucket::Hour).await.unwrap();
    let rows: Vec<(Timestamp, i64, i64, i64)> = trend
        .iter()
        .map(|b| {
            (
                b.bucket_start,
                b.request_count,
                b.total_tokens,
                b.total_cost_microdollars.get(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (min(0), 2, 300, 4000),
            (min(60), 2, 50, 500),
            (min(120), 0, 0, 0)
        ]
    );

    let o = e.cost_overview(now()).await.unwrap();
    assert_eq!(
        o,
        CostOverview {
            cost_24h_microdollars: Microdollars(4500),
            cost_7d_microdollars: Microdollars(14_500),
            cost_30d_microdollars: Microdollars(14_500),
            total_cost_microdollars: Microdollars(14_500),
            total_requests: 5,
            avg_cost_per_request_microdollars: Microdollars(2900),
        }
    );
}

#[tokio::test]
async fn leaderboards_count_each_table_on_its_own() {
    let e = engine();
    let users = e.top_users(&window(), 10).await.unwrap();
    assert_eq!(
        users,
        vec![
            UserLeader {
                user_id: "u1".into(),
                user_name: Some("Ada".into()),
                request_count: 2,
                total_tokens: 300,
                total_cost_microdollars: Microdollars(4000),
                session_count: 2,
                task_count: 2,
            },
            UserLeader {
                user_id: "u2".into(),
                user_name: Some("Bob".into()),
                request_count: 2,
                total_tokens: 50,
                total_cost_microdollars: Microdollars(500),
                session_count: 1,
                task_count: 1,
            },
        ]
    );
    assert_eq!(e.top_users(&window(), 1).await.unwrap().len(), 1);

    let agents = e.top_agents(&window(), 10).await.unwrap();
    assert_eq!(
        agents,
        vec![
            AgentLeader {
                agent_name: "planner".into(),
                task_count: 2,
                completed_count: 1,
                failed_count: 1,
                success_rate: 0.5,
                avg_execution_time_ms: 2000,
                request_count: 3,
                total_cost_microdollars: Microdollars(4500),
            },
            AgentLeader {
                agent_name: "coder".into(),
                task_count: 1,
                completed_count: 0,
                failed_count: 0,
                success_rate: 0.0,
                avg_execution_time_ms: 0,
                request_count: 0,
                total_cost_microdollars: Microdollars(0),
            },
        ]
    );

    let tools = e.top_tools(&window(), 10).await.unwrap();
    assert_eq!(
        tools,
        vec![
            ToolStats {
                tool_name: "search".into(),
                server_name: "web".into(),
                execution_count: 2,
                success_count: 1,
                failure_count: 1,
                success_rate: 0.5,
                avg_time_ms: 200,
                last_used: at(62 * 60 + 10),
            },
            ToolStats {
                tool_name: "get_secret".into(),
                server_name: "vault".into(),
                execution_count: 1,
                success_count: 0,
                failure_count: 1,
                success_rate: 0.0,
                avg_time_ms: 0,
                last_used: min(121),
            },
        ]
    );
    let names = |rows: Vec<ToolStats>| rows.into_iter().map(|t| t.tool_name).collect::<Vec<_>>();
    assert_eq!(
        names(e.tools(&window(), ToolSort::Name, 10).await.unwrap()),
        ["get_secret", "search"]
    );
    assert_eq!(
        names(e.tools(&window(), ToolSort::SuccessRate, 10).await.unwrap()),
        ["search", "get_secret"]
    );
    assert_eq!(
        names(e.tools(&window(), ToolSort::AvgTime, 10).await.unwrap()),
        ["search", "get_secret"]
    );
    assert_eq!(
        names(e.tools(&window(), ToolSort::LastUsed, 10).await.unwrap()),
        ["get_secret", "search"]
    );
    assert_eq!(
        names(e.tools(&window(), ToolSort::Executions, 1).await.unwrap()),
        ["search"]
    );
}

#[tokio::test]
async fn trace_list_rows_and_filters() {
    let e = engine();
    let base = TraceListFilter {
        window: Some(window()),
        limit: 10,
        ..Default::default()
    };
    let all = e.traces(&base).await.unwrap();
    assert_eq!(
        all,
        vec![
            TraceListItem {
                trace_id: "trace-010".into(),
                started_at: min(120),
                last_activity_at: min(121),
                user_id: Some("u1".into()),
                agent_name: Some("coder".into()),
                // its task is still working, but an MCP execution failed
                status: "failed".into(),
                task_status: Some("working".into()),
                request_count: 0,
                total_tokens: 0,
                total_cost_microdollars: Microdollars(0),
                mcp_count: 1,
                error_count: 1,
            },
            TraceListItem {
                trace_id: "trace-04".into(),
                started_at: min(63),
                last_activity_at: min(63),
                user_id: Some("u2".into()),
                agent_name: None,
                status: "pending".into(),
                task_status: None,
                request_count: 1,
                total_tokens: 0,
                total_cost_microdollars: Microdollars(0),
                mcp_count: 0,
                error_count: 0,
            },
            TraceListItem {
                trace_id: "trace-02".into(),
                started_at: min(61),
                last_activity_at: at(62 * 60 + 10),
                user_id: Some("u2".into()),
                agent_name: Some("planner".into()),
                status: "failed".into(),
                task_status: Some("failed".into()),
                request_count: 1,
                total_tokens: 50,
                total_cost_microdollars: Microdollars(500),
                mcp_count: 1,
                error_count: 2,
            },
            TraceListItem {
                trace_id: "trace-01".into(),
                started_at: min(1),
                last_activity_at: min(2),
                user_id: Some("u1".into()),
                agent_name: Some("planner".into()),
                status: "completed".into(),
                task_status: Some("completed".into()),
                request_count: 2,
                total_tokens: 300,
                total_cost_microdollars: Microdollars(4000),
                mcp_count: 1,
                error_count: 0,
            },
        ]
    );
    let ids = |f: TraceListFilter| {
        let e = &e;
        async move {
            e.traces(&f)
                .await
                .unwrap()
                .into_iter()
                .map(|t| t.trace_id.0)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        ids(TraceListFilter {
            agent: Some("planner".into()),
            ..base.clone()
        })
        .await,
        ["trace-02", "trace-01"]
    );
    assert_eq!(
        ids(TraceListFilter {
            status: Some("failed".into()),
            ..base.clone()
        })
        .await,
        ["trace-010", "trace-02"] // trace-010's task works on, its tool call failed
    );
    assert_eq!(
        ids(TraceListFilter {
            status: Some("TASK_STATE_WORKING".into()),
            ..base.clone()
        })
        .await,
        // the only working task's trace reads failed (its tool call failed)
        Vec::<&str>::new()
    );
    assert_eq!(
        ids(TraceListFilter {
            tool: Some("search".into()),
            ..base.clone()
        })
        .await,
        ["trace-02", "trace-01"]
    );
    assert_eq!(
        ids(TraceListFilter {
            has_mcp: Some(false),
            ..base.clone()
        })
        .await,
        ["trace-04"]
    );
    assert_eq!(
        ids(TraceListFilter {
            user: Some("u1".into()),
            ..base.clone()
        })
        .await,
        ["trace-010", "trace-01"]
    );
    // by a request's served model or provider: trace-01 asked gpt-4o
    // (openai) and claude-sonnet (anthropic), trace-02 gpt-4o, trace-04
    // gpt-4o-mini (openai); trace-010 has no request
    for (model, provider, want) in [
        (Some("gpt-4o"), None, vec!["trace-02", "trace-01"]),
        (Some("gpt-4o-mini"), None, vec!["trace-04"]),
        (None, Some("anthropic"), vec!["trace-01"]),
        (
            None,
            Some("openai"),
            vec!["trace-04", "trace-02", "trace-01"],
        ),
        (Some("claude-sonnet"), Some("openai"), vec!["trace-01"]),
        (Some("gpt-4o"), Some("anthropic"), vec!["trace-01"]),
        (Some("nope"), None, vec![]),
    ] {
        let got = ids(TraceListFilter {
            model: model.map(String::from),
            provider: provider.map(String::from),
            ..base.clone()
        })
        .await;
        assert_eq!(got, want, "model {model:?} provider {provider:?}");
    }
    assert_eq!(
        ids(TraceListFilter {
            limit: 2,
            ..base.clone()
        })
        .await,
        ["trace-010", "trace-04"]
    );
    let narrow = TimeWindow {
        start: min(61),
        end: min(63),
    };
    assert_eq!(
        ids(TraceListFilter {
            window: Some(narrow),
            ..base.clone()
        })
        .await,
        ["trace-02"]
    );
}

#[tokio::test]
async fn trace_detail_is_one_ordered_timeline_with_summaries() {
    let d = engine().trace_detail(&"trace-01".into()).await.unwrap();
    let order: Vec<&str> = d.events.iter().map(|e| e.id()).collect();
    assert_eq!(
        order,
        [
            "step-1",
            "req-aaaa1",
            "log-1",
            "mcp-1",
            "step-2",
            "req-aaaa2",
            "log-2"
        ]
    );
    assert_eq!(
        d.ai_summary,
        AiRequestSummary {
            request_count: 2,
            failed_count: 0,
            input_tokens: 180,
            output_tokens: 120,
            total_tokens: 300,
            total_cost_microdollars: Microdollars(4000),
            total_latency_ms: 2000,
        }
    );
    assert_eq!(
        d.mcp_summary,
        McpExecutionSummary {
            execution_count: 1,
            failed_count: 0,
            total_execution_time_ms: 100,
        }
    );
    assert_eq!(
        d.step_summary,
        ExecutionStepSummary {
            step_count: 2,
            completed_count: 1,
            failed_count: 1,
            total_duration_ms: 250,
        }
    );
    assert_eq!(d.task.unwrap().task_id.as_str(), "task-0001");

    let err = engine()
        .trace_detail(&"no-such-trace".into())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err}");
}

fn found(r: AuditResolution) -> AuditRecord {
    match r {
        AuditResolution::Found(rec) => *rec,
        other => panic!("expected found, got {other:?}"),
    }
}

fn ambiguous(r: AuditResolution) -> Vec<(IdKind, String, Timestamp)> {
    match r {
        AuditResolution::Ambiguous { candidates, .. } => candidates
            .into_iter()
            .map(|c| (c.kind, c.id, c.created_at))
            .collect(),
        other => panic!("expected ambiguous, got {other:?}"),
    }
}

#[tokio::test]
async fn audit_resolves_requests_tasks_and_traces_by_prefix() {
    let e = engine();
    // one request, trimmed, with its MCP execution linked by request.mcp_execution_id
    let r = found(e.audit_lookup("  req-bbbb3 ").await.unwrap());
    assert_eq!(r.matched_kind, IdKind::Request);
    assert_eq!(r.matched_id, "req-bbbb3");
    assert_eq!(r.trace_id.as_ref().unwrap().as_str(), "trace-02");
    assert_eq!(r.task_id.as_ref().unwrap().as_str(), "task-0002");
    assert_eq!(r.task.as_ref().unwrap().task_id.as_str(), "task-0002");
    assert_eq!(r.requests[0].mcp_executions.len(), 1);
    assert_eq!(
        r.requests[0].mcp_executions[0].mcp_execution_id.as_str(),
        "mcp-2"
    );

    // exact request id: messages in sequence order, tool call's MCP execution
    let r = found(e.audit_lookup("req-aaaa1").await.unwrap());
    let roles: Vec<&str> = r.requests[0]
        .messages
        .iter()
        .map(|m| m.role.as_str())
        .collect();
    assert_eq!(roles, ["user", "assistant"]);
    assert_eq!(r.requests[0].tool_calls.len(), 1);
    assert_eq!(
        r.requests[0].mcp_executions[0].mcp_execution_id.as_str(),
        "mcp-1"
    );

    // ambiguous prefix: candidates newest first
    assert_eq!(
        ambiguous(e.audit_lookup("req-aaaa").await.unwrap()),
        vec![
            (IdKind::Request, "req-aaaa2".to_string(), min(2)),
            (IdKind::Request, "req-aaaa1".to_string(), min(1)),
        ]
    );

    // a task: all its requests in created order
    let r = found(e.audit_lookup("task-0001").await.unwrap());
    assert_eq!(r.matched_kind, IdKind::Task);
    let ids: Vec<&str> = r.request_ids.iter().map(|i| i.as_str()).collect();
    assert_eq!(ids, ["req-aaaa1", "req-aaaa2"]);
    assert_eq!(r.trace_id.unwrap().as_str(), "trace-01");

    // a task id known only from ai_requests.task_id
    let r = found(e.audit_lookup("task-99").await.unwrap());
    assert_eq!(
        (r.matched_kind, r.matched_id.as_str()),
        (IdKind::Task, "task-9999")
    );
    assert!(r.task.is_none());
    assert_eq!(r.trace_id.unwrap().as_str(), "trace-04");

    assert_eq!(
        ambiguous(e.audit_lookup("task-000").await.unwrap()),
        vec![
            (IdKind::Task, "task-0003".to_string(), min(120)),
            (IdKind::Task, "task-0002".to_string(), min(61)),
            (IdKind::Task, "task-0001".to_string(), min(1)),
        ]
    );

    // exact trace id wins over the longer trace-010
    let r = found(e.audit_lookup("trace-01").await.unwrap());
    assert_eq!(r.matched_kind, IdKind::Trace);
    assert_eq!(r.task_id.unwrap().as_str(), "task-0001");
    assert_eq!(r.requests.len(), 2);

    assert_eq!(
        ambiguous(e.audit_lookup("trace-0").await.unwrap()),
        vec![
            (IdKind::Trace, "trace-010".to_string(), min(120)),
            (IdKind::Trace, "trace-04".to_string(), min(63)),
            (IdKind::Trace, "trace-02".to_string(), min(61)),
            (IdKind::Trace, "trace-01".to_string(), min(1)),
        ]
    );
}

#[tokio::test]
async fn audit_prefix_edge_cases() {
    let e = engine();
    for short in ["", "   ", "ab", " req "] {
        let err = e.audit_lookup(short).await.unwrap_err();
        assert!(matches!(err, Error::Input(_)), "{short:?}: {err}");
    }
    // LIKE metacharacters are literal
    for literal in ["req%", "req-_aaa", "req-\\aaa", "%%%%", "____"] {
        let err = e.audit_lookup(literal).await.unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{literal:?}: {err}");
    }
    let err = e.audit_lookup("zzzz-nothing").await.unwrap_err();
    assert!(err.to_string().contains("zzzz-nothing"), "{err}");
}

#[tokio::test]
async fn audit_ambiguity_is_capped() {
    let e = LiveEngine::new(LiveLimits::default());
    for i in 0..(MAX_AUDIT_CANDIDATES + 5) {
        e.ingest(&Event::AiRequestStarted {
            request: request(
                &format!("many-{i:03}"),
                "u",
                None,
                None,
                None,
                "p",
                "m",
                None,
                0,
                None,
                "pending",
                at(i as i64),
            ),
        });
    }
    let c = ambiguous(e.audit_lookup("many").await.unwrap());
    assert_eq!(c.len(), MAX_AUDIT_CANDIDATES);
    assert_eq!(c[0].1, format!("many-{:03}", MAX_AUDIT_CANDIDATES + 4));
}

#[tokio::test]
async fn log_search_and_summary() {
    let e = engine();
    let search = |f: LogFilter| {
        let e = &e;
        async move {
            e.log_search(&f)
                .await
                .unwrap()
                .into_iter()
                .map(|l| l.id.0)
                .collect::<Vec<_>>()
        }
    };
    let all = LogFilter {
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        search(LogFilter {
            pattern: Some("100%".into()),
            ..all.clone()
        })
        .await,
        ["log-2"]
    );
    assert_eq!(
        search(LogFilter {
            pattern: Some("%".into()),
            ..all.clone()
        })
        .await,
        ["log-2"]
    );
    assert_eq!(
        search(LogFilter {
            pattern: Some("_x".into()),
            ..all.clone()
        })
        .await,
        ["log-2"]
    );
    assert_eq!(
        search(LogFilter {
            pattern: Some("PLANNER".into()),
            ..all.clone()
        })
        .await,
        ["log-1"]
    );
    assert_eq!(
        search(LogFilter {
            level: Some("error".into()),
            ..all.clone()
        })
        .await,
        ["log-2"]
    );
    assert_eq!(
        search(LogFilter {
            module: Some("agent".into()),
            ..all.clone()
        })
        .await,
        ["log-3", "log-1"]
    );
    assert_eq!(
        search(LogFilter {
            trace_id: Some("trace-01".into()),
            ..all.clone()
        })
        .await,
        ["log-2", "log-1"]
    );
    assert_eq!(
        search(LogFilter {
            window: Some(TimeWindow {
                start: t0(),
                end: min(3)
            }),
            ..all.clone()
        })
        .await,
        ["log-1"]
    );
    assert_eq!(
        search(LogFilter {
            limit: 1,
            ..all.clone()
        })
        .await,
        ["log-4"]
    );

    let s = e.log_summary(&window()).await.unwrap();
    let levels: Vec<(&str, i64)> = s
        .by_level
        .iter()
        .map(|l| (l.level.as_str(), l.count))
        .collect();
    assert_eq!(
        levels,
        [("ERROR", 1), ("WARN", 1), ("INFO", 1), ("TRACE", 1)]
    );
    let modules: Vec<(&str, i64)> = s
        .top_modules
        .iter()
        .map(|m| (m.module.as_str(), m.count))
        .collect();
    assert_eq!(modules, [("agent", 2), ("mcp", 1), ("zeta", 1)]);
    assert_eq!(s.total, 4);
    assert_eq!(s.first_at, Some(min(1)));
    assert_eq!(s.last_at, Some(min(125)));
}

#[tokio::test]
async fn tool_execution_and_request_filters() {
    let e = engine();
    let execs = |f: ToolExecutionFilter| {
        let e = &e;
        async move {
            e.tool_executions(&f)
                .await
                .unwrap()
                .into_iter()
                .map(|m| m.mcp_execution_id.0)
                .collect::<Vec<_>>()
        }
    };
    let all = ToolExecutionFilter {
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        execs(ToolExecutionFilter {
            tool_name: Some("search".into()),
            ..all.clone()
        })
        .await,
        ["mcp-2", "mcp-1"]
    );
    assert_eq!(
        execs(ToolExecutionFilter {
            status: Some("timeout".into()),
            ..all.clone()
        })
        .await,
        ["mcp-3"]
    );
    assert_eq!(
        execs(ToolExecutionFilter {
            server_name: Some("vault".into()),
            ..all.clone()
        })
        .await,
        ["mcp-3"]
    );
    assert_eq!(
        execs(ToolExecutionFilter {
            limit: 2,
            ..all.clone()
        })
        .await,
        ["mcp-3", "mcp-2"]
    );

    let reqs = |f: AiRequestFilter| {
        let e = &e;
        async move {
            e.ai_requests(&f)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.id.0)
                .collect::<Vec<_>>()
        }
    };
    let all = AiRequestFilter {
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        reqs(AiRequestFilter {
            model: Some("gpt-4o".into()),
            ..all.clone()
        })
        .await,
        ["req-bbbb3", "req-aaaa1", "req-dddd5"]
    );
    assert_eq!(
        reqs(AiRequestFilter {
            user_id: Some("u2".into()),
            ..all.clone()
        })
        .await,
        ["req-cccc4", "req-bbbb3"]
    );
    assert_eq!(
        reqs(AiRequestFilter {
            status: Some("pending".into()),
            ..all.clone()
        })
        .await,
        ["req-cccc4"]
    );
    assert_eq!(
        reqs(AiRequestFilter {
            provider: Some("anthropic".into()),
            ..all.clone()
        })
        .await,
        ["req-aaaa2"]
    );
    assert_eq!(
        reqs(AiRequestFilter {
            window: Some(window()),
            ..all.clone()
        })
        .await,
        ["req-cccc4", "req-bbbb3", "req-aaaa2", "req-aaaa1"]
    );
}

#[tokio::test]
async fn request_stats_use_discrete_percentiles() {
    let s = engine().request_stats(&window()).await.unwrap();
    assert_eq!(
        (
            s.request_count,
            s.completed_count,
            s.failed_count,
            s.pending_count,
            s.cache_hit_count
        ),
        (4, 2, 1, 1, 1)
    );
    assert_eq!((s.error_rate, s.cache_hit_rate), (0.25, 0.25));
    assert_eq!(s.avg_latency_ms, 1500);
    assert_eq!(
        (s.p50_latency_ms, s.p95_latency_ms, s.p99_latency_ms),
        (Some(1500), Some(2500), Some(2500))
    );
    assert_eq!(
        (s.total_tokens, s.total_cost_microdollars),
        (350, Microdollars(4500))
    );
    let models: Vec<(&str, &str, i64, i64, Option<i64>, Option<i64>)> = s
        .by_model
        .iter()
        .map(|m| {
            (
                m.model.as_str(),
                m.provider.as_str(),
                m.request_count,
                m.avg_latency_ms,
                m.p50_latency_ms,
                m.p95_latency_ms,
            )
        })
        .collect();
    assert_eq!(
        models,
        [
            ("gpt-4o", "openai", 2, 1500, Some(500), Some(2500)),
            (
                "claude-sonnet",
                "anthropic",
                1,
                1500,
                Some(1500),
                Some(1500)
            ),
            ("gpt-4o-mini", "openai", 1, 0, None, None),
        ]
    );
    assert_eq!(s.by_model[0].error_rate, 0.5);
    assert_eq!(s.by_model[1].cache_hit_rate, 1.0);
}

#[tokio::test]
async fn sessions_traffic_content_and_conversations() {
    let e = engine();
    let all = Counting::EVERYTHING;
    let s = e.session_stats_counting(&window(), all).await.unwrap();
    assert_eq!(
        s,
        SessionStats {
            bots_included: true,
            session_count: 3,
            unique_users: 2,
            ended_count: 2,
            // (600 s + 31.5 s) / 2 = 315.75, rounded
            avg_duration_seconds: 316,
            total_requests: 8,
            total_ai_requests: 3,
            bot_sessions: 2, // one flagged is_bot, one scanner
            scanner_sessions: 1,
            behavioral_bot_sessions: 0,
            ai_crawler_sessions: 0,
            bot_share: 2.0 / 3.0,
        }
    );

    let t = e.traffic_counting(&window(), 10, all).await.unwrap();
    assert_eq!(
        (t.total_sessions, t.bot_sessions, t.scanner_sessions),
        (3, 2, 1)
    );
    assert_eq!((t.bot_share, t.scanner_share), (2.0 / 3.0, 1.0 / 3.0));
    let rows = |r: &[TrafficRow]| {
        r.iter()
            .map(|r| (r.key.clone(), r.session_count, r.bot_count, r.scanner_count))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rows(&t.by_source),
        [("web".into(), 2, 1, 1), (UNKNOWN_KEY.into(), 1, 1, 0)]
    );
    assert_eq!(
        rows(&t.by_client),
        [("sp_web".into(), 2, 2, 1), ("c1".into(), 1, 0, 0)]
    );
    assert_eq!(
        rows(&t.by_device),
        [("desktop".into(), 2, 1, 1), ("mobile".into(), 1, 1, 0)]
    );
    assert_eq!(
        rows(&t.by_country),
        [("DE".into(), 2, 1, 1), (UNKNOWN_KEY.into(), 1, 1, 0)]
    );
    assert_eq!(t.by_source[0].share, 2.0 / 3.0);
    assert_eq!(
        e.traffic_counting(&window(), 1, all)
            .await
            .unwrap()
            .by_device
            .len(),
        1
    );

    let c = e.content_counting(&window(), 10, all).await.unwrap();
    assert_eq!(c.total_sessions, 3);
    let rows = |r: &[ContentRow]| {
        r.iter()
            .map(|r| (r.key.clone(), r.session_count, r.unique_users))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rows(&c.landing_pages),
        [("/".into(), 2, 1), (UNKNOWN_KEY.into(), 1, 1)]
    );
    assert_eq!(
        rows(&c.referrers),
        [(DIRECT_KEY.into(), 2, 2), ("google".into(), 1, 1)]
    );
    assert_eq!(c.referrers[1].share, 1.0 / 3.0);

    let conv = e.conversations(&window(), 10).await.unwrap();
    let rows: Vec<(&str, i64, i64, i64, i64)> = conv
        .iter()
        .map(|c| {
            (
                c.context_id.as_str(),
                c.message_count,
                c.request_count,
                c.total_tokens,
                c.total_cost_microdollars.get(),
            )
        })
        .collect();
    assert_eq!(rows, [("ctx-2", 1, 2, 50, 500), ("ctx-1", 3, 2, 300, 4000)]);
    assert_eq!(e.conversations(&window(), 1).await.unwrap().len(), 1);
}

#[tokio::test]
async fn completed_replaces_pending_and_a_late_start_does_not_undo_it() {
    let e = engine();
    let mut done = request(
        "req-cccc4",
        "u2",
        Some("task-9999"),
        Some("ctx-2"),
        Some("trace-04"),
        "openai",
        "gpt-4o-mini",
        Some((7, 3)),
        42,
        Some(900),
        "completed",
        min(63),
    );
    done.updated_at = min(64);
    e.ingest(&Event::AiRequestCompleted {
        request: done.clone(),
        messages: vec![message("req-cccc4", 0, "user", "q")],
        tool_calls: vec![],
    });
    let late_start = request(
        "req-cccc4",
        "u2",
        Some("task-9999"),
        Some("ctx-2"),
        Some("trace-04"),
        "openai",
        "gpt-4o-mini",
        None,
        0,
        None,
        "pending",
        min(63),
    );
    e.ingest(&Event::AiRequestStarted {
        request: late_start,
    });

    assert_eq!(e.overview(now()).await.unwrap().total_ai_requests, 5);
    let rows = e
        .ai_requests(&AiRequestFilter {
            model: Some("gpt-4o-mini".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(rows, vec![done]);
    let items = e
        .traces(&TraceListFilter {
            window: Some(window()),
            has_mcp: Some(false),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        (items[0].status.as_str(), items[0].total_tokens),
        ("completed", 10)
    );
    let conv = e.conversations(&window(), 10).await.unwrap();
    assert_eq!(conv[0].message_count, 2);
    assert_eq!(e.evicted(), 0);
}

#[tokio::test]
async fn session_end_and_task_update_replace_their_rows() {
    let e = engine();
    let mut t = match task(
        "task-0003",
        "coder",
        "trace-010",
        task_state::COMPLETED,
        Some(700),
        "u1",
        min(120),
    ) {
        Event::TaskUpdated { task } => task,
        _ => unreachable!(),
    };
    t.updated_at = min(130);
    e.ingest(&Event::TaskUpdated { task: t });
    let agents = e.top_agents(&window(), 10).await.unwrap();
    assert_eq!(
        (
            agents[1].agent_name.as_str(),
            agents[1].completed_count,
            agents[1].avg_execution_time_ms
        ),
        ("coder", 1, 700)
    );
    assert_eq!(e.overview(now()).await.unwrap().total_tasks, 3);

    let mut s2 = session("sess-2", Some("u2"), min(60));
    s2.ended_at = Some(min(70));
    s2.last_activity_at = min(70);
    s2.is_bot = true;
    e.ingest(&Event::SessionEnded { session: s2 });
    // the ended session replaced its row: still four rows, none active
    // (counting the bot and scanner sessions too)
    let o = e
        .overview_counting(now(), Counting::EVERYTHING)
        .await
        .unwrap();
    assert_eq!((o.total_sessions, o.active_sessions), (4, 0));
}

fn numbered_log(i: usize) -> Event {
    log(
        &format!("log-{i:04}"),
        Some("trace-x"),
        "INFO",
        "m",
        "same size message",
        at(i as i64),
    )
}

#[tokio::test]
async fn eviction_by_row_count_drops_the_oldest_written() {
    let e = LiveEngine::new(LiveLimits {
        max_events: 3,
        max_bytes: usize::MAX,
    });
    for i in 0..3 {
        e.ingest(&numbered_log(i));
    }
    // rewriting log 0 makes it the newest write
    e.ingest(&numbered_log(0));
    e.ingest(&numbered_log(3));
    e.ingest(&numbered_log(4));
    let ids: Vec<String> = e
        .log_search(&LogFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.id.0)
        .collect();
    assert_eq!(ids, ["log-0004", "log-0003", "log-0000"]);
    assert_eq!(e.evicted(), 2);
    let stats = e.stats();
    assert_eq!((stats.rows, stats.ingested, stats.evicted), (3, 6, 2));
    // the trace index follows the evictions
    let d = e.trace_detail(&"trace-x".into()).await.unwrap();
    assert_eq!(d.events.len(), 3);
}

#[tokio::test]
async fn eviction_by_bytes_keeps_the_store_under_its_budget() {
    let probe = LiveEngine::new(LiveLimits::default());
    probe.ingest(&numbered_log(0));
    let one = probe.stats().bytes;
    assert!(
        one > 100,
        "a log row should cost more than 100 bytes, got {one}"
    );

    let budget = one * 5 / 2;
    let e = LiveEngine::new(LiveLimits {
        max_events: usize::MAX,
        max_bytes: budget,
    });
    for i in 0..10 {
        e.ingest(&numbered_log(i));
    }
    let stats = e.stats();
    assert_eq!((stats.rows, stats.evicted), (2, 8));
    assert!(stats.bytes <= budget);
    let ids: Vec<String> = e
        .log_search(&LogFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.id.0)
        .collect();
    assert_eq!(ids, ["log-0009", "log-0008"]);
}

#[tokio::test]
async fn evicted_rows_leave_no_index_entries() {
    let e = LiveEngine::new(LiveLimits {
        max_events: 2,
        max_bytes: usize::MAX,
    });
    for (i, tr) in ["trace-a", "trace-b", "trace-c"].iter().enumerate() {
        e.ingest(&Event::AiRequestStarted {
            request: request(
                &format!("rq-{i}"),
                "u",
                None,
                None,
                Some(tr),
                "p",
                "m",
                None,
                0,
                None,
                "pending",
                at(i as i64),
            ),
        });
    }
    let err = e.trace_detail(&"trace-a".into()).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)));
    assert!(matches!(
        e.audit_lookup("trace-a").await,
        Err(Error::NotFound(_))
    ));
    assert_eq!(
        e.ai_requests(&AiRequestFilter {
            model: Some("m".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .len(),
        2
    );
}

#[test]
fn rates_over_a_synthetic_minute() {
    let e = LiveEngine::new(LiveLimits::default());
    let now = at(1000);
    // one finished request per second in (now-60s, now], latency 100..6000 ms
    for i in 0..60i64 {
        let t = now - Duration::seconds(59 - i);
        let status = if i % 10 == 9 { "failed" } else { "completed" };
        let mut r = request(
            &format!("r{i}"),
            &format!("u{}", i % 3),
            None,
            None,
            None,
            "p",
            "m",
            Some((3, 2)),
            10,
            Some(((i + 1) * 100) as i32),
            status,
            t,
        );
        r.completed_at = Some(t);
        e.ingest(&Event::AiRequestCompleted {
            request: r,
            messages: vec![],
            tool_calls: vec![],
        });
    }
    // just outside on both sides
    for (id, t) in [
        ("old", now - Duration::seconds(60)),
        ("future", now + Duration::seconds(1)),
    ] {
        let r = request(
            id,
            "u-other",
            None,
            None,
            None,
            "p",
            "m",
            Some((1, 1)),
            1_000_000,
            Some(1),
            "completed",
            t,
        );
        e.ingest(&Event::AiRequestCompleted {
            request: r,
            messages: vec![],
            tool_calls: vec![],
        });
    }
    let mut open = session("s-open", Some("u0"), now - Duration::hours(1));
    open.last_activity_at = now - Duration::minutes(5);
    let mut idle = session("s-idle", Some("u1"), now - Duration::hours(2));
    idle.last_activity_at = now - Duration::minutes(40);
    e.ingest(&Event::SessionStarted { session: open });
    e.ingest(&Event::SessionStarted { session: idle });
    e.ingest(&Event::AnomalyRaised {
        anomaly: Anomaly {
            id: "requests_per_minute:u0".into(),
            rule: "requests_per_minute".into(),
            subject: "u0".into(),
            severity: Severity::Warning,
            value: 16.0,
            threshold: 15.0,
            message: "x".into(),
            raised_at: now,
            trace_id: None,
            budget: None,
        },
    });

    let r = e.rates(now);
    assert_eq!(r.requests_per_min, 60.0);
    assert_eq!(r.error_rate, 0.1);
    assert_eq!(r.cost_per_min_microdollars, 600);
    assert_eq!(r.tokens_per_min, 300.0);
    let near = |got: Option<u64>, want: u64| {
        let got = got.expect("percentile present") as f64;
        assert!(
            (got - want as f64).abs() <= want as f64 * 0.01,
            "got {got}, want ~{want}"
        );
    };
    near(r.p50_latency_ms, 3000);
    near(r.p95_latency_ms, 5700);
    near(r.p99_latency_ms, 6000);
    // u0, u1, u2 and u-other all made a request within the last five minutes
    assert_eq!(r.active_users, 4);
    assert_eq!(r.active_sessions, 1);
    assert_eq!(r.open_anomalies, 1);

    // a quiet minute later: nothing in the window
    let later = e.rates(now + Duration::minutes(2));
    assert_eq!(
        (
            later.requests_per_min,
            later.error_rate,
            later.p50_latency_ms
        ),
        (0.0, 0.0, None)
    );
}

#[test]
fn anomalies_are_listed_open_first() {
    let e = LiveEngine::new(LiveLimits::default());
    let mk = |id: &str, sev: Severity, secs: i64| Anomaly {
        id: id.into(),
        rule: "r".into(),
        subject: id.into(),
        severity: sev,
        value: 1.0,
        threshold: 1.0,
        message: String::new(),
        raised_at: at(secs),
        trace_id: None,
        budget: None,
    };
    e.ingest(&Event::AnomalyRaised {
        anomaly: mk("a", Severity::Warning, 1),
    });
    e.ingest(&Event::AnomalyRaised {
        anomaly: mk("b", Severity::Warning, 2),
    });
    e.ingest(&Event::AnomalyRaised {
        anomaly: mk("c", Severity::Warning, 3),
    });
    e.ingest(&Event::AnomalyEscalated {
        anomaly: mk("a", Severity::Critical, 1),
    });
    e.ingest(&Event::AnomalyCleared {
        anomaly: mk("b", Severity::Warning, 2),
    });
    let list: Vec<(String, Severity)> = e
        .anomalies()
        .into_iter()
        .map(|a| (a.id, a.severity))
        .collect();
    assert_eq!(
        list,
        [
            ("a".into(), Severity::Critical),
            ("c".into(), Severity::Warning),
            ("b".into(), Severity::Warning)
        ]
    );
    assert_eq!(e.rates(at(10)).open_anomalies, 2);
}

#[tokio::test]
async fn leaderboards_list_every_user_and_agent_active_in_the_window() {
    let e = engine();
    // only sess-4 (user u3, no requests, no users row) started in this window
    let old = TimeWindow {
        start: t0() - Duration::days(3),
        end: t0() - Duration::days(1),
    };
    let users = e.top_users(&old, 0).await.unwrap();
    let rows: Vec<(&str, i64, i64, i64)> = users
        .iter()
        .map(|u| {
            (
                u.user_id.as_str(),
                u.request_count,
                u.total_cost_microdollars.get(),
                u.session_count,
            )
        })
        .collect();
    // u1 spent 10_000 on req-dddd5; u3 only has a session
    assert_eq!(rows, [("u1", 1, 10_000, 0), ("u3", 0, 0, 1)]);
    assert_eq!(users[1].user_name.as_deref(), Some("Cy"));

    // req-bbbb3 is in the window, its task (created a minute earlier) is not
    let narrow = TimeWindow {
        start: min(62),
        end: min(63),
    };
    let agents = e.top_agents(&narrow, 10).await.unwrap();
    assert_eq!(agents.len(), 1);
    let a = &agents[0];
    assert_eq!(
        (
            a.agent_name.as_str(),
            a.task_count,
            a.request_count,
            a.total_cost_microdollars.get(),
            a.success_rate
        ),
        ("planner", 0, 1, 500, 0.0)
    );
}

#[tokio::test]
async fn a_zero_limit_means_no_limit() {
    let e = engine();
    assert_eq!(e.log_search(&LogFilter::default()).await.unwrap().len(), 4);
    assert_eq!(
        e.ai_requests(&AiRequestFilter::default())
            .await
            .unwrap()
            .len(),
        5
    );
    assert_eq!(
        e.traces(&TraceListFilter::default()).await.unwrap().len(),
        4
    );
    assert_eq!(
        e.tool_executions(&ToolExecutionFilter::default())
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(e.top_tools(&window(), 0).await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_same_exact_id_of_two_kinds_is_ambiguous() {
    let e = LiveEngine::new(LiveLimits::default());
    // a task whose id is also used as a trace id
    e.ingest(&task(
        "shared-id",
        "a",
        "shared-id",
        task_state::WORKING,
        None,
        "u",
        min(1),
    ));
    let c = ambiguous(e.audit_lookup("shared-id").await.unwrap());
    assert_eq!(
        c,
        vec![
            (IdKind::Task, "shared-id".to_string(), min(1)),
            (IdKind::Trace, "shared-id".to_string(), min(1)),
        ]
    );
    // the task id is the earliest of its row and the requests naming it
    e.ingest(&Event::AiRequestStarted {
        request: request(
            "req-x",
            "u",
            Some("task-late"),
            None,
            None,
            "p",
            "m",
            None,
            0,
            None,
            "pending",
            min(5),
        ),
    });
    e.ingest(&task(
        "task-late",
        "a",
        "tr-late",
        task_state::WORKING,
        None,
        "u",
        min(9),
    ));
    e.ingest(&task(
        "task-other",
        "a",
        "tr-other",
        task_state::WORKING,
        None,
        "u",
        min(2),
    ));
    let c = ambiguous(e.audit_lookup("task-").await.unwrap());
    assert_eq!(
        c,
        vec![
            (IdKind::Task, "task-late".to_string(), min(5)),
            (IdKind::Task, "task-other".to_string(), min(2)),
        ]
    );
}

#[test]
fn fast_decoding_equals_from_json_for_every_fixture_event() {
    for event in fixture() {
        let json = serde_json::to_string(&event).unwrap();
        let fast = tracetop::live::decode_event(&json);
        assert_eq!(fast, event, "{json}");
        assert_eq!(fast, Event::from_json(&json));
    }
}

#[test]
fn the_engine_is_shared_between_threads() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<LiveEngine>();
    let e = std::sync::Arc::new(LiveEngine::new(LiveLimits::default()));
    let writer = {
        let e = e.clone();
        std::thread::spawn(move || {
            for ev in fixture() {
                e.ingest_owned(ev);
            }
        })
    };
    writer.join().unwrap();
    let as_trait: std::sync::Arc<dyn QueryEngine> = e.clone();
    let o = futures::executor::block_on(as_trait.overview(now())).unwrap();
    assert_eq!(o.total_ai_requests, 5);
}

/// Indexes stay consistent with the rows through evictions and
/// replacements: every trace's detail (found through the trace index)
/// holds exactly the rows a full scan finds for it.
#[tokio::test]
async fn indexes_agree_with_full_scans_after_churn() {
    let e = LiveEngine::new(LiveLimits {
        max_events: 150,
        max_bytes: usize::MAX,
    });
    // a small deterministic generator (LCG) over 20 traces
    let mut seed: u64 = 42;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for i in 0..2_000i64 {
        let trace = format!("tr-{:02}", next(20));
        let t = at(i);
        match next(4) {
            0 => {
                let id = format!("rq-{}", next(300));
                let pending = request(
                    &id,
                    "u",
                    None,
                    None,
                    Some(&trace),
                    "p",
                    "m",
                    None,
                    0,
                    None,
                    "pending",
                    t,
                );
                e.ingest(&Event::AiRequestStarted { request: pending });
                if next(2) == 0 {
                    let done = request(
                        &id,
                        "u",
                        None,
                        None,
                        Some(&trace),
                        "p",
                        "m2",
                        Some((1, 1)),
                        5,
                        Some(10),
                        "completed",
                        t,
                    );
                    e.ingest(&Event::AiRequestCompleted {
                        request: done,
                        messages: vec![],
                        tool_calls: vec![],
                    });
                }
            }
            1 => {
                let m = mcp(
                    &format!("mc-{}", next(300)),
                    "tool",
                    "srv",
                    &trace,
                    "success",
                    Some(3),
                    "u",
                    t,
                );
                e.ingest(&Event::McpExecution { execution: m });
            }
            _ => e.ingest(&log(&format!("lg-{i}"), Some(&trace), "INFO", "m", "x", t)),
        }
    }
    let stats = e.stats();
    assert!(stats.rows <= 150, "{stats:?}");
    assert!(stats.evicted > 0);

    let requests = e.ai_requests(&AiRequestFilter::default()).await.unwrap();
    let execs = e
        .tool_executions(&ToolExecutionFilter::default())
        .await
        .unwrap();
    let logs = e.log_search(&LogFilter::default()).await.unwrap();
    assert_eq!(requests.len() + execs.len() + logs.len(), stats.rows);
    for n in 0..20 {
        let trace = TraceId::new(format!("tr-{n:02}"));
        let mut want: Vec<String> = requests
            .iter()
            .filter(|r| r.trace_id.as_ref() == Some(&trace))
            .map(|r| r.id.0.clone())
            .chain(
                execs
                    .iter()
                    .filter(|m| m.trace_id.as_ref() == Some(&trace))
                    .map(|m| m.mcp_execution_id.0.clone()),
            )
            .chain(
                logs.iter()
                    .filter(|l| l.trace_id.as_ref() == Some(&trace))
                    .map(|l| l.id.0.clone()),
            )
            .collect();
        want.sort();
        match e.trace_detail(&trace).await {
            Ok(d) => {
                let mut got: Vec<String> = d.events.iter().map(|ev| ev.id().to_string()).collect();
                got.sort();
                assert_eq!(got, want, "{trace}");
            }
            Err(_) => assert!(want.is_empty(), "{trace} has rows {want:?} but no detail"),
        }
    }
    for model in ["m", "m2"] {
        let by_index = e
            .ai_requests(&AiRequestFilter {
                model: Some(model.into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let by_scan: Vec<&AiRequestRecord> = requests.iter().filter(|r| r.model == model).collect();
        assert_eq!(by_index.iter().collect::<Vec<_>>(), by_scan, "{model}");
    }
}
