//! Conformance: the same workload in Postgres (PgEngine) and in memory
//! (LiveEngine) gives the same answer to every QueryEngine question.
//!
//! The workload is the hand-built event set of `live_fixture`, written to a
//! fresh database row by row (latest version of each record, the way a
//! gateway leaves its tables) and ingested into a LiveEngine as events.
//! Each method is asked over several windows, filters and ids, and the two
//! answers are compared whole. A second workload comes from the seeded
//! simulator: bulk-loaded by its own loader and fed to a LiveEngine as the
//! event stream a live source would have produced.

use crate::live_fixture;
use crate::support;
use support::Shape;

use chrono::Duration;
use live_fixture::*;
use std::collections::HashMap;
use tracetop::live::{LiveEngine, LiveLimits, jsonb_text};
use tracetop::model::*;
use tracetop::pg::PgEngine;
use tracetop::prices::{PriceTable, RateCard};
use tracetop::query::*;
use tracetop::sim::{self, SimConfig};

/// Load the rows `events` leave behind with the simulator's own loader, so
/// the per-table column lists (and the parents-before-children order a real
/// deployment's foreign keys need) are the loader's, not a second copy.
async fn load(url: &str, events: &[Event]) {
    sim::load(url, &rows_of(events)).await.expect("load");
}

/// Rows kept in first-seen order, the latest version of each winning.
struct Latest<R> {
    rows: Vec<R>,
    at: HashMap<String, usize>,
}

impl<R> Default for Latest<R> {
    fn default() -> Self {
        Latest {
            rows: Vec::new(),
            at: HashMap::new(),
        }
    }
}

impl<R: Clone> Latest<R> {
    fn put(&mut self, key: &str, row: &R) {
        match self.at.get(key) {
            Some(&i) => self.rows[i] = row.clone(),
            None => {
                self.at.insert(key.to_string(), self.rows.len());
                self.rows.push(row.clone());
            }
        }
    }
}

/// The rows of every table after `events` (an update replaces its row; a
/// finished request's messages and tool calls replace the request's).
fn rows_of(events: &[Event]) -> sim::Workload {
    let mut users = Latest::default();
    let mut sessions = Latest::default();
    let mut contexts = Latest::default();
    let mut tasks = Latest::default();
    let mut steps = Latest::default();
    let mut requests = Latest::default();
    let mut conversations: HashMap<String, Conversation<'_>> = HashMap::new();
    let mut executions = Latest::default();
    let mut logs = Latest::default();
    for e in events {
        match e {
            Event::UserSeen { user } => users.put(user.id.as_str(), user),
            Event::SessionStarted { session } | Event::SessionEnded { session } => {
                sessions.put(session.session_id.as_str(), session)
            }
            Event::ContextCreated { context } => contexts.put(context.context_id.as_str(), context),
            Event::TaskUpdated { task } => tasks.put(task.task_id.as_str(), task),
            Event::ExecutionStep { step } => steps.put(step.step_id.as_str(), step),
            Event::AiRequestStarted { request } => requests.put(request.id.as_str(), request),
            Event::AiRequestCompleted {
                request,
                messages,
                tool_calls,
            }
            | Event::AiRequestFailed {
                request,
                messages,
                tool_calls,
            } => {
                requests.put(request.id.as_str(), request);
                conversations.insert(request.id.as_str().to_string(), (messages, tool_calls));
            }
            Event::McpExecution { execution } => {
                executions.put(execution.mcp_execution_id.as_str(), execution)
            }
            Event::Log { log } => logs.put(log.id.as_str(), log),
            _ => {}
        }
    }
    let mut messages = Vec::new();
    let mut tool_calls = Vec::new();
    for request in &requests.rows {
        let request: &AiRequestRecord = request;
        if let Some((m, t)) = conversations.get(request.id.as_str()) {
            messages.extend(m.iter().cloned());
            tool_calls.extend(t.iter().cloned());
        }
    }
    sim::Workload {
        users: users.rows,
        sessions: sessions.rows,
        contexts: contexts.rows,
        tasks: tasks.rows,
        steps: steps.rows,
        ai_requests: requests.rows,
        messages,
        tool_calls,
        mcp_executions: executions.rows,
        logs: logs.rows,
    }
}

type Conversation<'a> = (&'a Vec<MessageRecord>, &'a Vec<ToolCallRecord>);

/// Ask both engines the same question and require the same answer (or
/// the same kind of error).
macro_rules! same {
    ($pg:expr, $live:expr, $label:expr, |$e:ident| $call:expr) => {{
        let pg_answer = {
            let $e = &$pg;
            $call.await
        };
        let live_answer = {
            let $e = &$live;
            $call.await
        };
        match (pg_answer, live_answer) {
            (Ok(p), Ok(l)) => assert_eq!(
                p, l,
                "{} differs (left: Postgres, right: LiveEngine)",
                $label
            ),
            (Err(p), Err(l)) => assert_eq!(
                std::mem::discriminant(&p),
                std::mem::discriminant(&l),
                "{}: different errors: {p} / {l}",
                $label
            ),
            (p, l) => panic!(
                "{}: Postgres {:?} but LiveEngine {:?}",
                $label,
                p.map(|_| ()),
                l.map(|_| ())
            ),
        }
    }};
}

