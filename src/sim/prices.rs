//! The dated model price table and integer-exact request costing.
//!
//! Prices are microdollars per million tokens (so `$3.00 / Mtok` is
//! `3_000_000`), for uncached input, cached input and output, each valid
//! from an effective instant until the next entry of the same model. The
//! simulator plants one price change in the middle of every window
//! ([`PriceTable::for_window`]): `gpt-4o` drops 20% at the window's midpoint
//! (rounded down to the hour), so cost trends show a step.
//!
//! Cost of one request, in microdollars, rounded half up:
//! `(uncached_input × input + cached_input × cached + output × output) / 1_000_000`
//! where on a cache hit three quarters of the input tokens (integer
//! division) are cached and the rest uncached; without a hit all input is
//! uncached. Failed requests are not billed.

use crate::model::{Microdollars, Timestamp};
use chrono::{DateTime, Duration, DurationRound, TimeZone, Utc};

/// One model's prices from `effective_from` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPrice {
    pub provider: &'static str,
    pub model: &'static str,
    pub effective_from: Timestamp,
    /// Microdollars per million uncached input tokens.
    pub input_per_mtok: i64,
    /// Microdollars per million cached input tokens.
    pub cached_input_per_mtok: i64,
    /// Microdollars per million output tokens.
    pub output_per_mtok: i64,
}

/// Every price entry, any order.
#[derive(Debug, Clone)]
pub struct PriceTable {
    entries: Vec<ModelPrice>,
}

/// `(provider, model, input, cached input, output)` list prices valid from
/// 2025-01-01.
const LIST_PRICES: &[(&str, &str, i64, i64, i64)] = &[
    (
        "anthropic",
        "claude-opus-4-1",
        15_000_000,
        1_500_000,
        75_000_000,
    ),
    (
        "anthropic",
        "claude-sonnet-4-5",
        3_000_000,
        300_000,
        15_000_000,
    ),
    (
        "anthropic",
        "claude-haiku-4-5",
        1_000_000,
        100_000,
        5_000_000,
    ),
    ("openai", "gpt-4.1", 2_000_000, 500_000, 8_000_000),
    ("openai", "gpt-4o", 2_500_000, 1_250_000, 10_000_000),
    ("openai", "gpt-4o-mini", 150_000, 75_000, 600_000),
    ("gemini", "gemini-2.5-pro", 1_250_000, 310_000, 10_000_000),
    ("gemini", "gemini-2.5-flash", 300_000, 75_000, 2_500_000),
];

/// The planted mid-window price of `gpt-4o` (20% below list).
pub const GPT_4O_NEW_PRICE: (i64, i64, i64) = (2_000_000, 1_000_000, 8_000_000);

impl PriceTable {
    /// List prices only, effective from 2025-01-01.
    pub fn list() -> PriceTable {
        let from = Utc
            .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or(DateTime::UNIX_EPOCH);
        PriceTable {
            entries: LIST_PRICES
                .iter()
                .map(|&(provider, model, input, cached, output)| ModelPrice {
                    provider,
                    model,
                    effective_from: from,
                    input_per_mtok: input,
                    cached_input_per_mtok: cached,
                    output_per_mtok: output,
                })
                .collect(),
        }
    }

    /// List prices plus the planted `gpt-4o` price cut at the midpoint of
    /// `[start, end)`, rounded down to the hour.
    pub fn for_window(start: Timestamp, end: Timestamp) -> PriceTable {
        let mut table = Self::list();
        let mid = start + (end - start) / 2;
        let mid = mid.duration_trunc(Duration::hours(1)).unwrap_or(mid);
        table.entries.push(ModelPrice {
            provider: "openai",
            model: "gpt-4o",
            effective_from: mid,
            input_per_mtok: GPT_4O_NEW_PRICE.0,
            cached_input_per_mtok: GPT_4O_NEW_PRICE.1,
            output_per_mtok: GPT_4O_NEW_PRICE.2,
        });
        table
    }

