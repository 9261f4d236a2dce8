//! Shared SQL fragments: the select lists that decode into the model's
//! records, plus the small helpers every query file uses (open windows,
//! LIKE escaping, limits).
//!
//! A real deployment and our migrations store the same facts in different
//! types (`integer` or `bigint` counters, `text` or `jsonb` JSON, `text` or
//! `varchar` ids) and older deployments lack some columns. So each record's
//! select list is rendered once per connection from [`ColumnSet`] (which
//! columns this database has): every column is cast to the type its record
//! field decodes (`::bigint`, `::integer`, `::text`), so no compatible type
//! is ever a decode error, and an optional column the database lacks is
//! selected as a typed `NULL`.

use crate::model::Timestamp;
use crate::query::TimeWindow;
use chrono::{NaiveDate, TimeZone, Utc};
use std::collections::HashMap;

/// The SQL type a record field decodes, used as the cast.
#[derive(Debug, Clone, Copy)]
enum Sql {
    Text,
    /// Text that is never NULL in the record (`''` when the row holds NULL:
    /// a rejected AI request has no provider or model).
    TextOrEmpty,
    Int,
    BigInt,
    Bool,
    Time,
    TextArray,
}

impl Sql {
    fn name(self) -> &'static str {
        match self {
            Sql::Text | Sql::TextOrEmpty => "text",
            Sql::Int => "integer",
            Sql::BigInt => "bigint",
            Sql::Bool => "boolean",
            Sql::Time => "timestamptz",
            Sql::TextArray => "text[]",
        }
    }
}

/// One selected column: its name, the type it decodes to, and whether a
/// database may lack it (then it is selected as `NULL`).
struct Col {
    name: &'static str,
    sql: Sql,
    optional: bool,
}

const fn c(name: &'static str, sql: Sql) -> Col {
    Col {
        name,
        sql,
        optional: false,
    }
}

const fn opt(name: &'static str, sql: Sql) -> Col {
    Col {
        name,
        sql,
        optional: true,
    }
}

use Sql::*;

const USER: &[Col] = &[
    c("id", Text),
    c("name", Text),
    c("email", Text),
    c("status", Text),
    c("roles", TextArray),
    c("created_at", Time),
];

const SESSION: &[Col] = &[
    c("session_id", Text),
    c("user_id", Text),
    c("started_at", Time),
    c("last_activity_at", Time),
    c("ended_at", Time),
    c("client_id", Text),
    c("request_count", Int),
    c("ai_request_count", Int),
    c("total_tokens_used", BigInt),
    c("total_ai_cost_microdollars", BigInt),
    c("user_agent", Text),
    c("device_type", Text),
    c("browser", Text),
    c("os", Text),
    c("country", Text),
    c("referrer_source", Text),
    c("landing_page", Text),
    c("fingerprint_hash", Text),
    c("is_bot", Bool),
    c("is_scanner", Bool),
    c("is_behavioral_bot", Bool),
    c("session_source", Text),
    opt("is_ai_crawler", Bool),
];

const CONTEXT: &[Col] = &[
    c("context_id", Text),
    c("user_id", Text),
    c("session_id", Text),
    c("name", Text),
    c("created_at", Time),
    c("updated_at", Time),
];

const TASK: &[Col] = &[
    c("task_id", Text),
    c("context_id", Text),
    c("status", Text),
    c("user_id", Text),
    c("session_id", Text),
    c("trace_id", Text),
    c("agent_name", Text),
    c("started_at", Time),
    c("completed_at", Time),
    c("execution_time_ms", Int),
    c("error_message", Text),
    c("created_at", Time),
    c("updated_at", Time),
];

const STEP: &[Col] = &[
    c("step_id", Text),
    c("task_id", Text),
    c("step_type", Text),
    c("title", Text),
    c("status", Text),
    c("content", Text),
    c("started_at", Time),
    c("completed_at", Time),
    c("duration_ms", Int),
    c("error_message", Text),
];

const AI_REQUEST: &[Col] = &[
    c("id", Text),
    c("request_id", Text),
    c("user_id", Text),
    c("session_id", Text),
    c("task_id", Text),
    c("context_id", Text),
    c("trace_id", Text),
    c("mcp_execution_id", Text),
    c("provider", TextOrEmpty),
    c("model", TextOrEmpty),
    c("tokens_used", Int),
    c("input_tokens", Int),
    c("output_tokens", Int),
    c("cost_microdollars", BigInt),
    c("latency_ms", Int),
    c("cache_hit", Bool),
    c("status", Text),
    c("error_message", Text),
    c("created_at", Time),
    c("updated_at", Time),
    c("completed_at", Time),
    opt("requested_model", Text),
    opt("cache_read_tokens", Int),
    opt("cache_creation_tokens", Int),
    opt("is_streaming", Bool),
    opt("actor_kind", Text),
    opt("actor_id", Text),
    opt("synthetic", Bool),
    opt("gateway_conversation_id", Text),
    opt("provider_request_id", Text),
];

