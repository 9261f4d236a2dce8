//! Endless live traffic for the demo and `simulate --live`.
//!
//! [`LiveGenerator::advance`] returns every event due up to `now`, keeping
//! the long-run rate near `events_per_sec`. Each new agent run is drawn as a
//! whole (the same trace builder as the bulk workload) and queued as timed
//! events, so a request shows up `pending` first and completes later, as a
//! gateway writes it. The very first call also replays ~20 s of runs already
//! in flight, so every kind of event (users, sessions, contexts, tasks,
//! steps, requests started / completed / failed, MCP executions, logs)
//! appears from the first second. Every 90 s, starting 15 s before `start`, one incident
//! is planted in rotation: an `openai` error burst (60 s at 40%), a runaway
//! loop, a credential-tool spike (55 calls in 2 min), a slow `postgres`
//! server (2 min), a 2 MB tool payload, an ANSI-laden reply, a behavioural
//! bot (12 sessions from one fingerprint). Billing has a stale routing
//! table now and then ([`GatewayBilling::live`]: `claude-sonnet-4-5` billed
//! at opus prices for 2 minutes every 15, from 30 s before `start`), so
//! re-pricing, and the costs view, find drift.

use crate::model::*;
use crate::sim::catalog;
use crate::sim::events::draft_events;
use crate::sim::generate::{Planted, UserProfile, agent_pick, user_profile};
use crate::sim::prices::GatewayBilling;
use crate::sim::rng::{SimRng, Stream};
use crate::sim::trace::{self, Actor, Conditions, ErrorBurst, SlowServer, TraceKind};
use chrono::Duration;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Default size of the live user pool.
const DEFAULT_USERS: usize = 40;
/// Largest user pool drawn from a big simulation.
const MAX_POOL: usize = 200;
/// Live sessions end this long after their last run.
const LIVE_IDLE_SECS: i64 = 45;
/// Seconds between planted incidents.
const INCIDENT_EVERY_SECS: i64 = 90;

struct Queued {
    at: Timestamp,
    seq: u64,
    event: Event,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

struct LiveSession {
    record: SessionRecord,
    user: usize,
    context: ContextId,
    context_at: Timestamp,
    runs_left: u32,
}

/// Endless, seeded live traffic.
pub struct LiveGenerator {
    rng: SimRng,
    start: Timestamp,
    clock: Timestamp,
    queue: BinaryHeap<Reverse<Queued>>,
    seq: u64,
    users: Vec<UserProfile>,
    sessions: Vec<LiveSession>,
    budget: f64,
    events_per_run: f64,
    cond: Conditions,
    next_incident: Timestamp,
    incident: usize,
    started: bool,
}

impl LiveGenerator {
    /// A generator with its own pool of 40 users.
    pub fn new(seed: u64, start: Timestamp) -> Self {
        Self::with_users(seed, start, DEFAULT_USERS)
    }

    /// A generator whose users are the first `users` (at most 200) of a
    /// bulk simulation with the same seed, so live traffic continues it.
    pub fn with_users(seed: u64, start: Timestamp, users: usize) -> Self {
        let pool = users.clamp(1, MAX_POOL);
        let users: Vec<UserProfile> = (0..pool).map(|i| user_profile(seed, i, start)).collect();
        LiveGenerator {
            rng: SimRng::new(seed, Stream::Live, start.timestamp_millis() as u64),
            start,
            clock: start,
            queue: BinaryHeap::new(),
            seq: 0,
            users,
            sessions: Vec::new(),
            budget: 0.0,
            events_per_run: 30.0,
            cond: Conditions {
                prices: GatewayBilling::live(start),
                error_bursts: Vec::new(),
                slow_servers: Vec::new(),
            },
            next_incident: start - Duration::seconds(15),
            incident: 0,
            started: false,
        }
    }

    /// Events queued for the future (runs in flight).
    pub fn in_flight(&self) -> usize {
        self.queue.len()
    }

