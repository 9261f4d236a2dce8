//! `tracetop trace ID`: one trace as a timeline.
//!
//! Table: the summaries (task, AI requests, MCP executions, steps) above a
//! timeline with one row per log line, AI request, MCP execution and step
//! (time, kind, what, duration or latency, tokens, cost, status); a trace
//! with several tasks (an agent delegating to sub-agents) shows them as a
//! chain, parent first. JSON is the engine's `TraceDetail` (`trace_id`,
//! `events` each with `kind`, the summaries, `task` and `tasks`). CSV is
//! the timeline.

use super::common::{FormatArgs, SourceArgs, open_engine};
use crate::error::{Error, Result};
use crate::model::TraceId;
use crate::output::{self, Block, Cell, Column, Document, RowSet};
use crate::query::{TraceDetail, TraceEvent, normalise_status};
use crate::sanitize;

/// Arguments of `tracetop trace`.
#[derive(Debug, clap::Args)]
pub struct TraceArgs {
    /// The full trace id (resolve a prefix with `tracetop audit PREFIX`).
    #[arg(value_name = "ID")]
    pub id: String,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub output: FormatArgs,
}

/// Run `tracetop trace`.
pub async fn run(args: TraceArgs) -> Result<()> {
    let format = args.output.format()?;
    let id = args.id.trim();
    if id.is_empty() {
        return Err(Error::input("trace id is empty: give the trace id to show"));
    }
    let engine = open_engine(&args.source).await?;
    let detail = match engine.trace_detail(&TraceId::new(id)).await {
        Err(Error::NotFound(_)) => {
            let shown = sanitize::clean(id);
            return Err(Error::not_found(format!(
                "no trace with id {shown:?}: check the id, or resolve a prefix with `tracetop audit {shown}`"
            )));
        }
        other => other?,
    };
    output::emit(
        format,
        &detail,
        || timeline_rows(&detail),
        || trace_document(&detail),
    )
}

/// What one timeline row shows.
struct TimelineRow {
    kind: &'static str,
    id: String,
    what: String,
    duration_ms: Option<i64>,
    tokens: Option<i64>,
    cost: Option<crate::model::Microdollars>,
    status: String,
}

fn describe(event: &TraceEvent) -> TimelineRow {
    match event {
        TraceEvent::Log(l) => TimelineRow {
            kind: "log",
            id: l.id.to_string(),
            what: format!("{} {}: {}", l.level, l.module, l.message),
            duration_ms: None,
            tokens: None,
            cost: None,
            status: l.level.to_ascii_lowercase(),
        },
        TraceEvent::AiRequest(r) => TimelineRow {
            kind: "ai_request",
            id: r.id.to_string(),
            what: request_what(r),
            duration_ms: r.latency_ms.map(i64::from),
            tokens: r.tokens_used.map(i64::from),
            cost: Some(r.cost_microdollars),
            status: r.status.clone(),
        },
        TraceEvent::McpExecution(m) => TimelineRow {
            kind: "mcp_execution",
            id: m.mcp_execution_id.to_string(),
            what: match &m.error_message {
                Some(e) => format!("{}/{}: {e}", m.server_name, m.tool_name),
                None => format!("{}/{}", m.server_name, m.tool_name),
            },
            duration_ms: m.execution_time_ms.map(i64::from),
            tokens: None,
            cost: None,
            status: m.status.clone(),
        },
        TraceEvent::Step(s) => TimelineRow {
            kind: "step",
            id: s.step_id.to_string(),
            what: match (&s.title, &s.error_message) {
                (Some(t), Some(e)) => format!("{}: {t}: {e}", s.step_type),
                (Some(t), None) => format!("{}: {t}", s.step_type),
                (None, Some(e)) => format!("{}: {e}", s.step_type),
                (None, None) => s.step_type.clone(),
            },
            duration_ms: s.duration_ms.map(i64::from),
            tokens: None,
            cost: None,
            status: s.status.clone(),
        },
    }
}

/// An AI request in one line: provider and model (`requested → served`
/// when the gateway routed to a fallback), the actor (a job, an MCP
/// server, or a user acting for another), cache and synthetic
/// markers, then the error if any.
pub fn request_what(r: &crate::model::AiRequestRecord) -> String {
    let mut what = format!("{}/{}", r.provider, r.model_label());
    // the actor, unless it is the request's own user
    let own_user = r.actor_kind.as_deref() == Some(crate::model::actor_kind::USER)
        && r.actor_id.as_deref() == Some(r.user_id.as_str());
    if let Some(actor) = r.actor_label().filter(|_| !own_user) {
        what.push_str(&format!(" by {actor}"));
    }
    if r.cache_hit {
        what.push_str(" (cache hit)");
    }
    if r.is_synthetic() {
        what.push_str(" (synthetic)");
    }
    if let Some(e) = &r.error_message {
        what.push_str(&format!(": {e}"));
    }
    what
}

