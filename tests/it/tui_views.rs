//! Snapshot tests of every view at 80×24 and 200×50 on fixed data (ratatui
//! TestBackend), the NO_COLOR rendering, and a model reply carrying ANSI
//! escapes that must reach the screen inert.

use crate::tui_fixtures;

use crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};
use tracetop::model::*;
use tracetop::query::*;
use tracetop::tui::app::*;
use tracetop::tui::theme::Theme;
use tui_fixtures::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];

fn trace_app(w: u16, h: u16, theme: Theme) -> App {
    let mut app = app_with(theme, w, h);
    app.open_trace(TraceId::new("trace-abc"), None);
    app.update(Msg::Reply(Reply::Trace(
        trace_generation(&app),
        TraceId::new("trace-abc"),
        Ok(Box::new(trace_detail())),
    )));
    app.update(Msg::Reply(Reply::TraceAudit(
        trace_audit_generation(&app),
        TraceId::new("trace-abc"),
        Ok(AuditResolution::Found(Box::new(trace_audit()))),
    )));
    // task, step, then the request whose reply holds escapes
    app.update(ch('j'));
    app.update(ch('j'));
    app
}

fn costs_app(w: u16, h: u16) -> App {
    let mut app = app(w, h);
    app.update(ch('3'));
    app.update(Msg::Reply(Reply::Costs(
        app.costs.generation(),
        Ok(Box::new(costs_data())),
    )));
    app
}

fn leaders_app(w: u16, h: u16) -> App {
    let mut app = app(w, h);
    app.update(ch('4'));
    app.update(Msg::Reply(Reply::Leaders(
        app.leaders.generation(),
        Ok(Box::new(leaders_data())),
    )));
    app
}

fn audit_app(w: u16, h: u16) -> App {
    let mut app = app(w, h);
    app.update(ch('5'));
    app.update(Msg::Reply(Reply::AuditQueue(
        app.audit.queue_generation(),
        Ok(queue_data()),
    )));
    app.update(ch('j'));
    app.update(Msg::Reply(Reply::AuditRecord(
        app.audit.record_generation(),
        "req-0004-aaaa".into(),
        Ok(tracetop::query::AuditResolution::Found(Box::new(
            trace_audit(),
        ))),
    )));
    app.update(ch('f'));
    app
}

fn logs_app(w: u16, h: u16) -> App {
    let mut app = app(w, h);
    app.update(ch('6'));
    let generation = app.logs.generation();
    app.update(Msg::Reply(Reply::Logs(generation, Ok(logs_data()))));
    app
}

#[test]
fn live_view() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        app.update(ch('j')); // pause on the second row so the selection shows
        insta::assert_snapshot!(format!("live_{w}x{h}"), screen(&app));
    }
}

#[test]
fn live_view_with_filter_and_lost_source() {
    let mut app = app(80, 24);
    app.update(ch('/'));
    type_text(&mut app, "level:error");
    app.update(key(KeyCode::Enter));
    app.update(Msg::Source(SourceUpdate::State(
        SourceState::Reconnecting {
            retry_in_ms: 4000,
            reason: "connection refused".into(),
        },
    )));
    app.update(Msg::Source(SourceUpdate::Counters(SourceCounters {
        received: 100,
        dropped: 12,
        behind_secs: Some(42.0),
        ..SourceCounters::default()
    })));
    insta::assert_snapshot!(screen(&app));
}

/// A systemprompt analytics stream in the console: one readable feed line
/// per page view, engagement update and session, the gap after a reconnect
/// said in words, and the server's REAL_TIME_STATS in the ribbon.
#[test]
fn live_view_of_a_systemprompt_stream() {
    let mut app = App::new(
        Theme::builtin("dark", false).unwrap(),
        tracetop::tui::keymap::Keymap::default(),
        tracetop::tui::config::Thresholds::default(),
        now(),
    );
    app.update(Msg::Resize(200, 50));
    app.update(Msg::Source(SourceUpdate::State(SourceState::Connected)));
    app.update(Msg::Source(SourceUpdate::Events(systemprompt_events())));
    app.drain_effects();
    let text = screen(&app);
    for expected in [
        "live sessions 12",
        "active users 9",
        "page views 5m 311",
        "bots 5m 27",
        "req/min 140.0",
        "events between 09:59:35 and 09:59:40 not received",
        "scroll 75% · 42.0s on page · 3 clicks · session sess_web1",
        "view session sess_web1 from https://example.com/",
        "session sess_web1 · desktop · Firefox from google",
        "session sess_web1 · 4 pages · 17 requests · 40.0s",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not on screen:\n{text}"
        );
    }
    let page_line = text.lines().find(|l| l.contains("view session")).unwrap();
    assert!(
        page_line.contains("page")
            && page_line.contains("user_9")
            && page_line.contains("/docs/mcp")
    );
    insta::assert_snapshot!("live_systemprompt_200x50", text);
    // Past the server's connection cap the ribbon says why, URL included.
    let reason = "too many connections (HTTP 429) to https://sp.example/api/v1/analytics/stream: \
                  the server caps streams per user (systemprompt: 10); close another console or tail of this user";
    app.update(Msg::Source(SourceUpdate::State(
        SourceState::Reconnecting {
            retry_in_ms: 30_000,
            reason: reason.into(),
        },
    )));
    let text = screen(&app);
    assert!(
        text.contains("✗ reconnecting in 30s (too many connections (HTTP 429) to https://sp.example/api/v1/analytics/stream"),
        "{text}"
    );
}

