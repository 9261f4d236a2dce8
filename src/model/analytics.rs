//! The payloads of a systemprompt server's live analytics stream
//! (SESSION_STARTED, SESSION_ENDED, PAGE_VIEW, ENGAGEMENT_UPDATE), one record
//! per type with exactly the fields that server puts beside `type` and
//! `timestamp` (see `reference/systemprompt-schema.md`, "The live analytics
//! stream"). REAL_TIME_STATS becomes a [`super::StatsSnapshot`] and
//! HEARTBEAT a heartbeat, so neither has a record here.
//!
//! Fields the reference marks "string or null" are `Option`s; fields that
//! are absent or null where the reference has a value make the event
//! undecodable (it is then counted as unknown, never fatal). Fields the
//! reference does not list are ignored.

use super::ids::{SessionId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// SESSION_STARTED: a visitor session began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsSessionStart {
    pub timestamp: DateTime<Utc>,
    pub session_id: SessionId,
    #[serde(default)]
    pub device_type: Option<String>,
    #[serde(default)]
    pub browser: Option<String>,
    #[serde(default)]
    pub os: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub referrer_source: Option<String>,
    pub is_bot: bool,
}

/// SESSION_ENDED: a visitor session ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsSessionEnd {
    pub timestamp: DateTime<Utc>,
    pub session_id: SessionId,
    pub duration_ms: i64,
    pub page_count: i64,
    pub request_count: i64,
}

/// PAGE_VIEW: a page was viewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageView {
    pub timestamp: DateTime<Utc>,
    pub session_id: SessionId,
    #[serde(default)]
    pub user_id: Option<UserId>,
    pub page_url: String,
    #[serde(default)]
    pub content_id: Option<String>,
    #[serde(default)]
    pub referrer: Option<String>,
}

/// ENGAGEMENT_UPDATE: how far a visitor read a page and how long they
/// stayed. `scroll_depth` is the percentage of the page scrolled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagementUpdate {
    pub timestamp: DateTime<Utc>,
    pub session_id: SessionId,
    pub page_url: String,
    pub scroll_depth: i64,
    pub time_on_page_ms: i64,
    pub click_count: i64,
}
