//! The query API's wire format, shared by `serve` and [`super::remote::RemoteEngine`].
//!
//! One request type, [`QueryCall`], names a [`QueryEngine`] method and
//! carries its arguments (`{"method": "cost_summary", "window": {…}}`); the
//! answer is the method's result type as JSON. [`execute`] runs a call on
//! any engine and enforces a token's [`Scope`]: a user-scoped token may list
//! its own traces and requests, open a trace or audit record that is wholly
//! its user's (every row with a user column is that user's; a NULL user is
//! nobody's), and nothing else (aggregates span every user, so they need an
//! all-users token). A trace or id that is another user's is answered
//! exactly like one that does not exist (404, same words).

use super::tokens::Scope;
use crate::error::{Error, Result};
use crate::model::*;
use crate::query::*;
use serde::{Deserialize, Serialize};

/// One [`QueryEngine`] call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum QueryCall {
    Overview {
        now: Timestamp,
        #[serde(default)]
        counting: Counting,
    },
    ActivityTrend {
        window: TimeWindow,
        bucket: Bucket,
    },
    CostSummary {
        window: TimeWindow,
        #[serde(default)]
        counting: Counting,
    },
    CostBreakdown {
        window: TimeWindow,
        by: CostDimension,
        #[serde(default)]
        counting: Counting,
    },
    CostTrend {
        window: TimeWindow,
        bucket: Bucket,
        #[serde(default)]
        counting: Counting,
    },
    CostOverview {
        now: Timestamp,
    },
    TopUsers {
        window: TimeWindow,
        limit: usize,
    },
    TopAgents {
        window: TimeWindow,
        limit: usize,
    },
    TopTools {
        window: TimeWindow,
        limit: usize,
    },
    Tools {
        window: TimeWindow,
        sort: ToolSort,
        limit: usize,
    },
    Traces {
        filter: TraceListFilter,
    },
    TraceDetail {
        trace_id: TraceId,
    },
    AuditLookup {
        prefix: String,
    },
    LogSearch {
        filter: LogFilter,
    },
    LogSummary {
        window: TimeWindow,
    },
    LogSummaryFiltered {
        filter: LogFilter,
    },
    ToolExecutions {
        filter: ToolExecutionFilter,
    },
    AiRequests {
        filter: AiRequestFilter,
    },
    RequestStats {
        window: TimeWindow,
    },
    SessionStats {
        window: TimeWindow,
        #[serde(default)]
        counting: Counting,
    },
    Traffic {
        window: TimeWindow,
        limit: usize,
        #[serde(default)]
        counting: Counting,
    },
    Content {
        window: TimeWindow,
        limit: usize,
        #[serde(default)]
        counting: Counting,
    },
    /// The user directory; with `id`, that one user (zero or one row).
    Users {
        limit: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<UserId>,
    },
    Conversations {
        window: TimeWindow,
        limit: usize,
    },
    /// Append an audit verdict (all-users tokens only; answered by the
    /// server's review store, not the query engine).
    RecordReview {
        review: NewReview,
    },
    /// Read audit verdicts (all-users tokens only).
    Reviews {
        filter: ReviewFilter,
    },
}

impl QueryCall {
    /// The method name.
    pub fn method(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("method").and_then(|m| m.as_str()).map(str::to_string))
            .unwrap_or_default()
    }
}

/// A cost breakdown row on the wire: the dimension and key as plain fields
/// (the CLI's JSON puts the key under the dimension's name instead), so it
/// deserializes straight into [`CostBreakdownRow`].
#[derive(Serialize)]
struct CostBreakdownWire<'a> {
    dimension: CostDimension,
    key: &'a str,
    request_count: i64,
    input_tokens: i64,
    output_tokens: i64,
    total_tokens: i64,
    total_cost_microdollars: Microdollars,
    cost_share: f64,
    cache_read_tokens: i64,
    cache_creation_tokens: i64,
    cached_input_share: f64,
}

/// An error on the wire: `{"error": "...", "kind": "not_found"}`.
#[derive(Debug, Serialize, Deserialize)]
pub struct WireError {
    pub error: String,
    pub kind: String,
}

