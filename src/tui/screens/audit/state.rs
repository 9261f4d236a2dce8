//! The audit screen's state and behaviour: the id-prefix box, the review
//! queue (all / errors / anomalies / unreviewed / reviewed) with its cursor
//! held by identity, the Record pane that follows the cursor (or shows a
//! looked-up id) and the verdicts marked on what that pane shows.

use crate::model::*;
use crate::query::*;
use crate::tui::keymap::Action;
use crate::tui::msg::{Answer, Effect, Loadable, Query, QueueData, Slot};
use crate::tui::screens::{Cx, Nav, single_line, text_area};
use crate::tui::selection::{Move, Resync, Selection};
use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent};
use std::collections::{BTreeMap, HashMap, HashSet};
use tui_textarea::TextArea;

/// Requests loaded into the audit queue.
pub const AUDIT_QUEUE_LIMIT: usize = 500;

/// Which rows the audit queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueFilter {
    All,
    Errors,
    Anomalies,
    Unreviewed,
    Reviewed,
}

impl QueueFilter {
    /// Label.
    pub fn label(self) -> &'static str {
        match self {
            QueueFilter::All => "all",
            QueueFilter::Errors => "errors",
            QueueFilter::Anomalies => "anomalies",
            QueueFilter::Unreviewed => "unreviewed",
            QueueFilter::Reviewed => "reviewed",
        }
    }

    fn next(self) -> QueueFilter {
        match self {
            QueueFilter::All => QueueFilter::Errors,
            QueueFilter::Errors => QueueFilter::Anomalies,
            QueueFilter::Anomalies => QueueFilter::Unreviewed,
            QueueFilter::Unreviewed => QueueFilter::Reviewed,
            QueueFilter::Reviewed => QueueFilter::All,
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
pub struct ShownVerdict {
    pub verdict: Verdict,
    pub note: Option<String>,
    pub reviewer: String,
    /// True until the store confirmed it.
    pub pending: bool,
}

/// What a verdict or note applies to: the record on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewSubject {
    pub kind: IdKind,
    pub id: String,
}

impl ReviewSubject {
    /// A request of the queue.
    pub fn request(id: impl Into<String>) -> Self {
        ReviewSubject {
            kind: IdKind::Request,
            id: id.into(),
        }
    }
}

/// What the anomalies queue matches: traces and subjects of open anomalies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct AnomalousKeys {
    traces: HashSet<TraceId>,
    subjects: HashSet<String>,
}

/// The audit view.
#[derive(Debug, Clone)]
pub struct AuditState {
    pub prefix: Box<TextArea<'static>>,
    pub focus: AuditFocus,
    lookup_slot: Slot,
    pub lookup: Loadable<AuditResolution>,
    queue_slot: Slot,
    pub queue: Loadable<Vec<AiRequestRecord>>,
    pub queue_filter: QueueFilter,
    /// Indexes into `queue` of the rows the filter shows (derived when the
    /// queue, the filter, the verdicts, the anomalies or the cursor change).
    visible: Vec<usize>,
    anomalous: AnomalousKeys,
    /// The queue item under the cursor, by id.
    pub selection: Selection,
    /// Latest verdict per target id (the queue's verdict column).
    pub verdicts: HashMap<String, ShownVerdict>,
    /// Every stored verdict per target id, newest first.
    pub history: HashMap<String, Vec<ReviewRecord>>,
    /// Notes written but not yet recorded with a verdict.
    pub notes: HashMap<String, String>,
    /// What the Record pane shows, and what `a`/`f`/`e`/`n` mark: the
    /// queue item under the cursor, or the record opened from the id box.
    pub subject: Option<ReviewSubject>,
    record_slot: Slot,
    /// The full record of `subject`.
    pub record: Loadable<AuditRecord>,
    pub record_scroll: u16,
}

