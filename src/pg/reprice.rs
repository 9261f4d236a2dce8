//! Re-pricing in one SQL statement: the window's completed AI requests
//! joined to the rate card (bound as parallel arrays and `unnest`ed, never
//! spliced into the text) on served model and time, priced per request in
//! `bigint` arithmetic by the rule of [`crate::prices`], summed per model,
//! with the worst drifting requests of each model beside the sums.
//!
//! The statement has two parts:
//!
//! * `m`: the requests of the window LEFT JOINed to the card (`NULL` price
//!   when no row matches), hash-aggregated per model, "has a price" and
//!   "drifts" (about twenty groups): counts, sums, and for the groups that
//!   drift or have no price the first and last request. This is the scan,
//!   and it runs as Postgres' parallel partial aggregate, like a
//!   hand-written join of the prices as a VALUES list. Each row is priced
//!   once, for the "drifts" key, below the aggregate; the aggregates read
//!   that key rather than pricing again (a group that does not drift sums
//!   its stored cost as its priced one, row for row the same), so a row
//!   that does not drift costs no more than in the hand-written join but
//!   the key;
//! * `w`: for each group that drifts, a LATERAL lookup of its worst `$12`
//!   requests, bounded to that model, to the span between the group's
//!   first and last drifting request, and within it to the UTC days that
//!   hold one (`day_mask`: bit `day mod 64` set for each such day, so a
//!   day 64 days from one is looked at too) and within those to the UTC
//!   hours of the day that hold one (`hour_mask`), through the
//!   `created_at` index: a mispriced window costs a look at its hours only
//!   (and a window that recurs at the same hours on far-apart days, at
//!   those hours of those days). Skipped when no list is asked for.
//!
//! The card is `unnest`ed inline in both parts (a CTE would make the scan
//! parallel-restricted). A product or sum beyond 64 bits is a Postgres
//! error, never a wrapped number. Cache tokens read 0 where the columns
//! are absent.

use super::PgEngine;
use crate::error::Result;
use crate::model::{Microdollars, Timestamp};
use crate::query::{DriftedRequest, RepriceQuery, RepriceReport, RepricedModel, UnpricedModel};
use std::collections::{BTreeMap, BTreeSet};

/// The statement, rendered for this database's columns (names only: every
/// value is a bound parameter).
pub(crate) fn reprice_sql(engine: &PgEngine) -> String {
    let read = engine.optional_column("ai_requests", "r", "cache_read_tokens", "0");
    let write = engine.optional_column("ai_requests", "r", "cache_creation_tokens", "0");
    let card = "(SELECT * FROM unnest($4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[],
                                  $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[])
                 AS u(name, priced_as, valid_from, valid_to, input_rate, output_rate, read_rate, write_rate)) c
              ON c.name = r.model AND r.created_at >= c.valid_from AND r.created_at < c.valid_to";
    let price = format!(
        "CASE WHEN c.name IS NOT NULL THEN
           (greatest(greatest(coalesce(r.input_tokens, 0), 0)::bigint
                     - greatest({read}, 0) - greatest({write}, 0), 0) * c.input_rate
            + greatest({read}, 0)::bigint * c.read_rate
            + greatest({write}, 0)::bigint * c.write_rate
            + greatest(coalesce(r.output_tokens, 0), 0)::bigint * c.output_rate
            + 500000) / 1000000
         END"
    );
    // NULL and '' alike have no model or provider (as the cost reports'
    // `has_model_sql`), written without the coalesce
    let counted = format!(
        "r.created_at >= $1 AND r.created_at < $2 AND r.status = 'completed'
         AND r.model <> '' AND r.provider <> '' AND ($3 OR NOT {synthetic})",
        synthetic = engine.synthetic_sql("r"),
    );
    // `drifts` (NULL when unpriced) is the group key, computed once per row
    // below the aggregate; the aggregates read it instead of pricing again:
    // a group that does not drift has priced = stored row by row, and only
    // drifting and unpriced groups need their span (and drifting ones their
    // days), so the other rows skip those aggregates.
    let drifts = format!("({price}) <> r.cost_microdollars");
    format!(
        "SELECT m.model, m.has_price, m.drifts, m.n, m.stored, m.priced, m.first_at, m.last_at,
                w.id AS worst_id, w.created_at AS worst_at, w.stored AS worst_stored,
                w.priced AS worst_priced
         FROM (
            SELECT r.model::text AS model, c.name IS NOT NULL AS has_price, {drifts} AS drifts,
                   count(*) AS n, sum(r.cost_microdollars)::bigint AS stored,
                   sum(CASE WHEN {drifts} THEN {price} ELSE r.cost_microdollars END)::bigint AS priced,
                   min(CASE WHEN ({drifts}) IS NOT FALSE THEN r.created_at END) AS first_at,
                   max(CASE WHEN ({drifts}) IS NOT FALSE THEN r.created_at END) AS last_at,
                   bit_or(CASE WHEN {drifts} THEN
                       1::bigint << (floor(date_part('epoch', r.created_at) / 86400)::bigint % 64)::integer
                   END) AS day_mask,
                   bit_or(CASE WHEN {drifts} THEN
                       1 << (floor(date_part('epoch', r.created_at) / 3600)::bigint % 24)::integer
                   END) AS hour_mask
            FROM ai_requests r LEFT JOIN {card}
            WHERE {counted}
            GROUP BY 1, 2, 3
         ) m
         LEFT JOIN LATERAL (
            SELECT r.id::text AS id, r.created_at, r.cost_microdollars::bigint AS stored,
                   {price} AS priced
            FROM generate_series(floor(date_part('epoch', m.first_at) / 86400)::bigint,
                                 floor(date_part('epoch', m.last_at) / 86400)::bigint) AS d(day)
            CROSS JOIN generate_series(0, 23) AS h(hour)
            JOIN ai_requests r
              ON r.created_at >= to_timestamp(d.day * 86400 + h.hour * 3600)
             AND r.created_at < to_timestamp(d.day * 86400 + (h.hour + 1) * 3600)
            JOIN {card}
            WHERE m.drifts AND $12 > 0 AND (m.day_mask >> (d.day % 64)::integer) & 1 = 1
              AND (m.hour_mask >> h.hour) & 1 = 1
              AND r.model = m.model AND r.created_at >= m.first_at AND r.created_at <= m.last_at
              AND {counted} AND {price} <> r.cost_microdollars
            ORDER BY abs(r.cost_microdollars - {price}) DESC, r.id::text COLLATE \"C\"
            LIMIT $12
         ) w ON true"
    )
}

