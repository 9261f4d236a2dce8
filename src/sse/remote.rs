//! RemoteEngine: [`QueryEngine`] over a `tracetop serve` query API, so a
//! console on a bastion (no database credentials) gets the same answers as
//! one next to the database, including drill-down into old traces.
//!
//! Each method is one `POST /api/v1/query` with a [`QueryCall`]; server
//! errors come back as the same [`Error`] variant (not found stays not
//! found, a refused token is `Error::Auth`).

use super::wire::{QueryCall, WireError};
use crate::error::{Error, Result, redact_url};
use crate::model::*;
use crate::query::*;
use async_trait::async_trait;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// A `QueryEngine` answered by a remote `tracetop serve`.
#[derive(Debug, Clone)]
pub struct RemoteEngine {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

/// The server's root from a URL the operator typed: the stream URL
/// (`…/api/v1/stream`), any `…/api/v1/…` URL, or the bare origin.
pub fn base_url(url: &str) -> Result<String> {
    let parsed = url::Url::parse(url).map_err(|e| {
        Error::input(format!(
            "invalid remote URL {}: {e}; expected e.g. https://ops.example/api/v1/stream",
            redact_url(url)
        ))
        .caused_by(e)
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::input(format!(
            "invalid remote URL {}: use http:// or https://",
            redact_url(url)
        )));
    }
    let text = url.trim_end_matches('/');
    let base = match text.find("/api/v1") {
        Some(i) => &text[..i],
        None => text,
    };
    Ok(base.to_string())
}

/// The stream URL for whatever the operator typed: a URL whose path ends
/// in `/stream` as given (`tracetop serve`'s `…/api/v1/stream`, or a
/// systemprompt server's `…/analytics/stream`), else `tracetop serve`'s
/// stream at the server's root (see [`base_url`]).
pub fn stream_url(url: &str) -> Result<String> {
    let base = base_url(url)?;
    let names_a_stream =
        url::Url::parse(url).is_ok_and(|u| u.path().trim_end_matches('/').ends_with("/stream"));
    if names_a_stream {
        return Ok(url.trim_end_matches('/').to_string());
    }
    Ok(format!("{base}/api/v1/stream"))
}

/// Whether `url` names a systemprompt server's analytics stream (`GET
/// …/analytics/stream`) rather than a `tracetop serve`: such a server has
/// no query API, so the console answers its views from what the stream
/// delivers.
pub fn is_analytics_stream(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        u.path()
            .trim_end_matches('/')
            .ends_with("/analytics/stream")
    })
}

impl RemoteEngine {
    /// Check the server answers and accepts the token.
    pub async fn connect(url: &str, token: Option<String>) -> Result<RemoteEngine> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            // `serve` closes a connection idle for its --header-timeout
            // (10 s by default): drop idle ones well before that
            .pool_idle_timeout(Duration::from_secs(4))
            .build()
            .map_err(|e| {
                Error::remote(format!("cannot build the HTTP client: {e}")).caused_by(e)
            })?;
        let engine = RemoteEngine {
            http,
            base: base_url(url)?,
            token,
        };
        let mut request = engine.http.get(format!("{}/api/v1/health", engine.base));
        if let Some(t) = &engine.token {
            request = request.bearer_auth(t);
        }
        let response = request.send().await.map_err(|e| engine.unreachable(e))?;
        engine.check_status(response).await.map(|_| engine)
    }

    fn unreachable(&self, e: reqwest::Error) -> Error {
        // the innermost cause says what happened ("Connection refused")
        let mut source = String::new();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            source = c.to_string();
            cause = c.source();
        }
        Error::remote(format!(
            "cannot reach {}: {}; is `tracetop serve` running there?",
            redact_url(&self.base),
            if source.is_empty() {
                e.to_string()
            } else {
                source
            }
        ))
        .caused_by(e)
    }

    async fn check_status(&self, response: reqwest::Response) -> Result<reqwest::Response> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = response.text().await.unwrap_or_default();
        let wire = serde_json::from_str::<WireError>(&body).ok();
        let detail = wire.as_ref().map(|w| w.error.clone()).unwrap_or_else(|| {
            crate::sanitize::truncate_width(&crate::sanitize::clean(body.trim()), 200)
        });
        Err(match status.as_u16() {
            401 => Error::auth(format!(
                "{} refused the token (401): {detail}; check --token-file or TRACETOP_TOKEN",
                redact_url(&self.base)
            )),
            _ => match wire {
                Some(w) => w.into_error(),
                None => Error::remote(format!(
                    "{} answered HTTP {}: {detail}",
                    redact_url(&self.base),
                    status.as_u16()
                )),
            },
        })
    }

    async fn call<T: DeserializeOwned>(&self, call: QueryCall) -> Result<T> {
        let body = serde_json::to_vec(&call)?;
        let mut request = self
            .http
            .post(format!("{}/api/v1/query", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(t) = &self.token {
            request = request.bearer_auth(t);
        }
        let response = request.send().await.map_err(|e| self.unreachable(e))?;
        let response = self.check_status(response).await?;
        let bytes = response.bytes().await.map_err(|e| {
            Error::remote(format!("{}: answer cut short: {e}", redact_url(&self.base))).caused_by(e)
        })?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::remote(format!(
                "{} sent an answer to {} this version cannot read: {e}",
                redact_url(&self.base),
                call.method()
            ))
            .caused_by(e)
        })
    }
}

