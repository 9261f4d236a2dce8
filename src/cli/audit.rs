//! `tracetop audit PREFIX`: resolve a request, task or trace id by prefix
//! and print everything an auditor needs: the AI request(s), the
//! conversation, every tool call and the linked MCP executions.
//! `tracetop audit export`: the recorded verdicts (`tracetop_reviews`).
//!
//! An ambiguous prefix prints the candidates and exits non-zero with a
//! hint; it never picks one. JSON is the engine's `AuditResolution`
//! (`resolution: found|ambiguous`, with the resolved ids). CSV is one row
//! per AI request (with the resolved ids on every row), or the candidates.

use super::common::{
    FormatArgs, SourceArgs, WindowArgs, audit_lookup, check_limit, open_review_store,
};
use crate::error::{Error, Result};
use crate::model::{ReviewRecord, ReviewTarget};
use crate::output::cell::group_thousands;
use crate::output::{self, Block, Cell, Column, Document, RowSet};
use crate::query::{
    AuditCandidate, AuditRecord, AuditRequest, AuditResolution, MAX_AUDIT_CANDIDATES,
    MIN_AUDIT_PREFIX, ReviewFilter, normalise_status,
};
use crate::sanitize;

/// Longest tool input or output shown in a table (JSON carries all of it).
pub const MAX_PAYLOAD_CHARS: usize = 4_000;

/// Arguments of `tracetop audit`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
    /// A request, task or trace id, or its first characters (at least 4).
    #[arg(value_name = "PREFIX", required = true)]
    pub prefix: Option<String>,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub output: FormatArgs,
}

/// `tracetop audit` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Export recorded audit verdicts (newest first).
    Export(ExportArgs),
}

/// Arguments of `tracetop audit export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub output: FormatArgs,
    /// Only verdicts on this kind of target (request, task, trace, mcp_execution, log, anomaly).
    #[arg(long, value_name = "KIND")]
    pub target_kind: Option<ReviewTarget>,
    /// Only verdicts on this target id.
    #[arg(long, value_name = "ID")]
    pub target_id: Option<String>,
    /// Most verdicts to export (the newest); the default is the most a
    /// `tracetop serve` returns per query unless its --max-rows is raised.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub limit: usize,
    /// Only verdicts given in this window [default: all time].
    #[command(flatten)]
    pub window: WindowArgs,
}

/// Run `tracetop audit`.
pub async fn run(args: AuditArgs) -> Result<()> {
    if let Some(AuditCommand::Export(export)) = args.command {
        return run_export(export).await;
    }
    let format = args.output.format()?;
    let prefix = args.prefix.as_deref().map(str::trim).unwrap_or_default();
    if prefix.chars().count() < MIN_AUDIT_PREFIX {
        return Err(Error::input(format!(
            "audit prefix {:?} is too short: give at least {MIN_AUDIT_PREFIX} characters of a request, task or trace id",
            sanitize::clean(prefix)
        )));
    }
    let resolution = match audit_lookup(&args.source, prefix).await {
        Err(Error::NotFound(_)) => {
            return Err(Error::not_found(format!(
                "no request, task or trace id starts with {:?}: check the id",
                sanitize::clean(prefix)
            )));
        }
        other => other?,
    };
    match &resolution {
        AuditResolution::Found(record) => output::emit(
            format,
            &resolution,
            || audit_rows(record),
            || audit_document(record),
        ),
        AuditResolution::Ambiguous { prefix, candidates } => {
            output::emit(
                format,
                &resolution,
                || candidate_rows(candidates),
                || {
                    vec![
                        Block::Heading(format!(
                            "{:?} matches more than one id:",
                            sanitize::clean(prefix)
                        )),
                        Block::Table(candidate_rows(candidates)),
                    ]
                },
            )?;
            let count = if candidates.len() >= MAX_AUDIT_CANDIDATES {
                format!("at least {}", candidates.len())
            } else {
                candidates.len().to_string()
            };
            Err(Error::input(format!(
                "audit prefix {:?} is ambiguous ({count} ids match): give more characters of the id",
                sanitize::clean(prefix)
            )))
        }
    }
}

/// Candidates of an ambiguous prefix as rows.
pub fn candidate_rows(candidates: &[AuditCandidate]) -> RowSet {
    RowSet::new(vec![
        Column::id("kind", "kind"),
        Column::id("id", "id"),
        Column::time("created_at", "created"),
    ])
    .with_rows(candidates.iter().map(|c| {
        vec![
            Cell::text(c.kind.as_str()),
            Cell::text(&c.id),
            Cell::Time(c.created_at),
        ]
    }))
}

