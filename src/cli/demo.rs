//! `tracetop demo`: the full console on synthetic live traffic with no
//! database: the seeded live generator feeds the in-memory LiveEngine
//! in-process, and the same engine answers every pane's queries. Verdicts go
//! to an in-memory review store.
//!
//! The anomaly rules run on the generated stream, so the planted incident
//! patterns of the live generator raise anomalies as they would live.
//!
//! `demo --postgres` runs the real database path instead: a throwaway
//! Postgres cluster in a temp dir, migrated and loaded with a small seeded
//! history, then fed live traffic by the simulator (as `simulate --live`
//! does) while the console reads it exactly as it reads any database
//! (PgEngine, PgReviewStore, the watermark tail). The simulator is stopped
//! and the cluster stopped and removed on exit, signal or error.

use super::console::{
    LookArgs, OpenedSource, build_app, open_database, require_terminal, run_opened,
};
use crate::error::{Error, Result};
use crate::live::{LiveEngine, LiveLimits};
use crate::model::*;
use crate::pg::cluster::TempCluster;
use crate::query::QueryEngine;
use crate::sim::{self, SimConfig};
use crate::source::demo::LiveGenerator;
use crate::tui::MemoryReviewStore;
use crate::tui::event_loop::{Console, LiveFeed};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Arguments of `tracetop demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Synthetic events per second.
    #[arg(long, default_value_t = 50.0, value_name = "R")]
    pub rate: f64,
    /// Seed of the generator (same seed, same traffic).
    #[arg(long, default_value_t = 42, value_name = "N")]
    pub seed: u64,
    /// Run a throwaway Postgres cluster fed by the simulator instead of the
    /// in-memory engine (removed on exit; needs the Postgres server
    /// binaries, e.g. `apt-get install postgresql`).
    #[arg(long)]
    pub postgres: bool,
    #[command(flatten)]
    pub look: LookArgs,
}

/// Highest accepted `--rate`.
pub const MAX_RATE: f64 = 100_000.0;

/// How often the generator is advanced.
const GENERATOR_STEP: Duration = Duration::from_millis(100);

/// Check `--rate`.
pub fn validate_rate(rate: f64) -> Result<f64> {
    if rate.is_finite() && rate > 0.0 && rate <= MAX_RATE {
        Ok(rate)
    } else {
        Err(Error::input(format!(
            "invalid --rate {rate}: use a number of events per second above 0 and at most {MAX_RATE}"
        )))
    }
}

/// A source of synthetic events: called with the wall clock and the rate,
/// returns the events due up to then.
pub type Generator = Box<dyn FnMut(Timestamp, f64) -> Vec<Event> + Send>;

/// Bounds of the demo's store: about an hour of history at the default
/// rate, a few minutes at 1000 events/s; once full, the oldest rows go and
/// memory stays flat (near 300 MiB resident) however long the demo runs.
pub const DEMO_LIMITS: LiveLimits = LiveLimits {
    max_events: 250_000,
    max_bytes: 192 << 20,
};

/// The in-memory engine the demo runs on, as the ribbon's live feed and as
/// the query engine of every pane (the same store).
pub fn demo_engine() -> (Arc<dyn LiveFeed>, Arc<dyn QueryEngine>) {
    let engine = Arc::new(LiveEngine::new(DEMO_LIMITS));
    (engine.clone(), engine)
}

/// The seeded live generator, starting at `start`.
pub fn demo_generator(seed: u64, start: Timestamp) -> Generator {
    let mut generator = LiveGenerator::new(seed, start);
    Box::new(move |now, rate| generator.advance(now, rate))
}

/// Drive the generator: every step, send the events due as one batch.
/// Stops when the console goes away (the receiver is dropped).
async fn run_generator(mut generator: Generator, rate: f64, tx: mpsc::Sender<SourceUpdate>) {
    if tx
        .send(SourceUpdate::State(SourceState::Connected))
        .await
        .is_err()
    {
        return;
    }
    let mut ticker = tokio::time::interval(GENERATOR_STEP);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut counters = SourceCounters::default();
    loop {
        ticker.tick().await;
        let events = generator(chrono::Utc::now(), rate);
        if events.is_empty() {
            continue;
        }
        counters.received += events.len() as u64;
        // never block the generator on a slow console: drop and count
        match tx.try_send(SourceUpdate::Events(events)) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(SourceUpdate::Events(lost))) => {
                counters.dropped += lost.len() as u64;
                let _ = tx.try_send(SourceUpdate::Counters(counters.clone()));
            }
            Err(_) => return,
        }
    }
}

/// Run `tracetop demo`.
pub async fn run(args: DemoArgs) -> Result<()> {
    let rate = validate_rate(args.rate)?;
    if args.postgres {
        return run_postgres(args, rate).await;
    }
    let (mut app, config) = build_app(&args.look, "demo")?;
    if let Some(card) = super::console::configured_prices(None, &config)? {
        app.prices = card;
    }
    let (live, history) = demo_engine();
    let generator = demo_generator(args.seed, chrono::Utc::now());
    require_terminal()?;
    app.source_label = format!("demo · seed {} · {rate} ev/s", args.seed);
    let (tx, rx) = mpsc::channel(256);
    let generator_task = tokio::spawn(run_generator(generator, rate, tx));
    let updates = crate::budget::watch_budgets(
        crate::anomaly::detect_anomalies(rx, config.anomaly.clone()),
        app.spend.budgets(),
        history.clone(),
        crate::budget::monitor::DEFAULT_INTERVAL,
        |_| {},
    );
    let console = Console {
        live,
        history,
        reviews: Arc::new(MemoryReviewStore::new()),
        updates,
        // the generator's traffic has no past to travel to
        windows: None,
        replay_answers: false,
        replay_anomalies: None,
        start_at: None,
    };
    let result = crate::tui::event_loop::run(console, app).await;
    generator_task.abort();
    result
}

/// Users in the history `demo --postgres` loads (and the live traffic
/// continues): small, so start-up takes a few seconds.
pub const PG_DEMO_USERS: usize = 40;
/// Days of history `demo --postgres` loads before now.
pub const PG_DEMO_DAYS: u32 = 1;
/// Name of the database created in the throwaway cluster.
const PG_DEMO_DATABASE: &str = "tracetop_demo";
/// How long the simulator gets to finish its last write on exit.
const WRITER_STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// Resolves on SIGINT, SIGTERM or SIGHUP. Watching them replaces their
/// default action (dying on the spot), so start-up can be interrupted and
/// still remove the cluster.
fn interrupted() -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let watch = |kind: SignalKind, name: &str| {
        signal(kind).map_err(|e| Error::io(format!("cannot watch {name}: {e}")).caused_by(e))
    };
    let mut int = watch(SignalKind::interrupt(), "SIGINT")?;
    let mut term = watch(SignalKind::terminate(), "SIGTERM")?;
    let mut hup = watch(SignalKind::hangup(), "SIGHUP")?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
            _ = hup.recv() => {}
        }
    })
}

/// Create, migrate and load the demo database; returns its URL.
async fn prepare_database(cluster: &TempCluster, seed: u64) -> Result<String> {
    use chrono::DurationRound;
    let url = cluster.create_database(PG_DEMO_DATABASE, None).await?;
    crate::pg::migrate::run(&url).await?;
    let cfg = SimConfig {
        seed,
        users: PG_DEMO_USERS,
        days: PG_DEMO_DAYS,
        until: chrono::Utc::now()
            .duration_trunc(chrono::Duration::milliseconds(1))
            .unwrap_or_else(|_| chrono::Utc::now()),
    };
    let workload = tokio::task::spawn_blocking(move || sim::generate(&cfg))
        .await
        .map_err(|e| Error::other(format!("the workload generator stopped: {e}")).caused_by(e))?;
    eprintln!(
        "loading {} rows of history ({PG_DEMO_USERS} users, {PG_DEMO_DAYS} day, seed {seed})…",
        workload.row_count()
    );
    let stats = sim::load(&url, &workload).await?;
    eprintln!(
        "loaded {} rows in {:.1} s",
        stats.rows,
        stats.elapsed.as_secs_f64()
    );
    Ok(url)
}

/// Run `tracetop demo --postgres`.
async fn run_postgres(args: DemoArgs, rate: f64) -> Result<()> {
    let label = format!("demo --postgres · seed {} · {rate} ev/s", args.seed);
    let (app, config) = build_app(&args.look, &label)?;
    require_terminal()?;
    let interrupted = interrupted()?;
    tokio::pin!(interrupted);
    eprintln!("starting a throwaway Postgres…");
    let cluster = tokio::task::spawn_blocking(TempCluster::start)
        .await
        .map_err(|e| Error::other(format!("starting Postgres stopped: {e}")).caused_by(e))?
        .map_err(|e| {
            Error::other(format!("cannot start a throwaway Postgres: {e}")).caused_by(e)
        })?;
    // from here on, every way out drops `cluster`: stopped and removed
    eprintln!("cluster at {}", cluster.dir().display());
    let opened = tokio::select! {
        opened = async {
            let url = prepare_database(&cluster, args.seed).await?;
            let opened = open_database(&url, None).await?;
            Ok::<_, Error>((url, opened))
        } => opened,
        _ = &mut interrupted => {
            return Err(Error::other(
                "interrupted while preparing the demo database",
            ));
        }
    };
    let (url, opened) = opened?;
    let opened = OpenedSource { label, ..opened };

    eprintln!("writing live traffic at {rate} ev/s; opening the console…");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let live = sim::load::LiveConfig {
        seed: args.seed,
        users: PG_DEMO_USERS,
        rate,
    };
    let writer = tokio::spawn(async move {
        let stop = async {
            let _ = stop_rx.await;
        };
        sim::load::write_live(&url, live, stop, |_, _| {}).await
    });

    // the console handles SIGTERM / SIGHUP itself; SIGINT (e.g. `kill -INT`)
    // ends it here
    let result = tokio::select! {
        result = run_opened(opened, app, Some(config.anomaly.clone()), Some(config.anomaly.clone())) => result,
        _ = &mut interrupted => Ok(()),
    };

    let _ = stop_tx.send(());
    match tokio::time::timeout(WRITER_STOP_TIMEOUT, writer).await {
        Ok(Ok(Ok(_))) => {}
        Ok(Ok(Err(e))) => note(&format!("tracetop: the simulator stopped early: {e}")),
        Ok(Err(e)) => note(&format!("tracetop: the simulator stopped early: {e}")),
        // dropping the handle leaves the task to the runtime's shutdown
        Err(_) => note("tracetop: the simulator did not stop in time"),
    }
    let dir = cluster.dir().to_path_buf();
    drop(cluster);
    if dir.exists() {
        note(&format!(
            "tracetop: could not remove the throwaway Postgres at {}",
            dir.display()
        ));
    } else {
        note(&format!(
            "stopped and removed the throwaway Postgres at {}",
            dir.display()
        ));
    }
    result
}

/// A line on stderr after the console: never panics, since after SIGHUP
/// (a dropped SSH session) stderr may be a terminal that is gone.
fn note(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_is_checked() {
        assert_eq!(validate_rate(50.0).unwrap(), 50.0);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e9] {
            let err = validate_rate(bad).unwrap_err().to_string();
            assert!(err.contains("invalid --rate"), "{err}");
        }
    }

    #[tokio::test]
    async fn generator_batches_reach_the_console_channel() {
        let mut n = 0u64;
        let generator: Generator = Box::new(move |now, _| {
            n += 1;
            vec![Event::Heartbeat { at: now }; n as usize]
        });
        let (tx, mut rx) = mpsc::channel(8);
        let task = tokio::spawn(run_generator(generator, 10.0, tx));
        assert_eq!(
            rx.recv().await,
            Some(SourceUpdate::State(SourceState::Connected))
        );
        match rx.recv().await {
            Some(SourceUpdate::Events(events)) => assert_eq!(events.len(), 1),
            other => panic!("unexpected {other:?}"),
        }
        match rx.recv().await {
            Some(SourceUpdate::Events(events)) => assert_eq!(events.len(), 2),
            other => panic!("unexpected {other:?}"),
        }
        drop(rx);
        let _ = task.await;
    }
}
