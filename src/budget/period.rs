//! Calendar periods in a time zone: where the day, ISO week or month that
//! holds an instant starts and ends, as UTC instants. Boundaries are local
//! midnight in the zone (UTC unless configured), so a day in a zone with
//! daylight saving is 23 or 25 hours long twice a year; a midnight that
//! does not exist locally (a DST gap at 00:00) starts at the first local
//! minute that does.

use crate::model::{BudgetPeriod, Timestamp};
use chrono::{Datelike, Days, Months, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;

/// `[start, end)` of the `period` that holds `at`, in `zone`.
pub fn bounds(period: BudgetPeriod, zone: Tz, at: Timestamp) -> (Timestamp, Timestamp) {
    let today = at.with_timezone(&zone).date_naive();
    let (first, next) = match period {
        BudgetPeriod::Day => (today, today + Days::new(1)),
        BudgetPeriod::Week => {
            let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
            (monday, monday + Days::new(7))
        }
        BudgetPeriod::Month => {
            let first = today.with_day(1).unwrap_or(today);
            (first, first + Months::new(1))
        }
    };
    (local_midnight(zone, first), local_midnight(zone, next))
}

/// 00:00 of `date` in `zone` as a UTC instant (the earlier one when the
/// hour repeats, the first existing minute when it is skipped).
pub fn local_midnight(zone: Tz, date: NaiveDate) -> Timestamp {
    let mut local = date.and_time(NaiveTime::MIN);
    for _ in 0..(26 * 60) {
        if let Some(t) = zone.from_local_datetime(&local).earliest() {
            return t.to_utc();
        }
        local += chrono::Duration::minutes(1);
    }
    // no zone skips a whole day's first 26 hours; fall back to UTC
    date.and_time(NaiveTime::MIN).and_utc()
}

/// Parse an IANA zone name (`Europe/Berlin`, `UTC`), or say what to write.
pub fn parse_zone(text: &str) -> std::result::Result<Tz, String> {
    text.trim().parse::<Tz>().map_err(|_| {
        format!(
            "timezone {text:?} is not an IANA time zone name (e.g. \"UTC\", \"Europe/Berlin\", \"America/New_York\")"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn t(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn utc_day_week_and_month() {
        let at = t("2026-12-02T15:30:00Z"); // a Wednesday
        assert_eq!(
            bounds(BudgetPeriod::Day, Tz::UTC, at),
            (t("2026-12-02T00:00:00Z"), t("2026-12-03T00:00:00Z"))
        );
        assert_eq!(
            bounds(BudgetPeriod::Week, Tz::UTC, at),
            (t("2026-11-30T00:00:00Z"), t("2026-12-07T00:00:00Z"))
        );
        assert_eq!(
            bounds(BudgetPeriod::Month, Tz::UTC, at),
            (t("2026-12-01T00:00:00Z"), t("2027-01-01T00:00:00Z"))
        );
    }

    #[test]
    fn february_in_common_and_leap_years() {
        assert_eq!(
            bounds(BudgetPeriod::Month, Tz::UTC, t("2026-02-28T23:59:59Z")),
            (t("2026-02-01T00:00:00Z"), t("2026-03-01T00:00:00Z"))
        );
        assert_eq!(
            bounds(BudgetPeriod::Month, Tz::UTC, t("2028-02-29T12:00:00Z")),
            (t("2028-02-01T00:00:00Z"), t("2028-03-01T00:00:00Z"))
        );
        // the instant a month starts belongs to it
        assert_eq!(
            bounds(BudgetPeriod::Month, Tz::UTC, t("2026-03-01T00:00:00Z")).0,
            t("2026-03-01T00:00:00Z")
        );
    }

    #[test]
    fn a_week_runs_monday_to_monday_across_a_month_and_year_end() {
        // Sunday 2027-01-03 belongs to the week of Monday 2026-12-28
        assert_eq!(
            bounds(BudgetPeriod::Week, Tz::UTC, t("2027-01-03T23:59:59Z")),
            (t("2026-12-28T00:00:00Z"), t("2027-01-04T00:00:00Z"))
        );
        assert_eq!(
            bounds(BudgetPeriod::Week, Tz::UTC, t("2027-01-04T00:00:00Z")).0,
            t("2027-01-04T00:00:00Z")
        );
    }

    #[test]
    fn a_zone_moves_the_boundaries_and_dst_changes_the_day_length() {
        let berlin = parse_zone("Europe/Berlin").unwrap();
        // 23:30 UTC on Jan 31 is already Feb 1 in Berlin (UTC+1)
        assert_eq!(
            bounds(BudgetPeriod::Month, berlin, t("2027-01-31T23:30:00Z")),
            (t("2027-01-31T23:00:00Z"), t("2027-02-28T23:00:00Z"))
        );
        // Sunday 2026-03-29: clocks go forward, the day has 23 hours
        let (start, end) = bounds(BudgetPeriod::Day, berlin, t("2026-03-29T12:00:00Z"));
        assert_eq!(start, t("2026-03-28T23:00:00Z"));
        assert_eq!(end, t("2026-03-29T22:00:00Z"));
        // the month of March ends at 00:00 CEST (UTC+2)
        assert_eq!(
            bounds(BudgetPeriod::Month, berlin, t("2026-03-15T00:00:00Z")).1,
            t("2026-03-31T22:00:00Z")
        );
    }

    #[test]
    fn a_skipped_midnight_starts_at_the_first_local_minute() {
        // America/Santiago skips 00:00–01:00 when DST starts (2026-09-06)
        let santiago = parse_zone("America/Santiago").unwrap();
        let start = local_midnight(santiago, NaiveDate::from_ymd_opt(2026, 9, 6).unwrap());
        assert_eq!(
            start.with_timezone(&santiago).format("%H:%M").to_string(),
            "01:00"
        );
    }

    #[test]
    fn unknown_zone_names_say_what_to_write() {
        let err = parse_zone("Mars/Olympus").unwrap_err();
        assert!(
            err.contains("Mars/Olympus") && err.contains("Europe/Berlin"),
            "{err}"
        );
    }
}
