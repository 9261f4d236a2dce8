//! One event made a display-ready feed row: its kind, severity, subject and
//! detail, sanitized once at ingest.

use super::*;

impl Feed {
    /// The row an event shows as (`None` for events that are not rows:
    /// heartbeats and stats snapshots).
    pub(super) fn row_for(&self, event: &Event) -> Option<FeedRow> {
        let clean = |s: &str| sanitize::truncate_width(&sanitize::clean(s), 200);
        let base = FeedRow {
            seq: 0,
            at: event.occurred_at(),
            kind: "",
            user: String::new(),
            agent: String::new(),
            subject: String::new(),
            tokens: None,
            cost: None,
            latency_ms: None,
            status: String::new(),
            severity: RowSeverity::Normal,
            level: None,
            trace_id: event.trace_id().cloned(),
            id: String::new(),
        };
        let row = match event {
            Event::AiRequestStarted { request }
            | Event::AiRequestCompleted { request, .. }
            | Event::AiRequestFailed { request, .. } => {
                let (kind, severity) = match event {
                    Event::AiRequestStarted { .. } => ("ai.start", RowSeverity::Pending),
                    Event::AiRequestFailed { .. } => ("ai.fail", RowSeverity::Error),
                    _ if request.status == request_status::FAILED => {
                        ("ai.fail", RowSeverity::Error)
                    }
                    _ => ("ai.done", RowSeverity::Normal),
                };
                let status = match &request.error_message {
                    Some(err) if severity == RowSeverity::Error => {
                        format!("{} {}", request.status, clean(err))
                    }
                    _ => clean(&request.status),
                };
                FeedRow {
                    kind,
                    severity,
                    user: clean(request.user_id.as_str()),
                    agent: self.agent_of(request.task_id.as_ref()),
                    // requested → served when routed; synthetic marked
                    subject: clean(&format!(
                        "{}{}",
                        request.model_label(),
                        if request.is_synthetic() {
                            " ⚗synthetic"
                        } else {
                            ""
                        }
                    )),
                    tokens: request.tokens_used.map(i64::from).or_else(|| {
                        match (request.input_tokens, request.output_tokens) {
                            (None, None) => None,
                            (i, o) => Some(i64::from(i.unwrap_or(0)) + i64::from(o.unwrap_or(0))),
                        }
                    }),
                    cost: (kind != "ai.start").then_some(request.cost_microdollars),
                    latency_ms: request.latency_ms.map(i64::from),
                    status,
                    id: clean(request.id.as_str()),
                    ..base
                }
            }
            Event::McpExecution { execution } => {
                let severity = match execution.status.as_str() {
                    mcp_status::FAILED | mcp_status::TIMEOUT => RowSeverity::Error,
                    mcp_status::PENDING => RowSeverity::Pending,
                    _ => RowSeverity::Normal,
                };
                let status = match &execution.error_message {
                    Some(err) if severity == RowSeverity::Error => {
                        format!("{} {}", execution.status, clean(err))
                    }
                    _ => clean(&execution.status),
                };
                FeedRow {
                    kind: "mcp",
                    severity,
                    user: execution
                        .user_id
                        .as_ref()
                        .map(|u| clean(u.as_str()))
                        .unwrap_or_default(),
                    agent: self.agent_of(execution.task_id.as_ref()),
                    subject: clean(&execution.tool_name),
                    latency_ms: execution.execution_time_ms.map(i64::from),
                    status,
                    id: clean(execution.mcp_execution_id.as_str()),
                    ..base
                }
            }
            Event::Log { log } => {
                let level = log.level.to_uppercase();
                let severity = match level.as_str() {
                    "ERROR" => RowSeverity::Error,
                    "WARN" | "WARNING" => RowSeverity::Warning,
                    _ => RowSeverity::Normal,
                };
                FeedRow {
                    kind: "log",
                    severity,
                    user: log
                        .user_id
                        .as_ref()
                        .map(|u| clean(u.as_str()))
                        .unwrap_or_default(),
                    agent: self.agent_of(log.task_id.as_ref()),
                    subject: clean(&log.module),
                    status: format!("{} {}", clean(&level), clean(&log.message)),
                    level: Some(clean(&level)),
                    id: clean(log.id.as_str()),
                    ..base
                }
            }
            Event::TaskUpdated { task } => FeedRow {
                kind: "task",
                severity: if task.status == task_state::FAILED {
                    RowSeverity::Error
                } else {
                    RowSeverity::Normal
                },
                user: task
                    .user_id
                    .as_ref()
                    .map(|u| clean(u.as_str()))
                    .unwrap_or_default(),
                agent: task.agent_name.as_deref().map(clean).unwrap_or_default(),
                latency_ms: task.execution_time_ms.map(i64::from),
                status: match &task.error_message {
                    Some(err) => format!(
                        "{} {}",
                        crate::query::normalise_status(&task.status),
                        clean(err)
                    ),
                    None => clean(&crate::query::normalise_status(&task.status)),
                },
                id: clean(task.task_id.as_str()),
                ..base
            },
            Event::ExecutionStep { step } => FeedRow {
                kind: "step",
                severity: if step.status.eq_ignore_ascii_case("failed") {
                    RowSeverity::Error
                } else {
                    RowSeverity::Normal
                },
                agent: self.agent_of(Some(&step.task_id)),
                subject: clean(step.title.as_deref().unwrap_or(&step.step_type)),
                latency_ms: step.duration_ms.map(i64::from),
                status: clean(&step.status),
                id: clean(step.step_id.as_str()),
                ..base
            },
            Event::SessionStarted { session } | Event::SessionEnded { session } => FeedRow {
                kind: if matches!(event, Event::SessionStarted { .. }) {
                    "sess.new"
                } else {
                    "sess.end"
                },
                user: session
                    .user_id
                    .as_ref()
                    .map(|u| clean(u.as_str()))
                    .unwrap_or_default(),
                subject: session.country.as_deref().map(clean).unwrap_or_default(),
                status: if session.is_bot || session.is_scanner || session.is_behavioral_bot {
                    "bot".to_string()
                } else {
                    session
                        .device_type
                        .as_deref()
                        .map(clean)
                        .unwrap_or_default()
                },
                id: clean(session.session_id.as_str()),
                ..base
            },
            Event::UserSeen { user } => FeedRow {
                kind: "user",
                user: clean(user.id.as_str()),
                subject: clean(&user.name),
                status: clean(&user.status),
                id: clean(user.id.as_str()),
                ..base
            },
            Event::ContextCreated { context } => FeedRow {
                kind: "context",
                user: clean(context.user_id.as_str()),
                subject: clean(&context.name),
                id: clean(context.context_id.as_str()),
                ..base
            },
            Event::AnomalyRaised { anomaly }
            | Event::AnomalyEscalated { anomaly }
            | Event::AnomalyCleared { anomaly } => {
                let cleared = matches!(event, Event::AnomalyCleared { .. });
                FeedRow {
                    kind: match event {
                        Event::AnomalyRaised { .. } => "anomaly",
                        Event::AnomalyEscalated { .. } => "anom.esc",
                        _ => "anom.clr",
                    },
                    severity: if cleared {
                        RowSeverity::Normal
                    } else {
                        RowSeverity::Anomaly
                    },
                    user: String::new(),
                    subject: clean(&anomaly.rule),
                    status: format!("{} {}", clean(&anomaly.subject), clean(&anomaly.message)),
                    id: clean(&anomaly.id),
                    ..base
                }
            }
            Event::AnalyticsSessionStarted { .. }
            | Event::AnalyticsSessionEnded { .. }
            | Event::PageView { .. }
            | Event::EngagementUpdate { .. } => crate::tui::analytics_rows::row(event, base)?,
            Event::Gap {
                dropped, reason, ..
            } => FeedRow {
                kind: "gap",
                severity: RowSeverity::Warning,
                status: event
                    .time_gap_line()
                    .unwrap_or_else(|| format!("{dropped} events lost: {}", clean(reason))),
                ..base
            },
            Event::Unknown { type_name, .. } => FeedRow {
                kind: "unknown",
                subject: type_name.as_deref().map(clean).unwrap_or_default(),
                ..base
            },
            Event::Heartbeat { .. } | Event::StatsSnapshot { .. } => return None,
        };
        Some(row)
    }
}
