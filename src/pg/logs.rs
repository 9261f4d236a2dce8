//! Row searches: log lines (literal case-insensitive substring, level,
//! module, trace, window), the log summary, MCP tool executions and AI
//! requests by exact filters. All newest first with a deterministic
//! tie-break on the row id.

use super::PgEngine;
use super::columns::{bounds, escape_like, limit};
use crate::error::Result;
use crate::model::*;
use crate::query::{
    AiRequestFilter, LevelCount, LogFilter, LogSummary, ModuleCount, ToolExecutionFilter,
};

/// Most modules listed by the log summary.
pub const TOP_MODULES: usize = 10;

/// The conditions of a log filter on `logs l`, over binds $1..$6 (see
/// [`LogBinds`]); search and summary share them.
const LOG_MATCHES: &str = "l.timestamp >= $1 AND l.timestamp < $2
            AND ($3::text IS NULL OR l.message ILIKE $3 ESCAPE '\\')
            AND ($4::text IS NULL OR upper(l.level) = ANY (string_to_array(upper($4), ',')))
            AND ($5::text IS NULL OR l.module = $5)
            AND ($6::text IS NULL OR l.trace_id = $6)";

/// The values bound to [`LOG_MATCHES`]' $1..$6, checked.
struct LogBinds<'a> {
    start: Timestamp,
    end: Timestamp,
    pattern: Option<String>,
    level: Option<&'a str>,
    module: Option<&'a str>,
    trace_id: Option<&'a str>,
}

impl<'a> LogBinds<'a> {
    fn of(filter: &'a LogFilter) -> Result<Self> {
        for (what, value) in [
            ("log search pattern", filter.pattern.as_deref()),
            ("log level", filter.level.as_deref()),
            ("log module", filter.module.as_deref()),
            ("trace id", filter.trace_id.as_ref().map(|t| t.as_str())),
        ] {
            super::columns::reject_nul(what, value.unwrap_or_default())?;
        }
        let (start, end) = bounds(filter.window.as_ref());
        Ok(LogBinds {
            start,
            end,
            pattern: filter
                .pattern
                .as_deref()
                .filter(|p| !p.is_empty())
                .map(|p| format!("%{}%", escape_like(p))),
            level: filter.level.as_deref(),
            module: filter.module.as_deref(),
            trace_id: filter.trace_id.as_ref().map(|t| t.as_str()),
        })
    }

    fn bind<'q, O>(
        &self,
        query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>
    where
        'a: 'q,
    {
        query
            .bind(self.start)
            .bind(self.end)
            .bind(self.pattern.clone())
            .bind(self.level)
            .bind(self.module)
            .bind(self.trace_id)
    }
}

pub(crate) async fn log_search(engine: &PgEngine, filter: &LogFilter) -> Result<Vec<LogRecord>> {
    let binds = LogBinds::of(filter)?;
    binds
        .bind(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM logs l WHERE {LOG_MATCHES}
              ORDER BY l.timestamp DESC, l.id DESC
              LIMIT $7",
            engine.selects.log
        ))))
        .bind(limit(filter.limit))
        .fetch_all(engine.pool())
        .await
        .map_err(|e| engine.err(e))
        .map(|logs| engine.logs_as_jsonb(logs))
}

/// Severity rank of a log level for the summary (unknown levels last).
fn severity(level: &str) -> u8 {
    match level.to_ascii_uppercase().as_str() {
        "ERROR" => 0,
        "WARN" => 1,
        "INFO" => 2,
        "DEBUG" => 3,
        "TRACE" => 4,
        _ => 5,
    }
}

pub(crate) async fn log_summary(engine: &PgEngine, filter: &LogFilter) -> Result<LogSummary> {
    let pool = engine.pool();
    let binds = LogBinds::of(filter)?;
    let levels = binds
        .bind(sqlx::query_as::<
            _,
            (String, i64, Option<Timestamp>, Option<Timestamp>),
        >(sqlx::AssertSqlSafe(format!(
            "SELECT upper(l.level), count(*), min(l.timestamp), max(l.timestamp) FROM logs l
                 WHERE {LOG_MATCHES} GROUP BY 1"
        ))))
        .fetch_all(pool);
    let modules = binds
        .bind(sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(
            format!(
                "SELECT l.module, count(*) AS n FROM logs l WHERE {LOG_MATCHES}
             GROUP BY l.module ORDER BY n DESC, l.module COLLATE \"C\" LIMIT $7"
            ),
        )))
        .bind(TOP_MODULES as i64)
        .fetch_all(pool);
    let (levels, modules) = tokio::try_join!(levels, modules).map_err(|e| engine.err(e))?;

    let total = levels.iter().map(|l| l.1).sum();
    let first_at = levels.iter().filter_map(|l| l.2).min();
    let last_at = levels.iter().filter_map(|l| l.3).max();
    let mut by_level: Vec<LevelCount> = levels
        .into_iter()
        .map(|(level, count, _, _)| LevelCount { level, count })
        .collect();
    by_level.sort_by(|a, b| {
        severity(&a.level)
            .cmp(&severity(&b.level))
            .then_with(|| a.level.cmp(&b.level))
    });
    Ok(LogSummary {
        total,
        by_level,
        top_modules: modules
            .into_iter()
            .map(|(module, count)| ModuleCount { module, count })
            .collect(),
        first_at,
        last_at,
    })
}

pub(crate) async fn tool_executions(
    engine: &PgEngine,
    filter: &ToolExecutionFilter,
) -> Result<Vec<McpExecutionRecord>> {
    let (start, end) = bounds(filter.window.as_ref());
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM mcp_tool_executions m
          WHERE m.started_at >= $1 AND m.started_at < $2
            AND ($3::text IS NULL OR m.tool_name = $3)
            AND ($4::text IS NULL OR m.server_name = $4)
            AND ($5::text IS NULL OR m.status = $5)
          ORDER BY m.started_at DESC, m.mcp_execution_id COLLATE \"C\" DESC
          LIMIT $6",
        engine.selects.mcp
    )))
    .bind(start)
    .bind(end)
    .bind(filter.tool_name.as_deref())
    .bind(filter.server_name.as_deref())
    .bind(filter.status.as_deref())
    .bind(limit(filter.limit))
    .fetch_all(engine.pool())
    .await
    .map_err(|e| engine.err(e))
}

pub(crate) async fn ai_requests(
    engine: &PgEngine,
    filter: &AiRequestFilter,
) -> Result<Vec<AiRequestRecord>> {
    let (start, end) = bounds(filter.window.as_ref());
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM ai_requests r
          WHERE r.created_at >= $1 AND r.created_at < $2
            AND ($3::text IS NULL OR r.model = $3)
            AND ($4::text IS NULL OR r.provider = $4)
            AND ($5::text IS NULL OR r.status = $5)
            AND ($6::text IS NULL OR r.user_id = $6)
          ORDER BY r.created_at DESC, r.id COLLATE \"C\" DESC
          LIMIT $7",
        engine.selects.ai_request
    )))
    .bind(start)
    .bind(end)
    .bind(filter.model.as_deref())
    .bind(filter.provider.as_deref())
    .bind(filter.status.as_deref())
    .bind(filter.user_id.as_ref().map(|u| u.as_str()))
    .bind(limit(filter.limit))
    .fetch_all(engine.pool())
    .await
    .map_err(|e| engine.err(e))
}
