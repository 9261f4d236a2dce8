//! Key bindings: the actions the console understands, their default keys
//! (k9s / lazygit habits), remapping from the config file, and the listing
//! shown by `?` help.
//!
//! A key may be bound to several actions that live in different views (`t`
//! cycles the costs window, `e` escalates in the audit view); the app tries
//! the actions bound to a key in order and takes the first that applies.

use crate::error::{Error, Result};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;

/// Everything a key can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    Palette,
    Filter,
    Drill,
    Back,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    NextPane,
    PrevPane,
    ToggleFollow,
    CopyId,
    ViewLive,
    ViewTrace,
    ViewCosts,
    ViewLeaderboards,
    ViewAudit,
    ViewLogs,
    CycleWindow,
    CycleSort,
    ReverseSort,
    CycleQueue,
    MarkOk,
    MarkFlag,
    MarkEscalate,
    Note,
    NextUnreviewed,
    PrevUnreviewed,
    CycleLevel,
    CycleModule,
    Refresh,
    CopyJson,
    OpenPager,
    SearchNext,
    SearchPrev,
    ReplayPause,
    ReplayBack,
    ReplayForward,
    ReplayBackLong,
    ReplayForwardLong,
    ReplayFaster,
    ReplaySlower,
    ReplayPrevMark,
    ReplayNextMark,
    ReplayLive,
}

/// Help sections, in display order.
pub const SECTIONS: &[&str] = &[
    "Global",
    "Navigation",
    "Live",
    "Costs & leaders",
    "Audit",
    "Logs",
    "Replay",
];

