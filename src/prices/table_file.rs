//! tracetop's own price file (TOML), the form of `data/prices.toml`:
//!
//! ```toml
//! [[price]]
//! provider = "anthropic"
//! model = "claude-sonnet-4-5"
//! aliases = ["claude-sonnet-4-5-20250929"]   # optional
//! effective_from = 2025-01-01                # date or date-time (UTC without offset); default: always
//! effective_to = 2026-01-01T00:00:00Z        # exclusive; default: the model's next entry, else open
//! input_usd_per_mtok = "3.00"                # dollars per million tokens: a string or a number
//! output_usd_per_mtok = "15.00"
//! cache_read_usd_per_mtok = "0.30"           # default: the input price
//! cache_write_usd_per_mtok = "3.75"          # default: the input price
//! ```
//!
//! Prices convert to microdollars per million tokens exactly (six
//! decimals; a seventh is rounded half up). Unknown keys are refused so a
//! typo is reported, not ignored.

use super::{PriceEntry, PriceTable, Rates, beginning_of_time, decimal};
use crate::error::{Error, Result};
use crate::model::Timestamp;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    price: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    provider: String,
    model: String,
    #[serde(default)]
    aliases: Vec<String>,
    effective_from: Option<toml::value::Datetime>,
    effective_to: Option<toml::value::Datetime>,
    input_usd_per_mtok: toml::Value,
    output_usd_per_mtok: toml::Value,
    cache_read_usd_per_mtok: Option<toml::Value>,
    cache_write_usd_per_mtok: Option<toml::Value>,
}

/// Parse our TOML price file; `source` names it in the table.
pub fn parse(text: &str, source: &str) -> Result<PriceTable> {
    let file: File = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        let message = e.message().trim().replace('\n', " ");
        match line {
            Some(n) => Error::input(format!("line {n}: {message}")),
            None => Error::input(message),
        }
    })?;
    if file.price.is_empty() {
        return Err(Error::input("no [[price]] entries"));
    }
    let mut entries = Vec::with_capacity(file.price.len());
    for (i, e) in file.price.iter().enumerate() {
        let what = format!(
            "[[price]] #{} ({})",
            i + 1,
            crate::sanitize::clean(&e.model)
        );
        let rate = |field: &str, v: &toml::Value| -> Result<i64> {
            usd_per_mtok(v).ok_or_else(|| {
                Error::input(format!(
                    "{what}: {field} must be a non-negative price in dollars per million tokens, like \"3.00\""
                ))
            })
        };
        let input = rate("input_usd_per_mtok", &e.input_usd_per_mtok)?;
        let rates = Rates {
            input,
            output: rate("output_usd_per_mtok", &e.output_usd_per_mtok)?,
            cache_read: match &e.cache_read_usd_per_mtok {
                Some(v) => rate("cache_read_usd_per_mtok", v)?,
                None => input,
            },
            cache_write: match &e.cache_write_usd_per_mtok {
                Some(v) => rate("cache_write_usd_per_mtok", v)?,
                None => input,
            },
        };
        let instant = |field: &str,
                       v: &Option<toml::value::Datetime>|
         -> Result<Option<Timestamp>> {
            v.as_ref()
                .map(|d| {
                    instant(&d.to_string()).ok_or_else(|| {
                        Error::input(format!(
                            "{what}: {field} {d} is not a date (2026-01-01) or a date and time (2026-01-01T00:00:00Z)"
                        ))
                    })
                })
                .transpose()
        };
        entries.push(PriceEntry {
            provider: e.provider.clone(),
            model: e.model.clone(),
            aliases: e.aliases.clone(),
            effective_from: instant("effective_from", &e.effective_from)?
                .unwrap_or_else(beginning_of_time),
            effective_to: instant("effective_to", &e.effective_to)?,
            rates,
        });
    }
    close_open_spans(&mut entries);
    PriceTable::new(entries, source)
}

