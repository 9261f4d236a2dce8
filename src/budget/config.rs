//! Budgets as the config file writes them, checked into [`Budget`]s.
//!
//! ```toml
//! timezone = "Europe/Berlin"   # optional: period boundaries (default UTC)
//!
//! [[budget]]
//! name = "research-agents"
//! scope = "agent"          # platform | user | agent | model | provider
//! match = "research-*"     # exact name or glob (* and ?); absent for platform
//! period = "month"         # day | week | month
//! limit_usd = 500
//! warn_at = 0.8            # default 0.8
//! timezone = "UTC"         # optional: this budget's own zone
//! ```
//!
//! Every mistake is one line that names the entry (by its name, else its
//! position) and says what is allowed, e.g.
//! `budget "research-agents": period "fortnight" is not day, week or month`.

use super::glob::Pattern;
use super::period::parse_zone;
use crate::error::{Error, Result};
use crate::model::{BudgetPeriod, BudgetScope, Microdollars};
use chrono_tz::Tz;

/// Warning level when `warn_at` is not given.
pub const DEFAULT_WARN_AT: f64 = 0.8;

/// Largest `limit_usd` accepted (far above any real budget, far below
/// what 64-bit microdollars hold).
const MAX_LIMIT_USD: f64 = 1e12;

/// A checked budget.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub name: String,
    pub scope: BudgetScope,
    /// `None` exactly when the scope is platform.
    pub pattern: Option<Pattern>,
    pub period: BudgetPeriod,
    pub zone: Tz,
    pub limit: Microdollars,
    pub warn_at: f64,
}

impl Budget {
    /// The warning level in microdollars: `limit × warn_at`, rounded.
    pub fn warn_limit(&self) -> Microdollars {
        Microdollars((self.limit.get() as f64 * self.warn_at).round() as i64)
    }

    /// Whether a group key of the budget's scope is counted. Agent
    /// budgets never count requests without an agent.
    pub fn counts(&self, key: &str) -> bool {
        match (&self.pattern, self.scope) {
            (_, BudgetScope::Agent) if key == crate::query::NO_AGENT => false,
            (Some(p), _) => p.matches(key),
            (None, _) => true,
        }
    }
}

const KEYS: [&str; 7] = [
    "name",
    "scope",
    "match",
    "period",
    "limit_usd",
    "warn_at",
    "timezone",
];

/// Check the `[[budget]]` entries; `default_zone` is the file's top-level
/// `timezone` (UTC when absent).
pub fn parse_budgets(entries: &[toml::Table], default_zone: Tz) -> Result<Vec<Budget>> {
    let mut out: Vec<Budget> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let budget = parse_entry(entry, i, default_zone)?;
        if out.iter().any(|b| b.name == budget.name) {
            return Err(Error::input(format!(
                "budget {:?}: the name is used twice; give each [[budget]] its own name",
                budget.name
            )));
        }
        out.push(budget);
    }
    Ok(out)
}

/// The file's top-level `timezone`, UTC when absent.
pub fn parse_default_zone(text: Option<&str>) -> Result<Tz> {
    match text {
        None => Ok(Tz::UTC),
        Some(t) => parse_zone(t).map_err(|e| Error::input(format!("config: {e}"))),
    }
}

/// What the spend-control commands (`budgets`, `anomalies`, `serve`) read
/// of a config file: its budgets and its `timezone`. Other tables are left
/// to their own readers.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendConfig {
    pub budgets: Vec<Budget>,
    pub zone: Tz,
}

impl Default for SpendConfig {
    fn default() -> Self {
        SpendConfig {
            budgets: Vec::new(),
            zone: Tz::UTC,
        }
    }
}

impl SpendConfig {
    /// Read the budgets and `timezone` from a config file's text.
    pub fn from_config_toml(text: &str) -> Result<SpendConfig> {
        #[derive(serde::Deserialize)]
        struct File {
            timezone: Option<String>,
            #[serde(default)]
            budget: Vec<toml::Table>,
        }
        let file: File = toml::from_str(text).map_err(|e| {
            Error::input(format!(
                "invalid budgets in the config file: {}; fix the [[budget]] entries",
                e.message()
            ))
            .caused_by(e)
        })?;
        let zone = parse_default_zone(file.timezone.as_deref())?;
        Ok(SpendConfig {
            budgets: parse_budgets(&file.budget, zone)?,
            zone,
        })
    }

    /// Load `explicit` (must exist) or the default config path (may be
    /// absent: no budgets, UTC).
    pub fn load(explicit: Option<&std::path::Path>) -> Result<SpendConfig> {
        let (path, required) = match explicit {
            Some(p) => (p.to_path_buf(), true),
            None => match crate::tui::config::default_path() {
                Some(p) => (p, false),
                None => return Ok(SpendConfig::default()),
            },
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => SpendConfig::from_config_toml(&text).map_err(|e| {
                Error::input(format!("config file {}: {e}", path.display())).caused_by(e)
            }),
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                Ok(SpendConfig::default())
            }
            Err(e) => Err(Error::input(format!(
                "cannot read config file {}: {e}; check the path given to --config",
                path.display()
            ))
            .caused_by(e)),
        }
    }
}

