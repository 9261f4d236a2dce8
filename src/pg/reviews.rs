//! `PgReviewStore`: the console's only write. Audit verdicts are appended to
//! `tracetop_reviews` on a connection pool of their own (read-write, unlike
//! the engine's), which only ever INSERTs into and SELECTs from that table.
//! The table itself refuses UPDATE and DELETE (trigger in the migration).

use super::connect::{map_sqlx_error, parse_url};
use crate::error::{Error, Result, redact_url};
use crate::model::ReviewRecord;
use crate::query::{NewReview, ReviewFilter, ReviewStore};
use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::time::Duration;

/// Audit verdicts in `tracetop_reviews`, on their own read-write pool.
#[derive(Debug, Clone)]
pub struct PgReviewStore {
    pool: PgPool,
    display_url: String,
}

impl PgReviewStore {
    /// Connect (read-write, at most two connections) and check that
    /// `tracetop_reviews` exists.
    pub async fn connect(url: &str) -> Result<PgReviewStore> {
        let options = parse_url(url)?
            .options([("TimeZone", "UTC")])
            .application_name("tracetop-reviews");
        // A direct connection first so a refused or unauthorised connection
        // is reported at once with its cause (the pool would retry until it
        // times out).
        let probe = sqlx::ConnectOptions::connect(&options)
            .await
            .map_err(|e| map_sqlx_error(e, url))?;
        let _ = sqlx::Connection::close(probe).await;
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| map_sqlx_error(e, url))?;
        let store = PgReviewStore {
            pool,
            display_url: redact_url(url),
        };
        let present: bool =
            sqlx::query_scalar("SELECT to_regclass('tracetop_reviews') IS NOT NULL")
                .fetch_one(&store.pool)
                .await
                .map_err(|e| store.err(e))?;
        if !present {
            return Err(Error::schema(format!(
                "{} has no tracetop_reviews table: run `tracetop migrate --database-url …` to create it",
                store.display_url
            )));
        }
        Ok(store)
    }

    fn err(&self, e: sqlx::Error) -> Error {
        map_sqlx_error(e, &self.display_url)
    }
}

#[async_trait]
impl ReviewStore for PgReviewStore {
    async fn record_review(&self, review: &NewReview) -> Result<ReviewRecord> {
        review.validate()?;
        sqlx::query_as(
            "INSERT INTO tracetop_reviews (target_kind, target_id, verdict, note, reviewer)
             VALUES ($1, $2, $3, $4, $5)
             RETURNING id, target_kind, target_id, verdict, note, reviewer, created_at",
        )
        .bind(review.target_kind)
        .bind(&review.target_id)
        .bind(review.verdict)
        .bind(review.note.as_deref())
        .bind(&review.reviewer)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.err(e))
    }

    async fn reviews(&self, filter: &ReviewFilter) -> Result<Vec<ReviewRecord>> {
        sqlx::query_as(
            "SELECT id, target_kind, target_id, verdict, note, reviewer, created_at
             FROM tracetop_reviews
             WHERE ($1::text IS NULL OR target_kind = $1)
               AND ($2::text IS NULL OR target_id = $2)
               AND ($4::timestamptz IS NULL OR created_at >= $4)
               AND ($5::timestamptz IS NULL OR created_at < $5)
             ORDER BY created_at DESC, id DESC
             LIMIT $3",
        )
        .bind(filter.target_kind)
        .bind(filter.target_id.as_deref())
        .bind(super::columns::limit(filter.limit))
        .bind(filter.window.map(|w| w.start))
        .bind(filter.window.map(|w| w.end))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))
    }
}
