//! LiteLLM's `model_prices_and_context_window.json`, the de facto shared
//! price table: one object per model key with dollars **per token**.
//!
//! Read: `input_cost_per_token`, `output_cost_per_token` (an entry without
//! both, such as an image model, is skipped), `cache_read_input_token_cost`
//! and `cache_creation_input_token_cost` (default: the input price),
//! `litellm_provider`. The `sample_spec` entry (the format's own
//! documentation) is skipped, and so is every other field (context
//! windows, tiered `…_above_200k_tokens` prices, capabilities). The file
//! has no dates: every entry applies at all times.
//!
//! Each per-token price is taken as the shortest decimal that reads back
//! as the same number (what the file says, `3e-06`), times 10¹² in
//! decimal arithmetic, rounded half up to a microdollar per million tokens
//! (exact for prices with at most twelve decimals per token).
//!
//! Names: a key answers to itself; a key `<provider>/<name>` whose prefix
//! is its `litellm_provider` also answers to `<name>` when no key is
//! `<name>` and no other such key strips to it.

use super::{PriceEntry, PriceTable, Rates, beginning_of_time, decimal};
use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The entry LiteLLM keeps as documentation of its own format.
const SAMPLE_SPEC: &str = "sample_spec";

/// Parse LiteLLM's JSON; `source` names it in the table.
pub fn parse(text: &str, source: &str) -> Result<PriceTable> {
    let top: Map<String, Value> = serde_json::from_str(text)
        .map_err(|e| Error::input(format!("not a JSON object of models: {e}")).caused_by(e))?;
    let mut entries = Vec::new();
    for (key, value) in &top {
        if key == SAMPLE_SPEC {
            continue;
        }
        let shown = crate::sanitize::clean(key);
        let Some(fields) = value.as_object() else {
            return Err(Error::input(format!(
                "{shown}: expected an object of prices, found {}",
                kind(value)
            )));
        };
        let price =
            |field: &str| -> Result<Option<i64>> {
                match fields.get(field) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::Number(n)) => decimal::scaled(&n.to_string(), 12)
                        .map(Some)
                        .ok_or_else(|| {
                            Error::input(format!(
                                "{shown}: {field} {n} is not a non-negative price"
                            ))
                        }),
                    Some(other) => Err(Error::input(format!(
                        "{shown}: {field} must be a number (dollars per token), found {}",
                        kind(other)
                    ))),
                }
            };
        let (Some(input), Some(output)) = (
            price("input_cost_per_token")?,
            price("output_cost_per_token")?,
        ) else {
            continue;
        };
        let rates = Rates {
            input,
            output,
            cache_read: price("cache_read_input_token_cost")?.unwrap_or(input),
            cache_write: price("cache_creation_input_token_cost")?.unwrap_or(input),
        };
        let provider = match fields.get("litellm_provider") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(p)) => p.clone(),
            Some(other) => {
                return Err(Error::input(format!(
                    "{shown}: litellm_provider must be a string, found {}",
                    kind(other)
                )));
            }
        };
        entries.push(PriceEntry {
            provider,
            model: key.clone(),
            aliases: Vec::new(),
            effective_from: beginning_of_time(),
            effective_to: None,
            rates,
        });
    }
    if entries.is_empty() {
        return Err(Error::input(
            "no model has both input_cost_per_token and output_cost_per_token",
        ));
    }
    add_unprefixed_aliases(&mut entries);
    PriceTable::new(entries, source)
}

