//! COPY text-format encoding of a workload for the bulk loader: one batch
//! per table, parents first (users, sessions, contexts, tasks, steps, MCP
//! executions, AI requests, messages, tool calls, logs), with only the
//! optional columns the target database has.

use super::Workload;
use crate::model::*;
use crate::pg::columns::ColumnSet;
use std::fmt::Write as _;

/// One table's rows of one chunk, COPY-encoded.
pub(crate) struct CopyBatch {
    pub table: &'static str,
    pub statement: String,
    pub rows: u64,
    pub data: Vec<u8>,
}

/// COPY text-format row writer.
struct Rows {
    buf: String,
    rows: u64,
    first: bool,
}

impl Rows {
    fn new() -> Self {
        Rows {
            buf: String::new(),
            rows: 0,
            first: true,
        }
    }
    fn sep(&mut self) {
        if !self.first {
            self.buf.push('\t');
        }
        self.first = false;
    }
    fn text(&mut self, s: &str) -> &mut Self {
        self.sep();
        for c in s.chars() {
            match c {
                '\\' => self.buf.push_str("\\\\"),
                '\n' => self.buf.push_str("\\n"),
                '\r' => self.buf.push_str("\\r"),
                '\t' => self.buf.push_str("\\t"),
                '\0' => {}
                c => self.buf.push(c),
            }
        }
        self
    }
    fn opt(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => {
                self.sep();
                self.buf.push_str("\\N");
                self
            }
        }
    }
    fn num(&mut self, n: i64) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{n}");
        self
    }
    fn opt_num(&mut self, n: Option<i64>) -> &mut Self {
        match n {
            Some(n) => self.num(n),
            None => self.opt(None),
        }
    }
    fn bool(&mut self, b: bool) -> &mut Self {
        self.sep();
        self.buf.push(if b { 't' } else { 'f' });
        self
    }
    fn ts(&mut self, t: Timestamp) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{}", t.format("%Y-%m-%d %H:%M:%S%.6f+00"));
        self
    }
    fn opt_ts(&mut self, t: Option<Timestamp>) -> &mut Self {
        match t {
            Some(t) => self.ts(t),
            None => self.opt(None),
        }
    }
    fn array(&mut self, items: &[String]) -> &mut Self {
        let mut literal = String::from("{");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                literal.push(',');
            }
            literal.push('"');
            for c in item.chars() {
                if c == '"' || c == '\\' {
                    literal.push('\\');
                }
                literal.push(c);
            }
            literal.push('"');
        }
        literal.push('}');
        self.text(&literal)
    }
    fn end(&mut self) {
        self.buf.push('\n');
        self.rows += 1;
        self.first = true;
    }
    fn batch(self, table: &'static str, statement: String) -> Option<CopyBatch> {
        (self.rows > 0).then(|| CopyBatch {
            table,
            statement,
            rows: self.rows,
            data: self.buf.into_bytes(),
        })
    }
}

/// An optional typed id as optional text.
macro_rules! opt_id {
    ($x:expr) => {
        $x.as_ref().map(|v| v.as_str())
    };
}

/// Which optional columns the target has, for the COPY column lists.
#[derive(Debug, Clone)]
pub(crate) struct CopyColumns {
    request: Vec<&'static str>,
    session_crawler: bool,
    log_gateway: bool,
    log_provider: bool,
}

/// Optional `ai_requests` columns, in the order they are copied.
const REQUEST_OPTIONAL: [&str; 9] = [
    "requested_model",
    "cache_read_tokens",
    "cache_creation_tokens",
    "is_streaming",
    "actor_kind",
    "actor_id",
    "synthetic",
    "gateway_conversation_id",
    "provider_request_id",
];

impl CopyColumns {
    pub(crate) fn new(columns: &ColumnSet) -> CopyColumns {
        CopyColumns {
            request: REQUEST_OPTIONAL
                .into_iter()
                .filter(|c| columns.has("ai_requests", c))
                .collect(),
            session_crawler: columns.has("user_sessions", "is_ai_crawler"),
            log_gateway: columns.has("logs", "gateway_conversation_id"),
            log_provider: columns.has("logs", "provider_request_id"),
        }
    }
}

/// `COPY table (base, optional…) FROM STDIN`.
fn copy_statement(table: &str, base: &str, optional: &[&str]) -> String {
    let mut cols = base.to_string();
    for c in optional {
        cols.push_str(", ");
        cols.push_str(c);
    }
    format!("COPY {table} ({cols}) FROM STDIN")
}

