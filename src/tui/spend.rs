//! The console's spend figures: the burn rate (the ribbon and the costs
//! view) and the configured budgets' states (the costs view's budgets
//! panel), asked of the history engine together every
//! [`SPEND_REFRESH_SECS`] (a month-to-date sum is not free on a large
//! database) and at once on `r`.

use super::msg::{Answer, Query, Slot};
use crate::budget::Budget;
use crate::error::Result;
use crate::model::{BudgetStatus, BurnRate, Timestamp};
use crate::query::QueryEngine;
use chrono_tz::Tz;
use std::sync::Arc;

/// Seconds between two spend questions.
pub const SPEND_REFRESH_SECS: i64 = 15;

/// One answer: the burn rate and each budget at the same instant.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendData {
    pub burn: BurnRate,
    pub budgets: Vec<BudgetStatus>,
}

/// Ask `engine` for the spend figures at `now`.
pub async fn answer(
    engine: &dyn QueryEngine,
    budgets: &[Budget],
    zone: Tz,
    now: Timestamp,
) -> Result<SpendData> {
    let burn = crate::budget::burn_rate(engine, now, zone).await?;
    let budgets = crate::budget::evaluate(engine, budgets, now).await?;
    Ok(SpendData { burn, budgets })
}

/// The budgets, the zone, and the latest answer.
#[derive(Debug, Clone)]
pub struct SpendState {
    budgets: Arc<[Budget]>,
    zone: Tz,
    /// The latest answer (kept while a refresh is on its way or fails).
    pub data: Option<SpendData>,
    /// Why the latest question failed, if it did.
    pub error: Option<String>,
    slot: Slot,
    last_asked: Option<Timestamp>,
}

impl Default for SpendState {
    fn default() -> Self {
        SpendState::new(Arc::from(Vec::new()), Tz::UTC)
    }
}

impl SpendState {
    /// With these budgets, days and months in `zone`.
    pub fn new(budgets: Arc<[Budget]>, zone: Tz) -> Self {
        SpendState {
            budgets,
            zone,
            data: None,
            error: None,
            slot: Slot::default(),
            last_asked: None,
        }
    }

    /// Generation of the newest question asked.
    pub fn generation(&self) -> u64 {
        self.slot.latest()
    }

    /// The configured budgets.
    pub fn budgets(&self) -> Arc<[Budget]> {
        self.budgets.clone()
    }

    /// The question to ask now, if one is due (`force`: on `r`).
    pub fn ask_if_due(&mut self, now: Timestamp, force: bool) -> Option<Query> {
        let due = force
            || self
                .last_asked
                .is_none_or(|t| now - t >= chrono::Duration::seconds(SPEND_REFRESH_SECS));
        if !due {
            return None;
        }
        self.last_asked = Some(now);
        Some(Query::Spend {
            generation: self.slot.again(),
            now,
            budgets: self.budgets.clone(),
            zone: self.zone,
        })
    }

    /// Take an answer; whether anything shown changed.
    pub fn on_reply(&mut self, generation: u64, answer: Answer<Box<SpendData>>) -> bool {
        if !self.slot.accept(generation) {
            return false;
        }
        match answer {
            Ok(data) => {
                let changed = self.data.as_ref() != Some(&data) || self.error.is_some();
                self.data = Some(*data);
                self.error = None;
                changed
            }
            Err(e) => {
                let changed = self.error.as_deref() != Some(e.message.as_str());
                self.error = Some(e.message);
                changed
            }
        }
    }
}
