//! Re-pricing in one SQL statement: the window's completed AI requests
//! joined to the rate card (bound as parallel arrays and `unnest`ed, never
//! spliced into the text) on served model and time, priced per request in
//! `bigint` arithmetic by the rule of [`crate::prices`], summed per model,
//! with the worst drifting requests of each model beside the sums.
//!
//! The statement: `card` (the unnested rows) LEFT JOINed to the requests
//! (`priced`, one row per request, `NULL` price when no row matches);
//! aggregated per model and "has a price"; UNION ALL the `worst` rows
//! (`row_number()` over the drifting requests of each model, skipped
//! entirely when no list is asked for). A product or sum beyond 64 bits
//! is a Postgres error, never a wrapped number. Cache tokens read 0 where
//! the columns are absent.

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
         priced AS (
            SELECT u.id, u.created_at, u.model, u.stored, c.priced_as,
                   CASE WHEN c.name IS NOT NULL THEN
                     (greatest(u.input - u.cache_read - u.cache_write, 0) * c.input_rate
                      + u.cache_read * c.read_rate + u.cache_write * c.write_rate
                      + u.output * c.output_rate + 500000) / 1000000
                   END AS priced
            FROM (
                SELECT r.id::text AS id, r.created_at, coalesce(r.model::text, '') AS model,
                       r.cost_microdollars::bigint AS stored,
                       greatest(coalesce(r.input_tokens, 0), 0)::bigint AS input,
                       greatest(coalesce(r.output_tokens, 0), 0)::bigint AS output,
                       greatest({read}, 0)::bigint AS cache_read,
                       greatest({write}, 0)::bigint AS cache_write
                FROM ai_requests r
                WHERE r.created_at >= $1 AND r.created_at < $2
                  AND r.status = 'completed' AND {has_model} AND ($3 OR NOT {synthetic})
            ) u
            LEFT JOIN card c
              ON c.name = u.model AND u.created_at >= c.valid_from AND u.created_at < c.valid_to
         )
         SELECT false AS is_worst, model, min(priced_as) AS priced_as, count(*) AS n,
                sum(stored)::bigint AS stored, sum(priced)::bigint AS priced,
                count(*) FILTER (WHERE priced <> stored) AS drifted,
                min(created_at) AS first_at, max(created_at) AS last_at, NULL::text AS id
         FROM priced GROUP BY model, priced IS NULL
         UNION ALL
         SELECT true, model, priced_as, 1, stored, priced, 1, created_at, created_at, id
         FROM (SELECT p.*, row_number() OVER (PARTITION BY model
                                              ORDER BY abs(stored - priced) DESC, id COLLATE \"C\") AS rank
               FROM priced p WHERE $12 > 0 AND priced <> stored) w
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
                    drift_microdollars: Microdollars(stored.get() - priced.get()),
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
