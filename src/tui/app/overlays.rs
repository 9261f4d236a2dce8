//! The overlays drawn over the current screen (help, the command palette,
//! the feed filter box, the note editor): their keys, and the palette's
//! commands carried out.

use super::{App, ViewId};
use crate::tui::feed::FeedFilter;
use crate::tui::keymap::Action;
use crate::tui::msg::Effect;
use crate::tui::palette::Command;
use crate::tui::screens::audit::{QueueFilter, ReviewSubject};
use crate::tui::screens::{Cx, single_line};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_textarea::TextArea;

/// Modal overlays drawn over the current view.
#[derive(Debug, Clone)]
pub enum Overlay {
    Help {
        scroll: u16,
        /// Typed after `/` in help: only bindings matching it are listed.
        filter: String,
        /// Keys go to the filter (between `/` and Enter or Esc).
        typing: bool,
    },
    Palette(Box<TextArea<'static>>),
    Filter(Box<TextArea<'static>>),
    /// The trace view's `/` search box.
    Search(Box<TextArea<'static>>),
    /// Choose one of a list, typing to narrow it (the log module).
    Picker(Picker),
    /// The traces behind an aggregate row; Enter opens one.
    Traces(TraceList),
    Note {
        target: ReviewSubject,
        editor: Box<TextArea<'static>>,
    },
}

/// A list of traces asked for by a drill-down.
#[derive(Debug, Clone)]
pub struct TraceList {
    pub title: String,
    pub generation: u64,
    pub traces: crate::tui::msg::Loadable<Vec<crate::query::TraceListItem>>,
    pub selected: usize,
}

/// The picker's first choice: no module filter.
pub const ALL_MODULES: &str = "(all modules)";

/// A list to choose from, narrowed by what is typed.
#[derive(Debug, Clone)]
pub struct Picker {
    pub title: String,
    pub choices: Vec<String>,
    pub filter: Box<TextArea<'static>>,
    /// Index into [`Picker::shown`].
    pub selected: usize,
}

impl Picker {
    /// A picker over `choices`, the first selected.
    pub fn new(title: &str, choices: Vec<String>) -> Picker {
        Picker {
            title: title.to_string(),
            choices,
            filter: crate::tui::screens::text_area("type to narrow"),
            selected: 0,
        }
    }

    /// The choices that contain what is typed (any case).
    pub fn shown(&self) -> Vec<&str> {
        let needle = single_line(&self.filter).to_lowercase();
        self.choices
            .iter()
            .map(String::as_str)
            .filter(|c| needle.is_empty() || c.to_lowercase().contains(&needle))
            .collect()
    }
}

impl Overlay {
    /// Help, unfiltered, at the top.
    pub fn help() -> Overlay {
        Overlay::Help {
            scroll: 0,
            filter: String::new(),
            typing: false,
        }
    }
}

impl App {
    pub(super) fn on_overlay_key(&mut self, overlay: Overlay, key: KeyEvent) {
        let is = |code: KeyCode| key.code == code;
        let save = key.code == KeyCode::Char('s') && key.modifiers.contains(KeyModifiers::CONTROL);
        match overlay {
            Overlay::Help {
                filter: mut text,
                typing: true,
                ..
            } => {
                match key.code {
                    // Esc drops the filter, Enter keeps it
                    KeyCode::Esc => text.clear(),
                    KeyCode::Enter => {}
                    KeyCode::Backspace => {
                        text.pop();
                        return self.overlay = Some(Overlay::Help {
                            scroll: 0,
                            filter: text,
                            typing: true,
                        });
                    }
                    KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                        text.push(c);
                        return self.overlay = Some(Overlay::Help {
                            scroll: 0,
                            filter: text,
                            typing: true,
                        });
                    }
                    _ => {}
                }
                self.overlay = Some(Overlay::Help {
                    scroll: 0,
                    filter: text,
                    typing: false,
                });
            }
            Overlay::Help { scroll, filter, .. } => {
                if is(KeyCode::Char('/')) {
                    self.overlay = Some(Overlay::Help {
                        scroll: 0,
                        filter,
                        typing: true,
                    });
                    return;
                }
                let actions = self.keymap.actions_for(&key).to_vec();
                let scroll = if actions.contains(&Action::Down) {
                    scroll.saturating_add(1)
                } else if actions.contains(&Action::Up) {
                    scroll.saturating_sub(1)
                } else if actions.contains(&Action::PageDown) {
                    scroll.saturating_add(10)
                } else if actions.contains(&Action::PageUp) {
                    scroll.saturating_sub(10)
                } else if actions.contains(&Action::Quit) && !is(KeyCode::Char('q')) {
                    self.should_quit = true;
                    return;
                } else {
                    return; // any other key closes help
                };
                self.overlay = Some(Overlay::Help {
                    scroll,
                    filter,
                    typing: false,
                });
            }
            Overlay::Palette(mut editor) => {
                if is(KeyCode::Esc) {
                    self.palette_recall = None;
                    return;
                }
                if is(KeyCode::Enter) {
                    let command = single_line(&editor);
                    self.palette_recall = None;
                    if !command.is_empty() && self.palette_history.last() != Some(&command) {
                        self.palette_history.push(command.clone());
                    }
                    self.run_command(&command);
                    return;
                }
                match key.code {
                    KeyCode::Tab => {
                        let typed = single_line(&editor);
                        match crate::tui::palette::complete(&typed) {
                            Ok(done) => replace_text(&mut editor, &done),
                            Err(choices) if !choices.is_empty() => {
                                self.say(format!("commands: {}", choices.join(" · ")))
                            }
                            Err(_) => self.say("no command starts with that"),
                        }
                    }
                    KeyCode::Up | KeyCode::Down => {
                        let len = self.palette_history.len();
                        let next = match (key.code, self.palette_recall) {
                            (KeyCode::Up, None) => len.checked_sub(1),
                            (KeyCode::Up, Some(i)) => Some(i.saturating_sub(1)),
                            (KeyCode::Down, Some(i)) if i + 1 < len => Some(i + 1),
                            _ => None,
                        };
                        self.palette_recall = next;
                        let text = next
                            .and_then(|i| self.palette_history.get(i).cloned())
                            .unwrap_or_default();
                        replace_text(&mut editor, &text);
                    }
                    _ => {
                        crate::tui::input::edit(&mut editor, key);
                    }
                }
                self.overlay = Some(Overlay::Palette(editor));
            }
            Overlay::Filter(mut editor) => {
                if is(KeyCode::Esc) {
                    return;
                }
                crate::tui::input::edit(&mut editor, key);
                // filter as you type
                let filter = FeedFilter::parse(&single_line(&editor));
                if filter != *self.live.feed.filter() {
                    self.live.set_filter(filter);
                }
                if !is(KeyCode::Enter) {
                    self.overlay = Some(Overlay::Filter(editor));
                } else if !self.live.feed.filter().unknown_keys.is_empty() {
                    self.say(format!(
                        "unknown filter key {} (matched as text): use level: user: agent: model: \
                         tool: kind: trace:",
                        self.live.feed.filter().unknown_keys.join(" ")
                    ));
                }
            }
            Overlay::Search(mut editor) => {
                if is(KeyCode::Esc) {
                    if let Some(trace) = self.trace.as_mut() {
                        trace.search.clear();
                    }
                    return;
                }
                if !is(KeyCode::Enter) {
                    crate::tui::input::edit(&mut editor, key);
                }
                let text = single_line(&editor);
                let theme = self.theme.clone();
                with_cx!(self, cx => if let Some(trace) = self.trace.as_mut()
                    && trace.search != text
                {
                    trace.set_search(text, &theme, &mut cx);
                });
                if !is(KeyCode::Enter) {
                    self.overlay = Some(Overlay::Search(editor));
                }
            }
            Overlay::Picker(mut picker) => {
                match key.code {
                    KeyCode::Esc => return,
                    KeyCode::Enter => {
                        let choice = picker.shown().get(picker.selected).map(|c| c.to_string());
                        match choice {
                            Some(choice) => {
                                let module = (choice != ALL_MODULES).then_some(choice);
                                with_cx!(self, cx => self.logs.set_module(module, &mut cx));
                            }
                            None => self.say("nothing matches: type less"),
                        }
                        return;
                    }
                    KeyCode::Down => picker.selected += 1,
                    KeyCode::Up => picker.selected = picker.selected.saturating_sub(1),
                    _ => {
                        if crate::tui::input::edit(&mut picker.filter, key) {
                            picker.selected = 0;
                        }
                    }
                }
                picker.selected = picker.selected.min(picker.shown().len().saturating_sub(1));
                self.overlay = Some(Overlay::Picker(picker));
            }
            Overlay::Traces(mut list) => {
                let count = list.traces.ready().map_or(0, Vec::len);
                let actions = self.keymap.actions_for(&key).to_vec();
                if is(KeyCode::Esc) || actions.contains(&Action::Quit) {
                    return;
                }
                if is(KeyCode::Enter) {
                    let picked = list
                        .traces
                        .ready()
                        .and_then(|t| t.get(list.selected))
                        .map(|t| t.trace_id.clone());
                    match picked {
                        Some(trace_id) => self.navigate(crate::tui::screens::Nav::OpenTrace {
                            trace_id,
                            select: None,
                        }),
                        None => {
                            self.say("no trace to open");
                            self.overlay = Some(Overlay::Traces(list));
                        }
                    }
                    return;
                }
                if actions.contains(&Action::Down) {
                    list.selected = (list.selected + 1).min(count.saturating_sub(1));
                } else if actions.contains(&Action::Up) {
                    list.selected = list.selected.saturating_sub(1);
                } else if actions.contains(&Action::PageDown) {
                    list.selected = (list.selected + 10).min(count.saturating_sub(1));
                } else if actions.contains(&Action::PageUp) {
                    list.selected = list.selected.saturating_sub(10);
                }
                self.overlay = Some(Overlay::Traces(list));
            }
            Overlay::Note { target, mut editor } => {
                if is(KeyCode::Esc) {
                    self.say("note discarded");
                    return;
                }
                if save {
                    let note = editor.lines().join("\n").trim().to_string();
                    let reviewer = self.reviewer.clone();
                    with_cx!(self, cx => self.audit.save_note(target, note, &reviewer, &mut cx));
                    return;
                }
                crate::tui::input::edit(&mut editor, key);
                self.overlay = Some(Overlay::Note { target, editor });
            }
        }
    }

    /// Execute a palette command (`trace ID`, `audit PREFIX`, `costs`, …).
    pub fn run_command(&mut self, text: &str) {
        let command = match crate::tui::palette::parse(text) {
            Ok(command) => command,
            Err(message) => return self.say(message),
        };
        match command {
            Command::Quit => self.should_quit = true,
            Command::Trace(prefix) => self.resolve_trace(prefix),
            Command::Audit(prefix) => {
                self.switch_view(ViewId::Audit);
                if let Some(prefix) = prefix {
                    with_cx!(self, cx => self.audit.look_up(&prefix, &mut cx));
                }
            }
            Command::Costs => self.switch_view(ViewId::Costs),
            Command::Live => self.switch_view(ViewId::Live),
            Command::Leaders => self.switch_view(ViewId::Leaderboards),
            Command::Logs => self.switch_view(ViewId::Logs),
            Command::Help => self.overlay = Some(Overlay::help()),
            Command::Anomalies => {
                self.switch_view(ViewId::Audit);
                let open = self.open_anomalies.len();
                with_cx!(self, cx => self.audit.show_queue(QueueFilter::Anomalies, &mut cx));
                self.say(format!(
                    "{open} open anomalies: their requests in the queue"
                ));
            }
            Command::Filter(text) => {
                self.switch_view(ViewId::Live);
                self.live.set_filter(FeedFilter::parse(&text));
            }
            Command::Theme(name) => self.effects.push(Effect::LoadTheme {
                name,
                no_color: self.no_color,
            }),
            Command::Window(range) => self.window_command(range),
            Command::Goto(text) => self.goto(&text),
            Command::Nothing => {}
        }
    }
}

/// Replace a one-line box's text, cursor at the end.
fn replace_text(editor: &mut TextArea<'static>, text: &str) {
    editor.move_cursor(tui_textarea::CursorMove::Head);
    editor.delete_line_by_end();
    editor.insert_str(text);
}
