//! The live view: the stats ribbon (platform counters, rolling rates,
//! source state) over the event feed. Only the visible slice of the feed is
//! turned into rows, so a 100k-row feed costs the same as a 50-row one.

use crate::model::*;
use crate::tui::app::App;
use crate::tui::feed::FeedRow;
use crate::tui::theme::Theme;
use crate::tui::views::*;
use ratatui::widgets::{Cell, Row, Table};

fn source_span(app: &App) -> Vec<Span<'static>> {
    if let Some(replay) = &app.replay {
        // the past is never taken for now: the scrub bar replaces the source
        return super::scrub::spans(app, replay);
    }
    let theme = &app.theme;
    // Room for the reason a source gave (a 429 names the URL and the cap).
    let reason_width = (app.size.0 as usize).saturating_sub(100).max(40);
    let (text, style) = match &app.source_state {
        SourceState::Connecting => ("◌ connecting".to_string(), theme.pending),
        SourceState::Connected => ("● connected".to_string(), theme.ok),
        SourceState::Reconnecting {
            retry_in_ms,
            reason,
        } => (
            format!(
                "✗ reconnecting in {}s ({})",
                retry_in_ms.div_ceil(1000),
                crate::sanitize::truncate_width(&crate::sanitize::clean(reason), reason_width)
            ),
            theme.error,
        ),
        SourceState::Stopped { reason } => (
            format!(
                "✗ stopped: {}",
                crate::sanitize::truncate_width(&crate::sanitize::clean(reason), 50)
            ),
            theme.error,
        ),
    };
    let mut spans = vec![Span::styled(text, style)];
    if let Some(behind) = app.counters.behind_secs
        && behind >= 5.0
    {
        spans.push(Span::styled(format!(" · behind {behind:.0}s"), theme.warn));
    }
    if app.counters.dropped > 0 {
        spans.push(Span::styled(
            format!(" · dropped {}", fmt_count(app.counters.dropped as i64)),
            theme.warn,
        ));
    }
    if app.counters.unknown > 0 {
        spans.push(Span::styled(
            format!(" · unknown {}", fmt_count(app.counters.unknown as i64)),
            theme.muted,
        ));
    }
    spans
}

fn metric(theme: &Theme, label: &str, value: String) -> [Span<'static>; 2] {
    [
        Span::styled(format!("{label} "), theme.muted),
        Span::styled(
            format!("{value}  "),
            theme.base.add_modifier(Modifier::BOLD),
        ),
    ]
}

