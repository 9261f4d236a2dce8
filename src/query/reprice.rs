//! Re-pricing: what the AI requests of a window should have cost at the
//! price table's rates, against what was stored (`analytics costs
//! --reprice`, the costs view's drift line).
//!
//! Counted: completed requests created in the window (a failed, rejected
//! or pending request has no billed usage) with a model and provider (as
//! every cost figure), synthetic ones left out unless the [`Counting`]
//! includes them. Each is priced by the rate card
//! row for its served `model` (aliases resolved) in force at its
//! `created_at`, by the rule of [`crate::prices`] (each request rounded
//! half up to a microdollar). `drift = stored − priced`: positive means
//! billed more than the table says. Requests whose model (or time) the
//! table has no price for are listed apart, per model, and kept out of the
//! totals.
//!
//! Order: models by |drift| descending, then stored cost descending, then
//! name (byte order); unpriced models by request count descending, then
//! name; the worst requests of a model by |drift| descending, then id,
//! only requests that drift.

use super::{Counting, TimeWindow};
use crate::model::{Microdollars, Timestamp};
use crate::prices::RateCard;
use serde::Serialize;
use std::sync::Arc;

/// Worst requests listed per model by default.
pub const DEFAULT_WORST: usize = 5;

/// What to re-price.
#[derive(Debug, Clone)]
pub struct RepriceQuery {
    pub window: TimeWindow,
    pub counting: Counting,
    pub card: Arc<RateCard>,
    /// Worst requests to list per model (0: none).
    pub worst: usize,
}

/// One request that drifts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftedRequest {
    pub id: String,
    pub created_at: Timestamp,
    pub stored_microdollars: Microdollars,
    pub priced_microdollars: Microdollars,
    pub drift_microdollars: Microdollars,
}

/// One served model's requests, re-priced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepricedModel {
    /// The served model as the requests record it.
    pub model: String,
    /// The table model whose prices were used (differs for an alias or
    /// with `--as`; the smallest name when an alias changed hands).
    pub priced_as: String,
    pub request_count: i64,
    pub stored_microdollars: Microdollars,
    pub priced_microdollars: Microdollars,
    pub drift_microdollars: Microdollars,
    /// Requests whose stored cost differs from the priced one.
    pub drifted_requests: i64,
    pub worst_requests: Vec<DriftedRequest>,
}

/// Requests on a model (or at a time) the table has no price for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnpricedModel {
    pub model: String,
    pub request_count: i64,
    pub stored_microdollars: Microdollars,
    pub first_request_at: Timestamp,
    pub last_request_at: Timestamp,
}

/// A `--as MODEL=OTHER` applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhatIf {
    pub model: String,
    pub priced_as: String,
}

/// The whole answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepriceReport {
    /// Priced requests (unpriced ones are in `unpriced_models`).
    pub request_count: i64,
    pub stored_microdollars: Microdollars,
    pub priced_microdollars: Microdollars,
    pub drift_microdollars: Microdollars,
    pub drifted_requests: i64,
    pub unpriced_request_count: i64,
    pub unpriced_stored_microdollars: Microdollars,
    pub what_if: Vec<WhatIf>,
    pub models: Vec<RepricedModel>,
    pub unpriced_models: Vec<UnpricedModel>,
}

impl RepriceReport {
    /// Totals and order from the per-model parts (each engine builds the
    /// parts its own way, this makes the rest identical).
    pub fn assemble(
        card: &RateCard,
        mut models: Vec<RepricedModel>,
        mut unpriced_models: Vec<UnpricedModel>,
    ) -> RepriceReport {
        let sum = |f: &dyn Fn(&RepricedModel) -> i64| {
            Microdollars(models.iter().map(f).fold(0i64, i64::saturating_add))
        };
        let stored = sum(&|m| m.stored_microdollars.get());
        let priced = sum(&|m| m.priced_microdollars.get());
        models.sort_by(|a, b| {
            b.drift_microdollars
                .get()
                .unsigned_abs()
                .cmp(&a.drift_microdollars.get().unsigned_abs())
                .then(b.stored_microdollars.cmp(&a.stored_microdollars))
                .then_with(|| a.model.cmp(&b.model))
        });
        for m in &mut models {
            m.worst_requests.sort_by(|a, b| {
                b.drift_microdollars
                    .get()
                    .unsigned_abs()
                    .cmp(&a.drift_microdollars.get().unsigned_abs())
                    .then_with(|| a.id.cmp(&b.id))
            });
        }
        unpriced_models.sort_by(|a, b| {
            b.request_count
                .cmp(&a.request_count)
                .then_with(|| a.model.cmp(&b.model))
        });
        RepriceReport {
            request_count: models.iter().map(|m| m.request_count).sum(),
            stored_microdollars: stored,
            priced_microdollars: priced,
            drift_microdollars: Microdollars(stored.get().saturating_sub(priced.get())),
            drifted_requests: models.iter().map(|m| m.drifted_requests).sum(),
            unpriced_request_count: unpriced_models.iter().map(|m| m.request_count).sum(),
            unpriced_stored_microdollars: Microdollars(
                unpriced_models
                    .iter()
                    .map(|m| m.stored_microdollars.get())
                    .fold(0, i64::saturating_add),
            ),
            what_if: card
                .what_if()
                .iter()
                .map(|(model, other)| WhatIf {
                    model: model.clone(),
                    priced_as: other.clone(),
                })
                .collect(),
            models,
            unpriced_models,
        }
    }

    /// Whether any priced request drifts.
    pub fn has_drift(&self) -> bool {
        self.drifted_requests > 0
    }
}