const MESSAGE: &[Col] = &[
    c("request_id", Text),
    c("role", Text),
    c("content", Text),
    c("sequence_number", Int),
    c("name", Text),
    c("tool_call_id", Text),
];

const TOOL_CALL: &[Col] = &[
    c("request_id", Text),
    c("tool_name", Text),
    c("tool_input", Text),
    c("mcp_execution_id", Text),
    c("ai_tool_call_id", Text),
    c("sequence_number", Int),
];

const MCP: &[Col] = &[
    c("mcp_execution_id", Text),
    c("tool_name", Text),
    c("server_name", Text),
    c("started_at", Time),
    c("completed_at", Time),
    c("execution_time_ms", Int),
    c("input", Text),
    c("output", Text),
    c("status", Text),
    c("error_message", Text),
    c("user_id", Text),
    c("session_id", Text),
    c("context_id", Text),
    c("task_id", Text),
    c("trace_id", Text),
    c("created_at", Time),
];

const LOG: &[Col] = &[
    c("id", Text),
    c("timestamp", Time),
    c("level", Text),
    c("module", Text),
    c("message", Text),
    c("metadata", Text),
    c("user_id", Text),
    c("session_id", Text),
    c("task_id", Text),
    c("trace_id", Text),
    c("context_id", Text),
    c("client_id", Text),
    opt("gateway_conversation_id", Text),
    opt("provider_request_id", Text),
];

/// Optional columns tracetop reads when a database has them, per table.
/// Older deployments lack some; our migrations add them all.
pub const OPTIONAL_COLUMNS: &[(&str, &str)] = &[
    ("ai_requests", "requested_model"),
    ("ai_requests", "cache_read_tokens"),
    ("ai_requests", "cache_creation_tokens"),
    ("ai_requests", "is_streaming"),
    ("ai_requests", "actor_kind"),
    ("ai_requests", "actor_id"),
    ("ai_requests", "synthetic"),
    ("ai_requests", "gateway_conversation_id"),
    ("ai_requests", "provider_request_id"),
    ("user_sessions", "is_ai_crawler"),
    ("logs", "gateway_conversation_id"),
    ("logs", "provider_request_id"),
];

/// Columns whose type the engine reads at connect (JSON kept as `text` or
/// `jsonb`), besides [`OPTIONAL_COLUMNS`].
pub const TYPED_COLUMNS: &[(&str, &str)] = &[("logs", "metadata")];

/// The statement of [`ColumnSet::probe`]: one row per table (is it there?)
/// and per optional or typed column of it (its name and type, or NULLs).
fn probe_sql(tables: &[&str]) -> String {
    fn literal(name: &str) -> String {
        debug_assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        format!("'{}'", name.replace('\'', "''"))
    }
    let mut pairs: Vec<String> = tables
        .iter()
        .map(|t| format!("({}, NULL::text)", literal(t)))
        .collect();
    for (t, c) in OPTIONAL_COLUMNS.iter().chain(TYPED_COLUMNS) {
        pairs.push(format!("({}, {})", literal(t), literal(c)));
    }
    format!(
        "SELECT p.tbl, to_regclass(p.tbl) IS NULL, a.attname::text, format_type(a.atttypid, a.atttypmod)
         FROM (VALUES {}) AS p(tbl, col)
         LEFT JOIN pg_attribute a ON a.attrelid = to_regclass(p.tbl) AND a.attname = p.col
              AND a.attnum > 0 AND NOT a.attisdropped",
        pairs.join(", ")
    )
}

/// Which `(table, column)` pairs a database has, and their types, detected
/// once at connect: every column of the tables ([`ColumnSet::detect`], the
/// simulator's writers) or the ones the query engine asks about
/// ([`ColumnSet::probe`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnSet {
    present: HashMap<(String, String), String>,
}

