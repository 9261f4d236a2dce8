//! The leaderboards view: top users, agents and tools, and the full tools
//! table (executions, success rate, average time, last used), sortable.

use super::state::LeadersPane;
use crate::model::Microdollars;
use crate::query::ToolSort;
use crate::sanitize::{clean, truncate_width};
use crate::tui::app::App;
use crate::tui::msg::{LeadersData, Loadable};
use crate::tui::views::*;
use ratatui::widgets::{Cell, Row, Table};

fn sort_label(sort: ToolSort) -> &'static str {
    match sort {
        ToolSort::Executions => "executions",
        ToolSort::SuccessRate => "success rate",
        ToolSort::AvgTime => "avg time",
        ToolSort::LastUsed => "last used",
        ToolSort::Name => "name",
    }
}

fn right(text: String) -> Cell<'static> {
    Cell::from(Line::from(text).alignment(Alignment::Right))
}

/// Draw the leaderboards view.
pub fn draw(app: &App, frame: &mut Frame, body: Rect) {
    let theme = &app.theme;
    let state = &app.leaders;
    let data: &LeadersData = match &state.data {
        Loadable::Ready(d) => d,
        other => {
            let block = panel(theme, "Leaderboards", true);
            let inner = block.inner(body);
            frame.render_widget(block, body);
            let (text, failed) = match other {
                Loadable::Failed(e) => (format!("cannot load leaderboards: {e}"), true),
                _ => ("loading leaderboards…".to_string(), false),
            };
            placeholder(frame, theme, inner, &text, failed);
            return;
        }
    };
    let [strip, body] = Layout::vertical([Constraint::Length(4), Constraint::Min(8)]).areas(body);
    draw_activity(app, frame, strip, data);
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(body);
    let [u, a, t] = Layout::horizontal([
        Constraint::Ratio(1, 3),
        Constraint::Ratio(1, 3),
        Constraint::Ratio(1, 3),
    ])
    .areas(top);
    let window = app.window_caption(state.window);
    let limit = |area: Rect| area.height.saturating_sub(3) as usize;

    // the focused pane shows its cursor (Enter lists that row's traces)
    let mark = |pane: LeadersPane, i: usize, row: Row<'static>| {
        if state.focus == pane && state.pane_row(pane) == Some(i) {
            row.style(theme.selected)
        } else {
            row
        }
    };
    let user_decimals = Microdollars::column_decimals(
        data.users
            .iter()
            .take(limit(u))
            .map(|x| x.total_cost_microdollars),
    );
    let users: Vec<Row> = data
        .users
        .iter()
        .take(limit(u))
        .enumerate()
        .map(|(i, x)| {
            let row = Row::new(vec![
                Cell::from(user_cell(app, x)),
                right(fmt_compact(x.request_count)),
                right(x.total_cost_microdollars.with_decimals(user_decimals)),
            ]);
            mark(LeadersPane::Users, i, row)
        })
        .collect();
    frame.render_widget(
        Table::new(
            users,
            [
                Constraint::Fill(1),
                Constraint::Length(6),
                Constraint::Length(10),
            ],
        )
        .header(Row::new(["user", "reqs", "cost"]).style(theme.header))
        .block(panel(
            theme,
            format!("Top users · {window}"),
            state.focus == LeadersPane::Users,
        )),
        u,
    );
    let agents: Vec<Row> = data
        .agents
        .iter()
        .take(limit(a))
        .enumerate()
        .map(|(i, x)| {
            let failing = x.failed_count > 0 && x.success_rate < 0.9;
            let row = Row::new(vec![
                Cell::from(format!(
                    "{}{}",
                    if failing { "✗" } else { "" },
                    clean(&x.agent_name)
                )),
                right(fmt_compact(x.task_count)),
                right(fmt_pct(x.success_rate)),
            ])
            .style(if failing { theme.error } else { theme.base });
            mark(LeadersPane::Agents, i, row)
        })
        .collect();
    frame.render_widget(
        Table::new(
            agents,
            [
                Constraint::Fill(1),
                Constraint::Length(6),
                Constraint::Length(7),
            ],
        )
        .header(Row::new(["agent", "tasks", "ok"]).style(theme.header))
        .block(panel(
            theme,
            format!("Top agents · {window}"),
            state.focus == LeadersPane::Agents,
        )),
        a,
    );
    let tools: Vec<Row> = data
        .top_tools
        .iter()
        .take(limit(t))
        .enumerate()
        .map(|(i, x)| {
            let row = Row::new(vec![
                Cell::from(clean(&x.tool_name)),
                right(fmt_compact(x.execution_count)),
                right(fmt_ms(x.avg_time_ms)),
            ]);
            mark(LeadersPane::TopTools, i, row)
        })
        .collect();
    frame.render_widget(
        Table::new(
            tools,
            [
                Constraint::Fill(1),
                Constraint::Length(6),
                Constraint::Length(7),
            ],
        )
        .header(Row::new(["tool", "execs", "avg"]).style(theme.header))
        .block(panel(
            theme,
            format!("Top tools · {window}"),
            state.focus == LeadersPane::TopTools,
        )),
        t,
    );

    let block = panel(
        theme,
        format!(
            "Tools · sorted by {} {} (s cycles, S reverses)",
            sort_label(state.sort),
            if state.ascending() { "▲" } else { "▼" }
        ),
        state.focus == LeadersPane::Tools,
    );
    let inner = block.inner(bottom);
    frame.render_widget(block, bottom);
    let page = inner.height.saturating_sub(1) as usize;
    let selected_row = state.selected_row();
    let offset = selected_row
        .unwrap_or(state.selection.hint_row())
        .saturating_sub(page.saturating_sub(1));
    let name_w = (inner.width as usize).saturating_sub(60).max(10);
    let rows: Vec<Row> = state
        .tools_in_order()
        .into_iter()
        .enumerate()
        .skip(offset)
        .take(page)
        .map(|(i, x)| {
            let failing = x.success_rate < 0.9 && x.failure_count > 0;
            let row = Row::new(vec![
                Cell::from(format!(
                    "{}{}",
                    if failing { "✗ " } else { "" },
                    truncate_width(&clean(&x.tool_name), name_w)
                )),
                Cell::from(truncate_width(&clean(&x.server_name), 16)),
                right(fmt_count(x.execution_count)),
                right(fmt_pct(x.success_rate)),
                right(fmt_ms(x.avg_time_ms)),
                Cell::from(fmt_datetime(x.last_used)),
            ])
            .style(if failing { theme.error } else { theme.base });
            if Some(i) == selected_row {
                row.style(theme.selected)
            } else {
                row
            }
        })
        .collect();
    let arrow = |s: ToolSort, label: &str| {
        if s != state.sort {
            label.to_string()
        } else if state.ascending() {
            format!("{label}▲")
        } else {
            format!("{label}▼")
        }
    };
    let header = Row::new(vec![
        arrow(ToolSort::Name, "tool"),
        "server".to_string(),
        arrow(ToolSort::Executions, "executions"),
        arrow(ToolSort::SuccessRate, "success"),
        arrow(ToolSort::AvgTime, "avg time"),
        arrow(ToolSort::LastUsed, "last used"),
    ])
    .style(theme.header);
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Fill(1),
                Constraint::Length(16),
                Constraint::Length(11),
                Constraint::Length(8),
                Constraint::Length(9),
                Constraint::Length(11),
            ],
        )
        .header(header)
        .column_spacing(1),
        inner,
    );
}

