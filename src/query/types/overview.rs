//! Platform overview counters and the activity trend's buckets.

use super::*;

/// The eight platform counters.
///
/// * `total_users`: users whose `status` is not `deleted`.
/// * the session-based counters count clean traffic: sessions with any bot
///   flag (see [`is_bot_session`]) are left out unless the question's
///   [`Counting`] includes bots, as the platform's own overview does.
/// * `active_users_24h` / `_7d`: distinct `user_sessions.user_id` with
///   `last_activity_at >= now - span`.
/// * `active_sessions`: sessions with `ended_at IS NULL` and
///   `last_activity_at >= now - 30 min`.
/// * `total_sessions`: counted sessions; the other `total_*` counters count
///   every row of their table.
/// * `active_*` have no upper bound (rows after `now` count too).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformOverview {
    pub total_users: i64,
    pub active_users_24h: i64,
    pub active_users_7d: i64,
    pub total_sessions: i64,
    pub active_sessions: i64,
    pub total_contexts: i64,
    pub total_tasks: i64,
    pub total_ai_requests: i64,
}

/// Minutes of inactivity after which an open session no longer counts as active.
pub const ACTIVE_SESSION_MINUTES: i64 = 30;

/// Activity in one trend bucket (by each table's creation time).
///
/// Sessions by `started_at`, contexts, tasks, AI requests and MCP
/// executions by `created_at`; only rows inside the window count. The
/// buckets are exactly `Bucket::starts(window)` (the first may begin before
/// `window.start`), empty ones with zeros.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityBucket {
    pub bucket_start: Timestamp,
    pub sessions: i64,
    pub contexts: i64,
    pub tasks: i64,
    pub ai_requests: i64,
    pub tool_executions: i64,
}