#[async_trait]
impl QueryEngine for RemoteEngine {
    async fn overview_counting(
        &self,
        now: Timestamp,
        counting: Counting,
    ) -> Result<PlatformOverview> {
        self.call(QueryCall::Overview { now, counting }).await
    }
    async fn activity_trend(
        &self,
        window: &TimeWindow,
        bucket: Bucket,
    ) -> Result<Vec<ActivityBucket>> {
        self.call(QueryCall::ActivityTrend {
            window: *window,
            bucket,
        })
        .await
    }
    async fn cost_summary_counting(
        &self,
        window: &TimeWindow,
        counting: Counting,
    ) -> Result<CostSummary> {
        self.call(QueryCall::CostSummary {
            window: *window,
            counting,
        })
        .await
    }
    async fn cost_breakdown_counting(
        &self,
        window: &TimeWindow,
        by: CostDimension,
        counting: Counting,
    ) -> Result<Vec<CostBreakdownRow>> {
        self.call(QueryCall::CostBreakdown {
            window: *window,
            by,
            counting,
        })
        .await
    }
    async fn cost_trend_counting(
        &self,
        window: &TimeWindow,
        bucket: Bucket,
        counting: Counting,
    ) -> Result<Vec<CostTrendBucket>> {
        self.call(QueryCall::CostTrend {
            window: *window,
            bucket,
            counting,
        })
        .await
    }
    async fn cost_overview(&self, now: Timestamp) -> Result<CostOverview> {
        self.call(QueryCall::CostOverview { now }).await
    }
    async fn top_users(&self, window: &TimeWindow, limit: usize) -> Result<Vec<UserLeader>> {
        self.call(QueryCall::TopUsers {
            window: *window,
            limit,
        })
        .await
    }
    async fn top_agents(&self, window: &TimeWindow, limit: usize) -> Result<Vec<AgentLeader>> {
        self.call(QueryCall::TopAgents {
            window: *window,
            limit,
        })
        .await
    }
    async fn top_tools(&self, window: &TimeWindow, limit: usize) -> Result<Vec<ToolStats>> {
        self.call(QueryCall::TopTools {
            window: *window,
            limit,
        })
        .await
    }
    async fn tools(
        &self,
        window: &TimeWindow,
        sort: ToolSort,
        limit: usize,
    ) -> Result<Vec<ToolStats>> {
        self.call(QueryCall::Tools {
            window: *window,
            sort,
            limit,
        })
        .await
    }
    async fn traces(&self, filter: &TraceListFilter) -> Result<Vec<TraceListItem>> {
        self.call(QueryCall::Traces {
            filter: filter.clone(),
        })
        .await
    }
    async fn trace_detail(&self, trace_id: &TraceId) -> Result<TraceDetail> {
        self.call(QueryCall::TraceDetail {
            trace_id: trace_id.clone(),
        })
        .await
    }
    async fn audit_lookup(&self, prefix: &str) -> Result<AuditResolution> {
        self.call(QueryCall::AuditLookup {
            prefix: prefix.to_string(),
        })
        .await
    }
    async fn log_search(&self, filter: &LogFilter) -> Result<Vec<LogRecord>> {
        self.call(QueryCall::LogSearch {
            filter: filter.clone(),
        })
        .await
    }
    async fn log_summary(&self, window: &TimeWindow) -> Result<LogSummary> {
        self.call(QueryCall::LogSummary { window: *window }).await
    }
    async fn log_summary_filtered(&self, filter: &LogFilter) -> Result<LogSummary> {
        self.call(QueryCall::LogSummaryFiltered {
            filter: filter.clone(),
        })
        .await
    }
    async fn tool_executions(
        &self,
        filter: &ToolExecutionFilter,
    ) -> Result<Vec<McpExecutionRecord>> {
        self.call(QueryCall::ToolExecutions {
            filter: filter.clone(),
        })
        .await
    }
    async fn ai_requests(&self, filter: &AiRequestFilter) -> Result<Vec<AiRequestRecord>> {
        self.call(QueryCall::AiRequests {
            filter: filter.clone(),
        })
        .await
    }
    async fn request_stats(&self, window: &TimeWindow) -> Result<RequestStats> {
        self.call(QueryCall::RequestStats { window: *window }).await
    }
    async fn session_stats_counting(
        &self,
        window: &TimeWindow,
        counting: Counting,
    ) -> Result<SessionStats> {
        self.call(QueryCall::SessionStats {
            window: *window,
            counting,
        })
        .await
    }
    async fn traffic_counting(
        &self,
        window: &TimeWindow,
        limit: usize,
        counting: Counting,
    ) -> Result<TrafficReport> {
        self.call(QueryCall::Traffic {
            window: *window,
            limit,
            counting,
        })
        .await
    }
    async fn content_counting(
        &self,
        window: &TimeWindow,
        limit: usize,
        counting: Counting,
    ) -> Result<ContentReport> {
        self.call(QueryCall::Content {
            window: *window,
            limit,
            counting,
        })
        .await
    }
    async fn conversations(
        &self,
        window: &TimeWindow,
        limit: usize,
    ) -> Result<Vec<ConversationRow>> {
        self.call(QueryCall::Conversations {
            window: *window,
            limit,
        })
        .await
    }
    async fn users(&self, limit: usize) -> Result<Vec<UserRecord>> {
        self.call(QueryCall::Users { limit, id: None }).await
    }
    async fn user(&self, id: &UserId) -> Result<Option<UserRecord>> {
        let found: Vec<UserRecord> = self
            .call(QueryCall::Users {
                limit: 1,
                id: Some(id.clone()),
            })
            .await?;
        // a server from before the id filter answers the first user
        Ok(found.into_iter().find(|user| user.id == *id))
    }
}

