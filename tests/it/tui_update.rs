//! `App::update` behaviour: navigation, follow/pause, drill-down into a trace
//! and back to the exact row and scroll position, filters, review marks,
//! the palette, help and key remapping. Plain values in, state and effects
//! out: no terminal, no engine.

use crate::tui_fixtures;

use crossterm::event::KeyCode;
use std::collections::BTreeMap;
use tracetop::model::*;
use tracetop::query::*;
use tracetop::source::window::buffer::ReplayBase;
use tracetop::tui::app::*;
use tracetop::tui::config::Thresholds;
use tracetop::tui::keymap::{Action, Keymap};
use tracetop::tui::theme::Theme;
use tui_fixtures::*;

fn log_events(range: std::ops::Range<usize>, trace: &str) -> Vec<Event> {
    range
        .map(|i| Event::Log {
            log: log(
                i,
                if i.is_multiple_of(5) { "ERROR" } else { "INFO" },
                Some(trace),
            ),
        })
        .collect()
}

fn big_app() -> App {
    let mut app = app(80, 24);
    app.update(Msg::Source(SourceUpdate::Events(log_events(
        100..200,
        "trace-many",
    ))));
    app.drain_effects();
    app
}

#[test]
fn follow_keeps_the_newest_row_selected_and_space_pauses() {
    let mut app = big_app();
    assert!(app.live.follow);
    assert_eq!(app.selected_feed_row().unwrap().id, "log-0199");
    app.update(Msg::Source(SourceUpdate::Events(log_events(200..201, "t"))));
    assert_eq!(app.selected_feed_row().unwrap().id, "log-0200");

    app.update(ch(' '));
    assert!(!app.live.follow);
    app.update(Msg::Source(SourceUpdate::Events(log_events(201..205, "t"))));
    // paused: the selection stays on the same event while rows arrive
    assert_eq!(app.selected_feed_row().unwrap().id, "log-0200");
    app.update(ch(' '));
    assert!(app.live.follow);
    assert_eq!(app.selected_feed_row().unwrap().id, "log-0204");
}

#[test]
fn j_k_g_and_page_keys_move_the_selection() {
    let mut app = big_app();
    let page = app.feed_page();
    assert_eq!(
        page, 15,
        "80x24: tab bar, footer, 4 ribbon lines, borders, header"
    );
    app.update(ch('j'));
    assert!(!app.live.follow, "moving pauses follow");
    assert_eq!(app.selected_feed_row().unwrap().id, "log-0198");
    app.update(ch('j'));
    app.update(ch('k'));
    assert_eq!(app.selected_feed_row().unwrap().id, "log-0198");
    app.update(key(KeyCode::PageDown));
    assert_eq!(app.live_selection().0, 1 + page);
    app.update(ch('G'));
    // the oldest of the 111 rows: the fixture's task row
    assert_eq!(app.live_selection().0, 110);
    assert_eq!(app.selected_feed_row().unwrap().kind, "task");
    app.update(ch('g'));
    assert!(
        !app.live.follow,
        "g goes to the newest row without resuming follow"
    );
    assert_eq!(app.live_selection(), (0, 0));
    app.update(ch(' '));
    assert!(app.live.follow);
}

#[test]
fn pausing_is_said_and_counts_what_arrives() {
    let mut app = big_app();
    app.update(ch('j'));
    assert!(app.status.as_ref().unwrap().0.starts_with("paused"));
    app.update(Msg::Source(SourceUpdate::Events(log_events(200..207, "t"))));
    assert_eq!(app.live.new_since_pause(), 7);
    assert!(screen(&app).contains("⏸ PAUSED · +7 new (Space follows)"));
    app.update(ch(' '));
    assert_eq!(app.live.new_since_pause(), 0);
}

#[test]
fn enter_while_following_opens_the_row_that_was_on_screen() {
    let mut app = app(80, 24);
    app.drawn(); // the newest row on screen is the fixture's last feed row
    let seen = app.selected_feed_row().unwrap().clone();
    assert!(seen.trace_id.is_some(), "{seen:?}");
    // a row of another trace lands on top before the key
    app.update(Msg::Source(SourceUpdate::Events(vec![Event::Log {
        log: log(99, "INFO", Some("trace-late")),
    }])));
    assert_ne!(app.selected_feed_row().unwrap().id, seen.id);
    app.update(key(KeyCode::Enter));
    assert_eq!(
        app.trace.as_ref().map(|t| t.trace_id.clone()),
        seen.trace_id,
        "the trace of the row that was shown"
    );
}

#[test]
fn enter_opens_the_trace_and_esc_returns_to_the_exact_row_and_scroll() {
    let mut app = big_app();
    for _ in 0..20 {
        app.update(ch('j'));
    }
    let (index, offset) = app.live_selection();
    assert_eq!(index, 20);
    let screen_row = index - offset;
    assert_eq!(screen_row, 14, "selection sits on the last visible row");
    let row_id = app.selected_feed_row().unwrap().id.clone();

    app.update(key(KeyCode::Enter));
    assert_eq!(app.view, ViewId::Trace);
    let effects = app.drain_effects();
    assert!(effects.iter().any(|e| matches!(e,
        Effect::Query(Query::Trace { trace_id, .. }) if trace_id.as_str() == "trace-many")));
    assert!(effects.iter().any(|e| matches!(e,
        Effect::Query(Query::TraceAudit { trace_id, .. }) if trace_id.as_str() == "trace-many")));

    // the feed keeps moving while the trace is open
    app.update(Msg::Source(SourceUpdate::Events(log_events(
        300..350,
        "other",
    ))));
    app.update(Msg::Reply(Reply::Trace(
        trace_generation(&app),
        TraceId::new("trace-many"),
        Ok(Box::new(trace_detail())),
    )));
    app.update(ch('j'));

    app.update(key(KeyCode::Esc));
    assert_eq!(app.view, ViewId::Live);
    assert!(!app.live.follow);
    assert_eq!(app.selected_feed_row().unwrap().id, row_id);
    let (index, offset) = app.live_selection();
    assert_eq!(index, 70, "50 newer rows arrived above");
    assert_eq!(index - offset, screen_row, "same place on screen");
}

#[test]
fn enter_on_a_row_without_trace_says_so() {
    let mut app = app(80, 24);
    app.update(Msg::Source(SourceUpdate::Events(vec![Event::Log {
        log: log(7, "INFO", None),
    }])));
    app.drain_effects();
    app.update(key(KeyCode::Enter));
    assert_eq!(app.view, ViewId::Live);
    assert!(app.drain_effects().is_empty());
    assert_eq!(
        app.status.as_ref().unwrap().0,
        "this row belongs to no trace"
    );
}

#[test]
fn trace_view_navigation_and_detail_scroll() {
    let mut app = app(80, 24);
    app.open_trace(TraceId::new("trace-abc"), None);
    app.update(Msg::Reply(Reply::Trace(
        trace_generation(&app),
        TraceId::new("trace-abc"),
        Ok(Box::new(trace_detail())),
    )));
    assert_eq!(app.trace_row_count(), 6);
    app.update(ch('G'));
    assert_eq!(app.trace.as_ref().unwrap().selected, 5);
    assert_eq!(app.selected_id().as_deref(), Some("log-0003"));
    app.update(ch('g'));
    assert_eq!(app.selected_id().as_deref(), Some("task-1"));
    app.update(key(KeyCode::Tab));
    app.update(ch('j'));
    app.update(ch('j'));
    let t = app.trace.as_ref().unwrap();
    assert_eq!((t.selected, t.detail_scroll), (0, 2));
    // a reply for another trace is ignored
    app.update(Msg::Reply(Reply::Trace(
        trace_generation(&app),
        TraceId::new("other"),
        Err("boom".into()),
    )));
    assert!(matches!(
        app.trace.as_ref().unwrap().detail,
        Loadable::Ready(_)
    ));
    // without a return point Esc goes to the live view
    app.update(key(KeyCode::Esc));
    assert_eq!(app.view, ViewId::Live);
}

