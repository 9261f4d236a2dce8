//! `tracetop record --since … [--until …] --out FILE`: write a past window
//! to a recording, read from Postgres (`--database-url`, through the
//! tail's decoding, read-only) or a `tracetop serve` (`--remote`, with the
//! token's scope), so an incident can be handed over and replayed with
//! `tracetop --replay FILE` or `tracetop replay FILE`. Same file rules as
//! a live recording: `FILE.partial` until the window is written, renamed
//! on success; heartbeats are not recorded.

use super::common::shutdown_signal;
use super::record::{RecordArgs, check_partial, partial_path, publish};
use super::tail::{CountedLines, LiveSourceArgs};
use crate::error::{Error, Result};
use crate::query::TimeWindow;
use crate::source::window::{Replayed, WindowSource};
use std::sync::Arc;
use tokio::sync::mpsc;

/// The window reader the source flags name.
pub async fn window_source(source: &LiveSourceArgs) -> Result<Arc<dyn WindowSource>> {
    if source.replay.is_some() {
        return Err(Error::input(
            "record --since reads a past window from --database-url or --remote; \
             a recording is already a file (copy it)",
        ));
    }
    if let Some(url) = &source.remote {
        let token = crate::source::sse_client::load_token(source.token_file.as_deref())?;
        return Ok(Arc::new(crate::source::window::remote::RemoteWindow::new(
            url, token,
        )?));
    }
    if let Some(url) = &source.database_url {
        return Ok(Arc::new(
            crate::source::window::pg::PgWindow::connect(url).await?,
        ));
    }
    Err(Error::input(
        "no source: give --database-url URL (or DATABASE_URL) or --remote URL to record a past window",
    ))
}

/// Run `tracetop record --since …`.
pub async fn run(args: RecordArgs) -> Result<()> {
    if args.duration.is_some() {
        return Err(Error::input(
            "record --since writes the window [--since, --until) and stops: drop --duration",
        ));
    }
    let window: TimeWindow = crate::query::resolve_window(
        args.since.as_deref(),
        args.until.as_deref(),
        None,
        chrono::Utc::now(),
    )?;
    let source = window_source(&args.source).await?;
    let partial = partial_path(&args.out);
    let file = std::fs::File::create(&partial)
        .map_err(|e| Error::io(format!("cannot create {}: {e}", partial.display())).caused_by(e))?;
    let mut lines = CountedLines::new(std::io::BufWriter::with_capacity(1 << 16, file), args.count);
    let (tx, mut rx) = mpsc::channel::<Vec<Replayed>>(4);
    let reader = tokio::spawn(async move { source.read(window, tx).await });
    let stop = shutdown_signal();
    tokio::pin!(stop);
    let mut line = Vec::with_capacity(4096);
    let mut interrupted = false;
    let write_result: std::io::Result<()> = async {
        loop {
            let batch = tokio::select! {
                b = rx.recv() => b,
                _ = &mut stop => { interrupted = true; break; }
            };
            let Some(batch) = batch else { break };
            for item in batch {
                if matches!(item.event, crate::model::Event::Heartbeat { .. }) {
                    continue;
                }
                line.clear();
                crate::output::json::to_writer_compact(&mut line, &item.event)
                    .map_err(std::io::Error::other)?;
                if lines.line(&line)? {
                    return lines.flush();
                }
            }
        }
        lines.flush()
    }
    .await;
    drop(rx);
    let written = lines.written();
    let read_result = if interrupted || lines.done() {
        reader.abort();
        Ok(())
    } else {
        reader.await.unwrap_or_else(|e| {
            Err(Error::other(format!("the window reader failed: {e}")).caused_by(e))
        })
    };
    check_partial(
        &args.out,
        &partial,
        written,
        write_result,
        read_result,
        "read",
    )?;
    if interrupted {
        return Err(Error::other(format!(
            "interrupted: the {written} events read so far are in {}",
            partial.display()
        )));
    }
    publish(&partial, &args.out)?;
    eprintln!(
        "tracetop: recorded {written} events of {} → {} to {}",
        crate::query::rfc3339(window.start),
        crate::query::rfc3339(window.end),
        args.out.display()
    );
    Ok(())
}
