//! The trace view: a header with the trace's summaries, a waterfall of its
//! tasks (a delegation chain: the parent, then each sub-agent's task nested
//! under it with its own rows), steps, AI requests and MCP calls (bars
//! scaled to duration, logs as ticks) and the selected item's detail:
//! conversation, tool input and output as pretty JSON, errors.

use super::state::{TracePane, TraceState};
use crate::model::*;
use crate::query::{AuditRequest, ChainRow, TraceDetail, TraceEvent};
use crate::sanitize::{clean, clean_text, truncate_width};
use crate::tui::app::App;
use crate::tui::msg::Loadable;
use crate::tui::theme::Theme;
use crate::tui::views::*;

/// Most bytes of a payload pretty-printed in the detail pane.
const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
const LABEL_WIDTH: usize = 34;

/// " ✗N" in the error style beside a count, nothing when none failed.
fn failed_span(theme: &Theme, failed: i64) -> Span<'static> {
    let text = if failed > 0 {
        format!(" ✗{failed}")
    } else {
        String::new()
    };
    Span::styled(text, theme.error)
}

/// " · /text 2 of 5" when a search is on.
fn search_note(trace: &TraceState) -> String {
    if trace.search.is_empty() {
        String::new()
    } else {
        format!(" · /{} (n/N)", clean(&trace.search))
    }
}

/// One waterfall row, derived from the detail.
pub struct Item<'a> {
    pub label: String,
    pub start: Timestamp,
    pub duration_ms: i64,
    pub failed: bool,
    pub is_log: bool,
    /// Still running at the time of the data: drawn open-ended.
    pub running: bool,
    pub style: Style,
    pub event: Option<&'a TraceEvent>,
    /// The task a task row stands for.
    pub task: Option<&'a AgentTaskRecord>,
}

fn ms_between(a: Timestamp, b: Option<Timestamp>) -> Option<i64> {
    b.map(|b| (b - a).num_milliseconds().max(0))
}

/// Duration of something still running at `as_of`.
fn running_for(start: Timestamp, as_of: Option<Timestamp>) -> i64 {
    as_of.map_or(0, |t| (t - start).num_milliseconds().max(0))
}

/// Waterfall items in the delegation chain's order
/// ([`TraceDetail::chain_rows`]): the parent task and its rows, then each
/// sub-agent's task with its rows, indented one level deeper. Items still
/// running at `as_of` (the time of the data) get a bar up to that time and
/// are marked running.
pub fn items<'a>(
    detail: &'a TraceDetail,
    theme: &Theme,
    as_of: Option<Timestamp>,
) -> Vec<Item<'a>> {
    detail
        .chain_rows()
        .into_iter()
        .map(|row| match row {
            ChainRow::Task { task, depth } => task_item(task, depth, theme, as_of),
            ChainRow::Event { event, depth } => event_item(event, depth, theme, as_of),
        })
        .collect()
}

fn task_item<'a>(
    task: &'a AgentTaskRecord,
    depth: u8,
    theme: &Theme,
    as_of: Option<Timestamp>,
) -> Item<'a> {
    let start = task.started_at.unwrap_or(task.created_at);
    let marker = if depth == 0 { "▣" } else { "└▣" };
    Item {
        label: format!(
            "{}{marker} task {}",
            "  ".repeat(usize::from(depth.saturating_sub(1))),
            clean(task.agent_name.as_deref().unwrap_or("(no agent)"))
        ),
        start,
        duration_ms: task
            .execution_time_ms
            .map(i64::from)
            .or_else(|| ms_between(start, task.completed_at))
            .unwrap_or_else(|| running_for(start, as_of)),
        failed: task.status == task_state::FAILED,
        is_log: false,
        running: !task_state::is_final(&task.status),
        style: theme.bar_task,
        event: None,
        task: Some(task),
    }
}

fn event_item<'a>(
    event: &'a TraceEvent,
    depth: u8,
    theme: &Theme,
    as_of: Option<Timestamp>,
) -> Item<'a> {
    let indent = "  ".repeat(usize::from(depth));
    let (label, start, duration_ms, failed, is_log, running, style) = match event {
        TraceEvent::Step(s) => (
            format!("▸ {}", clean(s.title.as_deref().unwrap_or(&s.step_type))),
            s.started_at,
            s.duration_ms
                .map(i64::from)
                .or_else(|| ms_between(s.started_at, s.completed_at))
                .unwrap_or_else(|| running_for(s.started_at, as_of)),
            s.status.eq_ignore_ascii_case("failed"),
            false,
            s.completed_at.is_none()
                && s.duration_ms.is_none()
                && !s.status.eq_ignore_ascii_case("failed"),
            theme.bar_step,
        ),
        TraceEvent::AiRequest(r) => (
            format!(
                "◆ {} {}{}",
                clean(&r.provider),
                clean(&r.model_label()),
                if r.is_synthetic() { " ⚗" } else { "" }
            ),
            r.created_at,
            r.latency_ms
                .map(i64::from)
                .or_else(|| ms_between(r.created_at, r.completed_at))
                .unwrap_or_else(|| running_for(r.created_at, as_of)),
            r.status == request_status::FAILED,
            false,
            r.status == request_status::PENDING,
            theme.bar_ai,
        ),
        TraceEvent::McpExecution(m) => (
            format!("⚙ {}/{}", clean(&m.server_name), clean(&m.tool_name)),
            m.started_at,
            m.execution_time_ms
                .map(i64::from)
                .or_else(|| ms_between(m.started_at, m.completed_at))
                .unwrap_or_else(|| running_for(m.started_at, as_of)),
            m.status == mcp_status::FAILED || m.status == mcp_status::TIMEOUT,
            false,
            m.status == mcp_status::PENDING,
            theme.bar_mcp,
        ),
        TraceEvent::Log(l) => (
            format!("· {} {}", clean(&l.level), clean(&l.message)),
            l.timestamp,
            0,
            l.level.eq_ignore_ascii_case("error"),
            true,
            false,
            theme.bar_log,
        ),
    };
    Item {
        label: format!("{indent}{label}"),
        start,
        duration_ms,
        failed,
        is_log,
        running,
        style,
        event: Some(event),
        task: None,
    }
}