#[test]
fn trace_view() {
    for (w, h) in SIZES {
        let app = trace_app(w, h, Theme::builtin("dark", false).unwrap());
        insta::assert_snapshot!(format!("trace_{w}x{h}"), screen(&app));
    }
}

#[test]
fn costs_view() {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("costs_{w}x{h}"), screen(&costs_app(w, h)));
    }
}

#[test]
fn leaderboards_view() {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("leaders_{w}x{h}"), screen(&leaders_app(w, h)));
    }
}

#[test]
fn audit_view() {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("audit_{w}x{h}"), screen(&audit_app(w, h)));
    }
}

#[test]
fn logs_view() {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("logs_{w}x{h}"), screen(&logs_app(w, h)));
    }
}

#[test]
fn help_overlay() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        app.update(ch('?'));
        insta::assert_snapshot!(format!("help_{w}x{h}"), screen(&app));
    }
}

#[test]
fn palette_overlay() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        app.update(ch(':'));
        type_text(&mut app, "trace abc");
        insta::assert_snapshot!(format!("palette_{w}x{h}"), screen(&app));
    }
}

#[test]
fn too_small_terminal_says_so() {
    let app = app(79, 24);
    let text = screen(&app);
    assert!(text.contains("terminal too small"), "{text}");
    assert!(text.contains("need 80×24, have 79×24"), "{text}");
    let app = tui_fixtures::app(120, 23);
    assert!(screen(&app).contains("terminal too small"));
}

#[test]
fn ansi_in_a_model_reply_is_rendered_inert() {
    for (w, h) in SIZES {
        let mut app = trace_app(w, h, Theme::builtin("dark", false).unwrap());
        // focus the detail pane and scroll down to the assistant's reply
        app.update(key(KeyCode::Tab));
        for _ in 0..7 {
            app.update(ch('j'));
        }
        let terminal = render(&app);
        let buffer = terminal.backend().buffer();
        for cell in buffer.content() {
            assert!(
                !cell.symbol().chars().any(|c| c.is_control()),
                "control character reached a cell: {:?}",
                cell.symbol()
            );
        }
        let text = screen(&app);
        assert!(text.contains("Sure. RED  done"), "{text}");
        assert!(!text.contains("pwned"), "OSC title text leaked: {text}");
        assert!(!text.contains("[31m"), "{text}");
    }
}

#[test]
fn no_color_uses_no_colour_and_keeps_state_visible() {
    let no_color = Theme::builtin("dark", true).unwrap();
    let mut live = app_with(no_color.clone(), 200, 50);
    live.update(ch('j'));
    let trace = trace_app(200, 50, no_color);
    for app in [&live, &trace] {
        let terminal = render(app);
        let buffer = terminal.backend().buffer();
        for cell in buffer.content() {
            assert_eq!(cell.fg, Color::Reset, "coloured cell {:?}", cell.symbol());
            assert_eq!(cell.bg, Color::Reset, "coloured cell {:?}", cell.symbol());
        }
    }
    // the selected feed row is reversed; the failed request row is bold with ✗
    let terminal = render(&live);
    let buffer = terminal.backend().buffer();
    let rows = tracetop::tui::layout::ScreenLayout::new(buffer.area).feed_rows;
    let row_text = |y: u16| -> String {
        (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol())
            .collect()
    };
    let selected_y = rows.y + 1;
    assert!(
        buffer[(rows.x + 3, selected_y)]
            .modifier
            .contains(Modifier::REVERSED)
    );
    let failed_y = (rows.y..rows.y + rows.height)
        .find(|&y| row_text(y).contains("ai.fail"))
        .expect("failed request row on screen");
    assert!(row_text(failed_y).contains('✗'));
    assert!(
        buffer[(rows.x + 3, failed_y)]
            .modifier
            .contains(Modifier::BOLD)
    );
    let anomaly_y = (rows.y..rows.y + rows.height)
        .find(|&y| row_text(y).contains("anomaly"))
        .expect("anomaly row on screen");
    assert!(row_text(anomaly_y).contains('⚠'));
}

