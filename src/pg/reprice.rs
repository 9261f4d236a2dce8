//! Re-pricing in one SQL statement: the window's completed AI requests
//! joined to the rate card (bound as parallel arrays and `unnest`ed, never
//! spliced into the text) on served model and time, priced per request in
//! `bigint` arithmetic by the rule of [`crate::prices`], summed per model,
//! with the worst drifting requests of each model beside the sums.
//!
//! The statement: the requests of the window LEFT JOINed to `card` (the
//! unnested rows; `NULL` price when none matches), priced per row and
//! hash-aggregated in one scan into `groups`: per model and "has a
//! price", with every request that drifts in a group of its own (its id
//! is part of the key only when a worst list is asked for). The groups are
//! few (one per model, plus one per drifting request), so summing them per
//! model and ranking the drifting ones (`row_number()`, the `$12` worst of
//! each model) costs next to nothing beside the scan: the work grows with
//! the requests that drift, not with the window. A product or sum beyond
//! 64 bits is a Postgres error, never a wrapped number. Cache tokens read
//! 0 where the columns are absent.

use super::PgEngine;
use crate::error::Result;
use crate::model::{Microdollars, Timestamp};
use crate::query::{DriftedRequest, RepriceQuery, RepriceReport, RepricedModel, UnpricedModel};
use std::collections::BTreeMap;

/// The statement, rendered for this database's columns.
pub(crate) fn reprice_sql(engine: &PgEngine) -> String {
    let read = engine.optional_column("ai_requests", "r", "cache_read_tokens", "0");
    let write = engine.optional_column("ai_requests", "r", "cache_creation_tokens", "0");
    format!(
        "WITH card AS (
            SELECT * FROM unnest($4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[],
                                 $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[])
                AS c(name, priced_as, valid_from, valid_to, input_rate, output_rate, read_rate, write_rate)
         ),
         groups AS (
            SELECT model, priced IS NULL AS unpriced,
                   CASE WHEN $12 > 0 AND priced <> stored THEN id END AS drift_id,
                   min(priced_as) AS priced_as, count(*) AS n,
                   sum(stored) AS stored, sum(priced) AS priced,
                   count(*) FILTER (WHERE priced <> stored) AS drifted,
                   min(created_at) AS first_at, max(created_at) AS last_at
            FROM (
                SELECT r.id::text AS id, r.created_at, r.model::text AS model,
                       r.cost_microdollars::bigint AS stored, c.priced_as,
                       CASE WHEN c.name IS NOT NULL THEN
                         (greatest(greatest(coalesce(r.input_tokens, 0), 0)::bigint
                                   - greatest({read}, 0) - greatest({write}, 0), 0) * c.input_rate
                          + greatest({read}, 0)::bigint * c.read_rate
                          + greatest({write}, 0)::bigint * c.write_rate
                          + greatest(coalesce(r.output_tokens, 0), 0)::bigint * c.output_rate
                          + 500000) / 1000000
                       END AS priced
                FROM ai_requests r
                LEFT JOIN card c ON c.name = r.model
                     AND r.created_at >= c.valid_from AND r.created_at < c.valid_to
                WHERE r.created_at >= $1 AND r.created_at < $2
                  AND r.status = 'completed' AND {has_model} AND ($3 OR NOT {synthetic})
            ) p
            GROUP BY 1, 2, 3
         )
         SELECT false AS is_worst, model, min(priced_as) AS priced_as, sum(n)::bigint AS n,
                sum(stored)::bigint AS stored, sum(priced)::bigint AS priced,
                sum(drifted)::bigint AS drifted, min(first_at) AS first_at, max(last_at) AS last_at,
                NULL::text AS id
         FROM groups GROUP BY model, unpriced
         UNION ALL
         SELECT true, model, priced_as, 1, stored::bigint, priced::bigint, 1, first_at, first_at, drift_id
         FROM (SELECT g.*, row_number() OVER (PARTITION BY model
                                              ORDER BY abs(stored - priced) DESC, drift_id COLLATE \"C\") AS rank
               FROM groups g WHERE drift_id IS NOT NULL) w
         WHERE rank <= $12",
        synthetic = engine.synthetic_sql("r"),
        has_model = engine.has_model_sql("r"),
    )
}

#[derive(sqlx::FromRow)]
struct Row {
    is_worst: bool,
    model: String,
    priced_as: Option<String>,
    n: i64,
    stored: Option<i64>,
    priced: Option<i64>,
    drifted: i64,
    first_at: Timestamp,
    last_at: Timestamp,
    id: Option<String>,
}

pub(crate) async fn reprice(engine: &PgEngine, q: &RepriceQuery) -> Result<RepriceReport> {
    let rows = q.card.rows();
    let col = |f: &dyn Fn(&crate::prices::RateRow) -> i64| rows.iter().map(f).collect::<Vec<i64>>();
    let found: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(reprice_sql(engine)))
        .bind(q.window.start)
        .bind(q.window.end)
        .bind(q.counting.include_synthetic)
        .bind(rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.priced_as.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.valid_from).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.valid_to).collect::<Vec<_>>())
        .bind(col(&|r| r.rates.input))
        .bind(col(&|r| r.rates.output))
        .bind(col(&|r| r.rates.cache_read))
        .bind(col(&|r| r.rates.cache_write))
        .bind(i64::try_from(q.worst).unwrap_or(i64::MAX))
        .fetch_all(engine.pool())
        .await
        .map_err(|e| engine.err(e))?;
    let mut models: BTreeMap<String, RepricedModel> = BTreeMap::new();
    let mut unpriced = Vec::new();
    let mut worst = Vec::new();
    for row in found {
        let stored = Microdollars(row.stored.unwrap_or(0));
        if row.is_worst {
            let priced = Microdollars(row.priced.unwrap_or(0));
            worst.push((
                row.model,
                DriftedRequest {
                    id: row.id.unwrap_or_default(),
                    created_at: row.first_at,
                    stored_microdollars: stored,
                    priced_microdollars: priced,
                    drift_microdollars: Microdollars(stored.get().saturating_sub(priced.get())),
                },
            ));
            continue;
        }
        match (row.priced, row.priced_as) {
            (Some(priced), Some(priced_as)) => {
                models.insert(
                    row.model.clone(),
                    RepricedModel {
                        model: row.model,
                        priced_as,
                        request_count: row.n,
                        stored_microdollars: stored,
                        priced_microdollars: Microdollars(priced),
                        drift_microdollars: Microdollars(stored.get().saturating_sub(priced)),
                        drifted_requests: row.drifted,
                        worst_requests: Vec::new(),
                    },
                );
            }
            _ => unpriced.push(UnpricedModel {
                model: row.model,
                request_count: row.n,
                stored_microdollars: stored,
                first_request_at: row.first_at,
                last_request_at: row.last_at,
            }),
        }
    }
    for (model, request) in worst {
        if let Some(m) = models.get_mut(&model) {
            m.worst_requests.push(request);
        }
    }
    Ok(RepriceReport::assemble(
        &q.card,
        models.into_values().collect(),
        unpriced,
    ))
}
