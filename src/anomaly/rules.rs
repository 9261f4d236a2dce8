//! The detector that runs the anomaly rules ([`Rule`]) over the event stream.
//!
//! [`AnomalyDetector::observe`] takes each event with the current time,
//! updates sliding windows (per user, per fingerprint, per tool, and
//! platform-wide), and returns anomaly events:
//!
//! * `AnomalyRaised` the first time a rule's value reaches its warning
//!   level for a subject (or its critical level directly, raised as
//!   critical);
//! * `AnomalyEscalated` once, when an open warning reaches critical;
//! * `AnomalyCleared` when the value has stayed under the warning level for
//!   one full window of the rule.
//!
//! The anomaly id is `rule:subject`, so raise, escalate and clear refer to
//! one thing and a later relapse is raised again under the same id.
//! Windows are measured against the `now` passed in (event time when
//! replaying, wall time when live); each request, session and MCP execution
//! is counted once even when several events carry it (pending then final).

use super::thresholds::Thresholds;
use crate::model::*;
use chrono::Duration;
use std::collections::{BTreeMap, HashMap, VecDeque};

pub use super::rule::Rule;

struct Open {
    anomaly: Anomaly,
    rule: Rule,
    below_since: Option<Timestamp>,
}

/// Timestamps in a sliding window.
#[derive(Default)]
struct Times(VecDeque<Timestamp>);

impl Times {
    fn push(&mut self, t: Timestamp) {
        self.0.push_back(t);
    }
    fn count(&mut self, since: Timestamp) -> usize {
        while self.0.front().is_some_and(|&t| t <= since) {
            self.0.pop_front();
        }
        self.0.len()
    }
}

/// (time, value) pairs in a sliding window.
#[derive(Default)]
struct Samples(VecDeque<(Timestamp, f64)>);

impl Samples {
    fn push(&mut self, t: Timestamp, v: f64) {
        self.0.push_back((t, v));
    }
    fn prune(&mut self, since: Timestamp) {
        while self.0.front().is_some_and(|&(t, _)| t <= since) {
            self.0.pop_front();
        }
    }
    fn max(&mut self, since: Timestamp) -> f64 {
        self.prune(since);
        self.0.iter().map(|&(_, v)| v).fold(0.0, f64::max)
    }
    /// (samples, sum of values)
    fn sum(&mut self, since: Timestamp) -> (usize, f64) {
        self.prune(since);
        (self.0.len(), self.0.iter().map(|&(_, v)| v).sum())
    }
}

/// Runs every rule over the event stream. See the module docs.
pub struct AnomalyDetector {
    thresholds: Thresholds,
    seen_requests: HashMap<String, Timestamp>,
    finished_requests: HashMap<String, Timestamp>,
    seen_sessions: HashMap<String, Timestamp>,
    seen_mcp: HashMap<String, Timestamp>,
    finished_mcp: HashMap<String, Timestamp>,
    user_requests: HashMap<String, Times>,
    fingerprint_sessions: HashMap<String, Times>,
    outcomes: Samples,
    per_second: BTreeMap<i64, i64>,
    first_request_at: Option<Timestamp>,
    tool_calls: HashMap<String, Times>,
    tool_payloads: HashMap<String, Samples>,
    tool_times: HashMap<String, Samples>,
    tool_outcomes: HashMap<String, Samples>,
    credential_calls: HashMap<String, Times>,
    open: BTreeMap<String, Open>,
    last_sweep: Option<Timestamp>,
    trend_cache: Option<(i64, f64)>,
}

/// How long ids are remembered to count each record once.
const DEDUP_HORIZON_SECS: i64 = 3 * 3_600;

impl AnomalyDetector {
    /// A detector with these thresholds and no history.
    pub fn new(thresholds: Thresholds) -> Self {
        AnomalyDetector {
            thresholds,
            seen_requests: HashMap::new(),
            finished_requests: HashMap::new(),
            seen_sessions: HashMap::new(),
            seen_mcp: HashMap::new(),
            finished_mcp: HashMap::new(),
            user_requests: HashMap::new(),
            fingerprint_sessions: HashMap::new(),
            outcomes: Samples::default(),
            per_second: BTreeMap::new(),
            first_request_at: None,
            tool_calls: HashMap::new(),
            tool_payloads: HashMap::new(),
            tool_times: HashMap::new(),
            tool_outcomes: HashMap::new(),
            credential_calls: HashMap::new(),
            open: BTreeMap::new(),
            last_sweep: None,
            trend_cache: None,
        }
    }

