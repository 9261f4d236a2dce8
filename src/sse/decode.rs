//! Decoding one SSE event (its `event:` name and `data:`) into an
//! [`Event`], see [`decode_sse`]: our own stream's events go to the typed
//! fast decoder; most of this file is a systemprompt server's live
//! analytics stream (`GET …/analytics/stream`).
//!
//! That stream sends one `data:` line of JSON per event, without `event:`
//! name or `id:`; each object has a SCREAMING_SNAKE_CASE `type`, an RFC 3339
//! `timestamp`, and its payload fields flat beside them. Its keep-alive is
//! an event named `heartbeat` whose data is `{"type":"heartbeat"}`. The
//! payloads, exactly as the reference lists them, are the records of
//! [`crate::model::analytics`]; REAL_TIME_STATS becomes a
//! [`StatsSnapshot`], HEARTBEAT a heartbeat. An event that does not decode
//! (an unknown type, a required field missing or of another JSON type)
//! becomes [`Event::Unknown`] with its type name kept: counted and shown,
//! never fatal.

use crate::model::*;
use serde::Deserialize;
use serde_json::Value;

/// Decode one SSE event (its `event:` name and `data:`) into an [`Event`].
/// Our stream carries snake_case `type`s; a systemprompt analytics stream
/// carries SCREAMING_SNAKE_CASE ones with their payload flat beside them
/// (see [`decode_systemprompt`]), and keeps alive with an event named
/// `heartbeat` whose data is `{"type":"heartbeat"}`. Never fails: anything
/// else is [`Event::Unknown`].
pub fn decode_sse(event_name: &str, data: &str) -> Event {
    let now_heartbeat = || Event::Heartbeat {
        at: chrono::Utc::now(),
    };
    // Our own stream leads with a lower-case `type` tag: the typed fast
    // decoder reads it without building a JSON tree first.
    if data
        .strip_prefix("{\"type\":\"")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_lowercase()))
    {
        return match crate::live::decode_event(data) {
            Event::Unknown { type_name, .. }
                if event_name == "heartbeat" || type_name.as_deref() == Some("heartbeat") =>
            {
                now_heartbeat()
            }
            event => event,
        };
    }
    let value: serde_json::Value = match serde_json::from_str(data) {
        Ok(v) => v,
        Err(_) if event_name == "heartbeat" => return now_heartbeat(),
        Err(_) => {
            return Event::Unknown {
                type_name: None,
                raw: data.to_string(),
            };
        }
    };
    let type_name = value.get("type").and_then(|t| t.as_str()).unwrap_or("");
    if is_systemprompt_type(type_name) {
        return decode_systemprompt(type_name, &value, data);
    }
    let heartbeat_named = type_name == "heartbeat";
    match serde_json::from_value::<Event>(value) {
        Ok(event) => event,
        Err(_) if event_name == "heartbeat" || heartbeat_named => now_heartbeat(),
        Err(_) => Event::from_json(data),
    }
}

/// Whether `type_name` is in the stream's SCREAMING_SNAKE_CASE.
pub fn is_systemprompt_type(type_name: &str) -> bool {
    !type_name.is_empty()
        && type_name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
}

/// REAL_TIME_STATS, as sent (all counts are integers; requests per minute
/// is read as any JSON number).
#[derive(Deserialize)]
struct RealTimeStats {
    timestamp: Option<Timestamp>,
    active_sessions: Option<i64>,
    active_users: Option<i64>,
    requests_per_minute: Option<f64>,
    page_views_last_5m: Option<i64>,
    bot_requests_last_5m: Option<i64>,
}

#[derive(Deserialize)]
struct TimestampOnly {
    timestamp: Option<Timestamp>,
}

/// Decode one event of the analytics stream whose `type` is `type_name`
/// (already read from `value`, the parsed `raw` text).
pub fn decode_systemprompt(type_name: &str, value: &Value, raw: &str) -> Event {
    decode_flat(type_name, value)
        .or_else(|| decode_nested(type_name, value))
        .unwrap_or_else(|| Event::Unknown {
            type_name: Some(type_name.to_string()),
            raw: raw.to_string(),
        })
}

