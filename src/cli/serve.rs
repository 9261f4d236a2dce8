//! `tracetop serve`: relay a live source over HTTP for remote consoles.
//!
//! `tracetop serve --database-url URL --listen 127.0.0.1:8787 --token-file FILE`
//! tails the database (read-only) and serves `GET /api/v1/stream` (SSE with
//! cursors, replay ring, heartbeats) and `POST /api/v1/query` (the
//! `QueryEngine` API, so `RemoteEngine` answers like a local engine). The
//! token file format is documented in [`crate::sse::tokens`]. On start the
//! tail backfills `--backfill` (10 min by default) into the ring, so clients
//! of a restarted server resume by `Last-Event-ID` without a gap.
//! `--replay FILE` serves a recording instead (no query API).
//!
//! Limits, all flags with defaults: `--header-timeout` (10 s for a whole
//! request head), `--max-connections` (512 open at once, 503 beyond),
//! `--max-connections-per-token` (8 streams, 429 beyond),
//! `--max-queries-per-token` (4 running queries, 429 beyond),
//! `--max-body-bytes` (64 KiB per query request, 413 beyond) and
//! `--max-rows` (10 000 rows per query: `limit` 0 means the cap, more is a
//! 400).

use crate::error::{Error, Result};
use crate::model::*;
use crate::query::{QueryEngine, ReviewStore};
use crate::source::postgres::{TailConfig, parse_interval};
use crate::source::{SourceSpec, spawn_source};
use crate::sse::hub::{Hub, HubLimits};
use crate::sse::listen::ListenLimits;
use crate::sse::server::{AppState, ServerConfig, router};
use crate::sse::tokens::TokenStore;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Arguments of `tracetop serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The database to tail and query (read-only session).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Serve a recording instead of a database (no query API).
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,
    /// Replay speed (1 = real time, 0 = as fast as possible).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "ADDR:PORT")]
    pub listen: String,
    /// Tokens, one per line: `TOKEN` (all users) or `TOKEN user:USER_ID`,
    /// optionally `expires:RFC3339`.
    #[arg(long, value_name = "FILE")]
    pub token_file: PathBuf,
    /// Heartbeat interval.
    #[arg(long, default_value = "15s", value_name = "DURATION")]
    pub heartbeat: String,
    /// Events kept for Last-Event-ID replay.
    #[arg(long, default_value_t = 100_000)]
    pub ring_events: usize,
    /// Megabytes of events kept for replay.
    #[arg(long, default_value_t = 256)]
    pub ring_mb: usize,
    /// How many events a live client may fall behind before it is dropped.
    #[arg(long, default_value_t = 8192)]
    pub client_buffer: usize,
    /// Concurrent streams per token (429 beyond; a closed stream frees its
    /// slot at once).
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub max_connections_per_token: usize,
    /// Connections open at once, with or without a token (503 beyond).
    #[arg(long, default_value_t = 512, value_name = "N")]
    pub max_connections: usize,
    /// A connection that has not sent a whole request head within this
    /// time (half-open, slow, or idle keep-alive) is closed.
    #[arg(long, default_value = "10s", value_name = "DURATION")]
    pub header_timeout: String,
    /// Query API calls running at once per token (429 beyond).
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub max_queries_per_token: usize,
    /// Largest query API request body, in bytes (413 beyond).
    #[arg(long, default_value_t = 65_536, value_name = "BYTES")]
    pub max_body_bytes: usize,
    /// Most rows one query may return: `limit` 0 means this many, a larger
    /// limit is refused with a one-line error (400).
    #[arg(long, default_value_t = 10_000, value_name = "ROWS")]
    pub max_rows: usize,
    /// Tail backfill on start (fills the ring so restarted clients resume).
    #[arg(long, default_value = "10m", value_name = "DURATION")]
    pub backfill: String,
    /// Postgres poll interval.
    #[arg(long, default_value = "500ms", value_name = "DURATION")]
    pub interval: String,
    /// Postgres re-read window for out-of-order commits.
    #[arg(long, default_value = "5s", value_name = "DURATION")]
    pub lookback: String,
    /// End streams once a replay has been fully sent (for benchmarks).
    #[arg(long)]
    pub close_when_done: bool,
    /// Config file with an `[anomaly]` table of thresholds for the rules
    /// run on a database source (default: $XDG_CONFIG_HOME/tracetop/config.toml
    /// when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// How often the config's `[[budget]]` entries are evaluated on a
    /// database source (their warnings and overruns go out as anomaly
    /// events; a user-scoped token gets only user budgets that match its
    /// user).
    #[arg(long, default_value = "30s", value_name = "DURATION")]
    pub budget_interval: String,
}

/// Where remote consoles' verdicts go: the database's `tracetop_reviews`
/// when it has one; otherwise verdicts are refused with the reason (the
/// stream and queries still work).
async fn review_store_for(url: &str) -> Option<Arc<dyn ReviewStore>> {
    match crate::pg::PgReviewStore::connect(url).await {
        Ok(store) => Some(Arc::new(store)),
        Err(e) => {
            eprintln!(
                "tracetop serve: audit verdicts disabled: {}",
                crate::error::redact_urls_in(&e.to_string())
            );
            None
        }
    }
}

/// The query engine for a database: the read-only `PgEngine`.
async fn query_engine_for(url: &str) -> Result<Option<Arc<dyn QueryEngine>>> {
    let engine = crate::pg::PgEngine::connect(url).await?;
    Ok(pg_query_engine(engine))
}

fn pg_query_engine(engine: crate::pg::PgEngine) -> Option<Arc<dyn QueryEngine>> {
    Some(Arc::new(engine))
}

/// glibc's malloc raises its mmap threshold to the size of each big block
/// freed (up to 32 MiB), so after one 2 MB event the next big buffers come
/// from the heaps of its per-thread arenas, and what they leave there is
/// kept: measured with 50 clients, a 2 MB tool output left serve 24 MB
/// larger for good. A fixed threshold keeps every block over 128 KiB in a
/// mapping of its own, given back to the system when freed, so a
/// long-running relay's memory follows what it actually holds.
fn return_big_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter, under the
    // allocator's own lock; a refused setting (it returns 0) leaves the
    // default behaviour.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 << 10);
    }
}

/// Run `tracetop serve`.
pub async fn run(args: ServeArgs) -> Result<()> {
    return_big_blocks_to_the_system();
    let tokens = TokenStore::load(&args.token_file)?;
    let listen: SocketAddr = args.listen.parse().map_err(|_| {
        Error::input(format!(
            "invalid --listen {:?}: expected ADDRESS:PORT, e.g. 127.0.0.1:8787",
            args.listen
        ))
    })?;
    let heartbeat = parse_interval(&args.heartbeat)?.max(std::time::Duration::from_millis(50));
    let listen_limits = ListenLimits {
        header_timeout: parse_interval(&args.header_timeout)?
            .max(std::time::Duration::from_millis(100)),
        max_connections: args.max_connections.max(1),
    };
    let backfill = parse_interval(&args.backfill)?;
    let thresholds = super::anomalies::load_thresholds(args.config.as_deref())?;
    let windows: Option<Arc<dyn crate::source::window::WindowSource>>;
    let spend = crate::budget::SpendConfig::load(args.config.as_deref())?;
    let budget_interval = parse_interval(&args.budget_interval)?;
    let (spec, engine, reviews, lost_up_to) = if let Some(path) = &args.replay {
        if !path.is_file() {
            return Err(Error::input(format!(
                "replay file {} not found",
                path.display()
            )));
        }
        // remote consoles may travel inside the recording too
        let (file, _) = crate::source::window::file::FileWindow::open(path).await?;
        windows = Some(Arc::new(file));
        (
            SourceSpec::Replay {
                path: path.clone(),
                speed: args.speed,
            },
            None,
            None,
            None,
        )
    } else if let Some(url) = &args.database_url {
        let engine = query_engine_for(url).await?;
        let reviews = review_store_for(url).await;
        // past windows for remote consoles' time travel (read-only)
        windows = Some(Arc::new(
            crate::source::window::pg::PgWindow::connect(url).await?,
        ));
        let tail = TailConfig {
            interval: parse_interval(&args.interval)?,
            lookback: parse_interval(&args.lookback)?,
            backfill: Some(backfill),
            // the ring is bounded on its own: replay the whole span into it
            backfill_cap: None,
            ..TailConfig::default()
        };
        let start = chrono::Utc::now() - chrono::Duration::from_std(backfill).unwrap_or_default();
        (
            SourceSpec::Postgres {
                url: url.clone(),
                tail,
            },
            engine,
            reviews,
            Some(Hub::time_cursor(start)),
        )
    } else {
        return Err(Error::input(
            "no source: give --database-url URL (or DATABASE_URL), or --replay FILE",
        ));
    };
    let hub = Hub::new(
        HubLimits {
            ring_events: args.ring_events.max(1),
            ring_bytes: args.ring_mb.max(1) << 20,
            client_buffer: args.client_buffer.max(16),
        },
        lost_up_to,
    );
    let config = ServerConfig {
        heartbeat,
        max_connections_per_token: args.max_connections_per_token.max(1),
        max_queries_per_token: args.max_queries_per_token.max(1),
        max_body_bytes: args.max_body_bytes.max(1024),
        max_rows: args.max_rows.max(1),
        hidden_in_errors: args
            .database_url
            .iter()
            .flat_map(|url| [url.clone(), crate::error::redact_url(url)])
            .collect(),
        close_when_done: args.close_when_done,
        ..ServerConfig::default()
    };
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
        Error::io(format!(
            "cannot listen on {listen}: {e}; pick another --listen port"
        ))
        .caused_by(e)
    })?;
    if !listen.ip().is_loopback() {
        eprintln!(
            "tracetop: warning: listening on {listen} without TLS; tokens travel in clear: put a TLS proxy in front"
        );
    }
    let (tx, rx) = mpsc::channel(64);
    // the anomaly rules run on live database traffic; a replay already
    // carries whatever anomalies were recorded
    let detect = matches!(spec, SourceSpec::Postgres { .. });
    let source = spawn_source(spec, tx);
    let mut rx = if detect {
        crate::anomaly::detect_anomalies(rx, thresholds)
    } else {
        rx
    };
    if detect && let Some(engine) = engine.clone() {
        rx = crate::budget::watch_budgets(
            rx,
            spend.budgets.into(),
            engine,
            budget_interval,
            |line| eprintln!("tracetop serve: {}", crate::error::redact_urls_in(&line)),
        );
    }
    let pump_hub = hub.clone();
    let pump = tokio::spawn(async move {
        while let Some(update) = rx.recv().await {
            match update.decoded() {
                SourceUpdate::Events(events) => pump_hub.publish(events),
                SourceUpdate::State(SourceState::Reconnecting {
                    retry_in_ms,
                    reason,
                }) => eprintln!(
                    "tracetop serve: source lost ({}); retrying in {:.1} s",
                    crate::error::redact_urls_in(&reason),
                    retry_in_ms as f64 / 1000.0
                ),
                SourceUpdate::State(SourceState::Stopped { reason }) => {
                    eprintln!(
                        "tracetop serve: source stopped: {}",
                        crate::error::redact_urls_in(&reason)
                    );
                    pump_hub.finish();
                }
                _ => {}
            }
        }
        pump_hub.finish();
    });
    let app = router(AppState::new(hub, tokens, engine, reviews, windows, config));
    eprintln!(
        "tracetop serve: listening on http://{} (stream: /api/v1/stream)",
        listener.local_addr().unwrap_or(listen)
    );
    tokio::select! {
        _ = crate::sse::listen::serve(listener, app, listen_limits) => {}
        _ = super::common::shutdown_signal() => {}
    };
    source.abort();
    pump.abort();
    Ok(())
}
