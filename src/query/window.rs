//! Time windows and buckets: `--since` / `--until` parsed once (a duration
//! back from now, a date, or an RFC 3339 time), resolved to absolute
//! instants so every engine answers for the same span.

use crate::error::{Error, Result};
use crate::model::Timestamp;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
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

    /// Length of the window.
    pub fn span(&self) -> Duration {
        self.end - self.start
    }

    /// The window of the same length that ends where this one starts.
    pub fn previous(&self) -> Self {
        TimeWindow {
            start: self.start - self.span(),
            end: self.start,
        }
    }
}

/// The forms `--since` and `--until` accept, for error messages and help.
pub const ACCEPTED_INSTANTS: &str = "a duration back from now (15m, 24h, 7d, 2w), \
     a date (2026-11-24, meaning 00:00 UTC) or an RFC 3339 time \
     (2026-11-24T03:00:00Z; 2026-11-24T03:00 is UTC)";

/// Parse one end of a window: a duration before `now` (`15m`, `24h`,
/// `7d`, `2w`), a date (`2026-11-24`: 00:00 UTC that day), an RFC 3339
/// time (`2026-11-24T03:00:00+01:00`), or a date and time without offset
/// (`2026-11-24T03:00`, `2026-11-24 03:00:00`), taken as UTC.
/// The error names the accepted forms (the caller adds the flag).
pub fn parse_instant(text: &str, now: Timestamp) -> Result<Timestamp> {
    let t = text.trim();
    let bad = || {
        Error::input(format!(
            "{:?} is not a time: use {ACCEPTED_INSTANTS}",
            crate::sanitize::clean(text)
        ))
    };
    if t.is_empty() {
        return Err(bad());
    }
    if let Ok(span) = parse_span(t) {
        return Ok(now - span);
    }
    if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(date.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(at.with_timezone(&Utc));
    }
    for form in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(t, form) {
            return Ok(at.and_utc());
        }
    }
    Err(bad())
}

/// Resolve `--since` / `--until` into a window, relative to `now`.
///
/// * `until` defaults to `now`;
/// * without `since`, the window is `default_span` back from its end, or
///   (`default_span` `None`) everything before the end;
/// * a window whose end is not after its start is refused.
///
/// Errors name the flag and the value: `--since "x" is not a time: use …`.
pub fn resolve_window(
    since: Option<&str>,
    until: Option<&str>,
    default_span: Option<Duration>,
    now: Timestamp,
) -> Result<TimeWindow> {
    let flag = |name: &str, e: Error| match e {
        e @ Error::Input(_) => e.map_text(|msg| format!("{name} {msg}")),
        other => other,
    };
    let end = until
        .map(|u| parse_instant(u, now).map_err(|e| flag("--until", e)))
        .transpose()?
        .unwrap_or(now);
    let start = match (since, default_span) {
        (Some(s), _) => parse_instant(s, now).map_err(|e| flag("--since", e))?,
        (None, Some(span)) => end - span,
        (None, None) => DateTime::UNIX_EPOCH,
    };
    if end <= start {
        let given = |name: &str, value: Option<&str>, default: &str| match value {
            Some(v) => format!("{name} {:?}", crate::sanitize::clean(v)),
            None => format!("{name} {default}"),
        };
        return Err(Error::input(format!(
            "{}, {}: the window must end after it starts, and {} is not before {}: \
             give a --since earlier than --until ({ACCEPTED_INSTANTS})",
            given("--since", since, "(default)"),
            given("--until", until, "(now)"),
            rfc3339(start),
            rfc3339(end),
        )));
    }
    Ok(TimeWindow { start, end })
}

/// An instant as RFC 3339 UTC with a `Z` and whole seconds (fractions when
/// present), as every report prints its window.
pub fn rfc3339(t: Timestamp) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// The one duration syntax of every flag: a whole number and a unit, `ms`,
/// `s`, `m`, `h`, `d` or `w` (`500ms`, `90s`, `15m`, `24h`, `7d`, `2w`), at
/// most 100 years; `None` for anything else.
pub fn parse_duration(text: &str) -> Option<std::time::Duration> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(digits);
    let n: u64 = number.parse().ok()?;
    let unit_ms: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 604_800_000,
        _ => return None,
    };
    let ms = n.checked_mul(unit_ms)?;
    (ms <= 100 * 365 * 86_400_000).then(|| std::time::Duration::from_millis(ms))
}

/// A report span (`90s`, `15m`, `24h`, `7d`, `2w`): a [`parse_duration`]
/// longer than zero.
pub fn parse_span(text: &str) -> Result<Duration> {
    parse_duration(text)
        .filter(|d| !d.is_zero())
        .and_then(|d| Duration::from_std(d).ok())
        .ok_or_else(|| {
            Error::input(format!(
                "invalid duration {text:?}: use a number followed by s, m, h, d or w (e.g. 15m, 24h, 7d)"
            ))
        })
}

/// Trend bucket width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Hour,
    Day,
}

impl Bucket {
    /// The bucket a trend over `span` reads best in: hours up to two days,
    /// days beyond.
    pub fn for_span(span: Duration) -> Bucket {
        if span <= Duration::days(2) {
            Bucket::Hour
        } else {
            Bucket::Day
        }
    }

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

