//! A recording (`tracetop record --out FILE`) as a window: its span is
//! that of its events, and it replays with the same scrub keys as a
//! window of the database. Bad lines are skipped and counted as in
//! `tracetop replay` ([`crate::source::recording`]); a file without a valid
//! event is refused up front.

use super::{MonotonicClock, Replayed, WindowSource};
use crate::error::{Error, Result};
use crate::model::*;
use crate::query::TimeWindow;
use crate::source::recording::{RecordingReader, RecordingStats};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

/// Events per batch sent to the console.
const BATCH: usize = 1024;

/// A recording opened for replay.
#[derive(Debug, Clone)]
pub struct FileWindow {
    path: PathBuf,
}

async fn reader(path: &Path) -> Result<RecordingReader<tokio::io::BufReader<tokio::fs::File>>> {
    let file = tokio::fs::File::open(path).await.map_err(|e| {
        Error::input(format!("cannot open replay file {}: {e}", path.display())).caused_by(e)
    })?;
    Ok(RecordingReader::new(tokio::io::BufReader::with_capacity(
        1 << 20,
        file,
    )))
}

fn read_error(path: &Path, stats: &RecordingStats, e: std::io::Error) -> Error {
    Error::io(format!(
        "reading replay file {} at line {}: {e}",
        path.display(),
        stats.lines + 1
    ))
    .caused_by(e)
}

impl FileWindow {
    /// Open `path` and find the window its events span (from the first
    /// event's time to just after the last one's).
    pub async fn open(path: &Path) -> Result<(FileWindow, TimeWindow)> {
        let mut reader = reader(path).await?;
        let mut span: Option<(Timestamp, Timestamp)> = None;
        loop {
            match reader.next_event().await {
                Ok(Some(event)) => {
                    if let Some(at) = event.occurred_at() {
                        span = Some(match span {
                            None => (at, at),
                            Some((a, b)) => (a.min(at), b.max(at)),
                        });
                    }
                }
                Ok(None) => break,
                Err(e) => return Err(read_error(path, &reader.stats, e)),
            }
        }
        let stats = &reader.stats;
        let (Some((first, last)), true) = (span, stats.events > 0) else {
            let held = match stats.bad_summary() {
                Some(bad) => bad,
                None if stats.lines == 0 => "it is empty".to_string(),
                None => "no event with a time".to_string(),
            };
            return Err(Error::input(format!(
                "replay file {} holds no valid event ({held}): give a file written by `tracetop record --out FILE`",
                path.display()
            )));
        };
        let window = TimeWindow {
            start: first,
            end: last + chrono::Duration::seconds(1),
        };
        Ok((
            FileWindow {
                path: path.to_path_buf(),
            },
            window,
        ))
    }
}

#[async_trait::async_trait]
impl WindowSource for FileWindow {
    async fn read(&self, window: TimeWindow, tx: mpsc::Sender<Vec<Replayed>>) -> Result<()> {
        let mut reader = reader(&self.path).await?;
        let mut clock = MonotonicClock::new(&window);
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            let event = match reader.next_event().await {
                Ok(Some(event)) => event,
                Ok(None) => break,
                Err(e) => return Err(read_error(&self.path, &reader.stats, e)),
            };
            if matches!(event, Event::Heartbeat { .. }) {
                continue;
            }
            let at = clock.stamp(&event);
            if !window.contains(at) {
                continue;
            }
            batch.push(Replayed { at, event });
            if batch.len() >= BATCH && tx.send(std::mem::take(&mut batch)).await.is_err() {
                return Ok(());
            }
        }
        if !batch.is_empty() {
            let _ = tx.send(batch).await;
        }
        Ok(())
    }
}