#[test]
fn filter_as_you_type_and_esc_clears() {
    let mut app = app(80, 24);
    assert_eq!(app.live.feed.visible_len(), 11);
    app.update(ch('/'));
    type_text(&mut app, "level:error");
    // errors: the failed request and the ERROR log
    assert_eq!(app.live.feed.visible_len(), 2);
    app.update(key(KeyCode::Enter));
    assert!(app.overlay.is_none());
    assert_eq!(app.live.feed.filter().raw, "level:error");
    // new matching rows join the filtered view, others do not
    app.update(Msg::Source(SourceUpdate::Events(vec![
        Event::Log {
            log: log(50, "ERROR", None),
        },
        Event::Log {
            log: log(51, "INFO", None),
        },
    ])));
    assert_eq!(app.live.feed.visible_len(), 3);
    assert_eq!(app.selected_feed_row().unwrap().id, "log-0050");

    app.update(ch('/'));
    for _ in 0.."level:error".len() {
        app.update(key(KeyCode::Backspace));
    }
    type_text(&mut app, "model:sonnet");
    app.update(key(KeyCode::Enter));
    assert_eq!(
        app.live.feed.visible_len(),
        2,
        "requests 0 and 3 use claude-sonnet"
    );
    app.update(ch('/'));
    app.update(ctrl('u'));
    for _ in 0.."model:sonnet".len() {
        app.update(key(KeyCode::Backspace));
    }
    type_text(&mut app, "user:bob");
    app.update(key(KeyCode::Enter));
    assert_eq!(app.live.feed.visible_len(), 3, "requests 1, 3, 5");
    app.update(key(KeyCode::Esc));
    assert!(app.live.feed.filter().is_empty());
    assert_eq!(app.live.feed.visible_len(), 13);
}

fn user(id: &str, name: &str) -> UserRecord {
    UserRecord {
        id: UserId::new(id),
        name: name.into(),
        email: None,
        status: "active".into(),
        roles: vec![],
        created_at: now(),
    }
}

#[test]
fn users_are_shown_by_name_everywhere_and_user_filters_match_names() {
    let mut app = app(120, 40);
    // the directory was asked with the first refresh (the fixture's
    // start), and is asked again only every few minutes
    let asked = |app: &mut App| {
        app.drain_effects()
            .iter()
            .any(|e| matches!(e, Effect::Query(Query::Users)))
    };
    let later = |secs: i64| now() + chrono::Duration::seconds(secs);
    app.start();
    assert!(!asked(&mut app), "a forced refresh does not re-ask");
    app.update(Msg::Tick(later(6)));
    assert!(!asked(&mut app), "not again within {USER_DIRECTORY_SECS} s");
    app.update(Msg::Tick(later(USER_DIRECTORY_SECS + 20)));
    assert!(asked(&mut app), "asked again after {USER_DIRECTORY_SECS} s");
    assert!(screen(&app).contains("alice"), "ids until names are known");
    app.update(Msg::Reply(Reply::Users(Ok(vec![
        user("alice", "Ada"),
        user("bob", "Bo Stone"),
    ]))));
    let shown = screen(&app);
    assert!(
        shown.contains("Bo Stone") && shown.contains("Ada"),
        "{shown}"
    );
    assert!(!shown.contains(" alice "), "{shown}");
    // `user:` matches a name (bob's id has no "stone" in it)
    app.update(ch('/'));
    type_text(&mut app, "user:stone");
    app.update(key(KeyCode::Enter));
    assert_eq!(app.live.feed.visible_len(), 3, "requests 1, 3, 5");
    // a second "ada": both are told apart by a short id; a user_seen event
    // teaches the directory too
    app.update(Msg::Source(SourceUpdate::Events(vec![Event::UserSeen {
        user: user("carol", "ada"),
    }])));
    app.update(key(KeyCode::Esc));
    assert!(screen(&app).contains("Ada·alice"), "{}", screen(&app));
}

fn audit_ready() -> App {
    let mut app = app(120, 40);
    app.reviewer = "dana".into();
    app.update(ch('5'));
    let effects = app.drain_effects();
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Query(Query::AuditQueue { .. })))
    );
    app.update(Msg::Reply(Reply::AuditQueue(
        app.audit.queue_generation(),
        Ok(queue_data()),
    )));
    // the Record pane follows the cursor: the first item's record is asked for
    assert_eq!(
        app.drain_effects(),
        vec![Effect::Query(Query::AuditRecord {
            generation: app.audit.record_generation(),
            id: "req-0005-aaaa".into()
        })]
    );
    app
}

/// Only the verdicts among the effects.
fn verdicts_of(effects: Vec<Effect>) -> Vec<NewReview> {
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::RecordReview(r) => Some(r),
            _ => None,
        })
        .collect()
}

#[test]
fn review_marks_emit_verdicts_and_show_them() {
    let mut app = audit_ready();
    // queue newest first: req-0005 (already ok by carol), req-0004, ...
    assert_eq!(app.selected_id().as_deref(), Some("req-0005-aaaa"));
    assert_eq!(app.audit.verdicts["req-0005-aaaa"].verdict.as_str(), "ok");
    app.update(ch('j'));
    app.update(ch('e'));
    let effects = app.drain_effects();
    assert_eq!(
        verdicts_of(effects),
        vec![NewReview {
            target_kind: ReviewTarget::Request,
            target_id: "req-0004-aaaa".into(),
            verdict: Verdict::Escalate,
            note: None,
            reviewer: "dana".into(),
        }]
    );
    let v = &app.audit.verdicts["req-0004-aaaa"];
    assert_eq!((v.verdict.as_str(), v.pending), ("escalate", true));
    let stored = ReviewRecord {
        id: 2,
        target_kind: ReviewTarget::Request,
        target_id: "req-0004-aaaa".into(),
        verdict: Verdict::Escalate,
        note: None,
        reviewer: "dana".into(),
        created_at: now(),
    };
    app.update(Msg::Reply(Reply::Review(
        "req-0004-aaaa".into(),
        Ok(stored),
    )));
    assert!(!app.audit.verdicts["req-0004-aaaa"].pending);
    // a later queue refresh keeps it (the store now returns it)
    assert!(screen(&app).contains("⇪ escal"));
}

#[test]
fn a_refused_verdict_is_rolled_back() {
    let mut app = audit_ready();
    app.update(ch('j'));
    app.update(ch('a'));
    app.update(Msg::Reply(Reply::Review(
        "req-0004-aaaa".into(),
        Err("permission denied for table tracetop_reviews".into()),
    )));
    assert!(!app.audit.verdicts.contains_key("req-0004-aaaa"));
    assert!(app.status.as_ref().unwrap().0.contains("not saved"));
}

#[test]
fn note_is_recorded_with_the_next_verdict() {
    let mut app = audit_ready();
    app.update(ch('j'));
    app.drain_effects();
    app.update(ch('n'));
    assert!(matches!(app.overlay, Some(Overlay::Note { .. })));
    type_text(&mut app, "needs a look");
    app.update(ctrl('s'));
    assert!(app.overlay.is_none());
    assert!(app.drain_effects().is_empty(), "no verdict yet");
    app.update(ch('f'));
    match app.drain_effects().as_slice() {
        [Effect::RecordReview(r)] => {
            assert_eq!(r.verdict.as_str(), "flag");
            assert_eq!(r.note.as_deref(), Some("needs a look"));
        }
        other => panic!("unexpected effects {other:?}"),
    }
}

#[test]
fn next_unreviewed_and_queue_filters() {
    let mut app = audit_ready();
    // req-0005 is reviewed; ] goes to req-0004, then req-0003
    app.update(ch(']'));
    assert_eq!(app.selected_id().as_deref(), Some("req-0004-aaaa"));
    app.update(ch('a'));
    app.update(ch(']'));
    assert_eq!(app.selected_id().as_deref(), Some("req-0003-aaaa"));
    app.update(ch('['));
    assert_eq!(
        app.selected_id().as_deref(),
        Some("req-0003-aaaa"),
        "nothing unreviewed above"
    );
    assert_eq!(app.status.as_ref().unwrap().0, "no unreviewed item above");

    app.update(ch('v'));
    assert_eq!(app.audit.queue_filter, QueueFilter::Errors);
    let ids: Vec<String> = app
        .audit_queue_items()
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(ids, vec!["req-0004-aaaa"]);
    app.update(ch('v'));
    assert_eq!(app.audit.queue_filter, QueueFilter::Anomalies);
    // the open anomaly is about gpt-4o and trace-err
    let ids: Vec<String> = app
        .audit_queue_items()
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(
        ids,
        vec![
            "req-0005-aaaa",
            "req-0004-aaaa",
            "req-0002-aaaa",
            "req-0001-aaaa"
        ]
    );
    app.update(ch('v'));
    let ids: Vec<String> = app
        .audit_queue_items()
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(
        ids,
        vec![
            "req-0003-aaaa",
            "req-0002-aaaa",
            "req-0001-aaaa",
            "req-0000-aaaa"
        ]
    );
}

