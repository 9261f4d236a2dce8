//! The rate card: the price table flattened into one row per (name a
//! request may carry, span of time), with `--as MODEL=OTHER` what-ifs
//! applied. PgEngine binds it as arrays and joins it in SQL; LiveEngine
//! looks requests up in it directly, so both price from the same rows.

use super::{PriceTable, Rates, Usage, end_of_time};
use crate::error::{Error, Result};
use crate::model::{Microdollars, Timestamp};
use std::collections::HashMap;

/// One row: requests on `name` created in `[valid_from, valid_to)` are
/// priced at `rates`, the prices of `priced_as` (the table's model name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateRow {
    pub name: String,
    pub priced_as: String,
    pub valid_from: Timestamp,
    pub valid_to: Timestamp,
    pub rates: Rates,
}

/// Every row of a table, with what-ifs applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateCard {
    rows: Vec<RateRow>,
    by_name: HashMap<String, Vec<usize>>,
    /// `(model, other)` pairs applied, as given.
    what_if: Vec<(String, String)>,
}

/// Parse one `--as MODEL=OTHER`.
pub fn parse_what_if(text: &str) -> Result<(String, String)> {
    match text.split_once('=') {
        Some((from, to)) if !from.trim().is_empty() && !to.trim().is_empty() => {
            Ok((from.trim().to_string(), to.trim().to_string()))
        }
        _ => Err(Error::input(format!(
            "--as {:?} is not MODEL=OTHER: give the served model and the model whose prices to use, e.g. --as gpt-4o=gpt-4o-mini",
            crate::sanitize::clean(text)
        ))),
    }
}

