//! The trace screen's state: the open trace's detail and conversations,
//! the waterfall cursor (held by the item's id, so a refresh keeps it and
//! a drill-down can land on the item it came from), the detail pane's
//! scroll and which pane has the keys.

use crate::model::*;
use crate::query::{AuditRecord, AuditResolution, TraceDetail, TraceEvent};
use crate::tui::keymap::Action;
use crate::tui::msg::{Answer, Loadable, Query, Slot};
use crate::tui::screens::{Cx, Nav};
use crate::tui::theme::Theme;

/// Which half of the trace view has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TracePane {
    Waterfall,
    Detail,
}

/// The trace view.
#[derive(Debug, Clone)]
pub struct TraceState {
    pub trace_id: TraceId,
    pub detail: Loadable<Box<TraceDetail>>,
    /// Conversations of the trace's requests (from an audit lookup).
    pub audit: Loadable<AuditRecord>,
    /// Waterfall row under the cursor (task row first, then the events).
    pub selected: usize,
    /// Item to select once the detail arrives (the row drilled from).
    select_on_load: Option<String>,
    pub offset: usize,
    pub detail_scroll: u16,
    pub focus: TracePane,
    /// The `/` search: matches are highlighted, `n` / `N` go to them.
    pub search: String,
    /// When the detail shown was read.
    pub as_of: Option<Timestamp>,
    /// The detail pane as last drawn, with what it was drawn from (see
    /// [`TraceState::detail_key`]): pretty-printing payloads on every frame
    /// would cost more than the rest of the frame.
    pub detail_memo: std::cell::RefCell<Option<DetailMemo>>,
    detail_slot: Slot,
    audit_slot: Slot,
}

/// What the detail pane was drawn from: the selected row, the answers
/// (by generation), the search and the theme.
pub type DetailKey = (usize, u64, u64, String, String);