#[test]
fn prefix_box_resolves_as_you_type_and_ignores_stale_answers() {
    let mut app = audit_ready();
    app.update(ch('/'));
    assert_eq!(app.audit.focus, AuditFocus::Prefix);
    type_text(&mut app, "req");
    assert!(app.drain_effects().is_empty(), "3 characters is too short");
    type_text(&mut app, "-0");
    let effects = app.drain_effects();
    let generation = match effects.as_slice() {
        [
            Effect::Query(Query::AuditLookup { prefix: first, .. }),
            Effect::Query(Query::AuditLookup { generation, prefix }),
        ] => {
            assert_eq!(first, "req-");
            assert_eq!(prefix, "req-0");
            *generation
        }
        other => panic!("unexpected {other:?}"),
    };
    type_text(&mut app, "000");
    // the answer for "req-0" arrives late: ignored
    app.update(Msg::Reply(Reply::AuditLookup(
        generation,
        Err("stale".into()),
    )));
    assert_eq!(app.audit.lookup, Loadable::Loading);
    app.update(Msg::Reply(Reply::AuditLookup(
        app.audit.lookup_generation(),
        Ok(AuditResolution::Found(Box::new(trace_audit()))),
    )));
    app.update(key(KeyCode::Enter));
    assert_eq!(app.audit.focus, AuditFocus::Record);
    assert!(matches!(app.audit.record, Loadable::Ready(_)));
    // typing in the box never triggers view keys: 'q' did not quit
    app.update(ch('/'));
    type_text(&mut app, "q");
    assert!(!app.should_quit);
}

#[test]
fn palette_commands() {
    let mut app = app(80, 24);
    app.update(ch(':'));
    type_text(&mut app, "trace trace-xyz");
    app.update(key(KeyCode::Enter));
    resolve_trace_to(&mut app, "trace-xyz");
    assert_eq!(app.view, ViewId::Trace);
    assert_eq!(app.trace.as_ref().unwrap().trace_id.as_str(), "trace-xyz");
    app.update(key(KeyCode::Esc));
    assert_eq!(app.view, ViewId::Live, "back to where :trace was typed");

    app.run_command("costs");
    assert_eq!(app.view, ViewId::Costs);
    app.run_command(":theme light");
    assert_eq!(app.theme.name, "dark", "loading the theme is an effect");
    load_themes(&mut app);
    assert_eq!(app.theme.name, "light");
    app.run_command("theme nope");
    load_themes(&mut app);
    assert!(app.status.as_ref().unwrap().0.contains("unknown theme"));
    // NO_COLOR (read once at start) wins, and the console says so
    app.no_color = true;
    app.run_command("theme high-contrast");
    load_themes(&mut app);
    assert!(!app.theme.colored);
    assert!(app.status.as_ref().unwrap().0.contains("NO_COLOR"));
    app.run_command("audit req-00");
    assert_eq!(app.view, ViewId::Audit);
    assert!(app.pending_effects().iter().any(|e| matches!(
        e,
        Effect::Query(Query::AuditLookup { prefix, .. }) if prefix == "req-00"
    )));
    app.run_command("bogus \u{1b}[31m");
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .0
            .starts_with("unknown command")
    );
    assert!(!app.status.as_ref().unwrap().0.contains('\u{1b}'));
    app.run_command("q");
    assert!(app.should_quit);
}

#[test]
fn digits_jump_to_views_and_queue_their_queries() {
    let mut app = app(80, 24);
    app.update(ch('3'));
    assert_eq!(app.view, ViewId::Costs);
    assert!(app.drain_effects().iter().any(|e| matches!(
        e,
        Effect::Query(Query::Costs {
            bucket: Bucket::Hour,
            ..
        })
    )));
    app.update(ch('t'));
    assert_eq!(app.costs.window, CostWindow::Week);
    assert!(app.drain_effects().iter().any(
        |e| matches!(e, Effect::Query(Query::Costs { bucket: Bucket::Day, window, .. })
            if window.end - window.start == chrono::Duration::days(7))
    ));
    app.update(ch('4'));
    assert_eq!(app.view, ViewId::Leaderboards);
    app.update(ch('s'));
    assert!(app.drain_effects().iter().any(|e| matches!(
        e,
        Effect::Query(Query::Leaders {
            sort: ToolSort::SuccessRate,
            ..
        })
    )));
    app.update(ch('2'));
    assert_eq!(app.view, ViewId::Leaderboards, "no trace open yet");
    app.update(ch('6'));
    assert_eq!(app.view, ViewId::Logs);
    app.update(ch('l'));
    assert_eq!(app.logs.level, Some(LogLevel::Error));
    assert!(app.drain_effects().iter().any(|e| matches!(
        e,
        Effect::Query(Query::Logs { filter, .. }) if filter.level.as_deref() == Some("ERROR")
    )));
}

#[test]
fn periodic_refresh_on_ticks() {
    let mut app = app(80, 24);
    app.start();
    app.drain_effects();
    app.update(Msg::Tick(now() + chrono::Duration::seconds(1)));
    assert!(app.drain_effects().is_empty(), "not due yet");
    app.update(Msg::Tick(now() + chrono::Duration::seconds(6)));
    assert!(
        app.drain_effects()
            .iter()
            .any(|e| matches!(e, Effect::Query(Query::Overview { .. })))
    );
}

#[test]
fn y_copies_the_selected_id() {
    let mut app = app(80, 24);
    app.update(ch('j'));
    let id = app.selected_feed_row().unwrap().id.clone();
    app.update(ch('y'));
    assert_eq!(app.drain_effects(), vec![Effect::Copy(id)]);
}

#[test]
fn quit_and_help() {
    let mut app = app(80, 24);
    app.update(ch('?'));
    assert!(matches!(app.overlay, Some(Overlay::Help { .. })));
    let help: String = tracetop::tui::views::help::help_lines(&app)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    for action in Action::ALL {
        assert!(help.contains(action.describe()), "help lacks {action:?}");
    }
    app.update(ch('j'));
    assert!(matches!(app.overlay, Some(Overlay::Help { scroll: 1, .. })));
    app.update(ch('x'));
    assert!(app.overlay.is_none(), "any other key closes help");
    app.update(ch('q'));
    assert!(app.should_quit);
}

#[test]
fn remapped_keys_apply_and_show_in_help() {
    let mut overrides = BTreeMap::new();
    overrides.insert("quit".to_string(), vec!["ctrl-q".to_string()]);
    overrides.insert("toggle_follow".to_string(), vec!["p".to_string()]);
    let keymap = Keymap::with_overrides(&overrides).unwrap();
    let mut app = App::new(Theme::plain("plain"), keymap, Thresholds::default(), now());
    app.update(Msg::Source(SourceUpdate::Events(feed_events())));
    app.update(ch('q'));
    assert!(!app.should_quit);
    app.update(ch('p'));
    assert!(!app.live.follow);
    let help: String = tracetop::tui::views::help::help_lines(&app)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    assert!(help.contains("Ctrl-q"), "{help}");
    app.update(ctrl('q'));
    assert!(app.should_quit);
}

#[test]
fn mouse_click_selects_a_feed_row_and_wheel_scrolls() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut app = big_app();
    let rows = tracetop::tui::layout::ScreenLayout::sized(80, 24).feed_rows;
    app.update(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 10,
        row: rows.y + 3,
        modifiers: crossterm::event::KeyModifiers::NONE,
    }));
    assert_eq!(app.live_selection().0, 3);
    app.update(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 10,
        row: rows.y,
        modifiers: crossterm::event::KeyModifiers::NONE,
    }));
    assert_eq!(app.live_selection().0, 6);
    // a click on the tab bar switches view
    app.update(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 22,
        row: 0,
        modifiers: crossterm::event::KeyModifiers::NONE,
    }));
    assert_eq!(app.view, ViewId::Costs);
}

#[test]
fn feed_ring_is_bounded() {
    let mut app = App::new(
        Theme::plain("plain"),
        Keymap::default(),
        Thresholds::default(),
        now(),
    )
    .with_feed_capacity(50);
    app.update(Msg::Source(SourceUpdate::Events(log_events(0..120, "t"))));
    assert_eq!(app.live.feed.total(), 50);
    assert_eq!(app.live.feed.evicted, 70);
    assert_eq!(app.selected_feed_row().unwrap().id, "log-0119");
}

/// The periodic reload of the queue: the tick asks, `data` answers.
fn reload_queue(app: &mut App, data: QueueData) {
    let now = app.now + chrono::Duration::seconds(REFRESH_SECS);
    app.update(Msg::Tick(now));
    app.update(Msg::Reply(Reply::AuditQueue(
        app.audit.queue_generation(),
        Ok(data),
    )));
}

/// The queue after `n` newer requests arrived on top of the fixture's.
fn queue_with_newer(n: usize) -> QueueData {
    let mut data = queue_data();
    let newer: Vec<_> = (100..100 + n)
        .rev()
        .map(|i| request(i, "completed", "trace-new"))
        .collect();
    data.requests.splice(0..0, newer);
    data
}

