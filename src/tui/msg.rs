//! The typed queue between the console's parts: what arrives at the app
//! ([`Msg`]), what the app asks the event loop to do ([`Effect`], among
//! them [`Query`] for the history engine) and the answers that come back
//! ([`Reply`]). Every query carries the generation of the slot that asked
//! ([`Slot`]), so an answer is applied only to the request that wanted it:
//! a slow reply never overwrites a newer one.

use super::theme::Theme;
use crate::model::*;
use crate::query::*;
use crossterm::event::{KeyEvent, MouseEvent};

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
    /// Something to say in the footer (an effect that failed).
    Notice(String),
    /// A theme asked for with `:theme NAME`, loaded (or why not).
    ThemeLoaded(String, std::result::Result<Box<Theme>, String>),
    /// From the time-travel reader and the replay buffer.
    Replay(ReplayMsg),
}

/// What the event loop says about a replay (tagged with the replay's
/// generation: a stopped replay's messages are dropped).
#[derive(Debug, Clone)]
pub enum ReplayMsg {
    /// More of the window was read.
    Progress {
        generation: u64,
        /// Events read so far.
        loaded: u64,
        /// The instant of the newest one.
        loaded_until: Option<Timestamp>,
        /// The errors and anomalies among those just read.
        marks: Vec<Timestamp>,
        /// Events evicted so far to stay within the live engine's limit.
        evicted: u64,
    },
    /// The window is read to its end, or reading failed.
    Done {
        generation: u64,
        error: Option<String>,
    },
    /// The events up to the replay clock, numbered from `first` (the
    /// window's first event is 0), replayed on `base`: the view as the
    /// events before left it, or a checkpoint the clock went back (or
    /// jumped) to. Checkpoints before event `keep_from` can be dropped.
    Events {
        generation: u64,
        base: crate::source::window::buffer::ReplayBase,
        first: u64,
        events: Vec<Event>,
        keep_from: u64,
    },
}

/// What the app asks of the time-travel reader.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplayEffect {
    /// Read `window` (a new replay; any running one stops).
    Start { generation: u64, window: TimeWindow },
    /// Release the events up to `position` into the live view.
    ReleaseTo {
        generation: u64,
        position: Timestamp,
    },
    /// Stop replaying: the live view follows the live source again.
    Stop,
}

/// Work for the event loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Query(Query),
    RecordReview(NewReview),
    /// Put this text on the clipboard (OSC 52).
    Copy(String),
    /// Load a theme by name or path (`no_color`: strip its colours).
    LoadTheme {
        name: String,
        no_color: bool,
    },
    /// Time travel.
    Replay(ReplayEffect),
    /// Suspend the console and show `text` in `$PAGER`, then come back.
    Pager {
        title: String,
        text: String,
    },
}

/// A question for the history engine, with the generation of the slot
/// that asked.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// The user directory (names for ids), whole answers only.
    Users,
    Overview {
        generation: u64,
        now: Timestamp,
    },
    Trace {
        generation: u64,
        trace_id: TraceId,
    },
    /// `:trace PREFIX`: which trace a request, task or trace id prefix
    /// names.
    ResolveTrace {
        generation: u64,
        prefix: String,
    },
    /// The traces matching a filter (a drill-down from an aggregate).
    Traces {
        generation: u64,
        filter: TraceListFilter,
    },
    /// The audit record of a whole trace: conversations of its requests.
    TraceAudit {
        generation: u64,
        trace_id: TraceId,
    },
    Costs {
        generation: u64,
        window: TimeWindow,
        bucket: Bucket,
        now: Timestamp,
    },
    Leaders {
        generation: u64,
        window: TimeWindow,
        sort: ToolSort,
    },
    AuditLookup {
        generation: u64,
        prefix: String,
    },
    AuditQueue {
        generation: u64,
        window: TimeWindow,
    },
    AuditRecord {
        generation: u64,
        id: String,
    },
    /// The matching lines and the summary of every match (the filter's
    /// window is always set).
    Logs {
        generation: u64,
        filter: LogFilter,
    },
    /// The burn rate and the budgets' states at `now`.
    Spend {
        generation: u64,
        now: Timestamp,
        budgets: std::sync::Arc<[crate::budget::Budget]>,
        zone: chrono_tz::Tz,
    },
}

/// An engine's answer: the value, or why not.
pub type Answer<T> = std::result::Result<T, Failure>;

/// Why a query failed, as the app receives it: the kind of failure kept
/// (so "not found" and "database down" can be told apart) with the
/// operator-facing line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

/// The kinds of [`crate::error::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    Input,
    Database,
    Schema,
    NotFound,
    Remote,
    Auth,
    Io,
    Other,
}

