//! Drawing: `draw(&App, &mut Frame)` draws the tab bar, the current
//! screen (each screen's `view.rs`), the footer and any overlay, where
//! `layout.rs` puts them. Views only read the app and never do I/O. Also
//! the drawing helpers every screen shares (panels, placeholders, number
//! and time formats).

pub mod help;
pub mod palette;

use super::app::{App, ViewId};
use super::feed::RowSeverity;
pub(crate) use super::layout::{MIN_HEIGHT, MIN_WIDTH, ScreenLayout, tab_label};
use super::theme::Theme;
use crate::model::*;
pub(crate) use ratatui::Frame;
pub(crate) use ratatui::layout::{Alignment, Constraint, Layout, Rect};
pub(crate) use ratatui::style::{Modifier, Style};
pub(crate) use ratatui::text::{Line, Span};
pub(crate) use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

/// Draw the whole console.
pub fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let theme = &app.theme;
    // the layout computed for this size (the app keeps it for the mouse)
    let layout = if app.layout.area == area {
        app.layout
    } else {
        ScreenLayout::new(area)
    };
    frame.render_widget(Block::default().style(theme.base), area);
    if layout.too_small {
        let text = vec![
            Line::from(Span::styled("terminal too small", theme.error)),
            Line::from(format!(
                "need {MIN_WIDTH}×{MIN_HEIGHT}, have {}×{}",
                area.width, area.height
            )),
            Line::from("enlarge the window or press q to quit"),
        ];
        let y = area.height.saturating_sub(3) / 2;
        let rect = Rect::new(area.x, area.y + y, area.width, area.height.min(3));
        frame.render_widget(
            Paragraph::new(text)
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: true }),
            rect,
        );
        return;
    }
    draw_tabs(app, frame, layout.tabs);
    use super::screens::*;
    match app.view {
        ViewId::Live => live::view::draw(app, frame, &layout),
        ViewId::Trace => trace::view::draw(app, frame, &layout),
        ViewId::Costs => costs::view::draw(app, frame, layout.body),
        ViewId::Leaderboards => leaders::view::draw(app, frame, layout.body),
        ViewId::Audit => audit::view::draw(app, frame, layout.body),
        ViewId::Logs => logs::view::draw(app, frame, layout.body),
    }
    draw_footer(app, frame, layout.footer);
    if let Some(overlay) = &app.overlay {
        match overlay {
            super::app::Overlay::Help {
                scroll,
                filter,
                typing,
            } => help::draw(app, frame, area, *scroll, filter, *typing),
            super::app::Overlay::Palette(editor) => palette::draw_palette(app, frame, area, editor),
            super::app::Overlay::Filter(editor) => palette::draw_filter(app, frame, area, editor),
            super::app::Overlay::Search(editor) => palette::draw_search(app, frame, area, editor),
            super::app::Overlay::Picker(picker) => palette::draw_picker(app, frame, area, picker),
            super::app::Overlay::Traces(list) => palette::draw_traces(app, frame, area, list),
            super::app::Overlay::Note { target, editor } => {
                palette::draw_note(app, frame, area, target, editor)
            }
        }
    }
}