#[test]
fn a_reload_between_selection_and_key_keeps_the_verdict_on_the_item_shown() {
    let mut app = audit_ready();
    app.update(ch('j'));
    app.update(ch('j'));
    assert_eq!(app.selected_id().as_deref(), Some("req-0003-aaaa"));
    app.update(Msg::Reply(Reply::AuditRecord(
        app.audit.record_generation(),
        "req-0003-aaaa".into(),
        Ok(AuditResolution::Found(Box::new(trace_audit()))),
    )));
    // three newer requests arrive on top before the auditor presses `a`
    reload_queue(&mut app, queue_with_newer(3));
    assert_eq!(app.selected_id().as_deref(), Some("req-0003-aaaa"));
    assert_eq!(app.audit_selected_row(), Some(5));
    // the footer names what the keys mark, the record pane is that item's
    let shown = screen(&app);
    assert!(shown.contains("mark request req-0003-aaaa"), "{shown}");
    assert!(shown.contains("Record · request req-0003-aaaa"), "{shown}");
    app.drain_effects();
    app.update(ch('a'));
    let marked = verdicts_of(app.drain_effects());
    assert_eq!(marked.len(), 1);
    assert_eq!(marked[0].target_id, "req-0003-aaaa");
    assert!(screen(&app).contains("saving ok on request req-0003-aaaa"));
}

#[test]
fn an_item_that_leaves_the_queue_selects_nothing_and_marks_nothing() {
    let mut app = audit_ready();
    app.update(ch('j'));
    assert_eq!(app.selected_id().as_deref(), Some("req-0004-aaaa"));
    let mut data = queue_data();
    data.requests.retain(|r| r.id.as_str() != "req-0004-aaaa");
    reload_queue(&mut app, data);
    assert_eq!(app.selected_id(), None);
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .0
            .contains("req-0004-aaaa left")
    );
    app.drain_effects();
    app.update(ch('a'));
    assert!(
        verdicts_of(app.drain_effects()).is_empty(),
        "no neighbour marked"
    );
    assert!(screen(&app).contains("nothing selected"));
    // moving again selects the row now under the cursor
    app.update(ch('j'));
    assert_eq!(app.selected_id().as_deref(), Some("req-0003-aaaa"));
}

#[test]
fn the_record_pane_follows_the_cursor_and_drops_late_answers() {
    let mut app = audit_ready();
    app.update(ch('j'));
    assert_eq!(
        app.drain_effects(),
        vec![Effect::Query(Query::AuditRecord {
            generation: app.audit.record_generation(),
            id: "req-0004-aaaa".into()
        })]
    );
    // the answer for the first item arrives after the cursor moved: dropped
    app.update(Msg::Reply(Reply::AuditRecord(
        app.audit.record_generation() - 1,
        "req-0005-aaaa".into(),
        Ok(AuditResolution::Found(Box::new(trace_audit()))),
    )));
    assert_eq!(app.audit.record, Loadable::Loading);
    app.update(Msg::Reply(Reply::AuditRecord(
        app.audit.record_generation(),
        "req-0004-aaaa".into(),
        Ok(AuditResolution::Found(Box::new(trace_audit()))),
    )));
    assert!(matches!(app.audit.record, Loadable::Ready(_)));
}

#[test]
fn a_looked_up_record_is_what_the_keys_mark() {
    let mut app = audit_ready();
    app.update(ch('/'));
    type_text(&mut app, "trace-abc");
    app.update(Msg::Reply(Reply::AuditLookup(
        app.audit.lookup_generation(),
        Ok(AuditResolution::Found(Box::new(trace_audit()))),
    )));
    app.update(key(KeyCode::Enter));
    app.drain_effects();
    // a queue reload does not take the Record pane back to the cursor
    reload_queue(&mut app, queue_with_newer(2));
    app.update(ch('f'));
    let marked = verdicts_of(app.drain_effects());
    let record = trace_audit();
    assert_eq!(marked.len(), 1);
    assert_eq!(marked[0].target_id, record.matched_id);
    assert_eq!(marked[0].target_kind, record.matched_kind.into());
}

#[test]
fn stored_verdicts_show_in_the_record_and_saving_says_so() {
    let mut app = audit_ready();
    let shown = screen(&app);
    assert!(shown.contains("by carol"), "{shown}");
    assert!(shown.contains("looked fine"), "{shown}");
    app.update(ch('j'));
    app.update(ch('f'));
    let stored = ReviewRecord {
        id: 2,
        target_kind: ReviewTarget::Request,
        target_id: "req-0004-aaaa".into(),
        verdict: Verdict::Flag,
        note: None,
        reviewer: "dana".into(),
        created_at: now(),
    };
    app.update(Msg::Reply(Reply::Review(
        "req-0004-aaaa".into(),
        Ok(stored),
    )));
    assert!(app.status.as_ref().unwrap().0.starts_with("saved: flag"));
    assert!(screen(&app).contains("by dana"));
}

#[test]
fn marking_in_the_unreviewed_queue_keeps_the_cursor_on_the_marked_item() {
    let mut app = audit_ready();
    for _ in 0..3 {
        app.update(ch('v'));
    }
    assert_eq!(app.audit.queue_filter, QueueFilter::Unreviewed);
    assert_eq!(app.selected_id().as_deref(), Some("req-0004-aaaa"));
    app.update(ch('a'));
    // still on it, not on the neighbour that moved up
    assert_eq!(app.selected_id().as_deref(), Some("req-0004-aaaa"));
    app.update(ch(']'));
    assert_eq!(app.selected_id().as_deref(), Some("req-0003-aaaa"));
    // the reviewed queue holds what has a verdict
    app.update(ch('v'));
    assert_eq!(app.audit.queue_filter, QueueFilter::Reviewed);
    let ids: Vec<_> = app
        .audit_queue_items()
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(ids, ["req-0005-aaaa", "req-0004-aaaa"]);
}

// ------------------------------------------------- replies out of order

#[test]
fn costs_a_slow_reply_never_overwrites_a_newer_one() {
    let mut app = app(120, 40);
    app.update(ch('3'));
    let first = app.costs.generation();
    app.update(ch('t')); // 7d: a new question
    let week = app.costs.generation();
    let mut newer = costs_data();
    newer.summary.request_count = 7;
    app.update(Msg::Reply(Reply::Costs(week, Ok(Box::new(newer)))));
    // the 24h answer arrives last: void
    app.update(Msg::Reply(Reply::Costs(first, Ok(Box::new(costs_data())))));
    match &app.costs.data {
        Loadable::Ready(d) => assert_eq!(d.summary.request_count, 7),
        other => panic!("{other:?}"),
    }
    // refreshes of the same question: the newer one wins whatever the order
    let now = app.now + chrono::Duration::seconds(REFRESH_SECS);
    app.update(Msg::Tick(now));
    let older = app.costs.generation();
    app.update(Msg::Tick(now + chrono::Duration::seconds(REFRESH_SECS)));
    let newest = app.costs.generation();
    let mut fresh = costs_data();
    fresh.summary.request_count = 9;
    app.update(Msg::Reply(Reply::Costs(newest, Ok(Box::new(fresh)))));
    app.update(Msg::Reply(Reply::Costs(older, Ok(Box::new(costs_data())))));
    match &app.costs.data {
        Loadable::Ready(d) => assert_eq!(d.summary.request_count, 9),
        other => panic!("{other:?}"),
    }
}

#[test]
fn leaders_a_reply_for_the_old_sort_is_dropped_and_the_cursor_keeps_its_tool() {
    let mut app = app(120, 40);
    app.update(ch('4'));
    let first = app.leaders.generation();
    app.update(Msg::Reply(Reply::Leaders(
        first,
        Ok(Box::new(leaders_data())),
    )));
    app.update(ch('j'));
    let picked = app.selected_id().unwrap();
    // the same question again, answered with the tools in another order
    app.update(Msg::Tick(app.now + chrono::Duration::seconds(REFRESH_SECS)));
    let mut reordered = leaders_data();
    reordered.tools.reverse();
    app.update(Msg::Reply(Reply::Leaders(
        app.leaders.generation(),
        Ok(Box::new(reordered)),
    )));
    assert_eq!(app.selected_id().unwrap(), picked, "same tool, another row");
    // a new sort voids the answers asked before it
    let before_sort = app.leaders.generation();
    app.update(ch('s'));
    app.update(Msg::Reply(Reply::Leaders(
        before_sort,
        Err("late failure".into()),
    )));
    assert!(matches!(app.leaders.data, Loadable::Ready(_)));
}

#[test]
fn logs_an_old_search_answering_late_is_ignored() {
    let mut app = app(120, 40);
    app.update(ch('6'));
    let first = app.logs.generation();
    app.update(ch('l'));
    let errors_only = app.logs.generation();
    app.update(Msg::Reply(Reply::Logs(errors_only, Ok(logs_data()))));
    app.update(Msg::Reply(Reply::Logs(first, Err("stale".into()))));
    assert!(matches!(app.logs.data, Loadable::Ready(_)));
}