/// Filter values taken from the workload under test (an agent, a tool, a
/// user, … that occur in it), so the filtered questions select something.
struct Picks {
    agent: String,
    tool: String,
    /// A user with several traces (the trace list is also asked with limit 2).
    user: UserId,
    /// Another user, for the AI request filter.
    other_user: UserId,
    model: String,
    provider: String,
    log_pattern: String,
    log_module: String,
    tool_status: String,
}

impl Picks {
    /// The values of the hand-built fixture.
    fn fixture() -> Picks {
        Picks {
            agent: "planner".into(),
            tool: "search".into(),
            user: "u1".into(),
            other_user: "u2".into(),
            model: "gpt-4o".into(),
            provider: "openai".into(),
            log_pattern: "PLANNER".into(),
            log_module: "agent".into(),
            tool_status: "timeout".into(),
        }
    }
}

/// Every QueryEngine method over several windows, filters and ids.
async fn assert_conformant(
    pg: &PgEngine,
    live: &LiveEngine,
    now: Timestamp,
    picks: &Picks,
    trace_ids: &[TraceId],
    prefixes: &[&str],
) {
    let windows = [
        TimeWindow::last(Duration::hours(1), now),
        TimeWindow::last(Duration::hours(3), now),
        TimeWindow::last(Duration::days(1), now),
        TimeWindow::last(Duration::days(30), now),
        TimeWindow {
            start: now - Duration::minutes(119),
            end: now - Duration::minutes(58),
        },
    ];
    same!(pg, live, "overview", |e| e.overview(now));
    same!(pg, live, "users", |e| e.users(0));
    same!(pg, live, "users (limit 3)", |e| e.users(3));
    // one user by id: a listed one is found whole, an unknown one is None
    let listed = pg.users(0).await.unwrap();
    let last = listed.last().expect("the workload has users").clone();
    for id in [
        &last.id,
        &picks.user,
        &picks.other_user,
        &UserId::new("no-such-user"),
    ] {
        same!(pg, live, format!("user {id}"), |e| e.user(id));
    }
    assert_eq!(pg.user(&last.id).await.unwrap(), Some(last));
    assert_eq!(pg.user(&UserId::new("no-such-user")).await.unwrap(), None);
    same!(pg, live, "cost_overview", |e| e.cost_overview(now));
    spend_control_is_conformant(pg, live, now, picks).await;
    for (i, w) in windows.iter().enumerate() {
        let label = |what: &str| format!("{what} (window {i})");
        for bucket in [Bucket::Hour, Bucket::Day] {
            same!(pg, live, label("activity_trend"), |e| e
                .activity_trend(w, bucket));
            same!(pg, live, label("cost_trend"), |e| e.cost_trend(w, bucket));
        }
        same!(pg, live, label("cost_summary"), |e| e.cost_summary(w));
        same!(pg, live, label("activity_totals"), |e| e.activity_totals(w));
        // what changed: the window against the previous one of the same length
        same!(pg, live, label("activity_change"), |e| activity_change(
            *e, w
        ));
        same!(pg, live, label("cost_change"), |e| cost_change(*e, w));
        for by in [CostDimension::Model, CostDimension::Provider] {
            same!(pg, live, label("cost_breakdown"), |e| e
                .cost_breakdown(w, by));
        }
        for limit in [0, 1, 10] {
            same!(pg, live, label("top_users"), |e| e.top_users(w, limit));
            same!(pg, live, label("top_agents"), |e| e.top_agents(w, limit));
            same!(pg, live, label("top_tools"), |e| e.top_tools(w, limit));
            same!(pg, live, label("traffic"), |e| e.traffic(w, limit));
            same!(pg, live, label("content"), |e| e.content(w, limit));
            same!(pg, live, label("conversations"), |e| e
                .conversations(w, limit));
        }
        for sort in [
            ToolSort::Executions,
            ToolSort::SuccessRate,
            ToolSort::AvgTime,
            ToolSort::LastUsed,
            ToolSort::Name,
        ] {
            same!(pg, live, label("tools"), |e| e.tools(w, sort, 10));
        }
        same!(pg, live, label("log_summary"), |e| e.log_summary(w));
        // re-pricing at the shipped table, with the worst requests, and a
        // what-if (synthetic rows included once)
        let plain = std::sync::Arc::new(RateCard::new(&PriceTable::shipped(), &[]).unwrap());
        let what_if = std::sync::Arc::new(
            RateCard::new(
                &PriceTable::shipped(),
                &[("claude-sonnet-4-5".into(), "claude-haiku-4-5".into())],
            )
            .unwrap(),
        );
        for (card, worst, counting) in [
            (&plain, 3, Counting::PLATFORM),
            (&plain, 0, Counting::EVERYTHING),
            (&what_if, 2, Counting::PLATFORM),
        ] {
            let q = RepriceQuery {
                window: *w,
                counting,
                card: card.clone(),
                worst,
            };
            same!(pg, live, label("reprice"), |e| e.reprice(&q));
        }
        same!(pg, live, label("request_stats"), |e| e.request_stats(w));
        same!(pg, live, label("session_stats"), |e| e.session_stats(w));
        // and counted with bots and synthetic rows included
        let all = Counting::EVERYTHING;
        same!(pg, live, label("session_stats counting all"), |e| e
            .session_stats_counting(w, all));
        same!(pg, live, label("traffic counting all"), |e| e
            .traffic_counting(w, 10, all));
        same!(pg, live, label("content counting all"), |e| e
            .content_counting(w, 10, all));
        same!(pg, live, label("cost_summary counting all"), |e| e
            .cost_summary_counting(w, all));
        same!(pg, live, label("cost_breakdown counting all"), |e| e
            .cost_breakdown_counting(w, CostDimension::Model, all));
        same!(pg, live, label("cost_trend counting all"), |e| e
            .cost_trend_counting(w, Bucket::Hour, all));

        let trace_filters = [
            TraceListFilter {
                window: Some(*w),
                limit: 50,
                ..Default::default()
            },
            TraceListFilter {
                window: Some(*w),
                agent: Some(picks.agent.clone()),
                limit: 50,
                ..Default::default()
            },
            TraceListFilter {
                window: Some(*w),
                status: Some("failed".into()),
                limit: 50,
                ..Default::default()
            },
            TraceListFilter {
                window: Some(*w),
                tool: Some(picks.tool.clone()),
                limit: 50,
                ..Default::default()
            },
            TraceListFilter {
                window: Some(*w),
                has_mcp: Some(false),
                limit: 50,
                ..Default::default()
            },
            TraceListFilter {
                window: Some(*w),
                user: Some(picks.user.clone()),
                limit: 2,
                ..Default::default()
            },
            TraceListFilter {
                window: Some(*w),
                user: Some(picks.user.clone()),
                sole_user: Some(picks.user.clone()),
                limit: 50,
                ..Default::default()
            },
            TraceListFilter {
                window: Some(*w),
                model: Some(picks.model.clone()),
                limit: 50,
                ..Default::default()
            },
            TraceListFilter {
                window: Some(*w),
                provider: Some(picks.provider.clone()),
                limit: 50,
                ..Default::default()
            },
        ];
        for f in &trace_filters {
            same!(pg, live, label("traces"), |e| e.traces(f));
        }
        let log_filters = [
            LogFilter {
                window: Some(*w),
                limit: 50,
                ..Default::default()
            },
            LogFilter {
                window: Some(*w),
                pattern: Some("%".into()),
                limit: 50,
                ..Default::default()
            },
            LogFilter {
                window: Some(*w),
                level: Some("error".into()),
                limit: 50,
                ..Default::default()
            },
            LogFilter {
                window: Some(*w),
                level: Some("ERROR,warn".into()),
                limit: 50,
                ..Default::default()
            },
        ];
        for f in &log_filters {
            same!(pg, live, label("log_search"), |e| e.log_search(f));
            same!(pg, live, label("log_summary_filtered"), |e| e
                .log_summary_filtered(f));
        }
        let module_filter = LogFilter {
            window: Some(*w),
            module: Some(picks.log_module.clone()),
            pattern: Some(picks.log_pattern.clone()),
            ..Default::default()
        };
        same!(pg, live, label("log_summary_filtered module"), |e| e
            .log_summary_filtered(&module_filter));
        let tool_filter = ToolExecutionFilter {
            window: Some(*w),
            limit: 50,
            ..Default::default()
        };
        same!(pg, live, label("tool_executions"), |e| e
            .tool_executions(&tool_filter));
        let request_filter = AiRequestFilter {
            window: Some(*w),
            limit: 50,
            ..Default::default()
        };
        same!(pg, live, label("ai_requests"), |e| e
            .ai_requests(&request_filter));
    }
    same!(pg, live, "traces (no window)", |e| e
        .traces(&TraceListFilter::default()));
    let log_filters = [
        LogFilter {
            pattern: Some(picks.log_pattern.clone()),
            ..Default::default()
        },
        LogFilter {
            module: Some(picks.log_module.clone()),
            ..Default::default()
        },
        LogFilter {
            limit: 1,
            ..Default::default()
        },
    ];
    for f in &log_filters {
        same!(pg, live, "log_search (no window)", |e| e.log_search(f));
    }
    for f in [
        ToolExecutionFilter {
            tool_name: Some(picks.tool.clone()),
            ..Default::default()
        },
        ToolExecutionFilter {
            status: Some(picks.tool_status.clone()),
            ..Default::default()
        },
    ] {
        same!(pg, live, "tool_executions (no window)", |e| e
            .tool_executions(&f));
    }
    for f in [
        AiRequestFilter {
            model: Some(picks.model.clone()),
            ..Default::default()
        },
        AiRequestFilter {
            user_id: Some(picks.other_user.clone()),
            ..Default::default()
        },
        AiRequestFilter {
            status: Some("pending".into()),
            limit: 1,
            ..Default::default()
        },
    ] {
        same!(pg, live, "ai_requests (no window)", |e| e.ai_requests(&f));
    }
    for id in trace_ids {
        same!(pg, live, format!("trace_detail {id}"), |e| e
            .trace_detail(id));
    }
    for prefix in prefixes {
        same!(pg, live, format!("audit_lookup {prefix:?}"), |e| e
            .audit_lookup(prefix));
    }
}