/// A resolved record as CSV rows: one per AI request, the resolved ids on each.
pub fn audit_rows(record: &AuditRecord) -> RowSet {
    RowSet::new(vec![
        Column::id("matched_kind", "matched"),
        Column::id("matched_id", "matched id"),
        Column::id("trace_id", "trace"),
        Column::id("task_id", "task"),
        Column::id("request_id", "request"),
        Column::time("created_at", "created"),
        Column::id("provider", "provider"),
        Column::text("model", "model"),
        Column::id("status", "status"),
        Column::num("input_tokens", "input"),
        Column::num("output_tokens", "output"),
        Column::num("total_tokens", "tokens"),
        Column::num("cost_microdollars", "cost"),
        Column::num("latency_ms", "ms"),
        Column::num("message_count", "messages"),
        Column::num("tool_call_count", "tool calls"),
        Column::num("mcp_execution_count", "mcp"),
        Column::text("error_message", "error"),
        Column::text("requested_model", "requested"),
        Column::id("actor_kind", "actor"),
        Column::id("actor_id", "actor id"),
    ])
    .with_rows(record.requests.iter().map(|a| {
        let r = &a.request;
        vec![
            Cell::text(record.matched_kind.as_str()),
            Cell::text(&record.matched_id),
            Cell::opt_text(record.trace_id.as_ref()),
            Cell::opt_text(record.task_id.as_ref()),
            Cell::text(&r.id),
            Cell::Time(r.created_at),
            Cell::text(&r.provider),
            Cell::text(&r.model),
            Cell::text(&r.status),
            Cell::opt_int(r.input_tokens),
            Cell::opt_int(r.output_tokens),
            Cell::opt_int(r.tokens_used),
            Cell::Money(r.cost_microdollars),
            Cell::opt_int(r.latency_ms),
            Cell::Int(a.messages.len() as i64),
            Cell::Int(a.tool_calls.len() as i64),
            Cell::Int(a.mcp_executions.len() as i64),
            Cell::opt_text(r.error_message.as_ref()),
            Cell::opt_text(r.requested_model.as_ref()),
            Cell::opt_text(r.actor_kind.as_ref()),
            Cell::opt_text(r.actor_id.as_ref()),
        ]
    }))
}

fn payload(text: &str) -> String {
    let total = text.chars().count();
    if total <= MAX_PAYLOAD_CHARS {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX_PAYLOAD_CHARS).collect();
    format!(
        "{head}\n… ({} more characters; use --format json for all of it)",
        total - MAX_PAYLOAD_CHARS
    )
}

/// The resolved record for people.
pub fn audit_document(record: &AuditRecord) -> Document {
    let mut fields = vec![
        (
            "matched".to_string(),
            Cell::Text(format!(
                "{} {}",
                record.matched_kind.as_str(),
                record.matched_id
            )),
        ),
        ("trace".into(), Cell::opt_text(record.trace_id.as_ref())),
        ("task".into(), Cell::opt_text(record.task_id.as_ref())),
        (
            "AI requests".into(),
            Cell::Int(record.requests.len() as i64),
        ),
    ];
    if let Some(task) = &record.task {
        fields.push((
            "agent".into(),
            Cell::Text(format!(
                "{} ({})",
                task.agent_name.as_deref().unwrap_or("-"),
                normalise_status(&task.status)
            )),
        ));
        if let Some(e) = &task.error_message {
            fields.push(("task error".into(), Cell::text(e)));
        }
    }
    let mut doc = vec![Block::Heading("Audit".into()), Block::Fields(fields)];
    for audit in &record.requests {
        request_blocks(&mut doc, audit);
    }
    doc
}

