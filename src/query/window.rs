//! Time windows and buckets: `--since 15m|24h|7d|30d` parsed once, resolved
//! to absolute instants so every engine answers for the same span.

use crate::error::{Error, Result};
use crate::model::Timestamp;
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};

/// A half-open span `[start, end)` in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeWindow {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl TimeWindow {
    /// The `span` before `now`.
    pub fn last(span: Duration, now: Timestamp) -> Self {
        TimeWindow {
            start: now - span,
            end: now,
        }
    }

    /// The span before the current wall clock.
    pub fn since(span: Duration) -> Self {
        Self::last(span, Utc::now())
    }

    /// Everything up to `now` (from the Unix epoch).
    pub fn all_time(now: Timestamp) -> Self {
        TimeWindow {
            start: chrono::DateTime::UNIX_EPOCH,
            end: now,
        }
    }

    /// Whether `t` falls inside `[start, end)`.
    pub fn contains(&self, t: Timestamp) -> bool {
        t >= self.start && t < self.end
    }
}

/// Parse a span like `90s`, `15m`, `24h`, `7d`, `2w`, `30d`.
pub fn parse_span(text: &str) -> Result<Duration> {
    let bad = || {
        Error::input(format!(
            "invalid duration {text:?}: use a number followed by s, m, h, d or w (e.g. 15m, 24h, 7d)"
        ))
    };
    let text = text.trim();
    if text.len() < 2 {
        return Err(bad());
    }
    // the unit is the last character, which need not be one byte
    let unit_at = text.char_indices().last().map_or(0, |(i, _)| i);
    let (number, unit) = text.split_at(unit_at);
    let n: i64 = number.parse().map_err(|_| bad())?;
    if n <= 0 {
        return Err(bad());
    }
    let seconds = match unit {
        "s" => n,
        "m" => n.checked_mul(60).ok_or_else(bad)?,
        "h" => n.checked_mul(3_600).ok_or_else(bad)?,
        "d" => n.checked_mul(86_400).ok_or_else(bad)?,
        "w" => n.checked_mul(604_800).ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    if seconds > 100 * 365 * 86_400 {
        return Err(bad());
    }
    Ok(Duration::seconds(seconds))
}

/// Trend bucket width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Hour,
    Day,
}

impl Bucket {
    /// Postgres `date_trunc` unit.
    pub fn pg_unit(self) -> &'static str {
        match self {
            Bucket::Hour => "hour",
            Bucket::Day => "day",
        }
    }

    /// Width of one bucket.
    pub fn duration(self) -> Duration {
        match self {
            Bucket::Hour => Duration::hours(1),
            Bucket::Day => Duration::days(1),
        }
    }

    /// Start of the bucket holding `t` (UTC truncation, as `date_trunc`).
    pub fn truncate(self, t: Timestamp) -> Timestamp {
        use chrono::{DurationRound, TimeDelta};
        let unit = match self {
            Bucket::Hour => TimeDelta::hours(1),
            Bucket::Day => TimeDelta::days(1),
        };
        t.duration_trunc(unit).unwrap_or(t)
    }

    /// Every bucket start covering `window`, oldest first.
    pub fn starts(self, window: &TimeWindow) -> Vec<Timestamp> {
        let mut out = Vec::new();
        let mut t = self.truncate(window.start);
        while t < window.end {
            out.push(t);
            t += self.duration();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_spans() {
        assert_eq!(parse_span("15m").unwrap(), Duration::minutes(15));
        assert_eq!(parse_span("24h").unwrap(), Duration::hours(24));
        assert_eq!(parse_span("7d").unwrap(), Duration::days(7));
        assert_eq!(parse_span("2w").unwrap(), Duration::days(14));
    }

    #[test]
    fn rejects_bad_spans_with_a_clear_message() {
        for bad in ["", "m", "15", "-5m", "0h", "15x", "abc", "99999999999w"] {
            let err = parse_span(bad).unwrap_err().to_string();
            assert!(err.contains("invalid duration"), "{bad}: {err}");
        }
    }

    #[test]
    fn bucket_starts_cover_the_window() {
        let end = chrono::DateTime::parse_from_rfc3339("2026-11-23T10:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let w = TimeWindow::last(Duration::hours(3), end);
        let starts = Bucket::Hour.starts(&w);
        assert_eq!(starts.len(), 4);
        assert_eq!(starts[0].to_rfc3339(), "2026-11-23T07:00:00+00:00");
    }
}