    fn at(text: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn instants_in_every_accepted_form() {
        let now = at("2026-12-01T08:30:00Z");
        let cases = [
            ("15m", "2026-12-01T08:15:00Z"),
            ("24h", "2026-11-30T08:30:00Z"),
            ("7d", "2026-11-24T08:30:00Z"),
            ("2w", "2026-11-17T08:30:00Z"),
            ("2026-11-24", "2026-11-24T00:00:00Z"),
            ("2026-11-24T03:00", "2026-11-24T03:00:00Z"),
            ("2026-11-24T03:00:07", "2026-11-24T03:00:07Z"),
            ("2026-11-24 03:00", "2026-11-24T03:00:00Z"),
            ("2026-11-24T03:00:00Z", "2026-11-24T03:00:00Z"),
            ("2026-11-24T03:00:00+01:00", "2026-11-24T02:00:00Z"),
            ("2026-11-24T03:00:00.250-00:30", "2026-11-24T03:30:00.250Z"),
            (" 2026-11-24 ", "2026-11-24T00:00:00Z"),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_instant(text, now).unwrap(), at(expected), "{text}");
        }
    }

    #[test]
    fn bad_instants_name_the_value_and_the_accepted_forms() {
        let now = at("2026-12-01T08:30:00Z");
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-11-31",
            "24",
            "-5m",
            "0h",
            "11/24/2026",
            "2026-11-24T25:00",
        ] {
            let err = parse_instant(bad, now).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("{bad:?} is not a time: use {ACCEPTED_INSTANTS}"),
            );
            assert_eq!(err.exit_code(), 2);
        }
    }

    #[test]
    fn windows_resolve_with_their_defaults() {
        let now = at("2026-12-01T08:30:00Z");
        let day = Some(Duration::hours(24));
        let w = resolve_window(None, None, day, now).unwrap();
        assert_eq!((w.start, w.end), (at("2026-11-30T08:30:00Z"), now));
        // the default span is measured back from --until
        let w = resolve_window(None, Some("2026-11-24"), day, now).unwrap();
        assert_eq!(
            (w.start, w.end),
            (at("2026-11-23T00:00:00Z"), at("2026-11-24T00:00:00Z"))
        );
        // without a default span the window starts at the epoch
        let w = resolve_window(None, Some("1h"), None, now).unwrap();
        assert_eq!(
            (w.start, w.end),
            (DateTime::UNIX_EPOCH, at("2026-12-01T07:30:00Z"))
        );
        // both durations count back from now: the week before last
        let w = resolve_window(Some("2w"), Some("1w"), day, now).unwrap();
        assert_eq!(w.span(), Duration::weeks(1));
        assert_eq!(w.previous().end, w.start);
        assert_eq!(w.previous().span(), w.span());
    }

    #[test]
    fn a_window_that_does_not_end_after_it_starts_is_refused() {
        let now = at("2026-12-01T08:30:00Z");
        let err = resolve_window(Some("2026-11-25"), Some("2026-11-24"), None, now).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "--since \"2026-11-25\", --until \"2026-11-24\": the window must end after it starts, \
                 and 2026-11-25T00:00:00Z is not before 2026-11-24T00:00:00Z: give a --since earlier \
                 than --until ({ACCEPTED_INSTANTS})"
            )
        );
        assert_eq!(err.exit_code(), 2);
        assert!(resolve_window(Some("2026-11-24"), Some("2026-11-24T00:00"), None, now).is_err());
        let err = resolve_window(Some("2026-12-02"), None, None, now).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("--since \"2026-12-02\", --until (now): "),
            "{err}"
        );
        let err = resolve_window(Some("7d"), Some("tuesday"), None, now).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("--until \"tuesday\" is not a time: use "),
            "{err}"
        );
        let err = resolve_window(Some("7x"), None, None, now).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("--since \"7x\" is not a time: use "),
            "{err}"
        );
    }

    proptest::proptest! {
        #[test]
        fn printed_instants_parse_back(secs in 0i64..4_102_444_800, millis in 0u32..1000) {
            let t = DateTime::from_timestamp(secs, millis * 1_000_000).unwrap();
            let now = at("2026-12-01T08:30:00Z");
            proptest::prop_assert_eq!(parse_instant(&rfc3339(t), now).unwrap(), t);
            let minute = t.format("%Y-%m-%dT%H:%M").to_string();
            let back = parse_instant(&minute, now).unwrap();
            proptest::prop_assert!(back <= t && t - back < Duration::minutes(1));
        }

        #[test]
        fn durations_count_back_from_now(n in 1i64..5_000, unit in 0usize..5) {
            let now = at("2026-12-01T08:30:00Z");
            let (suffix, seconds) = [("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400), ("w", 604_800)][unit];
            let t = parse_instant(&format!("{n}{suffix}"), now).unwrap();
            proptest::prop_assert_eq!(now - t, Duration::seconds(n * seconds));
        }

        #[test]
        fn resolved_windows_are_never_empty(a in 1i64..100_000, b in 1i64..100_000) {
            let now = at("2026-12-01T08:30:00Z");
            let r = resolve_window(Some(&format!("{a}m")), Some(&format!("{b}m")), None, now);
            proptest::prop_assert_eq!(r.is_ok(), a > b);
            if let Ok(w) = r {
                proptest::prop_assert!(w.start < w.end);
            }
        }
    }
}