/// Burn rate, spend by user and every budget scope (exact and glob, each
/// period, a time zone) answer the same on both engines at `now` and at
/// instants around it.
async fn spend_control_is_conformant(
    pg: &PgEngine,
    live: &LiveEngine,
    now: Timestamp,
    picks: &Picks,
) {
    use tracetop::budget::{SpendConfig, burn_rate, evaluate};
    let config = SpendConfig::from_config_toml(&format!(
        r#"
[[budget]]
name = "platform-day"
scope = "platform"
period = "day"
limit_usd = 0.5
[[budget]]
name = "user-week"
scope = "user"
match = "{user}"
period = "week"
limit_usd = 1
[[budget]]
name = "users-glob-month"
scope = "user"
match = "*{tail}"
period = "month"
limit_usd = 2
timezone = "Asia/Kolkata"
[[budget]]
name = "agent"
scope = "agent"
match = "{agent}"
period = "month"
limit_usd = 0.01
[[budget]]
name = "every-agent"
scope = "agent"
match = "*"
period = "day"
limit_usd = 100
warn_at = 0.5
[[budget]]
name = "model"
scope = "model"
match = "{model}"
period = "day"
limit_usd = 0.2
[[budget]]
name = "providers"
scope = "provider"
match = "?*"
period = "week"
limit_usd = 3
timezone = "America/New_York"
"#,
        user = picks.user.as_str(),
        tail = &picks.other_user.as_str()[picks.other_user.as_str().len().saturating_sub(1)..],
        agent = picks.agent,
        model = picks.model,
    ))
    .expect("budgets parse");
    let zones = [chrono_tz::Tz::UTC, chrono_tz::Europe::Berlin];
    for at in [now, now - Duration::minutes(37), now + Duration::hours(5)] {
        for zone in zones {
            same!(pg, live, format!("burn_rate at {at} in {zone}"), |e| {
                burn_rate(*e, at, zone)
            });
        }
        same!(pg, live, format!("budgets at {at}"), |e| evaluate(
            *e,
            &config.budgets,
            at
        ));
        same!(pg, live, format!("cost_breakdown by user at {at}"), |e| e
            .cost_breakdown(
                &TimeWindow::last(Duration::days(3), at),
                CostDimension::User
            ));
    }
}

