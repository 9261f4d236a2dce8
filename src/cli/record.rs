//! `tracetop record --out FILE`: capture any live source (Postgres, remote,
//! replay) to a JSON-lines file, one [`Event`] per line, so an incident can
//! be replayed later with `tracetop replay` or in the console.
//!
//! Nothing half-written is left under FILE: events go to `FILE.partial`
//! (flushed after every batch, so a crash loses at most one batch and the
//! partial file is still valid JSON lines) and the file is renamed to FILE
//! on a clean stop: Ctrl-C, SIGTERM, `--count`, `--duration`, or the source
//! ending. Heartbeats are not recorded.
//!
//! With `--since` (and `--until`, default now) it records a past window
//! instead of the live stream, read from the database or a `tracetop
//! serve` (see [`super::record_window`]), and stops at its end.

use super::tail::{CountedLines, LiveSourceArgs};
use crate::error::{Error, Result};
use crate::model::*;
use crate::source::postgres::parse_interval;
use crate::source::{SourceSpec, spawn_source};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

/// Arguments of `tracetop record`.
#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    #[command(flatten)]
    pub source: LiveSourceArgs,
    /// Where to write the recording (JSON lines).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
    /// Stop after this many events.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Stop after this long, e.g. 10m.
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,
    /// Record the past window from this time instead of the live stream (a
    /// duration back from now, a date or an RFC 3339 time).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// End of the `--since` window [default: now].
    #[arg(long, value_name = "TIME", requires = "since")]
    pub until: Option<String>,
}

pub(super) fn partial_path(out: &std::path::Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Run `tracetop record`.
pub async fn run(args: RecordArgs) -> Result<()> {
    if args.out.exists() && !args.force {
        return Err(Error::input(format!(
            "{} already exists: choose another --out or add --force",
            args.out.display()
        )));
    }
    if args.since.is_some() {
        return super::record_window::run(args).await;
    }
    let duration = args.duration.as_deref().map(parse_interval).transpose()?;
    let mut spec = args.source.spec()?;
    if let SourceSpec::Remote(config) = &mut spec {
        // Our own events are recorded as the server sent them.
        config.raw_json = true;
    }
    let partial = partial_path(&args.out);
    let file = std::fs::File::create(&partial)
        .map_err(|e| Error::io(format!("cannot create {}: {e}", partial.display())).caused_by(e))?;
    let mut lines = CountedLines::new(std::io::BufWriter::with_capacity(1 << 16, file), args.count);
    let mut line = Vec::with_capacity(4096);
    let (tx, mut rx) = mpsc::channel(64);
    let source = spawn_source(spec, tx);
    let deadline = async {
        match duration {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(deadline);
    let stop = super::common::shutdown_signal();
    tokio::pin!(stop);
    let mut source_ended = false;
    let write_result: std::io::Result<()> = async {
        loop {
            let update = tokio::select! {
                u = rx.recv() => u,
                _ = &mut deadline => break,
                _ = &mut stop => break,
            };
            let Some(update) = update else {
                source_ended = true;
                break;
            };
            match update {
                SourceUpdate::Events(events) => {
                    for event in events
                        .iter()
                        .filter(|e| !matches!(e, Event::Heartbeat { .. }))
                    {
                        line.clear();
                        crate::output::json::to_writer_compact(&mut line, event)
                            .map_err(std::io::Error::other)?;
                        if lines.line(&line)? {
                            return Ok(());
                        }
                    }
                }
                SourceUpdate::Raw(raws) => {
                    for raw in raws.iter().filter(|r| r.kind != "heartbeat") {
                        if lines.line(raw.json())? {
                            return Ok(());
                        }
                    }
                }
                SourceUpdate::State(_) | SourceUpdate::Counters(_) => {}
            }
            // Written out whenever caught up with the source.
            if rx.is_empty() {
                lines.flush()?;
            }
        }
        lines.flush()
    }
    .await;
    drop(rx);
    let written = lines.written();
    let source_result = if source_ended {
        source.await.unwrap_or_else(|e| {
            Err(Error::other(format!("the source task failed: {e}")).caused_by(e))
        })
    } else {
        source.abort();
        Ok(())
    };
    check_partial(
        &args.out,
        &partial,
        written,
        write_result,
        source_result,
        "captured",
    )?;
    publish(&partial, &args.out)?;
    eprintln!(
        "tracetop: recorded {written} events to {}",
        args.out.display()
    );
    Ok(())
}

/// Whether a recording into `partial` ended cleanly: a write error, or the
/// source's (or reader's) own failure, becomes the error, saying where the
/// `written` events so far are. They stay under the `.partial` name: it is
/// not a clean recording.
pub(super) fn check_partial(
    out: &Path,
    partial: &Path,
    written: u64,
    write_result: std::io::Result<()>,
    source_result: Result<()>,
    verb: &str,
) -> Result<()> {
    if let Err(e) = write_result {
        return Err(Error::io(format!(
            "cannot write {}: {e}; the events so far are in {}",
            out.display(),
            partial.display()
        ))
        .caused_by(e));
    }
    source_result.map_err(|e| {
        e.map_text(|line| {
            format!(
                "{line} (the {written} events {verb} are in {})",
                partial.display()
            )
        })
    })
}

/// A clean recording takes its final name.
pub(super) fn publish(partial: &Path, out: &Path) -> Result<()> {
    std::fs::rename(partial, out).map_err(|e| {
        Error::io(format!(
            "cannot rename {} to {}: {e}",
            partial.display(),
            out.display()
        ))
        .caused_by(e)
    })
}
