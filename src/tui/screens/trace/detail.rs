//! The trace screen's detail pane: the selected item's fields, conversation,
//! tool input / output and errors, as lines (also read by the audit view's
//! Record pane and by the trace search).

use super::state::{TracePane, TraceState};
use super::view::{Item, MAX_PAYLOAD_BYTES, search_note};
use crate::model::*;
use crate::query::{AuditRequest, TraceDetail, TraceEvent};
use crate::sanitize::{clean, clean_text};
use crate::tui::app::App;
use crate::tui::msg::Loadable;
use crate::tui::theme::Theme;
use crate::tui::views::*;
use ratatui::prelude::*;

/// An error message as one marked line (`✗`, error style), cleaned.
pub fn error_line(theme: &Theme, message: &str) -> Line<'static> {
    Line::from(Span::styled(format!("✗ {}", clean(message)), theme.error))
}

pub(super) fn kv(theme: &Theme, key: &str, value: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{key:<12}"), theme.muted),
        Span::raw(clean(&value.into())),
    ])
}

/// A titled block holding a payload as pretty JSON (cleaned, capped).
pub(super) fn push_json_block(
    lines: &mut Vec<Line<'static>>,
    theme: &Theme,
    title: &str,
    payload: &str,
) {
    push_block(
        lines,
        theme,
        title,
        &pretty_json(payload, MAX_PAYLOAD_BYTES),
        theme.base,
    );
}

pub(super) fn push_block(
    lines: &mut Vec<Line<'static>>,
    theme: &Theme,
    title: &str,
    text: &str,
    style: Style,
) {
    lines.push(Line::from(Span::styled(
        format!("── {title} "),
        theme.accent,
    )));
    for l in text.lines() {
        lines.push(Line::from(Span::styled(l.to_string(), style)));
    }
}

/// The detail lines of one request: fields, conversation, tool calls, MCP.
pub fn request_lines(
    theme: &Theme,
    r: &AiRequestRecord,
    audit: Option<&AuditRequest>,
) -> Vec<Line<'static>> {
    let mut lines = vec![
        kv(theme, "request", r.id.as_str()),
        kv(
            theme,
            "model",
            format!("{} / {}", r.provider, r.model_label()),
        ),
        kv(theme, "status", r.status.clone()),
        kv(
            theme,
            "actor",
            r.actor_label().unwrap_or_else(|| "–".into()),
        ),
        kv(
            theme,
            "tokens",
            format!(
                "{} in · {} out{}",
                fmt_count(r.input_tokens.unwrap_or(0).into()),
                fmt_count(r.output_tokens.unwrap_or(0).into()),
                if r.cache_hit { " · cache hit" } else { "" }
            ),
        ),
        kv(
            theme,
            "cache",
            format!(
                "{} read · {} written",
                fmt_count(r.cache_read_tokens.unwrap_or(0).into()),
                fmt_count(r.cache_creation_tokens.unwrap_or(0).into())
            ),
        ),
        kv(theme, "cost", r.cost_microdollars.to_string()),
        kv(
            theme,
            "latency",
            r.latency_ms.map(|l| fmt_ms(l.into())).unwrap_or("–".into()),
        ),
        kv(theme, "user", r.user_id.as_str()),
    ];
    if r.is_synthetic() {
        lines.push(kv(theme, "synthetic", "yes (test or probe traffic)"));
    }
    lines.extend(r.error_message.as_deref().map(|e| error_line(theme, e)));
    match audit {
        Some(a) => {
            for m in &a.messages {
                let who = match &m.name {
                    Some(n) => format!("{} ({})", clean(&m.role), clean(n)),
                    None => clean(&m.role),
                };
                push_block(
                    &mut lines,
                    theme,
                    &who,
                    &clean_text(&m.content, true),
                    theme.base,
                );
            }
            for c in &a.tool_calls {
                push_json_block(
                    &mut lines,
                    theme,
                    &format!("tool call {}", clean(&c.tool_name)),
                    &c.tool_input,
                );
            }
            for m in &a.mcp_executions {
                lines.extend(mcp_lines(theme, m));
            }
        }
        None => lines.push(Line::from(Span::styled(
            "loading conversation…",
            theme.muted,
        ))),
    }
    lines
}