#[test]
fn audit_queue_an_older_reload_never_replaces_a_newer_one() {
    let mut app = audit_ready();
    app.update(Msg::Tick(app.now + chrono::Duration::seconds(REFRESH_SECS)));
    let older = app.audit.queue_generation();
    app.update(Msg::Tick(app.now + chrono::Duration::seconds(REFRESH_SECS)));
    let newer = app.audit.queue_generation();
    app.update(Msg::Reply(Reply::AuditQueue(
        newer,
        Ok(queue_with_newer(2)),
    )));
    app.update(Msg::Reply(Reply::AuditQueue(older, Ok(queue_data()))));
    assert_eq!(app.audit.queue.ready().unwrap().len(), 8);
}

#[test]
fn trace_and_overview_replies_apply_only_to_what_asked() {
    let mut app = app(120, 40);
    app.open_trace(TraceId::new("trace-abc"), None);
    let first = trace_generation(&app);
    app.update(ch('r')); // refresh: asks again
    let second = trace_generation(&app);
    assert!(second > first);
    app.update(Msg::Reply(Reply::Trace(
        second,
        TraceId::new("trace-abc"),
        Ok(Box::new(trace_detail())),
    )));
    app.update(Msg::Reply(Reply::Trace(
        first,
        TraceId::new("trace-abc"),
        Err("old failure".into()),
    )));
    assert!(matches!(
        app.trace.as_ref().unwrap().detail,
        Loadable::Ready(_)
    ));
    let stale_overview = app.overview_generation();
    app.update(Msg::Tick(app.now + chrono::Duration::seconds(REFRESH_SECS)));
    let mut newer = overview();
    newer.total_users = 1;
    app.update(Msg::Reply(Reply::Overview(
        app.overview_generation(),
        Ok(newer),
    )));
    app.update(Msg::Reply(Reply::Overview(stale_overview, Ok(overview()))));
    assert_eq!(app.overview.as_ref().unwrap().total_users, 1);
}

// ------------------------------------------------------ drill targets

#[test]
fn enter_on_a_feed_row_opens_the_trace_on_that_item() {
    let mut app = app(120, 40);
    // the feed's newest rows: pick the MCP execution of trace-abc
    let index = (0..app.live.feed.visible_len())
        .find(|&i| app.live.feed.display(i).unwrap().id == "mcp-0001")
        .expect("mcp row in the feed");
    for _ in 0..=index {
        app.update(ch('j'));
    }
    // j from following pauses on row 0 first, so step back to the row
    while app.selected_feed_row().unwrap().id != "mcp-0001" {
        app.update(ch('k'));
    }
    app.update(key(KeyCode::Enter));
    assert_eq!(app.view, ViewId::Trace);
    app.update(Msg::Reply(Reply::Trace(
        trace_generation(&app),
        TraceId::new("trace-abc"),
        Ok(Box::new(trace_detail())),
    )));
    assert_eq!(app.selected_id().as_deref(), Some("mcp-0001"));
}

#[test]
fn enter_on_a_log_line_opens_its_trace_on_that_line_and_esc_comes_back_to_it() {
    let mut app = app(120, 40);
    app.update(ch('6'));
    app.update(Msg::Reply(Reply::Logs(
        app.logs.generation(),
        Ok(logs_data()),
    )));
    let with_trace = logs_data()
        .lines
        .iter()
        .position(|l| {
            l.trace_id
                .as_ref()
                .is_some_and(|t| t.as_str() == "trace-abc")
        })
        .expect("a log line of trace-abc");
    for _ in 0..with_trace {
        app.update(ch('j'));
    }
    let line = app.selected_id().unwrap();
    app.update(key(KeyCode::Enter));
    assert_eq!(app.view, ViewId::Trace);
    let mut detail = trace_detail();
    let picked = logs_data().lines[with_trace].clone();
    detail.events.push(TraceEvent::Log(picked));
    TraceEvent::sort_timeline(&mut detail.events);
    app.update(Msg::Reply(Reply::Trace(
        trace_generation(&app),
        TraceId::new("trace-abc"),
        Ok(Box::new(detail)),
    )));
    assert_eq!(app.selected_id().as_deref(), Some(line.as_str()));
    app.update(key(KeyCode::Esc));
    assert_eq!(app.view, ViewId::Logs);
    assert_eq!(app.selected_id().as_deref(), Some(line.as_str()));
}

// ------------------------------------------------------- input editing

#[test]
fn text_boxes_edit_like_readline() {
    let mut app = app(120, 40);
    app.update(ch('/'));
    type_text(&mut app, "level:error user:bob");
    app.update(ctrl('w'));
    assert_eq!(app.live.feed.filter().raw, "level:error user:");
    app.update(ctrl('u'));
    assert!(app.live.feed.filter().is_empty());
    app.update(key(KeyCode::Esc));
    // the palette: Tab completes the verb, Up recalls what ran
    app.update(ch(':'));
    type_text(&mut app, "co");
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Enter));
    assert_eq!(app.view, ViewId::Costs);
    app.update(ch(':'));
    type_text(&mut app, "l");
    app.update(key(KeyCode::Tab));
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .0
            .contains("live · leaders · logs")
    );
    app.update(ctrl('u'));
    app.update(key(KeyCode::Up));
    app.update(key(KeyCode::Enter));
    assert_eq!(app.palette_history, ["costs"]);
}

#[test]
fn an_unknown_filter_key_is_said() {
    let mut app = app(120, 40);
    app.update(ch('/'));
    type_text(&mut app, "agnt:support");
    assert!(screen(&app).contains("unknown filter key agnt:"));
    app.update(key(KeyCode::Enter));
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .0
            .contains("unknown filter key agnt:")
    );
    // agent: is a key of its own
    app.update(ch('/'));
    app.update(ctrl('u'));
    type_text(&mut app, "agent:support");
    app.update(key(KeyCode::Enter));
    assert!(app.live.feed.filter().unknown_keys.is_empty());
    assert!(app.live.feed.visible_len() > 0);
}

#[test]
fn palette_anomalies_opens_the_anomaly_queue() {
    let mut app = app(120, 40);
    app.run_command("anomalies");
    assert_eq!(app.view, ViewId::Audit);
    assert_eq!(app.audit.queue_filter, QueueFilter::Anomalies);
}

#[test]
fn help_lists_the_current_view_first_and_filters() {
    let mut app = app(120, 40);
    app.update(ch('5'));
    app.update(ch('?'));
    let help: Vec<String> = tracetop::tui::views::help::help_lines(&app)
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert_eq!(help[0], "Audit (this view)");
    app.update(ch('/'));
    type_text(&mut app, "escal");
    app.update(key(KeyCode::Enter));
    let shown = screen(&app);
    assert!(shown.contains("escalate"), "{shown}");
    assert!(!shown.contains("pause / resume"), "{shown}");
    // j still scrolls after the filter is kept; another key closes
    app.update(ch('j'));
    assert!(matches!(app.overlay, Some(Overlay::Help { .. })));
    app.update(ch('x'));
    assert!(app.overlay.is_none());
}

/// Answer the `:trace` lookup the app asked for with a trace of that id.
fn resolve_trace_to(app: &mut App, trace: &str) {
    let (generation, prefix) = app
        .drain_effects()
        .into_iter()
        .find_map(|e| match e {
            Effect::Query(Query::ResolveTrace { generation, prefix }) => Some((generation, prefix)),
            _ => None,
        })
        .expect("a trace lookup");
    let mut record = trace_audit();
    record.matched_id = trace.into();
    record.trace_id = Some(TraceId::new(trace));
    app.update(Msg::Reply(Reply::TraceResolved(
        generation,
        prefix,
        Ok(AuditResolution::Found(Box::new(record))),
    )));
}

