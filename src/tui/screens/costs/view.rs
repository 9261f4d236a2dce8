//! The costs view: the window's summary, spend over 24h / 7d / 30d and the
//! average per request, prompt-cache reads and writes (the cached share of
//! input), how many synthetic requests were left out, breakdowns by model,
//! provider and agent, and the cost trend.

use super::state::CostsPane;
use crate::model::Microdollars;
use crate::query::CostBreakdownRow;
use crate::sanitize::{clean, truncate_width};
use crate::tui::app::App;
use crate::tui::msg::{CostsData, Loadable};
use crate::tui::views::*;
use ratatui::widgets::{Cell, Row, Sparkline, Table};

/// Draw the costs view.
pub fn draw(app: &App, frame: &mut Frame, body: Rect) {
    let theme = &app.theme;
    let window = app.window_caption(app.costs.window);
    let data: &CostsData = match &app.costs.data {
        Loadable::Ready(d) => d,
        other => {
            let block = panel(theme, format!("Costs · {window}"), true);
            let inner = block.inner(body);
            frame.render_widget(block, body);
            let (text, failed) = match other {
                Loadable::Failed(e) => (format!("cannot load costs: {e}"), true),
                _ => ("loading costs…".to_string(), false),
            };
            placeholder(frame, theme, inner, &text, failed);
            return;
        }
    };
    let [top, spend, middle, bottom] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Length(super::budgets::height(app, body.height)),
        Constraint::Min(6),
        Constraint::Length(if body.height >= 30 { 10 } else { 6 }),
    ])
    .areas(body);
    super::budgets::draw(app, frame, spend);
    let [summary_area, overview_area] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top);
    let bold = theme.base.add_modifier(Modifier::BOLD);
    let s = &data.summary;
    let before = &data.previous;
    // spend going up is the thing to look at; fewer requests is not
    let change = |now: i64, then: i64, up_is_bad: bool| {
        let text = fmt_change(now, then);
        let style = match (text.starts_with('↑'), text.starts_with('↓')) {
            (true, _) if up_is_bad => theme.warn,
            (_, true) if !up_is_bad => theme.warn,
            _ => theme.muted,
        };
        Span::styled(format!(" {text}"), style)
    };
    let mut first = vec![
        Span::styled("cost ", theme.muted),
        Span::styled(
            s.total_cost_microdollars.to_string(),
            theme.cost.add_modifier(Modifier::BOLD),
        ),
        change(
            s.total_cost_microdollars.get(),
            before.total_cost_microdollars.get(),
            true,
        ),
        Span::styled("  requests ", theme.muted),
        Span::styled(fmt_count(s.request_count), bold),
        change(s.request_count, before.request_count, false),
    ];
    // the average only where it fits beside them (the Spend panel has the
    // all-time one)
    if summary_area.width >= 60 {
        first.push(Span::styled("  avg ", theme.muted));
        first.push(Span::styled(
            s.avg_cost_per_request_microdollars.to_string(),
            bold,
        ));
    }
    let summary = vec![
        Line::from(first),
        Line::from(vec![
            Span::styled("tokens ", theme.muted),
            Span::styled(
                if summary_area.width >= 60 {
                    fmt_count(s.total_tokens)
                } else {
                    fmt_compact(s.total_tokens)
                },
                bold,
            ),
            Span::styled(
                format!(
                    " ({} in / {} out)",
                    fmt_compact(s.input_tokens),
                    fmt_compact(s.output_tokens)
                ),
                theme.muted,
            ),
        ]),
        cache_line(app, s),
    ];
    frame.render_widget(
        Paragraph::new(summary).block(panel(
            theme,
            if summary_area.width >= 56 {
                format!("Window {window} · ↑↓ vs the one before (t cycles)")
            } else {
                format!("Window {window} · ↑↓ vs before")
            },
            true,
        )),
        summary_area,
    );
    let o = &data.overview;
    let overview = vec![
        Line::from(vec![
            Span::styled("24h ", theme.muted),
            Span::styled(o.cost_24h_microdollars.to_string(), bold),
            Span::styled("  7d ", theme.muted),
            Span::styled(o.cost_7d_microdollars.to_string(), bold),
            Span::styled("  30d ", theme.muted),
            Span::styled(o.cost_30d_microdollars.to_string(), bold),
        ]),
        Line::from(vec![
            Span::styled("all time ", theme.muted),
            Span::styled(o.total_cost_microdollars.to_string(), bold),
            Span::styled("  avg/request ", theme.muted),
            Span::styled(o.avg_cost_per_request_microdollars.to_string(), bold),
        ]),
        synthetic_line(app, s),
    ];
    frame.render_widget(
        Paragraph::new(overview).block(panel(theme, "Spend", false)),
        overview_area,
    );

    let [m, p, a] = Layout::horizontal([
        Constraint::Ratio(1, 3),
        Constraint::Ratio(1, 3),
        Constraint::Ratio(1, 3),
    ])
    .areas(middle);
    breakdown(
        app,
        frame,
        m,
        "By model",
        &data.by_model,
        app.costs.cursor_in(CostsPane::Model),
    );
    breakdown(
        app,
        frame,
        p,
        "By provider",
        &data.by_provider,
        app.costs.cursor_in(CostsPane::Provider),
    );
    breakdown(
        app,
        frame,
        a,
        "By agent",
        &data.by_agent,
        app.costs.cursor_in(CostsPane::Agent),
    );

    let values: Vec<u64> = data
        .trend
        .iter()
        .map(|b| b.total_cost_microdollars.get().max(0) as u64)
        .collect();
    let peak = data
        .trend
        .iter()
        .map(|b| b.total_cost_microdollars)
        .max()
        .unwrap_or_default();
    let unit = if app.costs.window == crate::tui::screens::CostWindow::Day {
        "hour"
    } else {
        "day"
    };
    let range = match (data.trend.first(), data.trend.last()) {
        (Some(f), Some(l)) => format!(
            " · {} → {}",
            fmt_datetime(f.bucket_start),
            fmt_datetime(l.bucket_start)
        ),
        _ => String::new(),
    };
    let block = panel(
        theme,
        format!("Cost per {unit} · peak {peak}{range}"),
        false,
    );
    let inner = block.inner(bottom);
    frame.render_widget(block, bottom);
    if values.iter().all(|v| *v == 0) {
        placeholder(frame, theme, inner, "no spend in this window", false);
    } else {
        // stretch buckets over the width so the chart fills the pane
        let width = inner.width as usize;
        let stretched: Vec<u64> = if values.len() < width && !values.is_empty() {
            (0..width)
                .map(|x| values[x * values.len() / width])
                .collect()
        } else {
            values
        };
        frame.render_widget(
            Sparkline::default().data(&stretched).style(theme.cost),
            inner,
        );
    }
}

