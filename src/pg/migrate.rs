//! `tracetop migrate`: apply the embedded migrations (audit schema subset,
//! query indexes, `tracetop_reviews`). Every statement is idempotent
//! (`IF NOT EXISTS`), so running it against a systemprompt database only
//! adds what is missing.

use super::connect::{map_sqlx_error, parse_url};
use crate::error::Result;
use sqlx::postgres::PgPoolOptions;

/// The migrations compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Apply every pending migration on a read-write connection.
pub async fn run(url: &str) -> Result<usize> {
    let options = parse_url(url)?.application_name("tracetop-migrate");
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|e| map_sqlx_error(e, url))?;
    let before: i64 = applied_count(&pool).await;
    MIGRATOR.run(&pool).await.map_err(|e| {
        crate::error::Error::database(format!(
            "migration failed on {}: {}",
            crate::error::redact_url(url),
            crate::error::scrub_secret(
                &e.to_string(),
                url::Url::parse(url)
                    .ok()
                    .and_then(|u| u.password().map(str::to_string))
                    .as_deref()
            )
        ))
    })?;
    let after: i64 = applied_count(&pool).await;
    pool.close().await;
    Ok((after - before).max(0) as usize)
}

async fn applied_count(pool: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
        .unwrap_or(0)
}