impl WireError {
    /// From an operator error.
    pub fn from_error(e: &Error) -> (u16, WireError) {
        let (status, kind) = match e {
            Error::Input(_) => (400, "input"),
            Error::NotFound(_) => (404, "not_found"),
            Error::Auth(_) => (403, "forbidden"),
            Error::Schema(_) => (500, "schema"),
            Error::Database(_) => (502, "database"),
            Error::Remote(_) => (502, "remote"),
            Error::Io(_) | Error::Other(_) => (500, "other"),
        };
        (
            status,
            WireError {
                error: e.to_string(),
                kind: kind.to_string(),
            },
        )
    }

    /// Back into an operator error (client side).
    pub fn into_error(self) -> Error {
        match self.kind.as_str() {
            "input" => Error::input(self.error),
            "not_found" => Error::not_found(self.error),
            "forbidden" | "unauthorized" => Error::auth(self.error),
            "schema" => Error::schema(self.error),
            "database" => Error::database(self.error),
            _ => Error::remote(self.error),
        }
    }
}

fn json<T: Serialize>(value: &T) -> Result<serde_json::Value> {
    Ok(serde_json::to_value(value)?)
}

fn forbidden(user: &str, what: &str) -> Error {
    Error::auth(format!(
        "this token is scoped to user {user}: {what}; use an all-users token"
    ))
}

/// What a user-scoped token is told about a trace that is missing *or* not
/// its user's: the same words either way, so ids cannot be enumerated.
fn no_trace(id: &TraceId) -> Error {
    Error::not_found(format!(
        "no trace '{}': check the id, or search with `tracetop traces`",
        crate::sanitize::clean(id.as_str())
    ))
}

/// The same for an audit prefix.
fn no_audit_match(prefix: &str) -> Error {
    Error::not_found(format!(
        "no request, task or trace id starts with '{}': check the id, or list recent traces with `tracetop traces`",
        crate::sanitize::clean(prefix.trim())
    ))
}

/// Whether a row's user column is `user` (NULL is nobody's).
fn is_users(owner: Option<&UserId>, user: &str) -> bool {
    owner.is_some_and(|o| o.as_str() == user)
}

/// Whether a whole trace is `user`'s: every row with a user column is
/// theirs (a NULL user is nobody's), its task (if any) is theirs, its
/// execution steps come with a task of theirs, and it has at least one row.
fn trace_owned_by(detail: &TraceDetail, user: &str) -> bool {
    let task_ok = detail
        .task
        .as_ref()
        .is_none_or(|t| is_users(t.user_id.as_ref(), user));
    let rows_ok = detail.events.iter().all(|e| match e {
        TraceEvent::Log(l) => is_users(l.user_id.as_ref(), user),
        TraceEvent::AiRequest(r) => r.user_id.as_str() == user,
        TraceEvent::McpExecution(m) => is_users(m.user_id.as_ref(), user),
        TraceEvent::Step(_) => detail.task.is_some(),
    });
    task_ok && rows_ok && (!detail.events.is_empty() || detail.task.is_some())
}

/// Whether an audit record is wholly `user`'s (same rule as a trace).
fn audit_owned_by(record: &AuditRecord, user: &str) -> bool {
    let task_ok = record
        .task
        .as_ref()
        .is_none_or(|t| is_users(t.user_id.as_ref(), user));
    let requests_ok = record.requests.iter().all(|r| {
        r.request.user_id.as_str() == user
            && r.mcp_executions
                .iter()
                .all(|m| is_users(m.user_id.as_ref(), user))
    });
    task_ok && requests_ok && (record.task.is_some() || !record.requests.is_empty())
}