#[derive(sqlx::FromRow)]
struct Row {
    model: String,
    has_price: bool,
    drifts: Option<bool>,
    n: i64,
    stored: Option<i64>,
    priced: Option<i64>,
    first_at: Option<Timestamp>,
    last_at: Option<Timestamp>,
    worst_id: Option<String>,
    worst_at: Option<Timestamp>,
    worst_stored: Option<i64>,
    worst_priced: Option<i64>,
}

pub(crate) async fn reprice(engine: &PgEngine, q: &RepriceQuery) -> Result<RepriceReport> {
    let rows = q.card.rows();
    let col = |f: &dyn Fn(&crate::prices::RateRow) -> i64| rows.iter().map(f).collect::<Vec<i64>>();
    // JIT compiling this statement's few simple expressions costs more than
    // it saves (~140 ms at a million rows): off for this transaction only
    let mut tx = engine.pool().begin().await.map_err(|e| engine.err(e))?;
    sqlx::query("SET LOCAL jit = off")
        .execute(&mut *tx)
        .await
        .map_err(|e| engine.err(e))?;
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
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| engine.err(e))?;
    tx.rollback().await.map_err(|e| engine.err(e))?;
    let mut models: BTreeMap<String, RepricedModel> = BTreeMap::new();
    let mut unpriced = Vec::new();
    // a group with worst requests comes once per request: count it once
    let mut seen: BTreeSet<(String, bool, Option<bool>)> = BTreeSet::new();
    for row in found {
        let stored = Microdollars(row.stored.unwrap_or(0));
        if seen.insert((row.model.clone(), row.has_price, row.drifts)) {
            if row.has_price {
                let m = models
                    .entry(row.model.clone())
                    .or_insert_with(|| RepricedModel {
                        model: row.model.clone(),
                        priced_as: q
                            .card
                            .priced_as(&row.model)
                            .unwrap_or(&row.model)
                            .to_string(),
                        request_count: 0,
                        stored_microdollars: Microdollars::ZERO,
                        priced_microdollars: Microdollars::ZERO,
                        drift_microdollars: Microdollars::ZERO,
                        drifted_requests: 0,
                        worst_requests: Vec::new(),
                    });
                m.request_count += row.n;
                m.stored_microdollars =
                    Microdollars(m.stored_microdollars.get().saturating_add(stored.get()));
                m.priced_microdollars = Microdollars(
                    m.priced_microdollars
                        .get()
                        .saturating_add(row.priced.unwrap_or(0)),
                );
                m.drift_microdollars = Microdollars(
                    m.stored_microdollars
                        .get()
                        .saturating_sub(m.priced_microdollars.get()),
                );
                if row.drifts == Some(true) {
                    m.drifted_requests += row.n;
                }
            } else {
                unpriced.push(UnpricedModel {
                    model: row.model.clone(),
                    request_count: row.n,
                    stored_microdollars: stored,
                    first_request_at: row.first_at.unwrap_or_default(),
                    last_request_at: row.last_at.unwrap_or_default(),
                });
            }
        }
        if let (Some(id), Some(at), Some(stored), Some(priced)) = (
            row.worst_id,
            row.worst_at,
            row.worst_stored,
            row.worst_priced,
        ) && let Some(m) = models.get_mut(&row.model)
        {
            m.worst_requests.push(DriftedRequest {
                id,
                created_at: at,
                stored_microdollars: Microdollars(stored),
                priced_microdollars: Microdollars(priced),
                drift_microdollars: Microdollars(stored.saturating_sub(priced)),
            });
        }
    }
    Ok(RepriceReport::assemble(
        &q.card,
        models.into_values().collect(),
        unpriced,
    ))
}