/// The trace's tasks as a delegation chain: the parent (earliest) first,
/// each later task drawn under it.
pub fn task_chain_rows(detail: &TraceDetail) -> RowSet {
    RowSet::new(vec![
        Column::text("agent", "agent"),
        Column::id("task_id", "task"),
        Column::id("status", "status"),
        Column::num("execution_time_ms", "ms"),
        Column::time("created_at", "created"),
    ])
    .with_rows(detail.tasks.iter().enumerate().map(|(i, t)| {
        let agent = t.agent_name.as_deref().unwrap_or("-");
        vec![
            Cell::Text(if i == 0 {
                agent.to_string()
            } else {
                format!("└─ {agent}")
            }),
            Cell::text(&t.task_id),
            Cell::Text(normalise_status(&t.status)),
            Cell::opt_int(t.execution_time_ms.map(i64::from)),
            Cell::Time(t.created_at),
        ]
    }))
}

/// The timeline as rows. CSV columns: `at`, `kind`, `id`, `what`,
/// `duration_ms` (latency for AI requests), `total_tokens`,
/// `cost_microdollars`, `status`.
pub fn timeline_rows(detail: &TraceDetail) -> RowSet {
    RowSet::new(vec![
        Column::time("at", "time"),
        Column::id("kind", "kind"),
        Column::text("what", "what"),
        Column::num("duration_ms", "ms"),
        Column::num("total_tokens", "tokens"),
        Column::num("cost_microdollars", "cost"),
        Column::id("status", "status"),
        Column::id("id", "id"),
    ])
    .with_rows(detail.events.iter().map(|event| {
        let row = describe(event);
        vec![
            Cell::Clock(event.at()),
            Cell::text(row.kind),
            Cell::Text(row.what),
            Cell::opt_int(row.duration_ms),
            Cell::opt_int(row.tokens),
            row.cost.map(Cell::Money).unwrap_or(Cell::Empty),
            Cell::Text(row.status),
            Cell::Text(row.id),
        ]
    }))
}

/// The trace's status as the trace list reports it: `failed` when any AI
/// request or tool call failed, else the earliest task's state, else
/// pending / completed from the rows.
pub fn trace_status(detail: &TraceDetail) -> String {
    if detail.ai_summary.failed_count + detail.mcp_summary.failed_count > 0 {
        return "failed".into();
    }
    if let Some(task) = &detail.task {
        return normalise_status(&task.status);
    }
    let pending = detail.events.iter().any(|e| match e {
        TraceEvent::AiRequest(r) => r.status == crate::model::request_status::PENDING,
        TraceEvent::McpExecution(m) => m.status == crate::model::mcp_status::PENDING,
        _ => false,
    });
    if pending { "pending" } else { "completed" }.into()
}

/// The trace for people: summaries, then the delegation chain (when the
/// trace has several tasks), then the timeline.
pub fn trace_document(detail: &TraceDetail) -> Document {
    let ai = &detail.ai_summary;
    let mcp = &detail.mcp_summary;
    let steps = &detail.step_summary;
    let mut fields = vec![("trace".to_string(), Cell::text(&detail.trace_id))];
    if let (Some(first), Some(last)) = (detail.events.first(), detail.events.last()) {
        fields.push(("started".into(), Cell::Time(first.at())));
        fields.push((
            "span ms".into(),
            Cell::Int((last.at() - first.at()).num_milliseconds()),
        ));
    }
    if let Some(task) = &detail.task {
        fields.push((
            "task".into(),
            Cell::Text(format!(
                "{} {} ({})",
                task.task_id,
                task.agent_name.as_deref().unwrap_or("-"),
                normalise_status(&task.status)
            )),
        ));
        if let Some(e) = &task.error_message {
            fields.push(("task error".into(), Cell::text(e)));
        }
    }
    fields.extend([
        (
            "AI requests".to_string(),
            Cell::Text(format!("{} ({} failed)", ai.request_count, ai.failed_count)),
        ),
        ("status".to_string(), Cell::Text(trace_status(detail))),
        (
            "tokens".into(),
            Cell::Text(format!(
                "{} (in {}, out {})",
                output::cell::group_thousands(ai.total_tokens),
                output::cell::group_thousands(ai.input_tokens),
                output::cell::group_thousands(ai.output_tokens)
            )),
        ),
        ("cost".into(), Cell::Money(ai.total_cost_microdollars)),
        ("AI latency ms".into(), Cell::Int(ai.total_latency_ms)),
        (
            "tool calls".into(),
            Cell::Text(format!(
                "{} ({} failed, {} ms)",
                mcp.execution_count, mcp.failed_count, mcp.total_execution_time_ms
            )),
        ),
        (
            "steps".into(),
            Cell::Text(format!(
                "{} ({} completed, {} failed, {} ms)",
                steps.step_count,
                steps.completed_count,
                steps.failed_count,
                steps.total_duration_ms
            )),
        ),
    ]);
    let mut doc = vec![Block::Heading("Trace".into()), Block::Fields(fields)];
    if detail.tasks.len() > 1 {
        doc.push(Block::Heading(format!(
            "Delegation ({} tasks)",
            detail.tasks.len()
        )));
        doc.push(Block::Table(task_chain_rows(detail)));
    }
    doc.push(Block::Heading("Timeline".into()));
    doc.push(Block::Table(timeline_rows(detail)));
    doc
}