    /// The thresholds in use.
    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// Open anomalies, by id.
    pub fn open(&self) -> Vec<Anomaly> {
        self.open.values().map(|o| o.anomaly.clone()).collect()
    }

    /// Feed one event; returns the anomaly events it caused (raised,
    /// escalated or cleared), in that order per anomaly.
    pub fn observe(&mut self, event: &Event, now: Timestamp) -> Vec<Event> {
        let mut touched: Vec<(Rule, String, Option<TraceId>)> = Vec::new();
        match event {
            Event::AiRequestStarted { request } => {
                self.on_request(request, false, now, &mut touched)
            }
            Event::AiRequestCompleted { request, .. } | Event::AiRequestFailed { request, .. } => {
                self.on_request(request, true, now, &mut touched)
            }
            Event::SessionStarted { session } | Event::SessionEnded { session } => {
                self.on_session(session, now, &mut touched)
            }
            Event::McpExecution { execution } => self.on_mcp(execution, now, &mut touched),
            _ => {}
        }
        let mut out = Vec::new();
        for (rule, subject, trace) in touched {
            let value = self.value(rule, &subject, now);
            self.judge(rule, &subject, value, trace, now, &mut out);
        }
        self.sweep(now, &mut out);
        out
    }

    /// Re-evaluate open anomalies without a new event (call from a timer so
    /// anomalies clear when traffic stops).
    pub fn tick(&mut self, now: Timestamp) -> Vec<Event> {
        let mut out = Vec::new();
        self.sweep(now, &mut out);
        out
    }

    fn on_request(
        &mut self,
        request: &AiRequestRecord,
        finished: bool,
        now: Timestamp,
        touched: &mut Vec<(Rule, String, Option<TraceId>)>,
    ) {
        let id = request.id.as_str();
        if !self.seen_requests.contains_key(id) {
            self.seen_requests.insert(id.to_string(), now);
            let user = request.user_id.as_str();
            self.user_requests
                .entry(user.to_string())
                .or_default()
                .push(now);
            touched.push((
                Rule::RequestsPerMinute,
                user.to_string(),
                request.trace_id.clone(),
            ));
            *self.per_second.entry(now.timestamp()).or_default() += 1;
            self.first_request_at.get_or_insert(now);
            touched.push((Rule::TrendSpike, "platform".into(), None));
        }
        if finished
            && request.status != request_status::PENDING
            && !self.finished_requests.contains_key(id)
        {
            self.finished_requests.insert(id.to_string(), now);
            let failed = request.status == request_status::FAILED;
            self.outcomes.push(now, if failed { 1.0 } else { 0.0 });
            touched.push((Rule::ErrorRate, "platform".into(), request.trace_id.clone()));
        }
    }

    fn on_session(
        &mut self,
        session: &SessionRecord,
        now: Timestamp,
        touched: &mut Vec<(Rule, String, Option<TraceId>)>,
    ) {
        let id = session.session_id.as_str();
        if self.seen_sessions.contains_key(id) {
            return;
        }
        self.seen_sessions.insert(id.to_string(), now);
        if let Some(fp) = session
            .fingerprint_hash
            .as_deref()
            .filter(|f| !f.is_empty())
        {
            self.fingerprint_sessions
                .entry(fp.to_string())
                .or_default()
                .push(now);
            touched.push((Rule::SessionsPerFingerprint, fp.to_string(), None));
        }
    }