impl Action {
    /// Every action, in help order.
    pub const ALL: &'static [Action] = &[
        Action::Help,
        Action::Palette,
        Action::Quit,
        Action::ViewLive,
        Action::ViewTrace,
        Action::ViewCosts,
        Action::ViewLeaderboards,
        Action::ViewAudit,
        Action::ViewLogs,
        Action::CopyId,
        Action::Refresh,
        Action::Up,
        Action::Down,
        Action::Top,
        Action::Bottom,
        Action::PageUp,
        Action::PageDown,
        Action::NextPane,
        Action::PrevPane,
        Action::Drill,
        Action::Back,
        Action::ToggleFollow,
        Action::Filter,
        Action::CycleWindow,
        Action::CycleSort,
        Action::ReverseSort,
        Action::CycleQueue,
        Action::MarkOk,
        Action::MarkFlag,
        Action::MarkEscalate,
        Action::Note,
        Action::NextUnreviewed,
        Action::PrevUnreviewed,
        Action::CycleLevel,
        Action::CycleModule,
        // after the audit keys they share (`e`, `n`): those win in the audit view
        Action::CopyJson,
        Action::OpenPager,
        Action::SearchNext,
        Action::SearchPrev,
        // after the keys they share (`Space`, `[`, `]`, `G`): while a
        // replay runs they go first in the live view (see `App::on_key`)
        Action::ReplayPause,
        Action::ReplayBack,
        Action::ReplayForward,
        Action::ReplayBackLong,
        Action::ReplayForwardLong,
        Action::ReplayFaster,
        Action::ReplaySlower,
        Action::ReplayPrevMark,
        Action::ReplayNextMark,
        Action::ReplayLive,
    ];

    /// The scrub keys of a replay.
    pub fn is_replay(self) -> bool {
        matches!(
            self,
            Action::ReplayPause
                | Action::ReplayBack
                | Action::ReplayForward
                | Action::ReplayBackLong
                | Action::ReplayForwardLong
                | Action::ReplayFaster
                | Action::ReplaySlower
                | Action::ReplayPrevMark
                | Action::ReplayNextMark
                | Action::ReplayLive
        )
    }

    /// The config-file name of the action (`[keymap] quit = ["q"]`).
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Palette => "palette",
            Action::Filter => "filter",
            Action::Drill => "drill",
            Action::Back => "back",
            Action::Up => "up",
            Action::Down => "down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::NextPane => "next_pane",
            Action::PrevPane => "prev_pane",
            Action::ToggleFollow => "toggle_follow",
            Action::CopyId => "copy_id",
            Action::ViewLive => "view_live",
            Action::ViewTrace => "view_trace",
            Action::ViewCosts => "view_costs",
            Action::ViewLeaderboards => "view_leaderboards",
            Action::ViewAudit => "view_audit",
            Action::ViewLogs => "view_logs",
            Action::CycleWindow => "cycle_window",
            Action::CycleSort => "cycle_sort",
            Action::ReverseSort => "reverse_sort",
            Action::CycleQueue => "cycle_queue",
            Action::MarkOk => "mark_ok",
            Action::MarkFlag => "mark_flag",
            Action::MarkEscalate => "mark_escalate",
            Action::Note => "note",
            Action::NextUnreviewed => "next_unreviewed",
            Action::PrevUnreviewed => "prev_unreviewed",
            Action::CycleLevel => "cycle_level",
            Action::CycleModule => "cycle_module",
            Action::Refresh => "refresh",
            Action::CopyJson => "copy_json",
            Action::OpenPager => "open_pager",
            Action::SearchNext => "search_next",
            Action::SearchPrev => "search_prev",
            Action::ReplayPause => "replay_pause",
            Action::ReplayBack => "replay_back",
            Action::ReplayForward => "replay_forward",
            Action::ReplayBackLong => "replay_back_long",
            Action::ReplayForwardLong => "replay_forward_long",
            Action::ReplayFaster => "replay_faster",
            Action::ReplaySlower => "replay_slower",
            Action::ReplayPrevMark => "replay_prev_mark",
            Action::ReplayNextMark => "replay_next_mark",
            Action::ReplayLive => "replay_live",
        }
    }

    /// What the action does, for help.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit (restores the terminal)",
            Action::Help => "this help",
            Action::Palette => {
                "command palette (:trace ID, :audit PREFIX, :goto TIME, :window A..B, :q)"
            }
            Action::Filter => "filter the feed / focus the search box",
            Action::Drill => "open the selected row (trace, record)",
            Action::Back => "back to where you were / close overlay",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::Top => "first row (newest in the feed)",
            Action::Bottom => "last row",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::NextPane => "next pane",
            Action::PrevPane => "previous pane",
            Action::ToggleFollow => "pause / resume following the feed",
            Action::CopyId => "copy the selected id (OSC 52)",
            Action::ViewLive => "live view",
            Action::ViewTrace => "trace view",
            Action::ViewCosts => "costs view",
            Action::ViewLeaderboards => "leaderboards view",
            Action::ViewAudit => "audit view",
            Action::ViewLogs => "logs view",
            Action::CycleWindow => "cycle the time window (24h / 7d / 30d)",
            Action::CycleSort => "cycle the tools table sort",
            Action::ReverseSort => "reverse the tools table sort",
            Action::CycleQueue => "cycle the review queue (all / errors / anomalies / unreviewed)",
            Action::MarkOk => "mark reviewed: ok",
            Action::MarkFlag => "mark reviewed: flag",
            Action::MarkEscalate => "mark reviewed: escalate",
            Action::Note => "write a note (Ctrl-S saves, Esc cancels)",
            Action::NextUnreviewed => "next unreviewed item",
            Action::PrevUnreviewed => "previous unreviewed item",
            Action::CycleLevel => "cycle the log level filter",
            Action::CycleModule => "cycle the log module filter",
            Action::Refresh => "refresh the current view's queries",
            Action::CopyJson => "copy the selected item as JSON (OSC 52)",
            Action::OpenPager => "open the selected item in $PAGER (E in the audit view)",
            Action::SearchNext => "next match of the / search (trace view)",
            Action::SearchPrev => "previous match of the / search (trace view)",
            Action::ReplayPause => "replay: pause / resume",
            Action::ReplayBack => "replay: back 10 s",
            Action::ReplayForward => "replay: forward 10 s",
            Action::ReplayBackLong => "replay: back 1 min",
            Action::ReplayForwardLong => "replay: forward 1 min",
            Action::ReplayFaster => "replay: faster",
            Action::ReplaySlower => "replay: slower",
            Action::ReplayPrevMark => "replay: previous error or anomaly",
            Action::ReplayNextMark => "replay: next error or anomaly",
            Action::ReplayLive => {
                "replay: back to live (:goto TIME [SPAN] or :window FROM..TO replays a past window; reports answer for it)"
            }
        }
    }

    /// The help section the action is listed under.
    pub fn section(self) -> &'static str {
        match self {
            Action::Quit
            | Action::Help
            | Action::Palette
            | Action::CopyId
            | Action::CopyJson
            | Action::OpenPager
            | Action::Refresh
            | Action::ViewLive
            | Action::ViewTrace
            | Action::ViewCosts
            | Action::ViewLeaderboards
            | Action::ViewAudit
            | Action::ViewLogs => "Global",
            Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown
            | Action::NextPane
            | Action::PrevPane
            | Action::Drill
            | Action::Back
            | Action::SearchNext
            | Action::SearchPrev => "Navigation",
            Action::ToggleFollow | Action::Filter => "Live",
            Action::CycleWindow | Action::CycleSort | Action::ReverseSort => "Costs & leaders",
            Action::CycleQueue
            | Action::MarkOk
            | Action::MarkFlag
            | Action::MarkEscalate
            | Action::Note
            | Action::NextUnreviewed
            | Action::PrevUnreviewed => "Audit",
            Action::CycleLevel | Action::CycleModule => "Logs",
            Action::ReplayPause
            | Action::ReplayBack
            | Action::ReplayForward
            | Action::ReplayBackLong
            | Action::ReplayForwardLong
            | Action::ReplayFaster
            | Action::ReplaySlower
            | Action::ReplayPrevMark
            | Action::ReplayNextMark
            | Action::ReplayLive => "Replay",
        }
    }

    /// Look an action up by its config name.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }

    fn default_keys(self) -> &'static [&'static str] {
        match self {
            Action::Quit => &["q", "ctrl-c"],
            Action::Help => &["?", "f1"],
            Action::Palette => &[":"],
            Action::Filter => &["/"],
            Action::Drill => &["enter"],
            Action::Back => &["esc"],
            Action::Up => &["k", "up"],
            Action::Down => &["j", "down"],
            Action::Top => &["g", "home"],
            Action::Bottom => &["G", "end"],
            Action::PageUp => &["pageup", "ctrl-u"],
            Action::PageDown => &["pagedown", "ctrl-d"],
            Action::NextPane => &["tab"],
            Action::PrevPane => &["backtab"],
            Action::ToggleFollow => &["space"],
            Action::CopyId => &["y"],
            Action::ViewLive => &["1"],
            Action::ViewTrace => &["2"],
            Action::ViewCosts => &["3"],
            Action::ViewLeaderboards => &["4"],
            Action::ViewAudit => &["5"],
            Action::ViewLogs => &["6"],
            Action::CycleWindow => &["t"],
            Action::CycleSort => &["s"],
            Action::ReverseSort => &["S"],
            Action::CycleQueue => &["v"],
            Action::MarkOk => &["a"],
            Action::MarkFlag => &["f"],
            Action::MarkEscalate => &["e"],
            Action::Note => &["n"],
            Action::NextUnreviewed => &["]"],
            Action::PrevUnreviewed => &["["],
            Action::CycleLevel => &["l"],
            Action::CycleModule => &["m"],
            Action::Refresh => &["r", "ctrl-r"],
            Action::CopyJson => &["Y"],
            Action::OpenPager => &["e", "E"],
            Action::SearchNext => &["n"],
            Action::SearchPrev => &["N"],
            Action::ReplayPause => &["space"],
            Action::ReplayBack => &["left"],
            Action::ReplayForward => &["right"],
            Action::ReplayBackLong => &["shift-left"],
            Action::ReplayForwardLong => &["shift-right"],
            Action::ReplayFaster => &["+", "="],
            Action::ReplaySlower => &["-"],
            Action::ReplayPrevMark => &["["],
            Action::ReplayNextMark => &["]"],
            Action::ReplayLive => &["G"],
        }
    }
}

