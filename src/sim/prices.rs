//! What the simulated gateway bills: the shipped price table
//! ([`crate::prices::PriceTable::shipped`], the one `analytics costs
//! --reprice` checks against), with two planted faults in a bulk run
//! ([`GatewayBilling::for_window`]) so a re-price has something to find:
//!
//! * **a mispriced window**: for [`MISPRICE_HOURS`] hours from
//!   `until − 0.55·W` (rounded down to the hour) the gateway bills
//!   `claude-sonnet-4-5` at `claude-opus-4-1`'s prices (a stale routing
//!   table); every completed sonnet request in that window drifts, and no
//!   other request does;
//! * **a model without a price**: for [`UNPRICED_HOURS`] hours from
//!   `until − 0.45·W` (to the hour) requests for `claude-haiku-4-5` are
//!   served by [`UNPRICED_MODEL`], a preview the table does not know; the
//!   gateway bills them at haiku's prices.
//!
//! Cost of one request: [`crate::prices::Rates::cost`] on its input,
//! output, cache read and cache write tokens (each request rounded half up
//! to a microdollar). Failed requests are not billed.
//!
//! The live generator (the demo, `simulate --live`) plants the same stale
//! routing table again and again ([`GatewayBilling::live`]): for
//! [`LIVE_MISPRICE_SECS`] seconds every [`LIVE_MISPRICE_EVERY_SECS`],
//! starting 30 s before it starts (so the first frame's warm-up traffic
//! already holds some), `claude-sonnet-4-5` is billed at
//! `claude-opus-4-1`'s prices, and the costs view shows drift.

use crate::model::{Microdollars, Timestamp};
use crate::prices::{PriceTable, Usage};
use chrono::{Duration, DurationRound};

/// The model billed at the wrong prices in the mispriced window.
pub const MISPRICED_MODEL: &str = "claude-sonnet-4-5";
/// Whose prices it is billed at there.
pub const MISPRICED_AS: &str = "claude-opus-4-1";
/// Length of the mispriced window.
pub const MISPRICE_HOURS: i64 = 3;
/// The model whose requests are served by the unpriced preview.
pub const UNPRICED_FROM: &str = "claude-haiku-4-5";
/// The served model the price table does not know.
pub const UNPRICED_MODEL: &str = "claude-haiku-5-preview";
/// Length of the unpriced window.
pub const UNPRICED_HOURS: i64 = 3;
/// Length of each mispriced window of the live generator.
pub const LIVE_MISPRICE_SECS: i64 = 120;
/// Seconds between the starts of the live generator's mispriced windows.
pub const LIVE_MISPRICE_EVERY_SECS: i64 = 900;
/// How long before the live generator's start its first mispriced window opens.
pub const LIVE_MISPRICE_LEAD_SECS: i64 = 30;

/// The gateway's prices and planted faults.
#[derive(Debug, Clone)]
pub struct GatewayBilling {
    table: PriceTable,
    /// `[start, end)` of the (first) mispriced window.
    misprice: Option<(Timestamp, Timestamp)>,
    /// The mispriced window comes back this often (live traffic).
    misprice_every: Option<Duration>,
    /// `[start, end)` of the window served by [`UNPRICED_MODEL`].
    unpriced: Option<(Timestamp, Timestamp)>,
}

impl GatewayBilling {
    /// The shipped table, no faults.
    pub fn list() -> GatewayBilling {
        GatewayBilling {
            table: PriceTable::shipped(),
            misprice: None,
            misprice_every: None,
            unpriced: None,
        }
    }

    /// The shipped table with the live generator's recurring mispriced
    /// window (see the module docs), for traffic starting at `start`.
    pub fn live(start: Timestamp) -> GatewayBilling {
        let first = start - Duration::seconds(LIVE_MISPRICE_LEAD_SECS);
        GatewayBilling {
            table: PriceTable::shipped(),
            misprice: Some((first, first + Duration::seconds(LIVE_MISPRICE_SECS))),
            misprice_every: Some(Duration::seconds(LIVE_MISPRICE_EVERY_SECS)),
            unpriced: None,
        }
    }

    /// The shipped table with both faults planted in `[start, end)`.
    pub fn for_window(start: Timestamp, end: Timestamp) -> GatewayBilling {
        let at = |fraction: f64| {
            let t = end
                - Duration::milliseconds(
                    ((end - start).num_milliseconds() as f64 * fraction) as i64,
                );
            t.duration_trunc(Duration::hours(1)).unwrap_or(t)
        };
        let (m, u) = (at(0.55), at(0.45));
        GatewayBilling {
            table: PriceTable::shipped(),
            misprice: Some((m, m + Duration::hours(MISPRICE_HOURS))),
            misprice_every: None,
            unpriced: Some((u, u + Duration::hours(UNPRICED_HOURS))),
        }
    }

    /// The (first) mispriced window, if planted.
    pub fn misprice_window(&self) -> Option<(Timestamp, Timestamp)> {
        self.misprice
    }