/// The top-level `timezone` of the default config file, UTC when the file
/// or the key is absent (for reports without a `--config` flag).
pub fn configured_zone() -> Result<Tz> {
    let Some(path) = crate::tui::config::default_path() else {
        return Ok(Tz::UTC);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Tz::UTC),
        Err(e) => {
            return Err(
                Error::input(format!("cannot read config file {}: {e}", path.display()))
                    .caused_by(e),
            );
        }
    };
    #[derive(serde::Deserialize)]
    struct File {
        timezone: Option<String>,
    }
    let file: File = toml::from_str(&text).map_err(|e| {
        Error::input(format!("config file {}: {}", path.display(), e.message())).caused_by(e)
    })?;
    parse_default_zone(file.timezone.as_deref())
        .map_err(|e| Error::input(format!("config file {}: {e}", path.display())).caused_by(e))
}

fn parse_entry(entry: &toml::Table, index: usize, default_zone: Tz) -> Result<Budget> {
    let name = match entry.get("name") {
        Some(toml::Value::String(s))
            if !s.trim().is_empty() && !s.chars().any(char::is_control) =>
        {
            s.trim().to_string()
        }
        Some(_) => {
            return Err(Error::input(format!(
                "budget #{}: name must be a non-empty string without control characters",
                index + 1
            )));
        }
        None => {
            return Err(Error::input(format!(
                "budget #{}: name is missing; give every [[budget]] a name = \"…\"",
                index + 1
            )));
        }
    };
    let fail = |what: String| Error::input(format!("budget {name:?}: {what}"));
    if let Some(key) = entry.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(fail(format!(
            "unknown key {key:?}; a budget takes {}",
            KEYS.join(", ")
        )));
    }
    let text = |key: &str| -> Result<Option<&str>> {
        match entry.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(fail(format!(
                "{key} must be a string, not {}",
                other.type_str()
            ))),
        }
    };
    let number = |key: &str| -> Result<Option<f64>> {
        match entry.get(key) {
            None => Ok(None),
            Some(toml::Value::Integer(n)) => Ok(Some(*n as f64)),
            Some(toml::Value::Float(f)) => Ok(Some(*f)),
            Some(other) => Err(fail(format!(
                "{key} must be a number, not {}",
                other.type_str()
            ))),
        }
    };
    let scope = match text("scope")? {
        None => {
            return Err(fail(
                "scope is missing; use platform, user, agent, model or provider".into(),
            ));
        }
        Some("platform") => BudgetScope::Platform,
        Some("user") => BudgetScope::User,
        Some("agent") => BudgetScope::Agent,
        Some("model") => BudgetScope::Model,
        Some("provider") => BudgetScope::Provider,
        Some(other) => {
            return Err(fail(format!(
                "scope {other:?} is not platform, user, agent, model or provider"
            )));
        }
    };
    let pattern = match (scope, text("match")?) {
        (BudgetScope::Platform, None) => None,
        (BudgetScope::Platform, Some(_)) => {
            return Err(fail(
                "a platform budget counts everything: remove match, or pick a scope".into(),
            ));
        }
        (_, None) => {
            return Err(fail(format!(
                "match is missing; name the {} (exact, or a glob with * and ?)",
                scope.name()
            )));
        }
        (_, Some(m)) if m.is_empty() || m.chars().any(char::is_control) => {
            return Err(fail(
                "match must be a non-empty name or glob without control characters".into(),
            ));
        }
        (_, Some(m)) => Some(Pattern::new(m)),
    };
    let period = match text("period")? {
        None => return Err(fail("period is missing; use day, week or month".into())),
        Some("day") => BudgetPeriod::Day,
        Some("week") => BudgetPeriod::Week,
        Some("month") => BudgetPeriod::Month,
        Some(other) => return Err(fail(format!("period {other:?} is not day, week or month"))),
    };
    let limit_usd = number("limit_usd")?
        .ok_or_else(|| fail("limit_usd is missing; give the limit in US dollars".into()))?;
    if !(limit_usd.is_finite() && limit_usd > 0.0 && limit_usd <= MAX_LIMIT_USD) {
        return Err(fail(format!(
            "limit_usd {limit_usd} must be a positive amount of US dollars"
        )));
    }
    let limit = Microdollars((limit_usd * 1e6).round() as i64);
    if limit.get() < 1 {
        return Err(fail(format!(
            "limit_usd {limit_usd} is under one microdollar ($0.000001); give a real limit"
        )));
    }
    let warn_at = number("warn_at")?.unwrap_or(DEFAULT_WARN_AT);
    if !(warn_at > 0.0 && warn_at <= 1.0) {
        return Err(fail(format!(
            "warn_at {warn_at} must be a fraction of the limit above 0 and at most 1 (0.8 = warn at 80 %)"
        )));
    }
    let zone = match text("timezone")? {
        None => default_zone,
        Some(t) => parse_zone(t).map_err(fail)?,
    };
    Ok(Budget {
        name,
        scope,
        pattern,
        period,
        zone,
        limit,
        warn_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Budget>> {
        #[derive(serde::Deserialize)]
        struct File {
            budget: Vec<toml::Table>,
        }
        let file: File = toml::from_str(text).unwrap();
        parse_budgets(&file.budget, Tz::UTC)
    }

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn a_full_entry_and_the_defaults() {
        let b = parse(
            r#"
[[budget]]
name = "research-agents"
scope = "agent"
match = "research-*"
period = "month"
limit_usd = 500
[[budget]]
name = "all"
scope = "platform"
period = "day"
limit_usd = 12.5
warn_at = 0.5
timezone = "Asia/Tokyo"
"#,
        )
        .unwrap();
        assert_eq!(b[0].scope, BudgetScope::Agent);
        assert_eq!(b[0].limit, Microdollars(500_000_000));
        assert_eq!(b[0].warn_at, 0.8);
        assert_eq!(b[0].warn_limit(), Microdollars(400_000_000));
        assert_eq!(b[0].zone, Tz::UTC);
        assert!(b[0].counts("research-x") && !b[0].counts("ops-x"));
        assert!(!b[0].counts(crate::query::NO_AGENT));
        assert_eq!(b[1].pattern, None);
        assert_eq!(b[1].limit, Microdollars(12_500_000));
        assert_eq!(b[1].zone, chrono_tz::Asia::Tokyo);
    }

    #[test]
    fn each_mistake_is_one_line_naming_the_entry() {
        let base = "[[budget]]\nname = \"research-agents\"\nscope = \"agent\"\nmatch = \"r*\"\nlimit_usd = 5\n";
        assert_eq!(
            err(&format!("{base}period = \"fortnight\"")),
            "budget \"research-agents\": period \"fortnight\" is not day, week or month"
        );
        let cases = [
            (
                "[[budget]]\nscope = \"platform\"",
                "budget #1: name is missing",
            ),
            (
                "[[budget]]\nname = \"x\"\nscope = \"team\"\nperiod = \"day\"\nlimit_usd = 1",
                "budget \"x\": scope \"team\" is not platform",
            ),
            (
                "[[budget]]\nname = \"x\"\nscope = \"platform\"\nmatch = \"a\"\nperiod = \"day\"\nlimit_usd = 1",
                "budget \"x\": a platform budget counts everything",
            ),
            (
                "[[budget]]\nname = \"x\"\nscope = \"user\"\nperiod = \"day\"\nlimit_usd = 1",
                "budget \"x\": match is missing",
            ),
            (
                "[[budget]]\nname = \"x\"\nscope = \"platform\"\nperiod = \"day\"\nlimit_usd = -3",
                "budget \"x\": limit_usd -3 must be a positive",
            ),
            (
                "[[budget]]\nname = \"x\"\nscope = \"platform\"\nperiod = \"day\"\nlimit_usd = 0.0000001",
                "budget \"x\": limit_usd 0.0000001 is under one microdollar",
            ),
            (
                "[[budget]]\nname = \"x\"\nscope = \"platform\"\nperiod = \"day\"\nlimit_usd = \"5\"",
                "budget \"x\": limit_usd must be a number, not string",
            ),
            (
                "[[budget]]\nname = \"x\"\nscope = \"platform\"\nperiod = \"day\"\nlimit_usd = 5\nwarn_at = 80",
                "budget \"x\": warn_at 80 must be a fraction",
            ),
            (
                "[[budget]]\nname = \"x\"\nscope = \"platform\"\nperiod = \"day\"\nlimit_usd = 5\nlimit = 5",
                "budget \"x\": unknown key \"limit\"",
            ),
            (
                "[[budget]]\nname = \"x\"\nscope = \"platform\"\nperiod = \"day\"\nlimit_usd = 5\ntimezone = \"CET+1\"",
                "budget \"x\": timezone \"CET+1\" is not an IANA",
            ),
            (
                "[[budget]]\nname = \"x\"\nscope = \"platform\"\nperiod = \"day\"\nlimit_usd = 5\n[[budget]]\nname = \"x\"\nscope = \"platform\"\nperiod = \"week\"\nlimit_usd = 5",
                "budget \"x\": the name is used twice",
            ),
        ];
        for (text, want) in cases {
            let got = err(text);
            assert!(got.starts_with(want), "{got:?} should start with {want:?}");
            assert!(!got.contains('\n'), "{got:?}");
        }
    }
}