/// Detail lines of an MCP execution (input and output as pretty JSON).
pub fn mcp_lines(theme: &Theme, m: &McpExecutionRecord) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::from(Span::styled(
            format!("── mcp {}/{} ", clean(&m.server_name), clean(&m.tool_name)),
            theme.accent,
        )),
        kv(theme, "execution", m.mcp_execution_id.as_str()),
        kv(theme, "status", m.status.clone()),
        kv(
            theme,
            "time",
            m.execution_time_ms
                .map(|l| fmt_ms(l.into()))
                .unwrap_or("–".into()),
        ),
    ];
    lines.extend(m.error_message.as_deref().map(|e| error_line(theme, e)));
    push_json_block(&mut lines, theme, "input", &m.input);
    if let Some(out) = &m.output {
        push_json_block(&mut lines, theme, "output", out);
    }
    lines
}

/// The detail pane of the selected waterfall row: its title and lines.
pub fn detail_lines(
    theme: &Theme,
    trace: &TraceState,
    detail: &TraceDetail,
    items: &[Item<'_>],
) -> (String, Vec<Line<'static>>) {
    let item = items.get(trace.selected);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let title = match item.and_then(|i| i.event) {
        None => {
            if let Some(t) = item.and_then(|i| i.task).or(detail.task.as_ref()) {
                lines.push(kv(theme, "task", t.task_id.as_str()));
                lines.push(kv(theme, "agent", t.agent_name.clone().unwrap_or_default()));
                lines.push(kv(theme, "status", t.status.clone()));
                lines.push(kv(
                    theme,
                    "time",
                    t.execution_time_ms
                        .map(|l| fmt_ms(l.into()))
                        .unwrap_or("–".into()),
                ));
                lines.extend(t.error_message.as_deref().map(|e| error_line(theme, e)));
            }
            "Task".to_string()
        }
        Some(TraceEvent::AiRequest(r)) => {
            let audit = match &trace.audit {
                Loadable::Ready(a) => a.requests.iter().find(|x| x.request.id == r.id),
                _ => None,
            };
            lines.extend(request_lines(theme, r, audit));
            if audit.is_none() && matches!(trace.audit, Loadable::Failed(_) | Loadable::Ready(_)) {
                lines.pop();
                lines.push(Line::from(Span::styled(
                    "conversation not available",
                    theme.muted,
                )));
            }
            "AI request".to_string()
        }
        Some(TraceEvent::McpExecution(m)) => {
            lines.extend(mcp_lines(theme, m));
            "MCP execution".to_string()
        }
        Some(TraceEvent::Step(s)) => {
            lines.push(kv(theme, "step", s.step_id.as_str()));
            lines.push(kv(theme, "type", s.step_type.clone()));
            lines.push(kv(theme, "title", s.title.clone().unwrap_or_default()));
            lines.push(kv(theme, "status", s.status.clone()));
            lines.push(kv(
                theme,
                "duration",
                s.duration_ms
                    .map(|l| fmt_ms(l.into()))
                    .unwrap_or("–".into()),
            ));
            lines.extend(s.error_message.as_deref().map(|e| error_line(theme, e)));
            if let Some(c) = &s.content {
                push_json_block(&mut lines, theme, "content", c);
            }
            "Step".to_string()
        }
        Some(TraceEvent::Log(l)) => {
            lines.push(kv(theme, "log", l.id.as_str()));
            lines.push(kv(theme, "time", l.timestamp.to_rfc3339()));
            lines.push(kv(theme, "level", l.level.clone()));
            lines.push(kv(theme, "module", l.module.clone()));
            push_block(
                &mut lines,
                theme,
                "message",
                &clean_text(&l.message, true),
                theme.base,
            );
            if let Some(m) = &l.metadata {
                push_json_block(&mut lines, theme, "metadata", m);
            }
            "Log".to_string()
        }
    };
    (title, lines)
}

pub(super) fn draw_detail(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    trace: &TraceState,
    detail: &TraceDetail,
    items: &[Item<'_>],
) {
    let theme = &app.theme;
    let focused = trace.focus == TracePane::Detail;
    // the detail (pretty-printed payloads) is built once per selection,
    // answer and look, not on every frame
    let key = trace.detail_key(&theme.name);
    let cached = trace
        .detail_memo
        .borrow()
        .as_ref()
        .filter(|(k, ..)| *k == key)
        .cloned();
    let (title, lines) = match cached {
        Some((_, title, lines)) => (title, lines),
        None => {
            let (title, lines) = detail_lines(theme, trace, detail, items);
            let lines: Vec<Line<'static>> = lines
                .into_iter()
                .map(|l| highlight(l, &trace.search, found_style(theme)))
                .collect();
            *trace.detail_memo.borrow_mut() = Some((key, title.clone(), lines.clone()));
            (title, lines)
        }
    };
    let block = panel(
        theme,
        format!(
            "{title} · line {}{}",
            trace.detail_scroll + 1,
            search_note(trace)
        ),
        focused,
    );
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((trace.detail_scroll, 0)),
        area,
    );
}
