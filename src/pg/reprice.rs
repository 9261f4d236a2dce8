//! Re-pricing in one SQL statement: the window's completed AI requests
//! joined to the rate card (bound as parallel arrays and `unnest`ed, never
//! spliced into the text) on served model and time, priced per request in
//! `bigint` arithmetic by the rule of [`crate::prices`], summed per model,
//! with the worst drifting requests of each model beside the sums.
//!
//! The statement: the requests of the window LEFT JOINed to `card` (the
//! unnested rows; `NULL` price when none matches), priced per row and
//! aggregated per model and "has a price" in one pass; the drifting rows
//! of each group are gathered by a filtered `array_agg` (only when a
//! worst list is asked for, and only rows that drift), and a LATERAL keeps
//! the `$12` worst of them. So the table is scanned once and nothing is
//! materialised but the drifting rows. A product or sum beyond 64 bits is
//! a Postgres error, never a wrapped number. Cache tokens read 0 where
//! the columns are absent.

use super::PgEngine;
use crate::error::Result;
use crate::model::{Microdollars, Timestamp};
use crate::query::{DriftedRequest, RepriceQuery, RepriceReport, RepricedModel, UnpricedModel};

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
         per_model AS (
            SELECT model, min(priced_as) AS priced_as, count(*) AS n,
                   sum(stored)::bigint AS stored, sum(priced)::bigint AS priced,
                   count(*) FILTER (WHERE priced <> stored) AS drifted,
                   min(created_at) AS first_at, max(created_at) AS last_at,
                   array_agg(id) FILTER (WHERE $12 > 0 AND priced <> stored) AS drift_ids,
                   array_agg(created_at) FILTER (WHERE $12 > 0 AND priced <> stored) AS drift_at,
                   array_agg(stored) FILTER (WHERE $12 > 0 AND priced <> stored) AS drift_stored,
                   array_agg(priced) FILTER (WHERE $12 > 0 AND priced <> stored) AS drift_priced
            FROM (
                SELECT r.id, r.created_at, r.model::text AS model,
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
            GROUP BY model, priced IS NULL
         )
         SELECT m.model, m.priced_as, m.n, m.stored, m.priced, m.drifted, m.first_at, m.last_at,
                w.ids AS worst_ids, w.ats AS worst_at, w.stored AS worst_stored, w.priced AS worst_priced
         FROM per_model m
         LEFT JOIN LATERAL (
            SELECT array_agg(x.id::text ORDER BY x.rank) AS ids, array_agg(x.at ORDER BY x.rank) AS ats,
                   array_agg(x.stored ORDER BY x.rank) AS stored, array_agg(x.priced ORDER BY x.rank) AS priced
            FROM (SELECT d.*, row_number() OVER (ORDER BY abs(d.stored - d.priced) DESC, d.id::text COLLATE \"C\") AS rank
                  FROM unnest(m.drift_ids, m.drift_at, m.drift_stored, m.drift_priced) AS d(id, at, stored, priced)) x
            WHERE x.rank <= $12
         ) w ON true",
        synthetic = engine.synthetic_sql("r"),
        has_model = engine.has_model_sql("r"),
    )
}

#[derive(sqlx::FromRow)]
struct Row {
    model: String,
    priced_as: Option<String>,
    n: i64,
    stored: Option<i64>,
    priced: Option<i64>,
    drifted: i64,
    first_at: Timestamp,
    last_at: Timestamp,
    worst_ids: Option<Vec<String>>,
    worst_at: Option<Vec<Timestamp>>,
    worst_stored: Option<Vec<i64>>,
    worst_priced: Option<Vec<i64>>,
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
    let mut models = Vec::new();
    let mut unpriced = Vec::new();
    for row in found {
        let stored = Microdollars(row.stored.unwrap_or(0));
        match (row.priced, row.priced_as) {
            (Some(priced), Some(priced_as)) => {
                let worst = row
                    .worst_ids
                    .unwrap_or_default()
                    .into_iter()
                    .zip(row.worst_at.unwrap_or_default())
                    .zip(row.worst_stored.unwrap_or_default())
                    .zip(row.worst_priced.unwrap_or_default())
                    .map(|(((id, created_at), stored), priced)| DriftedRequest {
                        id,
                        created_at,
                        stored_microdollars: Microdollars(stored),
                        priced_microdollars: Microdollars(priced),
                        drift_microdollars: Microdollars(stored.saturating_sub(priced)),
                    })
                    .collect();
                models.push(RepricedModel {
                    model: row.model,
                    priced_as,
                    request_count: row.n,
                    stored_microdollars: stored,
                    priced_microdollars: Microdollars(priced),
                    drift_microdollars: Microdollars(stored.get().saturating_sub(priced)),
                    drifted_requests: row.drifted,
                    worst_requests: worst,
                });
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
    Ok(RepriceReport::assemble(&q.card, models, unpriced))
}
