//! Fixed data for the console tests: hand-built events and query results at
//! a fixed instant, and helpers to drive an `App` and render it into
//! ratatui's `TestBackend`.
#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tracetop::model::*;
use tracetop::query::*;
use tracetop::tui::app::*;
use tracetop::tui::config::Thresholds;
use tracetop::tui::keymap::Keymap;
use tracetop::tui::theme::Theme;

/// The fixed "now" of every fixture.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub fn at(secs_before: i64) -> DateTime<Utc> {
    now() - Duration::seconds(secs_before)
}

/// A model reply carrying terminal escapes (colour, title, clear screen).
pub const ANSI_REPLY: &str =
    "Sure.\u{1b}[31m RED \u{1b}[0m\u{1b}]0;pwned\u{7}\u{1b}[2J done\u{9b}31m";

pub fn request(i: usize, status: &str, trace: &str) -> AiRequestRecord {
    AiRequestRecord {
        id: AiRequestId::new(format!("req-{i:04}-aaaa")),
        request_id: format!("r{i}"),
        user_id: UserId::new(if i.is_multiple_of(2) { "alice" } else { "bob" }),
        session_id: None,
        task_id: Some(TaskId::new("task-1")),
        context_id: None,
        trace_id: Some(TraceId::new(trace)),
        mcp_execution_id: None,
        provider: "anthropic".into(),
        model: if i.is_multiple_of(3) {
            "claude-sonnet"
        } else {
            "gpt-4o"
        }
        .into(),
        tokens_used: Some(1200 + i as i32),
        input_tokens: Some(1000),
        output_tokens: Some(200 + i as i32),
        cost_microdollars: Microdollars(4_200 * (i as i64 + 1)),
        latency_ms: Some(800 + 100 * i as i32),
        cache_hit: false,
        status: status.into(),
        error_message: (status == "failed").then(|| "upstream 529 overloaded".to_string()),
        created_at: at(600 - i as i64 * 10),
        updated_at: at(600 - i as i64 * 10),
        completed_at: Some(at(599 - i as i64 * 10)),
        requested_model: None,
        cache_read_tokens: None,
        cache_creation_tokens: None,
        is_streaming: None,
        actor_kind: None,
        actor_id: None,
        synthetic: None,
        gateway_conversation_id: None,
        provider_request_id: None,
    }
}