    /// Whether [`MISPRICED_MODEL`] is billed at [`MISPRICED_AS`]'s prices
    /// at `at`: inside the mispriced window, or one of its returns.
    pub fn is_mispriced_at(&self, at: Timestamp) -> bool {
        let Some((start, end)) = self.misprice else {
            return false;
        };
        if at < start {
            return false;
        }
        match self.misprice_every {
            Some(every) if every > Duration::zero() => {
                let into = (at - start).num_milliseconds() % every.num_milliseconds();
                into < (end - start).num_milliseconds()
            }
            _ => at < end,
        }
    }

    /// The window served by [`UNPRICED_MODEL`], if planted.
    pub fn unpriced_window(&self) -> Option<(Timestamp, Timestamp)> {
        self.unpriced
    }

    /// The model that serves a request for `model` at `at`.
    pub fn served_model(&self, model: &'static str, at: Timestamp) -> &'static str {
        match self.unpriced {
            Some((s, e)) if model == UNPRICED_FROM && at >= s && at < e => UNPRICED_MODEL,
            _ => model,
        }
    }

    /// What the gateway bills for a request for `model` (as asked, before
    /// [`Self::served_model`]) at `at`: zero for a model it has no price
    /// for.
    pub fn cost(&self, model: &str, at: Timestamp, usage: Usage) -> Microdollars {
        let billed_as = if model == MISPRICED_MODEL && self.is_mispriced_at(at) {
            MISPRICED_AS
        } else {
            model
        };
        self.table
            .cost(billed_as, at, usage)
            .unwrap_or(Microdollars::ZERO)
    }

    /// The table the gateway prices from.
    pub fn table(&self) -> &PriceTable {
        &self.table
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn at(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn faults_sit_where_documented() {
        let b = GatewayBilling::for_window(at("2026-11-18T12:00:00Z"), at("2026-11-20T12:00:00Z"));
        // 0.55 × 48 h = 26.4 h before until → 09:36 → 09:00
        assert_eq!(
            b.misprice_window(),
            Some((at("2026-11-19T09:00:00Z"), at("2026-11-19T12:00:00Z")))
        );
        // 0.45 × 48 h = 21.6 h → 14:24 → 14:00
        assert_eq!(
            b.unpriced_window(),
            Some((at("2026-11-19T14:00:00Z"), at("2026-11-19T17:00:00Z")))
        );
        let u = Usage {
            input: 1000,
            output: 100,
            ..Usage::default()
        };
        // sonnet: 1000 × 3 + 100 × 15 = 4 500; at opus prices 15 000 + 7 500
        assert_eq!(
            b.cost(MISPRICED_MODEL, at("2026-11-19T08:59:59Z"), u),
            Microdollars(4_500)
        );
        assert_eq!(
            b.cost(MISPRICED_MODEL, at("2026-11-19T09:00:00Z"), u),
            Microdollars(22_500)
        );
        assert_eq!(
            b.cost(MISPRICED_MODEL, at("2026-11-19T12:00:00Z"), u),
            Microdollars(4_500)
        );
        assert_eq!(
            b.served_model(UNPRICED_FROM, at("2026-11-19T13:59:59Z")),
            UNPRICED_FROM
        );
        assert_eq!(
            b.served_model(UNPRICED_FROM, at("2026-11-19T14:00:00Z")),
            UNPRICED_MODEL
        );
        assert_eq!(
            b.served_model(UNPRICED_FROM, at("2026-11-19T17:00:00Z")),
            UNPRICED_FROM
        );
        let list = GatewayBilling::list();
        assert_eq!(
            list.cost(MISPRICED_MODEL, at("2026-11-19T09:00:00Z"), u),
            Microdollars(4_500)
        );
        assert!(
            list.table()
                .price_at(UNPRICED_MODEL, at("2026-11-19T09:00:00Z"))
                .is_none()
        );
    }

    #[test]
    fn the_live_misprice_opens_before_the_start_and_comes_back() {
        let start = at("2026-11-23T10:00:00Z");
        let b = GatewayBilling::live(start);
        let u = Usage {
            input: 1000,
            output: 100,
            ..Usage::default()
        };
        let sonnet = |t: &str| b.cost(MISPRICED_MODEL, at(t), u);
        // opens 30 s before the start, lasts 2 minutes, back every 15
        assert_eq!(sonnet("2026-11-23T09:59:29Z"), Microdollars(4_500));
        assert_eq!(sonnet("2026-11-23T09:59:30Z"), Microdollars(22_500));
        assert_eq!(sonnet("2026-11-23T10:01:29Z"), Microdollars(22_500));
        assert_eq!(sonnet("2026-11-23T10:01:30Z"), Microdollars(4_500));
        assert_eq!(sonnet("2026-11-23T10:14:29Z"), Microdollars(4_500));
        assert_eq!(sonnet("2026-11-23T10:14:30Z"), Microdollars(22_500));
        assert_eq!(sonnet("2026-11-23T10:16:30Z"), Microdollars(4_500));
        // only that model
        assert_eq!(
            b.cost(MISPRICED_AS, at("2026-11-23T10:00:00Z"), u),
            Microdollars(22_500)
        );
        assert_eq!(
            b.cost("gpt-4o-mini", at("2026-11-23T10:00:00Z"), u),
            GatewayBilling::list().cost("gpt-4o-mini", at("2026-11-23T10:00:00Z"), u)
        );
        assert!(!b.is_mispriced_at(at("2026-11-23T10:05:00Z")));
        assert!(b.unpriced_window().is_none());
    }
}