fn draw_ribbon(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let o = app.overview.clone().unwrap_or_default();
    // A stream that reports its own counters but no audited rows (a
    // systemprompt analytics stream) leaves the totals unknown, not zero.
    let stream_only = app.source_stats.is_some() && o.total_users == 0 && o.total_sessions == 0;
    let known = app.overview.is_some() && !stream_only;
    // "…" while the first overview is on its way, "–" when it cannot come
    let v = |n: i64| {
        if known {
            fmt_compact(n)
        } else if app.overview.is_none() && !stream_only {
            "…".to_string()
        } else {
            "–".to_string()
        }
    };
    let platform_a: Vec<Span> = [
        metric(theme, "users", v(o.total_users)),
        metric(theme, "active 24h", v(o.active_users_24h)),
        metric(theme, "7d", v(o.active_users_7d)),
        metric(theme, "sessions", v(o.total_sessions)),
    ]
    .into_iter()
    .flatten()
    .collect();
    // A source that reports its own counters (a systemprompt stream's
    // REAL_TIME_STATS) is the authority on them.
    let stats = app.source_stats.as_ref();
    let platform_b: Vec<Span> = match stats {
        Some(s) => {
            let n = |n: Option<i64>| n.map(fmt_compact).unwrap_or_else(|| "–".to_string());
            [
                metric(theme, "live sessions", n(s.active_sessions)),
                metric(theme, "active users", n(s.active_users)),
                metric(theme, "page views 5m", n(s.page_views_last_5m)),
                metric(theme, "bots 5m", n(s.bot_requests_last_5m)),
            ]
        }
        None => [
            metric(theme, "live sessions", v(o.active_sessions)),
            metric(theme, "contexts", v(o.total_contexts)),
            metric(theme, "tasks", v(o.total_tasks)),
            metric(theme, "AI requests", v(o.total_ai_requests)),
        ],
    }
    .into_iter()
    .flatten()
    .collect();
    let r = &app.rates;
    let requests_per_min = stats
        .and_then(|s| s.requests_per_minute)
        .unwrap_or(r.requests_per_min);
    let anomalies = app.open_anomalies.len().max(r.open_anomalies as usize);
    let err_style = if r.error_rate >= 0.05 {
        theme.error
    } else {
        theme.base.add_modifier(Modifier::BOLD)
    };
    let mut rates: Vec<Span> = Vec::new();
    rates.extend(metric(theme, "req/min", format!("{requests_per_min:.1}")));
    rates.push(Span::styled("errors ", theme.muted));
    rates.push(Span::styled(
        format!(
            "{}{}  ",
            if r.error_rate >= 0.05 { "✗ " } else { "" },
            fmt_pct(r.error_rate)
        ),
        err_style,
    ));
    rates.push(Span::styled("cost/min ", theme.muted));
    rates.push(Span::styled(
        format!("{}  ", Microdollars(r.cost_per_min_microdollars)),
        theme.cost.add_modifier(Modifier::BOLD),
    ));
    rates.extend(metric(
        theme,
        "p95",
        r.p95_latency_ms
            .map(|ms| fmt_ms(ms as i64))
            .unwrap_or_else(|| "–".into()),
    ));
    rates.push(Span::styled("anomalies ", theme.muted));
    rates.push(if anomalies > 0 {
        Span::styled(format!("⚠ {anomalies}  "), theme.anomaly)
    } else {
        Span::styled("0  ".to_string(), theme.base.add_modifier(Modifier::BOLD))
    });
    let lines = if area.height >= 4 {
        let mut source = source_span(app);
        source.extend(spend_spans(app));
        vec![
            Line::from(platform_a),
            Line::from(platform_b),
            Line::from(rates),
            Line::from(source),
        ]
    } else {
        let mut a = platform_a;
        a.extend(platform_b);
        let mut b = rates;
        b.push(Span::raw("  "));
        b.extend(source_span(app));
        b.extend(spend_spans(app));
        vec![Line::from(a), Line::from(b)]
    };
    frame.render_widget(Paragraph::new(lines), area);
}

/// The burn rate on the ribbon: spend per hour now, today and this month
/// so far, each with its projection (`→ …`, labelled `proj`); nothing
/// until the first answer. Narrow terminals get the short labels.
fn spend_spans(app: &App) -> Vec<Span<'static>> {
    let theme = &app.theme;
    let Some(b) = app.spend.data.as_ref().map(|d| &d.burn) else {
        return Vec::new();
    };
    let money =
        |m: Microdollars| Span::styled(m.to_string(), theme.cost.add_modifier(Modifier::BOLD));
    let narrow = app.size.0 < 100;
    let (each, last) = if narrow {
        ("", " proj")
    } else {
        (" proj", " proj")
    };
    vec![
        Span::styled(if narrow { "  " } else { "   spend/h " }, theme.muted),
        money(b.spend_per_hour_microdollars),
        Span::styled(if narrow { "/h  today " } else { "  today " }, theme.muted),
        money(b.today_microdollars),
        Span::styled(
            format!(" → {}{each}", b.projected_day_microdollars),
            theme.muted,
        ),
        Span::styled("  month ", theme.muted),
        money(b.month_to_date_microdollars),
        Span::styled(
            format!(" → {}{last}", b.projected_month_microdollars),
            theme.muted,
        ),
    ]
}

/// Column widths for the feed at an inner width.
fn columns(width: u16) -> (bool, Vec<Constraint>) {
    let wide = width >= 118;
    let mut c = vec![
        Constraint::Length(1),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(if wide { 14 } else { 10 }),
    ];
    if wide {
        c.push(Constraint::Length(14));
    }
    c.push(Constraint::Length(if wide { 24 } else { 16 }));
    if wide {
        c.push(Constraint::Length(7));
    }
    c.push(Constraint::Length(9));
    c.push(Constraint::Length(7));
    c.push(Constraint::Fill(1));
    (wide, c)
}

