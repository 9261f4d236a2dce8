//! A list cursor that holds its item by identity, not by row number.
//!
//! Lists in the console reload under the cursor (the audit queue every few
//! seconds, logs on a new search, leaderboards on refresh); a cursor that
//! kept its row number would silently land on another item, and a verdict
//! would go to a request the auditor never saw. [`Selection`] remembers the
//! selected item's id; after a reload it finds that id again, and when the
//! item left the list it selects nothing (and says which id left) rather
//! than a neighbour. The row number is only a hint for where to continue
//! when the user moves again.

use super::keymap::Action;

/// Rows a page key moves in a list.
pub const PAGE_ROWS: isize = 10;

/// A cursor move a list understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// By this many rows (negative: up).
    Step(isize),
    First,
    Last,
}

impl Move {
    /// The move an action means in a list, if it is one.
    pub fn from_action(action: Action) -> Option<Move> {
        Some(match action {
            Action::Down => Move::Step(1),
            Action::Up => Move::Step(-1),
            Action::PageDown => Move::Step(PAGE_ROWS),
            Action::PageUp => Move::Step(-PAGE_ROWS),
            Action::Top => Move::First,
            Action::Bottom => Move::Last,
            _ => return None,
        })
    }
}

/// What a reload did to the selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resync {
    /// The selected item is still there (perhaps on another row).
    Kept,
    /// Nothing was selected yet: the first row is now.
    SelectedFirst,
    /// The selected item is no longer in the list: nothing is selected.
    Lost(String),
    /// Nothing selected before or after.
    Nothing,
}

/// The selected item of a list, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// The selected item's id; `None` when nothing is selected.
    id: Option<String>,
    /// The row the cursor is (or was last) on.
    row: usize,
    /// Set when the selected item left the list: stay on nothing until the
    /// user moves, instead of selecting the first row.
    lost: bool,
}

impl Selection {
    /// Nothing selected; the next reload selects the first row.
    pub fn new() -> Self {
        Self::default()
    }

    /// The selected item's id.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// Row of the selected item in `ids`, if it is there.
    pub fn row_in<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Option<usize> {
        let id = self.id.as_deref()?;
        ids.into_iter().position(|candidate| candidate == id)
    }

    /// The row the cursor is on, or was last on when nothing is selected
    /// (for scrolling).
    pub fn hint_row(&self) -> usize {
        self.row
    }

    /// Select `id` (which the caller knows is on `row`).
    pub fn select(&mut self, id: impl Into<String>, row: usize) {
        self.id = Some(id.into());
        self.row = row;
        self.lost = false;
    }

    /// Select nothing; the next reload selects the first row again.
    pub fn clear(&mut self) {
        *self = Selection::new();
    }

    /// Select row `index` of `ids` (clamped to the list); nothing in an
    /// empty list.
    pub fn select_row(&mut self, ids: &[&str], index: usize) {
        match ids.get(index.min(ids.len().saturating_sub(1))) {
            Some(id) => self.select(*id, index.min(ids.len() - 1)),
            None => {
                self.id = None;
                self.row = 0;
            }
        }
    }

    /// Move by `delta` rows within `ids`. From nothing selected, the cursor
    /// starts where it last was: down selects the row now there, up the one
    /// above.
    pub fn step(&mut self, ids: &[&str], delta: isize) {
        if ids.is_empty() {
            return;
        }
        let from = match self.row_in(ids.iter().copied()) {
            Some(row) => row as isize,
            None if delta > 0 => self.row as isize - 1,
            None => self.row as isize,
        };
        let to = (from + delta).clamp(0, ids.len() as isize - 1);
        self.select_row(ids, to as usize);
    }

    /// Apply a cursor move within `ids`.
    pub fn apply(&mut self, movement: Move, ids: &[&str]) {
        match movement {
            Move::Step(delta) => self.step(ids, delta),
            Move::First => self.select_row(ids, 0),
            Move::Last => self.select_row(ids, ids.len().saturating_sub(1)),
        }
    }

    /// After the list changed: find the selected item again.
    pub fn resync(&mut self, ids: &[&str]) -> Resync {
        match self.id.clone() {
            Some(id) => match ids.iter().position(|candidate| *candidate == id) {
                Some(row) => {
                    self.row = row;
                    Resync::Kept
                }
                None => {
                    self.id = None;
                    self.lost = true;
                    Resync::Lost(id)
                }
            },
            None if !self.lost && !ids.is_empty() => {
                self.select(ids[0], 0);
                Resync::SelectedFirst
            }
            None => Resync::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reload_keeps_the_item_not_the_row() {
        let mut s = Selection::new();
        assert_eq!(s.resync(&["b", "c"]), Resync::SelectedFirst);
        s.step(&["b", "c"], 1);
        assert_eq!(s.id(), Some("c"));
        // two new rows arrive on top
        assert_eq!(s.resync(&["z", "a", "b", "c"]), Resync::Kept);
        assert_eq!(s.id(), Some("c"));
        assert_eq!(s.hint_row(), 3);
    }

    #[test]
    fn an_item_that_leaves_selects_nothing_until_the_user_moves() {
        let mut s = Selection::new();
        s.resync(&["a", "b", "c"]);
        s.step(&["a", "b", "c"], 1);
        assert_eq!(s.resync(&["a", "c"]), Resync::Lost("b".into()));
        assert_eq!(s.id(), None);
        // a further reload does not pick a neighbour
        assert_eq!(s.resync(&["a", "c", "d"]), Resync::Nothing);
        assert_eq!(s.id(), None);
        // down selects the row now where the cursor was
        s.step(&["a", "c", "d"], 1);
        assert_eq!(s.id(), Some("c"));
    }

    #[test]
    fn up_from_nothing_selects_the_row_above() {
        let mut s = Selection::new();
        s.resync(&["a", "b", "c"]);
        s.step(&["a", "b", "c"], 2);
        // c (row 2) leaves; up selects row 1, above where the cursor was
        s.resync(&["a", "b"]);
        s.step(&["a", "b"], -1);
        assert_eq!(s.id(), Some("b"));
    }

    #[test]
    fn steps_clamp_to_the_list() {
        let mut s = Selection::new();
        s.resync(&["a", "b"]);
        s.step(&["a", "b"], 10);
        assert_eq!(s.id(), Some("b"));
        s.step(&["a", "b"], -10);
        assert_eq!(s.id(), Some("a"));
        s.step(&[], 1);
        assert_eq!(s.id(), Some("a"));
    }
}