pub fn mcp(trace: &str, status: &str) -> McpExecutionRecord {
    McpExecutionRecord {
        mcp_execution_id: McpExecutionId::new("mcp-0001"),
        tool_name: "search_docs".into(),
        server_name: "docs".into(),
        started_at: at(595),
        completed_at: Some(at(593)),
        execution_time_ms: Some(2000),
        input: r#"{"query":"refund policy","limit":3}"#.into(),
        output: Some(r#"{"hits":[{"title":"Refunds","score":0.93}]}"#.into()),
        status: status.into(),
        error_message: None,
        user_id: Some(UserId::new("alice")),
        session_id: None,
        context_id: None,
        task_id: Some(TaskId::new("task-1")),
        trace_id: Some(TraceId::new(trace)),
        created_at: at(595),
    }
}

pub fn log(i: usize, level: &str, trace: Option<&str>) -> LogRecord {
    LogRecord {
        id: LogId::new(format!("log-{i:04}")),
        timestamp: at(590 - i as i64),
        level: level.into(),
        module: if i.is_multiple_of(2) {
            "gateway"
        } else {
            "agent::runner"
        }
        .into(),
        message: format!("handled step {i} \u{1b}[1mbold\u{1b}[0m"),
        metadata: None,
        user_id: None,
        session_id: None,
        task_id: None,
        trace_id: trace.map(TraceId::new),
        context_id: None,
        client_id: None,
        gateway_conversation_id: None,
        provider_request_id: None,
    }
}

pub fn task() -> AgentTaskRecord {
    AgentTaskRecord {
        task_id: TaskId::new("task-1"),
        context_id: None,
        status: task_state::COMPLETED.into(),
        user_id: Some(UserId::new("alice")),
        session_id: None,
        trace_id: Some(TraceId::new("trace-abc")),
        agent_name: Some("support-agent".into()),
        started_at: Some(at(600)),
        completed_at: Some(at(580)),
        execution_time_ms: Some(20_000),
        error_message: None,
        created_at: at(600),
        updated_at: at(580),
    }
}

pub fn anomaly() -> Anomaly {
    Anomaly {
        id: "error_rate:gpt-4o".into(),
        rule: "error_rate".into(),
        subject: "gpt-4o".into(),
        severity: Severity::Critical,
        value: 0.4,
        threshold: 0.1,
        message: "40% of requests failing".into(),
        raised_at: at(300),
        trace_id: Some(TraceId::new("trace-err")),
        budget: None,
    }
}

/// A mixed feed: task, requests (one failed), an MCP call, logs, anomaly.
pub fn feed_events() -> Vec<Event> {
    let mut events = vec![Event::TaskUpdated { task: task() }];
    for i in 0..6 {
        let status = if i == 4 { "failed" } else { "completed" };
        let trace = if i == 4 { "trace-err" } else { "trace-abc" };
        let request = request(i, status, trace);
        events.push(if status == "failed" {
            Event::AiRequestFailed {
                request,
                messages: vec![],
                tool_calls: vec![],
            }
        } else {
            Event::AiRequestCompleted {
                request,
                messages: vec![],
                tool_calls: vec![],
            }
        });
    }
    events.push(Event::McpExecution {
        execution: mcp("trace-abc", "success"),
    });
    events.push(Event::Log {
        log: log(1, "ERROR", Some("trace-err")),
    });
    events.push(Event::Log {
        log: log(2, "INFO", None),
    });
    events.push(Event::AnomalyRaised { anomaly: anomaly() });
    events
}

pub fn trace_detail() -> TraceDetail {
    let r0 = request(0, "completed", "trace-abc");
    let r1 = request(1, "failed", "trace-abc");
    let mut events = vec![
        TraceEvent::Step(StepRecord {
            step_id: StepId::new("step-1"),
            task_id: TaskId::new("task-1"),
            step_type: "plan".into(),
            title: Some("Plan the answer".into()),
            status: "completed".into(),
            content: Some(r#"{"plan":["search","answer"]}"#.into()),
            started_at: at(600),
            completed_at: Some(at(598)),
            duration_ms: Some(2000),
            error_message: None,
        }),
        TraceEvent::AiRequest(r0),
        TraceEvent::McpExecution(mcp("trace-abc", "success")),
        TraceEvent::AiRequest(r1),
        TraceEvent::Log(log(3, "WARN", Some("trace-abc"))),
    ];
    TraceEvent::sort_timeline(&mut events);
    TraceDetail {
        trace_id: TraceId::new("trace-abc"),
        events,
        ai_summary: AiRequestSummary {
            request_count: 2,
            failed_count: 1,
            input_tokens: 2000,
            output_tokens: 401,
            total_tokens: 2401,
            total_cost_microdollars: Microdollars(12_600),
            total_latency_ms: 1700,
        },
        mcp_summary: McpExecutionSummary {
            execution_count: 1,
            failed_count: 0,
            total_execution_time_ms: 2000,
        },
        step_summary: ExecutionStepSummary {
            step_count: 1,
            completed_count: 1,
            failed_count: 0,
            total_duration_ms: 2000,
        },
        task: Some(task()),
        tasks: vec![task()],
    }
}

/// The audit record of trace-abc: request 0 with a conversation whose
/// reply holds ANSI escapes, and a tool call.
pub fn trace_audit() -> AuditRecord {
    let r0 = request(0, "completed", "trace-abc");
    AuditRecord {
        matched_kind: IdKind::Trace,
        matched_id: "trace-abc".into(),
        trace_id: Some(TraceId::new("trace-abc")),
        task_id: Some(TaskId::new("task-1")),
        request_ids: vec![r0.id.clone()],
        task: Some(task()),
        requests: vec![AuditRequest {
            messages: vec![
                MessageRecord {
                    request_id: r0.id.clone(),
                    role: "user".into(),
                    content: "What is the refund policy?".into(),
                    sequence_number: 0,
                    name: None,
                    tool_call_id: None,
                },
                MessageRecord {
                    request_id: r0.id.clone(),
                    role: "assistant".into(),
                    content: ANSI_REPLY.into(),
                    sequence_number: 1,
                    name: None,
                    tool_call_id: None,
                },
            ],
            tool_calls: vec![ToolCallRecord {
                request_id: r0.id.clone(),
                tool_name: "search_docs".into(),
                tool_input: r#"{"query":"refund policy"}"#.into(),
                mcp_execution_id: Some(McpExecutionId::new("mcp-0001")),
                ai_tool_call_id: Some("call_1".into()),
                sequence_number: 0,
            }],
            mcp_executions: vec![mcp("trace-abc", "success")],
            request: r0,
        }],
    }
}

fn breakdown(
    dimension: CostDimension,
    key: &str,
    n: i64,
    cost: i64,
    share: f64,
) -> CostBreakdownRow {
    CostBreakdownRow {
        dimension,
        key: key.into(),
        request_count: n,
        input_tokens: n * 1000,
        output_tokens: n * 200,
        total_tokens: n * 1200,
        total_cost_microdollars: Microdollars(cost),
        cost_share: share,
        cache_read_tokens: n * 300,
        cache_creation_tokens: n * 40,
        cached_input_share: 0.3,
    }
}

pub fn costs_data() -> CostsData {
    CostsData {
        summary: CostSummary {
            request_count: 1234,
            input_tokens: 1_234_000,
            output_tokens: 246_800,
            total_tokens: 1_480_800,
            total_cost_microdollars: Microdollars(12_345_678),
            avg_cost_per_request_microdollars: Microdollars(10_004),
            cache_read_tokens: 370_200,
            cache_creation_tokens: 49_360,
            cached_input_share: 0.3,
            synthetic_requests_excluded: 12,
            no_model_requests_excluded: 0,
        },
        // the day before: $10.00 over 1,300 requests (cost ↑24%: 23.5 rounds up; requests ↓5%)
        previous: CostSummary {
            request_count: 1300,
            total_cost_microdollars: Microdollars(10_000_000),
            ..CostSummary::default()
        },
        overview: CostOverview {
            cost_24h_microdollars: Microdollars(12_345_678),
            cost_7d_microdollars: Microdollars(80_000_000),
            cost_30d_microdollars: Microdollars(310_500_000),
            total_cost_microdollars: Microdollars(1_250_000_000),
            total_requests: 120_000,
            avg_cost_per_request_microdollars: Microdollars(10_416),
        },
        by_model: vec![
            breakdown(CostDimension::Model, "claude-sonnet", 800, 9_000_000, 0.729),
            breakdown(CostDimension::Model, "gpt-4o", 434, 3_345_678, 0.271),
        ],
        by_provider: vec![
            breakdown(CostDimension::Provider, "anthropic", 800, 9_000_000, 0.729),
            breakdown(CostDimension::Provider, "openai", 434, 3_345_678, 0.271),
        ],
        by_agent: vec![
            breakdown(
                CostDimension::Agent,
                "support-agent",
                1000,
                10_000_000,
                0.81,
            ),
            breakdown(CostDimension::Agent, NO_AGENT, 234, 2_345_678, 0.19),
        ],
        trend: (0..24)
            .map(|h| CostTrendBucket {
                bucket_start: Bucket::Hour.truncate(now()) - Duration::hours(23 - h),
                request_count: 50,
                total_tokens: 60_000,
                total_cost_microdollars: Microdollars(200_000 + (h * 37_000) % 400_000),
            })
            .collect(),
    }
}

pub fn leaders_data() -> LeadersData {
    let tool = |name: &str, n: i64, ok: i64, avg: i64| ToolStats {
        tool_name: name.into(),
        server_name: "docs".into(),
        execution_count: n,
        success_count: ok,
        failure_count: n - ok,
        success_rate: ok as f64 / n as f64,
        avg_time_ms: avg,
        last_used: at(60),
    };
    let tools = vec![
        tool("search_docs", 500, 495, 850),
        tool("read_file", 300, 240, 120),
        tool("send_email", 40, 40, 2300),
    ];
    LeadersData {
        users: vec![
            UserLeader {
                user_id: UserId::new("alice"),
                user_name: Some("Alice".into()),
                request_count: 700,
                total_tokens: 800_000,
                total_cost_microdollars: Microdollars(7_000_000),
                session_count: 12,
                task_count: 40,
            },
            UserLeader {
                user_id: UserId::new("bob"),
                user_name: None,
                request_count: 534,
                total_tokens: 600_000,
                total_cost_microdollars: Microdollars(5_345_678),
                session_count: 9,
                task_count: 30,
            },
        ],
        agents: vec![AgentLeader {
            agent_name: "support-agent".into(),
            task_count: 70,
            completed_count: 60,
            failed_count: 10,
            success_rate: 60.0 / 70.0,
            avg_execution_time_ms: 18_000,
            request_count: 1000,
            total_cost_microdollars: Microdollars(10_000_000),
        }],
        top_tools: tools.clone(),
        tools,
        activity: (0..7)
            .map(|d| ActivityBucket {
                bucket_start: at(86_400 * (7 - d)),
                sessions: 10 + d,
                contexts: 20 + 2 * d,
                tasks: 30 - d,
                ai_requests: 100 + 10 * d,
                tool_executions: 40,
            })
            .collect(),
        activity_change: Some(Compared {
            window: TimeWindow::last(chrono::Duration::days(7), now()),
            previous_window: TimeWindow::last(chrono::Duration::days(7), at(7 * 86_400)),
            current: ActivityTotals {
                sessions: 91,
                contexts: 182,
                tasks: 189,
                ai_requests: 910,
                tool_executions: 280,
            },
            previous: ActivityTotals {
                sessions: 70,
                contexts: 182,
                tasks: 200,
                ai_requests: 0,
                tool_executions: 280,
            },
        }),
    }
}

pub fn logs_data() -> LogsData {
    LogsData {
        lines: vec![
            log(1, "ERROR", Some("trace-err")),
            log(2, "WARN", None),
            log(3, "INFO", Some("trace-abc")),
        ],
        summary: LogSummary {
            total: 3,
            by_level: vec![
                LevelCount {
                    level: "ERROR".into(),
                    count: 1,
                },
                LevelCount {
                    level: "WARN".into(),
                    count: 1,
                },
                LevelCount {
                    level: "INFO".into(),
                    count: 1,
                },
            ],
            top_modules: vec![
                ModuleCount {
                    module: "agent::runner".into(),
                    count: 2,
                },
                ModuleCount {
                    module: "gateway".into(),
                    count: 1,
                },
            ],
            first_at: Some(at(589)),
            last_at: Some(at(587)),
        },
    }
}

pub fn queue_data() -> QueueData {
    QueueData {
        requests: (0..6)
            .rev()
            .map(|i| {
                request(
                    i,
                    if i == 4 { "failed" } else { "completed" },
                    if i == 4 { "trace-err" } else { "trace-abc" },
                )
            })
            .collect(),
        reviews: vec![ReviewRecord {
            id: 1,
            target_kind: ReviewTarget::Request,
            target_id: "req-0005-aaaa".into(),
            verdict: Verdict::Ok,
            note: Some("looked fine".into()),
            reviewer: "carol".into(),
            created_at: at(100),
        }],
    }
}

pub fn overview() -> PlatformOverview {
    PlatformOverview {
        total_users: 1234,
        active_users_24h: 120,
        active_users_7d: 340,
        total_sessions: 5678,
        active_sessions: 23,
        total_contexts: 2345,
        total_tasks: 3456,
        total_ai_requests: 45_678,
    }
}

pub fn rates() -> LiveRates {
    LiveRates {
        at: Some(now()),
        requests_per_min: 61.5,
        error_rate: 0.082,
        cost_per_min_microdollars: 420_000,
        tokens_per_min: 70_000.0,
        p50_latency_ms: Some(900),
        p95_latency_ms: Some(3200),
        p99_latency_ms: Some(9000),
        active_users: 12,
        active_sessions: 23,
        open_anomalies: 1,
    }
}

/// Carry out the theme loads the app asked for, as the event loop does.
pub fn load_themes(app: &mut App) {
    for effect in app.drain_effects() {
        if let Effect::LoadTheme { name, no_color } = effect {
            let loaded = Theme::load(&name, no_color)
                .map(Box::new)
                .map_err(|e| e.to_string());
            app.update(Msg::ThemeLoaded(name, loaded));
        }
    }
}

/// Generation of the open trace's newest detail query (0 without a trace).
pub fn trace_generation(app: &App) -> u64 {
    app.trace.as_ref().map_or(0, |t| t.generations().0)
}

/// Generation of the open trace's newest conversations query.
pub fn trace_audit_generation(app: &App) -> u64 {
    app.trace.as_ref().map_or(0, |t| t.generations().1)
}

/// An app at `now()` with the given theme, sized w×h, fed the fixture
/// feed, overview and rates.
pub fn app_with(theme: Theme, w: u16, h: u16) -> App {
    let mut app = App::new(theme, Keymap::default(), Thresholds::default(), now());
    app.source_label = "fixture".into();
    app.update(Msg::Resize(w, h));
    app.update(Msg::Source(SourceUpdate::State(SourceState::Connected)));
    app.update(Msg::Source(SourceUpdate::Events(feed_events())));
    app.start();
    app.update(Msg::Reply(Reply::Overview(
        app.overview_generation(),
        Ok(overview()),
    )));
    app.update(Msg::Rates(rates()));
    app.drain_effects();
    app
}

/// The dark theme app.
pub fn app(w: u16, h: u16) -> App {
    app_with(Theme::builtin("dark", false).unwrap(), w, h)
}

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(ch(c));
    }
}