impl ColumnSet {
    /// A set from explicit pairs (tests, or a known shape).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> ColumnSet {
        ColumnSet {
            present: pairs
                .into_iter()
                .map(|(t, c)| ((t.to_string(), c.to_string()), "text".to_string()))
                .collect(),
        }
    }

    /// Every column of the tables tracetop reads, as this session sees them
    /// (the same `search_path` its queries use).
    pub async fn detect<'c>(
        executor: impl sqlx::PgExecutor<'c>,
        tables: &[&str],
    ) -> Result<ColumnSet, sqlx::Error> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT t, a.attname::text, format_type(a.atttypid, a.atttypmod)
             FROM unnest($1::text[]) AS t
             JOIN pg_attribute a ON a.attrelid = to_regclass(t)
             WHERE a.attnum > 0 AND NOT a.attisdropped",
        )
        .bind(tables)
        .fetch_all(executor)
        .await?;
        Ok(ColumnSet {
            present: rows.into_iter().map(|(t, c, ty)| ((t, c), ty)).collect(),
        })
    }

    /// What the query engine needs to know, in one statement over the
    /// simple protocol (one round trip; its text is built from the names
    /// above, never from input): which of `tables` this session cannot see
    /// (sorted), and which [`OPTIONAL_COLUMNS`] and [`TYPED_COLUMNS`] exist,
    /// with their types. Cheaper on a fresh backend than [`Self::detect`]:
    /// index lookups of a few columns instead of every column of every
    /// table.
    pub async fn probe(
        conn: &mut sqlx::PgConnection,
        tables: &[&str],
    ) -> Result<(ColumnSet, Vec<String>), sqlx::Error> {
        use sqlx::Row;
        let rows = sqlx::raw_sql(sqlx::AssertSqlSafe(probe_sql(tables)))
            .fetch_all(conn)
            .await?;
        let mut present = HashMap::new();
        let mut missing = Vec::new();
        for row in rows {
            let table: String = row.try_get(0)?;
            let absent: bool = row.try_get(1)?;
            let column: Option<String> = row.try_get(2)?;
            let ty: Option<String> = row.try_get(3)?;
            if absent {
                missing.push(table);
            } else if let (Some(column), Some(ty)) = (column, ty) {
                present.insert((table, column), ty);
            }
        }
        missing.sort();
        missing.dedup();
        Ok((ColumnSet { present }, missing))
    }

    /// Whether `table.column` exists.
    pub fn has(&self, table: &str, column: &str) -> bool {
        self.type_of(table, column).is_some()
    }

    /// The SQL type of `table.column` (`format_type`), when it exists.
    pub fn type_of(&self, table: &str, column: &str) -> Option<&str> {
        self.present
            .get(&(table.to_string(), column.to_string()))
            .map(String::as_str)
    }

    /// Whether `table.column` holds JSON as text rather than `jsonb` (a
    /// real deployment's `logs.metadata`).
    pub fn json_as_text(&self, table: &str, column: &str) -> bool {
        self.type_of(table, column).is_some_and(|t| t != "jsonb")
    }

    /// The optional columns this database has, as `table.column`.
    pub fn optional_present(&self) -> Vec<String> {
        OPTIONAL_COLUMNS
            .iter()
            .filter(|(t, c)| self.has(t, c))
            .map(|(t, c)| format!("{t}.{c}"))
            .collect()
    }
}

/// The select list of every record, rendered for one database. Each list
/// uses a fixed table alias (given per field) and names every column as the
/// record field it fills.
#[derive(Debug, Clone)]
pub struct Selects {
    /// `users u` → [`crate::model::UserRecord`].
    pub user: String,
    /// `user_sessions us` → [`crate::model::SessionRecord`].
    pub session: String,
    /// `user_contexts uc` → [`crate::model::ContextRecord`].
    pub context: String,
    /// `agent_tasks t` → [`crate::model::AgentTaskRecord`].
    pub task: String,
    /// `task_execution_steps s` → [`crate::model::StepRecord`].
    pub step: String,
    /// `ai_requests r` → [`crate::model::AiRequestRecord`].
    pub ai_request: String,
    /// `ai_request_messages msg` → [`crate::model::MessageRecord`].
    pub message: String,
    /// `ai_request_tool_calls tc` → [`crate::model::ToolCallRecord`].
    pub tool_call: String,
    /// `mcp_tool_executions m` → [`crate::model::McpExecutionRecord`].
    pub mcp: String,
    /// `logs l` → [`crate::model::LogRecord`].
    pub log: String,
}

impl Selects {
    /// Render every list for a database with these columns.
    pub fn new(columns: &ColumnSet) -> Selects {
        let r = |table: &str, alias: &str, cols: &[Col]| render(table, alias, cols, columns);
        Selects {
            user: r("users", "u", USER),
            session: r("user_sessions", "us", SESSION),
            context: r("user_contexts", "uc", CONTEXT),
            task: r("agent_tasks", "t", TASK),
            step: r("task_execution_steps", "s", STEP),
            ai_request: r("ai_requests", "r", AI_REQUEST),
            message: r("ai_request_messages", "msg", MESSAGE),
            tool_call: r("ai_request_tool_calls", "tc", TOOL_CALL),
            mcp: r("mcp_tool_executions", "m", MCP),
            log: r("logs", "l", LOG),
        }
    }
}