impl RateCard {
    /// The card of `table`; each `(model, other)` re-prices the requests
    /// of `model` (and its aliases) at `other`'s prices, which the table
    /// must have.
    pub fn new(table: &PriceTable, what_if: &[(String, String)]) -> Result<RateCard> {
        let mut rows: Vec<RateRow> = Vec::new();
        for e in table.entries() {
            for name in e.names() {
                rows.push(RateRow {
                    name: name.to_string(),
                    priced_as: e.model.clone(),
                    valid_from: e.effective_from,
                    valid_to: e.effective_to.unwrap_or_else(end_of_time),
                    rates: e.rates,
                });
            }
        }
        // every what-if reads the table as it is, never another what-if
        let original = rows.clone();
        for (from, to) in what_if {
            let target: Vec<RateRow> = original.iter().filter(|r| r.name == *to).cloned().collect();
            if target.is_empty() {
                return Err(Error::input(format!(
                    "--as {from}={to}: the price table ({}) has no model or alias {to}",
                    table.source()
                )));
            }
            // `from` and every name of the same table model
            let canonical: Option<String> = original
                .iter()
                .find(|r| r.name == *from)
                .map(|r| r.priced_as.clone());
            let mut names: Vec<String> = original
                .iter()
                .filter(|r| r.name == *from || Some(&r.priced_as) == canonical.as_ref())
                .map(|r| r.name.clone())
                .collect();
            if !names.contains(from) {
                names.push(from.clone());
            }
            names.sort();
            names.dedup();
            rows.retain(|r| !names.contains(&r.name));
            for name in names {
                rows.extend(target.iter().map(|t| RateRow {
                    name: name.clone(),
                    ..t.clone()
                }));
            }
        }
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            by_name.entry(r.name.clone()).or_default().push(i);
        }
        Ok(RateCard {
            rows,
            by_name,
            what_if: what_if.to_vec(),
        })
    }

    /// The card of the shipped table without what-ifs (built once).
    pub fn shipped() -> std::sync::Arc<RateCard> {
        static SHIPPED: std::sync::OnceLock<std::sync::Arc<RateCard>> = std::sync::OnceLock::new();
        SHIPPED
            .get_or_init(|| {
                std::sync::Arc::new(RateCard::new(&PriceTable::shipped(), &[]).unwrap_or_default())
            })
            .clone()
    }

    /// Every row.
    pub fn rows(&self) -> &[RateRow] {
        &self.rows
    }

    /// The what-ifs applied.
    pub fn what_if(&self) -> &[(String, String)] {
        &self.what_if
    }

    /// Whose prices requests on `name` are priced at (the smallest table
    /// model name when an alias spans several); `None` for an unknown name.
    pub fn priced_as(&self, name: &str) -> Option<&str> {
        self.by_name
            .get(name)?
            .iter()
            .map(|&i| self.rows[i].priced_as.as_str())
            .min()
    }

    /// The row pricing a request on `model` created at `at`.
    pub fn row_for(&self, model: &str, at: Timestamp) -> Option<&RateRow> {
        self.by_name
            .get(model)?
            .iter()
            .map(|&i| &self.rows[i])
            .find(|r| at >= r.valid_from && at < r.valid_to)
    }

    /// What a request costs at the card's prices, and whose prices those
    /// are; `None` when the card has none for it.
    pub fn price(&self, model: &str, at: Timestamp, usage: Usage) -> Option<(&str, Microdollars)> {
        self.row_for(model, at)
            .map(|r| (r.priced_as.as_str(), r.rates.cost(usage)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> PriceTable {
        super::super::table_file::parse(
            r#"
[[price]]
provider = "a"
model = "big"
aliases = ["big-2026"]
input_usd_per_mtok = 10
output_usd_per_mtok = 30
[[price]]
provider = "a"
model = "small"
input_usd_per_mtok = 1
output_usd_per_mtok = 3
"#,
            "t",
        )
        .unwrap()
    }

    #[test]
    fn what_if_prices_a_model_and_its_aliases_at_another_models_prices() {
        let now = chrono::Utc::now();
        let u = Usage {
            input: 1000,
            output: 100,
            ..Usage::default()
        };
        let plain = RateCard::new(&table(), &[]).unwrap();
        assert_eq!(
            plain.price("big-2026", now, u),
            Some(("big", Microdollars(13_000)))
        );
        let card = RateCard::new(&table(), &[("big".into(), "small".into())]).unwrap();
        assert_eq!(
            card.price("big", now, u),
            Some(("small", Microdollars(1_300)))
        );
        assert_eq!(
            card.price("big-2026", now, u),
            Some(("small", Microdollars(1_300)))
        );
        // an unknown model can be estimated too
        let card = RateCard::new(&table(), &[("new-model".into(), "big".into())]).unwrap();
        assert_eq!(
            card.price("new-model", now, u),
            Some(("big", Microdollars(13_000)))
        );
        let err = RateCard::new(&table(), &[("big".into(), "nope".into())]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--as big=nope: the price table (t) has no model or alias nope"
        );
    }

    #[test]
    fn what_ifs_read_the_table_never_each_other() {
        let now = chrono::Utc::now();
        let u = Usage {
            input: 1000,
            output: 100,
            ..Usage::default()
        };
        // small → big and big → small swap, whatever the order
        let card = RateCard::new(
            &table(),
            &[
                ("small".into(), "big".into()),
                ("big".into(), "small".into()),
            ],
        )
        .unwrap();
        assert_eq!(
            card.price("small", now, u),
            Some(("big", Microdollars(13_000)))
        );
        assert_eq!(
            card.price("big", now, u),
            Some(("small", Microdollars(1_300)))
        );
        assert_eq!(
            card.price("big-2026", now, u),
            Some(("small", Microdollars(1_300)))
        );
    }

    #[test]
    fn what_if_flags_are_model_equals_other() {
        assert_eq!(
            parse_what_if("gpt-4o=gpt-4o-mini").unwrap(),
            ("gpt-4o".to_string(), "gpt-4o-mini".to_string())
        );
        for bad in ["gpt-4o", "=x", "x=", ""] {
            assert!(parse_what_if(bad).is_err(), "{bad}");
        }
    }
}