/// Draw the trace view.
pub fn draw(app: &App, frame: &mut Frame, layout: &ScreenLayout) {
    let body = layout.body;
    let theme = &app.theme;
    let Some(trace) = &app.trace else {
        placeholder(
            frame,
            theme,
            body,
            "no trace open: press Enter on a feed row, or :trace ID",
            false,
        );
        return;
    };
    let (header_area, waterfall_area, detail_area) =
        (layout.trace_header, layout.waterfall, layout.trace_detail);
    let detail = match &trace.detail {
        Loadable::Ready(d) => d,
        Loadable::Failed(e) => {
            let block = panel(
                theme,
                format!("Trace {}", clean(trace.trace_id.as_str())),
                true,
            );
            let inner = block.inner(body);
            frame.render_widget(block, body);
            placeholder(
                frame,
                theme,
                inner,
                &format!("cannot load trace: {e} (Esc goes back)"),
                true,
            );
            return;
        }
        _ => {
            let block = panel(
                theme,
                format!("Trace {}", clean(trace.trace_id.as_str())),
                true,
            );
            let inner = block.inner(body);
            frame.render_widget(block, body);
            placeholder(frame, theme, inner, "loading trace…", false);
            return;
        }
    };
    draw_header(app, frame, header_area, trace, detail);
    let items = items(detail, theme, trace.as_of);
    draw_waterfall(app, frame, waterfall_area, trace, &items);
    draw_detail(app, frame, detail_area, trace, detail, &items);
}

