//! Reading a file written by `tracetop record`: JSON lines, one [`Event`]
//! each, read with a bounded line length and judged line by line.
//!
//! A line is an event (it decodes), an *unknown* event (a JSON object whose
//! `type` is not one we know: a newer tracetop wrote it; shown and counted),
//! or *bad*: not UTF-8, longer than [`MAX_LINE`], not a JSON object with a
//! string `type` ("not a JSON event"), or a known type whose fields do not
//! decode. Bad lines are
//! never passed on as events; [`RecordingStats`] counts them and remembers
//! the first, so the replay can say so at the end, and a file without a
//! single valid event is refused.

use crate::model::Event;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

/// Longest line read (16 MiB); a longer one is bad and skipped.
pub const MAX_LINE: usize = 16 << 20;

/// How one line was judged.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// Blank: ignored.
    Blank,
    /// An event (possibly `Event::Unknown` for a type we do not know).
    Event(Box<Event>),
    /// Not an event; the reason, for the report.
    Bad(&'static str),
}

/// Judge one line of text.
pub fn classify_line(text: &str) -> Line {
    if text.trim().is_empty() {
        return Line::Blank;
    }
    match Event::from_json(text) {
        Event::Unknown { type_name, raw } => match type_name {
            Some(name) if Event::KINDS.contains(&name.as_str()) => {
                Line::Bad("a known event type whose fields do not decode")
            }
            Some(name) => Line::Event(Box::new(Event::Unknown {
                type_name: Some(name),
                raw,
            })),
            None => Line::Bad("not a JSON event"),
        },
        event => Line::Event(Box::new(event)),
    }
}

/// What a recording held, line by line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordingStats {
    /// Lines read (blank ones included).
    pub lines: u64,
    /// Lines that decoded to an event we know.
    pub events: u64,
    /// Lines of a type we do not know (passed on as `unknown`).
    pub unknown: u64,
    /// Lines skipped as bad.
    pub bad: u64,
    /// The first bad line: its number and why.
    pub first_bad: Option<(u64, &'static str)>,
}

impl RecordingStats {
    fn bad_line(&mut self, reason: &'static str) {
        self.bad += 1;
        if self.first_bad.is_none() {
            self.first_bad = Some((self.lines, reason));
        }
    }

    /// "3 bad lines skipped, the first at line 7: not a JSON event", if any.
    pub fn bad_summary(&self) -> Option<String> {
        let (line, reason) = self.first_bad?;
        Some(format!(
            "{} bad line{} skipped, the first at line {line}: {reason}",
            self.bad,
            if self.bad == 1 { "" } else { "s" }
        ))
    }
}

/// Reads judged lines from a recording.
pub struct RecordingReader<R> {
    input: R,
    buf: Vec<u8>,
    pub stats: RecordingStats,
}

impl<R: AsyncBufRead + Unpin> RecordingReader<R> {
    /// Read from `input`.
    pub fn new(input: R) -> Self {
        RecordingReader {
            input,
            buf: Vec::new(),
            stats: RecordingStats::default(),
        }
    }

    /// The next event (known or unknown), skipping and counting blank and
    /// bad lines; `None` at the end of the file.
    pub async fn next_event(&mut self) -> std::io::Result<Option<Event>> {
        loop {
            self.buf.clear();
            let n = (&mut self.input)
                .take(MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut self.buf)
                .await?;
            if n == 0 {
                return Ok(None);
            }
            self.stats.lines += 1;
            if !self.buf.ends_with(b"\n") && self.buf.len() > MAX_LINE {
                // Too long: drop the rest of it too.
                self.skip_to_newline().await?;
                self.stats.bad_line("longer than 16 MiB");
                continue;
            }
            let Ok(text) = std::str::from_utf8(&self.buf) else {
                self.stats.bad_line("not UTF-8");
                continue;
            };
            match classify_line(text.trim_end_matches(['\n', '\r'])) {
                Line::Blank => {}
                Line::Bad(reason) => self.stats.bad_line(reason),
                Line::Event(event) => {
                    if matches!(*event, Event::Unknown { .. }) {
                        self.stats.unknown += 1;
                    } else {
                        self.stats.events += 1;
                    }
                    return Ok(Some(*event));
                }
            }
        }
    }

    async fn skip_to_newline(&mut self) -> std::io::Result<()> {
        loop {
            let chunk = self.input.fill_buf().await?;
            if chunk.is_empty() {
                return Ok(());
            }
            if let Some(i) = memchr::memchr(b'\n', chunk) {
                self.input.consume(i + 1);
                return Ok(());
            }
            let len = chunk.len();
            self.input.consume(len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read_all(bytes: &[u8]) -> (Vec<Event>, RecordingStats) {
        let mut reader = RecordingReader::new(bytes);
        let mut events = Vec::new();
        while let Some(e) = reader.next_event().await.unwrap() {
            events.push(e);
        }
        (events, reader.stats)
    }

    #[tokio::test]
    async fn bad_lines_are_counted_and_the_first_remembered() {
        let heartbeat = r#"{"type":"heartbeat","at":"2026-11-23T10:00:00Z"}"#;
        let mut bytes = format!(
            "{heartbeat}\n\nnot json\n{{\"type\":\"log\",\"log\":42}}\n{{\"type\":\"from_the_future\"}}\n"
        )
        .into_bytes();
        bytes.extend_from_slice(b"\xff\xfe\n[1,2]\n");
        bytes.extend_from_slice(heartbeat.as_bytes());
        let (events, stats) = read_all(&bytes).await;
        assert_eq!(events.len(), 3);
        assert!(matches!(events[1], Event::Unknown { .. }));
        assert_eq!(stats.events, 2);
        assert_eq!(stats.unknown, 1);
        assert_eq!(stats.bad, 4);
        assert_eq!(stats.first_bad.map(|b| b.0), Some(3));
        let summary = stats.bad_summary().unwrap();
        assert_eq!(
            summary,
            "4 bad lines skipped, the first at line 3: not a JSON event"
        );
    }

    #[tokio::test]
    async fn a_binary_file_has_no_event() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let (events, stats) = read_all(&bytes).await;
        assert!(events.is_empty());
        assert_eq!(stats.events, 0);
        assert!(stats.bad > 0);
    }
}