#[test]
fn trace_by_prefix_resolves_like_the_audit_box() {
    let mut app = app(120, 40);
    app.run_command("trace tr");
    assert!(app.status.as_ref().unwrap().0.contains("at least 4"));
    // a request id prefix opens its trace, on that request
    app.run_command("trace req-0001");
    let (generation, prefix) = match app.drain_effects().as_slice() {
        [Effect::Query(Query::ResolveTrace { generation, prefix })] => {
            (*generation, prefix.clone())
        }
        other => panic!("{other:?}"),
    };
    let mut record = trace_audit();
    record.matched_kind = IdKind::Request;
    record.matched_id = "req-0001-aaaa".into();
    app.update(Msg::Reply(Reply::TraceResolved(
        generation,
        prefix,
        Ok(AuditResolution::Found(Box::new(record))),
    )));
    assert_eq!(app.view, ViewId::Trace);
    assert_eq!(app.trace.as_ref().unwrap().trace_id.as_str(), "trace-abc");
    // ambiguous: the candidates, and nothing opens
    app.update(key(KeyCode::Esc));
    app.run_command("trace req-");
    let generation = asked_lookup(&mut app);
    let candidates = (0..6)
        .map(|i| AuditCandidate {
            kind: IdKind::Request,
            id: format!("req-000{i}-aaaa"),
            created_at: now(),
        })
        .collect();
    app.update(Msg::Reply(Reply::TraceResolved(
        generation,
        "req-".into(),
        Ok(AuditResolution::Ambiguous {
            prefix: "req-".into(),
            candidates,
        }),
    )));
    let said = &app.status.as_ref().unwrap().0;
    assert!(
        said.contains("req- matches 6 ids: request req-0000-aaaa"),
        "{said}"
    );
    assert!(said.contains("2 more · type more of the id"), "{said}");
    assert_eq!(app.view, ViewId::Live);
    // not found is said as such, for the console
    app.run_command("trace nope");
    let generation = asked_lookup(&mut app);
    app.update(Msg::Reply(Reply::TraceResolved(
        generation,
        "nope".into(),
        Err(Failure {
            kind: FailureKind::NotFound,
            message: "no request, task or trace id starts with nope: check the id".into(),
        }),
    )));
    assert_eq!(
        app.status.as_ref().unwrap().0,
        "no trace, request or task id starts with nope"
    );
}

/// The generation of the `:trace` lookup just asked.
fn asked_lookup(app: &mut App) -> u64 {
    app.drain_effects()
        .into_iter()
        .find_map(|e| match e {
            Effect::Query(Query::ResolveTrace { generation, .. }) => Some(generation),
            _ => None,
        })
        .expect("a trace lookup")
}

// ------------------------------------------- search, copy and the pager

fn trace_ready() -> App {
    let mut app = app(120, 40);
    app.open_trace(TraceId::new("trace-abc"), None);
    app.update(Msg::Reply(Reply::Trace(
        trace_generation(&app),
        TraceId::new("trace-abc"),
        Ok(Box::new(trace_detail())),
    )));
    app.drain_effects();
    app
}

#[test]
fn slash_searches_the_waterfall_and_n_goes_to_the_next_match() {
    let mut app = trace_ready();
    app.update(ch('/'));
    type_text(&mut app, "claude");
    app.update(key(KeyCode::Enter));
    let first = app.selected_id().unwrap();
    assert!(first.starts_with("req-"), "{first}");
    let labels_shown = screen(&app);
    assert!(labels_shown.contains("/claude (n/N)"), "{labels_shown}");
    app.update(ch('n'));
    let second = app.selected_id().unwrap();
    app.update(ch('N'));
    assert_eq!(app.selected_id().unwrap(), first);
    // a word that matches nothing is said
    app.update(ch('/'));
    app.update(ctrl('u'));
    type_text(&mut app, "zzzz");
    app.update(key(KeyCode::Enter));
    assert!(app.status.as_ref().unwrap().0.contains("zzzz not found"));
    let _ = second;
    // in the detail pane n scrolls to the matching line
    app.update(key(KeyCode::Esc)); // clears the search
    app.update(ch('g'));
    app.update(key(KeyCode::Tab));
    app.update(ch('/'));
    app.update(ctrl('u'));
    type_text(&mut app, "agent");
    app.update(key(KeyCode::Enter));
    assert!(app.trace.as_ref().unwrap().detail_scroll > 0);
}

#[test]
fn shift_y_copies_the_item_as_json_and_e_asks_for_the_pager() {
    let mut app = trace_ready();
    app.update(ch('j'));
    let id = app.selected_id().unwrap();
    app.update(ch('Y'));
    match app.drain_effects().as_slice() {
        [Effect::Copy(json)] => {
            let value: serde_json::Value = serde_json::from_str(json).unwrap();
            assert!(json.contains(&id), "{json}");
            assert!(value.get("kind").is_some(), "{json}");
        }
        other => panic!("{other:?}"),
    }
    app.update(ch('e'));
    match app.drain_effects().as_slice() {
        [Effect::Pager { title, text }] => {
            assert!(title.contains(&id));
            assert!(text.contains(&id));
        }
        other => panic!("{other:?}"),
    }
    // in the audit view e escalates and E opens the pager
    let mut audit = audit_ready();
    audit.update(Msg::Reply(Reply::AuditRecord(
        audit.audit.record_generation(),
        "req-0005-aaaa".into(),
        Ok(AuditResolution::Found(Box::new(trace_audit()))),
    )));
    audit.update(ch('e'));
    assert!(matches!(
        audit.drain_effects().as_slice(),
        [Effect::RecordReview(_)]
    ));
    audit.update(ch('E'));
    assert!(matches!(
        audit.drain_effects().as_slice(),
        [Effect::Pager { .. }]
    ));
}

#[test]
fn a_running_trace_refreshes_itself_and_says_as_of_when() {
    let mut app = trace_ready();
    let trace_queries = |effects: Vec<Effect>| {
        effects
            .iter()
            .filter(|e| matches!(e, Effect::Query(Query::Trace { .. })))
            .count()
    };
    // the fixture's task has completed: a tick asks nothing for it
    app.update(Msg::Tick(app.now + chrono::Duration::seconds(REFRESH_SECS)));
    assert_eq!(trace_queries(app.drain_effects()), 0);
    assert!(screen(&app).contains("as of "));
    // a pending request: the trace is live, drawn open-ended, and refreshes
    let mut running = trace_detail();
    if let Some(TraceEvent::AiRequest(r)) = running
        .events
        .iter_mut()
        .find(|e| matches!(e, TraceEvent::AiRequest(_)))
    {
        r.status = "pending".into();
        r.latency_ms = None;
        r.completed_at = None;
    }
    app.update(ch('r'));
    app.update(Msg::Reply(Reply::Trace(
        trace_generation(&app),
        TraceId::new("trace-abc"),
        Ok(Box::new(running)),
    )));
    app.drain_effects();
    let shown = screen(&app);
    assert!(shown.contains("● running · as of"), "{shown}");
    assert!(shown.contains("▶"), "{shown}");
    assert!(shown.contains("wall span"), "{shown}");
    assert!(shown.contains("Σ latency"), "{shown}");
    app.update(Msg::Tick(app.now + chrono::Duration::seconds(REFRESH_SECS)));
    assert_eq!(trace_queries(app.drain_effects()), 1);
}

// ---------------------------------------------------------- logs like lnav

#[test]
fn log_level_means_this_level_and_worse_and_m_picks_a_module() {
    let mut app = app(120, 40);
    app.update(ch('6'));
    app.update(Msg::Reply(Reply::Logs(
        app.logs.generation(),
        Ok(logs_data()),
    )));
    app.update(ch('l'));
    app.update(ch('l'));
    assert_eq!(app.logs.level, Some(LogLevel::Warn));
    let level = app
        .drain_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Query(Query::Logs { filter, .. }) => filter.level,
            _ => None,
        })
        .next_back();
    assert_eq!(level.as_deref(), Some("ERROR,WARN"));
    app.update(Msg::Reply(Reply::Logs(
        app.logs.generation(),
        Ok(logs_data()),
    )));
    assert!(screen(&app).contains("level WARN+"));
    // the module picker narrows as you type
    app.update(ch('m'));
    let module = logs_data().summary.top_modules[0].module.clone();
    match &app.overlay {
        Some(Overlay::Picker(p)) => {
            assert_eq!(p.shown()[0], ALL_MODULES);
            assert!(p.shown().contains(&module.as_str()));
        }
        other => panic!("{other:?}"),
    }
    type_text(&mut app, &module);
    app.update(key(KeyCode::Enter));
    assert_eq!(app.logs.module.as_deref(), Some(module.as_str()));
    // and back to every module
    app.update(ch('m'));
    app.update(key(KeyCode::Enter));
    assert_eq!(app.logs.module, None);
}

#[test]
fn log_search_matches_are_highlighted() {
    let mut app = app(120, 40);
    app.update(ch('6'));
    app.update(ch('/'));
    let word = logs_data().lines[0]
        .message
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    type_text(&mut app, &word);
    app.update(key(KeyCode::Enter));
    app.update(Msg::Reply(Reply::Logs(
        app.logs.generation(),
        Ok(logs_data()),
    )));
    let terminal = render(&app);
    let buffer = terminal.backend().buffer();
    let reversed = (0..buffer.area.height).any(|y| {
        (0..buffer.area.width).any(|x| {
            let cell = &buffer[(x, y)];
            cell.modifier.contains(ratatui::style::Modifier::REVERSED)
                && word.starts_with(cell.symbol())
        })
    });
    assert!(reversed, "the match is drawn reversed");
}