/// An entry without `effective_to` ends where the next entry of the same
/// model starts.
fn close_open_spans(entries: &mut [PriceEntry]) {
    let starts: Vec<(String, Timestamp)> = entries
        .iter()
        .map(|e| (e.model.clone(), e.effective_from))
        .collect();
    for e in entries.iter_mut().filter(|e| e.effective_to.is_none()) {
        e.effective_to = starts
            .iter()
            .filter(|(m, from)| *m == e.model && *from > e.effective_from)
            .map(|(_, from)| *from)
            .min();
    }
}

/// A TOML price value (string, integer or float) as µ$ per million tokens.
fn usd_per_mtok(v: &toml::Value) -> Option<i64> {
    let text = match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(n) => n.to_string(),
        // Rust prints a float as its shortest round-trip decimal
        toml::Value::Float(f) if f.is_finite() => f.to_string(),
        _ => return None,
    };
    decimal::scaled(&text, 6)
}

/// A TOML date (`2026-01-01`, midnight UTC) or date-time (with an offset,
/// or without one: UTC).
fn instant(text: &str) -> Option<Timestamp> {
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(d.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const SAMPLE: &str = r#"
[[price]]
provider = "openai"
model = "gpt-x"
aliases = ["gpt-x-2026-01-01"]
effective_from = 2026-01-01
input_usd_per_mtok = "2.50"
output_usd_per_mtok = 10
cache_read_usd_per_mtok = 1.25

[[price]]
provider = "openai"
model = "gpt-x"
effective_from = 2026-03-01T12:00:00Z
input_usd_per_mtok = "2.0000005"
output_usd_per_mtok = "8"
cache_write_usd_per_mtok = "0"
"#;

    #[test]
    fn parses_dated_entries_with_defaults() {
        let t = parse(SAMPLE, "sample.toml").unwrap();
        assert_eq!(t.source(), "sample.toml");
        let first = &t.entries()[0];
        assert_eq!(first.effective_from, at("2026-01-01T00:00:00Z"));
        // closed by the next entry of the same model
        assert_eq!(first.effective_to, Some(at("2026-03-01T12:00:00Z")));
        assert_eq!(
            first.rates,
            Rates {
                input: 2_500_000,
                output: 10_000_000,
                cache_read: 1_250_000,
                cache_write: 2_500_000,
            }
        );
        let second = &t.entries()[1];
        assert_eq!(second.effective_to, None);
        // the seventh decimal rounds half up
        assert_eq!(second.rates.input, 2_000_001);
        assert_eq!(second.rates.cache_read, 2_000_001);
        assert_eq!(second.rates.cache_write, 0);
        assert_eq!(
            t.price_at("gpt-x-2026-01-01", at("2026-02-01T00:00:00Z"))
                .unwrap()
                .model,
            "gpt-x"
        );
        // the alias belongs to the first entry only
        assert!(
            t.price_at("gpt-x-2026-01-01", at("2026-04-01T00:00:00Z"))
                .is_none()
        );
    }

    #[test]
    fn broken_files_say_what_is_wrong_in_one_line() {
        let cases = [
            ("[[price]\nmodel = 1", "line 1"),
            ("", "no [[price]] entries"),
            (
                "[[price]]\nprovider = \"p\"\nmodel = \"m\"\ninput_usd_per_mtok = \"-1\"\noutput_usd_per_mtok = 1",
                "[[price]] #1 (m): input_usd_per_mtok must be a non-negative price",
            ),
            (
                "[[price]]\nprovider = \"p\"\nmodel = \"m\"\ninput_usd_per_mtok = 1\noutput_usd_per_mtok = 1\ncolour = 1",
                "unknown field `colour`",
            ),
            (
                "[[price]]\nprovider = \"p\"\nmodel = \"m\"\ninput_usd_per_mtok = 1",
                "missing field `output_usd_per_mtok`",
            ),
            (
                "[[price]]\nprovider = \"p\"\nmodel = \"m\"\neffective_from = 2026-02-01\neffective_to = 2026-01-01\ninput_usd_per_mtok = 1\noutput_usd_per_mtok = 1",
                "m: effective_to 2026-01-01T00:00:00Z is not after effective_from",
            ),
        ];
        for (text, expected) in cases {
            let err = parse(text, "f").unwrap_err().to_string();
            assert!(err.contains(expected), "{text:?}: {err}");
            assert!(!err.contains('\n'), "{err}");
        }
    }
}
