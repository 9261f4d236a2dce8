//! The console's spend figures: the costs view's burn-rate and budgets
//! panel and the ribbon's spend line as snapshots (TestBackend, 80×24 and
//! 200×50, fixed data), and how `App::update` asks for them: at start with
//! the configured budgets, again only every 15 s or on `r`, stale answers
//! ignored, a failed refresh said while the last figures stay.

use crate::tui_fixtures;

use chrono::Duration;
use tracetop::budget::SpendConfig;
use tracetop::model::*;
use tracetop::tui::app::*;
use tracetop::tui::config::Thresholds;
use tracetop::tui::keymap::Keymap;
use tracetop::tui::msg::{Failure, FailureKind};
use tracetop::tui::spend::{SpendData, SpendState};
use tracetop::tui::theme::Theme;
use tui_fixtures::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];

const BUDGETS: &str = r#"
[[budget]]
name = "research-agents"
scope = "agent"
match = "research-*"
period = "month"
limit_usd = 500
[[budget]]
name = "platform-day"
scope = "platform"
period = "day"
limit_usd = 40
[[budget]]
name = "alice"
scope = "user"
match = "alice"
period = "week"
limit_usd = 25
"#;

fn status(
    name: &str,
    scope: BudgetScope,
    pattern: Option<&str>,
    period: BudgetPeriod,
    (limit, spent, projected): (i64, i64, i64),
    (state, basis): (BudgetState, Option<StateBasis>),
) -> BudgetStatus {
    let t = now();
    BudgetStatus {
        name: name.into(),
        scope,
        pattern: pattern.map(String::from),
        period,
        timezone: "UTC".into(),
        period_start: t - Duration::hours(10),
        period_end: t + Duration::hours(14),
        at: t,
        limit_microdollars: Microdollars(limit),
        warn_at: 0.8,
        spent_microdollars: Microdollars(spent),
        spent_percent: (spent as f64 * 10_000.0 / limit as f64).round() / 100.0,
        rate_window_microdollars: Microdollars(1_000_000),
        projected_microdollars: Microdollars(projected),
        projected_percent: (projected as f64 * 10_000.0 / limit as f64).round() / 100.0,
        state,
        state_basis: basis,
    }
}

fn spend_data() -> SpendData {
    let t = now();
    SpendData {
        burn: BurnRate {
            burn_rate_at: t,
            timezone: "UTC".into(),
            rate_window_start: t - Duration::hours(1),
            rate_window_end: t,
            rate_window_microdollars: Microdollars(6_600_000),
            spend_per_minute_microdollars: Microdollars(110_000),
            spend_per_hour_microdollars: Microdollars(6_600_000),
            day_start: t - Duration::hours(10),
            day_end: t + Duration::hours(14),
            today_microdollars: Microdollars(12_340_000),
            projected_day_microdollars: Microdollars(104_740_000),
            month_start: t - Duration::days(22) - Duration::hours(10),
            month_end: t + Duration::days(7) + Duration::hours(14),
            month_to_date_microdollars: Microdollars(310_000_000),
            projected_month_microdollars: Microdollars(1_510_000_000),
        },
        budgets: vec![
            status(
                "research-agents",
                BudgetScope::Agent,
                Some("research-*"),
                BudgetPeriod::Month,
                (500_000_000, 410_000_000, 620_000_000),
                (BudgetState::Over, Some(StateBasis::Projected)),
            ),
            status(
                "platform-day",
                BudgetScope::Platform,
                None,
                BudgetPeriod::Day,
                (40_000_000, 12_340_000, 35_000_000),
                (BudgetState::Warn, Some(StateBasis::Projected)),
            ),
            status(
                "alice",
                BudgetScope::User,
                Some("alice"),
                BudgetPeriod::Week,
                (25_000_000, 2_000_000, 9_000_000),
                (BudgetState::Ok, None),
            ),
        ],
    }
}

/// The fixture app, with the budgets configured before it starts.
fn spend_app(w: u16, h: u16) -> App {
    let config = SpendConfig::from_config_toml(BUDGETS).unwrap();
    let mut app = App::new(
        Theme::builtin("dark", false).unwrap(),
        Keymap::default(),
        Thresholds::default(),
        now(),
    );
    app.spend = SpendState::new(config.budgets.into(), config.zone);
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
    app
}

fn answered(mut app: App) -> App {
    app.update(Msg::Reply(Reply::Spend(
        app.spend.generation(),
        Ok(Box::new(spend_data())),
    )));
    app.drain_effects();
    app
}

fn spend_queries(app: &mut App) -> Vec<(u64, Timestamp, usize)> {
    app.drain_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Query(Query::Spend {
                generation,
                now,
                budgets,
                ..
            }) => Some((generation, now, budgets.len())),
            _ => None,
        })
        .collect()
}