impl Default for AuditState {
    fn default() -> Self {
        AuditState {
            prefix: text_area("type a request, task or trace id prefix (4+ chars)"),
            focus: AuditFocus::Queue,
            lookup_slot: Slot::default(),
            lookup: Loadable::NotAsked,
            queue_slot: Slot::default(),
            queue: Loadable::NotAsked,
            queue_filter: QueueFilter::All,
            visible: Vec::new(),
            anomalous: AnomalousKeys::default(),
            selection: Selection::new(),
            verdicts: HashMap::new(),
            history: HashMap::new(),
            notes: HashMap::new(),
            subject: None,
            record_slot: Slot::default(),
            record: Loadable::NotAsked,
            record_scroll: 0,
        }
    }
}

impl AuditState {
    /// Generation of the newest prefix lookup asked.
    pub fn lookup_generation(&self) -> u64 {
        self.lookup_slot.latest()
    }

    /// Generation of the newest queue load asked.
    pub fn queue_generation(&self) -> u64 {
        self.queue_slot.latest()
    }

    /// Generation of the newest record load asked.
    pub fn record_generation(&self) -> u64 {
        self.record_slot.latest()
    }

    /// Whether a text box has the keys.
    pub fn typing(&self) -> bool {
        self.focus == AuditFocus::Prefix
    }

    /// Requests the audit queue shows under its filter. The selected item
    /// stays in the list while it is selected (marking it in the
    /// unreviewed queue does not make the cursor jump to a neighbour).
    pub fn visible_items(&self) -> Vec<&AiRequestRecord> {
        let Some(requests) = self.queue.ready() else {
            return Vec::new();
        };
        self.visible.iter().map(|&i| &requests[i]).collect()
    }

    /// Row of the selected queue item among the visible ones.
    pub fn selected_row(&self) -> Option<usize> {
        let requests = self.queue.ready()?;
        self.selection
            .row_in(self.visible.iter().map(|&i| requests[i].id.as_str()))
    }

    /// The anomalies changed: the anomalies queue follows.
    pub fn set_anomalies(&mut self, open: &BTreeMap<String, Anomaly>) {
        let keys = AnomalousKeys {
            traces: open.values().filter_map(|a| a.trace_id.clone()).collect(),
            subjects: open.values().map(|a| a.subject.clone()).collect(),
        };
        if keys != self.anomalous {
            self.anomalous = keys;
            self.refilter();
        }
    }

    fn passes_filter(&self, r: &AiRequestRecord) -> bool {
        match self.queue_filter {
            QueueFilter::All => true,
            QueueFilter::Errors => r.status == request_status::FAILED,
            QueueFilter::Anomalies => {
                r.trace_id
                    .as_ref()
                    .is_some_and(|t| self.anomalous.traces.contains(t))
                    || self.anomalous.subjects.contains(r.user_id.as_str())
                    || self.anomalous.subjects.contains(&r.model)
            }
            QueueFilter::Unreviewed => !self.verdicts.contains_key(r.id.as_str()),
            QueueFilter::Reviewed => self.verdicts.contains_key(r.id.as_str()),
        }
    }

    /// Recompute the visible rows.
    fn refilter(&mut self) {
        let Some(requests) = self.queue.ready() else {
            self.visible.clear();
            return;
        };
        let selected = self.selection.id();
        self.visible = requests
            .iter()
            .enumerate()
            .filter(|(_, r)| Some(r.id.as_str()) == selected || self.passes_filter(r))
            .map(|(i, _)| i)
            .collect();
    }

    fn visible_ids(&self) -> Vec<String> {
        self.visible_items()
            .iter()
            .map(|r| r.id.as_str().to_string())
            .collect()
    }

    /// Apply `change` to the queue selection, then make the Record pane
    /// follow it.
    fn move_selection(&mut self, cx: &mut Cx, change: impl FnOnce(&mut Selection, &[&str])) {
        let ids = self.visible_ids();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        change(&mut self.selection, &ids);
        self.refilter();
        self.follow_selection(cx);
    }

    /// The Record pane shows the queue item under the cursor: load its
    /// record when the cursor moved to another item.
    fn follow_selection(&mut self, cx: &mut Cx) {
        let subject = self.selection.id().map(ReviewSubject::request);
        if subject == self.subject {
            return;
        }
        self.record_scroll = 0;
        match &subject {
            Some(s) => {
                self.record = Loadable::Loading;
                cx.query(Query::AuditRecord {
                    generation: self.record_slot.anew(),
                    id: s.id.clone(),
                });
            }
            None => self.record = Loadable::NotAsked,
        }
        self.subject = subject;
    }