/// Verdicts recorded from a remote console go to the server's review store
/// (`tracetop_reviews` of its database), under the same rules.
#[async_trait]
impl ReviewStore for RemoteEngine {
    async fn record_review(&self, review: &NewReview) -> Result<ReviewRecord> {
        self.call(QueryCall::RecordReview {
            review: review.clone(),
        })
        .await
    }

    async fn reviews(&self, filter: &ReviewFilter) -> Result<Vec<ReviewRecord>> {
        self.call(QueryCall::Reviews {
            filter: filter.clone(),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_accepts_stream_api_and_bare_urls() {
        assert_eq!(
            base_url("https://ops.example/api/v1/stream").unwrap(),
            "https://ops.example"
        );
        assert_eq!(
            base_url("http://127.0.0.1:8787/").unwrap(),
            "http://127.0.0.1:8787"
        );
        assert_eq!(
            stream_url("http://h:1").unwrap(),
            "http://h:1/api/v1/stream"
        );
        assert_eq!(
            stream_url("https://ops.example/api/v1/traces").unwrap(),
            "https://ops.example/api/v1/stream"
        );
        let analytics = "https://sp.example/api/v1/analytics/stream";
        assert_eq!(stream_url(analytics).unwrap(), analytics);
        assert_eq!(stream_url(&format!("{analytics}/")).unwrap(), analytics);
        assert!(is_analytics_stream(analytics));
        assert!(!is_analytics_stream("https://ops.example/api/v1/stream"));
        assert!(base_url("ftp://x").is_err());
        assert!(base_url("not a url").is_err());
    }
}
