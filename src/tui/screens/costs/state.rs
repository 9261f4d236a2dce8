//! The costs screen's state: the window (`t` cycles 24h / 7d / 30d), the
//! breakdown table with focus, and the data of the latest question.

use crate::query::{CostBreakdownRow, TraceListFilter};
use crate::tui::keymap::Action;
use crate::tui::msg::{Answer, CostsData, Loadable, Query, Slot};
use crate::tui::screens::{CostWindow, Cx, Nav, take_answer};
use crate::tui::selection::{Move, Selection};

/// Which breakdown table has focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostsPane {
    Model,
    Provider,
    Agent,
}

impl CostsPane {
    fn next(self) -> Self {
        match self {
            CostsPane::Model => CostsPane::Provider,
            CostsPane::Provider => CostsPane::Agent,
            CostsPane::Agent => CostsPane::Model,
        }
    }

    fn previous(self) -> Self {
        match self {
            CostsPane::Model => CostsPane::Agent,
            CostsPane::Provider => CostsPane::Model,
            CostsPane::Agent => CostsPane::Provider,
        }
    }
}

/// The costs view.
#[derive(Debug, Clone)]
pub struct CostsState {
    pub window: CostWindow,
    pub data: Loadable<Box<CostsData>>,
    pub focus: CostsPane,
    /// The cursor of each breakdown table, by its key.
    pub selections: [Selection; 3],
    slot: Slot,
}

impl Default for CostsState {
    fn default() -> Self {
        CostsState {
            window: CostWindow::Day,
            data: Loadable::NotAsked,
            focus: CostsPane::Model,
            selections: Default::default(),
            slot: Slot::default(),
        }
    }
}

impl CostsState {
    /// Generation of the newest question asked.
    pub fn generation(&self) -> u64 {
        self.slot.latest()
    }

    /// Ask for the window's data again (the same question).
    pub fn refresh(&mut self, cx: &mut Cx) {
        let generation = self.slot.again();
        self.ask(generation, cx);
    }

    fn ask(&mut self, generation: u64, cx: &mut Cx) {
        if matches!(self.data, Loadable::NotAsked | Loadable::Failed(_)) {
            self.data = Loadable::Loading;
        }
        cx.query(Query::Costs {
            generation,
            window: cx.report_window(self.window.span()),
            bucket: match cx.fixed_window {
                Some(w) => crate::query::Bucket::for_span(w.span()),
                None => self.window.bucket(),
            },
            now: cx.now,
        });
    }

    fn rows(&self, pane: CostsPane) -> &[CostBreakdownRow] {
        match (self.data.ready(), pane) {
            (Some(d), CostsPane::Model) => &d.by_model,
            (Some(d), CostsPane::Provider) => &d.by_provider,
            (Some(d), CostsPane::Agent) => &d.by_agent,
            (None, _) => &[],
        }
    }

    /// The cursor's row in `pane` when it has focus (`Some(None)`: focused,
    /// nothing selected; `None`: not focused).
    pub fn cursor_in(&self, pane: CostsPane) -> Option<Option<usize>> {
        (self.focus == pane).then(|| {
            self.selections[pane as usize].row_in(self.rows(pane).iter().map(|r| r.key.as_str()))
        })
    }

    fn move_selection(&mut self, change: impl FnOnce(&mut Selection, &[&str])) {
        let pane = self.focus;
        let keys: Vec<String> = self.rows(pane).iter().map(|r| r.key.clone()).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        change(&mut self.selections[pane as usize], &keys);
    }

    /// Enter on a breakdown row: the traces in the window of that agent,
    /// model or provider.
    fn drill(&self, cx: &mut Cx) {
        let Some(row) = self
            .cursor_in(self.focus)
            .flatten()
            .and_then(|i| self.rows(self.focus).get(i))
        else {
            return cx.say("nothing selected: j / k pick a row");
        };
        let mut filter = TraceListFilter {
            window: Some(cx.report_window(self.window.span())),
            limit: crate::tui::screens::leaders::TRACE_LIST_LIMIT,
            ..TraceListFilter::default()
        };
        let what = match self.focus {
            CostsPane::Agent => {
                if row.key == crate::query::NO_AGENT {
                    return cx.say("requests without an agent have no traces to list by agent");
                }
                filter.agent = Some(row.key.clone());
                "agent"
            }
            CostsPane::Model => {
                filter.model = Some(row.key.clone());
                "model"
            }
            CostsPane::Provider => {
                filter.provider = Some(row.key.clone());
                "provider"
            }
        };
        cx.go(Nav::Traces {
            title: format!(
                "Traces of {what} {} · {}",
                crate::sanitize::clean(&row.key),
                self.window.label()
            ),
            filter,
        });
    }

    /// An action in the costs view.
    pub fn on_action(&mut self, action: Action, cx: &mut Cx) -> bool {
        if let Some(movement) = Move::from_action(action) {
            self.move_selection(|s, ids| s.apply(movement, ids));
            return true;
        }
        match action {
            Action::CycleWindow => {
                self.window = self.window.next();
                self.data = Loadable::Loading;
                let generation = self.slot.anew();
                self.ask(generation, cx);
            }
            Action::NextPane => self.focus = self.focus.next(),
            Action::PrevPane => self.focus = self.focus.previous(),
            Action::Drill => self.drill(cx),
            _ => return false,
        }
        true
    }

    /// The data answered.
    pub fn on_reply(&mut self, generation: u64, answer: Answer<Box<CostsData>>, cx: &mut Cx) {
        if take_answer(
            &mut self.slot,
            &mut self.data,
            generation,
            answer,
            "costs",
            cx,
        ) {
            for pane in [CostsPane::Model, CostsPane::Provider, CostsPane::Agent] {
                let keys: Vec<String> = self.rows(pane).iter().map(|r| r.key.clone()).collect();
                let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                self.selections[pane as usize].resync(&keys);
            }
        }
    }
}
