//! The feed's `/` filter: its terms parsed once, and whether a row matches.

use super::*;

/// A parsed `/` filter: free text plus `level:`, `user:`, `model:`, `tool:`,
/// `kind:` and `trace:` terms. Terms are ANDed; matching is case-insensitive
/// substring, except `level:` (exact; `level:error` also matches failed
/// requests and executions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedFilter {
    pub raw: String,
    pub text: Vec<String>,
    pub level: Option<String>,
    pub user: Option<String>,
    pub model: Option<String>,
    pub tool: Option<String>,
    pub kind: Option<String>,
    pub trace: Option<String>,
    pub agent: Option<String>,
    /// `key:` prefixes that are not filter keys (matched as text, and said).
    pub unknown_keys: Vec<String>,
}

/// The `key:` terms the feed filter knows.
pub const FILTER_KEYS: [&str; 7] = ["level", "user", "agent", "model", "tool", "kind", "trace"];

impl FeedFilter {
    /// Parse filter text. Unknown `key:` prefixes are treated as text and
    /// listed in `unknown_keys`, so the console can say so.
    pub fn parse(raw: &str) -> FeedFilter {
        let mut filter = FeedFilter {
            raw: raw.trim().to_string(),
            ..FeedFilter::default()
        };
        for word in raw.split_whitespace() {
            let lower = word.to_lowercase();
            let slot = match lower.split_once(':') {
                Some(("level", v)) => Some((&mut filter.level, v)),
                Some(("user", v)) => Some((&mut filter.user, v)),
                Some(("model", v)) => Some((&mut filter.model, v)),
                Some(("tool", v)) => Some((&mut filter.tool, v)),
                Some(("kind", v)) => Some((&mut filter.kind, v)),
                Some(("trace", v)) => Some((&mut filter.trace, v)),
                Some(("agent", v)) => Some((&mut filter.agent, v)),
                Some((key, _))
                    if !key.is_empty()
                        && key.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
                        && !["http", "https"].contains(&key) =>
                {
                    filter.unknown_keys.push(format!("{key}:"));
                    None
                }
                _ => None,
            };
            match slot {
                Some((slot, value)) if !value.is_empty() => *slot = Some(value.to_string()),
                _ => filter.text.push(lower),
            }
        }
        filter
    }

    /// True when the filter selects everything.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
            && self.level.is_none()
            && self.user.is_none()
            && self.model.is_none()
            && self.tool.is_none()
            && self.kind.is_none()
            && self.trace.is_none()
            && self.agent.is_none()
    }

    /// Whether `row` passes the filter; `user:` matches the row's user id
    /// or, through `users`, its name.
    pub fn matches(&self, row: &FeedRow, users: &UserDirectory) -> bool {
        fn has(hay: &str, needle: &str) -> bool {
            hay.to_lowercase().contains(needle)
        }
        if let Some(level) = &self.level {
            let row_level = match (&row.level, row.severity) {
                (Some(l), _) => l.to_lowercase(),
                (None, RowSeverity::Error) => "error".to_string(),
                (None, RowSeverity::Warning | RowSeverity::Anomaly) => "warn".to_string(),
                (None, _) => "info".to_string(),
            };
            if &row_level != level {
                return false;
            }
        }
        if let Some(user) = &self.user
            && !users.matches(&row.user, user)
        {
            return false;
        }
        if let Some(model) = &self.model
            && !(row.kind.starts_with("ai") && has(&row.subject, model))
        {
            return false;
        }
        if let Some(tool) = &self.tool
            && !(row.kind == "mcp" && has(&row.subject, tool))
        {
            return false;
        }
        if let Some(kind) = &self.kind
            && !has(row.kind, kind)
        {
            return false;
        }
        if let Some(agent) = &self.agent
            && !has(&row.agent, agent)
        {
            return false;
        }
        if let Some(trace) = &self.trace
            && !row
                .trace_id
                .as_ref()
                .is_some_and(|t| has(t.as_str(), trace))
        {
            return false;
        }
        self.text.iter().all(|word| {
            [
                row.kind,
                &row.user,
                &row.agent,
                &row.subject,
                &row.status,
                &row.id,
            ]
            .iter()
            .any(|field| has(field, word))
                || row.trace_id.as_ref().is_some_and(|t| has(t.as_str(), word))
        })
    }
}