/// `openai/gpt-x` (provider `openai`) also answers to `gpt-x` when that
/// name is free and unambiguous.
fn add_unprefixed_aliases(entries: &mut [PriceEntry]) {
    let keys: BTreeSet<String> = entries.iter().map(|e| e.model.clone()).collect();
    let mut stripped: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(rest) = e
            .model
            .strip_prefix(e.provider.as_str())
            .and_then(|r| r.strip_prefix('/'))
            .filter(|r| !e.provider.is_empty() && !r.is_empty())
        {
            stripped.entry(rest.to_string()).or_default().push(i);
        }
    }
    for (name, owners) in stripped {
        if let [only] = owners[..]
            && !keys.contains(&name)
        {
            entries[only].aliases.push(name);
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Microdollars;
    use crate::prices::Usage;

    const SAMPLE: &str = r#"{
      "sample_spec": {"max_tokens": "LEGACY", "input_cost_per_token": 0.0, "output_cost_per_token": 0.0, "litellm_provider": "one of https://docs.litellm.ai/docs/providers"},
      "claude-sonnet-4-5": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
        "cache_read_input_token_cost": 3e-07, "cache_creation_input_token_cost": 3.75e-06,
        "litellm_provider": "anthropic", "max_input_tokens": 200000, "supports_vision": true,
        "input_cost_per_token_above_200k_tokens": 6e-06},
      "gpt-4o-mini": {"input_cost_per_token": 1.5e-07, "output_cost_per_token": 6e-07,
        "cache_read_input_token_cost": 7.5e-08, "litellm_provider": "openai"},
      "openai/gpt-4o-mini": {"input_cost_per_token": 1.5e-07, "output_cost_per_token": 6e-07, "litellm_provider": "openai"},
      "gemini/gemini-2.5-flash": {"input_cost_per_token": 3e-07, "output_cost_per_token": 2.5e-06, "litellm_provider": "gemini"},
      "dall-e-3": {"input_cost_per_pixel": 1e-08, "litellm_provider": "openai", "mode": "image_generation"},
      "text-embedding-3-small": {"input_cost_per_token": 2e-08, "output_cost_per_token": 0, "litellm_provider": "openai"}
    }"#;

    #[test]
    fn reads_per_token_prices_exactly() {
        let t = parse(SAMPLE, "prices.json").unwrap();
        let now = chrono::Utc::now();
        let sonnet = t.price_at("claude-sonnet-4-5", now).unwrap();
        assert_eq!(sonnet.provider, "anthropic");
        assert_eq!(
            sonnet.rates,
            Rates {
                input: 3_000_000,
                output: 15_000_000,
                cache_read: 300_000,
                cache_write: 3_750_000,
            }
        );
        let mini = t.price_at("gpt-4o-mini", now).unwrap();
        assert_eq!(mini.rates.cache_read, 75_000);
        assert_eq!(
            mini.rates.cache_write, 150_000,
            "defaults to the input price"
        );
        // the unprefixed name is free: the prefixed key answers to it
        assert_eq!(
            t.price_at("gemini-2.5-flash", now).unwrap().model,
            "gemini/gemini-2.5-flash"
        );
        // `gpt-4o-mini` is a key of its own: the prefixed one does not take it
        assert_eq!(t.price_at("gpt-4o-mini", now).unwrap().model, "gpt-4o-mini");
        assert!(t.price_at("sample_spec", now).is_none());
        assert!(t.price_at("dall-e-3", now).is_none());
        assert_eq!(
            t.price_at("text-embedding-3-small", now)
                .unwrap()
                .rates
                .input,
            20_000
        );
        // 1000 in (400 read) + 200 out on sonnet: 600 × 3 + 400 × 0.3 + 200 × 15 = 4 920 µ$
        let u = Usage {
            input: 1000,
            output: 200,
            cache_read: 400,
            cache_write: 0,
        };
        assert_eq!(
            t.cost("claude-sonnet-4-5", now, u),
            Some(Microdollars(4_920))
        );
    }

    #[test]
    fn broken_files_are_refused_naming_the_entry() {
        let cases = [
            ("{", "not a JSON object of models"),
            ("[1, 2]", "not a JSON object of models"),
            (
                r#"{"m": 3}"#,
                "m: expected an object of prices, found a number",
            ),
            (
                r#"{"m": {"input_cost_per_token": "cheap", "output_cost_per_token": 1}}"#,
                "m: input_cost_per_token must be a number (dollars per token), found a string",
            ),
            (
                r#"{"m": {"input_cost_per_token": -1e-6, "output_cost_per_token": 1}}"#,
                "m: input_cost_per_token -1e-6 is not a non-negative price",
            ),
            (r#"{"sample_spec": {}}"#, "no model has both"),
        ];
        for (text, expected) in cases {
            let err = parse(text, "f.json").unwrap_err().to_string();
            assert!(err.contains(expected), "{text}: {err}");
            assert!(!err.contains('\n'), "{err}");
        }
    }
}
