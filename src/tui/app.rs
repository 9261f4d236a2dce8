//! The console's state and its one transition function, [`App::update`].
//!
//! `update` takes a [`Msg`] (a key, a mouse event, a tick, a batch of
//! events, a query reply) and changes state. It performs no I/O: whatever
//! needs the outside world (a query to an engine, a verdict to store, a
//! clipboard write) is queued as an [`Effect`] that the event loop drains and
//! executes, sending the outcome back as a [`Msg::Reply`]. This keeps every
//! behaviour testable with plain values and the views snapshot-testable.

use super::config::Thresholds;
use super::feed::{DEFAULT_FEED_CAPACITY, Feed, FeedFilter, FeedRow};
use super::keymap::{Action, Keymap};
use super::theme::Theme;
use crate::model::*;
use crate::query::*;
use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;
use std::collections::{BTreeMap, HashMap};
use tui_textarea::TextArea;

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

/// Something that arrives at the app.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Timer tick carrying the wall clock (refreshes, status expiry).
    Tick(Timestamp),
    /// From the live source.
    Source(SourceUpdate),
    /// Rolling rates computed by the live engine.
    Rates(LiveRates),
    /// A query or review answered.
    Reply(Reply),
}

/// Work for the event loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Query(Query),
    RecordReview(NewReview),
    /// Put this text on the clipboard (OSC 52).
    Copy(String),
}

/// A question for the history engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    Overview {
        now: Timestamp,
    },
    Trace {
        trace_id: TraceId,
    },
    /// The audit record of a whole trace: conversations of its requests.
    TraceAudit {
        trace_id: TraceId,
    },
    Costs {
        window: TimeWindow,
        bucket: Bucket,
        now: Timestamp,
    },
    Leaders {
        window: TimeWindow,
        sort: ToolSort,
    },
    AuditLookup {
        generation: u64,
        prefix: String,
    },
    AuditQueue {
        window: TimeWindow,
    },
    AuditRecord {
        id: String,
    },
    Logs {
        generation: u64,
        filter: LogFilter,
        window: TimeWindow,
    },
}

/// Errors travel as text: the app only shows them.
pub type Answer<T> = std::result::Result<T, String>;

/// Costs view data, fetched together.
#[derive(Debug, Clone, PartialEq)]
pub struct CostsData {
    pub summary: CostSummary,
    pub overview: CostOverview,
    pub by_model: Vec<CostBreakdownRow>,
    pub by_provider: Vec<CostBreakdownRow>,
    pub by_agent: Vec<CostBreakdownRow>,
    pub trend: Vec<CostTrendBucket>,
}

/// Leaderboards view data.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadersData {
    pub users: Vec<UserLeader>,
    pub agents: Vec<AgentLeader>,
    pub top_tools: Vec<ToolStats>,
    pub tools: Vec<ToolStats>,
}

/// Logs view data.
#[derive(Debug, Clone, PartialEq)]
pub struct LogsData {
    pub lines: Vec<LogRecord>,
    pub summary: LogSummary,
}

/// Audit queue data: recent requests and every verdict known.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueData {
    pub requests: Vec<AiRequestRecord>,
    pub reviews: Vec<ReviewRecord>,
}

/// A query's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Overview(Answer<PlatformOverview>),
    Trace(TraceId, Answer<Box<TraceDetail>>),
    TraceAudit(TraceId, Answer<AuditResolution>),
    Costs(TimeWindow, Answer<Box<CostsData>>),
    Leaders(Answer<Box<LeadersData>>),
    AuditLookup(u64, Answer<AuditResolution>),
    AuditQueue(Answer<QueueData>),
    AuditRecord(String, Answer<AuditResolution>),
    Logs(u64, Answer<LogsData>),
    /// A verdict stored (or refused) for this target id.
    Review(String, Answer<ReviewRecord>),
}

/// Data that is asked for and arrives later.
#[derive(Debug, Clone, PartialEq)]
pub enum Loadable<T> {
    NotAsked,
    Loading,
    Ready(T),
    Failed(String),
}

impl<T> Loadable<T> {
    /// The value if ready.
    pub fn ready(&self) -> Option<&T> {
        match self {
            Loadable::Ready(v) => Some(v),
            _ => None,
        }
    }
}

/// Modal overlays drawn over the current view.
#[derive(Debug, Clone)]
pub enum Overlay {
    Help {
        scroll: u16,
    },
    Palette(Box<TextArea<'static>>),
    Filter(Box<TextArea<'static>>),
    Note {
        target: String,
        editor: Box<TextArea<'static>>,
    },
}

/// The live view: feed plus follow/selection.
#[derive(Debug, Clone)]
pub struct LiveState {
    pub feed: Feed,
    /// Newest row selected and kept on top as rows arrive.
    pub follow: bool,
    /// Selected row when not following.
    pub anchor_seq: Option<u64>,
    /// Row of the selection within the viewport.
    pub screen_row: usize,
}

/// Where `Esc` from the trace view goes back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturnPoint {
    pub view: ViewId,
    pub anchor_seq: Option<u64>,
    pub screen_row: usize,
}

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
    pub selected: usize,
    pub offset: usize,
    pub detail_scroll: u16,
    pub focus: TracePane,
    pub return_to: Option<ReturnPoint>,
}

/// Costs view windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostWindow {
    Day,
    Week,
    Month,
}

impl CostWindow {
    /// Label.
    pub fn label(self) -> &'static str {
        match self {
            CostWindow::Day => "24h",
            CostWindow::Week => "7d",
            CostWindow::Month => "30d",
        }
    }
    fn span(self) -> Duration {
        match self {
            CostWindow::Day => Duration::hours(24),
            CostWindow::Week => Duration::days(7),
            CostWindow::Month => Duration::days(30),
        }
    }
    fn bucket(self) -> Bucket {
        match self {
            CostWindow::Day => Bucket::Hour,
            _ => Bucket::Day,
        }
    }
    fn next(self) -> CostWindow {
        match self {
            CostWindow::Day => CostWindow::Week,
            CostWindow::Week => CostWindow::Month,
            CostWindow::Month => CostWindow::Day,
        }
    }
}

