//! Where everything sits on screen, computed once per terminal size and
//! read by both the views (to draw) and the app (mouse hit-testing, page
//! sizes), so a click lands on the row that is drawn there.

use super::app::ViewId;
use ratatui::layout::{Constraint, Layout, Rect};

/// Smallest terminal the console draws into.
pub const MIN_WIDTH: u16 = 80;
/// Smallest terminal height.
pub const MIN_HEIGHT: u16 = 24;

/// The areas of one terminal size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenLayout {
    pub area: Rect,
    /// Below [`MIN_WIDTH`]×[`MIN_HEIGHT`]: only a notice is drawn.
    pub too_small: bool,
    pub tabs: Rect,
    /// Between the tab bar and the footer.
    pub body: Rect,
    pub footer: Rect,
    /// Live view: the stats ribbon, the feed's bordered block and the rows
    /// inside it (below the header row).
    pub ribbon: Rect,
    pub feed_block: Rect,
    pub feed_rows: Rect,
    /// Trace view: header, waterfall and detail panes.
    pub trace_header: Rect,
    pub waterfall: Rect,
    pub trace_detail: Rect,
}

/// Ribbon height for a terminal width.
pub fn ribbon_height(width: u16) -> u16 {
    if width >= 150 { 2 } else { 4 }
}

/// `area` cut into its top `top` rows and the rest.
pub fn split_top(area: Rect, top: u16) -> (Rect, Rect) {
    let [a, b] = Layout::vertical([Constraint::Length(top), Constraint::Min(0)]).areas(area);
    (a, b)
}

impl ScreenLayout {
    /// The layout of a whole-terminal `area`.
    pub fn new(area: Rect) -> Self {
        let body = Rect {
            x: area.x,
            y: area.y.saturating_add(1),
            width: area.width,
            height: area.height.saturating_sub(2),
        };
        let (ribbon, feed_block) = split_top(body, ribbon_height(area.width));
        let feed_rows = Rect {
            x: feed_block.x + 1,
            y: feed_block.y + 2,
            width: feed_block.width.saturating_sub(2),
            height: feed_block.height.saturating_sub(3),
        };
        let (trace_header, rest) = split_top(body, 4);
        let [waterfall, trace_detail] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(rest);
        ScreenLayout {
            area,
            too_small: area.width < MIN_WIDTH || area.height < MIN_HEIGHT,
            tabs: Rect::new(area.x, area.y, area.width, 1.min(area.height)),
            body,
            footer: Rect::new(
                area.x,
                area.y + area.height.saturating_sub(1),
                area.width,
                1.min(area.height),
            ),
            ribbon,
            feed_block,
            feed_rows,
            trace_header,
            waterfall,
            trace_detail,
        }
    }

    /// The layout of a `width`×`height` terminal.
    pub fn sized(width: u16, height: u16) -> Self {
        Self::new(Rect::new(0, 0, width, height))
    }

    /// Feed rows visible at once.
    pub fn feed_page(&self) -> usize {
        self.feed_rows.height as usize
    }

    /// Waterfall rows visible at once (inside its border).
    pub fn waterfall_rows(&self) -> usize {
        self.waterfall.height.saturating_sub(2) as usize
    }

    /// Which tab sits at `column` of the tab bar.
    pub fn tab_at(&self, column: u16) -> Option<ViewId> {
        let mut x = self.tabs.x;
        for view in ViewId::ALL {
            let w = tab_label(view).chars().count() as u16;
            if column >= x && column < x + w {
                return Some(view);
            }
            x += w + 1;
        }
        None
    }

    /// The feed row index (from the top of the viewport) at a screen cell.
    pub fn feed_row_at(&self, column: u16, row: u16) -> Option<usize> {
        let rows = self.feed_rows;
        (row >= rows.y && row < rows.y + rows.height && column >= rows.x)
            .then(|| (row - rows.y) as usize)
    }
}

/// A tab's label: its digit and title.
pub fn tab_label(view: ViewId) -> String {
    let n = ViewId::ALL.iter().position(|v| *v == view).unwrap_or(0) + 1;
    format!(" {n} {} ", view.title())
}