/// Render into a TestBackend and return the terminal.
pub fn render(app: &App) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal
        .draw(|f| tracetop::tui::views::draw(app, f))
        .unwrap();
    terminal
}

/// The rendered screen as plain text, one line per row.
pub fn screen(app: &App) -> String {
    let terminal = render(app);
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut line = String::new();
        for x in 0..buffer.area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// What a systemprompt analytics stream delivers, decoded: a session, a
/// page view, an engagement update, the session's end, a gap after a
/// reconnect, and the server's counters.
pub fn systemprompt_events() -> Vec<Event> {
    vec![
        Event::AnalyticsSessionStarted {
            session: AnalyticsSessionStart {
                timestamp: at(50),
                session_id: SessionId::new("sess_web1"),
                device_type: Some("desktop".into()),
                browser: Some("Firefox".into()),
                os: None,
                country: Some("DE".into()),
                referrer_source: Some("google".into()),
                is_bot: false,
            },
        },
        Event::PageView {
            page_view: PageView {
                timestamp: at(45),
                session_id: SessionId::new("sess_web1"),
                user_id: Some(UserId::new("user_9")),
                page_url: "/docs/mcp".into(),
                content_id: None,
                referrer: Some("https://example.com/".into()),
            },
        },
        Event::EngagementUpdate {
            engagement: EngagementUpdate {
                timestamp: at(30),
                session_id: SessionId::new("sess_web1"),
                page_url: "/docs/mcp".into(),
                scroll_depth: 75,
                time_on_page_ms: 42_000,
                click_count: 3,
            },
        },
        Event::Gap {
            from_cursor: None,
            to_cursor: None,
            dropped: 0,
            reason: "the stream has no event ids, so a reconnect cannot resume".into(),
            from_time: Some(at(25)),
            to_time: Some(at(20)),
        },
        Event::AnalyticsSessionEnded {
            session: AnalyticsSessionEnd {
                timestamp: at(10),
                session_id: SessionId::new("sess_web1"),
                duration_ms: 40_000,
                page_count: 4,
                request_count: 17,
            },
        },
        Event::StatsSnapshot {
            stats: StatsSnapshot {
                at: Some(at(5)),
                active_users: Some(9),
                active_sessions: Some(12),
                requests_per_minute: Some(140.0),
                page_views_last_5m: Some(311),
                bot_requests_last_5m: Some(27),
            },
        },
    ]
}