/// Resolve `prefix` for a user-scoped token: only ids whose record is
/// wholly the user's count, so another user's id is as absent as a missing
/// one (and an ambiguous prefix lists only the user's candidates).
async fn scoped_audit_lookup(
    engine: &dyn QueryEngine,
    prefix: &str,
    user: &str,
) -> Result<AuditResolution> {
    let found = match engine.audit_lookup(prefix).await {
        Ok(found) => found,
        Err(Error::NotFound(_)) => return Err(no_audit_match(prefix)),
        Err(e) => return Err(e),
    };
    match found {
        AuditResolution::Found(record) if audit_owned_by(&record, user) => {
            Ok(AuditResolution::Found(record))
        }
        AuditResolution::Found(_) => Err(no_audit_match(prefix)),
        AuditResolution::Ambiguous { prefix, candidates } => {
            let mut mine = Vec::new();
            for candidate in candidates {
                if let Ok(AuditResolution::Found(record)) = engine.audit_lookup(&candidate.id).await
                    && record.matched_kind == candidate.kind
                    && audit_owned_by(&record, user)
                {
                    mine.push((candidate, record));
                }
            }
            match mine.len() {
                0 => Err(no_audit_match(&prefix)),
                1 => Ok(AuditResolution::Found(mine.remove(0).1)),
                _ => Ok(AuditResolution::Ambiguous {
                    prefix,
                    candidates: mine.into_iter().map(|(c, _)| c).collect(),
                }),
            }
        }
    }
}

/// Bound the rows one call may return: a `limit` of 0 ("as many as
/// there are") becomes `max_rows`; a larger limit is refused with the cap
/// named, so no call can read a whole table.
pub fn cap_rows(call: &mut QueryCall, max_rows: usize) -> Result<()> {
    let max_rows = max_rows.max(1);
    let limit = match call {
        QueryCall::TopUsers { limit, .. }
        | QueryCall::TopAgents { limit, .. }
        | QueryCall::TopTools { limit, .. }
        | QueryCall::Tools { limit, .. }
        | QueryCall::Traffic { limit, .. }
        | QueryCall::Content { limit, .. }
        | QueryCall::Conversations { limit, .. }
        | QueryCall::Users { limit, .. } => limit,
        QueryCall::Traces { filter } => &mut filter.limit,
        QueryCall::LogSearch { filter } => &mut filter.limit,
        QueryCall::ToolExecutions { filter } => &mut filter.limit,
        QueryCall::AiRequests { filter } => &mut filter.limit,
        QueryCall::Reviews { filter } => &mut filter.limit,
        _ => return Ok(()),
    };
    if *limit == 0 {
        *limit = max_rows;
    } else if *limit > max_rows {
        return Err(Error::input(format!(
            "limit {} is over this server's cap of {max_rows} rows per query (serve --max-rows); ask for fewer rows or a narrower window",
            *limit
        )));
    }
    Ok(())
}

/// Run one call on `engine` within `scope`.
pub async fn execute(
    engine: &dyn QueryEngine,
    call: QueryCall,
    scope: &Scope,
) -> Result<serde_json::Value> {
    let user = match scope {
        Scope::AllUsers => None,
        Scope::User(u) => Some(u.as_str()),
    };
    let Some(u) = user else {
        return execute_unscoped(engine, call).await;
    };
    match call {
        QueryCall::Traces { mut filter } => {
            // only traces wholly the user's: no figure from another's rows
            filter.user = Some(UserId::new(u));
            filter.sole_user = Some(UserId::new(u));
            json(&engine.traces(&filter).await?)
        }
        QueryCall::AiRequests { mut filter } => {
            filter.user_id = Some(UserId::new(u));
            json(&engine.ai_requests(&filter).await?)
        }
        QueryCall::TraceDetail { trace_id } => match engine.trace_detail(&trace_id).await {
            Ok(detail) if trace_owned_by(&detail, u) => json(&detail),
            Ok(_) | Err(Error::NotFound(_)) => Err(no_trace(&trace_id)),
            Err(e) => Err(e),
        },
        QueryCall::AuditLookup { prefix } => json(&scoped_audit_lookup(engine, &prefix, u).await?),
        // a user-scoped token knows only its own user: read by its id
        // (another id is answered like a missing one, with no row)
        QueryCall::Users { id, .. } => {
            let own = match id {
                Some(id) if id.as_str() != u => None,
                _ => engine.user(&UserId::new(u)).await?,
            };
            json(&Vec::from_iter(own))
        }
        other => Err(forbidden(
            u,
            &format!("{} covers every user", other.method()),
        )),
    }
}

