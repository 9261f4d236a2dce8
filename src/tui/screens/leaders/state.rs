//! The leaderboards screen's state: top users, agents and tools in the
//! window, and the full tools table (sortable, cursor held by identity).

use crate::query::{TimeWindow, ToolSort, ToolStats};
use crate::tui::keymap::Action;
use crate::tui::msg::{Answer, LeadersData, Loadable, Query, Slot};
use crate::tui::screens::{CostWindow, Cx};
use crate::tui::selection::Selection;

/// Which pane has focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadersPane {
    Users,
    Agents,
    TopTools,
    Tools,
}

impl LeadersPane {
    fn next(self) -> Self {
        match self {
            LeadersPane::Users => LeadersPane::Agents,
            LeadersPane::Agents => LeadersPane::TopTools,
            LeadersPane::TopTools => LeadersPane::Tools,
            LeadersPane::Tools => LeadersPane::Users,
        }
    }

    fn previous(self) -> Self {
        match self {
            LeadersPane::Users => LeadersPane::Tools,
            LeadersPane::Agents => LeadersPane::Users,
            LeadersPane::TopTools => LeadersPane::Agents,
            LeadersPane::Tools => LeadersPane::TopTools,
        }
    }
}

/// The identity of a tools-table row: its server and name.
pub fn tool_key(tool: &ToolStats) -> String {
    format!("{}/{}", tool.server_name, tool.tool_name)
}

/// The leaderboards view.
#[derive(Debug, Clone)]
pub struct LeadersState {
    pub window: CostWindow,
    pub sort: ToolSort,
    pub data: Loadable<Box<LeadersData>>,
    pub focus: LeadersPane,
    /// The tools-table row under the cursor.
    pub selection: Selection,
    slot: Slot,
}

impl Default for LeadersState {
    fn default() -> Self {
        LeadersState {
            window: CostWindow::Week,
            sort: ToolSort::Executions,
            data: Loadable::NotAsked,
            focus: LeadersPane::Tools,
            selection: Selection::new(),
            slot: Slot::default(),
        }
    }
}

impl LeadersState {
    /// Generation of the newest question asked.
    pub fn generation(&self) -> u64 {
        self.slot.latest()
    }

    /// Ask again (the same question).
    pub fn refresh(&mut self, cx: &mut Cx) {
        let generation = self.slot.again();
        self.ask(generation, cx);
    }

    fn ask(&mut self, generation: u64, cx: &mut Cx) {
        if matches!(self.data, Loadable::NotAsked | Loadable::Failed(_)) {
            self.data = Loadable::Loading;
        }
        cx.query(Query::Leaders {
            generation,
            window: TimeWindow::last(self.window.span(), cx.now),
            sort: self.sort,
        });
    }

    fn tool_keys(&self) -> Vec<String> {
        self.data
            .ready()
            .map(|d| d.tools.iter().map(tool_key).collect())
            .unwrap_or_default()
    }

    /// Row of the selected tool in the tools table.
    pub fn selected_row(&self) -> Option<usize> {
        let data = self.data.ready()?;
        let keys: Vec<String> = data.tools.iter().map(tool_key).collect();
        self.selection.row_in(keys.iter().map(String::as_str))
    }

    /// The selected tool.
    pub fn selected_tool(&self) -> Option<&ToolStats> {
        let row = self.selected_row()?;
        self.data.ready()?.tools.get(row)
    }

    fn move_selection(&mut self, change: impl FnOnce(&mut Selection, &[&str])) {
        let keys = self.tool_keys();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        change(&mut self.selection, &keys);
    }

    /// An action in the leaderboards view.
    pub fn on_action(&mut self, action: Action, cx: &mut Cx) -> bool {
        match action {
            Action::CycleSort => {
                self.sort = match self.sort {
                    ToolSort::Executions => ToolSort::SuccessRate,
                    ToolSort::SuccessRate => ToolSort::AvgTime,
                    ToolSort::AvgTime => ToolSort::LastUsed,
                    ToolSort::LastUsed => ToolSort::Name,
                    ToolSort::Name => ToolSort::Executions,
                };
                // a new order: start from its top
                self.selection.clear();
                let generation = self.slot.anew();
                self.ask(generation, cx);
            }
            Action::CycleWindow => {
                self.window = self.window.next();
                self.data = Loadable::Loading;
                let generation = self.slot.anew();
                self.ask(generation, cx);
            }
            Action::NextPane => self.focus = self.focus.next(),
            Action::PrevPane => self.focus = self.focus.previous(),
            Action::Down => self.move_selection(|s, keys| s.step(keys, 1)),
            Action::Up => self.move_selection(|s, keys| s.step(keys, -1)),
            Action::Top => self.move_selection(|s, keys| s.select_row(keys, 0)),
            Action::Bottom => {
                self.move_selection(|s, keys| s.select_row(keys, keys.len().saturating_sub(1)))
            }
            _ => return false,
        }
        true
    }

    /// The data answered.
    pub fn on_reply(&mut self, generation: u64, answer: Answer<Box<LeadersData>>, cx: &mut Cx) {
        if !self.slot.accept(generation) {
            return;
        }
        match answer {
            Ok(d) => {
                self.data = Loadable::Ready(d);
                self.move_selection(|s, keys| {
                    s.resync(keys);
                });
            }
            Err(e) if matches!(self.data, Loadable::Ready(_)) => {
                cx.say(format!("leaderboards: {e}"))
            }
            Err(e) => self.data = Loadable::Failed(e.message),
        }
    }
}
