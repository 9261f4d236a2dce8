//! The console's state and its one transition function, [`App::update`].
//!
//! `update` takes a [`Msg`] (a key, a mouse event, a tick, a batch of
//! events, a query reply) and changes state. It performs no I/O: whatever
//! needs the outside world (a query to an engine, a verdict to store, a
//! clipboard write, a theme file) is queued as an [`Effect`] that the event
//! loop drains and executes, sending the outcome back as a message. This
//! keeps every behaviour testable with plain values and the views
//! snapshot-testable.
//!
//! The app itself only routes: keys to the overlay, the focused text box or
//! the current screen (`screens/`), replies to the screen that asked, and
//! navigation between screens (`Nav`). Each screen owns its state and
//! handling.

use super::config::Thresholds;
use super::feed::{DEFAULT_FEED_CAPACITY, FeedFilter, FeedRow};
use super::keymap::{Action, Keymap};
use super::layout::ScreenLayout;
use super::palette::PALETTE_HINT;
use super::screens::live::FeedPosition;
use super::screens::{Cx, Nav, text_area};
use super::theme::Theme;
use crate::model::*;
use crate::query::*;
use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use std::collections::BTreeMap;

pub use super::msg::*;
pub use super::screens::CostWindow;
pub use super::screens::audit::{
    AUDIT_QUEUE_LIMIT, AuditFocus, AuditState, QueueFilter, ReviewSubject, ShownVerdict,
};
pub use super::screens::costs::{CostsPane, CostsState};
pub use super::screens::leaders::{LeadersPane, LeadersState};
pub use super::screens::live::LiveState;
pub use super::screens::logs::{LOG_LIMIT, LogsState};
pub use super::screens::trace::{TracePane, TraceState};
pub use overlays::{ALL_MODULES, Overlay, Picker, TraceList};

/// The views, in digit order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViewId {
    Live,
    Trace,
    Costs,
    Leaderboards,
    Audit,
    Logs,
}

impl ViewId {
    /// Every view in tab order.
    pub const ALL: [ViewId; 6] = [
        ViewId::Live,
        ViewId::Trace,
        ViewId::Costs,
        ViewId::Leaderboards,
        ViewId::Audit,
        ViewId::Logs,
    ];

    /// Tab title.
    pub fn title(self) -> &'static str {
        match self {
            ViewId::Live => "Live",
            ViewId::Trace => "Trace",
            ViewId::Costs => "Costs",
            ViewId::Leaderboards => "Leaders",
            ViewId::Audit => "Audit",
            ViewId::Logs => "Logs",
        }
    }
}

/// Where `Esc` from the trace view goes back to: the view, and the feed's
/// position when it was the live view (the other screens keep their own
/// cursor while the trace is open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturnPoint {
    pub view: ViewId,
    pub feed: FeedPosition,
}

/// A fixed window as the console shows it: `11-24 00:00 → 11-25 00:00 UTC`.
pub fn window_label(window: &TimeWindow) -> String {
    format!(
        "{} → {} UTC",
        window.start.format("%Y-%m-%d %H:%M"),
        window.end.format("%Y-%m-%d %H:%M")
    )
}

/// Seconds between background refreshes of the visible view.
pub const REFRESH_SECS: i64 = 5;
/// Most bytes put on the clipboard with OSC 52 (terminals drop more).
const OSC52_LIMIT: usize = 100 * 1024;
/// Seconds a status message stays in the footer.
const STATUS_SECS: i64 = 4;

