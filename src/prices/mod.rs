//! The model price table: dated per-token prices, shipped with tracetop
//! (`data/prices.toml`) and overridable with `--prices FILE` or `prices =
//! "FILE"` in the config, in our TOML form ([`table_file`]) or LiteLLM's
//! `model_prices_and_context_window.json` ([`litellm`]).
//!
//! Prices are integers: **microdollars per million tokens** (`$3.00 /
//! Mtok` is `3_000_000`), converted from the file's decimal text without
//! binary floating point (see [`decimal`]). One entry prices one model
//! (answering to its name and its aliases) for `[effective_from,
//! effective_to)`; two entries answering to the same name never overlap.
//!
//! # What one request costs ([`Rates::cost`])
//!
//! `input_tokens` counts the whole prompt, the part read from the prompt
//! cache and the part written to it included (as the platform records it,
//! and as `cached_input_share` reads it), so
//!
//! ```text
//! uncached = max(input − cache_read − cache_write, 0)
//! cost µ$  = ⌊(uncached × input_rate + cache_read × cache_read_rate
//!             + cache_write × cache_write_rate + output × output_rate
//!             + 500 000) / 1 000 000⌋
//! ```
//!
//! that is, each request is rounded half up to a whole microdollar on its
//! own and sums add those integers. Missing or negative token counts read
//! as 0. A database without the cache columns reads every input token as
//! uncached. PgEngine's SQL and LiveEngine compute exactly this.

pub mod decimal;
pub mod litellm;
pub mod rate_card;
pub mod table_file;

pub use rate_card::{RateCard, RateRow};

use crate::error::{Error, Result};
use crate::model::{Microdollars, Timestamp};
use chrono::{NaiveDate, TimeZone, Utc};
use std::collections::BTreeMap;
use std::path::Path;

/// The table shipped in the repository (`data/prices.toml`).
pub const SHIPPED_TOML: &str = include_str!("../../data/prices.toml");

/// Name of the shipped table in reports.
pub const SHIPPED_SOURCE: &str = "shipped";

/// Largest accepted rate: $10 000 per million tokens (a typo guard). It
/// keeps a request's cost inside PgEngine's `bigint` arithmetic for any
/// request under ~200 million tokens; beyond that Postgres reports an
/// overflow, never a wrong number (LiveEngine computes in 128 bits).
pub const MAX_RATE: i64 = 10_000_000_000;

/// Microdollars per million tokens of each kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rates {
    pub input: i64,
    pub output: i64,
    pub cache_read: i64,
    pub cache_write: i64,
}

/// Token counts of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub input: i64,
    pub output: i64,
    pub cache_read: i64,
    pub cache_write: i64,
}

impl Rates {
    /// What `usage` costs at these rates (the rule in the module docs).
    pub fn cost(&self, usage: Usage) -> Microdollars {
        let clamp = |n: i64| i128::from(n.max(0));
        let (input, read, write) = (
            clamp(usage.input),
            clamp(usage.cache_read),
            clamp(usage.cache_write),
        );
        let uncached = (input - read - write).max(0);
        let numerator = uncached * i128::from(self.input)
            + read * i128::from(self.cache_read)
            + write * i128::from(self.cache_write)
            + clamp(usage.output) * i128::from(self.output);
        let micros = (numerator + 500_000) / 1_000_000;
        Microdollars(i64::try_from(micros).unwrap_or(i64::MAX))
    }
}

/// One model's prices over a span of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceEntry {
    pub provider: String,
    pub model: String,
    /// Other names the model is served under (dated snapshots, prefixed
    /// names).
    pub aliases: Vec<String>,
    /// First instant the prices apply (inclusive).
    pub effective_from: Timestamp,
    /// First instant they no longer apply (exclusive); `None`: still do.
    pub effective_to: Option<Timestamp>,
    pub rates: Rates,
}

impl PriceEntry {
    /// The model name and its aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.model.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// Whether the entry is in force at `at`.
    pub fn applies_at(&self, at: Timestamp) -> bool {
        at >= self.effective_from && self.effective_to.is_none_or(|to| at < to)
    }