/// The costs view.
#[derive(Debug, Clone)]
pub struct CostsState {
    pub window: CostWindow,
    pub data: Loadable<Box<CostsData>>,
    /// Which breakdown table is focused (0 model, 1 provider, 2 agent).
    pub focus: usize,
}

/// The leaderboards view.
#[derive(Debug, Clone)]
pub struct LeadersState {
    pub window: CostWindow,
    pub sort: ToolSort,
    pub data: Loadable<Box<LeadersData>>,
    /// Focused pane (0 users, 1 agents, 2 top tools, 3 tools table).
    pub focus: usize,
    pub selected: usize,
}

/// Which rows the audit queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueFilter {
    All,
    Errors,
    Anomalies,
    Unreviewed,
}

impl QueueFilter {
    /// Label.
    pub fn label(self) -> &'static str {
        match self {
            QueueFilter::All => "all",
            QueueFilter::Errors => "errors",
            QueueFilter::Anomalies => "anomalies",
            QueueFilter::Unreviewed => "unreviewed",
        }
    }
    fn next(self) -> QueueFilter {
        match self {
            QueueFilter::All => QueueFilter::Errors,
            QueueFilter::Errors => QueueFilter::Anomalies,
            QueueFilter::Anomalies => QueueFilter::Unreviewed,
            QueueFilter::Unreviewed => QueueFilter::All,
        }
    }
}

/// Which part of the audit view has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditFocus {
    Prefix,
    Queue,
    Record,
}

/// The latest verdict on a target, as shown in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub verdict: String,
    pub note: Option<String>,
    pub reviewer: String,
    /// True until the store confirmed it.
    pub pending: bool,
}

/// The audit view.
#[derive(Debug, Clone)]
pub struct AuditState {
    pub prefix: Box<TextArea<'static>>,
    pub focus: AuditFocus,
    pub lookup_generation: u64,
    pub lookup: Loadable<AuditResolution>,
    pub queue: Loadable<Vec<AiRequestRecord>>,
    pub queue_filter: QueueFilter,
    pub selected: usize,
    pub verdicts: HashMap<String, Verdict>,
    /// Notes written but not yet recorded with a verdict.
    pub notes: HashMap<String, String>,
    pub record: Loadable<AuditRecord>,
    pub record_scroll: u16,
}

/// The logs view.
#[derive(Debug, Clone)]
pub struct LogsState {
    pub search: Box<TextArea<'static>>,
    pub search_focused: bool,
    pub level: Option<String>,
    pub module: Option<String>,
    pub generation: u64,
    pub data: Loadable<LogsData>,
    pub selected: usize,
}

/// Log levels `l` cycles through (None = all).
pub const LOG_LEVELS: [Option<&str>; 6] = [
    None,
    Some("ERROR"),
    Some("WARN"),
    Some("INFO"),
    Some("DEBUG"),
    Some("TRACE"),
];

/// Seconds between background refreshes of the visible view.
pub const REFRESH_SECS: i64 = 5;
/// Seconds a status message stays in the footer.
const STATUS_SECS: i64 = 4;
/// Requests loaded into the audit queue.
pub const AUDIT_QUEUE_LIMIT: usize = 500;
/// Log lines loaded by the logs view.
pub const LOG_LIMIT: usize = 500;

/// The whole console state.
#[derive(Debug, Clone)]
pub struct App {
    pub view: ViewId,
    pub overlay: Option<Overlay>,
    pub theme: Theme,
    pub keymap: Keymap,
    pub thresholds: Thresholds,
    /// Terminal size.
    pub size: (u16, u16),
    pub now: Timestamp,
    /// Source name shown in the header (`demo`, `postgres`, a URL host).
    pub source_label: String,
    pub source_state: SourceState,
    pub counters: SourceCounters,
    pub overview: Option<PlatformOverview>,
    pub rates: LiveRates,
    /// The newest counters the source reported (a systemprompt stream's
    /// REAL_TIME_STATS); when present they drive the ribbon.
    pub source_stats: Option<StatsSnapshot>,
    pub open_anomalies: BTreeMap<String, Anomaly>,
    pub live: LiveState,
    pub trace: Option<TraceState>,
    pub costs: CostsState,
    pub leaders: LeadersState,
    pub audit: AuditState,
    pub logs: LogsState,
    /// Footer message and when it was set.
    pub status: Option<(String, Timestamp)>,
    pub reviewer: String,
    pub should_quit: bool,
    /// Something visible changed since the last draw.
    pub dirty: bool,
    /// The change answers the user (key, mouse, resize, reply): draw at the
    /// full frame rate. Data-only changes are drawn at a lower rate.
    pub urgent: bool,
    effects: Vec<Effect>,
    last_refresh: Option<Timestamp>,
}

fn text_area(placeholder: &str) -> Box<TextArea<'static>> {
    let mut t = TextArea::default();
    t.set_placeholder_text(placeholder);
    t.set_cursor_line_style(ratatui::style::Style::default());
    Box::new(t)
}

fn single_line(t: &TextArea<'_>) -> String {
    t.lines().join(" ").trim().to_string()
}

impl App {
    /// A fresh console at `now` with the given look and keys.
    pub fn new(theme: Theme, keymap: Keymap, thresholds: Thresholds, now: Timestamp) -> App {
        App {
            view: ViewId::Live,
            overlay: None,
            theme,
            keymap,
            thresholds,
            size: (80, 24),
            now,
            source_label: String::new(),
            source_state: SourceState::Connecting,
            counters: SourceCounters::default(),
            overview: None,
            rates: LiveRates::default(),
            source_stats: None,
            open_anomalies: BTreeMap::new(),
            live: LiveState {
                feed: Feed::new(DEFAULT_FEED_CAPACITY),
                follow: true,
                anchor_seq: None,
                screen_row: 0,
            },
            trace: None,
            costs: CostsState {
                window: CostWindow::Day,
                data: Loadable::NotAsked,
                focus: 0,
            },
            leaders: LeadersState {
                window: CostWindow::Week,
                sort: ToolSort::Executions,
                data: Loadable::NotAsked,
                focus: 3,
                selected: 0,
            },
            audit: AuditState {
                prefix: text_area("type a request, task or trace id prefix (4+ chars)"),
                focus: AuditFocus::Queue,
                lookup_generation: 0,
                lookup: Loadable::NotAsked,
                queue: Loadable::NotAsked,
                queue_filter: QueueFilter::All,
                selected: 0,
                verdicts: HashMap::new(),
                notes: HashMap::new(),
                record: Loadable::NotAsked,
                record_scroll: 0,
            },
            logs: LogsState {
                search: text_area("search log messages"),
                search_focused: false,
                level: None,
                module: None,
                generation: 0,
                data: Loadable::NotAsked,
                selected: 0,
            },
            status: None,
            reviewer: "tracetop".to_string(),
            should_quit: false,
            dirty: true,
            urgent: true,
            effects: Vec::new(),
            last_refresh: None,
        }
    }