/// The whole console state.
#[derive(Debug, Clone)]
pub struct App {
    pub view: ViewId,
    pub overlay: Option<Overlay>,
    pub theme: Theme,
    /// `NO_COLOR` was set when the console started: every theme loads
    /// without colour.
    pub no_color: bool,
    pub keymap: Keymap,
    pub thresholds: Thresholds,
    /// Terminal size.
    pub size: (u16, u16),
    /// Where everything sits at this size.
    pub layout: ScreenLayout,
    pub now: Timestamp,
    /// Source name shown in the header (`demo`, `postgres`, a URL host).
    pub source_label: String,
    pub source_state: SourceState,
    pub counters: SourceCounters,
    pub overview: Option<PlatformOverview>,
    overview_slot: Slot,
    /// When the user directory was last asked for (names for user ids).
    users_asked_at: Option<Timestamp>,
    /// `:trace PREFIX` lookups.
    trace_lookup_slot: Slot,
    /// Trace lists of drill-downs.
    traces_slot: Slot,
    pub rates: LiveRates,
    /// The newest counters the source reported (a systemprompt stream's
    /// REAL_TIME_STATS); when present they drive the ribbon.
    pub source_stats: Option<StatsSnapshot>,
    pub open_anomalies: BTreeMap<String, Anomaly>,
    pub live: LiveState,
    pub trace: Option<TraceState>,
    /// Where `Esc` from the open trace goes.
    pub trace_return: Option<ReturnPoint>,
    /// `:window FROM..TO`: every report answers for this window.
    pub fixed_window: Option<TimeWindow>,
    /// The replay of a past window, while one runs (time travel).
    pub replay: Option<crate::tui::replay::ReplayState>,
    replay_generation: u64,
    /// The replayed view's checkpoints (a seek back starts from one).
    pub replay_checkpoints: crate::tui::replay_checkpoints::ReplayCheckpoints,
    /// The live view kept aside while a replay runs.
    pub live_aside: Option<Box<replay::LiveAside>>,
    /// The source can read past windows (`:goto`, `:window` replay them;
    /// without, `:window` only fixes the reports' window).
    pub can_time_travel: bool,
    /// The console replays a recording: there is no live to go back to.
    pub replay_only: bool,
    /// The speed replays start at (`--speed`).
    pub replay_speed: f64,
    pub costs: CostsState,
    /// Burn rate and budgets (the ribbon, the costs view).
    pub spend: super::spend::SpendState,
    pub leaders: LeadersState,
    pub audit: AuditState,
    pub logs: LogsState,
    /// Footer message and when it was set.
    pub status: Option<(String, Timestamp)>,
    /// Who verdicts are recorded as (`$USER`, or `reviewer =` in the config).
    pub reviewer: String,
    /// The prices the costs view re-prices at to show drift (`--prices`,
    /// config `prices`, else the shipped table). Data only: the queries
    /// that use it run in the event loop.
    pub prices: std::sync::Arc<crate::prices::RateCard>,
    /// Said in the audit view when verdicts are not kept durably (demo and
    /// replay keep them in memory; a database without the verdict table
    /// refuses them).
    pub review_store_note: Option<String>,
    /// Palette commands run, oldest first (Up / Down recall them).
    pub palette_history: Vec<String>,
    palette_recall: Option<usize>,
    pub should_quit: bool,
    /// Something visible changed since the last draw.
    pub dirty: bool,
    /// The change answers the user (key, mouse, resize, reply): draw at the
    /// full frame rate. Data-only changes are drawn at a lower rate.
    pub urgent: bool,
    effects: Vec<Effect>,
    last_refresh: Option<Timestamp>,
}

/// Run `$body` with a [`Cx`] named `$cx` over the app's effect queue and
/// footer, then carry out the navigation it asked for.
macro_rules! with_cx {
    ($app:ident, $cx:ident => $body:expr) => {{
        let clock = $app.clock();
        let mut $cx = Cx::new(clock, &$app.layout, &mut $app.effects, &mut $app.status);
        $cx.fixed_window = $app.fixed_window;
        let result = $body;
        let nav = $cx.take_nav();
        if let Some(nav) = nav {
            $app.navigate(nav);
        }
        result
    }};
}

// after the macro, which they use
mod mouse;
mod navigation;
mod overlays;
mod replay;
mod selected;
mod source;

/// How often the console re-reads the user directory, in seconds.
pub const USER_DIRECTORY_SECS: i64 = 300;

impl App {
    /// How a user is shown everywhere: the name (with a short id when two
    /// users share it), else the id; cleaned for the terminal.
    pub fn user_label<'a>(&'a self, id: &'a str) -> std::borrow::Cow<'a, str> {
        self.live.feed.users().label(id)
    }