/// The payload fields beside `type` and `timestamp`, as the reference has
/// them.
fn decode_flat(type_name: &str, value: &Value) -> Option<Event> {
    fn read<'a, T: Deserialize<'a>>(value: &'a Value) -> Option<T> {
        T::deserialize(value).ok()
    }
    Some(match type_name {
        "SESSION_STARTED" => Event::AnalyticsSessionStarted {
            session: read(value)?,
        },
        "SESSION_ENDED" => Event::AnalyticsSessionEnded {
            session: read(value)?,
        },
        "PAGE_VIEW" => Event::PageView {
            page_view: read(value)?,
        },
        "ENGAGEMENT_UPDATE" => Event::EngagementUpdate {
            engagement: read(value)?,
        },
        "REAL_TIME_STATS" => {
            let stats: RealTimeStats = read(value)?;
            let no_counts = stats.active_sessions.is_none()
                && stats.active_users.is_none()
                && stats.requests_per_minute.is_none()
                && stats.page_views_last_5m.is_none()
                && stats.bot_requests_last_5m.is_none();
            if no_counts && (value.get("data").is_some() || value.get("payload").is_some()) {
                return None; // an older nested shape: see decode_nested
            }
            Event::StatsSnapshot {
                stats: StatsSnapshot {
                    at: stats.timestamp.or_else(|| Some(chrono::Utc::now())),
                    active_users: stats.active_users,
                    active_sessions: stats.active_sessions,
                    requests_per_minute: stats.requests_per_minute,
                    page_views_last_5m: stats.page_views_last_5m,
                    bot_requests_last_5m: stats.bot_requests_last_5m,
                },
            }
        }
        "HEARTBEAT" => Event::Heartbeat {
            at: read::<TimestampOnly>(value)?
                .timestamp
                .unwrap_or_else(chrono::Utc::now),
        },
        _ => return None,
    })
}

