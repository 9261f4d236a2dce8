//! Small input overlays: the `:` command palette, the `/` feed filter and
//! the audit note editor. Each wraps a tui-textarea in a popup.

use super::*;
use crate::tui::app::App;
use tui_textarea::TextArea;

fn boxed(app: &App, frame: &mut Frame, rect: Rect, title: &str, editor: &TextArea<'static>) {
    frame.render_widget(Clear, rect);
    let mut editor = editor.clone();
    editor.set_block(panel(&app.theme, title, true).style(app.theme.base));
    editor.set_style(app.theme.base);
    editor.set_cursor_style(app.theme.selected);
    frame.render_widget(&editor, rect);
}

/// The `:` palette, near the top.
pub fn draw_palette(app: &App, frame: &mut Frame, area: Rect, editor: &TextArea<'static>) {
    let w = area.width.saturating_sub(10).min(90);
    let rect = Rect::new(area.x + (area.width - w) / 2, area.y + 2, w, 3);
    boxed(
        app,
        frame,
        rect,
        ": command · Enter runs · Esc closes",
        editor,
    );
}

/// The `/` filter box, over the bottom of the feed.
pub fn draw_filter(app: &App, frame: &mut Frame, area: Rect, editor: &TextArea<'static>) {
    let rect = Rect::new(
        area.x,
        area.y + area.height.saturating_sub(4),
        area.width,
        3,
    );
    let unknown = &app.live.feed.filter().unknown_keys;
    let title = if unknown.is_empty() {
        "/ filter: text level:error user:… agent:… model:… tool:… kind:… · Enter keeps · Esc closes"
            .to_string()
    } else {
        format!(
            "! unknown filter key {} (matched as text): use level: user: agent: model: tool: kind: trace:",
            crate::sanitize::clean(&unknown.join(" "))
        )
    };
    boxed(app, frame, rect, &title, editor);
}

/// The trace view's `/` search box, over the bottom of the screen.
pub fn draw_search(app: &App, frame: &mut Frame, area: Rect, editor: &TextArea<'static>) {
    let rect = Rect::new(
        area.x,
        area.y + area.height.saturating_sub(4),
        area.width,
        3,
    );
    boxed(
        app,
        frame,
        rect,
        "/ search the trace · Enter keeps · n / N next / previous · Esc clears",
        editor,
    );
}

/// A picker: the narrowing box over the matching choices.
pub fn draw_picker(app: &App, frame: &mut Frame, area: Rect, picker: &crate::tui::app::Picker) {
    let theme = &app.theme;
    let shown = picker.shown();
    let height = (shown.len() as u16 + 5).clamp(6, area.height.saturating_sub(4));
    let rect = centered(area, 60, height);
    let inner = popup(frame, theme, rect, &picker.title);
    let [input, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    let mut filter = (*picker.filter).clone();
    filter.set_style(theme.base);
    filter.set_cursor_style(theme.selected);
    frame.render_widget(&filter, input);
    let page = list.height as usize;
    let offset = picker.selected.saturating_sub(page.saturating_sub(1));
    let lines: Vec<Line> = shown
        .iter()
        .enumerate()
        .skip(offset)
        .take(page)
        .map(|(i, choice)| {
            let text = crate::sanitize::truncate_width(
                &crate::sanitize::clean(choice),
                list.width as usize,
            );
            if i == picker.selected {
                Line::from(Span::styled(text, theme.selected))
            } else {
                Line::from(Span::styled(text, theme.base))
            }
        })
        .collect();
    if lines.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("nothing matches", theme.muted)),
            list,
        );
    } else {
        frame.render_widget(Paragraph::new(lines), list);
    }
}

/// The traces of a drill-down.
pub fn draw_traces(app: &App, frame: &mut Frame, area: Rect, list: &crate::tui::app::TraceList) {
    use ratatui::widgets::{Cell, Row, Table};
    let theme = &app.theme;
    let rect = centered(
        area,
        area.width.saturating_sub(8).min(150),
        area.height.saturating_sub(4),
    );
    let title = format!(
        "{} · Enter opens · j/k move · Esc closes",
        crate::sanitize::clean(&list.title)
    );
    let inner = popup(frame, theme, rect, &title);
    let traces = match &list.traces {
        crate::tui::msg::Loadable::Ready(t) if t.is_empty() => {
            return placeholder(frame, theme, inner, "no trace in this window", false);
        }
        crate::tui::msg::Loadable::Ready(t) => t,
        crate::tui::msg::Loadable::Failed(e) => {
            return placeholder(
                frame,
                theme,
                inner,
                &format!("cannot list traces: {e}"),
                true,
            );
        }
        _ => return placeholder(frame, theme, inner, "loading traces…", false),
    };
    let page = inner.height.saturating_sub(1) as usize;
    let offset = list.selected.saturating_sub(page.saturating_sub(1));
    let money_decimals = crate::model::Microdollars::column_decimals(
        traces
            .iter()
            .skip(offset)
            .take(page)
            .map(|t| t.total_cost_microdollars),
    );
    let rows: Vec<Row> = traces
        .iter()
        .enumerate()
        .skip(offset)
        .take(page)
        .map(|(i, t)| {
            let failed = t.status == "failed" || t.error_count > 0;
            let row = Row::new(vec![
                Cell::from(fmt_datetime(t.started_at)),
                Cell::from(format!(
                    "{}{}",
                    if failed { "✗ " } else { "" },
                    crate::sanitize::clean(&t.status)
                )),
                Cell::from(crate::sanitize::clean(
                    t.agent_name.as_deref().unwrap_or("–"),
                )),
                Cell::from(t.user_id.as_ref().map_or("–".to_string(), |u| {
                    app.user_label(u.as_str()).into_owned()
                })),
                Cell::from(Line::from(fmt_count(t.request_count)).alignment(Alignment::Right)),
                Cell::from(
                    Line::from(t.total_cost_microdollars.with_decimals(money_decimals))
                        .alignment(Alignment::Right),
                ),
                Cell::from(crate::sanitize::clean(t.trace_id.as_str())),
            ])
            .style(if failed { theme.error } else { theme.base });
            if i == list.selected {
                row.style(theme.selected)
            } else {
                row
            }
        })
        .collect();
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(16),
                Constraint::Length(12),
                Constraint::Length(18),
                Constraint::Length(14),
                Constraint::Length(6),
                Constraint::Length(10),
                Constraint::Fill(1),
            ],
        )
        .header(
            Row::new([
                "started", "status", "agent", "user", "reqs", "cost", "trace",
            ])
            .style(theme.header),
        )
        .column_spacing(1),
        inner,
    );
}

/// The note editor for an audit item.
pub fn draw_note(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    target: &crate::tui::app::ReviewSubject,
    editor: &TextArea<'static>,
) {
    let rect = centered(area, 70, 10);
    let title = format!(
        "Note for {} {} · Ctrl-S saves · Esc cancels",
        target.kind.as_str(),
        crate::sanitize::truncate_width(&crate::sanitize::clean(&target.id), 40)
    );
    boxed(app, frame, rect, &title, editor);
}
