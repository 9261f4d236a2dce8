//! Feed rows for the events of a systemprompt server's analytics stream:
//! visitor sessions starting and ending, page views and engagement updates,
//! one readable line each (session, page, scroll depth, time on page…).
//! Text is cleaned here, at ingest, like every other feed row.

use super::feed::FeedRow;
use crate::model::*;
use crate::sanitize;
use crate::tui::views::fmt_ms;

/// The row for one analytics event, filled in over `base` (its time and
/// defaults); `None` for any other event.
pub(super) fn row(event: &Event, base: FeedRow) -> Option<FeedRow> {
    let clean = |s: &str| sanitize::truncate_width(&sanitize::clean(s), 200);
    Some(match event {
        Event::AnalyticsSessionStarted { session } => FeedRow {
            kind: "sess.new",
            subject: session.country.as_deref().map(clean).unwrap_or_default(),
            status: {
                let about: String = [&session.device_type, &session.browser, &session.os]
                    .into_iter()
                    .flatten()
                    .map(|s| format!(" · {}", clean(s)))
                    .collect();
                let from = session
                    .referrer_source
                    .as_deref()
                    .map(|r| format!(" from {}", clean(r)))
                    .unwrap_or_default();
                let bot = if session.is_bot { "bot " } else { "" };
                format!(
                    "{bot}session {}{about}{from}",
                    clean(session.session_id.as_str())
                )
            },
            id: clean(session.session_id.as_str()),
            ..base
        },
        Event::AnalyticsSessionEnded { session } => FeedRow {
            kind: "sess.end",
            latency_ms: Some(session.duration_ms),
            status: format!(
                "session {} · {} pages · {} requests · {}",
                clean(session.session_id.as_str()),
                session.page_count,
                session.request_count,
                fmt_ms(session.duration_ms)
            ),
            id: clean(session.session_id.as_str()),
            ..base
        },
        Event::PageView { page_view: v } => FeedRow {
            kind: "page",
            user: v
                .user_id
                .as_ref()
                .map(|u| clean(u.as_str()))
                .unwrap_or_default(),
            subject: clean(&v.page_url),
            status: format!(
                "view session {}{}{}",
                clean(v.session_id.as_str()),
                v.referrer
                    .as_deref()
                    .map(|r| format!(" from {}", clean(r)))
                    .unwrap_or_default(),
                v.content_id
                    .as_deref()
                    .map(|c| format!(" content {}", clean(c)))
                    .unwrap_or_default()
            ),
            id: clean(v.session_id.as_str()),
            ..base
        },
        Event::EngagementUpdate { engagement: e } => FeedRow {
            kind: "engage",
            subject: clean(&e.page_url),
            latency_ms: Some(e.time_on_page_ms),
            status: format!(
                "scroll {}% · {} on page · {} clicks · session {}",
                e.scroll_depth,
                fmt_ms(e.time_on_page_ms),
                e.click_count,
                clean(e.session_id.as_str())
            ),
            id: clean(e.session_id.as_str()),
            ..base
        },
        _ => return None,
    })
}
