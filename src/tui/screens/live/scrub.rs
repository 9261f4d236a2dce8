//! The replay's scrub bar, drawn in the live view's ribbon in place of the
//! source line while a replay runs: state, window and speed, a bar with
//! the clock's position in the window, the clock itself, what has been
//! read, and whether the oldest events were evicted.

use crate::tui::app::App;
use crate::tui::replay::ReplayState;
use crate::tui::views::*;

/// Cells of the bar itself.
const BAR: usize = 24;

/// The bar as text: `━━━━●────`, the read part thick.
pub fn bar(replay: &ReplayState, width: usize) -> String {
    let width = width.max(2);
    let at = ((replay.fraction() * (width - 1) as f64).round() as usize).min(width - 1);
    let span = replay.window.span().num_milliseconds().max(1) as f64;
    let read = if replay.done {
        width
    } else {
        replay.loaded_until.map_or(0, |t| {
            let f = (t - replay.window.start).num_milliseconds() as f64 / span;
            ((f.clamp(0.0, 1.0)) * width as f64).round() as usize
        })
    };
    (0..width)
        .map(|i| {
            if i == at {
                '●'
            } else if i < read {
                '━'
            } else {
                '─'
            }
        })
        .collect()
}

/// The scrub bar's spans.
pub fn spans(app: &App, replay: &ReplayState) -> Vec<Span<'static>> {
    let theme = &app.theme;
    let state = if replay.at_end() {
        "■ END"
    } else if replay.paused {
        "⏸ PAUSED"
    } else {
        "▶"
    };
    let mut spans = vec![
        Span::styled(
            format!("{state} {} ", replay.banner()),
            theme.warn.add_modifier(Modifier::BOLD),
        ),
        Span::styled(bar(replay, BAR), theme.accent),
        Span::styled(
            format!(" {} ", replay.position.format("%H:%M:%S")),
            theme.base.add_modifier(Modifier::BOLD),
        ),
    ];
    let read = if replay.done {
        format!("· {} events", fmt_count(replay.loaded as i64))
    } else {
        format!("· reading… {} events", fmt_count(replay.loaded as i64))
    };
    spans.push(Span::styled(read, theme.muted));
    if !replay.marks.is_empty() {
        spans.push(Span::styled(
            format!(
                " · ✗ {} errors/anomalies",
                fmt_count(replay.marks.len() as i64)
            ),
            theme.error,
        ));
    }
    if replay.evicted > 0 {
        spans.push(Span::styled(
            format!(
                " · {} oldest evicted (window over the live engine's limit)",
                fmt_count(replay.evicted as i64)
            ),
            theme.warn,
        ));
    }
    if let Some(reason) = &replay.failed {
        spans.push(Span::styled(
            format!(
                " · ✗ read stopped: {}",
                crate::sanitize::truncate_width(&crate::sanitize::clean(reason), 50)
            ),
            theme.error,
        ));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::TimeWindow;
    use chrono::TimeZone;

    #[test]
    fn the_bar_shows_the_clock_and_what_is_read() {
        let start = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap();
        let window = TimeWindow {
            start,
            end: start + chrono::Duration::hours(1),
        };
        let mut r = ReplayState::new(1, window, 10.0);
        r.loaded_until = Some(start + chrono::Duration::minutes(30));
        r.position = start + chrono::Duration::minutes(15);
        assert_eq!(bar(&r, 9), "━━●━━────");
    }
}