    /// Every event due up to `now`, in time order, at a long-run rate of
    /// about `events_per_sec`.
    pub fn advance(&mut self, now: Timestamp, events_per_sec: f64) -> Vec<Event> {
        let rate = if events_per_sec.is_finite() {
            events_per_sec.max(0.0)
        } else {
            0.0
        };
        if !self.started {
            self.started = true;
            self.warm_up(rate);
        }
        if now > self.clock {
            let elapsed = (now - self.clock).num_milliseconds() as f64 / 1000.0;
            self.budget += rate * elapsed;
            let from = self.clock;
            if self.budget > 0.0 {
                // start times in order, so sessions and conversations precede their runs
                let runs = (self.budget / self.events_per_run).ceil() as usize;
                let mut starts: Vec<Timestamp> =
                    (0..runs).map(|_| self.rng.instant(from, now)).collect();
                starts.sort();
                for at in starts {
                    let n = self.launch_run(at, None) as f64;
                    self.budget -= n;
                    self.events_per_run = 0.9 * self.events_per_run + 0.1 * n;
                }
            }
            while self.next_incident <= now {
                let at = self.next_incident;
                self.plant_incident(at);
                self.next_incident += Duration::seconds(INCIDENT_EVERY_SECS);
            }
            self.clock = now;
        }
        let mut due = Vec::new();
        while self.queue.peek().is_some_and(|q| q.0.at <= now) {
            if let Some(Reverse(q)) = self.queue.pop() {
                due.push(q.event);
            }
        }
        due
    }

    fn push(&mut self, at: Timestamp, event: Event) {
        self.seq += 1;
        self.queue.push(Reverse(Queued {
            at,
            seq: self.seq,
            event,
        }));
    }

    fn warm_up(&mut self, rate: f64) {
        let start = self.start;
        for i in 0..self.users.len() {
            if self.users[i].activity > 0.0 {
                let mut user = self.users[i].record.clone();
                if user.created_at > start {
                    user.created_at = start - Duration::days(1);
                }
                self.push(start - Duration::seconds(30), Event::UserSeen { user });
            }
        }
        let runs = ((rate * 20.0) / self.events_per_run)
            .ceil()
            .clamp(3.0, 200.0) as usize;
        let mut starts: Vec<Timestamp> = (0..runs)
            .map(|_| self.rng.instant(start - Duration::seconds(20), start))
            .collect();
        starts.sort();
        for at in starts {
            self.launch_run(at, None);
        }
        // the first incident (an error burst) is already under way
        while self.next_incident <= start {
            let at = self.next_incident;
            self.plant_incident(at);
            self.next_incident += Duration::seconds(INCIDENT_EVERY_SECS);
        }
    }

    fn active_user(&mut self) -> usize {
        for _ in 0..20 {
            let i = self.rng.range(0, self.users.len() as i64) as usize;
            if self.users[i].activity > 0.0 {
                return i;
            }
        }
        0
    }

    fn open_session(&mut self, at: Timestamp, user: usize) -> usize {
        let mut scratch = crate::sim::Workload::default();
        // draw the session's attributes with the bulk generator's rules
        let profile = self.users[user].clone();
        crate::sim::generate::human_session(
            &mut self.rng,
            &profile,
            at,
            &self.cond,
            at,
            Some(Vec::new()),
            &mut scratch,
        );
        let mut record = match scratch.sessions.pop() {
            Some(s) => s,
            None => unreachable_session(&profile, at),
        };
        record.ended_at = None;
        record.last_activity_at = at;
        record.request_count = 1;
        let context = scratch
            .contexts
            .pop()
            .map(|c| c.context_id)
            .unwrap_or_else(|| ContextId(format!("ctx_{}", self.rng.hex(32))));
        self.push(
            at,
            Event::SessionStarted {
                session: record.clone(),
            },
        );
        for log in scratch.logs {
            self.push(log.timestamp, Event::Log { log });
        }
        let runs_left = self.rng.range(1, 7) as u32;
        self.sessions.push(LiveSession {
            record,
            user,
            context: context.clone(),
            context_at: at,
            runs_left,
        });
        self.new_context(at, self.sessions.len() - 1, Some(context));
        self.sessions.len() - 1
    }

