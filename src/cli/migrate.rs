//! `tracetop migrate`: create the audit tables, the indexes tracetop's
//! queries need and `tracetop_reviews`, idempotently, and say what was
//! applied. The password in the URL is never printed.

use crate::error::{Error, Result, redact_url};

/// Arguments of `tracetop migrate`.
#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    /// Postgres URL (read-write), e.g. postgres://user:pass@host/db.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// Run `tracetop migrate`.
pub async fn run(args: MigrateArgs) -> Result<()> {
    let url = args.database_url.ok_or_else(|| {
        Error::input("no database given: pass --database-url postgres://… or set DATABASE_URL")
    })?;
    probe(&url).await?;
    let applied = crate::pg::migrate::run(&url).await?;
    let shown = redact_url(&url);
    for line in describe(applied) {
        println!("{line}");
    }
    if applied == 0 {
        println!(
            "{shown} is up to date ({} migrations already applied)",
            crate::pg::migrate::MIGRATOR.iter().count()
        );
    } else {
        println!(
            "applied {applied} migration{} to {shown}",
            if applied == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// Lines naming the last `applied` migrations (migrations apply in order).
pub fn describe(applied: usize) -> Vec<String> {
    let all: Vec<_> = crate::pg::migrate::MIGRATOR.iter().collect();
    all[all.len().saturating_sub(applied)..]
        .iter()
        .map(|m| format!("applied {} {}", m.version, m.description))
        .collect()
}

/// Connect once, directly, so an unreachable server or a wrong password is
/// reported at once instead of after the pool's acquire timeout.
pub async fn probe(url: &str) -> Result<()> {
    use sqlx::Connection;
    let options = crate::pg::connect::parse_url(url)?;
    let conn = tokio::time::timeout(
        std::time::Duration::from_secs(15),
        sqlx::PgConnection::connect_with(&options),
    )
    .await
    .map_err(|_| {
        Error::database(format!(
            "timed out connecting to {}; is the host reachable?",
            redact_url(url)
        ))
    })?
    .map_err(|e| crate::pg::connect::map_sqlx_error(e, url))?;
    let _ = conn.close().await;
    Ok(())
}