/// One key with its modifiers (shift is folded into the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyBinding {
    pub code: KeyCodeKey,
    pub ctrl: bool,
    pub alt: bool,
}

/// The subset of key codes we bind (ordered, hashable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeKey {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    ShiftLeft,
    ShiftRight,
    Home,
    End,
    PageUp,
    PageDown,
    Backspace,
    Delete,
}

impl KeyBinding {
    /// Normalise a terminal key event; `None` for keys we never bind.
    pub fn from_event(event: &KeyEvent) -> Option<KeyBinding> {
        let code = match event.code {
            KeyCode::Char(c) => KeyCodeKey::Char(c),
            KeyCode::F(n) => KeyCodeKey::F(n),
            KeyCode::Enter => KeyCodeKey::Enter,
            KeyCode::Esc => KeyCodeKey::Esc,
            KeyCode::Tab => KeyCodeKey::Tab,
            KeyCode::BackTab => KeyCodeKey::BackTab,
            KeyCode::Up => KeyCodeKey::Up,
            KeyCode::Down => KeyCodeKey::Down,
            KeyCode::Left if event.modifiers.contains(KeyModifiers::SHIFT) => KeyCodeKey::ShiftLeft,
            KeyCode::Right if event.modifiers.contains(KeyModifiers::SHIFT) => {
                KeyCodeKey::ShiftRight
            }
            KeyCode::Left => KeyCodeKey::Left,
            KeyCode::Right => KeyCodeKey::Right,
            KeyCode::Home => KeyCodeKey::Home,
            KeyCode::End => KeyCodeKey::End,
            KeyCode::PageUp => KeyCodeKey::PageUp,
            KeyCode::PageDown => KeyCodeKey::PageDown,
            KeyCode::Backspace => KeyCodeKey::Backspace,
            KeyCode::Delete => KeyCodeKey::Delete,
            _ => return None,
        };
        Some(KeyBinding {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// Parse `q`, `ctrl-c`, `alt-x`, `enter`, `space`, `f1`, `pagedown`…
    pub fn parse(text: &str) -> Result<KeyBinding> {
        let bad = || {
            Error::input(format!(
                "invalid key {text:?} in the keymap: use a character, ctrl-X, alt-X, or a name \
                 (enter, esc, tab, backtab, space, up, down, left, right, shift-left, shift-right, \
                 home, end, pageup, \
                 pagedown, backspace, delete, f1..f12)"
            ))
        };
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = text;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCodeKey::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCodeKey::Enter,
                "esc" | "escape" => KeyCodeKey::Esc,
                "tab" => KeyCodeKey::Tab,
                "backtab" | "shift-tab" => KeyCodeKey::BackTab,
                "space" => KeyCodeKey::Char(' '),
                "up" => KeyCodeKey::Up,
                "down" => KeyCodeKey::Down,
                "left" => KeyCodeKey::Left,
                "right" => KeyCodeKey::Right,
                "shift-left" => KeyCodeKey::ShiftLeft,
                "shift-right" => KeyCodeKey::ShiftRight,
                "home" => KeyCodeKey::Home,
                "end" => KeyCodeKey::End,
                "pageup" | "pgup" => KeyCodeKey::PageUp,
                "pagedown" | "pgdn" => KeyCodeKey::PageDown,
                "backspace" => KeyCodeKey::Backspace,
                "delete" | "del" => KeyCodeKey::Delete,
                f if f.starts_with('f') => {
                    let n: u8 = f[1..].parse().map_err(|_| bad())?;
                    if !(1..=12).contains(&n) {
                        return Err(bad());
                    }
                    KeyCodeKey::F(n)
                }
                _ => return Err(bad()),
            },
        };
        Ok(KeyBinding { code, ctrl, alt })
    }
}

impl fmt::Display for KeyBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCodeKey::Char(' ') => f.write_str("Space"),
            KeyCodeKey::Char(c) => write!(f, "{c}"),
            KeyCodeKey::F(n) => write!(f, "F{n}"),
            KeyCodeKey::Left => f.write_str("←"),
            KeyCodeKey::Right => f.write_str("→"),
            KeyCodeKey::ShiftLeft => f.write_str("Shift-←"),
            KeyCodeKey::ShiftRight => f.write_str("Shift-→"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Action → keys, and the reverse index used on every key press.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: BTreeMap<Action, Vec<KeyBinding>>,
    index: BTreeMap<KeyBinding, Vec<Action>>,
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = Action::ALL
            .iter()
            .map(|&a| {
                let keys = a
                    .default_keys()
                    .iter()
                    .filter_map(|k| KeyBinding::parse(k).ok())
                    .collect();
                (a, keys)
            })
            .collect();
        let mut map = Keymap {
            bindings,
            index: BTreeMap::new(),
        };
        map.rebuild_index();
        map
    }
}