    /// A fresh console at `now` with the given look and keys.
    pub fn new(theme: Theme, keymap: Keymap, thresholds: Thresholds, now: Timestamp) -> App {
        App {
            view: ViewId::Live,
            overlay: None,
            theme,
            no_color: false,
            keymap,
            thresholds,
            size: (80, 24),
            layout: ScreenLayout::sized(80, 24),
            now,
            source_label: String::new(),
            source_state: SourceState::Connecting,
            counters: SourceCounters::default(),
            overview: None,
            overview_slot: Slot::default(),
            users_asked_at: None,
            trace_lookup_slot: Slot::default(),
            traces_slot: Slot::default(),
            rates: LiveRates::default(),
            source_stats: None,
            open_anomalies: BTreeMap::new(),
            live: LiveState::new(DEFAULT_FEED_CAPACITY),
            trace: None,
            trace_return: None,
            fixed_window: None,
            replay: None,
            replay_generation: 0,
            replay_checkpoints: Default::default(),
            live_aside: None,
            can_time_travel: false,
            replay_only: false,
            replay_speed: 1.0,
            costs: CostsState::default(),
            spend: super::spend::SpendState::default(),
            leaders: LeadersState::default(),
            audit: AuditState::default(),
            logs: LogsState::default(),
            status: None,
            reviewer: "tracetop".to_string(),
            prices: crate::prices::RateCard::shipped(),
            review_store_note: None,
            palette_history: Vec::new(),
            palette_recall: None,
            should_quit: false,
            dirty: true,
            urgent: true,
            effects: Vec::new(),
            last_refresh: None,
        }
    }

    /// The same app with a feed of another capacity (tests, benchmarks).
    pub fn with_feed_capacity(mut self, capacity: usize) -> App {
        self.live = LiveState::new(capacity);
        self
    }

    /// Take the effects queued since the last call.
    pub fn drain_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// Effects queued so far (for tests).
    pub fn pending_effects(&self) -> &[Effect] {
        &self.effects
    }

    /// Initial queries (overview and the first view's data).
    pub fn start(&mut self) {
        self.refresh(true);
    }

    fn say(&mut self, text: impl Into<String>) {
        self.status = Some((text.into(), self.now));
    }

    /// The report window a screen shows: the fixed one, or its rolling
    /// window's label.
    pub fn window_caption(&self, rolling: CostWindow) -> String {
        match &self.fixed_window {
            Some(w) => window_label(w),
            None => rolling.label().to_string(),
        }
    }

    /// Generation of the newest overview query asked.
    pub fn overview_generation(&self) -> u64 {
        self.overview_slot.latest()
    }

    /// The event loop drew the screen.
    pub fn drawn(&mut self) {
        self.dirty = false;
        self.urgent = false;
        self.live.drawn();
    }

    /// Height of the feed's row area for the current size.
    pub fn feed_page(&self) -> usize {
        self.layout.feed_page()
    }