    fn overlaps(&self, other: &PriceEntry) -> bool {
        let ends_after = |e: &PriceEntry, t: Timestamp| e.effective_to.is_none_or(|to| to > t);
        ends_after(self, other.effective_from) && ends_after(other, self.effective_from)
    }
}

/// Every price entry, and where they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceTable {
    entries: Vec<PriceEntry>,
    source: String,
}

/// The earliest instant a price can start (an entry without
/// `effective_from` applies from here).
pub fn beginning_of_time() -> Timestamp {
    NaiveDate::from_ymd_opt(1, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| Utc.from_utc_datetime(&d))
        .unwrap_or(chrono::DateTime::UNIX_EPOCH)
}

/// The instant an open-ended price is taken to end at in SQL (inside
/// Postgres' timestamptz range).
pub fn end_of_time() -> Timestamp {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| Utc.from_utc_datetime(&d))
        .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC)
}

impl PriceTable {
    /// A table of `entries` from `source` (a path, or [`SHIPPED_SOURCE`]),
    /// checked: names non-empty, rates in range, spans non-empty, and no
    /// two entries answering to one name in force at the same time.
    pub fn new(entries: Vec<PriceEntry>, source: impl Into<String>) -> Result<PriceTable> {
        let mut by_name: BTreeMap<&str, Vec<&PriceEntry>> = BTreeMap::new();
        for e in &entries {
            if e.model.trim().is_empty() {
                return Err(Error::input("an entry has an empty model name"));
            }
            if let Some(to) = e.effective_to
                && to <= e.effective_from
            {
                return Err(Error::input(format!(
                    "{}: effective_to {} is not after effective_from {}",
                    e.model,
                    crate::query::rfc3339(to),
                    crate::query::rfc3339(e.effective_from)
                )));
            }
            let r = e.rates;
            if [r.input, r.output, r.cache_read, r.cache_write]
                .iter()
                .any(|&v| !(0..=MAX_RATE).contains(&v))
            {
                return Err(Error::input(format!(
                    "{}: a price is negative or above $10000 per million tokens",
                    e.model
                )));
            }
            for name in e.names() {
                if name.trim().is_empty() {
                    return Err(Error::input(format!("{}: an alias is empty", e.model)));
                }
                let same = by_name.entry(name).or_default();
                if let Some(clash) = same.iter().find(|o| o.overlaps(e)) {
                    return Err(Error::input(format!(
                        "{name} has two prices in force at once (entries of {} from {} and of {} from {}): give one an effective_to",
                        clash.model,
                        crate::query::rfc3339(clash.effective_from),
                        e.model,
                        crate::query::rfc3339(e.effective_from)
                    )));
                }
                same.push(e);
            }
        }
        Ok(PriceTable {
            entries,
            source: source.into(),
        })
    }

    /// The table shipped in the repository.
    pub fn shipped() -> PriceTable {
        // The shipped file is checked by a unit test; it cannot fail here.
        table_file::parse(SHIPPED_TOML, SHIPPED_SOURCE).unwrap_or_else(|e| {
            panic!("data/prices.toml is invalid: {e}");
        })
    }

