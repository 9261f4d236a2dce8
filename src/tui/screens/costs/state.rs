//! The costs screen's state: the window (`t` cycles 24h / 7d / 30d), the
//! breakdown table with focus, and the data of the latest question.

use crate::query::TimeWindow;
use crate::tui::keymap::Action;
use crate::tui::msg::{Answer, CostsData, Loadable, Query, Slot};
use crate::tui::screens::{CostWindow, Cx};

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
    slot: Slot,
}

impl Default for CostsState {
    fn default() -> Self {
        CostsState {
            window: CostWindow::Day,
            data: Loadable::NotAsked,
            focus: CostsPane::Model,
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
            window: TimeWindow::last(self.window.span(), cx.now),
            bucket: self.window.bucket(),
            now: cx.now,
        });
    }

    /// An action in the costs view.
    pub fn on_action(&mut self, action: Action, cx: &mut Cx) -> bool {
        match action {
            Action::CycleWindow => {
                self.window = self.window.next();
                self.data = Loadable::Loading;
                let generation = self.slot.anew();
                self.ask(generation, cx);
            }
            Action::NextPane => self.focus = self.focus.next(),
            Action::PrevPane => self.focus = self.focus.previous(),
            _ => return false,
        }
        true
    }

    /// The data answered.
    pub fn on_reply(&mut self, generation: u64, answer: Answer<Box<CostsData>>, cx: &mut Cx) {
        if !self.slot.accept(generation) {
            return;
        }
        match answer {
            Ok(d) => self.data = Loadable::Ready(d),
            // keep the last data on screen, say what failed
            Err(e) if matches!(self.data, Loadable::Ready(_)) => cx.say(format!("costs: {e}")),
            Err(e) => self.data = Loadable::Failed(e.message),
        }
    }
}