    /// Replace the feed's capacity (drops its rows).
    pub fn with_feed_capacity(mut self, capacity: usize) -> App {
        self.live.feed = Feed::new(capacity);
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

    /// Height of the feed's row area for the current size.
    pub fn feed_page(&self) -> usize {
        super::views::live::feed_rows_area(Rect::new(0, 0, self.size.0, self.size.1)).height
            as usize
    }

    /// Apply one message.
    pub fn update(&mut self, msg: Msg) {
        if matches!(
            msg,
            Msg::Key(_) | Msg::Mouse(_) | Msg::Resize(..) | Msg::Reply(_)
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
                let due = self
                    .last_refresh
                    .is_none_or(|t| now - t >= Duration::seconds(REFRESH_SECS));
                if due {
                    self.refresh(false);
                }
            }
            Msg::Source(update) => self.on_source(update),
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
        }
    }

    fn on_source(&mut self, update: SourceUpdate) {
        match update {
            SourceUpdate::Events(events) => {
                for event in &events {
                    match event {
                        Event::AnomalyRaised { anomaly } | Event::AnomalyEscalated { anomaly } => {
                            self.open_anomalies
                                .insert(anomaly.id.clone(), anomaly.clone());
                        }
                        Event::AnomalyCleared { anomaly } => {
                            self.open_anomalies.remove(&anomaly.id);
                        }
                        Event::StatsSnapshot { stats } => {
                            self.source_stats = Some(stats.clone());
                            self.dirty = true;
                        }
                        _ => {}
                    }
                }
                let added = self.live.feed.push_events_with(&events, &self.thresholds);
                if added > 0 {
                    self.dirty = true;
                }
            }
            SourceUpdate::State(state) => {
                if state != self.source_state {
                    self.source_state = state;
                    self.dirty = true;
                }
            }
            SourceUpdate::Counters(counters) => {
                if counters != self.counters {
                    self.counters = counters;
                    self.dirty = true;
                }
            }
            raw @ SourceUpdate::Raw(_) => self.on_source(raw.decoded()),
        }
    }

    /// Queue the periodic queries for the overview and the visible view.
    fn refresh(&mut self, force_view: bool) {
        self.last_refresh = Some(self.now);
        self.effects
            .push(Effect::Query(Query::Overview { now: self.now }));
        match self.view {
            ViewId::Costs => self.query_costs(),
            ViewId::Leaderboards => self.query_leaders(),
            ViewId::Audit => self.query_audit_queue(),
            ViewId::Logs if force_view || matches!(self.logs.data, Loadable::NotAsked) => {
                self.query_logs()
            }
            _ => {}
        }
    }

    fn query_costs(&mut self) {
        let window = TimeWindow::last(self.costs.window.span(), self.now);
        if matches!(self.costs.data, Loadable::NotAsked | Loadable::Failed(_)) {
            self.costs.data = Loadable::Loading;
        }
        self.effects.push(Effect::Query(Query::Costs {
            window,
            bucket: self.costs.window.bucket(),
            now: self.now,
        }));
    }

    fn query_leaders(&mut self) {
        let window = TimeWindow::last(self.leaders.window.span(), self.now);
        if matches!(self.leaders.data, Loadable::NotAsked | Loadable::Failed(_)) {
            self.leaders.data = Loadable::Loading;
        }
        self.effects.push(Effect::Query(Query::Leaders {
            window,
            sort: self.leaders.sort,
        }));
    }

    fn query_audit_queue(&mut self) {
        if matches!(self.audit.queue, Loadable::NotAsked | Loadable::Failed(_)) {
            self.audit.queue = Loadable::Loading;
        }
        self.effects.push(Effect::Query(Query::AuditQueue {
            window: TimeWindow::last(Duration::days(30), self.now + Duration::seconds(1)),
        }));
    }

