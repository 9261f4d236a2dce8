//! The audit view: a prefix box resolving request, task or trace ids as you
//! type, the review queue (all / errors / anomalies / unreviewed) with each
//! item's verdict, and the full record of the selected item.

use super::state::{AuditFocus, ShownVerdict};
use crate::model::*;
use crate::query::{AuditRecord, AuditResolution, IdKind};
use crate::sanitize::{clean, truncate_width};
use crate::tui::app::App;
use crate::tui::msg::Loadable;
use crate::tui::theme::Theme;
use crate::tui::views::*;
use ratatui::widgets::{Cell, Row, Table};

fn verdict_cell(theme: &Theme, v: Option<&ShownVerdict>) -> (String, Style) {
    match v {
        None => ("· todo".into(), theme.muted),
        Some(v) => {
            let pending = if v.pending { "…" } else { "" };
            let note = if v.note.is_some() { "✎" } else { "" };
            match v.verdict {
                Verdict::Ok => (format!("✓ ok{note}{pending}"), theme.ok),
                Verdict::Flag => (format!("⚑ flag{note}{pending}"), theme.warn),
                Verdict::Escalate => (format!("⇪ escal{note}{pending}"), theme.error),
            }
        }
    }
}

/// Lines of a full audit record.
pub fn record_lines(theme: &Theme, record: &AuditRecord) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{} ", record.matched_kind.as_str()), theme.muted),
        Span::styled(clean(&record.matched_id), theme.title),
    ])];
    if let Some(t) = record
        .trace_id
        .as_ref()
        .filter(|_| record.matched_kind != IdKind::Trace)
    {
        lines.push(Line::from(vec![
            Span::styled("trace ", theme.muted),
            Span::raw(clean(t.as_str())),
        ]));
    }
    if let Some(task) = &record.task {
        lines.push(Line::from(vec![
            Span::styled("task ", theme.muted),
            Span::raw(format!(
                "{} · {} · {}",
                clean(task.task_id.as_str()),
                clean(task.agent_name.as_deref().unwrap_or("(no agent)")),
                clean(&task.status)
            )),
        ]));
    }
    for r in &record.requests {
        lines.push(Line::from(""));
        lines.extend(crate::tui::screens::trace::view::request_lines(
            theme,
            &r.request,
            Some(r),
        ));
    }
    lines
}