/// Prompt-cache reads and writes with the cached share of input.
fn cache_line(app: &App, s: &crate::query::CostSummary) -> Line<'static> {
    let theme = &app.theme;
    Line::from(vec![
        Span::styled("cached ", theme.muted),
        Span::styled(
            format!("{:.0}%", s.cached_input_share * 100.0),
            theme.base.add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            format!(
                " {} read / {} new",
                fmt_compact(s.cache_read_tokens),
                fmt_compact(s.cache_creation_tokens)
            ),
            theme.muted,
        ),
    ])
}

/// How many synthetic requests, and requests without a model or provider,
/// the figures leave out (empty when none).
fn synthetic_line(app: &App, s: &crate::query::CostSummary) -> Line<'static> {
    let mut parts = Vec::new();
    if s.synthetic_requests_excluded > 0 {
        parts.push(format!(
            "{} synthetic",
            fmt_count(s.synthetic_requests_excluded)
        ));
    }
    if s.no_model_requests_excluded > 0 {
        parts.push(format!(
            "{} model-less",
            fmt_count(s.no_model_requests_excluded)
        ));
    }
    if parts.is_empty() {
        return Line::default();
    }
    Line::from(Span::styled(
        format!("{} requests left out", parts.join(" and ")),
        app.theme.muted,
    ))
}

fn breakdown(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    title: &str,
    rows: &[CostBreakdownRow],
    cursor: Option<Option<usize>>,
) {
    let theme = &app.theme;
    let block = panel(theme, title, cursor.is_some());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if rows.is_empty() {
        placeholder(frame, theme, inner, "no requests", false);
        return;
    }
    // narrow panes drop the request count so the key stays readable; wide
    // ones add the cached share of input
    let narrow = inner.width < 40;
    let wide = inner.width >= 48;
    let key_w = (inner.width as usize)
        .saturating_sub(if narrow {
            10 + 4 + 2
        } else if wide {
            7 + 10 + 4 + 6 + 4
        } else {
            7 + 10 + 4 + 3
        })
        .max(4);
    let shown = inner.height.saturating_sub(1) as usize;
    let money_decimals =
        Microdollars::column_decimals(rows.iter().take(shown).map(|r| r.total_cost_microdollars));
    let body: Vec<Row> = rows
        .iter()
        .take(shown)
        .enumerate()
        .map(|(i, r)| {
            let mut cells = vec![Cell::from(truncate_width(&clean(&r.key), key_w))];
            if !narrow {
                cells.push(Cell::from(
                    Line::from(fmt_compact(r.request_count)).alignment(Alignment::Right),
                ));
            }
            cells.push(Cell::from(
                Line::from(r.total_cost_microdollars.with_decimals(money_decimals))
                    .alignment(Alignment::Right),
            ));
            cells.push(Cell::from(
                Line::from(share_pct(r.cost_share)).alignment(Alignment::Right),
            ));
            if wide {
                cells.push(Cell::from(
                    Line::from(share_pct(r.cached_input_share)).alignment(Alignment::Right),
                ));
            }
            if cursor == Some(Some(i)) {
                Row::new(cells).style(theme.selected)
            } else {
                Row::new(cells)
            }
        })
        .collect();
    let (widths, header) = if narrow {
        (
            vec![
                Constraint::Fill(1),
                Constraint::Length(10),
                Constraint::Length(4),
            ],
            vec!["", "cost", "%"],
        )
    } else if wide {
        (
            vec![
                Constraint::Fill(1),
                Constraint::Length(7),
                Constraint::Length(10),
                Constraint::Length(4),
                Constraint::Length(6),
            ],
            vec!["", "reqs", "cost", "%", "cached"],
        )
    } else {
        (
            vec![
                Constraint::Fill(1),
                Constraint::Length(7),
                Constraint::Length(10),
                Constraint::Length(4),
            ],
            vec!["", "reqs", "cost", "%"],
        )
    };
    frame.render_widget(
        Table::new(body, widths)
            .header(Row::new(header).style(theme.header))
            .column_spacing(1),
        inner,
    );
}

/// A share of the total as a whole percentage; a non-zero share under
/// half a percent reads `<1%`, never `0%`.
fn share_pct(share: f64) -> String {
    if share > 0.0 && share < 0.005 {
        "<1%".to_string()
    } else {
        format!("{:.0}%", share * 100.0)
    }
}