async fn hand_built_workload_answers_the_same_in_postgres_and_in_memory(shape: Shape) {
    let db = support::fresh_db_shaped(shape).await;
    let events = fixture();
    load(&db.url, &events).await;
    let pg = PgEngine::connect(&db.url).await.expect("connect");
    let live = LiveEngine::new(LiveLimits::default());
    live.ingest_all(&events);

    let traces: Vec<TraceId> = [
        "trace-01",
        "trace-02",
        "trace-010",
        "trace-04",
        "no-such-trace",
    ]
    .into_iter()
    .map(TraceId::from)
    .collect();
    let prefixes = [
        "req-aaaa1",
        "req-aaaa",
        "  req-bbbb3 ",
        "task-0001",
        "task-000",
        "task-99",
        "trace-01",
        "trace-0",
        "req%",
        "req-_aaa",
        "____",
        "ab",
        "zzzz-nothing",
    ];
    let picks = Picks::fixture();
    assert_conformant(&pg, &live, now(), &picks, &traces, &prefixes).await;
    // and again at a later `now`, where the windows see less
    assert_conformant(
        &pg,
        &live,
        now() + Duration::hours(20),
        &picks,
        &traces,
        &prefixes,
    )
    .await;
}

/// Kept apart so a failure names the one query: PgEngine's agent breakdown
/// orders by `agent COLLATE "C"`, an expression over an output alias,
/// which Postgres rejects (42703) — fix in `src/pg/costs.rs`.
async fn cost_breakdown_by_agent_answers_the_same(shape: Shape) {
    let db = support::fresh_db_shaped(shape).await;
    let events = fixture();
    load(&db.url, &events).await;
    let pg = PgEngine::connect(&db.url).await.expect("connect");
    let live = LiveEngine::new(LiveLimits::default());
    live.ingest_all(&events);
    for w in [window(), TimeWindow::last(Duration::days(30), now())] {
        same!(pg, live, "cost_breakdown by agent", |e| e
            .cost_breakdown(&w, CostDimension::Agent));
    }
}