/// The width the status column gets: what the fixed columns and the
/// spacing leave of `width`.
fn status_width(width: u16, widths: &[Constraint]) -> usize {
    let fixed: u16 = widths
        .iter()
        .map(|c| match c {
            Constraint::Length(n) => *n,
            _ => 0,
        })
        .sum();
    (width as usize).saturating_sub(fixed as usize + widths.len().saturating_sub(1))
}

/// A text cell cut to `width` with `…` (never cut mid-character).
fn fitted(text: &str, width: usize) -> Cell<'static> {
    Cell::from(crate::sanitize::truncate_width(text, width))
}

fn row_cells(
    row: &FeedRow,
    user: &str,
    wide: bool,
    theme: &Theme,
    status_w: usize,
    money_decimals: u32,
) -> Row<'static> {
    let style = severity_style(theme, row.severity);
    let mut cells = vec![
        Cell::from(severity_marker(row.severity)),
        Cell::from(fmt_time(row.at)),
        Cell::from(row.kind),
        fitted(user, if wide { 14 } else { 10 }),
    ];
    if wide {
        cells.push(fitted(&row.agent, 14));
    }
    cells.push(fitted(&row.subject, if wide { 24 } else { 16 }));
    if wide {
        cells.push(Cell::from(
            Line::from(row.tokens.map(fmt_compact).unwrap_or_default()).alignment(Alignment::Right),
        ));
    }
    cells.push(Cell::from(
        Line::from(
            row.cost
                .map(|c| c.with_decimals(money_decimals))
                .unwrap_or_default(),
        )
        .alignment(Alignment::Right),
    ));
    cells.push(Cell::from(
        Line::from(row.latency_ms.map(fmt_ms).unwrap_or_default()).alignment(Alignment::Right),
    ));
    cells.push(fitted(&row.status, status_w));
    Row::new(cells).style(style)
}

/// Draw the live view: the ribbon over the feed.
pub fn draw(app: &App, frame: &mut Frame, layout: &ScreenLayout) {
    let theme = &app.theme;
    let feed_area = layout.feed_block;
    draw_ribbon(app, frame, layout.ribbon);

    let feed = &app.live.feed;
    let new_rows = app.live.new_since_pause();
    let state = if app.live.follow {
        "following".to_string()
    } else if new_rows > 0 {
        format!(
            "⏸ PAUSED · +{} new (Space follows)",
            fmt_count(new_rows as i64)
        )
    } else {
        "⏸ PAUSED (Space follows)".to_string()
    };
    let mut title = format!(
        "Feed · {} of {} rows · {state}",
        fmt_count(feed.visible_len() as i64),
        fmt_count(feed.total() as i64)
    );
    if !feed.filter().is_empty() {
        title.push_str(&format!(
            " · filter: {}",
            crate::sanitize::truncate_width(&feed.filter().raw, 40)
        ));
    }
    let block = panel(theme, title, true);
    let inner = block.inner(feed_area);
    frame.render_widget(block, feed_area);

    let rows_area = layout.feed_rows;
    let page = rows_area.height as usize;
    let (selected, offset) = app.live_selection();
    let (wide, widths) = columns(inner.width);
    let mut header = vec!["", "time", "kind", "user"];
    if wide {
        header.push("agent");
    }
    header.push("model / tool / module");
    if wide {
        header.push("tokens");
    }
    header.extend(["cost", "latency", "status"]);
    let header = Row::new(header).style(theme.header);

    if feed.visible_len() == 0 {
        let text = if feed.total() == 0 {
            "waiting for events…"
        } else {
            "no row matches the filter (Esc clears it)"
        };
        frame.render_widget(Table::new(Vec::<Row>::new(), widths).header(header), inner);
        placeholder(frame, theme, rows_area, text, false);
        return;
    }
    let shown = feed.display_slice(offset, page);
    // one precision for the cost column of the rows on screen
    let money_decimals = Microdollars::column_decimals(shown.iter().filter_map(|r| r.cost));
    let status_w = status_width(inner.width, &widths);
    let rows: Vec<Row> = shown
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let user = app.user_label(&row.user);
            let r = row_cells(row, &user, wide, theme, status_w, money_decimals);
            if offset + i == selected {
                r.style(theme.selected)
            } else {
                r
            }
        })
        .collect();
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
}