fn draw_header(app: &App, frame: &mut Frame, area: Rect, trace: &TraceState, d: &TraceDetail) {
    let theme = &app.theme;
    // as the platform counts it: failed when any request or tool call
    // failed, whatever the task reports
    let status = if d.ai_summary.failed_count > 0 || d.mcp_summary.failed_count > 0 {
        "failed".to_string()
    } else {
        d.task
            .as_ref()
            .map(|t| crate::query::normalise_status(&t.status))
            .unwrap_or_else(|| "completed".into())
    };
    let tasks = d.all_tasks();
    let failed = status == "failed";
    let bold = theme.base.add_modifier(Modifier::BOLD);
    let task_status = d
        .task
        .as_ref()
        .map(|t| crate::query::normalise_status(&t.status))
        .filter(|t| *t != status)
        .map(|t| format!(" (task {})", clean(&t)))
        .unwrap_or_default();
    let as_of = match trace.as_of {
        Some(t) if trace.is_running() => format!("  ● running · as of {}", fmt_time(Some(t))),
        Some(t) => format!("  as of {}", fmt_time(Some(t))),
        None => String::new(),
    };
    let line1 = Line::from(vec![
        Span::styled("trace ", theme.muted),
        Span::styled(clean(trace.trace_id.as_str()), theme.title),
        Span::raw("  "),
        Span::styled(
            format!("{}{}", if failed { "✗ " } else { "✓ " }, clean(&status)),
            if failed { theme.error } else { theme.ok },
        ),
        Span::styled(task_status, theme.muted),
        Span::raw("  "),
        Span::styled("agent ", theme.muted),
        Span::styled(
            clean(
                d.task
                    .as_ref()
                    .and_then(|t| t.agent_name.as_deref())
                    .unwrap_or("–"),
            ),
            bold,
        ),
        Span::raw("  "),
        Span::styled("user ", theme.muted),
        Span::styled(
            d.task
                .as_ref()
                .and_then(|t| t.user_id.as_ref())
                .map_or("–".to_string(), |u| {
                    app.user_label(u.as_str()).into_owned()
                }),
            bold,
        ),
        Span::styled(
            as_of,
            if trace.is_running() {
                theme.pending
            } else {
                theme.muted
            },
        ),
    ]);
    let a = &d.ai_summary;
    let m = &d.mcp_summary;
    let s = &d.step_summary;
    let line2 = Line::from(vec![
        Span::styled("cost ", theme.muted),
        Span::styled(
            a.total_cost_microdollars.to_string(),
            theme.cost.add_modifier(Modifier::BOLD),
        ),
        Span::styled("  tokens ", theme.muted),
        Span::styled(
            format!(
                "{} ({} in / {} out)",
                fmt_count(a.total_tokens),
                fmt_count(a.input_tokens),
                fmt_count(a.output_tokens)
            ),
            bold,
        ),
        Span::styled("  requests ", theme.muted),
        Span::styled(format!("{}", a.request_count), bold),
        failed_span(theme, a.failed_count),
        Span::styled("  Σ latency ", theme.muted),
        Span::styled(fmt_ms(a.total_latency_ms), bold),
    ]);
    let line3 = Line::from(vec![
        Span::styled("tool calls ", theme.muted),
        Span::styled(format!("{}", m.execution_count), bold),
        failed_span(theme, m.failed_count),
        Span::styled(
            format!(" ({})", fmt_ms(m.total_execution_time_ms)),
            theme.muted,
        ),
        Span::styled("  steps ", theme.muted),
        Span::styled(format!("{}", s.step_count), bold),
        failed_span(theme, s.failed_count),
        Span::styled("  events ", theme.muted),
        Span::styled(format!("{}", d.events.len()), bold),
        Span::styled(
            if tasks.len() > 1 {
                format!("  tasks {} (delegated)", tasks.len())
            } else {
                String::new()
            },
            theme.muted,
        ),
    ]);
    let mut lines = vec![line1, line2, line3];
    if let Some(err) = d.task.as_ref().and_then(|t| t.error_message.as_deref()) {
        lines.push(Line::from(Span::styled(
            format!("✗ {}", truncate_width(&clean(err), area.width as usize - 2)),
            theme.error,
        )));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_waterfall(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    trace: &TraceState,
    items: &[Item<'_>],
) {
    let theme = &app.theme;
    let focused = trace.focus == TracePane::Waterfall;
    let t0 = items.iter().map(|i| i.start).min();
    let t1 = items
        .iter()
        .map(|i| i.start + chrono::Duration::milliseconds(i.duration_ms))
        .max();
    let span_ms = match (t0, t1) {
        (Some(a), Some(b)) => (b - a).num_milliseconds().max(1),
        _ => 1,
    };
    let block = panel(
        theme,
        format!(
            "Waterfall · {} items · wall span {}",
            items.len(),
            fmt_ms(span_ms)
        ),
        focused,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let label_w = LABEL_WIDTH.min(width / 2);
    let dur_w = 8;
    let bar_w = width.saturating_sub(label_w + dur_w + 2).max(1);
    let page = inner.height as usize;
    let lines: Vec<Line> = items
        .iter()
        .enumerate()
        .skip(trace.offset)
        .take(page)
        .map(|(i, item)| {
            let marker = if item.failed {
                "✗"
            } else if item.running {
                "▶"
            } else {
                " "
            };
            let label = truncate_width(&format!("{marker}{}", item.label), label_w);
            let pad = label_w.saturating_sub(crate::sanitize::display_width(&label));
            let start_ms = t0
                .map(|t| (item.start - t).num_milliseconds())
                .unwrap_or(0)
                .max(0);
            let col = ((start_ms as f64 / span_ms as f64) * bar_w as f64) as usize;
            let col = col.min(bar_w - 1);
            let len = if item.is_log {
                1
            } else {
                (((item.duration_ms as f64 / span_ms as f64) * bar_w as f64).round() as usize)
                    .clamp(1, bar_w - col)
            };
            let glyph = if item.is_log {
                "┃"
            } else if item.failed {
                "▒"
            } else if item.running {
                "░"
            } else {
                "█"
            };
            let dur = if item.is_log {
                String::new()
            } else if item.running {
                format!("{}…", fmt_ms(item.duration_ms))
            } else {
                fmt_ms(item.duration_ms)
            };
            let bar_style = if item.failed { theme.error } else { item.style };
            let line = Line::from(vec![
                Span::styled(label, if item.failed { theme.error } else { theme.base }),
                Span::raw(" ".repeat(pad + 1)),
                Span::raw(" ".repeat(col)),
                Span::styled(glyph.repeat(len), bar_style),
                Span::raw(" ".repeat(bar_w - col - len + 1)),
                Span::styled(format!("{dur:>dur_w$}"), theme.muted),
            ]);
            let line = highlight(line, &trace.search, found_style(theme));
            if i == trace.selected {
                line.style(theme.selected)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// An error message as one marked line (`✗`, error style), cleaned.
pub fn error_line(theme: &Theme, message: &str) -> Line<'static> {
    Line::from(Span::styled(format!("✗ {}", clean(message)), theme.error))
}

fn kv(theme: &Theme, key: &str, value: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{key:<12}"), theme.muted),
        Span::raw(clean(&value.into())),
    ])
}

/// A titled block holding a payload as pretty JSON (cleaned, capped).
fn push_json_block(lines: &mut Vec<Line<'static>>, theme: &Theme, title: &str, payload: &str) {
    push_block(
        lines,
        theme,
        title,
        &pretty_json(payload, MAX_PAYLOAD_BYTES),
        theme.base,
    );
}

fn push_block(
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

fn draw_detail(
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