/// The detail pane built for a [`DetailKey`]: its title and lines.
pub type DetailMemo = (DetailKey, String, Vec<ratatui::text::Line<'static>>);

/// The id of each waterfall row, in the delegation chain's order (see
/// [`TraceDetail::chain_rows`]).
pub fn row_ids(detail: &TraceDetail) -> Vec<&str> {
    detail.chain_rows().into_iter().map(|r| r.id()).collect()
}

impl TraceState {
    /// A trace being opened: its queries are asked through `cx`. With
    /// `select`, the item of that id is selected when it arrives.
    pub fn open(trace_id: TraceId, select: Option<String>, cx: &mut Cx) -> TraceState {
        let mut state = TraceState {
            trace_id,
            detail: Loadable::Loading,
            audit: Loadable::Loading,
            selected: 0,
            select_on_load: select,
            offset: 0,
            detail_scroll: 0,
            focus: TracePane::Waterfall,
            search: String::new(),
            as_of: None,
            detail_memo: Default::default(),
            detail_slot: Slot::default(),
            audit_slot: Slot::default(),
        };
        state.refresh(cx);
        state
    }

    /// Generations of the newest detail and conversation queries.
    pub fn generations(&self) -> (u64, u64) {
        (self.detail_slot.latest(), self.audit_slot.latest())
    }

    /// Ask for the trace again (`r`): the cursor keeps its item.
    pub fn refresh(&mut self, cx: &mut Cx) {
        if self.select_on_load.is_none() {
            self.select_on_load = self.selected_item_id();
        }
        cx.query(Query::Trace {
            generation: self.detail_slot.again(),
            trace_id: self.trace_id.clone(),
        });
        cx.query(Query::TraceAudit {
            generation: self.audit_slot.again(),
            trace_id: self.trace_id.clone(),
        });
    }

    /// What the detail pane shows now (changes when any of it changes).
    pub fn detail_key(&self, theme: &str) -> DetailKey {
        (
            self.selected,
            self.detail_slot.applied(),
            self.audit_slot.applied(),
            self.search.clone(),
            theme.to_string(),
        )
    }

    /// Number of waterfall rows (task rows + events).
    pub fn row_count(&self) -> usize {
        self.detail
            .ready()
            .map(|d| d.events.len() + d.all_tasks().len())
            .unwrap_or(0)
    }

    /// The id of the item under the cursor.
    pub fn selected_item_id(&self) -> Option<String> {
        let detail = self.detail.ready()?;
        row_ids(detail).get(self.selected).map(|id| id.to_string())
    }

    /// Search for `text` as it is typed: the first match from the cursor on.
    pub fn set_search(&mut self, text: String, theme: &Theme, cx: &mut Cx) {
        self.search = text;
        if !self.search.is_empty() {
            self.search_step(0, theme, cx);
        }
    }

    /// Go to the next (`1`), previous (`-1`) or nearest (`0`) match: a
    /// waterfall row in the waterfall, a line in the detail pane.
    fn search_step(&mut self, direction: isize, theme: &Theme, cx: &mut Cx) {
        if self.search.is_empty() {
            return cx.say("no search: / searches this trace");
        }
        let Some(detail) = self.detail.ready() else {
            return;
        };
        let needle = self.search.to_lowercase();
        let items = super::view::items(detail, theme, self.as_of);
        let (texts, current): (Vec<String>, usize) = match self.focus {
            TracePane::Waterfall => (
                items.iter().map(|i| i.label.to_lowercase()).collect(),
                self.selected,
            ),
            TracePane::Detail => {
                let (_, lines) = super::view::detail_lines(theme, self, detail, &items);
                (
                    lines.iter().map(|l| l.to_string().to_lowercase()).collect(),
                    self.detail_scroll as usize,
                )
            }
        };
        let n = texts.len();
        let found = (0..n)
            .map(|k| match direction {
                0 => (current + k) % n.max(1),
                d if d > 0 => (current + 1 + k) % n.max(1),
                _ => (current + n - 1 - k % n) % n.max(1),
            })
            .find(|&i| texts[i].contains(&needle));
        match (found, self.focus) {
            (Some(i), TracePane::Waterfall) => {
                self.selected = i;
                self.detail_scroll = 0;
                self.keep_cursor_visible(cx.layout.waterfall_rows().max(1));
            }
            (Some(i), TracePane::Detail) => self.detail_scroll = i as u16,
            (None, _) => cx.say(format!(
                "{} not found in this {}",
                crate::sanitize::clean(&self.search),
                match self.focus {
                    TracePane::Waterfall => "waterfall",
                    TracePane::Detail => "detail",
                }
            )),
        }
    }

    /// An action in the trace view.
    pub fn on_action(&mut self, action: Action, theme: &Theme, cx: &mut Cx) -> bool {
        let rows = self.row_count();
        let page = cx.layout.waterfall_rows().max(1);
        let last = rows.saturating_sub(1);
        match (action, self.focus) {
            (Action::Back, _) if !self.search.is_empty() => {
                self.search.clear();
                cx.say("search cleared");
            }
            (Action::Back, _) => cx.go(Nav::Back),
            (Action::Filter, _) => cx.go(Nav::Search(self.search.clone())),
            (Action::SearchNext, _) => self.search_step(1, theme, cx),
            (Action::SearchPrev, _) => self.search_step(-1, theme, cx),
            (Action::NextPane | Action::PrevPane, _) => {
                self.focus = match self.focus {
                    TracePane::Waterfall => TracePane::Detail,
                    TracePane::Detail => TracePane::Waterfall,
                }
            }
            (Action::Drill, TracePane::Waterfall) => self.focus = TracePane::Detail,
            (Action::Down, TracePane::Waterfall) => {
                self.selected = (self.selected + 1).min(last);
                self.detail_scroll = 0;
            }
            (Action::Up, TracePane::Waterfall) => {
                self.selected = self.selected.saturating_sub(1);
                self.detail_scroll = 0;
            }
            (Action::PageDown, TracePane::Waterfall) => {
                self.selected = (self.selected + page).min(last);
                self.detail_scroll = 0;
            }
            (Action::PageUp, TracePane::Waterfall) => {
                self.selected = self.selected.saturating_sub(page);
                self.detail_scroll = 0;
            }
            (Action::Top, TracePane::Waterfall) => self.selected = 0,
            (Action::Bottom, TracePane::Waterfall) => self.selected = last,
            (Action::Down, TracePane::Detail) => {
                self.detail_scroll = self.detail_scroll.saturating_add(1)
            }
            (Action::Up, TracePane::Detail) => {
                self.detail_scroll = self.detail_scroll.saturating_sub(1)
            }
            (Action::PageDown, TracePane::Detail) => {
                self.detail_scroll = self.detail_scroll.saturating_add(page as u16)
            }
            (Action::PageUp, TracePane::Detail) => {
                self.detail_scroll = self.detail_scroll.saturating_sub(page as u16)
            }
            (Action::Top, TracePane::Detail) => self.detail_scroll = 0,
            _ => return false,
        }
        self.keep_cursor_visible(page);
        true
    }

    fn keep_cursor_visible(&mut self, page: usize) {
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + page {
            self.offset = self.selected + 1 - page;
        }
    }

    /// Whether the trace is still running: its task has not finished, or
    /// a request, tool call or step is pending. A running trace refreshes
    /// itself while it is shown.
    pub fn is_running(&self) -> bool {
        let Some(detail) = self.detail.ready() else {
            return false;
        };
        detail
            .task
            .as_ref()
            .is_some_and(|t| !task_state::is_final(&t.status))
            || detail.events.iter().any(|e| match e {
                TraceEvent::AiRequest(r) => r.status == request_status::PENDING,
                TraceEvent::McpExecution(m) => m.status == mcp_status::PENDING,
                TraceEvent::Step(s) => s.completed_at.is_none() && s.duration_ms.is_none(),
                TraceEvent::Log(_) => false,
            })
    }

    /// The detail answered (at `now`).
    pub fn on_detail(
        &mut self,
        generation: u64,
        answer: Answer<Box<TraceDetail>>,
        page: usize,
        now: Timestamp,
    ) {
        if !self.detail_slot.accept(generation) {
            return;
        }
        match answer {
            Ok(d) => {
                self.detail = Loadable::Ready(d);
                self.as_of = Some(now);
            }
            // a refresh that fails keeps the last detail on screen
            Err(_) if matches!(self.detail, Loadable::Ready(_)) => {}
            Err(e) => self.detail = Loadable::Failed(e.message),
        };
        let target = self.select_on_load.take();
        if let (Some(target), Some(detail)) = (target, self.detail.ready())
            && let Some(row) = row_ids(detail).iter().position(|id| *id == target)
        {
            self.selected = row;
        }
        self.selected = self.selected.min(self.row_count().saturating_sub(1));
        self.keep_cursor_visible(page.max(1));
    }

    /// The conversations answered.
    pub fn on_audit(&mut self, generation: u64, answer: Answer<AuditResolution>) {
        if !self.audit_slot.accept(generation) {
            return;
        }
        self.audit = match answer {
            Ok(AuditResolution::Found(r)) => Loadable::Ready(*r),
            Ok(AuditResolution::Ambiguous { .. }) => {
                Loadable::Failed("trace id is ambiguous".into())
            }
            Err(e) => Loadable::Failed(e.message),
        };
    }
}