    fn query_logs(&mut self) {
        self.logs.generation += 1;
        let pattern = single_line(&self.logs.search);
        let window = TimeWindow::last(Duration::days(30), self.now + Duration::seconds(1));
        if !matches!(self.logs.data, Loadable::Ready(_)) {
            self.logs.data = Loadable::Loading;
        }
        self.effects.push(Effect::Query(Query::Logs {
            generation: self.logs.generation,
            filter: LogFilter {
                pattern: (!pattern.is_empty()).then_some(pattern),
                level: self.logs.level.clone(),
                module: self.logs.module.clone(),
                trace_id: None,
                window: Some(window),
                limit: LOG_LIMIT,
            },
            window,
        }));
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
        // Focused text boxes take typing first.
        if self.view == ViewId::Audit && self.audit.focus == AuditFocus::Prefix {
            self.on_audit_prefix_key(key);
            return;
        }
        if self.view == ViewId::Logs && self.logs.search_focused {
            self.on_logs_search_key(key);
            return;
        }
        let actions: Vec<Action> = self.keymap.actions_for(&key).to_vec();
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
            Action::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::Palette => {
                self.overlay = Some(Overlay::Palette(text_area(
                    "trace ID · audit PREFIX · costs · live · leaders · logs · theme NAME · q",
                )))
            }
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
            _ => return self.apply_in_view(action),
        }
        true
    }

    fn apply_in_view(&mut self, action: Action) -> bool {
        match self.view {
            ViewId::Live => self.live_action(action),
            ViewId::Trace => self.trace_action(action),
            ViewId::Costs => self.costs_action(action),
            ViewId::Leaderboards => self.leaders_action(action),
            ViewId::Audit => self.audit_action(action),
            ViewId::Logs => self.logs_action(action),
        }
    }

    fn on_overlay_key(&mut self, overlay: Overlay, key: KeyEvent) {
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
                    self.set_feed_filter(filter);
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
                    self.save_note(target, note);
                    return;
                }
                editor.input(key);
                self.overlay = Some(Overlay::Note { target, editor });
            }
        }
    }

    /// Execute a palette command (`trace ID`, `audit PREFIX`, `costs`, …).
    pub fn run_command(&mut self, command: &str) {
        let command = command.trim().trim_start_matches(':');
        let (verb, arg) = match command.split_once(char::is_whitespace) {
            Some((v, a)) => (v, a.trim()),
            None => (command, ""),
        };
        match (verb, arg) {
            ("q" | "quit" | "q!", _) => self.should_quit = true,
            ("trace" | "t", id) if !id.is_empty() => {
                let ret = self.current_return_point();
                self.open_trace(TraceId::new(id), Some(ret));
            }
            ("audit" | "a", prefix) => {
                self.switch_view(ViewId::Audit);
                if !prefix.is_empty() {
                    let mut editor = text_area("");
                    editor.insert_str(prefix);
                    self.audit.prefix = editor;
                    self.audit.focus = AuditFocus::Prefix;
                    self.lookup_prefix();
                }
            }
            ("costs" | "cost", "") => self.switch_view(ViewId::Costs),
            ("live" | "feed", "") => self.switch_view(ViewId::Live),
            ("leaders" | "leaderboards" | "top", "") => self.switch_view(ViewId::Leaderboards),
            ("logs" | "log", "") => self.switch_view(ViewId::Logs),
            ("help", "") => self.overlay = Some(Overlay::Help { scroll: 0 }),
            ("filter", text) => {
                self.switch_view(ViewId::Live);
                self.set_feed_filter(FeedFilter::parse(text));
            }
            ("theme", name) if !name.is_empty() => {
                match Theme::load(name, !self.theme.colored && self.theme_is_nocolor_forced()) {
                    Ok(theme) => {
                        self.theme = theme;
                        self.say(format!("theme {name}"));
                    }
                    Err(e) => self.say(e.to_string()),
                }
            }
            ("", _) => {}
            _ => self.say(format!(
                "unknown command {:?}: try trace ID, audit PREFIX, costs, live, leaders, logs, \
                 filter TEXT, theme NAME, help, q",
                crate::sanitize::clean(command)
            )),
        }
    }

    fn theme_is_nocolor_forced(&self) -> bool {
        super::theme::no_color_from_env()
    }

    fn set_feed_filter(&mut self, filter: FeedFilter) {
        self.live.feed.set_filter(filter);
        // keep the selection on the same event when it still matches
        if !self.live.follow
            && let Some(seq) = self.live.anchor_seq
            && let Some(i) = self.live.feed.display_index_of(seq)
        {
            self.live.anchor_seq = self.live.feed.display(i).map(|r| r.seq);
        }
    }

    // ---------------------------------------------------------------- live

    /// Display index of the selected feed row, and the viewport offset.
    pub fn live_selection(&self) -> (usize, usize) {
        let page = self.feed_page().max(1);
        if self.live.follow {
            return (0, 0);
        }
        let index = self
            .live
            .anchor_seq
            .and_then(|s| self.live.feed.display_index_of(s))
            .unwrap_or(0);
        let screen = self.live.screen_row.min(page - 1).min(index);
        (index, index - screen)
    }

    /// The selected feed row.
    pub fn selected_feed_row(&self) -> Option<&FeedRow> {
        let (index, _) = self.live_selection();
        self.live.feed.display(index)
    }

    fn select_feed_index(&mut self, index: usize) {
        let len = self.live.feed.visible_len();
        if len == 0 {
            return;
        }
        let page = self.feed_page().max(1);
        let (old_index, offset) = self.live_selection();
        let index = index.min(len - 1);
        let _ = old_index;
        self.live.follow = false;
        self.live.anchor_seq = self.live.feed.display(index).map(|r| r.seq);
        // keep the viewport still while the selection is inside it
        self.live.screen_row = if index < offset {
            0
        } else if index >= offset + page {
            page - 1
        } else {
            index - offset
        };
    }

    fn live_action(&mut self, action: Action) -> bool {
        let page = self.feed_page().max(1);
        let (index, _) = self.live_selection();
        match action {
            Action::ToggleFollow => {
                if self.live.follow {
                    self.live.follow = false;
                    self.live.anchor_seq = self.live.feed.display(0).map(|r| r.seq);
                    self.live.screen_row = 0;
                    self.say("paused: the feed keeps filling; Space resumes");
                } else {
                    self.live.follow = true;
                    self.live.anchor_seq = None;
                    self.say("following");
                }
            }
            Action::Down => self.select_feed_index(index + 1),
            Action::Up => {
                if index == 0 && !self.live.follow {
                    self.select_feed_index(0)
                } else {
                    self.select_feed_index(index.saturating_sub(1))
                }
            }
            Action::PageDown => self.select_feed_index(index + page),
            Action::PageUp => self.select_feed_index(index.saturating_sub(page)),
            Action::Top => {
                self.live.follow = true;
                self.live.anchor_seq = None;
            }
            Action::Bottom => self.select_feed_index(usize::MAX),
            Action::Filter => {
                let mut editor = text_area("text · level:error · user:… · model:… · tool:…");
                editor.insert_str(&self.live.feed.filter().raw);
                self.overlay = Some(Overlay::Filter(editor));
            }
            Action::Back if !self.live.feed.filter().is_empty() => {
                self.set_feed_filter(FeedFilter::default());
                self.say("filter cleared");
            }
            Action::Drill => match self.selected_feed_row() {
                Some(row) => match row.trace_id.clone() {
                    Some(trace_id) => {
                        // freeze the row under the cursor so Esc finds it
                        let seq = row.seq;
                        let (index, offset) = self.live_selection();
                        self.live.follow = false;
                        self.live.anchor_seq = Some(seq);
                        self.live.screen_row = index - offset;
                        let ret = self.current_return_point();
                        self.open_trace(trace_id, Some(ret));
                    }
                    None => self.say("this row belongs to no trace"),
                },
                None => self.say("the feed is empty"),
            },
            _ => return false,
        }
        true
    }

    fn current_return_point(&self) -> ReturnPoint {
        ReturnPoint {
            view: self.view,
            anchor_seq: if self.live.follow {
                None
            } else {
                self.live.anchor_seq
            },
            screen_row: self.live.screen_row,
        }
    }

    // --------------------------------------------------------------- trace

    /// Open a trace (queues its queries) and switch to the trace view.
    pub fn open_trace(&mut self, trace_id: TraceId, return_to: Option<ReturnPoint>) {
        self.effects.push(Effect::Query(Query::Trace {
            trace_id: trace_id.clone(),
        }));
        self.effects.push(Effect::Query(Query::TraceAudit {
            trace_id: trace_id.clone(),
        }));
        self.trace = Some(TraceState {
            trace_id,
            detail: Loadable::Loading,
            audit: Loadable::Loading,
            selected: 0,
            offset: 0,
            detail_scroll: 0,
            focus: TracePane::Waterfall,
            return_to,
        });
        self.view = ViewId::Trace;
    }

    /// Number of waterfall rows of the open trace (task row + events).
    pub fn trace_row_count(&self) -> usize {
        self.trace
            .as_ref()
            .and_then(|t| t.detail.ready())
            .map(|d| d.events.len() + usize::from(d.task.is_some()))
            .unwrap_or(0)
    }

    fn trace_action(&mut self, action: Action) -> bool {
        let rows = self.trace_row_count();
        let page =
            super::views::trace::waterfall_rows(Rect::new(0, 0, self.size.0, self.size.1)).max(1);
        let Some(trace) = self.trace.as_mut() else {
            return false;
        };
        let last = rows.saturating_sub(1);
        match (action, trace.focus) {
            (Action::Back, _) => {
                let ret = trace.return_to;
                match ret {
                    Some(ret) => {
                        self.view = ret.view;
                        if ret.view == ViewId::Live {
                            match ret.anchor_seq {
                                Some(seq) => {
                                    self.live.follow = false;
                                    self.live.anchor_seq = Some(seq);
                                    self.live.screen_row = ret.screen_row;
                                }
                                None => self.live.follow = true,
                            }
                        }
                        self.refresh(true);
                    }
                    None => self.switch_view(ViewId::Live),
                }
            }
            (Action::NextPane | Action::PrevPane, _) => {
                trace.focus = match trace.focus {
                    TracePane::Waterfall => TracePane::Detail,
                    TracePane::Detail => TracePane::Waterfall,
                }
            }
            (Action::Drill, TracePane::Waterfall) => trace.focus = TracePane::Detail,
            (Action::Down, TracePane::Waterfall) => {
                trace.selected = (trace.selected + 1).min(last);
                trace.detail_scroll = 0;
            }
            (Action::Up, TracePane::Waterfall) => {
                trace.selected = trace.selected.saturating_sub(1);
                trace.detail_scroll = 0;
            }
            (Action::PageDown, TracePane::Waterfall) => {
                trace.selected = (trace.selected + page).min(last);
                trace.detail_scroll = 0;
            }
            (Action::PageUp, TracePane::Waterfall) => {
                trace.selected = trace.selected.saturating_sub(page);
                trace.detail_scroll = 0;
            }
            (Action::Top, TracePane::Waterfall) => trace.selected = 0,
            (Action::Bottom, TracePane::Waterfall) => trace.selected = last,
            (Action::Down, TracePane::Detail) => {
                trace.detail_scroll = trace.detail_scroll.saturating_add(1)
            }
            (Action::Up, TracePane::Detail) => {
                trace.detail_scroll = trace.detail_scroll.saturating_sub(1)
            }
            (Action::PageDown, TracePane::Detail) => {
                trace.detail_scroll = trace.detail_scroll.saturating_add(page as u16)
            }
            (Action::PageUp, TracePane::Detail) => {
                trace.detail_scroll = trace.detail_scroll.saturating_sub(page as u16)
            }
            (Action::Top, TracePane::Detail) => trace.detail_scroll = 0,
            _ => return false,
        }
        if let Some(trace) = self.trace.as_mut() {
            if trace.selected < trace.offset {
                trace.offset = trace.selected;
            } else if trace.selected >= trace.offset + page {
                trace.offset = trace.selected + 1 - page;
            }
        }
        true
    }

    // --------------------------------------------------------------- costs

    fn costs_action(&mut self, action: Action) -> bool {
        match action {
            Action::CycleWindow => {
                self.costs.window = self.costs.window.next();
                self.costs.data = Loadable::Loading;
                self.query_costs();
            }
            Action::NextPane => self.costs.focus = (self.costs.focus + 1) % 3,
            Action::PrevPane => self.costs.focus = (self.costs.focus + 2) % 3,
            _ => return false,
        }
        true
    }

    // ------------------------------------------------------------- leaders

    fn leaders_action(&mut self, action: Action) -> bool {
        let rows = self
            .leaders
            .data
            .ready()
            .map(|d| d.tools.len())
            .unwrap_or(0);
        match action {
            Action::CycleSort => {
                self.leaders.sort = match self.leaders.sort {
                    ToolSort::Executions => ToolSort::SuccessRate,
                    ToolSort::SuccessRate => ToolSort::AvgTime,
                    ToolSort::AvgTime => ToolSort::LastUsed,
                    ToolSort::LastUsed => ToolSort::Name,
                    ToolSort::Name => ToolSort::Executions,
                };
                self.leaders.selected = 0;
                self.query_leaders();
            }
            Action::CycleWindow => {
                self.leaders.window = self.leaders.window.next();
                self.leaders.data = Loadable::Loading;
                self.query_leaders();
            }
            Action::NextPane => self.leaders.focus = (self.leaders.focus + 1) % 4,
            Action::PrevPane => self.leaders.focus = (self.leaders.focus + 3) % 4,
            Action::Down => {
                self.leaders.selected = (self.leaders.selected + 1).min(rows.saturating_sub(1))
            }
            Action::Up => self.leaders.selected = self.leaders.selected.saturating_sub(1),
            Action::Top => self.leaders.selected = 0,
            Action::Bottom => self.leaders.selected = rows.saturating_sub(1),
            _ => return false,
        }
        true
    }

    // --------------------------------------------------------------- audit

    /// Requests the audit queue shows under its filter.
    pub fn audit_queue_items(&self) -> Vec<&AiRequestRecord> {
        let Some(requests) = self.audit.queue.ready() else {
            return Vec::new();
        };
        let anomalous_traces: Vec<&TraceId> = self
            .open_anomalies
            .values()
            .filter_map(|a| a.trace_id.as_ref())
            .collect();
        let anomalous_subjects: Vec<&str> = self
            .open_anomalies
            .values()
            .map(|a| a.subject.as_str())
            .collect();
        requests
            .iter()
            .filter(|r| match self.audit.queue_filter {
                QueueFilter::All => true,
                QueueFilter::Errors => r.status == request_status::FAILED,
                QueueFilter::Anomalies => {
                    r.trace_id
                        .as_ref()
                        .is_some_and(|t| anomalous_traces.contains(&t))
                        || anomalous_subjects.contains(&r.user_id.as_str())
                        || anomalous_subjects.contains(&r.model.as_str())
                }
                QueueFilter::Unreviewed => !self.audit.verdicts.contains_key(r.id.as_str()),
            })
            .collect()
    }

    fn selected_queue_item(&self) -> Option<&AiRequestRecord> {
        self.audit_queue_items().get(self.audit.selected).copied()
    }

    fn on_audit_prefix_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Esc | KeyCode::Tab | KeyCode::Down => self.audit.focus = AuditFocus::Queue,
            KeyCode::Enter => {
                if let Some(AuditResolution::Found(record)) = self.audit.lookup.ready() {
                    self.audit.record = Loadable::Ready((**record).clone());
                    self.audit.record_scroll = 0;
                    self.audit.focus = AuditFocus::Record;
                }
            }
            _ => {
                if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
                    self.should_quit = true;
                    return;
                }
                if self.audit.prefix.input(key) {
                    self.lookup_prefix();
                }
            }
        }
    }

    fn lookup_prefix(&mut self) {
        let prefix = single_line(&self.audit.prefix);
        self.audit.lookup_generation += 1;
        if prefix.chars().count() < MIN_AUDIT_PREFIX {
            self.audit.lookup = Loadable::NotAsked;
            return;
        }
        self.audit.lookup = Loadable::Loading;
        self.effects.push(Effect::Query(Query::AuditLookup {
            generation: self.audit.lookup_generation,
            prefix,
        }));
    }

    fn audit_action(&mut self, action: Action) -> bool {
        let count = self.audit_queue_items().len();
        match (action, self.audit.focus) {
            (Action::Filter, _) => self.audit.focus = AuditFocus::Prefix,
            (Action::NextPane, _) => {
                self.audit.focus = match self.audit.focus {
                    AuditFocus::Prefix => AuditFocus::Queue,
                    AuditFocus::Queue => AuditFocus::Record,
                    AuditFocus::Record => AuditFocus::Prefix,
                }
            }
            (Action::PrevPane, _) => {
                self.audit.focus = match self.audit.focus {
                    AuditFocus::Prefix => AuditFocus::Record,
                    AuditFocus::Queue => AuditFocus::Prefix,
                    AuditFocus::Record => AuditFocus::Queue,
                }
            }
            (Action::CycleQueue, _) => {
                self.audit.queue_filter = self.audit.queue_filter.next();
                self.audit.selected = 0;
            }
            (Action::Back, AuditFocus::Record) => self.audit.focus = AuditFocus::Queue,
            (Action::Down, AuditFocus::Record) => {
                self.audit.record_scroll = self.audit.record_scroll.saturating_add(1)
            }
            (Action::Up, AuditFocus::Record) => {
                self.audit.record_scroll = self.audit.record_scroll.saturating_sub(1)
            }
            (Action::PageDown, AuditFocus::Record) => {
                self.audit.record_scroll = self.audit.record_scroll.saturating_add(10)
            }
            (Action::PageUp, AuditFocus::Record) => {
                self.audit.record_scroll = self.audit.record_scroll.saturating_sub(10)
            }
            (Action::Down, _) => {
                self.audit.selected = (self.audit.selected + 1).min(count.saturating_sub(1))
            }
            (Action::Up, _) => self.audit.selected = self.audit.selected.saturating_sub(1),
            (Action::PageDown, _) => {
                self.audit.selected = (self.audit.selected + 10).min(count.saturating_sub(1))
            }
            (Action::PageUp, _) => self.audit.selected = self.audit.selected.saturating_sub(10),
            (Action::Top, _) => self.audit.selected = 0,
            (Action::Bottom, _) => self.audit.selected = count.saturating_sub(1),
            (Action::NextUnreviewed, _) => self.jump_unreviewed(true),
            (Action::PrevUnreviewed, _) => self.jump_unreviewed(false),
            (Action::MarkOk, _) => self.mark(verdict::OK),
            (Action::MarkFlag, _) => self.mark(verdict::FLAG),
            (Action::MarkEscalate, _) => self.mark(verdict::ESCALATE),
            (Action::Note, _) => match self.selected_queue_item() {
                Some(item) => {
                    let target = item.id.as_str().to_string();
                    let mut editor = text_area("note for this request (Ctrl-S saves, Esc cancels)");
                    if let Some(existing) = self.audit.notes.get(&target) {
                        editor.insert_str(existing);
                    }
                    self.overlay = Some(Overlay::Note { target, editor });
                }
                None => self.say("select a request in the queue first"),
            },
            (Action::Drill, _) => match self.selected_queue_item() {
                Some(item) => {
                    let id = item.id.as_str().to_string();
                    self.audit.record = Loadable::Loading;
                    self.audit.record_scroll = 0;
                    self.audit.focus = AuditFocus::Record;
                    self.effects.push(Effect::Query(Query::AuditRecord { id }));
                }
                None => self.say("the queue is empty"),
            },
            _ => return false,
        }
        true
    }

    fn jump_unreviewed(&mut self, forward: bool) {
        let items = self.audit_queue_items();
        let current = self.audit.selected;
        let unreviewed = |i: &usize| !self.audit.verdicts.contains_key(items[*i].id.as_str());
        let found = if forward {
            (current + 1..items.len()).find(unreviewed)
        } else {
            (0..current).rev().find(unreviewed)
        };
        match found {
            Some(i) => self.audit.selected = i,
            None => self.say(if forward {
                "no unreviewed item below"
            } else {
                "no unreviewed item above"
            }),
        }
    }

    fn mark(&mut self, verdict_name: &str) {
        let Some(item) = self.selected_queue_item() else {
            self.say("select a request in the queue first");
            return;
        };
        let target = item.id.as_str().to_string();
        let note = self.audit.notes.remove(&target);
        self.record_verdict(target, verdict_name.to_string(), note);
    }

    fn record_verdict(&mut self, target: String, verdict_name: String, note: Option<String>) {
        self.audit.verdicts.insert(
            target.clone(),
            Verdict {
                verdict: verdict_name.clone(),
                note: note.clone(),
                reviewer: self.reviewer.clone(),
                pending: true,
            },
        );
        self.say(format!("{verdict_name}: {target}"));
        self.effects.push(Effect::RecordReview(NewReview {
            target_kind: IdKind::Request.as_str().to_string(),
            target_id: target,
            verdict: verdict_name,
            note,
            reviewer: self.reviewer.clone(),
        }));
    }

    fn save_note(&mut self, target: String, note: String) {
        if note.is_empty() {
            self.audit.notes.remove(&target);
            self.say("empty note discarded");
            return;
        }
        match self.audit.verdicts.get(&target).map(|v| v.verdict.clone()) {
            // already judged: append the same verdict with the note
            Some(existing) => self.record_verdict(target, existing, Some(note)),
            None => {
                self.audit.notes.insert(target, note);
                self.say("note kept: it is recorded with the next a / f / e");
            }
        }
    }

    // ---------------------------------------------------------------- logs

    fn on_logs_search_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Esc | KeyCode::Tab | KeyCode::Down => self.logs.search_focused = false,
            KeyCode::Enter => {
                self.logs.search_focused = false;
                self.query_logs();
            }
            _ => {
                if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
                    self.should_quit = true;
                    return;
                }
                if self.logs.search.input(key) {
                    self.query_logs();
                }
            }
        }
    }

    fn logs_action(&mut self, action: Action) -> bool {
        let count = self.logs.data.ready().map(|d| d.lines.len()).unwrap_or(0);
        match action {
            Action::Filter | Action::NextPane | Action::PrevPane => self.logs.search_focused = true,
            Action::CycleLevel => {
                let pos = LOG_LEVELS
                    .iter()
                    .position(|l| l.map(str::to_string) == self.logs.level)
                    .unwrap_or(0);
                self.logs.level = LOG_LEVELS[(pos + 1) % LOG_LEVELS.len()].map(str::to_string);
                self.logs.selected = 0;
                self.query_logs();
            }
            Action::CycleModule => {
                let modules: Vec<String> = self
                    .logs
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
                self.logs.module = match &self.logs.module {
                    None => modules.first().cloned(),
                    Some(current) => modules
                        .iter()
                        .position(|m| m == current)
                        .and_then(|p| modules.get(p + 1).cloned()),
                };
                self.logs.selected = 0;
                self.query_logs();
            }
            Action::Down => {
                self.logs.selected = (self.logs.selected + 1).min(count.saturating_sub(1))
            }
            Action::Up => self.logs.selected = self.logs.selected.saturating_sub(1),
            Action::PageDown => {
                self.logs.selected = (self.logs.selected + 10).min(count.saturating_sub(1))
            }
            Action::PageUp => self.logs.selected = self.logs.selected.saturating_sub(10),
            Action::Top => self.logs.selected = 0,
            Action::Bottom => self.logs.selected = count.saturating_sub(1),
            Action::Drill => {
                let trace = self
                    .logs
                    .data
                    .ready()
                    .and_then(|d| d.lines.get(self.logs.selected))
                    .and_then(|l| l.trace_id.clone());
                match trace {
                    Some(trace_id) => {
                        let ret = self.current_return_point();
                        self.open_trace(trace_id, Some(ret));
                    }
                    None => self.say("this log line belongs to no trace"),
                }
            }
            _ => return false,
        }
        true
    }

    // ----------------------------------------------------------- selection

    /// The id `y` copies in the current view.
    pub fn selected_id(&self) -> Option<String> {
        match self.view {
            ViewId::Live => self.selected_feed_row().and_then(|r| {
                if r.id.is_empty() {
                    r.trace_id.as_ref().map(|t| t.to_string())
                } else {
                    Some(r.id.clone())
                }
            }),
            ViewId::Trace => {
                let trace = self.trace.as_ref()?;
                let detail = trace.detail.ready()?;
                let has_task = usize::from(detail.task.is_some());
                if trace.selected < has_task {
                    detail.task.as_ref().map(|t| t.task_id.to_string())
                } else {
                    detail
                        .events
                        .get(trace.selected - has_task)
                        .map(|e| e.id().to_string())
                        .or_else(|| Some(trace.trace_id.to_string()))
                }
            }
            ViewId::Audit => self.selected_queue_item().map(|r| r.id.to_string()),
            ViewId::Logs => self
                .logs
                .data
                .ready()
                .and_then(|d| d.lines.get(self.logs.selected))
                .map(|l| l.id.to_string()),
            ViewId::Leaderboards => self
                .leaders
                .data
                .ready()
                .and_then(|d| d.tools.get(self.leaders.selected))
                .map(|t| t.tool_name.clone()),
            ViewId::Costs => None,
        }
    }

    // --------------------------------------------------------------- mouse

    fn on_mouse(&mut self, mouse: MouseEvent) {
        if self.overlay.is_some() {
            return;
        }
        let action = match mouse.kind {
            MouseEventKind::ScrollDown => Some(Action::Down),
            MouseEventKind::ScrollUp => Some(Action::Up),
            MouseEventKind::Down(crossterm::event::MouseButton::Left) => {
                self.click(mouse.column, mouse.row);
                None
            }
            _ => None,
        };
        if let Some(action) = action {
            self.dirty = true;
            for _ in 0..3 {
                self.apply_in_view(action);
            }
        }
    }

    fn click(&mut self, column: u16, row: u16) {
        let area = Rect::new(0, 0, self.size.0, self.size.1);
        // a click on the tab bar switches view
        if row == 0 {
            if let Some(view) = super::views::tab_at(area, column) {
                self.dirty = true;
                if view == ViewId::Trace && self.trace.is_none() {
                    return;
                }
                self.switch_view(view);
            }
            return;
        }
        if self.view == ViewId::Live {
            let rows = super::views::live::feed_rows_area(area);
            if row >= rows.y && row < rows.y + rows.height && column >= rows.x {
                let (_, offset) = self.live_selection();
                let index = offset + (row - rows.y) as usize;
                if index < self.live.feed.visible_len() {
                    self.dirty = true;
                    self.select_feed_index(index);
                }
            }
        }
    }

    // ------------------------------------------------------------- replies

    fn on_reply(&mut self, reply: Reply) {
        match reply {
            Reply::Overview(Ok(o)) => self.overview = Some(o),
            Reply::Overview(Err(e)) => self.say(format!("overview: {e}")),
            Reply::Trace(id, answer) => {
                if let Some(t) = self.trace.as_mut().filter(|t| t.trace_id == id) {
                    t.detail = match answer {
                        Ok(d) => Loadable::Ready(d),
                        Err(e) => Loadable::Failed(e),
                    };
                    let rows = t
                        .detail
                        .ready()
                        .map(|d| d.events.len() + usize::from(d.task.is_some()))
                        .unwrap_or(0);
                    t.selected = t.selected.min(rows.saturating_sub(1));
                }
            }
            Reply::TraceAudit(id, answer) => {
                if let Some(t) = self.trace.as_mut().filter(|t| t.trace_id == id) {
                    t.audit = match answer {
                        Ok(AuditResolution::Found(r)) => Loadable::Ready(*r),
                        Ok(AuditResolution::Ambiguous { .. }) => {
                            Loadable::Failed("trace id is ambiguous".into())
                        }
                        Err(e) => Loadable::Failed(e),
                    };
                }
            }
            Reply::Costs(window, answer) => {
                let current = self.costs.window.span();
                if window.end - window.start == current {
                    match answer {
                        Ok(d) => self.costs.data = Loadable::Ready(d),
                        // keep the last data on screen, say what failed
                        Err(e) if matches!(self.costs.data, Loadable::Ready(_)) => {
                            self.say(format!("costs: {e}"))
                        }
                        Err(e) => self.costs.data = Loadable::Failed(e),
                    }
                }
            }
            Reply::Leaders(answer) => match answer {
                Ok(d) => {
                    let rows = d.tools.len();
                    self.leaders.data = Loadable::Ready(d);
                    self.leaders.selected = self.leaders.selected.min(rows.saturating_sub(1));
                }
                Err(e) if matches!(self.leaders.data, Loadable::Ready(_)) => {
                    self.say(format!("leaderboards: {e}"))
                }
                Err(e) => self.leaders.data = Loadable::Failed(e),
            },
            Reply::AuditLookup(generation, answer) => {
                if generation == self.audit.lookup_generation {
                    self.audit.lookup = match answer {
                        Ok(r) => Loadable::Ready(r),
                        Err(e) => Loadable::Failed(e),
                    };
                }
            }
            Reply::AuditQueue(answer) => match answer {
                Ok(data) => {
                    // reviews come newest first: the first per target wins
                    let mut seen = HashMap::new();
                    for review in &data.reviews {
                        seen.entry(review.target_id.clone())
                            .or_insert_with(|| Verdict {
                                verdict: review.verdict.clone(),
                                note: review.note.clone(),
                                reviewer: review.reviewer.clone(),
                                pending: false,
                            });
                    }
                    // keep local verdicts the store has not confirmed yet
                    for (target, v) in &self.audit.verdicts {
                        if v.pending {
                            seen.insert(target.clone(), v.clone());
                        }
                    }
                    self.audit.verdicts = seen;
                    self.audit.queue = Loadable::Ready(data.requests);
                    let count = self.audit_queue_items().len();
                    self.audit.selected = self.audit.selected.min(count.saturating_sub(1));
                }
                Err(e) if matches!(self.audit.queue, Loadable::Ready(_)) => {
                    self.say(format!("audit queue: {e}"))
                }
                Err(e) => self.audit.queue = Loadable::Failed(e),
            },
            Reply::AuditRecord(_, answer) => {
                self.audit.record = match answer {
                    Ok(AuditResolution::Found(r)) => Loadable::Ready(*r),
                    Ok(AuditResolution::Ambiguous { prefix, .. }) => {
                        Loadable::Failed(format!("{prefix} is ambiguous"))
                    }
                    Err(e) => Loadable::Failed(e),
                }
            }
            Reply::Logs(generation, answer) => {
                if generation == self.logs.generation {
                    match answer {
                        Ok(d) => {
                            let count = d.lines.len();
                            self.logs.data = Loadable::Ready(d);
                            self.logs.selected = self.logs.selected.min(count.saturating_sub(1));
                        }
                        Err(e) => self.logs.data = Loadable::Failed(e),
                    }
                }
            }
            Reply::Review(_, Ok(record)) => {
                self.audit.verdicts.insert(
                    record.target_id.clone(),
                    Verdict {
                        verdict: record.verdict,
                        note: record.note,
                        reviewer: record.reviewer,
                        pending: false,
                    },
                );
            }
            Reply::Review(target, Err(e)) => {
                if self.audit.verdicts.get(&target).is_some_and(|v| v.pending) {
                    self.audit.verdicts.remove(&target);
                }
                self.say(format!("review of {target} not saved: {e}"));
            }
        }
    }
}