impl Keymap {
    /// The defaults with `overrides` (action name → key list) applied. An
    /// override replaces all default keys of that action.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap> {
        let mut map = Keymap::default();
        for (name, keys) in overrides {
            let action = Action::from_name(name).ok_or_else(|| {
                Error::input(format!(
                    "unknown action {name:?} in the keymap: known actions are {}",
                    Action::ALL
                        .iter()
                        .map(|a| a.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            let parsed = keys
                .iter()
                .map(|k| KeyBinding::parse(k))
                .collect::<Result<Vec<_>>>()?;
            map.bindings.insert(action, parsed);
        }
        map.rebuild_index();
        Ok(map)
    }

    fn rebuild_index(&mut self) {
        self.index.clear();
        for &action in Action::ALL {
            for key in self.bindings.get(&action).into_iter().flatten() {
                self.index.entry(*key).or_default().push(action);
            }
        }
    }

    /// Actions bound to this key event, in help order.
    pub fn actions_for(&self, event: &KeyEvent) -> &[Action] {
        KeyBinding::from_event(event)
            .and_then(|k| self.index.get(&k))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Keys bound to an action.
    pub fn keys_for(&self, action: Action) -> &[KeyBinding] {
        self.bindings.get(&action).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The first key of an action as text (for hints), or `-` if unbound.
    pub fn hint(&self, action: Action) -> String {
        self.keys_for(action)
            .first()
            .map(|k| k.to_string())
            .unwrap_or_else(|| "-".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_named_and_modified_keys() {
        assert_eq!(
            KeyBinding::parse("ctrl-c").unwrap(),
            KeyBinding {
                code: KeyCodeKey::Char('c'),
                ctrl: true,
                alt: false
            }
        );
        assert_eq!(
            KeyBinding::parse("pagedown").unwrap().code,
            KeyCodeKey::PageDown
        );
        assert_eq!(KeyBinding::parse("f12").unwrap().code, KeyCodeKey::F(12));
        assert!(KeyBinding::parse("f13").is_err());
        assert!(KeyBinding::parse("bogus").is_err());
    }

    #[test]
    fn overrides_replace_defaults_and_reject_unknown_actions() {
        let mut o = BTreeMap::new();
        o.insert("quit".to_string(), vec!["x".to_string()]);
        let map = Keymap::with_overrides(&o).unwrap();
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        let x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        assert!(map.actions_for(&q).is_empty());
        assert_eq!(map.actions_for(&x), &[Action::Quit]);
        o.insert("fly".to_string(), vec!["z".to_string()]);
        let err = Keymap::with_overrides(&o).unwrap_err().to_string();
        assert!(err.contains("unknown action \"fly\""), "{err}");
    }

    #[test]
    fn every_action_has_a_default_key() {
        let map = Keymap::default();
        for &a in Action::ALL {
            assert!(!map.keys_for(a).is_empty(), "{a:?} has no key");
        }
    }
}