// ------------------------------------------ drill-down from aggregates

fn trace_list_item(id: &str) -> TraceListItem {
    TraceListItem {
        trace_id: TraceId::new(id),
        started_at: at(300),
        last_activity_at: at(290),
        user_id: Some(UserId::new("alice")),
        agent_name: Some("support-agent".into()),
        status: "completed".into(),
        task_status: Some("completed".into()),
        request_count: 2,
        total_tokens: 1200,
        total_cost_microdollars: Microdollars(4200),
        mcp_count: 1,
        error_count: 0,
    }
}

#[test]
fn enter_on_a_leaderboard_row_lists_its_traces_and_opens_one() {
    let mut app = app(120, 40);
    app.update(ch('4'));
    app.update(Msg::Reply(Reply::Leaders(
        app.leaders.generation(),
        Ok(Box::new(leaders_data())),
    )));
    // focus the agents pane, its first row
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Tab));
    assert_eq!(app.leaders.focus, LeadersPane::Agents);
    app.drain_effects();
    app.update(key(KeyCode::Enter));
    let agent = leaders_data().agents[0].agent_name.clone();
    let generation = match app.drain_effects().as_slice() {
        [Effect::Query(Query::Traces { generation, filter })] => {
            assert_eq!(filter.agent.as_deref(), Some(agent.as_str()));
            assert!(filter.window.is_some());
            *generation
        }
        other => panic!("{other:?}"),
    };
    assert!(screen(&app).contains("loading traces"));
    app.update(Msg::Reply(Reply::Traces(
        generation,
        Ok(vec![trace_list_item("trace-1"), trace_list_item("trace-2")]),
    )));
    assert!(screen(&app).contains("trace-2"));
    app.update(ch('j'));
    app.update(key(KeyCode::Enter));
    assert_eq!(app.view, ViewId::Trace);
    assert_eq!(app.trace.as_ref().unwrap().trace_id.as_str(), "trace-2");
    app.update(key(KeyCode::Esc));
    assert_eq!(
        app.view,
        ViewId::Leaderboards,
        "back where the drill started"
    );
}

#[test]
fn enter_on_a_cost_row_lists_the_traces_of_that_model_provider_or_agent() {
    let mut app = app(120, 40);
    app.update(ch('3'));
    app.update(Msg::Reply(Reply::Costs(
        app.costs.generation(),
        Ok(Box::new(costs_data())),
    )));
    let data = costs_data();
    // (pane, the filter's model, provider, agent): the first row of each
    let panes = [
        (
            CostsPane::Model,
            Some(data.by_model[0].key.clone()),
            None,
            None,
        ),
        (
            CostsPane::Provider,
            None,
            Some(data.by_provider[0].key.clone()),
            None,
        ),
        (
            CostsPane::Agent,
            None,
            None,
            Some(data.by_agent[0].key.clone()),
        ),
    ];
    for (pane, model, provider, agent) in panes {
        assert_eq!(app.costs.focus, pane);
        app.drain_effects();
        app.update(key(KeyCode::Enter));
        let generation = match app.drain_effects().as_slice() {
            [Effect::Query(Query::Traces { generation, filter })] => {
                assert_eq!(
                    (&filter.model, &filter.provider, &filter.agent),
                    (&model, &provider, &agent),
                    "{pane:?}"
                );
                assert!(filter.window.is_some());
                *generation
            }
            other => panic!("{pane:?}: {other:?}"),
        };
        let key_shown = model.or(provider).or(agent).unwrap();
        assert!(screen(&app).contains(&key_shown), "{pane:?}");
        app.update(Msg::Reply(Reply::Traces(
            generation,
            Ok(vec![trace_list_item("trace-1")]),
        )));
        app.update(key(KeyCode::Enter));
        assert_eq!(app.view, ViewId::Trace);
        app.update(key(KeyCode::Esc));
        assert_eq!(app.view, ViewId::Costs, "back where the drill started");
        app.update(key(KeyCode::Tab));
    }
}

#[test]
fn smaller_things_the_ribbon_loads_the_sort_reverses() {
    // before the first overview answer: "…", not zeros
    let mut fresh = App::new(
        Theme::builtin("dark", false).unwrap(),
        Keymap::default(),
        Thresholds::default(),
        now(),
    );
    fresh.update(Msg::Resize(120, 40));
    assert!(screen(&fresh).contains("users …"), "{}", screen(&fresh));
    // the tools table: ▼ for a descending sort, S reverses (▲)
    let mut app = app(120, 40);
    app.update(ch('4'));
    app.update(Msg::Reply(Reply::Leaders(
        app.leaders.generation(),
        Ok(Box::new(leaders_data())),
    )));
    assert!(screen(&app).contains("executions▼"));
    let first = app.selected_id();
    app.update(ch('S'));
    assert!(screen(&app).contains("executions▲"));
    assert_eq!(app.selected_id(), first, "the cursor keeps its tool");
    app.update(ch('G'));
    let last_shown = app.selected_id().unwrap();
    assert_eq!(last_shown, leaders_data().tools[0].tool_name);
}

#[test]
fn a_queue_reload_reads_the_record_on_screen_again() {
    let mut app = audit_ready();
    app.update(Msg::Reply(Reply::AuditRecord(
        app.audit.record_generation(),
        "req-0005-aaaa".into(),
        Ok(AuditResolution::Found(Box::new(trace_audit()))),
    )));
    reload_queue(&mut app, queue_with_newer(1));
    assert!(app.drain_effects().iter().any(|e| matches!(
        e,
        Effect::Query(Query::AuditRecord { id, .. }) if id == "req-0005-aaaa"
    )));
    // the record stays on screen while it is read again
    assert!(matches!(app.audit.record, Loadable::Ready(_)));
}

// --------------------------------------------------------- fixed window

#[test]
fn palette_window_fixes_every_reports_window() {
    let mut app = app(120, 40);
    app.update(ch('3'));
    app.drain_effects();
    app.run_command("window 2026-11-20..2026-11-21T06:00");
    let expected = TimeWindow {
        start: "2026-11-20T00:00:00Z".parse().unwrap(),
        end: "2026-11-21T06:00:00Z".parse().unwrap(),
    };
    assert_eq!(app.fixed_window, Some(expected), "{:?}", app.status);
    let effects = app.drain_effects();
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Query(Query::Costs { window, bucket: Bucket::Hour, .. }) if *window == expected
        )),
        "{effects:?}"
    );
    assert!(screen(&app).contains("WINDOW 2026-11-20 00:00 → 2026-11-21 06:00 UTC"));
    for (key, name) in [('4', "leaders"), ('5', "audit"), ('6', "logs")] {
        app.update(ch(key));
        let windows: Vec<TimeWindow> = app
            .drain_effects()
            .into_iter()
            .filter_map(|e| match e {
                Effect::Query(Query::Leaders { window, .. })
                | Effect::Query(Query::AuditQueue { window, .. })
                | Effect::Query(Query::Logs {
                    filter:
                        LogFilter {
                            window: Some(window),
                            ..
                        },
                    ..
                }) => Some(window),
                _ => None,
            })
            .collect();
        assert_eq!(windows, vec![expected], "{name}");
    }
    // a window that does not end after it starts is said, in the palette's words
    app.run_command("window 2026-11-21..2026-11-20");
    let said = &app.status.as_ref().unwrap().0;
    assert!(said.contains("FROM") && !said.contains("--since"), "{said}");
    assert_eq!(app.fixed_window, Some(expected), "unchanged");
    app.run_command("window");
    assert_eq!(app.fixed_window, None);
}

#[test]
fn the_detail_pane_is_built_once_and_rebuilt_when_its_data_changes() {
    let mut app = trace_ready();
    app.update(ch('G')); // the log row
    let first = screen(&app);
    assert!(app.trace.as_ref().unwrap().detail_memo.borrow().is_some());
    // a refresh whose answer changes the selected log's message
    app.update(ch('r'));
    let mut detail = trace_detail();
    for e in detail.events.iter_mut() {
        if let TraceEvent::Log(l) = e {
            l.message = "message after the refresh".into();
        }
    }
    // drawn while the refresh is on its way: the old detail
    assert_eq!(screen(&app), first);
    app.update(Msg::Reply(Reply::Trace(
        trace_generation(&app),
        TraceId::new("trace-abc"),
        Ok(Box::new(detail)),
    )));
    assert!(screen(&app).contains("message after the refresh"));
}

// ------------------------------------------------------------ time travel

fn replay_log(id: &str, at: Timestamp, level: &str) -> Event {
    let mut record = log(0, level, Some("trace-replay"));
    record.id = LogId::new(id);
    record.timestamp = at;
    Event::Log { log: record }
}