#[test]
fn every_theme_renders_every_view() {
    for name in tracetop::tui::theme::builtin_names() {
        let theme = Theme::builtin(name, false).unwrap();
        let mut app = trace_app(100, 30, theme);
        for view in ['1', '2', '3', '4', '5', '6'] {
            app.update(ch(view));
            let _ = screen(&app);
        }
    }
}

/// A trace where the agent delegated: the sub-agent's task is drawn nested
/// under the parent with its own rows, and selecting it shows that task.
#[test]
fn trace_view_draws_a_delegation_chain_nested() {
    let mut detail = trace_detail();
    let mut child = task();
    child.task_id = TaskId::new("task-2");
    child.agent_name = Some("researcher".into());
    child.created_at += chrono::Duration::seconds(1);
    let mut child_request = request(7, "completed", "trace-abc");
    child_request.task_id = Some(child.task_id.clone());
    child_request.requested_model = Some("claude-opus".into());
    detail.events.push(TraceEvent::AiRequest(child_request));
    TraceEvent::sort_timeline(&mut detail.events);
    detail.tasks = vec![task(), child];

    let mut app = app_with(Theme::builtin("dark", false).unwrap(), 200, 50);
    app.open_trace(TraceId::new("trace-abc"), None);
    app.update(Msg::Reply(Reply::Trace(
        trace_generation(&app),
        TraceId::new("trace-abc"),
        Ok(Box::new(detail.clone())),
    )));
    let text = screen(&app);
    let parent = text.find("▣ task support-agent").expect("the parent task");
    let sub = text
        .find("└▣ task researcher")
        .expect("the sub-agent, nested");
    assert!(parent < sub, "parent first:\n{text}");
    // the sub-agent's request sits under it, indented, requested → served
    let routed = text
        .find("    ◆ anthropic claude-opus → ")
        .expect("the sub-agent's request, nested, with its routed model");
    assert!(sub < routed, "{text}");
    assert!(text.contains("tasks 2 (delegated)"), "{text}");

    // walk to the sub-agent's task row: its detail names it
    let rows = detail.chain_rows();
    let at = rows
        .iter()
        .position(|r| r.id() == "task-2")
        .expect("a row for the sub-agent's task");
    for _ in 0..at {
        app.update(ch('j'));
    }
    let text = screen(&app);
    assert!(text.contains("task        task-2"), "{text}");
}

/// A feed line names the requested model beside the served one when the
/// gateway routed to a fallback, and marks synthetic traffic.
#[test]
fn feed_line_shows_the_routed_model_and_marks_synthetic_traffic() {
    use tracetop::tui::feed::Feed;
    let mut routed = request(1, "completed", "trace-r");
    routed.requested_model = Some("claude-opus".into());
    let mut probe = request(2, "completed", "trace-p");
    probe.synthetic = Some(true);
    let plain = request(3, "completed", "trace-q");
    let mut feed = Feed::new(10);
    feed.push_events(&[
        Event::AiRequestCompleted {
            request: routed.clone(),
            messages: vec![],
            tool_calls: vec![],
        },
        Event::AiRequestCompleted {
            request: probe.clone(),
            messages: vec![],
            tool_calls: vec![],
        },
        Event::AiRequestCompleted {
            request: plain.clone(),
            messages: vec![],
            tool_calls: vec![],
        },
    ]);
    let subject = |id: &AiRequestId| {
        (0..feed.visible_len())
            .filter_map(|i| feed.display(i))
            .find(|r| r.id == id.as_str())
            .map(|r| r.subject.clone())
            .expect("the request's row")
    };
    assert_eq!(
        subject(&routed.id),
        format!("claude-opus → {}", routed.model)
    );
    assert_eq!(subject(&probe.id), format!("{} ⚗synthetic", probe.model));
    assert_eq!(subject(&plain.id), plain.model);
}
