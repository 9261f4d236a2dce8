//! The `?` help overlay: every action with the keys bound to it (after
//! config remapping), grouped by section, the current view's section
//! first; `/` in help narrows it to the bindings that match.

use super::*;
use crate::tui::app::{App, ViewId};
use crate::tui::keymap::{Action, SECTIONS};

/// The help section of the current view's own keys.
fn section_of(view: ViewId) -> &'static str {
    match view {
        ViewId::Live => "Live",
        ViewId::Trace => "Navigation",
        ViewId::Costs | ViewId::Leaderboards => "Costs & leaders",
        ViewId::Audit => "Audit",
        ViewId::Logs => "Logs",
    }
}

/// Every help line (section headers and bindings).
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    help_lines_matching(app, "")
}

/// Help lines whose keys or description contain `filter` (any case).
pub fn help_lines_matching(app: &App, filter: &str) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let needle = filter.to_lowercase();
    let first = section_of(app.view);
    // while a replay runs its scrub keys come first
    let replay = app.replay.as_ref().map(|_| "Replay");
    let sections = replay.into_iter().chain(std::iter::once(first)).chain(
        SECTIONS
            .iter()
            .copied()
            .filter(|s| *s != first && Some(*s) != replay),
    );
    let mut lines = Vec::new();
    for section in sections {
        let mut bindings = Vec::new();
        for &action in Action::ALL.iter().filter(|a| a.section() == section) {
            let keys = app
                .keymap
                .keys_for(action)
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(" ");
            let text = format!("{keys} {}", action.describe()).to_lowercase();
            if needle.is_empty() || text.contains(&needle) {
                bindings.push(Line::from(vec![
                    Span::styled(format!("  {keys:<16}"), theme.accent),
                    Span::raw(action.describe()),
                ]));
            }
        }
        if bindings.is_empty() {
            continue;
        }
        let title = if Some(section) == replay {
            format!("{section} (running: the past, not now)")
        } else if section == first {
            format!("{section} (this view)")
        } else {
            section.to_string()
        };
        lines.push(Line::from(Span::styled(title, theme.header)));
        lines.extend(bindings);
        lines.push(Line::from(""));
    }
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("no binding matches {:?}", crate::sanitize::clean(filter)),
            theme.warn,
        )));
    }
    lines.push(Line::from(Span::styled(
        "Text boxes: type to edit · ctrl-u/w/k kill · Enter applies · Esc closes · Ctrl-S saves a note",
        theme.muted,
    )));
    lines
}

/// Draw the help overlay.
pub fn draw(app: &App, frame: &mut Frame, area: Rect, scroll: u16, filter: &str, typing: bool) {
    let rect = centered(area, 92, area.height.saturating_sub(2));
    let title = if typing {
        format!(
            "Help · /{}▏ · Enter keeps · Esc clears",
            crate::sanitize::clean(filter)
        )
    } else if filter.is_empty() {
        "Help · / filters · j/k scroll · any other key closes".to_string()
    } else {
        format!(
            "Help · /{} · / edits · any other key closes",
            crate::sanitize::clean(filter)
        )
    };
    let inner = popup(frame, &app.theme, rect, &title);
    frame.render_widget(
        Paragraph::new(help_lines_matching(app, filter)).scroll((scroll, 0)),
        inner,
    );
}
