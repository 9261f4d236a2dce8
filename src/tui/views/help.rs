//! The `?` help overlay: every action with the keys bound to it (after
//! config remapping), grouped by section.

use super::*;
use crate::tui::app::App;
use crate::tui::keymap::{Action, SECTIONS};

/// Every help line (section headers and bindings).
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut lines = Vec::new();
    for section in SECTIONS {
        lines.push(Line::from(Span::styled(section.to_string(), theme.header)));
        for &action in Action::ALL.iter().filter(|a| a.section() == *section) {
            let keys = app
                .keymap
                .keys_for(action)
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(" ");
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<16}"), theme.accent),
                Span::raw(action.describe()),
            ]));
        }
        lines.push(Line::from(""));
    }
    lines.push(Line::from(Span::styled(
        "Text boxes: type to edit · Enter applies · Esc closes · Ctrl-S saves a note",
        theme.muted,
    )));
    lines
}

/// Draw the help overlay.
pub fn draw(app: &App, frame: &mut Frame, area: Rect, scroll: u16) {
    let rect = centered(area, 92, area.height.saturating_sub(2));
    let inner = popup(
        frame,
        &app.theme,
        rect,
        "Help · j/k scroll · any other key closes",
    );
    frame.render_widget(Paragraph::new(help_lines(app)).scroll((scroll, 0)), inner);
}