    /// Reload the queue (on entering the view and periodically).
    pub fn refresh(&mut self, cx: &mut Cx) {
        if matches!(self.queue, Loadable::NotAsked | Loadable::Failed(_)) {
            self.queue = Loadable::Loading;
        }
        cx.query(Query::AuditQueue {
            generation: self.queue_slot.again(),
            window: cx.fixed_window.unwrap_or_else(|| {
                TimeWindow::last(Duration::days(30), cx.now + Duration::seconds(1))
            }),
        });
    }

    /// A key while the prefix box has focus.
    pub fn on_prefix_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        match key.code {
            KeyCode::Esc | KeyCode::Tab | KeyCode::Down => self.focus = AuditFocus::Queue,
            KeyCode::Enter => {
                if let Some(AuditResolution::Found(record)) = self.lookup.ready() {
                    self.subject = Some(ReviewSubject {
                        kind: record.matched_kind,
                        id: record.matched_id.clone(),
                    });
                    self.record = Loadable::Ready((**record).clone());
                    self.record_scroll = 0;
                    self.focus = AuditFocus::Record;
                }
            }
            _ => {
                if crate::tui::input::edit(&mut self.prefix, key) {
                    self.lookup_prefix(cx);
                }
            }
        }
    }

    /// `:audit PREFIX`: put the prefix in the box and resolve it.
    pub fn look_up(&mut self, prefix: &str, cx: &mut Cx) {
        let mut editor = text_area("");
        editor.insert_str(prefix);
        self.prefix = editor;
        self.focus = AuditFocus::Prefix;
        self.lookup_prefix(cx);
    }

    fn lookup_prefix(&mut self, cx: &mut Cx) {
        let prefix = single_line(&self.prefix);
        let generation = self.lookup_slot.anew();
        if prefix.chars().count() < MIN_AUDIT_PREFIX {
            self.lookup = Loadable::NotAsked;
            return;
        }
        self.lookup = Loadable::Loading;
        cx.query(Query::AuditLookup { generation, prefix });
    }

    /// An action while the audit view is shown; false when it does not
    /// apply here.
    pub fn on_action(&mut self, action: Action, reviewer: &str, cx: &mut Cx) -> bool {
        match (action, self.focus) {
            (Action::Filter, _) => self.focus = AuditFocus::Prefix,
            (Action::NextPane, _) => {
                self.focus = match self.focus {
                    AuditFocus::Prefix => AuditFocus::Queue,
                    AuditFocus::Queue => AuditFocus::Record,
                    AuditFocus::Record => AuditFocus::Prefix,
                }
            }
            (Action::PrevPane, _) => {
                self.focus = match self.focus {
                    AuditFocus::Prefix => AuditFocus::Record,
                    AuditFocus::Queue => AuditFocus::Prefix,
                    AuditFocus::Record => AuditFocus::Queue,
                }
            }
            (Action::CycleQueue, _) => self.show_queue(self.queue_filter.next(), cx),
            (Action::Back, AuditFocus::Record) => self.focus = AuditFocus::Queue,
            (Action::Down, AuditFocus::Record) => {
                self.record_scroll = self.record_scroll.saturating_add(1)
            }
            (Action::Up, AuditFocus::Record) => {
                self.record_scroll = self.record_scroll.saturating_sub(1)
            }
            (Action::PageDown, AuditFocus::Record) => {
                self.record_scroll = self.record_scroll.saturating_add(10)
            }
            (Action::PageUp, AuditFocus::Record) => {
                self.record_scroll = self.record_scroll.saturating_sub(10)
            }
            (
                Action::Down
                | Action::Up
                | Action::PageDown
                | Action::PageUp
                | Action::Top
                | Action::Bottom,
                _,
            ) => {
                if let Some(movement) = Move::from_action(action) {
                    self.move_selection(cx, |s, ids| s.apply(movement, ids));
                }
            }
            (Action::NextUnreviewed, _) => self.jump_unreviewed(true, cx),
            (Action::PrevUnreviewed, _) => self.jump_unreviewed(false, cx),
            (Action::MarkOk, _) => self.mark(Verdict::Ok, reviewer, cx),
            (Action::MarkFlag, _) => self.mark(Verdict::Flag, reviewer, cx),
            (Action::MarkEscalate, _) => self.mark(Verdict::Escalate, reviewer, cx),
            (Action::Note, _) => match self.subject.clone() {
                Some(target) => {
                    let existing = self.notes.get(&target.id).cloned().unwrap_or_default();
                    cx.go(Nav::Note(target, existing));
                }
                None => cx.say("nothing selected: pick a request in the queue first"),
            },
            (Action::Drill, _) => match self.subject {
                Some(_) => self.focus = AuditFocus::Record,
                None => cx.say("nothing selected: pick a request in the queue first"),
            },
            _ => return false,
        }
        true
    }

    /// Show the queue under `filter`: the cursor keeps its item if the new
    /// queue holds it, else goes to its first row.
    pub fn show_queue(&mut self, filter: QueueFilter, cx: &mut Cx) {
        self.queue_filter = filter;
        let keep = self
            .queue
            .ready()
            .and_then(|q| {
                let id = self.selection.id()?;
                q.iter().find(|r| r.id.as_str() == id)
            })
            .is_some_and(|r| self.passes_filter(r));
        if !keep {
            self.selection.clear();
        }
        self.refilter();
        self.move_selection(cx, |s, ids| {
            s.resync(ids);
        });
    }

    fn jump_unreviewed(&mut self, forward: bool, cx: &mut Cx) {
        let items = self.visible_items();
        let current = self.selected_row();
        let unreviewed = |i: &usize| !self.verdicts.contains_key(items[*i].id.as_str());
        let hint = self.selection.hint_row().min(items.len());
        let found = match (forward, current) {
            (true, Some(row)) => (row + 1..items.len()).find(unreviewed),
            (true, None) => (hint..items.len()).find(unreviewed),
            (false, row) => (0..row.unwrap_or(hint)).rev().find(unreviewed),
        };
        match found {
            Some(i) => {
                let id = items[i].id.as_str().to_string();
                self.selection.select(id, i);
                self.refilter();
                self.follow_selection(cx);
            }
            None => cx.say(if forward {
                "no unreviewed item below"
            } else {
                "no unreviewed item above"
            }),
        }
    }

    fn mark(&mut self, verdict: Verdict, reviewer: &str, cx: &mut Cx) {
        let Some(target) = self.subject.clone() else {
            cx.say("nothing selected: pick a request in the queue first");
            return;
        };
        let note = self.notes.remove(&target.id);
        self.record_verdict(target, verdict, note, reviewer, cx);
    }

    fn record_verdict(
        &mut self,
        target: ReviewSubject,
        verdict: Verdict,
        note: Option<String>,
        reviewer: &str,
        cx: &mut Cx,
    ) {
        self.verdicts.insert(
            target.id.clone(),
            ShownVerdict {
                verdict,
                note: note.clone(),
                reviewer: reviewer.to_string(),
                pending: true,
            },
        );
        self.refilter();
        cx.say(format!(
            "saving {verdict} on {} {}…",
            target.kind.as_str(),
            target.id
        ));
        cx.effect(Effect::RecordReview(NewReview {
            target_kind: target.kind.into(),
            target_id: target.id,
            verdict,
            note,
            reviewer: reviewer.to_string(),
        }));
    }

    /// The note editor was saved for `target`.
    pub fn save_note(&mut self, target: ReviewSubject, note: String, reviewer: &str, cx: &mut Cx) {
        if note.is_empty() {
            self.notes.remove(&target.id);
            cx.say("empty note discarded");
            return;
        }
        match self.verdicts.get(&target.id).map(|v| v.verdict) {
            // already judged: append the same verdict with the note
            Some(existing) => self.record_verdict(target, existing, Some(note), reviewer, cx),
            None => {
                self.notes.insert(target.id, note);
                cx.say("note kept: it is recorded with the next a / f / e");
            }
        }
    }

    /// The queue answered.
    pub fn on_queue(&mut self, generation: u64, answer: Answer<QueueData>, cx: &mut Cx) {
        if !self.queue_slot.accept(generation) {
            return;
        }
        match answer {
            Ok(data) => self.apply_queue(data, cx),
            // keep the last data on screen, say what failed
            Err(e) if matches!(self.queue, Loadable::Ready(_)) => {
                cx.say(format!("audit queue: {e}"))
            }
            Err(e) => self.queue = Loadable::Failed(e.message),
        }
    }

    /// A new queue: verdicts from the store, then the cursor finds its item
    /// again (or selects nothing and says so when the item left).
    fn apply_queue(&mut self, data: QueueData, cx: &mut Cx) {
        // reviews come newest first: the first per target is the verdict
        let mut latest = HashMap::new();
        let mut history: HashMap<String, Vec<ReviewRecord>> = HashMap::new();
        for review in data.reviews {
            latest
                .entry(review.target_id.clone())
                .or_insert_with(|| ShownVerdict {
                    verdict: review.verdict,
                    note: review.note.clone(),
                    reviewer: review.reviewer.clone(),
                    pending: false,
                });
            history
                .entry(review.target_id.clone())
                .or_default()
                .push(review);
        }
        // keep local verdicts the store has not confirmed yet
        for (target, v) in &self.verdicts {
            if v.pending {
                latest.insert(target.clone(), v.clone());
            }
        }
        self.verdicts = latest;
        self.history = history;
        self.queue = Loadable::Ready(data.requests);
        let following = self.subject.as_ref().map(|s| s.id.as_str()) == self.selection.id();
        // the cursor's item stays visible while it is still loaded; when it
        // is not, nothing is selected (never a neighbour)
        self.refilter();
        let ids = self.visible_ids();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        if let Resync::Lost(id) = self.selection.resync(&ids) {
            cx.say(format!(
                "request {id} left the queue ({} filter): nothing selected",
                self.queue_filter.label()
            ));
        }
        // the Record pane follows the cursor unless it shows a looked-up id;
        // a record still on screen is read again (a pending request completes)
        if following || self.subject.is_none() {
            let before = self.subject.clone();
            self.follow_selection(cx);
            if let Some(subject) = self.subject.clone().filter(|s| before.as_ref() == Some(s)) {
                cx.query(Query::AuditRecord {
                    generation: self.record_slot.again(),
                    id: subject.id,
                });
            }
        }
    }

    /// A record answered.
    pub fn on_record(&mut self, generation: u64, id: &str, answer: Answer<AuditResolution>) {
        // only the answer for the record on screen; a late answer for an
        // item the cursor left is dropped
        if self.subject.as_ref().is_none_or(|s| s.id != id) || !self.record_slot.accept(generation)
        {
            return;
        }
        self.record = match answer {
            Ok(AuditResolution::Found(r)) => Loadable::Ready(*r),
            Ok(AuditResolution::Ambiguous { prefix, .. }) => {
                Loadable::Failed(format!("{prefix} is ambiguous"))
            }
            Err(e) => Loadable::Failed(e.message),
        }
    }

    /// A prefix lookup answered.
    pub fn on_lookup(&mut self, generation: u64, answer: Answer<AuditResolution>) {
        if self.lookup_slot.accept(generation) {
            self.lookup = match answer {
                Ok(r) => Loadable::Ready(r),
                Err(e) => Loadable::Failed(e.message),
            };
        }
    }

    /// A verdict was stored, or refused.
    pub fn on_review(&mut self, target: String, answer: Answer<ReviewRecord>, cx: &mut Cx) {
        match answer {
            Ok(record) => {
                cx.say(format!(
                    "saved: {} on {} {}",
                    record.verdict, record.target_kind, record.target_id
                ));
                self.verdicts.insert(
                    record.target_id.clone(),
                    ShownVerdict {
                        verdict: record.verdict,
                        note: record.note.clone(),
                        reviewer: record.reviewer.clone(),
                        pending: false,
                    },
                );
                self.history
                    .entry(record.target_id.clone())
                    .or_default()
                    .insert(0, record);
            }
            Err(e) => {
                if self.verdicts.get(&target).is_some_and(|v| v.pending) {
                    self.verdicts.remove(&target);
                }
                cx.say(format!("review of {target} not saved: {e}"));
            }
        }
        self.refilter();
    }
}