/// Encode a workload as one COPY batch per non-empty table, parents first.
pub(crate) fn encode(w: &Workload, columns: &CopyColumns) -> Vec<CopyBatch> {
    let mut out = Vec::new();
    let mut r = Rows::new();
    for u in &w.users {
        r.text(&u.id.0)
            .text(&u.name)
            .opt(u.email.as_deref())
            .text(&u.status)
            .array(&u.roles)
            .ts(u.created_at)
            .end();
    }
    out.extend(r.batch(
        "users",
        copy_statement("users", "id, name, email, status, roles, created_at", &[]),
    ));
    let mut r = Rows::new();
    for s in &w.sessions {
        r.text(&s.session_id.0)
            .opt(opt_id!(s.user_id))
            .ts(s.started_at)
            .ts(s.last_activity_at)
            .opt_ts(s.ended_at)
            .opt(opt_id!(s.client_id))
            .num(i64::from(s.request_count))
            .num(i64::from(s.ai_request_count))
            .num(s.total_tokens_used)
            .num(s.total_ai_cost_microdollars.0)
            .opt(s.user_agent.as_deref())
            .opt(s.device_type.as_deref())
            .opt(s.browser.as_deref())
            .opt(s.os.as_deref())
            .opt(s.country.as_deref())
            .opt(s.referrer_source.as_deref())
            .opt(s.landing_page.as_deref())
            .opt(s.fingerprint_hash.as_deref())
            .bool(s.is_bot)
            .bool(s.is_scanner)
            .bool(s.is_behavioral_bot)
            .opt(s.session_source.as_deref());
        if columns.session_crawler {
            r.bool(s.is_ai_crawler.unwrap_or(false));
        }
        r.end();
    }
    let crawler: &[&str] = if columns.session_crawler {
        &["is_ai_crawler"]
    } else {
        &[]
    };
    out.extend(r.batch("user_sessions", copy_statement("user_sessions", "session_id, user_id, started_at, last_activity_at, ended_at, client_id, request_count, ai_request_count, total_tokens_used, total_ai_cost_microdollars, user_agent, device_type, browser, os, country, referrer_source, landing_page, fingerprint_hash, is_bot, is_scanner, is_behavioral_bot, session_source", crawler)));
    let mut r = Rows::new();
    for c in &w.contexts {
        r.text(&c.context_id.0)
            .text(&c.user_id.0)
            .opt(opt_id!(c.session_id))
            .text(&c.name)
            .ts(c.created_at)
            .ts(c.updated_at)
            .end();
    }
    out.extend(r.batch(
        "user_contexts",
        copy_statement(
            "user_contexts",
            "context_id, user_id, session_id, name, created_at, updated_at",
            &[],
        ),
    ));
    let mut r = Rows::new();
    for t in &w.tasks {
        r.text(&t.task_id.0)
            .opt(opt_id!(t.context_id))
            .text(&t.status)
            .opt(opt_id!(t.user_id))
            .opt(opt_id!(t.session_id))
            .opt(opt_id!(t.trace_id))
            .opt(t.agent_name.as_deref())
            .opt_ts(t.started_at)
            .opt_ts(t.completed_at)
            .opt_num(t.execution_time_ms.map(i64::from))
            .opt(t.error_message.as_deref())
            .ts(t.created_at)
            .ts(t.updated_at)
            .end();
    }
    out.extend(r.batch("agent_tasks", copy_statement("agent_tasks", "task_id, context_id, status, user_id, session_id, trace_id, agent_name, started_at, completed_at, execution_time_ms, error_message, created_at, updated_at", &[])));
    let mut r = Rows::new();
    for s in &w.steps {
        r.text(&s.step_id.0)
            .text(&s.task_id.0)
            .text(&s.step_type)
            .opt(s.title.as_deref())
            .text(&s.status)
            .opt(s.content.as_deref())
            .ts(s.started_at)
            .opt_ts(s.completed_at)
            .opt_num(s.duration_ms.map(i64::from))
            .opt(s.error_message.as_deref())
            .end();
    }
    out.extend(r.batch("task_execution_steps", copy_statement("task_execution_steps", "step_id, task_id, step_type, title, status, content, started_at, completed_at, duration_ms, error_message", &[])));
    // MCP executions before the tool calls that name them (foreign key)
    let mut r = Rows::new();
    for m in &w.mcp_executions {
        r.text(&m.mcp_execution_id.0)
            .text(&m.tool_name)
            .text(&m.server_name)
            .ts(m.started_at)
            .opt_ts(m.completed_at)
            .opt_num(m.execution_time_ms.map(i64::from))
            .text(&m.input)
            .opt(m.output.as_deref())
            .text(&m.status)
            .opt(m.error_message.as_deref())
            .opt(opt_id!(m.user_id))
            .opt(opt_id!(m.session_id))
            .opt(opt_id!(m.context_id))
            .opt(opt_id!(m.task_id))
            .opt(opt_id!(m.trace_id))
            .ts(m.created_at)
            .end();
    }
    out.extend(r.batch("mcp_tool_executions", copy_statement("mcp_tool_executions", "mcp_execution_id, tool_name, server_name, started_at, completed_at, execution_time_ms, input, output, status, error_message, user_id, session_id, context_id, task_id, trace_id, created_at", &[])));
    let mut r = Rows::new();
    for a in &w.ai_requests {
        r.text(&a.id.0)
            .text(&a.request_id)
            .text(&a.user_id.0)
            .opt(opt_id!(a.session_id))
            .opt(opt_id!(a.task_id))
            .opt(opt_id!(a.context_id))
            .opt(opt_id!(a.trace_id))
            .opt(opt_id!(a.mcp_execution_id))
            .text(&a.provider)
            .text(&a.model)
            .opt_num(a.tokens_used.map(i64::from))
            .opt_num(a.input_tokens.map(i64::from))
            .opt_num(a.output_tokens.map(i64::from))
            .num(a.cost_microdollars.0)
            .opt_num(a.latency_ms.map(i64::from))
            .bool(a.cache_hit)
            .text(&a.status)
            .opt(a.error_message.as_deref())
            .ts(a.created_at)
            .ts(a.updated_at)
            .opt_ts(a.completed_at);
        let (kind, actor) = super::upsert::actor_of(a);
        for c in &columns.request {
            match *c {
                "requested_model" => r.opt(a.requested_model.as_deref()),
                "cache_read_tokens" => r.opt_num(a.cache_read_tokens.map(i64::from)),
                "cache_creation_tokens" => r.opt_num(a.cache_creation_tokens.map(i64::from)),
                "is_streaming" => r.bool(a.is_streaming.unwrap_or(false)),
                "actor_kind" => r.text(kind),
                "actor_id" => r.text(actor),
                "synthetic" => r.bool(a.synthetic.unwrap_or(false)),
                "gateway_conversation_id" => r.opt(a.gateway_conversation_id.as_deref()),
                _ => r.opt(a.provider_request_id.as_deref()),
            };
        }
        r.end();
    }
    out.extend(r.batch("ai_requests", copy_statement("ai_requests", "id, request_id, user_id, session_id, task_id, context_id, trace_id, mcp_execution_id, provider, model, tokens_used, input_tokens, output_tokens, cost_microdollars, latency_ms, cache_hit, status, error_message, created_at, updated_at, completed_at", &columns.request)));
    let mut r = Rows::new();
    for m in &w.messages {
        r.text(&m.request_id.0)
            .text(&m.role)
            .text(&m.content)
            .num(i64::from(m.sequence_number))
            .opt(m.name.as_deref())
            .opt(m.tool_call_id.as_deref())
            .end();
    }
    out.extend(r.batch(
        "ai_request_messages",
        copy_statement(
            "ai_request_messages",
            "request_id, role, content, sequence_number, name, tool_call_id",
            &[],
        ),
    ));
    let mut r = Rows::new();
    for c in &w.tool_calls {
        r.text(&c.request_id.0)
            .text(&c.tool_name)
            .text(&c.tool_input)
            .opt(opt_id!(c.mcp_execution_id))
            .opt(c.ai_tool_call_id.as_deref())
            .num(i64::from(c.sequence_number))
            .end();
    }
    out.extend(r.batch(
        "ai_request_tool_calls",
        copy_statement(
            "ai_request_tool_calls",
            "request_id, tool_name, tool_input, mcp_execution_id, ai_tool_call_id, sequence_number",
            &[],
        ),
    ));
    let mut r = Rows::new();
    for l in &w.logs {
        r.text(&l.id.0)
            .ts(l.timestamp)
            .text(&l.level)
            .text(&l.module)
            .text(&l.message)
            .opt(l.metadata.as_deref())
            .opt(opt_id!(l.user_id))
            .opt(opt_id!(l.session_id))
            .opt(opt_id!(l.task_id))
            .opt(opt_id!(l.trace_id))
            .opt(opt_id!(l.context_id))
            .opt(opt_id!(l.client_id));
        if columns.log_gateway {
            r.opt(l.gateway_conversation_id.as_deref());
        }
        if columns.log_provider {
            r.opt(l.provider_request_id.as_deref());
        }
        r.end();
    }
    let mut log_optional = Vec::new();
    if columns.log_gateway {
        log_optional.push("gateway_conversation_id");
    }
    if columns.log_provider {
        log_optional.push("provider_request_id");
    }
    out.extend(r.batch("logs", copy_statement("logs", "id, timestamp, level, module, message, metadata, user_id, session_id, task_id, trace_id, context_id, client_id", &log_optional)));
    out
}
