//! The logs screen's state: the search box, level and module filters, the
//! lines of the latest search (cursor held by identity) and their summary.

use crate::model::*;
use crate::query::{LogFilter, TimeWindow};
use crate::tui::keymap::Action;
use crate::tui::msg::{Answer, Loadable, LogsData, Query, Slot};
use crate::tui::screens::{Cx, Nav, single_line, text_area};
use crate::tui::selection::{Move, Resync, Selection};
use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent};
use tui_textarea::TextArea;

/// Log lines loaded by the logs view.
pub const LOG_LIMIT: usize = 500;

/// The logs view.
#[derive(Debug, Clone)]
pub struct LogsState {
    pub search: Box<TextArea<'static>>,
    pub search_focused: bool,
    /// This level and worse, as lnav filters (`None`: all).
    pub level: Option<LogLevel>,
    pub module: Option<String>,
    slot: Slot,
    pub data: Loadable<LogsData>,
    /// The line under the cursor.
    pub selection: Selection,
}

impl Default for LogsState {
    fn default() -> Self {
        LogsState {
            search: text_area("search log messages"),
            search_focused: false,
            level: None,
            module: None,
            slot: Slot::default(),
            data: Loadable::NotAsked,
            selection: Selection::new(),
        }
    }
}

impl LogsState {
    /// Generation of the newest search asked.
    pub fn generation(&self) -> u64 {
        self.slot.latest()
    }

    /// Whether the search box has the keys.
    pub fn typing(&self) -> bool {
        self.search_focused
    }

    /// Whether a search was ever asked.
    pub fn asked(&self) -> bool {
        !matches!(self.data, Loadable::NotAsked)
    }

    /// Search with the current box and filters: a new question, so its
    /// answer starts on its first line.
    pub fn search(&mut self, cx: &mut Cx) {
        self.selection.clear();
        let generation = self.slot.anew();
        self.ask(generation, cx);
    }

    /// The same search again (coming back to the view): the cursor keeps
    /// its line when the line is still there.
    pub fn refresh(&mut self, cx: &mut Cx) {
        let generation = self.slot.again();
        self.ask(generation, cx);
    }

    fn ask(&mut self, generation: u64, cx: &mut Cx) {
        let pattern = single_line(&self.search);
        let window = cx
            .fixed_window
            .unwrap_or_else(|| TimeWindow::last(Duration::days(30), cx.now + Duration::seconds(1)));
        if !matches!(self.data, Loadable::Ready(_)) {
            self.data = Loadable::Loading;
        }
        cx.query(Query::Logs {
            generation,
            filter: LogFilter {
                pattern: (!pattern.is_empty()).then_some(pattern),
                level: self.level.map(LogLevel::and_worse),
                module: self.module.clone(),
                trace_id: None,
                window: Some(window),
                limit: LOG_LIMIT,
            },
        });
    }

    /// Row of the selected line.
    pub fn selected_row(&self) -> Option<usize> {
        let data = self.data.ready()?;
        self.selection
            .row_in(data.lines.iter().map(|l| l.id.as_str()))
    }

    /// The selected line.
    pub fn selected_line(&self) -> Option<&LogRecord> {
        self.data.ready()?.lines.get(self.selected_row()?)
    }

    fn move_selection(&mut self, change: impl FnOnce(&mut Selection, &[&str])) {
        let Some(data) = self.data.ready() else {
            return;
        };
        let ids: Vec<&str> = data.lines.iter().map(|l| l.id.as_str()).collect();
        change(&mut self.selection, &ids);
    }

    /// A key while the search box has focus.
    pub fn on_search_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        match key.code {
            KeyCode::Esc | KeyCode::Tab | KeyCode::Down => self.search_focused = false,
            KeyCode::Enter => {
                self.search_focused = false;
                self.search(cx);
            }
            _ => {
                if crate::tui::input::edit(&mut self.search, key) {
                    self.search(cx);
                }
            }
        }
    }

    /// An action in the logs view.
    pub fn on_action(&mut self, action: Action, cx: &mut Cx) -> bool {
        if let Some(movement) = Move::from_action(action) {
            self.move_selection(|s, ids| s.apply(movement, ids));
            return true;
        }
        match action {
            Action::Filter | Action::NextPane | Action::PrevPane => self.search_focused = true,
            Action::CycleLevel => {
                self.level = match self.level {
                    None => Some(LogLevel::ALL[0]),
                    Some(level) => LogLevel::ALL
                        .iter()
                        .position(|l| *l == level)
                        .and_then(|p| LogLevel::ALL.get(p + 1).copied()),
                };
                self.search(cx);
            }
            Action::CycleModule => {
                let modules: Vec<String> = self
                    .data
                    .ready()
                    .map(|d| {
                        d.summary
                            .top_modules
                            .iter()
                            .map(|m| m.module.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                if modules.is_empty() && self.module.is_none() {
                    cx.say("no modules in these logs");
                } else {
                    cx.go(Nav::PickModule(modules));
                }
            }
            Action::Drill => match self.selected_line() {
                Some(line) => match line.trace_id.clone() {
                    Some(trace_id) => cx.go(Nav::OpenTrace {
                        trace_id,
                        select: Some(line.id.to_string()),
                    }),
                    None => cx.say("this log line belongs to no trace"),
                },
                None => cx.say("no log line selected"),
            },
            _ => return false,
        }
        true
    }

    /// Show only `module` (`None`: every module).
    pub fn set_module(&mut self, module: Option<String>, cx: &mut Cx) {
        if module != self.module {
            self.module = module;
            self.search(cx);
        }
    }

    /// A search answered.
    pub fn on_reply(&mut self, generation: u64, answer: Answer<LogsData>, cx: &mut Cx) {
        if !self.slot.accept(generation) {
            return;
        }
        match answer {
            Ok(d) => {
                self.data = Loadable::Ready(d);
                let mut lost = None;
                self.move_selection(|s, ids| {
                    if let Resync::Lost(id) = s.resync(ids) {
                        lost = Some(id);
                    }
                });
                if let Some(id) = lost {
                    cx.say(format!(
                        "log line {id} is no longer in the results: nothing selected"
                    ));
                }
            }
            Err(e) => self.data = Loadable::Failed(e.message),
        }
    }
}
