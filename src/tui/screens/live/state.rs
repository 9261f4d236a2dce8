//! The live screen's state: the event feed, follow / pause, and the
//! selected row, held by its sequence number so rows arriving above it
//! never move the cursor to another event.

use crate::tui::feed::{Feed, FeedFilter, FeedRow};
use crate::tui::keymap::Action;
use crate::tui::screens::{Cx, Nav};

/// The live view: feed plus follow/selection.
#[derive(Debug, Clone)]
pub struct LiveState {
    pub feed: Feed,
    /// Newest row selected and kept on top as rows arrive.
    pub follow: bool,
    /// Selected row when not following.
    pub anchor_seq: Option<u64>,
    /// Row of the selection within the viewport.
    pub screen_row: usize,
    /// Rows pushed when the feed was paused (for "+N new").
    paused_at: u64,
    /// While following: the newest row when the screen was last drawn, so
    /// Enter opens the row the user saw, not one that arrived since.
    drawn_top: Option<u64>,
}

/// Where the feed was when a trace was opened from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedPosition {
    pub anchor_seq: Option<u64>,
    pub screen_row: usize,
}

impl LiveState {
    /// A following feed of `capacity` rows.
    pub fn new(capacity: usize) -> Self {
        LiveState {
            feed: Feed::new(capacity),
            follow: true,
            anchor_seq: None,
            screen_row: 0,
            paused_at: 0,
            drawn_top: None,
        }
    }

    /// Display index of the selected feed row, and the viewport offset,
    /// for a viewport of `page` rows.
    pub fn selection(&self, page: usize) -> (usize, usize) {
        let page = page.max(1);
        if self.follow {
            return (0, 0);
        }
        let index = self
            .anchor_seq
            .and_then(|s| self.feed.display_index_of(s))
            .unwrap_or(0);
        let screen = self.screen_row.min(page - 1).min(index);
        (index, index - screen)
    }

    /// The selected feed row.
    pub fn selected_row(&self, page: usize) -> Option<&FeedRow> {
        let (index, _) = self.selection(page);
        self.feed.display(index)
    }

    /// Rows that arrived since the feed was paused (0 while following).
    pub fn new_since_pause(&self) -> u64 {
        if self.follow {
            0
        } else {
            self.feed.pushed().saturating_sub(self.paused_at)
        }
    }

    /// The screen was drawn: remember which row was on top while following.
    pub fn drawn(&mut self) {
        self.drawn_top = self
            .follow
            .then(|| self.feed.display(0).map(|r| r.seq))
            .flatten();
    }

    fn pause(&mut self) {
        if self.follow {
            self.follow = false;
            self.paused_at = self.feed.pushed();
        }
    }

    /// Select display row `index` (clamped), pausing the feed.
    pub fn select_index(&mut self, index: usize, page: usize) {
        let len = self.feed.visible_len();
        if len == 0 {
            return;
        }
        let page = page.max(1);
        let (_, offset) = self.selection(page);
        let index = index.min(len - 1);
        self.pause();
        self.anchor_seq = self.feed.display(index).map(|r| r.seq);
        // keep the viewport still while the selection is inside it
        self.screen_row = if index < offset {
            0
        } else if index >= offset + page {
            page - 1
        } else {
            index - offset
        };
    }

    /// Change the filter; the selection stays on the same event when it
    /// still matches.
    pub fn set_filter(&mut self, filter: FeedFilter) {
        self.feed.set_filter(filter);
        if !self.follow
            && let Some(seq) = self.anchor_seq
            && let Some(i) = self.feed.display_index_of(seq)
        {
            self.anchor_seq = self.feed.display(i).map(|r| r.seq);
        }
    }

    /// Where the feed is now (to come back to after a drill-down).
    pub fn position(&self) -> FeedPosition {
        FeedPosition {
            anchor_seq: if self.follow { None } else { self.anchor_seq },
            screen_row: self.screen_row,
        }
    }

    /// Go back to a position saved by [`LiveState::position`].
    pub fn restore(&mut self, position: FeedPosition) {
        match position.anchor_seq {
            Some(seq) => {
                self.pause();
                self.anchor_seq = Some(seq);
                self.screen_row = position.screen_row;
            }
            None => self.follow = true,
        }
    }

    /// An action in the live view.
    pub fn on_action(&mut self, action: Action, cx: &mut Cx) -> bool {
        let page = cx.layout.feed_page().max(1);
        let (index, _) = self.selection(page);
        let was_following = self.follow;
        match action {
            Action::ToggleFollow => {
                if self.follow {
                    self.pause();
                    self.anchor_seq = self.feed.display(0).map(|r| r.seq);
                    self.screen_row = 0;
                    cx.say("paused: the feed keeps filling; Space resumes");
                } else {
                    self.follow = true;
                    self.anchor_seq = None;
                    cx.say("following");
                }
            }
            Action::Down => self.select_index(index + 1, page),
            Action::Up => {
                if index == 0 && !self.follow {
                    self.select_index(0, page)
                } else {
                    self.select_index(index.saturating_sub(1), page)
                }
            }
            Action::PageDown => self.select_index(index + page, page),
            Action::PageUp => self.select_index(index.saturating_sub(page), page),
            // the newest row, still paused: only Space resumes following
            Action::Top => self.select_index(0, page),
            Action::Bottom => self.select_index(usize::MAX, page),
            Action::Filter => cx.go(Nav::FeedFilter),
            Action::Back if !self.feed.filter().is_empty() => {
                self.set_filter(FeedFilter::default());
                cx.say("filter cleared");
            }
            Action::Drill => match self.drill_row(page) {
                Some(row) => match row.trace_id.clone() {
                    Some(trace_id) => {
                        // freeze the row under the cursor so Esc finds it
                        let seq = row.seq;
                        let select = (!row.id.is_empty()).then(|| row.id.clone());
                        let index = self.feed.display_index_of(seq).unwrap_or(0);
                        let (_, offset) = self.selection(page);
                        self.pause();
                        self.anchor_seq = Some(seq);
                        self.screen_row = index.saturating_sub(offset).min(page - 1);
                        cx.go(Nav::OpenTrace { trace_id, select });
                    }
                    None => cx.say("this row belongs to no trace"),
                },
                None => cx.say("the feed is empty"),
            },
            _ => return false,
        }
        if was_following && !self.follow && action != Action::ToggleFollow {
            cx.say("paused: new rows queue above, Space follows again");
        }
        true
    }

    /// The row Enter opens: the selected one, or while following the one
    /// that was on top when the screen was last drawn.
    fn drill_row(&self, page: usize) -> Option<&FeedRow> {
        if self.follow
            && let Some(seq) = self.drawn_top
            && let Some(i) = self.feed.display_index_of(seq)
            && let Some(row) = self.feed.display(i).filter(|r| r.seq == seq)
        {
            return Some(row);
        }
        self.selected_row(page)
    }
}
