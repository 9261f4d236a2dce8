//! Every live event source, and one way to open any of them as a stream of
//! [`SourceUpdate`]s (`tail`, `record`, `serve` and the console all start
//! sources here):
//!
//! * [`postgres`]: the watermark tail of a Postgres database (and its
//!   cold-start backfill);
//! * [`sse_client`]: the reconnecting SSE client (our stream or
//!   systemprompt's), on top of `sse`'s guard, framing and decoding;
//! * [`recording`]: the reader of `tracetop record` files, replayed at a
//!   chosen speed;
//! * [`demo`]: endless synthetic traffic for `demo` and `simulate --live`;
//! * [`window`]: any past window (database, `serve`, recording) as a
//!   replayable stream (time travel).

use recording::RecordingReader;
use sse_client::ClientConfig;

pub mod demo;
pub mod postgres;
pub mod recording;
pub mod resume;
pub mod sse_client;
pub mod window;
use crate::error::{Error, Result};
use crate::model::*;
use crate::source::postgres::{PgTail, TailConfig};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc;

/// Where live events come from.
#[derive(Debug, Clone)]
pub enum SourceSpec {
    /// Watermark tail of a Postgres database.
    Postgres { url: String, tail: TailConfig },
    /// A remote SSE stream (`tracetop serve` or systemprompt).
    Remote(ClientConfig),
    /// A file written by `tracetop record`; `speed` 1.0 is real time, 0 is
    /// as fast as possible.
    Replay { path: PathBuf, speed: f64 },
}

/// Longest pause between two replayed events, in real time: a recording
/// with an idle hour in it does not stall a replay for an hour.
pub const MAX_REPLAY_PAUSE: Duration = Duration::from_secs(5);

/// Start the source on its own task. It sends updates to `tx` until `tx` is
/// dropped (Ok), the replay ends (Ok, after `SourceState::Stopped`), or it
/// fails for good (Err, after `SourceState::Stopped` with the reason).
pub fn spawn_source(
    spec: SourceSpec,
    tx: mpsc::Sender<SourceUpdate>,
) -> tokio::task::JoinHandle<Result<()>> {
    tokio::spawn(run_source(spec, tx))
}

/// [`spawn_source`] without the spawn.
pub async fn run_source(spec: SourceSpec, tx: mpsc::Sender<SourceUpdate>) -> Result<()> {
    let result = match spec {
        SourceSpec::Postgres { url, tail } => match PgTail::connect(&url, tail).await {
            Ok(tail) => tail.run(tx.clone()).await,
            Err(e) => Err(e),
        },
        SourceSpec::Remote(config) => sse_client::run(config, tx.clone()).await,
        SourceSpec::Replay { path, speed } => replay(path, speed, tx.clone()).await,
    };
    if let Err(e) = &result {
        let _ = tx
            .send(SourceUpdate::State(SourceState::Stopped {
                reason: e.to_string(),
            }))
            .await;
    }
    result
}

async fn replay(path: PathBuf, speed: f64, tx: mpsc::Sender<SourceUpdate>) -> Result<()> {
    if !(speed >= 0.0 && speed.is_finite()) {
        return Err(Error::input(format!(
            "invalid --speed {speed}: use 0 (as fast as possible) or a positive factor (1 = real time)"
        )));
    }
    let file = tokio::fs::File::open(&path).await.map_err(|e| {
        Error::input(format!("cannot open replay file {}: {e}", path.display())).caused_by(e)
    })?;
    let mut reader = RecordingReader::new(tokio::io::BufReader::with_capacity(1 << 20, file));
    if tx
        .send(SourceUpdate::State(SourceState::Connected))
        .await
        .is_err()
    {
        return Ok(());
    }
    let mut counters = SourceCounters::default();
    let mut batch: Vec<Event> = Vec::new();
    let mut previous: Option<Timestamp> = None;
    loop {
        let event = match reader.next_event().await {
            Ok(Some(event)) => event,
            Ok(None) => break,
            Err(e) => {
                return Err(Error::io(format!(
                    "reading replay file {} at line {}: {e}",
                    path.display(),
                    reader.stats.lines + 1
                ))
                .caused_by(e));
            }
        };
        counters.unknown = reader.stats.unknown;
        counters.skipped = reader.stats.bad;
        if speed > 0.0
            && let Some(at) = event.occurred_at()
        {
            if let Some(prev) = previous
                && at > prev
            {
                let gap = (at - prev).to_std().unwrap_or_default().div_f64(speed);
                let pause = gap.min(MAX_REPLAY_PAUSE);
                if pause >= Duration::from_millis(1) {
                    if !flush(&tx, &mut batch, &mut counters).await {
                        return Ok(());
                    }
                    tokio::time::sleep(pause).await;
                }
            }
            previous = Some(previous.map_or(at, |p| p.max(at)));
        }
        batch.push(event);
        if batch.len() >= 512 && !flush(&tx, &mut batch, &mut counters).await {
            return Ok(());
        }
    }
    counters.unknown = reader.stats.unknown;
    counters.skipped = reader.stats.bad;
    if !flush(&tx, &mut batch, &mut counters).await {
        return Ok(());
    }
    let stats = &reader.stats;
    if stats.events == 0 {
        let held = match (stats.lines, stats.unknown, stats.bad_summary()) {
            (0, _, _) => "it is empty".to_string(),
            (_, 0, None) => "only blank lines".to_string(),
            (_, 0, Some(bad)) => bad,
            (_, unknown, Some(bad)) => format!("{unknown} of unknown types, {bad}"),
            (_, unknown, None) => format!("{unknown} events of unknown types only"),
        };
        return Err(Error::input(format!(
            "replay file {} holds no valid event ({held}): give a file written by `tracetop record --out FILE`",
            path.display()
        )));
    }
    // Bad lines are said at the end (the reason of the stop carries them).
    let _ = tx.send(SourceUpdate::Counters(counters.clone())).await;
    let reason = match stats.bad_summary() {
        Some(bad) => format!(
            "end of replay {} ({} events; {bad})",
            path.display(),
            counters.received
        ),
        None => format!(
            "end of replay {} ({} events)",
            path.display(),
            counters.received
        ),
    };
    let _ = tx
        .send(SourceUpdate::State(SourceState::Stopped { reason }))
        .await;
    Ok(())
}

/// Send the batch and counters; false when the consumer is gone.
async fn flush(
    tx: &mpsc::Sender<SourceUpdate>,
    batch: &mut Vec<Event>,
    counters: &mut SourceCounters,
) -> bool {
    if batch.is_empty() {
        return true;
    }
    counters.received += batch.len() as u64;
    if tx
        .send(SourceUpdate::Events(std::mem::take(batch)))
        .await
        .is_err()
    {
        return false;
    }
    tx.send(SourceUpdate::Counters(counters.clone()))
        .await
        .is_ok()
}
