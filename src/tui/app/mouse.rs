//! The mouse: wheel scrolls the current list, a click on the tab bar
//! switches view, a click on a feed row selects it.

use super::*;

impl App {
    // --------------------------------------------------------------- mouse

    pub(super) fn on_mouse(&mut self, mouse: MouseEvent) {
        if self.overlay.is_some() {
            return;
        }
        let action = match mouse.kind {
            MouseEventKind::ScrollDown => Some(Action::Down),
            MouseEventKind::ScrollUp => Some(Action::Up),
            MouseEventKind::Down(crossterm::event::MouseButton::Left) => {
                self.click(mouse.column, mouse.row);
                None
            }
            _ => None,
        };
        if let Some(action) = action {
            self.dirty = true;
            for _ in 0..3 {
                self.apply_in_view(action);
            }
        }
    }

    pub(super) fn click(&mut self, column: u16, row: u16) {
        // a click on the tab bar switches view
        if row == self.layout.tabs.y {
            if let Some(view) = self.layout.tab_at(column) {
                self.dirty = true;
                if view == ViewId::Trace && self.trace.is_none() {
                    return;
                }
                self.switch_view(view);
            }
            return;
        }
        if self.view == ViewId::Live
            && let Some(on_screen) = self.layout.feed_row_at(column, row)
        {
            let (_, offset) = self.live_selection();
            let index = offset + on_screen;
            if index < self.live.feed.visible_len() {
                self.dirty = true;
                let page = self.feed_page();
                self.live.select_index(index, page);
            }
        }
    }
}