/// Draw the audit view.
pub fn draw(app: &App, frame: &mut Frame, body: Rect) {
    let theme = &app.theme;
    let a = &app.audit;
    let wide = body.width >= 120;
    let (left, right) = if wide {
        let [l, r] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(body);
        (l, r)
    } else {
        let [l, r] =
            Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(body);
        (l, r)
    };
    let [prefix_area, lookup_area, queue_area] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(2),
        Constraint::Min(4),
    ])
    .areas(left);

    // prefix box
    let mut prefix = (*a.prefix).clone();
    prefix.set_block(panel(
        theme,
        "Resolve id prefix (/ focuses)",
        a.focus == AuditFocus::Prefix,
    ));
    prefix.set_style(theme.base);
    if a.focus != AuditFocus::Prefix {
        prefix.set_cursor_style(theme.base);
    } else {
        prefix.set_cursor_style(theme.selected);
    }
    frame.render_widget(&prefix, prefix_area);

    let lookup: Vec<Line> = match &a.lookup {
        Loadable::NotAsked => vec![Line::from(Span::styled(
            " type at least 4 characters of a request, task or trace id",
            theme.muted,
        ))],
        Loadable::Loading => vec![Line::from(Span::styled(" resolving…", theme.muted))],
        Loadable::Failed(e) => vec![Line::from(Span::styled(
            format!(" ✗ {}", clean(e)),
            theme.error,
        ))],
        Loadable::Ready(AuditResolution::Found(r)) => vec![Line::from(vec![
            Span::styled(" ✓ ", theme.ok),
            Span::styled(format!("{} ", r.matched_kind.as_str()), theme.muted),
            Span::styled(
                clean(&r.matched_id),
                theme.base.add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!("  {} request(s) · Enter opens", r.requests.len()),
                theme.muted,
            ),
        ])],
        Loadable::Ready(AuditResolution::Ambiguous { candidates, .. }) => vec![
            Line::from(Span::styled(
                format!(" ambiguous: {} matches, type more", candidates.len()),
                theme.warn,
            )),
            Line::from(Span::raw(format!(
                " {}",
                candidates
                    .iter()
                    .take(6)
                    .map(|c| format!("{} {}", c.kind.as_str(), truncate_width(&clean(&c.id), 14)))
                    .collect::<Vec<_>>()
                    .join(" · ")
            ))),
        ],
    };
    frame.render_widget(Paragraph::new(lookup), lookup_area);

    // queue
    let items = a.visible_items();
    let selected_row = a.selected_row();
    let reviewed = items
        .iter()
        .filter(|r| a.verdicts.contains_key(r.id.as_str()))
        .count();
    let memory_note = match &app.review_store_note {
        Some(note) => format!(" · {}", clean(note)),
        None => String::new(),
    };
    let block = panel(
        theme,
        format!(
            "Review queue · {} · {} items · {} reviewed (v cycles){memory_note}",
            a.queue_filter.label(),
            items.len(),
            reviewed
        ),
        a.focus == AuditFocus::Queue,
    );
    let inner = block.inner(queue_area);
    frame.render_widget(block, queue_area);
    match &a.queue {
        Loadable::Ready(_) if items.is_empty() => {
            placeholder(frame, theme, inner, "nothing in this queue", false)
        }
        Loadable::Ready(_) => {
            let page = inner.height.saturating_sub(1) as usize;
            let cursor = selected_row.unwrap_or(a.selection.hint_row());
            let offset = cursor.saturating_sub(page.saturating_sub(1));
            // one precision for the whole cost column (of the rows shown)
            let money_decimals = Microdollars::column_decimals(
                items
                    .iter()
                    .skip(offset)
                    .take(page)
                    .map(|r| r.cost_microdollars),
            );
            let rows: Vec<Row> = items
                .iter()
                .enumerate()
                .skip(offset)
                .take(page)
                .map(|(i, r)| {
                    let (v, vstyle) = verdict_cell(theme, a.verdicts.get(r.id.as_str()));
                    let failed = r.status == request_status::FAILED;
                    // the selected row is one style end to end: no red on
                    // the selection colour (the glyphs still tell the state)
                    let selected = Some(i) == selected_row;
                    let own = |style: Style| if selected { theme.selected } else { style };
                    let row = Row::new(vec![
                        Cell::from(v).style(own(vstyle)),
                        Cell::from(fmt_time(Some(r.created_at))),
                        Cell::from(truncate_width(&clean(r.id.as_str()), 14)),
                        Cell::from(truncate_width(&app.user_label(r.user_id.as_str()), 12)),
                        Cell::from(truncate_width(&clean(&r.model), 18)),
                        Cell::from(
                            Line::from(if r.status == request_status::PENDING {
                                "–".to_string()
                            } else {
                                r.cost_microdollars.with_decimals(money_decimals)
                            })
                            .alignment(Alignment::Right),
                        ),
                        Cell::from(if failed {
                            format!("✗ {}", clean(&r.status))
                        } else {
                            clean(&r.status)
                        })
                        .style(own(if failed {
                            theme.error
                        } else {
                            theme.base
                        })),
                    ]);
                    if selected {
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
                        Constraint::Length(9),
                        Constraint::Length(8),
                        Constraint::Length(14),
                        Constraint::Length(12),
                        Constraint::Fill(1),
                        Constraint::Length(10),
                        Constraint::Length(10),
                    ],
                )
                .header(
                    Row::new([
                        "verdict", "time", "request", "user", "model", "cost", "status",
                    ])
                    .style(theme.header),
                )
                .column_spacing(1),
                inner,
            );
        }
        Loadable::Failed(e) => placeholder(
            frame,
            theme,
            inner,
            &format!("cannot load the queue: {e}"),
            true,
        ),
        _ => placeholder(frame, theme, inner, "loading the review queue…", false),
    }

    // record: the subject (what a / f / e / n mark), its verdicts, then
    // the full record
    let focused = a.focus == AuditFocus::Record;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let title = match &a.subject {
        Some(s) => format!("Record · {} {}", s.kind.as_str(), clean(&s.id)),
        None => "Record".to_string(),
    };
    if let Some(subject) = &a.subject {
        let stored = a.history.get(&subject.id).map(Vec::as_slice).unwrap_or(&[]);
        match a.verdicts.get(&subject.id) {
            Some(v) if v.pending => {
                let (text, style) = verdict_cell(theme, Some(v));
                lines.push(Line::from(vec![
                    Span::styled(text, style),
                    Span::styled(format!(" by {} · saving…", clean(&v.reviewer)), theme.muted),
                ]));
            }
            None if stored.is_empty() => lines.push(Line::from(Span::styled(
                "not reviewed yet · a ok · f flag · e escalate · n note",
                theme.muted,
            ))),
            _ => {}
        }
        for review in stored {
            let v = ShownVerdict {
                verdict: review.verdict,
                note: review.note.clone(),
                reviewer: review.reviewer.clone(),
                pending: false,
            };
            let (text, style) = verdict_cell(theme, Some(&v));
            lines.push(Line::from(vec![
                Span::styled(text, style),
                Span::styled(
                    format!(
                        " by {} · {}",
                        clean(&review.reviewer),
                        review.created_at.format("%Y-%m-%d %H:%M:%S UTC")
                    ),
                    theme.muted,
                ),
            ]));
            if let Some(note) = &review.note {
                lines.push(Line::from(Span::styled(
                    format!("  ✎ {}", clean(note)),
                    theme.base,
                )));
            }
        }
        if let Some(note) = a.notes.get(&subject.id) {
            lines.push(Line::from(Span::styled(
                format!("✎ unsaved note: {}", clean(note)),
                theme.warn,
            )));
        }
        lines.push(Line::from(""));
    }
    match (&a.subject, &a.record) {
        (None, _) => lines.push(Line::from(Span::styled(
            "nothing selected: move in the queue (j/k) or resolve an id (/)",
            theme.muted,
        ))),
        (Some(_), Loadable::Ready(r)) => lines.extend(record_lines(theme, r)),
        (Some(_), Loadable::Failed(e)) => {
            lines.push(crate::tui::screens::trace::view::error_line(theme, e))
        }
        (Some(_), _) => lines.push(Line::from(Span::styled("loading record…", theme.muted))),
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(panel(theme, title, focused))
            .wrap(Wrap { trim: false })
            .scroll((a.record_scroll, 0)),
        right,
    );
}
