//! `tracetop simulate`: fill a database with the deterministic synthetic
//! workload (see `crate::sim`), through COPY in one transaction, then
//! optionally keep writing live traffic (`--live --rate R`) until Ctrl-C or
//! SIGTERM. Runs the migrations first, refuses a database that already
//! holds audit rows unless `--append`, never prints the password.

use crate::error::{Error, Result, redact_url};
use crate::sim::{self, SimConfig};
use chrono::{DateTime, DurationRound, Utc};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Arguments of `tracetop simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Postgres URL (read-write), e.g. postgres://user:pass@host/db.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Random seed: the same seed (and --until) gives the same rows.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of users.
    #[arg(long, default_value_t = 50)]
    pub users: usize,
    /// Days of history before --until (0: no history, e.g. with --live).
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    /// Newest row time, RFC 3339 (default: now). Fix it for reproducible rows.
    #[arg(long, value_parser = parse_until)]
    pub until: Option<DateTime<Utc>>,
    /// After the history, keep inserting live traffic until interrupted.
    #[arg(long)]
    pub live: bool,
    /// Live events per second.
    #[arg(long, default_value_t = 20.0, requires = "live")]
    pub rate: f64,
    /// Load even if the database already holds audit rows.
    #[arg(long)]
    pub append: bool,
}

fn parse_until(raw: &str) -> std::result::Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{e}; expected RFC 3339 like 2026-11-23T12:00:00Z"))
}

/// Check the arguments before touching the database.
fn validate(args: &SimulateArgs) -> Result<()> {
    if args.days > 0 && args.users == 0 {
        return Err(Error::input(
            "--users must be at least 1 when --days is above 0",
        ));
    }
    if args.users > 1_000_000 {
        return Err(Error::input("--users is at most 1000000"));
    }
    if args.days > 3_650 {
        return Err(Error::input("--days is at most 3650"));
    }
    if args.days == 0 && !args.live {
        return Err(Error::input(
            "nothing to do: --days 0 without --live; give --days N or add --live",
        ));
    }
    if args.live && !(args.rate.is_finite() && args.rate > 0.0 && args.rate <= 100_000.0) {
        return Err(Error::input(format!(
            "--rate {} is not a rate: give events per second between 0 and 100000",
            args.rate
        )));
    }
    Ok(())
}

/// Run `tracetop simulate`.
pub async fn run(args: SimulateArgs) -> Result<()> {
    validate(&args)?;
    let url = args.database_url.clone().ok_or_else(|| {
        Error::input("no database given: pass --database-url postgres://… or set DATABASE_URL")
    })?;
    let shown = redact_url(&url);
    super::migrate::probe(&url).await?;
    let applied = crate::pg::migrate::run(&url).await?;
    if applied > 0 {
        eprintln!("applied {applied} migration(s) to {shown}");
    }
    let until = args
        .until
        .unwrap_or_else(Utc::now)
        .duration_trunc(chrono::Duration::milliseconds(1))
        .unwrap_or_else(|_| Utc::now());
    if args.days > 0 {
        if !args.append {
            refuse_if_not_empty(&url).await?;
        }
        let cfg = SimConfig {
            seed: args.seed,
            users: args.users,
            days: args.days,
            until,
        };
        let show_progress = std::io::stderr().is_terminal();
        let stats = sim::load::load_config(&url, &cfg, !args.append, |s| {
            if show_progress {
                eprint!(
                    "\r{} rows loaded ({:.0} rows/s)   ",
                    s.rows,
                    s.rows_per_sec()
                );
                let _ = std::io::stderr().flush();
            }
        })
        .await?;
        if show_progress {
            eprintln!();
        }
        for (table, rows) in &stats.tables {
            println!("{table:<24} {rows:>12}");
        }
        println!(
            "loaded {} rows ({:.1} MB) into {} in {:.2} s: {:.0} rows/s (seed {}, {} users, {} days until {})",
            stats.rows,
            stats.bytes as f64 / 1e6,
            shown,
            stats.elapsed.as_secs_f64(),
            stats.rows_per_sec(),
            args.seed,
            args.users,
            args.days,
            until.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        );
    }
    if args.live {
        live(&url, &args).await?;
    }
    Ok(())
}

async fn refuse_if_not_empty(url: &str) -> Result<()> {
    use sqlx::Connection;
    let options = crate::pg::connect::parse_url(url)?;
    let mut conn = sqlx::PgConnection::connect_with(&options)
        .await
        .map_err(|e| crate::pg::connect::map_sqlx_error(e, url))?;
    let busy: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM user_sessions) OR EXISTS (SELECT 1 FROM ai_requests) \
         OR EXISTS (SELECT 1 FROM agent_tasks) OR EXISTS (SELECT 1 FROM logs) OR EXISTS (SELECT 1 FROM mcp_tool_executions)",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(|e| crate::pg::connect::map_sqlx_error(e, url))?;
    let _ = conn.close().await;
    if busy {
        return Err(Error::input(format!(
            "{} already holds audit rows; simulate into an empty database, or pass --append (with a --seed not loaded before)",
            redact_url(url)
        )));
    }
    Ok(())
}

async fn live(url: &str, args: &SimulateArgs) -> Result<()> {
    eprintln!(
        "writing live traffic at {} events/s into {}; Ctrl-C to stop",
        args.rate,
        redact_url(url)
    );
    let cfg = sim::load::LiveConfig {
        seed: args.seed,
        users: args.users.max(1),
        rate: args.rate,
    };
    let mut last_report = Instant::now();
    let total = sim::load::write_live(
        url,
        cfg,
        super::common::shutdown_signal(),
        |total, in_flight| {
            if last_report.elapsed() >= Duration::from_secs(10) {
                eprintln!("live: {total} events written, {in_flight} queued in flight");
                last_report = Instant::now();
            }
        },
    )
    .await?;
    eprintln!("stopped: {total} live events written; runs still in flight stay pending");
    Ok(())
}