    /// Apply one message.
    pub fn update(&mut self, msg: Msg) {
        if matches!(
            msg,
            Msg::Key(_) | Msg::Mouse(_) | Msg::Resize(..) | Msg::Reply(_) | Msg::ThemeLoaded(..)
        ) {
            self.urgent = true;
        }
        match msg {
            Msg::Key(key) => {
                self.dirty = true;
                self.on_key(key);
            }
            Msg::Mouse(mouse) => self.on_mouse(mouse),
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.layout = ScreenLayout::sized(w, h);
                self.dirty = true;
            }
            Msg::Tick(now) => {
                self.now = now;
                if let Some((_, at)) = &self.status
                    && now - *at >= Duration::seconds(STATUS_SECS)
                {
                    self.status = None;
                    self.dirty = true;
                }
                self.tick_replay(now);
                let due = self
                    .last_refresh
                    .is_none_or(|t| now - t >= Duration::seconds(REFRESH_SECS));
                if due {
                    self.refresh(false);
                }
            }
            Msg::Source(update) => self.on_source(update),
            Msg::Replay(msg) => self.on_replay(msg),
            Msg::Rates(rates) => {
                if rates != self.rates {
                    self.rates = rates;
                    self.dirty = true;
                }
            }
            Msg::Reply(reply) => {
                self.dirty = true;
                self.on_reply(reply);
            }
            Msg::Notice(text) => {
                self.dirty = true;
                self.say(text);
            }
            Msg::ThemeLoaded(name, answer) => {
                self.dirty = true;
                match answer {
                    Ok(theme) => {
                        self.theme = *theme;
                        self.say(if self.no_color {
                            format!("theme {name}, without colour: NO_COLOR is set and wins")
                        } else {
                            format!("theme {name}")
                        });
                    }
                    Err(e) => self.say(e),
                }
            }
        }
    }

    /// Queue the periodic queries for the overview and the visible view.
    fn refresh(&mut self, force_view: bool) {
        self.last_refresh = Some(self.now);
        self.effects.push(Effect::Query(Query::Overview {
            generation: self.overview_slot.again(),
            now: self.clock(),
        }));
        if let Some(query) = self.spend.ask_if_due(self.now, force_view) {
            self.effects.push(Effect::Query(query));
        }
        if self
            .users_asked_at
            .is_none_or(|at| self.now - at >= chrono::Duration::seconds(USER_DIRECTORY_SECS))
        {
            self.users_asked_at = Some(self.now);
            self.effects.push(Effect::Query(Query::Users));
        }
        with_cx!(self, cx => match self.view {
            ViewId::Costs => self.costs.refresh(&mut cx),
            ViewId::Leaderboards => self.leaders.refresh(&mut cx),
            ViewId::Audit => self.audit.refresh(&mut cx),
            ViewId::Logs if !self.logs.asked() => self.logs.search(&mut cx),
            ViewId::Logs if force_view => self.logs.refresh(&mut cx),
            // `r` refreshes any trace; a running one refreshes itself
            ViewId::Trace => {
                if let Some(trace) = self.trace.as_mut()
                    && (force_view || trace.is_running())
                {
                    trace.refresh(&mut cx)
                }
            }
            _ => {}
        })
    }

    fn switch_view(&mut self, view: ViewId) {
        if self.view == view {
            return;
        }
        self.view = view;
        self.refresh(true);
    }

    // ---------------------------------------------------------------- keys

    fn on_key(&mut self, key: KeyEvent) {
        if key.kind == crossterm::event::KeyEventKind::Release {
            return;
        }
        if let Some(overlay) = self.overlay.take() {
            self.on_overlay_key(overlay, key);
            return;
        }
        // Focused text boxes take typing first; Ctrl-C still quits.
        let typing = match self.view {
            ViewId::Audit => self.audit.typing(),
            ViewId::Logs => self.logs.typing(),
            _ => false,
        };
        if typing {
            if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
                self.should_quit = true;
                return;
            }
            with_cx!(self, cx => match self.view {
                ViewId::Audit => self.audit.on_prefix_key(key, &mut cx),
                _ => self.logs.on_search_key(key, &mut cx),
            });
            return;
        }
        let mut actions: Vec<Action> = self.keymap.actions_for(&key).to_vec();
        if self.replay.is_some() && self.view == ViewId::Live {
            // the scrub keys win in the live view while a replay runs
            actions.sort_by_key(|a| !a.is_replay());
        }
        for action in actions {
            if self.apply(action) {
                return;
            }
        }
    }

    /// Run an action; false when it does not apply in the current view.
    pub fn apply(&mut self, action: Action) -> bool {
        match action {
            Action::Quit => self.should_quit = true,
            Action::Help => self.overlay = Some(Overlay::help()),
            Action::Palette => self.overlay = Some(Overlay::Palette(text_area(PALETTE_HINT))),
            Action::ViewLive => self.switch_view(ViewId::Live),
            Action::ViewTrace => {
                if self.trace.is_some() {
                    self.switch_view(ViewId::Trace)
                } else {
                    self.say("no trace open: press Enter on a feed row or :trace ID");
                }
            }
            Action::ViewCosts => self.switch_view(ViewId::Costs),
            Action::ViewLeaderboards => self.switch_view(ViewId::Leaderboards),
            Action::ViewAudit => self.switch_view(ViewId::Audit),
            Action::ViewLogs => self.switch_view(ViewId::Logs),
            Action::CopyId => match self.selected_id() {
                Some(id) => {
                    self.say(format!("copied {id}"));
                    self.effects.push(Effect::Copy(id));
                }
                None => self.say("nothing selected to copy"),
            },
            Action::Refresh => self.refresh(true),
            a if a.is_replay() => return self.apply_replay(a),
            Action::CopyJson | Action::OpenPager => {
                // screens first: `e` escalates in the audit view
                if action == Action::OpenPager && self.apply_in_view(action) {
                    return true;
                }
                match self.selected_json() {
                    Some((what, json)) if action == Action::OpenPager => {
                        self.effects.push(Effect::Pager {
                            title: what.clone(),
                            text: json,
                        });
                    }
                    Some((what, json)) if json.len() > OSC52_LIMIT => self.say(format!(
                        "{what} is {} KB, too big for the clipboard: E opens it in the pager",
                        json.len() / 1024
                    )),
                    Some((what, json)) => {
                        self.say(format!("copied {what} as JSON"));
                        self.effects.push(Effect::Copy(json));
                    }
                    None => self.say("nothing selected"),
                }
            }
            _ => return self.apply_in_view(action),
        }
        true
    }

    fn apply_in_view(&mut self, action: Action) -> bool {
        let reviewer = self.reviewer.clone();
        with_cx!(self, cx => match self.view {
            ViewId::Live => self.live.on_action(action, &mut cx),
            ViewId::Trace => self
                .trace
                .as_mut()
                .is_some_and(|t| t.on_action(action, &self.theme, &mut cx)),
            ViewId::Costs => self.costs.on_action(action, &mut cx),
            ViewId::Leaderboards => self.leaders.on_action(action, &mut cx),
            ViewId::Audit => self.audit.on_action(action, &reviewer, &mut cx),
            ViewId::Logs => self.logs.on_action(action, &mut cx),
        })
    }

    // ------------------------------------------------------------- replies

    /// Hand a reply to the screen that asked.
    fn on_reply(&mut self, reply: Reply) {
        match reply {
            // names are a nicety: a source without a directory keeps ids
            Reply::Users(answer) => {
                if let Ok(users) = answer {
                    self.live.feed.learn_users(&users);
                    self.dirty = true;
                }
            }
            Reply::Overview(generation, answer) => {
                if self.overview_slot.accept(generation) {
                    match answer {
                        Ok(o) => self.overview = Some(o),
                        Err(e) => self.say(format!("overview: {e}")),
                    }
                }
            }
            Reply::Trace(generation, id, answer) => {
                let page = self.layout.waterfall_rows();
                if let Some(t) = self.trace.as_mut().filter(|t| t.trace_id == id) {
                    t.on_detail(generation, answer, page, self.now);
                }
            }
            Reply::TraceResolved(generation, prefix, answer) => {
                if self.trace_lookup_slot.accept(generation) {
                    self.on_trace_resolved(&prefix, answer);
                }
            }
            Reply::Traces(generation, answer) => {
                if self.traces_slot.accept(generation)
                    && let Some(Overlay::Traces(list)) = self.overlay.as_mut()
                    && list.generation == generation
                {
                    list.traces = match answer {
                        Ok(traces) => Loadable::Ready(traces),
                        Err(e) => Loadable::Failed(e.message),
                    };
                }
            }
            Reply::TraceAudit(generation, id, answer) => {
                if let Some(t) = self.trace.as_mut().filter(|t| t.trace_id == id) {
                    t.on_audit(generation, answer);
                }
            }
            Reply::Costs(generation, answer) => {
                with_cx!(self, cx => self.costs.on_reply(generation, answer, &mut cx))
            }
            Reply::Leaders(generation, answer) => {
                with_cx!(self, cx => self.leaders.on_reply(generation, answer, &mut cx))
            }
            Reply::AuditLookup(generation, answer) => self.audit.on_lookup(generation, answer),
            Reply::AuditQueue(generation, answer) => {
                with_cx!(self, cx => self.audit.on_queue(generation, answer, &mut cx))
            }
            Reply::AuditRecord(generation, id, answer) => {
                self.audit.on_record(generation, &id, answer)
            }
            Reply::Logs(generation, answer) => {
                with_cx!(self, cx => self.logs.on_reply(generation, answer, &mut cx))
            }
            Reply::Review(target, answer) => {
                with_cx!(self, cx => self.audit.on_review(target, answer, &mut cx))
            }
            Reply::Spend(generation, answer) => {
                if self.spend.on_reply(generation, answer) {
                    self.dirty = true;
                }
            }
        }
    }
}
