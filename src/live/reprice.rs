//! LiveEngine's re-pricing: the store's AI requests priced at a rate card
//! (the semantics are on [`crate::query::reprice`]; PgEngine answers the
//! same question in one SQL statement, `pg/reprice.rs`).

use super::store::Store;
use crate::model::{AiRequestRecord, Microdollars, request_status};
use crate::prices::Usage;
use crate::query::has_model_and_provider;
use crate::query::{DriftedRequest, RepriceQuery, RepriceReport, RepricedModel, UnpricedModel};
use std::collections::BTreeMap;

fn usage(r: &AiRequestRecord) -> Usage {
    let tok = |v: Option<i32>| i64::from(v.unwrap_or(0));
    Usage {
        input: tok(r.input_tokens),
        output: tok(r.output_tokens),
        cache_read: tok(r.cache_read_tokens),
        cache_write: tok(r.cache_creation_tokens),
    }
}

impl Store {
    pub(super) fn reprice(&self, q: &RepriceQuery) -> RepriceReport {
        let mut models: BTreeMap<&str, RepricedModel> = BTreeMap::new();
        let mut unpriced: BTreeMap<&str, UnpricedModel> = BTreeMap::new();
        let counted = self.requests.iter().map(|row| &row.record).filter(|r| {
            q.window.contains(r.created_at)
                && r.status == request_status::COMPLETED
                && has_model_and_provider(r)
                && (q.counting.include_synthetic || !r.synthetic.unwrap_or(false))
        });
        for r in counted {
            let stored = r.cost_microdollars;
            let Some((_, priced)) = q.card.price(&r.model, r.created_at, usage(r)) else {
                let u = unpriced.entry(r.model.as_str()).or_insert(UnpricedModel {
                    model: r.model.clone(),
                    request_count: 0,
                    stored_microdollars: Microdollars::ZERO,
                    first_request_at: r.created_at,
                    last_request_at: r.created_at,
                });
                u.request_count += 1;
                u.stored_microdollars =
                    Microdollars(u.stored_microdollars.get().saturating_add(stored.get()));
                u.first_request_at = u.first_request_at.min(r.created_at);
                u.last_request_at = u.last_request_at.max(r.created_at);
                continue;
            };
            let m = models.entry(r.model.as_str()).or_insert(RepricedModel {
                model: r.model.clone(),
                priced_as: q.card.priced_as(&r.model).unwrap_or(&r.model).to_string(),
                request_count: 0,
                stored_microdollars: Microdollars::ZERO,
                priced_microdollars: Microdollars::ZERO,
                drift_microdollars: Microdollars::ZERO,
                drifted_requests: 0,
                worst_requests: Vec::new(),
            });
            m.request_count += 1;
            m.stored_microdollars =
                Microdollars(m.stored_microdollars.get().saturating_add(stored.get()));
            m.priced_microdollars =
                Microdollars(m.priced_microdollars.get().saturating_add(priced.get()));
            if stored != priced {
                m.drifted_requests += 1;
                if q.worst > 0 {
                    m.worst_requests.push(DriftedRequest {
                        id: r.id.0.clone(),
                        created_at: r.created_at,
                        stored_microdollars: stored,
                        priced_microdollars: priced,
                        drift_microdollars: Microdollars(stored.get().saturating_sub(priced.get())),
                    });
                }
            }
        }
        let models = models
            .into_values()
            .map(|mut m| {
                m.drift_microdollars = Microdollars(
                    m.stored_microdollars
                        .get()
                        .saturating_sub(m.priced_microdollars.get()),
                );
                m
            })
            .collect();
        let mut report = RepriceReport::assemble(&q.card, models, unpriced.into_values().collect());
        for m in &mut report.models {
            m.worst_requests.truncate(q.worst);
        }
        report
    }
}