async fn execute_unscoped(engine: &dyn QueryEngine, call: QueryCall) -> Result<serde_json::Value> {
    match call {
        QueryCall::Overview { now, counting } => {
            json(&engine.overview_counting(now, counting).await?)
        }
        QueryCall::ActivityTrend { window, bucket } => {
            json(&engine.activity_trend(&window, bucket).await?)
        }
        QueryCall::CostSummary { window, counting } => {
            json(&engine.cost_summary_counting(&window, counting).await?)
        }
        QueryCall::CostBreakdown {
            window,
            by,
            counting,
        } => {
            let rows = engine
                .cost_breakdown_counting(&window, by, counting)
                .await?;
            let wire: Vec<CostBreakdownWire> = rows
                .iter()
                .map(|r| CostBreakdownWire {
                    dimension: r.dimension,
                    key: &r.key,
                    request_count: r.request_count,
                    input_tokens: r.input_tokens,
                    output_tokens: r.output_tokens,
                    total_tokens: r.total_tokens,
                    total_cost_microdollars: r.total_cost_microdollars,
                    cost_share: r.cost_share,
                    cache_read_tokens: r.cache_read_tokens,
                    cache_creation_tokens: r.cache_creation_tokens,
                    cached_input_share: r.cached_input_share,
                })
                .collect();
            json(&wire)
        }
        QueryCall::CostTrend {
            window,
            bucket,
            counting,
        } => json(
            &engine
                .cost_trend_counting(&window, bucket, counting)
                .await?,
        ),
        QueryCall::CostOverview { now } => json(&engine.cost_overview(now).await?),
        QueryCall::TopUsers { window, limit } => json(&engine.top_users(&window, limit).await?),
        QueryCall::TopAgents { window, limit } => json(&engine.top_agents(&window, limit).await?),
        QueryCall::TopTools { window, limit } => json(&engine.top_tools(&window, limit).await?),
        QueryCall::Tools {
            window,
            sort,
            limit,
        } => json(&engine.tools(&window, sort, limit).await?),
        QueryCall::Traces { filter } => json(&engine.traces(&filter).await?),
        QueryCall::TraceDetail { trace_id } => json(&engine.trace_detail(&trace_id).await?),
        QueryCall::AuditLookup { prefix } => json(&engine.audit_lookup(&prefix).await?),
        QueryCall::LogSearch { filter } => json(&engine.log_search(&filter).await?),
        QueryCall::LogSummary { window } => json(&engine.log_summary(&window).await?),
        QueryCall::LogSummaryFiltered { filter } => {
            json(&engine.log_summary_filtered(&filter).await?)
        }
        QueryCall::ToolExecutions { filter } => json(&engine.tool_executions(&filter).await?),
        QueryCall::AiRequests { filter } => json(&engine.ai_requests(&filter).await?),
        QueryCall::RequestStats { window } => json(&engine.request_stats(&window).await?),
        QueryCall::SessionStats { window, counting } => {
            json(&engine.session_stats_counting(&window, counting).await?)
        }
        QueryCall::Traffic {
            window,
            limit,
            counting,
        } => json(&engine.traffic_counting(&window, limit, counting).await?),
        QueryCall::Content {
            window,
            limit,
            counting,
        } => json(&engine.content_counting(&window, limit, counting).await?),
        QueryCall::Users { limit, id: None } => json(&engine.users(limit).await?),
        QueryCall::Users { id: Some(id), .. } => json(&Vec::from_iter(engine.user(&id).await?)),
        QueryCall::Conversations { window, limit } => {
            json(&engine.conversations(&window, limit).await?)
        }
        QueryCall::RecordReview { .. } | QueryCall::Reviews { .. } => Err(Error::input(
            "reviews are not queries: send them to a server with a review store",
        )),
    }
}

/// Run a review call on the server's review store. Verdicts are an
/// auditor's act on any user's records, so a user-scoped token is refused.
pub async fn execute_review(
    reviews: &dyn ReviewStore,
    call: QueryCall,
    scope: &Scope,
) -> Result<serde_json::Value> {
    if let Scope::User(u) = scope {
        return Err(forbidden(u, "audit verdicts need an all-users token"));
    }
    match call {
        QueryCall::RecordReview { review } => json(&reviews.record_review(&review).await?),
        QueryCall::Reviews { filter } => json(&reviews.reviews(&filter).await?),
        other => Err(Error::input(format!(
            "{} is a query, not a review call",
            other.method()
        ))),
    }
}