/// The most frequent value of `values` (ties: the smallest), so a pick
/// selects many rows.
/// The value seen least often (ties: the first by name).
fn least_common<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    let fewest = counts.values().copied().min().expect("some values");
    counts
        .into_iter()
        .find(|(_, n)| *n == fewest)
        .map(|(v, _)| v.to_string())
        .unwrap()
}

fn most_common<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    let best = counts.values().copied().max().expect("some values");
    counts
        .into_iter()
        .find(|(_, n)| *n == best)
        .map(|(v, _)| v.to_string())
        .unwrap()
}

/// One simulated workload (20 users, one day, planted incidents included),
/// loaded into Postgres by the simulator's bulk loader and fed to a
/// LiveEngine as its event stream: every question answers the same.
async fn simulated_workload_answers_the_same_in_postgres_and_in_memory(shape: Shape) {
    let started = std::time::Instant::now();
    let cfg = SimConfig {
        seed: 42,
        users: 20,
        days: 1,
        until: "2026-03-10T15:30:00Z".parse().unwrap(),
    };
    let workload = sim::generate(&cfg);
    assert!(
        workload.ai_requests.len() > 300,
        "a workload worth comparing"
    );

    let db = support::fresh_db_shaped(shape).await;
    let stats = sim::load_config(&db.url, &cfg, true, |_| {})
        .await
        .expect("load the simulated workload");
    assert_eq!(
        stats.count("ai_requests"),
        workload.ai_requests.len() as u64
    );
    assert_eq!(stats.count("logs"), workload.logs.len() as u64);
    let pg = PgEngine::connect(&db.url).await.expect("connect");

    let live = LiveEngine::new(LiveLimits {
        max_events: 10_000_000,
        max_bytes: 4 << 30,
    });
    live.ingest_batch(sim::workload_events(&workload));
    assert_eq!(live.evicted(), 0, "the whole workload fits");
    // a request's messages and tool calls are held with it, not as rows
    assert_eq!(
        live.stats().rows,
        workload.row_count() - workload.messages.len() - workload.tool_calls.len()
    );
    eprintln!("generated, loaded and ingested in {:?}", started.elapsed());

    // filter values and ids from the workload itself
    let request_user_counts = |skip: Option<&str>| {
        most_common(
            workload
                .ai_requests
                .iter()
                .map(|r| r.user_id.0.as_str())
                .filter(|u| Some(*u) != skip),
        )
    };
    let user = request_user_counts(None);
    let other_user = request_user_counts(Some(&user));
    let picks = Picks {
        agent: most_common(
            workload
                .tasks
                .iter()
                .filter_map(|t| t.agent_name.as_deref()),
        ),
        tool: most_common(workload.mcp_executions.iter().map(|m| m.tool_name.as_str())),
        user: user.as_str().into(),
        other_user: other_user.as_str().into(),
        model: most_common(workload.ai_requests.iter().map(|r| r.model.as_str())),
        // the least common provider, so its filter leaves traces out
        provider: least_common(workload.ai_requests.iter().map(|r| r.provider.as_str())),
        // a word of the most common message, upper-cased: matched
        // case-insensitively
        log_pattern: most_common(workload.logs.iter().map(|l| l.message.as_str()))
            .split_whitespace()
            .next()
            .unwrap()
            .to_uppercase(),
        log_module: most_common(workload.logs.iter().map(|l| l.module.as_str())),
        tool_status: most_common(
            workload
                .mcp_executions
                .iter()
                .map(|m| m.status.as_str())
                .filter(|s| *s != "success"),
        ),
    };
    eprintln!(
        "picks: agent {} tool {} user {} model {} pattern {} module {} status {}",
        picks.agent,
        picks.tool,
        picks.user,
        picks.model,
        picks.log_pattern,
        picks.log_module,
        picks.tool_status
    );

    // traces: the runaway loop, a failed one, one still running at `until`,
    // the first and the last, and one that does not exist
    let plan = sim::IncidentPlan::for_config(&cfg);
    let trace_of = |t: &AgentTaskRecord| t.trace_id.clone().expect("simulated tasks have traces");
    let mut traces: Vec<TraceId> = Vec::new();
    let mut tasks_by_time: Vec<&AgentTaskRecord> = workload.tasks.iter().collect();
    tasks_by_time.sort_by_key(|t| (t.created_at, t.task_id.0.clone()));
    traces.push(trace_of(tasks_by_time[0]));
    traces.push(trace_of(tasks_by_time[tasks_by_time.len() - 1]));
    let runaway = workload
        .tasks
        .iter()
        .find(|t| {
            t.created_at >= plan.runaway_at && t.agent_name.as_deref() == Some("code-reviewer")
        })
        .expect("the runaway loop");
    traces.push(trace_of(runaway));
    for status in [task_state::FAILED, task_state::WORKING] {
        let t = workload
            .tasks
            .iter()
            .find(|t| t.status == status)
            .unwrap_or_else(|| panic!("a task in {status}"));
        traces.push(trace_of(t));
    }
    // a delegation chain: several tasks under one trace id
    let mut tasks_per_trace: std::collections::BTreeMap<&str, usize> = Default::default();
    for t in &workload.tasks {
        *tasks_per_trace
            .entry(t.trace_id.as_ref().map(|t| t.as_str()).unwrap_or(""))
            .or_default() += 1;
    }
    let chain = tasks_per_trace
        .iter()
        .find(|(id, n)| !id.is_empty() && **n > 1)
        .map(|(id, _)| TraceId::from(*id))
        .expect("the workload has a delegation chain");
    let chain_detail = pg.trace_detail(&chain).await.expect("the chain's detail");
    assert!(chain_detail.tasks.len() > 1, "every task of the chain");
    assert_eq!(chain_detail.task.as_ref(), chain_detail.tasks.first());
    traces.push(chain);
    traces.push(TraceId::from("no-such-trace"));
    // the counting choices must have something to leave out
    assert!(
        workload
            .ai_requests
            .iter()
            .any(|r| r.synthetic == Some(true))
    );
    assert!(workload.sessions.iter().any(is_bot_session));

    let request = &workload.ai_requests[workload.ai_requests.len() / 2];
    let task = &workload.tasks[workload.tasks.len() / 3];
    let trace = trace_of(task).0;
    let prefix_owned = [
        request.id.0.clone(),
        request.id.0[..8].to_string(),
        request.id.0[..2].to_string(),
        format!("  {} ", &task.task_id.0[..10]),
        task.task_id.0[..4].to_string(),
        trace[..9].to_string(),
        trace.clone(),
        "zzzz-nothing".to_string(),
        "____".to_string(),
    ];
    let prefixes: Vec<&str> = prefix_owned.iter().map(String::as_str).collect();

    assert_conformant(&pg, &live, cfg.until, &picks, &traces, &prefixes).await;
    // mid-span, where every window cuts through the workload
    assert_conformant(
        &pg,
        &live,
        cfg.until - Duration::hours(9),
        &picks,
        &traces,
        &prefixes,
    )
    .await;
    for w in [
        TimeWindow::last(Duration::days(1), cfg.until),
        TimeWindow::last(Duration::hours(5), cfg.until - Duration::hours(6)),
    ] {
        same!(pg, live, "cost_breakdown by agent", |e| e
            .cost_breakdown(&w, CostDimension::Agent));
    }
    eprintln!("done in {:?}", started.elapsed());
}