#[test]
fn costs_view_shows_the_burn_rate_and_every_budget() {
    for (w, h) in SIZES {
        let mut app = answered(spend_app(w, h));
        app.update(ch('3'));
        app.update(Msg::Reply(Reply::Costs(
            app.costs.generation(),
            Ok(Box::new(costs_data())),
        )));
        let text = screen(&app);
        // a short terminal shows the most urgent budget and how many more
        let needles: &[&str] = if h < 30 {
            &[
                "research-agents",
                "✗ over (proj)",
                "(+2 more)",
                "$104.74 proj",
            ]
        } else {
            &[
                "research-agents",
                "✗ over (proj)",
                "⚠ warn (proj)",
                "✓ ok",
                "$104.74 at this rate",
            ]
        };
        for needle in needles {
            assert!(text.contains(needle), "{needle:?} at {w}x{h}:\n{text}");
        }
        insta::assert_snapshot!(format!("costs_budgets_{w}x{h}"), text);
    }
}

#[test]
fn ribbon_shows_spend_now_today_and_month_with_projections() {
    for (w, h) in SIZES {
        let app = answered(spend_app(w, h));
        let text = screen(&app);
        let want = if w < 100 {
            "$6.60/h  today $12.34 → $104.74  month $310.00 → $1,510.00 proj"
        } else {
            "spend/h $6.60  today $12.34 → $104.74 proj  month $310.00 → $1,510.00 proj"
        };
        assert!(text.contains(want), "{w}x{h}:\n{text}");
        insta::assert_snapshot!(format!("live_spend_{w}x{h}"), text);
    }
}

#[test]
fn without_budgets_the_panel_says_how_to_add_them() {
    let mut app = app(200, 50);
    app.update(Msg::Reply(Reply::Spend(
        app.spend.generation(),
        Ok(Box::new(SpendData {
            burn: spend_data().burn,
            budgets: vec![],
        })),
    )));
    app.update(ch('3'));
    app.update(Msg::Reply(Reply::Costs(
        app.costs.generation(),
        Ok(Box::new(costs_data())),
    )));
    let text = screen(&app);
    assert!(
        text.contains("no budgets: add [[budget]] entries"),
        "{text}"
    );
    assert!(text.contains("$104.74 at this rate"), "{text}");
}

#[test]
fn spend_is_asked_at_start_then_every_15_seconds_or_on_r() {
    let mut app = spend_app(120, 40);
    let first = spend_queries(&mut app);
    assert_eq!(first.len(), 1, "asked once at start");
    assert_eq!(
        (first[0].1, first[0].2),
        (now(), 3),
        "at now, with the three budgets"
    );

    // the overview refreshes on its own cadence; spend waits its 15 s
    for secs in [5, 10, 14] {
        app.update(Msg::Tick(now() + Duration::seconds(secs)));
        assert!(spend_queries(&mut app).is_empty(), "not due at {secs}s");
    }
    app.update(Msg::Tick(now() + Duration::seconds(20)));
    let later = spend_queries(&mut app);
    assert_eq!(later.len(), 1, "due after 15 s");
    assert!(later[0].0 > first[0].0);
    app.update(ch('r'));
    assert_eq!(spend_queries(&mut app).len(), 1, "r asks at once");
}

#[test]
fn stale_answers_are_ignored_and_a_failure_keeps_the_last_figures() {
    let mut app = spend_app(200, 50);
    let old = app.spend.generation();
    app.update(ch('r'));
    let newer = app.spend.generation();
    assert!(newer > old);
    app.update(Msg::Reply(Reply::Spend(newer, Ok(Box::new(spend_data())))));
    assert!(app.spend.data.is_some());
    // the older question's answer arrives late: ignored
    let mut stale = spend_data();
    stale.burn.today_microdollars = Microdollars(1);
    app.update(Msg::Reply(Reply::Spend(old, Ok(Box::new(stale)))));
    assert_eq!(
        app.spend.data.as_ref().unwrap().burn.today_microdollars,
        Microdollars(12_340_000)
    );
    // a refresh fails: the figures stay, the panel says why
    app.update(ch('r'));
    app.update(Msg::Reply(Reply::Spend(
        app.spend.generation(),
        Err(Failure {
            kind: FailureKind::Other,
            message: "database unreachable".into(),
        }),
    )));
    assert!(app.spend.data.is_some());
    app.update(ch('3'));
    app.update(Msg::Reply(Reply::Costs(
        app.costs.generation(),
        Ok(Box::new(costs_data())),
    )));
    let text = screen(&app);
    assert!(
        text.contains("✗ refresh failed: database unreachable"),
        "{text}"
    );
    assert!(text.contains("$12.34"), "{text}");
}