fn draw_tabs(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let mut spans = Vec::new();
    for view in ViewId::ALL {
        let label = tab_label(view);
        let style = if view == app.view {
            theme.selected.add_modifier(Modifier::BOLD)
        } else if view == ViewId::Trace && app.trace.is_none() {
            theme.muted
        } else {
            theme.base
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    // the brand, and a fixed window before it (so nobody takes it for now);
    // when both do not fit, the window wins
    let plain = format!("tracetop · {} ", app.source_label);
    let candidates: Vec<(String, Style)> = match (&app.replay, &app.fixed_window) {
        (Some(replay), _) => {
            let banner = replay.banner();
            vec![
                (format!("{banner} · {plain}"), theme.warn),
                (format!("{banner} "), theme.warn),
            ]
        }
        (None, Some(w)) => {
            let window = format!("WINDOW {}", super::app::window_label(w));
            vec![
                (format!("{window} · {plain}"), theme.warn),
                (format!("{window} "), theme.warn),
            ]
        }
        (None, None) => vec![(plain, theme.title)],
    };
    if let Some((right, style)) = candidates
        .into_iter()
        .find(|(text, _)| used + text.chars().count() < area.width as usize)
    {
        let pad = area.width as usize - used - right.chars().count();
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(right, style.add_modifier(Modifier::BOLD)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_footer(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let k = |a| app.keymap.hint(a);
    use super::keymap::Action as A;
    let left = match &app.status {
        Some((text, _)) => Span::styled(format!(" {}", crate::sanitize::clean(text)), theme.accent),
        None => {
            let hints = match app.view {
                ViewId::Live if app.replay.is_some() => format!(
                    " {} pause · {}/{} 10s · {}/{} error · {}/{} speed · {} live",
                    k(A::ReplayPause),
                    k(A::ReplayBack),
                    k(A::ReplayForward),
                    k(A::ReplayPrevMark),
                    k(A::ReplayNextMark),
                    k(A::ReplaySlower),
                    k(A::ReplayFaster),
                    k(A::ReplayLive)
                ),
                ViewId::Live => format!(
                    " {} follow/pause · {} filter · {} trace · {} copy",
                    k(A::ToggleFollow),
                    k(A::Filter),
                    k(A::Drill),
                    k(A::CopyId)
                ),
                ViewId::Trace => format!(
                    " {} back · {} pane · j/k move/scroll · {} copy",
                    k(A::Back),
                    k(A::NextPane),
                    k(A::CopyId)
                ),
                ViewId::Costs => {
                    format!(" {} window · {} refresh", k(A::CycleWindow), k(A::Refresh))
                }
                ViewId::Leaderboards => format!(
                    " {} sort tools · {} window",
                    k(A::CycleSort),
                    k(A::CycleWindow)
                ),
                ViewId::Audit => {
                    let target = match &app.audit.subject {
                        Some(s) => format!("{} {}", s.kind.as_str(), crate::sanitize::clean(&s.id)),
                        None => "nothing selected".to_string(),
                    };
                    format!(
                        " mark {target}: {} ok · {} flag · {} escalate · {} note · {}/{} unreviewed · {} queue · {} id",
                        k(A::MarkOk),
                        k(A::MarkFlag),
                        k(A::MarkEscalate),
                        k(A::Note),
                        k(A::NextUnreviewed),
                        k(A::PrevUnreviewed),
                        k(A::CycleQueue),
                        k(A::Filter)
                    )
                }
                ViewId::Logs => format!(
                    " {} search · {} level · {} module",
                    k(A::Filter),
                    k(A::CycleLevel),
                    k(A::CycleModule)
                ),
            };
            Span::styled(hints, theme.muted)
        }
    };
    let right = format!(
        "{} help · {} cmd · {} quit ",
        k(A::Help),
        k(A::Palette),
        k(A::Quit)
    );
    let right_w = right.chars().count();
    let left_text = crate::sanitize::truncate_width(
        &left.content,
        (area.width as usize).saturating_sub(right_w + 1),
    );
    let pad =
        (area.width as usize).saturating_sub(crate::sanitize::display_width(&left_text) + right_w);
    let line = Line::from(vec![
        Span::styled(left_text, left.style),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, theme.muted),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

// ---------------------------------------------------------------- helpers

/// A bordered block with a title; focused blocks get a thick border.
pub fn panel<'a>(theme: &Theme, title: impl Into<String>, focused: bool) -> Block<'a> {
    let title: String = title.into();
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(if focused { theme.accent } else { theme.border })
        .title(Span::styled(format!(" {title} "), theme.title))
}

/// `1,234,567`.
pub fn fmt_count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `12.3k`, `4.5M` for tight cells.
pub fn fmt_compact(n: i64) -> String {
    let a = n.unsigned_abs() as f64;
    let sign = if n < 0 { "-" } else { "" };
    if a >= 1e9 {
        format!("{sign}{:.1}G", a / 1e9)
    } else if a >= 1e6 {
        format!("{sign}{:.1}M", a / 1e6)
    } else if a >= 1e4 {
        format!("{sign}{:.1}k", a / 1e3)
    } else {
        format!("{n}")
    }
}

/// `340ms`, `1.2s`, `2m05s`.
/// "↑12%" / "↓3%" / "=" / "–" (nothing before to compare with): a figure
/// against the same figure of the window before.
pub fn fmt_change(current: i64, previous: i64) -> String {
    match crate::query::change_percent(current, previous) {
        Some(p) if p > 0.0 => format!("↑{p:.0}%"),
        Some(p) if p < 0.0 => format!("↓{:.0}%", -p),
        Some(_) => "=".to_string(),
        None => "–".to_string(),
    }
}

pub fn fmt_ms(ms: i64) -> String {
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else {
        format!("{}m{:02}s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

/// `HH:MM:SS` in UTC.
pub fn fmt_time(t: Option<Timestamp>) -> String {
    t.map(|t| t.format("%H:%M:%S").to_string())
        .unwrap_or_else(|| "--:--:--".to_string())
}

/// `MM-DD HH:MM` in UTC.
pub fn fmt_datetime(t: Timestamp) -> String {
    t.format("%m-%d %H:%M").to_string()
}

/// `12.3%`.
pub fn fmt_pct(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

/// The marker shown before a row: state never by colour alone.
pub fn severity_marker(severity: RowSeverity) -> &'static str {
    match severity {
        RowSeverity::Normal => " ",
        RowSeverity::Pending => "…",
        RowSeverity::Warning => "!",
        RowSeverity::Error => "✗",
        RowSeverity::Anomaly => "⚠",
    }
}

/// The style of a row of this severity.
pub fn severity_style(theme: &Theme, severity: RowSeverity) -> Style {
    match severity {
        RowSeverity::Normal => theme.base,
        RowSeverity::Pending => theme.pending,
        RowSeverity::Warning => theme.warn,
        RowSeverity::Error => theme.error,
        RowSeverity::Anomaly => theme.anomaly,
    }
}

/// Centered rect of the given percentage / minimum size inside `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Clear `area` and draw a framed popup; returns the inner area.
pub fn popup(frame: &mut Frame, theme: &Theme, area: Rect, title: &str) -> Rect {
    frame.render_widget(Clear, area);
    let block = panel(theme, title, true).style(theme.base);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// A loading / failed / empty placeholder inside `area`.
pub fn placeholder(frame: &mut Frame, theme: &Theme, area: Rect, text: &str, failed: bool) {
    let style = if failed { theme.error } else { theme.muted };
    let prefix = if failed { "✗ " } else { "" };
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!("{prefix}{}", crate::sanitize::clean(text)),
            style,
        ))
        .wrap(Wrap { trim: true }),
        area,
    );
}

/// Pretty-print JSON text when it parses (and is not huge), else return it
/// cleaned. Output is sanitized and newline-preserving.
pub fn pretty_json(text: &str, max_bytes: usize) -> String {
    if text.len() > max_bytes {
        let mut cut = max_bytes;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        return format!(
            "{}\n… ({} bytes in all, first {} shown)",
            crate::sanitize::clean_text(&text[..cut], true),
            fmt_count(text.len() as i64),
            fmt_count(cut as i64)
        );
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => crate::sanitize::clean_text(
            &serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_string()),
            true,
        ),
        Err(_) => crate::sanitize::clean_text(text, true),
    }
}

/// How a search match stands out: reversed and bold (no colour needed).
pub fn found_style(theme: &Theme) -> Style {
    theme
        .accent
        .add_modifier(Modifier::REVERSED | Modifier::BOLD)
}

/// `line` with every case-insensitive occurrence of `needle` in `style`
/// (the rest of each span keeps its own style).
pub fn highlight(line: Line<'static>, needle: &str, style: Style) -> Line<'static> {
    if needle.is_empty() {
        return line;
    }
    let needle = needle.to_lowercase();
    let mut spans = Vec::with_capacity(line.spans.len());
    for span in line.spans {
        let text = span.content.to_string();
        let lower = text.to_lowercase();
        // byte offsets line up only when lower-casing kept the lengths
        if lower.len() != text.len() || !lower.contains(&needle) {
            spans.push(span);
            continue;
        }
        let mut at = 0;
        for (start, _) in lower.match_indices(&needle) {
            if start > at {
                spans.push(Span::styled(text[at..start].to_string(), span.style));
            }
            let end = start + needle.len();
            spans.push(Span::styled(
                text[start..end].to_string(),
                span.style.patch(style),
            ));
            at = end;
        }
        if at < text.len() {
            spans.push(Span::styled(text[at..].to_string(), span.style));
        }
    }
    Line {
        spans,
        style: line.style,
        alignment: line.alignment,
    }
}

/// `text` cut to `width` columns from the left, keeping its end (a module
/// path keeps its last segments: `…::services::client`).
pub fn truncate_left(text: &str, width: usize) -> String {
    if crate::sanitize::display_width(text) <= width {
        return text.to_string();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 1; // the ellipsis
    for c in text.chars().rev() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        kept.push(c);
    }
    let tail: String = kept.into_iter().rev().collect();
    // start at a path separator when there is one: `…::client`, not `…nt`
    let tail = match tail.find("::") {
        Some(at) if at > 0 => &tail[at..],
        _ => tail.as_str(),
    };
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_are_cut_from_the_left() {
        assert_eq!(
            truncate_left("systemprompt::services::client", 20),
            "…::services::client"
        );
        assert_eq!(truncate_left("short", 20), "short");
    }

    #[test]
    fn matches_are_highlighted_in_their_span() {
        let line = highlight(
            Line::from("Timeout talking to DB: timeout"),
            "timeout",
            Style::default().add_modifier(Modifier::BOLD),
        );
        let bold: Vec<String> = line
            .spans
            .iter()
            .filter(|s| s.style.add_modifier.contains(Modifier::BOLD))
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(bold, ["Timeout", "timeout"]);
        assert_eq!(line.to_string(), "Timeout talking to DB: timeout");
    }
}