    /// The instant of the planted price change, if this table has one.
    pub fn change_instant(&self) -> Option<Timestamp> {
        self.entries
            .iter()
            .filter(|e| e.model == "gpt-4o")
            .map(|e| e.effective_from)
            .max()
            .filter(|t| t.timestamp() > 1_735_689_600)
    }

    /// The price of `model` in force at `at` (the latest entry not after it).
    pub fn price_at(&self, model: &str, at: Timestamp) -> Option<&ModelPrice> {
        self.entries
            .iter()
            .filter(|e| e.model == model && e.effective_from <= at)
            .max_by_key(|e| e.effective_from)
    }

    /// Every entry.
    pub fn entries(&self) -> &[ModelPrice] {
        &self.entries
    }

    /// Cost of a request (see the module docs); zero for an unknown model.
    pub fn cost(
        &self,
        model: &str,
        at: Timestamp,
        input_tokens: i64,
        output_tokens: i64,
        cache_hit: bool,
    ) -> Microdollars {
        match self.price_at(model, at) {
            Some(price) => price.cost(input_tokens, output_tokens, cache_hit),
            None => Microdollars::ZERO,
        }
    }
}

impl ModelPrice {
    /// Cost of one request at this price, rounded half up to a microdollar.
    pub fn cost(&self, input_tokens: i64, output_tokens: i64, cache_hit: bool) -> Microdollars {
        let input = i128::from(input_tokens.max(0));
        let cached = if cache_hit { input * 3 / 4 } else { 0 };
        let uncached = input - cached;
        let numerator = uncached * i128::from(self.input_per_mtok)
            + cached * i128::from(self.cached_input_per_mtok)
            + i128::from(output_tokens.max(0)) * i128::from(self.output_per_mtok);
        let micros = (numerator + 500_000) / 1_000_000;
        Microdollars(i64::try_from(micros).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn sonnet_cost_by_hand() {
        let t = PriceTable::list();
        // 1000 × 3 + 500 × 15 = 10_500 µ$
        assert_eq!(
            t.cost(
                "claude-sonnet-4-5",
                at("2026-06-01T00:00:00Z"),
                1000,
                500,
                false
            ),
            Microdollars(10_500)
        );
        // cache hit: 750 cached × 0.3 + 250 × 3 + 500 × 15 = 225 + 750 + 7500 = 8_475 µ$
        assert_eq!(
            t.cost(
                "claude-sonnet-4-5",
                at("2026-06-01T00:00:00Z"),
                1000,
                500,
                true
            ),
            Microdollars(8_475)
        );
    }

    #[test]
    fn rounds_half_up() {
        let t = PriceTable::list();
        // gpt-4o-mini: 3 input × 0.15 = 0.45 → 0; 10 input = 1.5 → 2
        assert_eq!(
            t.cost("gpt-4o-mini", at("2026-01-01T00:00:00Z"), 3, 0, false),
            Microdollars(0)
        );
        assert_eq!(
            t.cost("gpt-4o-mini", at("2026-01-01T00:00:00Z"), 10, 0, false),
            Microdollars(2)
        );
    }

    #[test]
    fn planted_change_applies_from_the_midpoint_hour() {
        let t = PriceTable::for_window(at("2026-11-01T00:00:00Z"), at("2026-11-02T01:00:00Z"));
        assert_eq!(t.change_instant(), Some(at("2026-11-01T12:00:00Z")));
        // list: 1000 × 2.5 + 100 × 10 = 3_500; new: 1000 × 2 + 100 × 8 = 2_800
        assert_eq!(
            t.cost("gpt-4o", at("2026-11-01T11:59:59Z"), 1000, 100, false),
            Microdollars(3_500)
        );
        assert_eq!(
            t.cost("gpt-4o", at("2026-11-01T12:00:00Z"), 1000, 100, false),
            Microdollars(2_800)
        );
        assert_eq!(PriceTable::list().change_instant(), None);
    }
}