/// Eight-level bars of `values`, scaled to their largest.
fn spark(values: &[i64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let peak = values.iter().copied().max().unwrap_or(0).max(1);
    values
        .iter()
        .map(|&v| {
            if v <= 0 {
                ' '
            } else {
                BARS[((v * 7 + peak / 2) / peak).clamp(0, 7) as usize]
            }
        })
        .collect()
}

/// What changed: the five activity dimensions over the window, each with
/// its count, the change against the window before and its trend.
fn draw_activity(app: &App, frame: &mut Frame, area: Rect, data: &LeadersData) {
    let theme = &app.theme;
    let block = panel(
        theme,
        format!(
            "Activity · {} · change vs the window before",
            app.window_caption(app.leaders.window)
        ),
        false,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(compared) = &data.activity_change else {
        return placeholder(
            frame,
            theme,
            inner,
            "no activity figures from this source",
            false,
        );
    };
    let series = |pick: fn(&crate::query::ActivityBucket) -> i64| -> Vec<i64> {
        data.activity.iter().map(pick).collect()
    };
    let dims: [(&str, i64, i64, Vec<i64>); 5] = [
        (
            "sessions",
            compared.current.sessions,
            compared.previous.sessions,
            series(|b| b.sessions),
        ),
        (
            "contexts",
            compared.current.contexts,
            compared.previous.contexts,
            series(|b| b.contexts),
        ),
        (
            "tasks",
            compared.current.tasks,
            compared.previous.tasks,
            series(|b| b.tasks),
        ),
        (
            "AI requests",
            compared.current.ai_requests,
            compared.previous.ai_requests,
            series(|b| b.ai_requests),
        ),
        (
            "tool runs",
            compared.current.tool_executions,
            compared.previous.tool_executions,
            series(|b| b.tool_executions),
        ),
    ];
    let per_line = if inner.width >= 150 { 5 } else { 3 };
    let cell_w = (inner.width as usize / per_line).max(20);
    let spark_w = cell_w.saturating_sub(22).clamp(4, 24);
    let lines: Vec<Line> = dims
        .chunks(per_line)
        .map(|chunk| {
            let mut spans = Vec::new();
            for (label, now, before, values) in chunk {
                let tail = &values[values.len().saturating_sub(spark_w)..];
                let delta = fmt_change(*now, *before);
                let style = if delta.starts_with('↓') {
                    theme.warn
                } else {
                    theme.ok
                };
                let text_w = label.chars().count()
                    + 1
                    + fmt_compact(*now).chars().count()
                    + 1
                    + delta.chars().count()
                    + 1
                    + tail.len();
                spans.push(Span::styled(format!("{label} "), theme.muted));
                spans.push(Span::styled(
                    fmt_compact(*now),
                    theme.base.add_modifier(Modifier::BOLD),
                ));
                spans.push(Span::styled(format!(" {delta} "), style));
                spans.push(Span::styled(spark(tail), theme.accent));
                spans.push(Span::raw(" ".repeat(cell_w.saturating_sub(text_w).max(2))));
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// A leaderboard user as every view shows users; the engine's name when
/// the directory does not know the user yet.
fn user_cell(app: &App, x: &crate::query::UserLeader) -> String {
    let id = x.user_id.as_str();
    match &x.user_name {
        Some(name) if app.live.feed.users().name(id).is_none() => clean(name),
        _ => app.user_label(id).into_owned(),
    }
}
