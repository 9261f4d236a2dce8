//! The logs view: a search box with level and module filters, the log
//! summary of every line the filters match, and the matching lines.

use crate::sanitize::{clean, truncate_width};
use crate::tui::app::App;
use crate::tui::msg::Loadable;
use crate::tui::views::*;
use ratatui::widgets::{Cell, Row, Table};

/// Draw the logs view.
pub fn draw(app: &App, frame: &mut Frame, body: Rect) {
    let theme = &app.theme;
    let l = &app.logs;
    let [search_area, summary_area, lines_area] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(2),
        Constraint::Min(3),
    ])
    .areas(body);
    let mut search = (*l.search).clone();
    search.set_block(panel(
        theme,
        format!(
            "Search · level {} (l) · module {} (m)",
            l.level
                .map(|lv| format!("{}+", lv.as_str()))
                .unwrap_or_else(|| "all".to_string()),
            l.module
                .as_deref()
                .map(clean)
                .unwrap_or_else(|| "all".into())
        ),
        l.search_focused,
    ));
    search.set_style(theme.base);
    search.set_cursor_style(if l.search_focused {
        theme.selected
    } else {
        theme.base
    });
    frame.render_widget(&search, search_area);

    let data = match &l.data {
        Loadable::Ready(d) => d,
        Loadable::Failed(e) => {
            placeholder(
                frame,
                theme,
                lines_area,
                &format!("cannot search logs: {e}"),
                true,
            );
            return;
        }
        _ => {
            placeholder(frame, theme, lines_area, "loading logs…", false);
            return;
        }
    };
    let s = &data.summary;
    let mut spans = vec![
        Span::styled(" total ", theme.muted),
        Span::styled(fmt_count(s.total), theme.base.add_modifier(Modifier::BOLD)),
    ];
    for lc in &s.by_level {
        let style = match lc.level.as_str() {
            "ERROR" => theme.error,
            "WARN" => theme.warn,
            _ => theme.base,
        };
        spans.push(Span::styled(
            format!("  {} ", clean(&lc.level)),
            theme.muted,
        ));
        spans.push(Span::styled(fmt_count(lc.count), style));
    }
    let modules = s
        .top_modules
        .iter()
        .take(5)
        .map(|m| format!("{} {}", clean(&m.module), fmt_compact(m.count)))
        .collect::<Vec<_>>()
        .join(" · ");
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(spans),
            Line::from(Span::styled(
                format!(" top modules: {modules}"),
                theme.muted,
            )),
        ]),
        summary_area,
    );

    let block = panel(
        theme,
        format!("Lines · {} shown", data.lines.len()),
        !l.search_focused,
    );
    let inner = block.inner(lines_area);
    frame.render_widget(block, lines_area);
    if data.lines.is_empty() {
        placeholder(frame, theme, inner, "no log line matches", false);
        return;
    }
    let page = inner.height.saturating_sub(1) as usize;
    let selected_row = l.selected_row();
    let offset = selected_row
        .unwrap_or(l.selection.hint_row())
        .saturating_sub(page.saturating_sub(1));
    let msg_w = (inner.width as usize).saturating_sub(8 + 6 + 18 + 4);
    let search = crate::tui::screens::single_line(&l.search);
    let rows: Vec<Row> = data
        .lines
        .iter()
        .enumerate()
        .skip(offset)
        .take(page)
        .map(|(i, line)| {
            let level = line.level.to_uppercase();
            let (marker, style) = match level.as_str() {
                "ERROR" => ("✗", theme.error),
                "WARN" | "WARNING" => ("!", theme.warn),
                _ => (" ", theme.base),
            };
            let row = Row::new(vec![
                Cell::from(fmt_time(Some(line.timestamp))),
                Cell::from(format!("{marker}{}", truncate_width(&clean(&level), 5))),
                Cell::from(truncate_left(&clean(&line.module), 18)),
                Cell::from(highlight(
                    Line::from(truncate_width(&clean(&line.message), msg_w)),
                    &search,
                    found_style(theme),
                )),
            ])
            .style(style);
            if Some(i) == selected_row {
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
                Constraint::Length(8),
                Constraint::Length(6),
                Constraint::Length(18),
                Constraint::Fill(1),
            ],
        )
        .header(Row::new(["time", "level", "module", "message"]).style(theme.header))
        .column_spacing(1),
        inner,
    );
}