/// The LiveEngine holds `jsonb` columns as Postgres renders them: key order,
/// duplicate keys, numbers, escapes and spacing exactly as `::jsonb::text`,
/// and text Postgres refuses left as it is.
#[tokio::test]
async fn jsonb_columns_read_back_as_postgres_renders_them() {
    let db = support::fresh_db().await;
    let mut c = db.writer().await;
    let inputs = [
        r#"{"b":1,"a":2,"aa":[1,2,{"z":null,"y":true}],"a":3}"#,
        r#"  { "model" : "x" , "tokens":3616,"latency_ms":11194 } "#,
        r#"[1e3, 1.50, -0, -0.0, 0.000, 1.5e-3, 1.50e1, 1E+2, 12.345e1, -7e-2, 0e5, 123456789012345678901234567890]"#,
        r#""tab\t nl\n quote\" slash\/ back\\ bell\u0007 e\u00e9 clef\ud834\udd1e é 日本""#,
        r#"{"":0,"\u0041":"A","ü":"two bytes","zz":"z"}"#,
        "[]",
        "{}",
        "null",
        "\"plain\"",
        "3",
    ];
    for input in inputs {
        let pg: String = sqlx::query_scalar("SELECT $1::jsonb::text")
            .bind(input)
            .fetch_one(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(jsonb_text(input).as_deref(), Some(pg.as_str()), "{input}");
    }
    for refused in [
        "{",
        "[1,]",
        "nul",
        "01",
        "1.",
        r#""\u0000""#,
        r#""\ud834""#,
        "\"raw\u{1}control\"",
        "{\"a\" 1}",
    ] {
        let pg = sqlx::query_scalar::<_, String>("SELECT $1::jsonb::text")
            .bind(refused)
            .fetch_one(&mut c)
            .await;
        assert!(pg.is_err(), "Postgres takes {refused:?}");
        assert_eq!(jsonb_text(refused), None, "{refused:?}");
    }

    // through the engine (step content goes the same way, checked by the
    // simulated workload's trace details)
    let mut log = fixture()
        .into_iter()
        .find_map(|e| match e {
            Event::Log { log } => Some(log),
            _ => None,
        })
        .unwrap();
    log.metadata = Some(r#"{"tokens":10,"model":"m"}"#.into());
    let live = LiveEngine::new(LiveLimits::default());
    live.ingest_batch([Event::Log { log: log.clone() }]);
    let held = live
        .log_search(&LogFilter::default())
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.id == log.id)
        .unwrap();
    assert_eq!(
        held.metadata.as_deref(),
        Some(r#"{"model": "m", "tokens": 10}"#)
    );
}

/// Small fixed data for the platform's own definitions: one session per
/// bot flag beside two clean ones, a synthetic request beside two real
/// ones (one routed to a fallback model, with cache tokens), and a
/// completed task whose tool call failed, with a sub-agent's task under
/// the same trace.
fn platform_fixture() -> Vec<Event> {
    let mut ev = vec![
        user("u1", "Ada"),
        user("u2", "Bob"),
        context("ctx-1", "u1", t0(), t0()),
    ];
    let ended = |mut s: SessionRecord, minutes: i64| {
        s.ended_at = Some(s.started_at + Duration::minutes(minutes));
        s.last_activity_at = s.started_at + Duration::minutes(minutes.min(5));
        s
    };
    let mut clean1 = ended(session("s-clean-1", Some("u1"), min(0)), 45); // capped at 30 min
    clean1.country = Some("DE".into());
    clean1.request_count = 4;
    let mut clean2 = ended(session("s-clean-2", Some("u2"), min(10)), 10);
    clean2.country = Some("DE".into());
    clean2.request_count = 2;
    let mut bot = ended(session("s-bot", None, min(20)), 5);
    bot.is_bot = true;
    bot.country = Some("US".into());
    let mut crawler = session("s-crawler", None, min(21));
    crawler.is_ai_crawler = Some(true);
    crawler.country = Some("US".into());
    let mut scanner = session("s-scanner", None, min(22));
    scanner.is_scanner = true;
    let mut behavioural = session("s-behavioural", None, min(23));
    behavioural.is_behavioral_bot = true;
    behavioural.country = Some("DE".into());
    for s in [clean1, clean2, bot, crawler, scanner, behavioural] {
        ev.push(Event::SessionEnded { session: s });
    }

    ev.push(task(
        "tk-parent",
        "planner",
        "trace-chain",
        task_state::COMPLETED,
        Some(1000),
        "u1",
        min(30),
    ));
    ev.push(task(
        "tk-child",
        "researcher",
        "trace-chain",
        task_state::COMPLETED,
        Some(400),
        "u1",
        min(31),
    ));
    let mut routed = request(
        "req-routed",
        "u1",
        Some("tk-parent"),
        Some("ctx-1"),
        Some("trace-chain"),
        "openai",
        "gpt-4o-mini",
        Some((1000, 100)),
        3000,
        Some(900),
        "completed",
        min(32),
    );
    routed.requested_model = Some("gpt-4o".into());
    routed.cache_read_tokens = Some(600);
    routed.cache_creation_tokens = Some(200);
    let plain = request(
        "req-plain",
        "u2",
        None,
        Some("ctx-1"),
        None,
        "openai",
        "gpt-4o",
        Some((500, 50)),
        1001,
        Some(100),
        "completed",
        min(33),
    );
    let mut synthetic = request(
        "req-synthetic",
        "u2",
        None,
        Some("ctx-1"),
        None,
        "openai",
        "gpt-4o",
        Some((200, 20)),
        5000,
        Some(50),
        "completed",
        min(34),
    );
    synthetic.synthetic = Some(true);
    synthetic.cache_read_tokens = Some(100);
    for r in [routed, plain, synthetic] {
        ev.push(Event::AiRequestCompleted {
            request: r,
            messages: vec![],
            tool_calls: vec![],
        });
    }
    ev.push(Event::McpExecution {
        execution: mcp(
            "mcp-failed",
            "search",
            "web",
            "trace-chain",
            mcp_status::FAILED,
            Some(40),
            "u1",
            min(33),
        ),
    });
    ev
}

/// Hand-computed answers to the platform's own definitions, the same from
/// Postgres and from memory.
async fn platform_numbers_by_hand(shape: Shape) {
    let db = support::fresh_db_shaped(shape).await;
    let events = platform_fixture();
    load(&db.url, &events).await;
    let pg = PgEngine::connect(&db.url).await.expect("connect");
    let live = LiveEngine::new(LiveLimits::default());
    live.ingest_all(&events);
    let w = window();
    let all = Counting::EVERYTHING;
    let engines: [(&str, &dyn QueryEngine); 2] = [("postgres", &pg), ("live", &live)];
    for (name, e) in engines {
        // clean traffic: the two clean sessions; durations 45 min (capped
        // at 30) and 10 min → (1800 + 600) / 2
        let s = e.session_stats(&w).await.unwrap();
        assert_eq!(
            (
                s.bots_included,
                s.session_count,
                s.unique_users,
                s.ended_count
            ),
            (false, 2, 2, 2),
            "{name}"
        );
        assert_eq!(s.avg_duration_seconds, 1200, "{name}");
        assert_eq!(s.total_requests, 6, "{name}");
        // one of each flag beside the totals: 4 of 6 sessions
        assert_eq!(
            (
                s.bot_sessions,
                s.scanner_sessions,
                s.behavioral_bot_sessions,
                s.ai_crawler_sessions
            ),
            (4, 1, 1, 1),
            "{name}"
        );
        assert_eq!(s.bot_share, 4.0 / 6.0, "{name}");
        let s = e.session_stats_counting(&w, all).await.unwrap();
        // every session; the bot's 5 minutes join: (1800 + 600 + 300) / 3
        assert_eq!(
            (s.session_count, s.ended_count, s.avg_duration_seconds),
            (6, 3, 900),
            "{name}"
        );

        let t = e.traffic(&w, 0).await.unwrap();
        let rows: Vec<(String, i64, i64, i64)> = t
            .by_country
            .iter()
            .map(|r| (r.key.clone(), r.session_count, r.bot_count, r.scanner_count))
            .collect();
        assert_eq!(
            rows,
            [
                ("DE".to_string(), 2, 1, 0),
                ("US".to_string(), 0, 2, 0),
                (UNKNOWN_KEY.to_string(), 0, 1, 1)
            ],
            "{name}"
        );
        assert_eq!((t.total_sessions, t.bot_sessions), (2, 4), "{name}");
        let t = e.traffic_counting(&w, 0, all).await.unwrap();
        assert_eq!(t.total_sessions, 6, "{name}");
        assert_eq!(t.by_country[0].session_count, 3, "{name}");
        let c = e.content(&w, 0).await.unwrap();
        assert_eq!((c.total_sessions, c.bot_sessions), (2, 4), "{name}");

        // costs: the synthetic request is left out and counted
        let c = e.cost_summary(&w).await.unwrap();
        assert_eq!(
            (c.request_count, c.input_tokens, c.output_tokens),
            (2, 1500, 150),
            "{name}"
        );
        assert_eq!(c.total_cost_microdollars, Microdollars(4001), "{name}");
        // 4001 / 2 = 2000.5: rounded, not truncated
        assert_eq!(
            c.avg_cost_per_request_microdollars,
            Microdollars(2001),
            "{name}"
        );
        assert_eq!(
            (
                c.cache_read_tokens,
                c.cache_creation_tokens,
                c.synthetic_requests_excluded
            ),
            (600, 200, 1),
            "{name}"
        );
        assert_eq!(c.cached_input_share, 600.0 / 1500.0, "{name}");
        let c = e.cost_summary_counting(&w, all).await.unwrap();
        assert_eq!(
            (c.request_count, c.total_cost_microdollars.get()),
            (3, 9001),
            "{name}"
        );
        assert_eq!(
            (c.cache_read_tokens, c.synthetic_requests_excluded),
            (700, 0),
            "{name}"
        );
        let by_model = e.cost_breakdown(&w, CostDimension::Model).await.unwrap();
        let keys: Vec<(&str, i64, i64)> = by_model
            .iter()
            .map(|r| (r.key.as_str(), r.request_count, r.cache_read_tokens))
            .collect();
        assert_eq!(keys, [("gpt-4o-mini", 1, 600), ("gpt-4o", 1, 0)], "{name}");
        let trend = e.cost_trend(&w, Bucket::Day).await.unwrap();
        assert_eq!(
            trend.iter().map(|b| b.request_count).sum::<i64>(),
            2,
            "{name}"
        );

        // requests: every row (no counting choice), one routed to a fallback
        let r = e.request_stats(&w).await.unwrap();
        assert_eq!(
            (
                r.request_count,
                r.rerouted_request_count,
                r.cache_read_tokens
            ),
            (3, 1, 700),
            "{name}"
        );

        // the completed task's tool call failed: the trace failed
        let traces = e
            .traces(&TraceListFilter {
                window: Some(w),
                ..Default::default()
            })
            .await
            .unwrap();
        let chain = traces
            .iter()
            .find(|t| t.trace_id.as_str() == "trace-chain")
            .expect("the chain is listed");
        assert_eq!(chain.status, "failed", "{name}");
        assert_eq!(chain.task_status.as_deref(), Some("completed"), "{name}");
        assert_eq!(chain.agent_name.as_deref(), Some("planner"), "{name}");
        let detail = e.trace_detail(&TraceId::from("trace-chain")).await.unwrap();
        let tasks: Vec<&str> = detail.tasks.iter().map(|t| t.task_id.as_str()).collect();
        assert_eq!(tasks, ["tk-parent", "tk-child"], "{name}: parent first");
        assert_eq!(
            detail.task.as_ref().map(|t| t.task_id.as_str()),
            Some("tk-parent")
        );
    }
    // and the two engines agree on everything they were asked
    assert_conformant(
        &pg,
        &live,
        now(),
        &Picks::fixture(),
        &[TraceId::from("trace-chain")],
        &["req-routed", "trace-ch"],
    )
    .await;
}

both_shapes!(
    platform_numbers_by_hand,
    hand_built_workload_answers_the_same_in_postgres_and_in_memory,
    cost_breakdown_by_agent_answers_the_same,
    simulated_workload_answers_the_same_in_postgres_and_in_memory,
);
