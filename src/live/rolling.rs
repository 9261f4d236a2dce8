//! Rolling windows for the console's ribbon.
//!
//! Finished AI requests (completed or failed) are counted into one slot per
//! second of their completion time, in a ring of two
//! [`RATE_WINDOW_SECS`] windows; each slot keeps counts, cost, tokens and an HDR histogram of
//! latency. `rates(now)` adds up the slots of the seconds in
//! `(now − 60 s, now]`, so requests/min, cost/min and tokens/min are the
//! plain totals of the last minute and the percentiles come from the merged
//! histogram (two significant figures: p95 of 1 234 ms reads 1 239 ms).
//! Active users are distinct users with any AI request event in the last
//! [`ACTIVE_USER_SECS`] seconds.

use super::FastMap;
use crate::model::*;
use hdrhistogram::Histogram;

/// Width of the rate window: one minute.
pub const RATE_WINDOW_SECS: i64 = 60;
/// A user counts as active for five minutes after an AI request event.
pub const ACTIVE_USER_SECS: i64 = 300;
/// Slots in the ring: two windows, so events up to a minute ahead of `now`
/// (clock skew) do not overwrite seconds still inside the window.
const RING_SLOTS: i64 = 2 * RATE_WINDOW_SECS;
/// Latencies above one hour are clamped to it.
const MAX_LATENCY_MS: u64 = 3_600_000;

#[derive(Clone)]
struct SecondSlot {
    second: i64,
    requests: i64,
    failed: i64,
    cost: i64,
    tokens: i64,
    latency: Histogram<u32>,
}

fn new_histogram() -> Histogram<u32> {
    // Constant, valid bounds: this cannot fail.
    Histogram::new_with_bounds(1, MAX_LATENCY_MS, 2).expect("constant histogram bounds are valid")
}

/// The ring of per-second slots and the recent-user map.
#[derive(Clone)]
pub(crate) struct Rolling {
    slots: Vec<SecondSlot>,
    users: FastMap<String, i64>,
    newest_second: i64,
    ingests_since_prune: u32,
}

impl Rolling {
    pub fn new() -> Self {
        Rolling {
            slots: (0..RING_SLOTS)
                .map(|_| SecondSlot {
                    second: i64::MIN,
                    requests: 0,
                    failed: 0,
                    cost: 0,
                    tokens: 0,
                    latency: new_histogram(),
                })
                .collect(),
            users: FastMap::default(),
            newest_second: i64::MIN,
            ingests_since_prune: 0,
        }
    }

    /// Count an event into the windows.
    pub fn observe(&mut self, event: &Event) {
        let request = match event {
            Event::AiRequestStarted { request } => {
                self.touch_user(request.user_id.as_str(), request.created_at.timestamp());
                return;
            }
            Event::AiRequestCompleted { request, .. } | Event::AiRequestFailed { request, .. } => {
                request
            }
            _ => return,
        };
        let at = request.completed_at.unwrap_or(request.updated_at);
        let second = at.timestamp();
        self.touch_user(request.user_id.as_str(), second);
        let slot = &mut self.slots[second.rem_euclid(RING_SLOTS) as usize];
        if slot.second != second {
            if slot.second > second {
                // Older than what the ring holds for this position.
                return;
            }
            slot.second = second;
            slot.requests = 0;
            slot.failed = 0;
            slot.cost = 0;
            slot.tokens = 0;
            slot.latency.reset();
        }
        slot.requests += 1;
        if request.status == request_status::FAILED {
            slot.failed += 1;
        }
        slot.cost = slot.cost.saturating_add(request.cost_microdollars.get());
        slot.tokens = slot
            .tokens
            .saturating_add(i64::from(request.tokens_used.unwrap_or(0)));
        if let Some(ms) = request.latency_ms {
            slot.latency
                .saturating_record((ms.max(0) as u64).clamp(1, MAX_LATENCY_MS));
        }
    }

    fn touch_user(&mut self, user: &str, second: i64) {
        self.newest_second = self.newest_second.max(second);
        match self.users.get_mut(user) {
            Some(last) => *last = (*last).max(second),
            None => {
                self.users.insert(user.to_string(), second);
            }
        }
        self.ingests_since_prune += 1;
        if self.ingests_since_prune >= 4096 {
            self.ingests_since_prune = 0;
            let horizon = self.newest_second - ACTIVE_USER_SECS;
            self.users.retain(|_, last| *last >= horizon);
        }
    }

    /// Figures for the minute ending at `now` (sessions and anomalies are
    /// filled in by the engine).
    pub fn rates(&self, now: Timestamp) -> LiveRates {
        let now_sec = now.timestamp();
        let mut requests = 0i64;
        let mut failed = 0i64;
        let mut cost = 0i64;
        let mut tokens = 0i64;
        let mut merged = new_histogram();
        for slot in &self.slots {
            if slot.second > now_sec - RATE_WINDOW_SECS && slot.second <= now_sec {
                requests += slot.requests;
                failed += slot.failed;
                cost = cost.saturating_add(slot.cost);
                tokens = tokens.saturating_add(slot.tokens);
                let _ = merged.add(&slot.latency);
            }
        }
        let pct = |q: f64| (!merged.is_empty()).then(|| merged.value_at_quantile(q));
        let active_users = self
            .users
            .values()
            .filter(|&&last| last > now_sec - ACTIVE_USER_SECS)
            .count() as i64;
        LiveRates {
            at: Some(now),
            requests_per_min: requests as f64,
            error_rate: crate::query::rate(failed, requests),
            cost_per_min_microdollars: cost,
            tokens_per_min: tokens as f64,
            p50_latency_ms: pct(0.50),
            p95_latency_ms: pct(0.95),
            p99_latency_ms: pct(0.99),
            active_users,
            active_sessions: 0,
            open_anomalies: 0,
        }
    }
}