/// Older servers put the payload under `data` (or `payload`): read it
/// from there, with the outer `timestamp` when the inner object has none.
fn decode_nested(type_name: &str, value: &Value) -> Option<Event> {
    let inner = value
        .get("data")
        .or_else(|| value.get("payload"))
        .filter(|v| v.is_object())?;
    let mut merged = inner.clone();
    if let (Some(object), Some(at)) = (merged.as_object_mut(), value.get("timestamp")) {
        object.entry("timestamp").or_insert_with(|| at.clone());
    }
    decode_flat(type_name, &merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    fn decoded(raw: &str) -> Event {
        let value: Value = serde_json::from_str(raw).unwrap();
        let type_name = value["type"].as_str().unwrap().to_string();
        decode_systemprompt(&type_name, &value, raw)
    }

    #[test]
    fn decodes_our_events_and_systemprompt_ones() {
        let hb = decode_sse(
            "heartbeat",
            r#"{"type":"heartbeat","at":"2026-11-23T10:00:00Z"}"#,
        );
        assert_eq!(hb.kind(), "heartbeat");
        let sp_hb = decode_sse(
            "heartbeat",
            r#"{"type":"HEARTBEAT","timestamp":"2026-11-23T10:00:00Z"}"#,
        );
        assert_eq!(
            sp_hb,
            Event::Heartbeat {
                at: chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
                    .unwrap()
                    .with_timezone(&chrono::Utc)
            }
        );
        let stats = decode_sse(
            "message",
            r#"{"type":"REAL_TIME_STATS","data":{"active_users":7,"active_sessions":3,"requests_per_minute":12.5}}"#,
        );
        match stats {
            Event::StatsSnapshot { stats } => {
                assert_eq!(stats.active_users, Some(7));
                assert_eq!(stats.active_sessions, Some(3));
                assert_eq!(stats.requests_per_minute, Some(12.5));
            }
            other => panic!("expected stats, got {other:?}"),
        }
        match decode_sse("message", r#"{"type":"PAGE_VIEW","path":"/"}"#) {
            Event::Unknown { type_name, .. } => assert_eq!(type_name.as_deref(), Some("PAGE_VIEW")),
            other => panic!("expected unknown, got {other:?}"),
        }
        assert!(matches!(
            decode_sse("message", "{not json"),
            Event::Unknown {
                type_name: None,
                ..
            }
        ));
    }

    #[test]
    fn systemprompt_flat_payloads_and_its_heartbeat() {
        let view = decode_sse(
            "message",
            r#"{"type":"PAGE_VIEW","timestamp":"2026-11-23T10:01:00Z","session_id":"sess_1","user_id":null,"page_url":"/","content_id":null,"referrer":null}"#,
        );
        assert_eq!(view.kind(), "page_view");
        assert_eq!(
            decode_sse("heartbeat", r#"{"type":"heartbeat"}"#).kind(),
            "heartbeat"
        );
        assert_eq!(
            decode_sse("message", r#"{"type":"heartbeat"}"#).kind(),
            "heartbeat"
        );
    }

    #[test]
    fn session_started_with_every_field_and_with_nulls() {
        let full = r#"{"type":"SESSION_STARTED","timestamp":"2026-11-23T10:00:00Z","session_id":"sess_1","device_type":"desktop","browser":"Firefox","os":"Linux","country":"DE","referrer_source":"google","is_bot":false}"#;
        assert_eq!(
            decoded(full),
            Event::AnalyticsSessionStarted {
                session: AnalyticsSessionStart {
                    timestamp: at("2026-11-23T10:00:00Z"),
                    session_id: SessionId::new("sess_1"),
                    device_type: Some("desktop".into()),
                    browser: Some("Firefox".into()),
                    os: Some("Linux".into()),
                    country: Some("DE".into()),
                    referrer_source: Some("google".into()),
                    is_bot: false,
                }
            }
        );
        let nulls = r#"{"type":"SESSION_STARTED","timestamp":"2026-11-23T10:00:00.250Z","session_id":"sess_2","device_type":null,"browser":null,"os":null,"country":null,"referrer_source":null,"is_bot":true,"fingerprint":"extra"}"#;
        match decoded(nulls) {
            Event::AnalyticsSessionStarted { session } => {
                assert_eq!(session.session_id.as_str(), "sess_2");
                assert_eq!(session.referrer_source, None);
                assert_eq!(session.country, None);
                assert!(session.is_bot);
                assert_eq!(session.timestamp, at("2026-11-23T10:00:00.250Z"));
            }
            other => panic!("expected a session start, got {other:?}"),
        }
    }

    #[test]
    fn session_ended_page_view_and_engagement() {
        let ended = r#"{"type":"SESSION_ENDED","timestamp":"2026-11-23T10:05:00Z","session_id":"sess_1","duration_ms":300000,"page_count":4,"request_count":17}"#;
        assert_eq!(
            decoded(ended),
            Event::AnalyticsSessionEnded {
                session: AnalyticsSessionEnd {
                    timestamp: at("2026-11-23T10:05:00Z"),
                    session_id: SessionId::new("sess_1"),
                    duration_ms: 300_000,
                    page_count: 4,
                    request_count: 17,
                }
            }
        );
        let view = r#"{"type":"PAGE_VIEW","timestamp":"2026-11-23T10:01:00Z","session_id":"sess_1","user_id":"user_9","page_url":"/docs/mcp","content_id":"c_42","referrer":"https://example.com/"}"#;
        assert_eq!(
            decoded(view),
            Event::PageView {
                page_view: PageView {
                    timestamp: at("2026-11-23T10:01:00Z"),
                    session_id: SessionId::new("sess_1"),
                    user_id: Some(UserId::new("user_9")),
                    page_url: "/docs/mcp".into(),
                    content_id: Some("c_42".into()),
                    referrer: Some("https://example.com/".into()),
                }
            }
        );
        let anonymous = r#"{"type":"PAGE_VIEW","timestamp":"2026-11-23T10:01:00Z","session_id":"sess_3","user_id":null,"page_url":"/","content_id":null,"referrer":null}"#;
        match decoded(anonymous) {
            Event::PageView { page_view } => {
                assert_eq!(page_view.user_id, None);
                assert_eq!(page_view.content_id, None);
                assert_eq!(page_view.referrer, None);
            }
            other => panic!("expected a page view, got {other:?}"),
        }
        let engagement = r#"{"type":"ENGAGEMENT_UPDATE","timestamp":"2026-11-23T10:02:00Z","session_id":"sess_1","page_url":"/docs/mcp","scroll_depth":75,"time_on_page_ms":42000,"click_count":3}"#;
        assert_eq!(
            decoded(engagement),
            Event::EngagementUpdate {
                engagement: EngagementUpdate {
                    timestamp: at("2026-11-23T10:02:00Z"),
                    session_id: SessionId::new("sess_1"),
                    page_url: "/docs/mcp".into(),
                    scroll_depth: 75,
                    time_on_page_ms: 42_000,
                    click_count: 3,
                }
            }
        );
    }

    #[test]
    fn real_time_stats_and_heartbeat() {
        let stats = r#"{"type":"REAL_TIME_STATS","timestamp":"2026-11-23T10:03:00Z","active_sessions":12,"active_users":9,"requests_per_minute":140,"page_views_last_5m":311,"bot_requests_last_5m":27}"#;
        assert_eq!(
            decoded(stats),
            Event::StatsSnapshot {
                stats: StatsSnapshot {
                    at: Some(at("2026-11-23T10:03:00Z")),
                    active_users: Some(9),
                    active_sessions: Some(12),
                    requests_per_minute: Some(140.0),
                    page_views_last_5m: Some(311),
                    bot_requests_last_5m: Some(27),
                }
            }
        );
        assert_eq!(
            decoded(r#"{"type":"HEARTBEAT","timestamp":"2026-11-23T10:04:00Z"}"#),
            Event::Heartbeat {
                at: at("2026-11-23T10:04:00Z")
            }
        );
    }

    #[test]
    fn missing_or_mistyped_required_fields_and_unknown_types_stay_unknown() {
        for raw in [
            // page_url missing
            r#"{"type":"PAGE_VIEW","timestamp":"2026-11-23T10:01:00Z","session_id":"s"}"#,
            // scroll_depth a string
            r#"{"type":"ENGAGEMENT_UPDATE","timestamp":"2026-11-23T10:02:00Z","session_id":"s","page_url":"/","scroll_depth":"75","time_on_page_ms":1,"click_count":0}"#,
            // no timestamp
            r#"{"type":"SESSION_ENDED","session_id":"s","duration_ms":1,"page_count":1,"request_count":1}"#,
            r#"{"type":"CONVERSION","timestamp":"2026-11-23T10:02:00Z","goal":"signup"}"#,
        ] {
            match decoded(raw) {
                Event::Unknown {
                    type_name,
                    raw: kept,
                } => {
                    assert!(type_name.is_some());
                    assert_eq!(kept, raw);
                }
                other => panic!("{raw} decoded as {other:?}"),
            }
        }
    }

    use proptest::prelude::*;

    /// A JSON value of any type, as a server might mistakenly send.
    fn any_json() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (-1e9f64..1e9).prop_map(Value::from),
            "[a-z0-9:_/ -]{0,12}".prop_map(Value::from),
            Just(Value::from("2026-11-23T10:00:00Z")),
            Just(serde_json::json!({"nested": [1, 2]})),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Whatever the fields hold, an event of a known type decodes to
        /// its kind or is kept as unknown with its type; it never panics.
        #[test]
        fn any_payload_decodes_or_is_kept_unknown(
            type_index in 0usize..7,
            fields in prop::collection::vec((prop_oneof![
                Just("timestamp"), Just("session_id"), Just("user_id"), Just("page_url"),
                Just("scroll_depth"), Just("time_on_page_ms"), Just("click_count"),
                Just("duration_ms"), Just("page_count"), Just("request_count"),
                Just("is_bot"), Just("country"), Just("active_users"), Just("extra"),
            ], any_json()), 0..10),
        ) {
            let types = ["SESSION_STARTED", "SESSION_ENDED", "PAGE_VIEW",
                "ENGAGEMENT_UPDATE", "REAL_TIME_STATS", "HEARTBEAT", "SOMETHING_NEW"];
            let mut object = serde_json::Map::new();
            object.insert("type".into(), Value::from(types[type_index]));
            for (name, value) in fields {
                object.insert(name.into(), value);
            }
            let raw = Value::Object(object).to_string();
            match decode_sse("message", &raw) {
                Event::Unknown { type_name, raw: kept } => {
                    prop_assert_eq!(type_name.as_deref(), Some(types[type_index]));
                    prop_assert_eq!(kept, raw);
                }
                event => prop_assert_ne!(type_index, 6, "{:?}", event),
            }
        }
    }

    #[test]
    fn a_nested_payload_is_read_too() {
        let nested = r#"{"type":"REAL_TIME_STATS","timestamp":"2026-11-23T10:03:00Z","data":{"active_users":7,"active_sessions":3,"requests_per_minute":12.5}}"#;
        match decoded(nested) {
            Event::StatsSnapshot { stats } => {
                assert_eq!(stats.active_users, Some(7));
                assert_eq!(stats.requests_per_minute, Some(12.5));
                assert_eq!(stats.at, Some(at("2026-11-23T10:03:00Z")));
            }
            other => panic!("expected stats, got {other:?}"),
        }
    }
}
