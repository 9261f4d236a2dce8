//! The trace view: a header with the trace's summaries, a waterfall of its
//! tasks (a delegation chain: the parent, then each sub-agent's task nested
//! under it with its own rows), steps, AI requests and MCP calls (bars
//! scaled to duration, logs as ticks) and the selected item's detail
//! (drawn by `detail.rs`).

use super::detail::draw_detail;
pub use super::detail::{detail_lines, error_line, mcp_lines, request_lines};
use super::state::{TracePane, TraceState};
use crate::model::*;
use crate::query::{ChainRow, TraceDetail, TraceEvent};
use crate::sanitize::{clean, truncate_width};
use crate::tui::app::App;
use crate::tui::msg::Loadable;
use crate::tui::theme::Theme;
use crate::tui::views::*;

/// Most bytes of a payload pretty-printed in the detail pane.
pub(super) const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
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
pub(super) fn search_note(trace: &TraceState) -> String {
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