    fn new_context(&mut self, at: Timestamp, session: usize, id: Option<ContextId>) {
        let context_id = id.unwrap_or_else(|| ContextId(format!("ctx_{}", self.rng.hex(32))));
        let s = &mut self.sessions[session];
        s.context = context_id.clone();
        s.context_at = at;
        let context = ContextRecord {
            context_id,
            user_id: self.users[s.user].record.id.clone(),
            session_id: Some(s.record.session_id.clone()),
            name: format!("Chat about {}", self.rng.pick(catalog::TOPICS)),
            created_at: at,
            updated_at: at,
        };
        self.push(at, Event::ContextCreated { context });
    }

    fn pick_session(&mut self, at: Timestamp) -> usize {
        let desired = 6 + self.users.len() / 8;
        if self.sessions.len() < desired.min(self.users.len().max(1) * 2)
            || self.rng.chance(0.08)
            || self.sessions.is_empty()
        {
            let user = self.active_user();
            return self.open_session(at, user);
        }
        let i = self.rng.range(0, self.sessions.len() as i64) as usize;
        if self.sessions[i].record.started_at > at {
            // never attach a run to a session (or conversation) opened after it
            let user = self.active_user();
            return self.open_session(at, user);
        }
        if self.rng.chance(0.4) || self.sessions[i].context_at > at {
            self.new_context(at, i, None);
        }
        i
    }

    /// Draw one run starting at `at`, queue its events; returns how many.
    fn launch_run(&mut self, at: Timestamp, planted: Option<Planted>) -> usize {
        let s = self.pick_session(at);
        let session = &self.sessions[s];
        let actor = Actor {
            user_id: self.users[session.user].record.id.clone(),
            session_id: session.record.session_id.clone(),
            context_id: session.context.clone(),
            client_id: session.record.client_id.clone(),
        };
        let (agent, model, kind) = match planted {
            Some(p) => (p.agent, p.model, p.kind),
            None => (agent_pick(&mut self.rng), None, TraceKind::Normal),
        };
        let draft = trace::build_trace(&mut self.rng, &actor, agent, model, kind, at, &self.cond);
        let session = &mut self.sessions[s];
        for r in &draft.ai_requests {
            session.record.ai_request_count += 1;
            session.record.request_count += 1;
            session.record.total_tokens_used += i64::from(r.tokens_used.unwrap_or(0));
            session.record.total_ai_cost_microdollars = session
                .record
                .total_ai_cost_microdollars
                .checked_add(r.cost_microdollars)
                .unwrap_or(session.record.total_ai_cost_microdollars);
        }
        let timed = draft_events(draft);
        let n = timed.len();
        let end = timed.iter().map(|(t, _)| *t).max().unwrap_or(at);
        let session = &mut self.sessions[s];
        if end > session.record.last_activity_at {
            session.record.last_activity_at = end;
        }
        session.runs_left = session.runs_left.saturating_sub(1);
        if session.runs_left == 0 {
            let mut done = self.sessions.swap_remove(s);
            let ended = done.record.last_activity_at + Duration::seconds(LIVE_IDLE_SECS);
            done.record.ended_at = Some(ended);
            self.push(
                ended,
                Event::SessionEnded {
                    session: done.record,
                },
            );
        }
        for (t, e) in timed {
            self.push(t, e);
        }
        n
    }