fn replay_effects(app: &mut App) -> Vec<ReplayEffect> {
    app.drain_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Replay(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn released_to(effects: &[ReplayEffect]) -> Option<Timestamp> {
    effects.iter().rev().find_map(|e| match e {
        ReplayEffect::ReleaseTo { position, .. } => Some(*position),
        _ => None,
    })
}

#[test]
fn scrub_keys_drive_the_replay_clock_and_g_goes_back_to_live() {
    let mut app = app(120, 30);
    app.can_time_travel = true;
    app.replay_speed = 10.0;
    let live_rows = app.live.feed.total();
    assert!(live_rows > 0);
    app.drain_effects();

    app.run_command("goto 2026-11-24T03:00 1h");
    let start: Timestamp = "2026-11-24T03:00:00Z".parse().unwrap();
    let window = TimeWindow {
        start,
        end: start + chrono::Duration::hours(1),
    };
    let effects = app.drain_effects();
    let generation = match effects.iter().find_map(|e| match e {
        Effect::Replay(ReplayEffect::Start { generation, window }) => Some((*generation, *window)),
        _ => None,
    }) {
        Some((g, w)) => {
            assert_eq!(w, window);
            g
        }
        None => panic!("goto starts reading the window: {effects:?}"),
    };
    // every report answers for the window, at the replay clock
    assert_eq!(app.fixed_window, Some(window));
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Query(Query::Overview { now, .. }) if *now == start
    )));
    assert_eq!(app.live.feed.total(), 0, "the feed shows the replay only");
    let shown = screen(&app);
    assert!(
        shown.contains("REPLAY 2026-11-24 03:00–04:00 · 10×"),
        "{shown}"
    );

    // the event loop read the window: two events, one error at 03:20
    let error_at = start + chrono::Duration::minutes(20);
    app.update(Msg::Replay(ReplayMsg::Progress {
        generation,
        loaded: 2,
        loaded_until: Some(error_at),
        marks: vec![error_at],
        evicted: 0,
    }));
    app.update(Msg::Replay(ReplayMsg::Done {
        generation,
        error: None,
    }));

    // the clock runs at 10× the wall clock
    let wall = now();
    app.update(Msg::Tick(wall));
    app.update(Msg::Tick(wall + chrono::Duration::seconds(2)));
    let position = start + chrono::Duration::seconds(20);
    assert_eq!(app.replay.as_ref().unwrap().position, position);
    assert_eq!(released_to(&replay_effects(&mut app)), Some(position));

    // Space pauses the replay (not the feed), and the clock stands still
    app.update(ch(' '));
    assert!(app.replay.as_ref().unwrap().paused);
    assert!(app.live.follow, "Space is the replay's in the live view");
    app.update(Msg::Tick(wall + chrono::Duration::seconds(10)));
    assert_eq!(app.replay.as_ref().unwrap().position, position);

    // → and Shift-→ step 10 s and 1 min, ← back
    app.update(key(KeyCode::Right));
    assert_eq!(
        released_to(&replay_effects(&mut app)),
        Some(position + chrono::Duration::seconds(10))
    );
    app.update(Msg::Key(crossterm::event::KeyEvent::new(
        KeyCode::Right,
        crossterm::event::KeyModifiers::SHIFT,
    )));
    app.update(key(KeyCode::Left));
    assert_eq!(
        app.replay.as_ref().unwrap().position,
        position + chrono::Duration::seconds(60)
    );
    app.drain_effects();

    // + / - change the speed
    app.update(ch('+'));
    assert_eq!(app.replay.as_ref().unwrap().speed, 30.0);
    app.update(ch('-'));
    app.update(ch('-'));
    assert_eq!(app.replay.as_ref().unwrap().speed, 5.0);

    // ] jumps to the next error; the released events show in the feed
    app.update(ch(']'));
    assert_eq!(released_to(&replay_effects(&mut app)), Some(error_at));
    app.update(Msg::Replay(ReplayMsg::Events {
        generation,
        base: ReplayBase::Continue,
        first: 0,
        events: vec![
            replay_log("replayed-1", start + chrono::Duration::minutes(1), "INFO"),
            replay_log("replayed-err", error_at, "ERROR"),
        ],
        keep_from: 0,
    }));
    assert_eq!(app.live.feed.total(), 2);
    assert_eq!(app.selected_feed_row().unwrap().id, "replayed-err");
    app.update(ch('['));
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .0
            .contains("no error or anomaly before"),
        "{:?}",
        app.status
    );
    // a seek back starts the feed over with what the event loop releases
    app.update(key(KeyCode::Left));
    app.update(Msg::Replay(ReplayMsg::Events {
        generation,
        base: ReplayBase::After(0),
        first: 0,
        events: vec![replay_log(
            "replayed-1",
            start + chrono::Duration::minutes(1),
            "INFO",
        )],
        keep_from: 0,
    }));
    assert_eq!(app.live.feed.total(), 1);
    // answers of an older replay are dropped
    app.update(Msg::Replay(ReplayMsg::Events {
        generation: generation + 7,
        base: ReplayBase::After(0),
        first: 0,
        events: Vec::new(),
        keep_from: 0,
    }));
    assert_eq!(app.live.feed.total(), 1);

    // live events keep arriving into the live view kept aside
    app.update(Msg::Source(SourceUpdate::Events(log_events(700..703, "t"))));
    assert_eq!(app.live.feed.total(), 1, "the past is never mixed with now");

    // G: back to live, the live view as it is by now
    app.update(ch('G'));
    assert!(app.replay.is_none());
    assert_eq!(app.fixed_window, None);
    assert_eq!(app.live.feed.total(), live_rows + 3);
    assert!(replay_effects(&mut app).contains(&ReplayEffect::Stop));
    assert!(!screen(&app).contains("REPLAY"));
}

#[test]
fn window_replays_on_a_source_with_a_past_and_scrub_keys_remap() {
    let mut overrides = BTreeMap::new();
    overrides.insert("replay_pause".to_string(), vec!["p".to_string()]);
    overrides.insert("replay_live".to_string(), vec!["L".to_string()]);
    let mut app = app(120, 30);
    app.keymap = Keymap::with_overrides(&overrides).unwrap();
    // without a past (demo), :window only fixes the reports' window
    app.run_command("window 2026-11-24T03:00..2026-11-24T05:00");
    assert!(app.replay.is_none() && app.fixed_window.is_some());
    app.run_command("window");
    app.can_time_travel = true;
    app.run_command("window 2026-11-24T03:00..2026-11-24T05:00");
    let replay = app.replay.as_ref().expect(":window replays the window");
    assert_eq!(replay.window.span(), chrono::Duration::hours(2));
    app.update(ch('p'));
    assert!(app.replay.as_ref().unwrap().paused);
    app.update(ch(' '));
    assert!(
        app.replay.as_ref().unwrap().paused,
        "Space is no longer bound"
    );
    app.update(ch('?'));
    let help = screen(&app);
    assert!(
        help.contains("Replay (running: the past, not now)"),
        "{help}"
    );
    assert!(
        help.contains("  p               replay: pause / resume"),
        "{help}"
    );
    app.update(key(KeyCode::Esc));
    app.update(ch('L'));
    assert!(app.replay.is_none());
    app.run_command("goto yesterday-ish");
    assert!(app.status.as_ref().unwrap().0.contains("goto TIME [SPAN]"));
}

#[test]
fn every_report_answers_for_the_replayed_window() {
    let mut app = app(120, 30);
    app.can_time_travel = true;
    app.run_command("goto 2026-11-24T03:00 1h");
    let start: Timestamp = "2026-11-24T03:00:00Z".parse().unwrap();
    let window = TimeWindow {
        start,
        end: start + chrono::Duration::hours(1),
    };
    app.drain_effects();
    for (digit, view) in [
        ('3', "costs"),
        ('4', "leaders"),
        ('5', "audit"),
        ('6', "logs"),
    ] {
        app.update(ch(digit));
        let windows: Vec<TimeWindow> = app
            .drain_effects()
            .into_iter()
            .filter_map(|e| match e {
                Effect::Query(
                    Query::Costs { window, .. }
                    | Query::Leaders { window, .. }
                    | Query::AuditQueue { window, .. },
                ) => Some(window),
                Effect::Query(Query::Logs { filter, .. }) => filter.window,
                _ => None,
            })
            .collect();
        assert!(!windows.is_empty(), "{view} asks for its data");
        assert!(windows.iter().all(|w| *w == window), "{view}: {windows:?}");
        assert!(
            screen(&app).contains("REPLAY 2026-11-24 03:00–04:00"),
            "{view} says it is the past"
        );
    }
}