impl From<crate::error::Error> for Failure {
    fn from(e: crate::error::Error) -> Self {
        use crate::error::Error as E;
        let kind = match &e {
            E::Input(_) => FailureKind::Input,
            E::Database(_) => FailureKind::Database,
            E::Schema(_) => FailureKind::Schema,
            E::NotFound(_) => FailureKind::NotFound,
            E::Remote(_) => FailureKind::Remote,
            E::Auth(_) => FailureKind::Auth,
            E::Io(_) => FailureKind::Io,
            E::Other(_) => FailureKind::Other,
        };
        Failure {
            kind,
            message: e.to_string(),
        }
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure {
            kind: FailureKind::Other,
            message: message.to_string(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Costs view data, fetched together.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CostsData {
    pub summary: CostSummary,
    /// The same figures over the window before (for ↑/↓).
    pub previous: CostSummary,
    pub overview: CostOverview,
    pub by_model: Vec<CostBreakdownRow>,
    pub by_provider: Vec<CostBreakdownRow>,
    pub by_agent: Vec<CostBreakdownRow>,
    pub trend: Vec<CostTrendBucket>,
    /// The window re-priced at the console's price table (`None`: the
    /// source cannot re-price, e.g. a remote console).
    pub drift: Option<crate::query::RepriceReport>,
}

/// Leaderboards view data.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadersData {
    pub users: Vec<UserLeader>,
    pub agents: Vec<AgentLeader>,
    pub top_tools: Vec<ToolStats>,
    pub tools: Vec<ToolStats>,
    /// The platform's activity over the window (five dimensions per
    /// bucket) and against the window before: the "what changed" strip.
    pub activity: Vec<ActivityBucket>,
    pub activity_change: Option<Compared<ActivityTotals>>,
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

/// A query's answer, with the generation of the query it answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Overview(u64, Answer<PlatformOverview>),
    Users(Answer<Vec<UserRecord>>),
    Trace(u64, TraceId, Answer<Box<TraceDetail>>),
    TraceAudit(u64, TraceId, Answer<AuditResolution>),
    TraceResolved(u64, String, Answer<AuditResolution>),
    Traces(u64, Answer<Vec<TraceListItem>>),
    Costs(u64, Answer<Box<CostsData>>),
    Leaders(u64, Answer<Box<LeadersData>>),
    AuditLookup(u64, Answer<AuditResolution>),
    AuditQueue(u64, Answer<QueueData>),
    AuditRecord(u64, String, Answer<AuditResolution>),
    Logs(u64, Answer<LogsData>),
    Spend(u64, Answer<Box<super::spend::SpendData>>),
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

/// The generations of one kind of query (the costs view's data, the audit
/// queue, …). A periodic refresh asks [`Slot::again`]: its answer is
/// applied when it is newer than the last one applied, so replies that
/// arrive out of order never go back in time, and a source slower than the
/// refresh still shows data. A question with new parameters (another
/// window, another id) asks [`Slot::anew`]: answers to the old question
/// are void from then on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Slot {
    issued: u64,
    applied: u64,
    floor: u64,
}

impl Slot {
    /// The same question again (a refresh).
    pub fn again(&mut self) -> u64 {
        self.issued += 1;
        self.issued
    }

    /// A new question: older answers are void.
    pub fn anew(&mut self) -> u64 {
        self.issued += 1;
        self.floor = self.issued;
        self.issued
    }

    /// The newest generation asked.
    pub fn latest(&self) -> u64 {
        self.issued
    }

    /// The generation of the answer applied last (0: none yet).
    pub fn applied(&self) -> u64 {
        self.applied
    }

    /// Whether the answer of `generation` may be applied; records it as
    /// applied when so.
    pub fn accept(&mut self, generation: u64) -> bool {
        if generation >= self.floor && generation > self.applied && generation <= self.issued {
            self.applied = generation;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Slot;

    #[test]
    fn refresh_answers_apply_in_order_and_never_go_back() {
        let mut slot = Slot::default();
        let first = slot.again();
        let second = slot.again();
        assert!(slot.accept(second));
        assert!(!slot.accept(first), "older than what is shown");
        let third = slot.again();
        let _fourth = slot.again();
        // a slow source: the third arrives after the fourth was asked
        assert!(slot.accept(third));
    }

    #[test]
    fn a_new_question_voids_the_old_answers() {
        let mut slot = Slot::default();
        let day = slot.again();
        let week = slot.anew();
        assert!(!slot.accept(day));
        assert!(slot.accept(week));
        assert!(!slot.accept(week), "applied once");
        assert!(!slot.accept(99), "never asked");
    }
}