fn render(table: &str, alias: &str, cols: &[Col], columns: &ColumnSet) -> String {
    let mut out = String::new();
    for col in cols {
        if !out.is_empty() {
            out.push_str(", ");
        }
        let ty = col.sql.name();
        let name = col.name;
        if col.optional && !columns.has(table, name) {
            out.push_str(&format!("NULL::{ty} AS {name}"));
        } else if matches!(col.sql, Sql::TextOrEmpty) {
            out.push_str(&format!("coalesce({alias}.{name}::text, '') AS {name}"));
        } else {
            out.push_str(&format!("{alias}.{name}::{ty} AS {name}"));
        }
    }
    out
}

/// Bounds used when a filter has no window: wide enough for any real row,
/// inside Postgres' timestamptz range, so every query keeps the same
/// index-friendly `col >= $a AND col < $b` shape.
pub(crate) fn bounds(window: Option<&TimeWindow>) -> (Timestamp, Timestamp) {
    match window {
        Some(w) => (w.start, w.end),
        None => {
            let start = NaiveDate::from_ymd_opt(1, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| Utc.from_utc_datetime(&d))
                .unwrap_or(chrono::DateTime::UNIX_EPOCH);
            let end = NaiveDate::from_ymd_opt(9999, 12, 31)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| Utc.from_utc_datetime(&d))
                .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC);
            (start, end)
        }
    }
}

/// A LIMIT parameter: `0` means no limit (bound as NULL).
pub(crate) fn limit(n: usize) -> Option<i64> {
    if n == 0 {
        None
    } else {
        Some(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

/// Escape `\`, `%` and `_` so user text matches literally in LIKE/ILIKE
/// (with the default escape character, backslash).
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Postgres text cannot hold NUL: refuse it up front with a clear line
/// instead of a driver error ("invalid byte sequence").
pub(crate) fn reject_nul(what: &str, text: &str) -> crate::error::Result<()> {
    if text.contains('\0') {
        return Err(crate::error::Error::input(format!(
            "{what} contains a NUL character: ids and search text cannot hold one"
        )));
    }
    Ok(())
}

/// Render JSON held in a text column as a `jsonb` column renders it, so a
/// value reads the same on every shape (text that is not JSON stays as it
/// is).
pub(crate) fn json_like_jsonb(text: &mut Option<String>) {
    if let Some(t) = text
        && let Some(n) = crate::live::jsonb_text(t)
    {
        *t = n;
    }
}

/// Truncate a Rust-side list to a `limit` (0 = no limit).
pub(crate) fn truncate<T>(mut rows: Vec<T>, n: usize) -> Vec<T> {
    if n != 0 {
        rows.truncate(n);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_metacharacters() {
        assert_eq!(escape_like("ab_"), "ab\\_");
        assert_eq!(escape_like("50%"), "50\\%");
        assert_eq!(escape_like("a\\b"), "a\\\\b");
        assert_eq!(escape_like("plain"), "plain");
    }

    #[test]
    fn select_lists_cast_and_fill_missing_optional_columns() {
        let without = Selects::new(&ColumnSet::default());
        assert!(
            without
                .session
                .contains("us.total_tokens_used::bigint AS total_tokens_used")
        );
        assert!(without.session.contains("NULL::boolean AS is_ai_crawler"));
        assert!(
            without
                .ai_request
                .contains("NULL::integer AS cache_read_tokens")
        );
        assert!(
            without
                .ai_request
                .contains("coalesce(r.model::text, '') AS model")
        );
        assert!(without.log.contains("l.metadata::text AS metadata"));
        let with = Selects::new(&ColumnSet::from_pairs([
            ("ai_requests", "cache_read_tokens"),
            ("user_sessions", "is_ai_crawler"),
        ]));
        assert!(
            with.ai_request
                .contains("r.cache_read_tokens::integer AS cache_read_tokens")
        );
        assert!(
            with.session
                .contains("us.is_ai_crawler::boolean AS is_ai_crawler")
        );
        assert!(with.ai_request.contains("NULL::text AS requested_model"));
    }

    #[test]
    fn the_probe_asks_for_every_table_and_optional_column() {
        let sql = probe_sql(&["users", "logs"]);
        assert!(sql.contains("('users', NULL::text)"));
        assert!(sql.contains("('logs', 'metadata')"));
        for (t, c) in OPTIONAL_COLUMNS {
            assert!(sql.contains(&format!("('{t}', '{c}')")), "{t}.{c}");
        }
    }

    #[test]
    fn zero_limit_is_unbounded() {
        assert_eq!(limit(0), None);
        assert_eq!(limit(5), Some(5));
    }
}
