//! The overlays drawn over the current screen (help, the command palette,
//! the feed filter box, the note editor): their keys, and the palette's
//! commands carried out.

use super::{App, ViewId};
use crate::model::TraceId;
use crate::tui::feed::FeedFilter;
use crate::tui::keymap::Action;
use crate::tui::msg::Effect;
use crate::tui::palette::Command;
use crate::tui::screens::audit::ReviewSubject;
use crate::tui::screens::{Cx, Nav, single_line};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_textarea::TextArea;

/// Modal overlays drawn over the current view.
#[derive(Debug, Clone)]
pub enum Overlay {
    Help {
        scroll: u16,
    },
    Palette(Box<TextArea<'static>>),
    Filter(Box<TextArea<'static>>),
    Note {
        target: ReviewSubject,
        editor: Box<TextArea<'static>>,
    },
}

impl App {
    pub(super) fn on_overlay_key(&mut self, overlay: Overlay, key: KeyEvent) {
        let is = |code: KeyCode| key.code == code;
        let save = key.code == KeyCode::Char('s') && key.modifiers.contains(KeyModifiers::CONTROL);
        match overlay {
            Overlay::Help { scroll } => {
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
                self.overlay = Some(Overlay::Help { scroll });
            }
            Overlay::Palette(mut editor) => {
                if is(KeyCode::Esc) {
                    return;
                }
                if is(KeyCode::Enter) {
                    let command = single_line(&editor);
                    self.run_command(&command);
                    return;
                }
                editor.input(key);
                self.overlay = Some(Overlay::Palette(editor));
            }
            Overlay::Filter(mut editor) => {
                if is(KeyCode::Esc) {
                    return;
                }
                editor.input(key);
                // filter as you type
                let filter = FeedFilter::parse(&single_line(&editor));
                if filter != *self.live.feed.filter() {
                    self.live.set_filter(filter);
                }
                if !is(KeyCode::Enter) {
                    self.overlay = Some(Overlay::Filter(editor));
                }
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
                editor.input(key);
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
            Command::Trace(id) => self.navigate(Nav::OpenTrace {
                trace_id: TraceId::new(id),
                select: None,
            }),
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
            Command::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Command::Filter(text) => {
                self.switch_view(ViewId::Live);
                self.live.set_filter(FeedFilter::parse(&text));
            }
            Command::Theme(name) => self.effects.push(Effect::LoadTheme {
                name,
                no_color: self.no_color,
            }),
            Command::Nothing => {}
        }
    }
}
