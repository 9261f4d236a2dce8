//! `tracetop demo`: the full console on synthetic live traffic with no
//! database: the seeded live generator feeds the in-memory LiveEngine
//! in-process, and the same engine answers every pane's queries. Verdicts go
//! to an in-memory review store.
//!
//! The anomaly rules run on the generated stream, so the planted incident
//! patterns of the live generator raise anomalies as they would live.

use super::console::{LookArgs, build_app, require_terminal};
use crate::error::{Error, Result};
use crate::live::LiveEngine;
use crate::model::*;
use crate::query::QueryEngine;
use crate::sim::live::LiveGenerator;
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
    /// in-memory engine (removed on exit).
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

/// The in-memory engine the demo runs on, as the ribbon's live feed and as
/// the query engine of every pane (the same store, default limits).
pub fn demo_engine() -> (Arc<dyn LiveFeed>, Arc<dyn QueryEngine>) {
    let engine = Arc::new(LiveEngine::default());
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
        return Err(Error::input(
            "`tracetop demo --postgres` is not part of this build yet: run `tracetop demo` \
             (in-memory) instead",
        ));
    }
    let (mut app, config) = build_app(&args.look, "demo")?;
    let (live, history) = demo_engine();
    let generator = demo_generator(args.seed, chrono::Utc::now());
    require_terminal()?;
    app.source_label = format!("demo · seed {} · {rate} ev/s", args.seed);
    let (tx, rx) = mpsc::channel(256);
    let generator_task = tokio::spawn(run_generator(generator, rate, tx));
    let console = Console {
        live,
        history,
        reviews: Arc::new(MemoryReviewStore::new()),
        updates: crate::anomaly::detect_anomalies(rx, config.anomaly.clone()),
    };
    let result = crate::tui::event_loop::run(console, app).await;
    generator_task.abort();
    result
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