    fn on_mcp(
        &mut self,
        m: &McpExecutionRecord,
        now: Timestamp,
        touched: &mut Vec<(Rule, String, Option<TraceId>)>,
    ) {
        let id = m.mcp_execution_id.as_str();
        let tool = m.tool_name.as_str();
        if !self.seen_mcp.contains_key(id) {
            self.seen_mcp.insert(id.to_string(), now);
            self.tool_calls
                .entry(tool.to_string())
                .or_default()
                .push(now);
            touched.push((
                Rule::McpCallsPerMinute,
                tool.to_string(),
                m.trace_id.clone(),
            ));
            if self.thresholds.is_credential_tool(tool) {
                self.credential_calls
                    .entry(tool.to_string())
                    .or_default()
                    .push(now);
                touched.push((
                    Rule::CredentialToolCalls,
                    tool.to_string(),
                    m.trace_id.clone(),
                ));
            }
        }
        let payload = m.input.len().max(m.output.as_ref().map_or(0, String::len));
        if payload > 0 {
            self.tool_payloads
                .entry(tool.to_string())
                .or_default()
                .push(now, payload as f64);
            touched.push((Rule::McpPayloadSize, tool.to_string(), m.trace_id.clone()));
        }
        if let Some(ms) = m.execution_time_ms {
            self.tool_times
                .entry(tool.to_string())
                .or_default()
                .push(now, f64::from(ms.max(0)));
            touched.push((Rule::McpExecutionTime, tool.to_string(), m.trace_id.clone()));
        }
        if m.status != mcp_status::PENDING && !self.finished_mcp.contains_key(id) {
            self.finished_mcp.insert(id.to_string(), now);
            let failed = m.status == mcp_status::FAILED || m.status == mcp_status::TIMEOUT;
            self.tool_outcomes
                .entry(tool.to_string())
                .or_default()
                .push(now, if failed { 1.0 } else { 0.0 });
            touched.push((Rule::McpErrorRate, tool.to_string(), m.trace_id.clone()));
        }
    }

    /// The rule's current value for a subject, windows pruned to `now`.
    fn value(&mut self, rule: Rule, subject: &str, now: Timestamp) -> f64 {
        let since = now - rule.window(&self.thresholds);
        let count = |map: &mut HashMap<String, Times>| {
            map.get_mut(subject).map_or(0, |t| t.count(since)) as f64
        };
        match rule {
            Rule::RequestsPerMinute => count(&mut self.user_requests),
            Rule::SessionsPerFingerprint => count(&mut self.fingerprint_sessions),
            Rule::McpCallsPerMinute => count(&mut self.tool_calls),
            Rule::CredentialToolCalls => count(&mut self.credential_calls),
            Rule::McpPayloadSize => self
                .tool_payloads
                .get_mut(subject)
                .map_or(0.0, |s| s.max(since)),
            Rule::McpExecutionTime => self
                .tool_times
                .get_mut(subject)
                .map_or(0.0, |s| s.max(since)),
            Rule::ErrorRate => {
                let (n, failed) = self.outcomes.sum(since);
                if (n as i64) < self.thresholds.error_rate_min_requests {
                    0.0
                } else {
                    failed / n as f64
                }
            }
            Rule::McpErrorRate => {
                let (n, failed) = self
                    .tool_outcomes
                    .get_mut(subject)
                    .map_or((0, 0.0), |s| s.sum(since));
                if n == 0 || (n as i64) < self.thresholds.mcp_error_rate_min_calls {
                    0.0
                } else {
                    failed / n as f64
                }
            }
            Rule::TrendSpike => self.trend_ratio(now),
        }
    }

    /// Requests in `(now − 1 min, now]` over the average per minute of the
    /// `trend_baseline_minutes` before that; zero until that much history
    /// has been seen or while the last minute is under
    /// `trend_min_requests`.
    fn trend_ratio(&mut self, now: Timestamp) -> f64 {
        let minutes = self.thresholds.trend_baseline_minutes;
        let now_s = now.timestamp();
        // Once per second of `now` is enough (a spike shows at most a
        // second late); a replay of millions of requests would otherwise
        // rescan the half-hour of per-second counts for each one.
        if let Some((second, value)) = self.trend_cache
            && second == now_s
        {
            return value;
        }
        let value = self.compute_trend_ratio(now_s, minutes);
        self.trend_cache = Some((now_s, value));
        value
    }

    fn compute_trend_ratio(&mut self, now_s: i64, minutes: i64) -> f64 {
        let horizon = now_s - 60 * (minutes + 1);
        while let Some((&s, _)) = self.per_second.first_key_value() {
            if s > horizon {
                break;
            }
            self.per_second.pop_first();
        }
        let Some(first) = self.first_request_at else {
            return 0.0;
        };
        if first.timestamp() > horizon + 1 {
            return 0.0;
        }
        let mut current = 0i64;
        let mut baseline = 0i64;
        for (&s, &n) in &self.per_second {
            if s > now_s - 60 {
                if s <= now_s {
                    current += n;
                }
            } else {
                baseline += n;
            }
        }
        if current < self.thresholds.trend_min_requests || baseline == 0 {
            return 0.0;
        }
        current as f64 / (baseline as f64 / minutes as f64)
    }

