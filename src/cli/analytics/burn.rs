//! The burn rate in `analytics costs`: spend now (per minute, per hour),
//! today so far and at this rate, month to date and at this rate. JSON
//! carries the [`BurnRate`] fields flat beside the cost report's; CSV
//! appends them to the record; the table shows them under their own
//! heading, the projections labelled as such.

use crate::model::BurnRate;
use crate::output::{Block, Cell, Field};

/// `--timezone`: where "today" and "this month" start.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ZoneArgs {
    /// IANA time zone of the burn rate's day and month (e.g. Europe/Berlin)
    /// [default: the config file's `timezone`, else UTC]
    #[arg(long, value_name = "ZONE")]
    pub timezone: Option<String>,
}

impl ZoneArgs {
    /// The zone: the flag, else the config file's `timezone`, else UTC
    /// (one line naming the value when unknown).
    pub fn zone(&self) -> crate::error::Result<chrono_tz::Tz> {
        match self.timezone.as_deref() {
            Some(text) => crate::budget::period::parse_zone(text)
                .map_err(|e| crate::error::Error::input(format!("--{e}"))),
            None => crate::budget::config::configured_zone(),
        }
    }
}

/// The burn rate as record fields (CSV and table).
pub fn burn_rate_fields(b: &BurnRate) -> Vec<Field> {
    vec![
        Field::new("burn_rate_at", "at", Cell::Time(b.burn_rate_at)),
        Field::new("timezone", "time zone", Cell::text(&b.timezone)),
        Field::new(
            "rate_window_start",
            "rate from",
            Cell::Time(b.rate_window_start),
        ),
        Field::new("rate_window_end", "rate to", Cell::Time(b.rate_window_end)),
        Field::new(
            "spend_per_minute_microdollars",
            "spend per minute",
            Cell::Money(b.spend_per_minute_microdollars),
        ),
        Field::new(
            "spend_per_hour_microdollars",
            "spend per hour",
            Cell::Money(b.spend_per_hour_microdollars),
        ),
        Field::new(
            "today_microdollars",
            "today so far",
            Cell::Money(b.today_microdollars),
        ),
        Field::new(
            "projected_day_microdollars",
            "today at this rate (projection)",
            Cell::Money(b.projected_day_microdollars),
        ),
        Field::new(
            "month_to_date_microdollars",
            "month to date",
            Cell::Money(b.month_to_date_microdollars),
        ),
        Field::new(
            "projected_month_microdollars",
            "month at this rate (projection)",
            Cell::Money(b.projected_month_microdollars),
        ),
        Field::new("day_start", "day from", Cell::Time(b.day_start)),
        Field::new("day_end", "day to", Cell::Time(b.day_end)),
        Field::new("month_start", "month from", Cell::Time(b.month_start)),
        Field::new("month_end", "month to", Cell::Time(b.month_end)),
        Field::new(
            "rate_window_microdollars",
            "spent in rate window",
            Cell::Money(b.rate_window_microdollars),
        ),
    ]
}

/// The table's burn-rate section.
pub fn burn_rate_blocks(b: &BurnRate) -> Vec<Block> {
    let fields = burn_rate_fields(b);
    vec![
        Block::Heading(format!(
            "Burn rate at {} ({})",
            b.burn_rate_at.format("%Y-%m-%d %H:%M:%S UTC"),
            b.timezone
        )),
        crate::output::record_block(&fields[4..10]),
        Block::Line(
            "projection = spent so far + the last hour's spend × the time left in the day / month"
                .into(),
        ),
    ]
}