fn request_blocks(doc: &mut Document, audit: &AuditRequest) {
    let r = &audit.request;
    doc.push(Block::Heading(format!(
        "AI request {}",
        sanitize::clean(r.id.as_str())
    )));
    let mut fields = vec![
        ("created".to_string(), Cell::Time(r.created_at)),
        (
            "model".into(),
            Cell::Text(format!("{}/{}", r.provider, r.model_label())),
        ),
        ("status".into(), Cell::text(&r.status)),
        ("user".into(), Cell::text(&r.user_id)),
        (
            "actor".into(),
            r.actor_label().map(Cell::Text).unwrap_or(Cell::Empty),
        ),
        ("session".into(), Cell::opt_text(r.session_id.as_ref())),
        ("context".into(), Cell::opt_text(r.context_id.as_ref())),
        (
            "tokens".into(),
            Cell::Text(format!(
                "{} (in {}, out {})",
                group_thousands(r.tokens_used.unwrap_or(0).into()),
                group_thousands(r.input_tokens.unwrap_or(0).into()),
                group_thousands(r.output_tokens.unwrap_or(0).into())
            )),
        ),
        ("cost".into(), Cell::Money(r.cost_microdollars)),
        ("latency ms".into(), Cell::opt_int(r.latency_ms)),
        (
            "cache hit".into(),
            Cell::text(if r.cache_hit { "yes" } else { "no" }),
        ),
    ];
    if r.cache_read_tokens.is_some() || r.cache_creation_tokens.is_some() {
        fields.push((
            "cache tokens".into(),
            Cell::Text(format!(
                "read {}, written {}",
                group_thousands(r.cache_read_tokens.unwrap_or(0).into()),
                group_thousands(r.cache_creation_tokens.unwrap_or(0).into())
            )),
        ));
    }
    if r.is_synthetic() {
        fields.push((
            "synthetic".into(),
            Cell::text("yes (test or probe traffic)"),
        ));
    }
    if let Some(e) = &r.error_message {
        fields.push(("error".into(), Cell::text(e)));
    }
    doc.push(Block::Fields(fields));

    doc.push(Block::Heading(format!(
        "Conversation ({} messages)",
        audit.messages.len()
    )));
    if audit.messages.is_empty() {
        doc.push(Block::Line("(no messages)".into()));
    }
    for m in &audit.messages {
        let mut label = format!("[{}] {}", m.sequence_number, m.role);
        if let Some(name) = &m.name {
            label.push_str(&format!(" {name}"));
        }
        if let Some(call) = &m.tool_call_id {
            label.push_str(&format!(" (tool call {call})"));
        }
        doc.push(Block::Line(label));
        doc.push(Block::Text {
            body: payload(&m.content),
            indent: 4,
        });
    }

    doc.push(Block::Heading(format!(
        "Tool calls ({})",
        audit.tool_calls.len()
    )));
    doc.push(Block::Table(
        RowSet::new(vec![
            Column::num("sequence_number", "#"),
            Column::text("tool_name", "tool"),
            Column::id("mcp_execution_id", "mcp execution"),
            Column::text("tool_input", "input"),
        ])
        .with_rows(audit.tool_calls.iter().map(|c| {
            vec![
                Cell::int(c.sequence_number),
                Cell::text(&c.tool_name),
                Cell::opt_text(c.mcp_execution_id.as_ref()),
                Cell::text(&c.tool_input),
            ]
        })),
    ));

    doc.push(Block::Heading(format!(
        "MCP executions ({})",
        audit.mcp_executions.len()
    )));
    if audit.mcp_executions.is_empty() {
        doc.push(Block::Line("(none linked)".into()));
    }
    for m in &audit.mcp_executions {
        let mut fields = vec![
            ("execution".to_string(), Cell::text(&m.mcp_execution_id)),
            (
                "tool".into(),
                Cell::Text(format!("{}/{}", m.server_name, m.tool_name)),
            ),
            ("status".into(), Cell::text(&m.status)),
            ("started".into(), Cell::Time(m.started_at)),
            ("time ms".into(), Cell::opt_int(m.execution_time_ms)),
        ];
        if let Some(e) = &m.error_message {
            fields.push(("error".into(), Cell::text(e)));
        }
        doc.push(Block::Fields(fields));
        doc.push(Block::Line("input:".into()));
        doc.push(Block::Text {
            body: payload(&m.input),
            indent: 4,
        });
        if let Some(out) = &m.output {
            doc.push(Block::Line("output:".into()));
            doc.push(Block::Text {
                body: payload(out),
                indent: 4,
            });
        }
    }
}

async fn run_export(args: ExportArgs) -> Result<()> {
    let format = args.output.format()?;
    let filter = ReviewFilter {
        target_kind: args.target_kind,
        target_id: args.target_id.clone(),
        limit: check_limit(args.limit)?,
        window: args.window.optional_window()?,
    };
    let reviews = export_reviews(&args.source, &filter).await?;
    if reviews.len() == filter.limit {
        eprintln!(
            "tracetop: exported the newest {} verdicts; there may be more: narrow --since/--until or raise --limit",
            filter.limit
        );
    }
    let set = review_rows(&reviews);
    output::emit(
        format,
        &reviews,
        || set.clone(),
        || {
            vec![
                Block::Heading("Audit verdicts".into()),
                Block::Table(set.clone()),
            ]
        },
    )
}

/// Read the verdicts to export (the one place export touches storage).
pub async fn export_reviews(
    source: &SourceArgs,
    filter: &ReviewFilter,
) -> Result<Vec<ReviewRecord>> {
    let store = open_review_store(source).await?;
    store.reviews(filter).await
}

/// Verdicts as rows.
pub fn review_rows(reviews: &[ReviewRecord]) -> RowSet {
    RowSet::new(vec![
        Column::num("id", "id"),
        Column::time("created_at", "created"),
        Column::id("target_kind", "kind"),
        Column::id("target_id", "target"),
        Column::id("verdict", "verdict"),
        Column::text("reviewer", "reviewer"),
        Column::text("note", "note"),
    ])
    .with_rows(reviews.iter().map(|r| {
        vec![
            Cell::Int(r.id),
            Cell::Time(r.created_at),
            Cell::text(r.target_kind.as_str()),
            Cell::text(&r.target_id),
            Cell::text(r.verdict.as_str()),
            Cell::text(&r.reviewer),
            Cell::opt_text(r.note.as_ref()),
        ]
    }))
}