    fn judge(
        &mut self,
        rule: Rule,
        subject: &str,
        value: f64,
        trace: Option<TraceId>,
        now: Timestamp,
        out: &mut Vec<Event>,
    ) {
        let level = rule.level(&self.thresholds);
        let id = format!("{}:{}", rule.name(), subject);
        if let Some(open) = self.open.get_mut(&id) {
            open.anomaly.value = value;
            if rule.reaches(value, level.warning) {
                open.below_since = None;
            }
            if open.anomaly.severity == Severity::Warning && rule.reaches(value, level.critical) {
                open.anomaly.severity = Severity::Critical;
                open.anomaly.threshold = level.critical;
                open.anomaly.message = rule.describe(subject, value, level.critical);
                if open.anomaly.trace_id.is_none() {
                    open.anomaly.trace_id = trace;
                }
                out.push(Event::AnomalyEscalated {
                    anomaly: open.anomaly.clone(),
                });
            }
            return;
        }
        if !rule.reaches(value, level.warning) {
            return;
        }
        let (severity, threshold) = if rule.reaches(value, level.critical) {
            (Severity::Critical, level.critical)
        } else {
            (Severity::Warning, level.warning)
        };
        let anomaly = Anomaly {
            id: id.clone(),
            rule: rule.name().to_string(),
            subject: subject.to_string(),
            severity,
            value,
            threshold,
            message: rule.describe(subject, value, threshold),
            raised_at: now,
            trace_id: trace,
            budget: None,
        };
        out.push(Event::AnomalyRaised {
            anomaly: anomaly.clone(),
        });
        self.open.insert(
            id,
            Open {
                anomaly,
                rule,
                below_since: None,
            },
        );
    }

    /// Re-evaluate open anomalies (at most once per second of `now`) and
    /// clear those under warning for a full window; forget old ids.
    fn sweep(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        if self
            .last_sweep
            .is_some_and(|t| now - t < Duration::seconds(1))
        {
            return;
        }
        self.last_sweep = Some(now);
        let ids: Vec<(String, Rule, String)> = self
            .open
            .iter()
            .map(|(id, o)| (id.clone(), o.rule, o.anomaly.subject.clone()))
            .collect();
        for (id, rule, subject) in ids {
            let value = self.value(rule, &subject, now);
            let level = rule.level(&self.thresholds);
            let window = rule.window(&self.thresholds);
            let mut clear = false;
            if let Some(open) = self.open.get_mut(&id) {
                open.anomaly.value = value;
                if rule.reaches(value, level.warning) {
                    open.below_since = None;
                } else {
                    let since = *open.below_since.get_or_insert(now);
                    clear = now - since >= window;
                }
            }
            if rule.reaches(value, level.critical)
                && self
                    .open
                    .get(&id)
                    .is_some_and(|o| o.anomaly.severity == Severity::Warning)
            {
                self.judge(rule, &subject, value, None, now, out);
            }
            if clear && let Some(open) = self.open.remove(&id) {
                let mut anomaly = open.anomaly;
                anomaly.message =
                    format!("cleared: {}", rule.describe(&subject, value, level.warning));
                out.push(Event::AnomalyCleared { anomaly });
            }
        }
        let horizon = now - Duration::seconds(DEDUP_HORIZON_SECS);
        if self.seen_requests.len() > 100_000
            || self.seen_mcp.len() > 100_000
            || self.seen_sessions.len() > 100_000
        {
            for map in [
                &mut self.seen_requests,
                &mut self.finished_requests,
                &mut self.seen_sessions,
                &mut self.seen_mcp,
                &mut self.finished_mcp,
            ] {
                map.retain(|_, t| *t > horizon);
            }
        }
        if self.user_requests.len() + self.fingerprint_sessions.len() + self.tool_calls.len()
            > 10_000
        {
            let minute = now - Duration::minutes(1);
            let session_window = now - Duration::seconds(self.thresholds.session_window_secs);
            self.user_requests.retain(|_, t| t.count(minute) > 0);
            self.fingerprint_sessions
                .retain(|_, t| t.count(session_window) > 0);
            self.tool_calls.retain(|_, t| t.count(minute) > 0);
        }
    }
}
