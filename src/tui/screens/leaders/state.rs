//! The leaderboards screen's state: top users, agents and tools in the
//! window, and the full tools table (sortable, cursor held by identity).

use crate::query::{ToolSort, ToolStats, TraceListFilter};
use crate::tui::keymap::Action;
use crate::tui::msg::{Answer, LeadersData, Loadable, Query, Slot};
use crate::tui::screens::{CostWindow, Cx, Nav, take_answer};
use crate::tui::selection::{Move, Selection};

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

/// Traces listed by a drill-down from an aggregate row.
pub const TRACE_LIST_LIMIT: usize = 200;

/// The identity of a tools-table row: its server and name.
pub fn tool_key(tool: &ToolStats) -> String {
    format!("{}/{}", tool.server_name, tool.tool_name)
}

/// The leaderboards view.
#[derive(Debug, Clone)]
pub struct LeadersState {
    pub window: CostWindow,
    pub sort: ToolSort,
    /// The tools table in the other direction (`S`).
    pub reversed: bool,
    pub data: Loadable<Box<LeadersData>>,
    pub focus: LeadersPane,
    /// The tools-table row under the cursor.
    pub selection: Selection,
    /// The cursors of the top users (by id), agents (by name) and top
    /// tools (by server/name) panes.
    pub users_selection: Selection,
    pub agents_selection: Selection,
    pub top_tools_selection: Selection,
    slot: Slot,
}

impl Default for LeadersState {
    fn default() -> Self {
        LeadersState {
            window: CostWindow::Week,
            sort: ToolSort::Executions,
            reversed: false,
            data: Loadable::NotAsked,
            focus: LeadersPane::Tools,
            selection: Selection::new(),
            users_selection: Selection::new(),
            agents_selection: Selection::new(),
            top_tools_selection: Selection::new(),
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
            window: cx.report_window(self.window.span()),
            sort: self.sort,
        });
    }

    /// Whether the tools table reads ascending (names A→Z; the others
    /// reverse their natural descending order).
    pub fn ascending(&self) -> bool {
        (self.sort == ToolSort::Name) != self.reversed
    }

    /// The tools table's rows in display order.
    pub fn tools_in_order(&self) -> Vec<&ToolStats> {
        let Some(d) = self.data.ready() else {
            return Vec::new();
        };
        if self.reversed {
            d.tools.iter().rev().collect()
        } else {
            d.tools.iter().collect()
        }
    }

    /// The row ids of `pane`, in order.
    pub fn pane_keys(&self, pane: LeadersPane) -> Vec<String> {
        let Some(d) = self.data.ready() else {
            return Vec::new();
        };
        match pane {
            LeadersPane::Users => d.users.iter().map(|u| u.user_id.to_string()).collect(),
            LeadersPane::Agents => d.agents.iter().map(|a| a.agent_name.clone()).collect(),
            LeadersPane::TopTools => d.top_tools.iter().map(tool_key).collect(),
            LeadersPane::Tools => self.tools_in_order().into_iter().map(tool_key).collect(),
        }
    }

    /// The cursor of `pane`.
    pub fn pane_selection(&self, pane: LeadersPane) -> &Selection {
        match pane {
            LeadersPane::Users => &self.users_selection,
            LeadersPane::Agents => &self.agents_selection,
            LeadersPane::TopTools => &self.top_tools_selection,
            LeadersPane::Tools => &self.selection,
        }
    }

    /// Row of `pane`'s cursor.
    pub fn pane_row(&self, pane: LeadersPane) -> Option<usize> {
        let keys = self.pane_keys(pane);
        self.pane_selection(pane)
            .row_in(keys.iter().map(String::as_str))
    }

    fn pane_selection_mut(&mut self, pane: LeadersPane) -> &mut Selection {
        match pane {
            LeadersPane::Users => &mut self.users_selection,
            LeadersPane::Agents => &mut self.agents_selection,
            LeadersPane::TopTools => &mut self.top_tools_selection,
            LeadersPane::Tools => &mut self.selection,
        }
    }

    /// The traces behind the focused row: its user's, agent's or tool's.
    fn drill(&self, cx: &mut Cx) {
        let Some(d) = self.data.ready() else {
            return;
        };
        let row = self.pane_row(self.focus);
        let mut filter = TraceListFilter {
            window: Some(cx.report_window(self.window.span())),
            limit: TRACE_LIST_LIMIT,
            ..TraceListFilter::default()
        };
        let title = match (self.focus, row) {
            (LeadersPane::Users, Some(i)) => {
                let u = &d.users[i];
                filter.user = Some(u.user_id.clone());
                format!(
                    "user {}",
                    u.user_name.as_deref().unwrap_or(u.user_id.as_str())
                )
            }
            (LeadersPane::Agents, Some(i)) => {
                filter.agent = Some(d.agents[i].agent_name.clone());
                format!("agent {}", d.agents[i].agent_name)
            }
            (LeadersPane::TopTools, Some(i)) => {
                filter.tool = Some(d.top_tools[i].tool_name.clone());
                format!("tool {}", d.top_tools[i].tool_name)
            }
            (LeadersPane::Tools, Some(i)) => {
                let tool = self.tools_in_order()[i];
                filter.tool = Some(tool.tool_name.clone());
                format!("tool {}", tool.tool_name)
            }
            (_, None) => return cx.say("nothing selected in this pane"),
        };
        cx.go(Nav::Traces {
            title: format!("Traces of {title} · {}", self.window.label()),
            filter,
        });
    }

    /// Row of the selected tool in the tools table.
    pub fn selected_row(&self) -> Option<usize> {
        self.pane_row(LeadersPane::Tools)
    }

    /// The selected tool.
    pub fn selected_tool(&self) -> Option<&ToolStats> {
        let row = self.selected_row()?;
        self.tools_in_order().get(row).copied()
    }

    /// Move the focused pane's cursor.
    fn move_selection(&mut self, change: impl FnOnce(&mut Selection, &[&str])) {
        let pane = self.focus;
        let keys = self.pane_keys(pane);
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        change(self.pane_selection_mut(pane), &keys);
    }

    /// An action in the leaderboards view.
    pub fn on_action(&mut self, action: Action, cx: &mut Cx) -> bool {
        if let Some(movement) = Move::from_action(action) {
            self.move_selection(|s, ids| s.apply(movement, ids));
            return true;
        }
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
            Action::ReverseSort => self.reversed = !self.reversed,
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
    pub fn on_reply(&mut self, generation: u64, answer: Answer<Box<LeadersData>>, cx: &mut Cx) {
        if take_answer(
            &mut self.slot,
            &mut self.data,
            generation,
            answer,
            "leaderboards",
            cx,
        ) {
            for pane in [
                LeadersPane::Users,
                LeadersPane::Agents,
                LeadersPane::TopTools,
                LeadersPane::Tools,
            ] {
                let keys = self.pane_keys(pane);
                let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                self.pane_selection_mut(pane).resync(&keys);
            }
        }
    }
}
