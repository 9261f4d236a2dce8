//! A faster equivalent of [`Event::from_json`] for the hot ingest path.
//!
//! `Event` is an internally tagged enum, which serde decodes by first
//! buffering the whole object into a generic tree and then converting it.
//! Here the `type` tag is read first (straight from the text when it leads
//! the object, as our writers put it; otherwise in a pass that skips
//! everything else), then the payload is decoded straight into the
//! variant's record. Any text
//! the fast path does not handle (other kinds, malformed input) goes to
//! [`Event::from_json`], so the result is always the same as its.

use crate::model::*;
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
}

#[derive(Deserialize)]
struct RequestPayload {
    request: AiRequestRecord,
    #[serde(default)]
    messages: Vec<MessageRecord>,
    #[serde(default)]
    tool_calls: Vec<ToolCallRecord>,
}

#[derive(Deserialize)]
struct McpPayload {
    execution: McpExecutionRecord,
}

#[derive(Deserialize)]
struct LogPayload {
    log: LogRecord,
}

#[derive(Deserialize)]
struct TaskPayload {
    task: AgentTaskRecord,
}

#[derive(Deserialize)]
struct StepPayload {
    step: StepRecord,
}

#[derive(Deserialize)]
struct SessionPayload {
    session: SessionRecord,
}

#[derive(Deserialize)]
struct UserPayload {
    user: UserRecord,
}

#[derive(Deserialize)]
struct ContextPayload {
    context: ContextRecord,
}

/// Decode one JSON text into an [`Event`]; never fails (see the module
/// docs). Same result as [`Event::from_json`], faster for the record kinds.
pub fn decode_event(raw: &str) -> Event {
    fast(raw).unwrap_or_else(|| Event::from_json(raw))
}

/// The `type` tag when the text starts with it, as our own writers put it
/// (`{"type":"log",…`); no escapes allowed inside.
fn leading_tag(raw: &str) -> Option<&str> {
    let rest = raw.strip_prefix("{\"type\":\"")?;
    let end = rest.find('"')?;
    let tag = &rest[..end];
    (!tag.contains('\\')).then_some(tag)
}

fn fast(raw: &str) -> Option<Event> {
    let tag: Tag = match leading_tag(raw) {
        Some(kind) => Tag {
            kind: Cow::Borrowed(kind),
        },
        None => serde_json::from_str(raw).ok()?,
    };
    fn payload<'a, T: Deserialize<'a>>(raw: &'a str) -> Option<T> {
        serde_json::from_str(raw).ok()
    }
    Some(match &*tag.kind {
        "log" => Event::Log {
            log: payload::<LogPayload>(raw)?.log,
        },
        "ai_request_started" => Event::AiRequestStarted {
            request: payload::<RequestPayload>(raw)?.request,
        },
        "ai_request_completed" => {
            let p: RequestPayload = payload(raw)?;
            Event::AiRequestCompleted {
                request: p.request,
                messages: p.messages,
                tool_calls: p.tool_calls,
            }
        }
        "ai_request_failed" => {
            let p: RequestPayload = payload(raw)?;
            Event::AiRequestFailed {
                request: p.request,
                messages: p.messages,
                tool_calls: p.tool_calls,
            }
        }
        "mcp_execution" => Event::McpExecution {
            execution: payload::<McpPayload>(raw)?.execution,
        },
        "task_updated" => Event::TaskUpdated {
            task: payload::<TaskPayload>(raw)?.task,
        },
        "execution_step" => Event::ExecutionStep {
            step: payload::<StepPayload>(raw)?.step,
        },
        "session_started" => Event::SessionStarted {
            session: payload::<SessionPayload>(raw)?.session,
        },
        "session_ended" => Event::SessionEnded {
            session: payload::<SessionPayload>(raw)?.session,
        },
        "user_seen" => Event::UserSeen {
            user: payload::<UserPayload>(raw)?.user,
        },
        "context_created" => Event::ContextCreated {
            context: payload::<ContextPayload>(raw)?.context,
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_for_other_kinds_and_bad_input() {
        for raw in [
            r#"{"type":"heartbeat","at":"2026-11-23T10:00:00Z"}"#,
            r#"{"type":"PAGE_VIEW","path":"/x"}"#,
            r#"{"type":"log","log":{"id":1}}"#,
            "not json",
            r#"{"no_type":true}"#,
        ] {
            assert_eq!(decode_event(raw), Event::from_json(raw), "{raw}");
        }
    }

    #[test]
    fn reads_a_leading_tag_only_when_plain() {
        assert_eq!(leading_tag(r#"{"type":"log","log":{}}"#), Some("log"));
        assert_eq!(leading_tag(r#"{ "type":"log"}"#), None);
        assert_eq!(leading_tag(r#"{"type":"lo\"g"}"#), None);
        assert_eq!(leading_tag(r#"{"type":"log"#), None);
    }

    #[test]
    fn log_decodes_like_from_json() {
        let raw = r#"{"message_ignored":1,"log":{"id":"l1","timestamp":"2026-11-23T10:00:00Z","level":"INFO","module":"m","message":"hi \u001b[31m","metadata":null,"user_id":null,"session_id":null,"task_id":null,"trace_id":"t","context_id":null,"client_id":null},"type":"log"}"#;
        let fast = decode_event(raw);
        assert!(matches!(fast, Event::Log { .. }));
        assert_eq!(fast, Event::from_json(raw));
    }
}