    /// Read a price file: LiteLLM's JSON when the file ends in `.json` or
    /// its text starts with `{`, else our TOML. Every failure is one line
    /// naming the file.
    pub fn load(path: &Path) -> Result<PriceTable> {
        let shown = crate::sanitize::clean(&path.display().to_string());
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::input(format!(
                "cannot read price file {shown}: {e}; check the path given to --prices or `prices =` in the config"
            )).caused_by(e)
        })?;
        let json = path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("json"))
            || text.trim_start().starts_with('{');
        let parsed = if json {
            litellm::parse(&text, &shown)
        } else {
            table_file::parse(&text, &shown)
        };
        parsed.map_err(|e| {
            let kind = if json {
                "LiteLLM JSON"
            } else {
                "tracetop TOML"
            };
            Error::input(format!("price file {shown} ({kind}): {e}")).caused_by(e)
        })
    }

    /// The table `--prices` (else the config's `prices`) names, else the
    /// shipped one.
    pub fn from_flag_or_config(flag: Option<&Path>, config: Option<&Path>) -> Result<PriceTable> {
        match flag.or(config) {
            Some(path) => Self::load(path),
            None => Ok(Self::shipped()),
        }
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> &[PriceEntry] {
        &self.entries
    }

    /// Where the table came from (a path, or `shipped`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The entry answering to `name` in force at `at`.
    pub fn price_at(&self, name: &str, at: Timestamp) -> Option<&PriceEntry> {
        self.entries
            .iter()
            .find(|e| e.applies_at(at) && e.names().any(|n| n == name))
    }

    /// What a request on `model` at `at` costs; `None` for a model (or a
    /// time) the table has no price for.
    pub fn cost(&self, model: &str, at: Timestamp, usage: Usage) -> Option<Microdollars> {
        self.price_at(model, at).map(|e| e.rates.cost(usage))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_shipped_table_parses_and_prices_the_simulated_models() {
        let t = PriceTable::shipped();
        assert_eq!(t.source(), "shipped");
        for model in crate::sim::catalog::MODELS {
            assert!(
                t.price_at(model.model, at("2026-06-01T00:00:00Z"))
                    .is_some(),
                "{}",
                model.model
            );
        }
    }

    #[test]
    fn cost_by_hand_with_cache_tokens() {
        let sonnet = Rates {
            input: 3_000_000,
            output: 15_000_000,
            cache_read: 300_000,
            cache_write: 3_750_000,
        };
        // 1000 in, 500 out: 3000 + 7500 = 10 500 µ$
        let u = Usage {
            input: 1000,
            output: 500,
            ..Usage::default()
        };
        assert_eq!(sonnet.cost(u), Microdollars(10_500));
        // 1000 in of which 600 read and 100 written: 300 × 3 + 600 × 0.3 +
        // 100 × 3.75 + 500 × 15 = 900 + 180 + 375 + 7500 = 8 955 µ$
        let u = Usage {
            input: 1000,
            output: 500,
            cache_read: 600,
            cache_write: 100,
        };
        assert_eq!(sonnet.cost(u), Microdollars(8_955));
        // more cached than input (inconsistent row): uncached clamps to 0
        let u = Usage {
            input: 10,
            output: 0,
            cache_read: 20,
            cache_write: 0,
        };
        assert_eq!(sonnet.cost(u), Microdollars(6));
    }

    #[test]
    fn each_request_rounds_half_up() {
        let mini = Rates {
            input: 150_000,
            output: 600_000,
            cache_read: 75_000,
            cache_write: 150_000,
        };
        let input = |n| Usage {
            input: n,
            ..Usage::default()
        };
        // 3 × 0.15 = 0.45 → 0; 10 × 0.15 = 1.5 → 2; 9 × 0.15 = 1.35 → 1
        assert_eq!(mini.cost(input(3)), Microdollars(0));
        assert_eq!(mini.cost(input(10)), Microdollars(2));
        assert_eq!(mini.cost(input(9)), Microdollars(1));
    }

    #[test]
    fn overlapping_prices_for_one_name_are_refused() {
        let entry = |model: &str, aliases: &[&str], from: &str, to: Option<&str>| PriceEntry {
            provider: "p".into(),
            model: model.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            effective_from: at(from),
            effective_to: to.map(at),
            rates: Rates::default(),
        };
        let ok = PriceTable::new(
            vec![
                entry(
                    "m",
                    &[],
                    "2026-01-01T00:00:00Z",
                    Some("2026-02-01T00:00:00Z"),
                ),
                entry("m", &[], "2026-02-01T00:00:00Z", None),
            ],
            "t",
        )
        .unwrap();
        assert_eq!(
            ok.price_at("m", at("2026-01-31T23:59:59Z"))
                .unwrap()
                .effective_from,
            at("2026-01-01T00:00:00Z")
        );
        assert_eq!(
            ok.price_at("m", at("2026-02-01T00:00:00Z"))
                .unwrap()
                .effective_from,
            at("2026-02-01T00:00:00Z")
        );
        assert!(ok.price_at("m", at("2025-12-31T23:59:59Z")).is_none());
        let err = PriceTable::new(
            vec![
                entry("m", &[], "2026-01-01T00:00:00Z", None),
                entry("n", &["m"], "2026-03-01T00:00:00Z", None),
            ],
            "t",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("m has two prices in force at once"),
            "{err}"
        );
    }
}
