//! Log search and the per-level / per-module summary.

use super::*;

/// Log search. `pattern` is matched case-insensitively as a literal
/// substring of `message` (`%`, `_`, `\` are literal).
/// An empty pattern is no pattern. Window on `timestamp`; newest first,
/// ties by id descending.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogFilter {
    pub pattern: Option<String>,
    /// Exact level, case-insensitive (`error`, `WARN`), or a comma-separated
    /// set of levels (`ERROR,WARN`: the console's "warn and worse").
    pub level: Option<String>,
    /// Exact module.
    pub module: Option<String>,
    pub trace_id: Option<TraceId>,
    pub window: Option<TimeWindow>,
    pub limit: usize,
}

/// Count of logs at one level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelCount {
    pub level: String,
    pub count: i64,
}

/// Count of logs from one module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleCount {
    pub module: String,
    pub count: i64,
}

/// Logs in a window at a glance. `by_level` in severity order
/// (ERROR, WARN, INFO, DEBUG, TRACE, then others by name); `top_modules`
/// by count then name, at most 10.
/// Levels are upper-cased before grouping (`error` and `ERROR` are one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogSummary {
    pub total: i64,
    pub by_level: Vec<LevelCount>,
    pub top_modules: Vec<ModuleCount>,
    pub first_at: Option<Timestamp>,
    pub last_at: Option<Timestamp>,
}