    fn plant_incident(&mut self, at: Timestamp) {
        let which = self.incident % 7;
        self.incident += 1;
        let planted = |agent: &str, kind: TraceKind| Planted {
            agent: catalog::agent(agent),
            model: None,
            kind,
            start: at,
        };
        match which {
            0 => {
                self.cond.error_bursts.retain(|b| b.end > at);
                self.cond.error_bursts.push(ErrorBurst {
                    provider: crate::sim::generate::BURST_PROVIDER,
                    start: at,
                    end: at + Duration::seconds(60),
                    failure_rate: 0.4,
                });
                for k in 0..8 {
                    let p = Planted {
                        agent: catalog::agent("support-agent"),
                        model: Some(catalog::model("gpt-4o-mini")),
                        kind: TraceKind::Normal,
                        start: at,
                    };
                    self.launch_run(at + Duration::seconds(k * 7), Some(p));
                }
            }
            1 => {
                self.launch_run(
                    at,
                    Some(planted(
                        "code-reviewer",
                        TraceKind::Runaway { iterations: 150 },
                    )),
                );
            }
            2 => {
                self.launch_run(
                    at,
                    Some(planted(
                        "ops-agent",
                        TraceKind::CredentialSpike {
                            calls: 55,
                            spread_ms: 120_000,
                        },
                    )),
                );
            }
            3 => {
                self.cond.slow_servers.retain(|s| s.end > at);
                self.cond.slow_servers.push(SlowServer {
                    server: crate::sim::generate::SLOW_SERVER,
                    start: at,
                    end: at + Duration::seconds(120),
                });
                for k in 0..4 {
                    let p = planted("data-analyst", TraceKind::Normal);
                    self.launch_run(at + Duration::seconds(k * 20), Some(p));
                }
            }
            4 => {
                self.launch_run(at, Some(planted("ops-agent", TraceKind::BigPayload)));
            }
            5 => {
                self.launch_run(at, Some(planted("research-agent", TraceKind::AnsiReply)));
            }
            _ => {
                let fingerprint = format!("fp_{}", self.rng.hex(32));
                for k in 0..12 {
                    let t = at + Duration::seconds(k * 5);
                    let mut scratch = crate::sim::Workload::default();
                    let profile = self.users[0].clone();
                    crate::sim::generate::human_session(
                        &mut self.rng,
                        &profile,
                        t,
                        &self.cond,
                        t,
                        Some(Vec::new()),
                        &mut scratch,
                    );
                    if let Some(mut session) = scratch.sessions.pop() {
                        session.user_id = None;
                        session.fingerprint_hash = Some(fingerprint.clone());
                        session.is_bot = true;
                        session.is_behavioral_bot = true;
                        session.user_agent = Some("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36".into());
                        session.browser = Some("HeadlessChrome".into());
                        session.client_id = None;
                        session.ended_at = None;
                        self.push(
                            t,
                            Event::SessionStarted {
                                session: session.clone(),
                            },
                        );
                        let mut ended = session;
                        ended.ended_at = Some(t + Duration::seconds(LIVE_IDLE_SECS));
                        self.push(
                            t + Duration::seconds(LIVE_IDLE_SECS),
                            Event::SessionEnded { session: ended },
                        );
                    }
                }
            }
        }
    }
}

fn unreachable_session(profile: &UserProfile, at: Timestamp) -> SessionRecord {
    SessionRecord {
        session_id: SessionId(format!("sess_live_{}", at.timestamp_millis())),
        user_id: Some(profile.record.id.clone()),
        started_at: at,
        last_activity_at: at,
        ended_at: None,
        client_id: Some(ClientId::from("sp_web")),
        request_count: 0,
        ai_request_count: 0,
        total_tokens_used: 0,
        total_ai_cost_microdollars: Microdollars::ZERO,
        user_agent: None,
        device_type: None,
        browser: None,
        os: None,
        country: Some(profile.country.to_string()),
        referrer_source: None,
        landing_page: None,
        fingerprint_hash: None,
        is_bot: false,
        is_scanner: false,
        is_behavioral_bot: false,
        session_source: Some("web".into()),
        is_ai_crawler: Some(false),
    }
}
