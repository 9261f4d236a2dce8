//! Filters and reports of `tracetop analytics`: requests, sessions, traffic, content, conversations.

use super::*;

/// Tool execution filter (exact matches).
/// Window on `started_at`; newest first, ties by id descending.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolExecutionFilter {
    pub tool_name: Option<String>,
    pub server_name: Option<String>,
    pub status: Option<String>,
    pub window: Option<TimeWindow>,
    pub limit: usize,
}

/// AI request filter (exact matches).
/// Window on `created_at`; newest first, ties by id descending.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AiRequestFilter {
    pub model: Option<String>,
    pub provider: Option<String>,
    pub status: Option<String>,
    pub user_id: Option<UserId>,
    pub window: Option<TimeWindow>,
    pub limit: usize,
}

/// Latency and outcome statistics of AI requests in a window.
/// Percentiles are `percentile_disc` over `latency_ms` of requests that have
/// one; `error_rate` = failed / all; `cache_hit_rate` = cache hits / all.
/// `completed/failed/pending_count` by status; `avg_latency_ms` over
/// requests with a latency; tokens are `coalesce(tokens_used, 0)`; cache
/// tokens summed with NULL as 0, `cached_input_share` is [`cached_share`];
/// `rerouted_request_count`: requests served by another model than the
/// one requested (`requested_model` set and different from `model`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestStats {
    pub request_count: i64,
    pub completed_count: i64,
    pub failed_count: i64,
    pub pending_count: i64,
    pub cache_hit_count: i64,
    pub error_rate: f64,
    pub cache_hit_rate: f64,
    pub avg_latency_ms: i64,
    pub p50_latency_ms: Option<i64>,
    pub p95_latency_ms: Option<i64>,
    pub p99_latency_ms: Option<i64>,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
    #[serde(default)]
    pub cache_read_tokens: i64,
    #[serde(default)]
    pub cache_creation_tokens: i64,
    #[serde(default)]
    pub cached_input_share: f64,
    #[serde(default)]
    pub rerouted_request_count: i64,
    /// The same figures per model (by request count, then name).
    pub by_model: Vec<ModelRequestStats>,
}

/// [`RequestStats`] for one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRequestStats {
    pub model: String,
    pub provider: String,
    pub request_count: i64,
    pub failed_count: i64,
    pub cache_hit_count: i64,
    pub error_rate: f64,
    pub cache_hit_rate: f64,
    pub avg_latency_ms: i64,
    pub p50_latency_ms: Option<i64>,
    pub p95_latency_ms: Option<i64>,
    pub p99_latency_ms: Option<i64>,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
}

/// Sessions started in a window.
///
/// The counted sessions are the clean ones (no bot flag, see
/// [`is_bot_session`]) unless [`Counting::include_bots`]; `session_count`,
/// `unique_users`, `ended_count`, the duration and the request totals cover
/// the counted sessions. `avg_duration_seconds` is the mean over counted
/// sessions with `ended_at` of `ended_at − started_at` capped at
/// [`SESSION_DURATION_CAP_SECONDS`] (in microseconds, rounded to whole
/// seconds). Beside the totals, always over every session in the window:
/// `bot_sessions` (any of the four flags), one count per flag, and
/// `bot_share` = bot sessions / all sessions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionStats {
    #[serde(default)]
    pub bots_included: bool,
    pub session_count: i64,
    pub unique_users: i64,
    pub ended_count: i64,
    pub avg_duration_seconds: i64,
    pub total_requests: i64,
    pub total_ai_requests: i64,
    pub bot_sessions: i64,
    pub scanner_sessions: i64,
    pub behavioral_bot_sessions: i64,
    #[serde(default)]
    pub ai_crawler_sessions: i64,
    pub bot_share: f64,
}

/// The `users.status` of a deleted account, which the user total leaves out.
pub const DELETED_USER: &str = "deleted";

/// A bot session as the platform's clean-traffic views define it: any of
/// `is_bot`, `is_ai_crawler`, `is_scanner`, `is_behavioral_bot`.
pub fn is_bot_session(s: &SessionRecord) -> bool {
    s.is_bot || s.is_scanner || s.is_behavioral_bot || s.is_ai_crawler.unwrap_or(false)
}

/// Sessions grouped by one attribute (NULL shows as `(unknown)`).
/// `session_count`: counted sessions (see [`TrafficReport`]) with this key;
/// `bot_count` / `scanner_count`: bot sessions (any flag) / scanner
/// sessions with this key, counted or not. A key is listed when it has a
/// session of either kind. Each list is ordered by session count desc,
/// then bot count desc, then key, and cut to the limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrafficRow {
    pub key: String,
    pub session_count: i64,
    pub bot_count: i64,
    pub scanner_count: i64,
    /// Share of the counted sessions (`total_sessions`).
    pub share: f64,
}

/// Traffic rows in report order: session count desc, bot count desc, key.
pub fn sort_traffic_rows(rows: &mut [TrafficRow]) {
    rows.sort_by(|a, b| {
        b.session_count
            .cmp(&a.session_count)
            .then_with(|| b.bot_count.cmp(&a.bot_count))
            .then_with(|| a.key.cmp(&b.key))
    });
}

/// Group label for a NULL attribute.
pub const UNKNOWN_KEY: &str = "(unknown)";

/// Sessions started in a window by source, client, device and country.
/// `total_sessions` counts the clean sessions, or all of them with
/// [`Counting::include_bots`]; `bot_sessions` (any bot flag) and
/// `scanner_sessions` always cover every session in the window, and their
/// shares are of every session in the window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrafficReport {
    #[serde(default)]
    pub bots_included: bool,
    pub total_sessions: i64,
    pub bot_sessions: i64,
    pub scanner_sessions: i64,
    pub bot_share: f64,
    pub scanner_share: f64,
    pub by_source: Vec<TrafficRow>,
    pub by_client: Vec<TrafficRow>,
    pub by_device: Vec<TrafficRow>,
    pub by_country: Vec<TrafficRow>,
}

/// Sessions per landing page or referrer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentRow {
    pub key: String,
    pub session_count: i64,
    pub unique_users: i64,
    pub share: f64,
}

/// Landing pages and referrers of the counted sessions started in a
/// window (clean, or all with [`Counting::include_bots`]; rows by session
/// count, then key; NULL as `(unknown)` / `(direct)`). `unique_users`
/// counts distinct non-NULL users. `bot_sessions`: every bot session in
/// the window, counted or not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContentReport {
    #[serde(default)]
    pub bots_included: bool,
    pub total_sessions: i64,
    #[serde(default)]
    pub bot_sessions: i64,
    pub landing_pages: Vec<ContentRow>,
    pub referrers: Vec<ContentRow>,
}

/// Group label for sessions without a referrer.
pub const DIRECT_KEY: &str = "(direct)";

/// A conversation (context) with its totals. Contexts updated in the window,
/// most recently updated first. `message_count` counts
/// `ai_request_messages` of the context's requests.
/// Totals cover all of the context's requests (not only those in the
/// window); ties by context id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationRow {
    pub context_id: ContextId,
    pub name: String,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub message_count: i64,
    pub request_count: i64,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
}
