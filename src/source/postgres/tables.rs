//! The tables the tail polls (select list, time column and id of each, in
//! merge order) and a polled row decoded, with what the tail asks of it:
//! its poll key, its state version, whether it may still change.

use crate::model::*;
use crate::pg::columns::Selects;
use sqlx::postgres::PgRow;

/// One polled table: what to select and the keyset it is polled on.
pub(crate) struct TableSpec {
    pub(crate) name: &'static str,
    /// The alias its select list in [`Selects`] uses.
    pub(crate) alias: &'static str,
    pub(crate) time_col: &'static str,
    pub(crate) id_col: &'static str,
}

impl TableSpec {
    /// This table's select list for the connected database.
    pub(crate) fn cols<'a>(&self, selects: &'a Selects) -> &'a str {
        match self.name {
            "users" => &selects.user,
            "user_sessions" => &selects.session,
            "user_contexts" => &selects.context,
            "agent_tasks" => &selects.task,
            "task_execution_steps" => &selects.step,
            "ai_requests" => &selects.ai_request,
            "mcp_tool_executions" => &selects.mcp,
            _ => &selects.log,
        }
    }
}

/// The polled tables, in the order their rows are merged at equal times.
pub(crate) const TABLES: [TableSpec; 8] = [
    TableSpec {
        name: "users",
        alias: "u",
        time_col: "created_at",
        id_col: "id",
    },
    TableSpec {
        name: "user_sessions",
        alias: "us",
        time_col: "last_activity_at",
        id_col: "session_id",
    },
    TableSpec {
        name: "user_contexts",
        alias: "uc",
        time_col: "created_at",
        id_col: "context_id",
    },
    TableSpec {
        name: "agent_tasks",
        alias: "t",
        time_col: "updated_at",
        id_col: "task_id",
    },
    TableSpec {
        name: "task_execution_steps",
        alias: "s",
        time_col: "started_at",
        id_col: "step_id",
    },
    TableSpec {
        name: "ai_requests",
        alias: "r",
        time_col: "updated_at",
        id_col: "id",
    },
    TableSpec {
        name: "mcp_tool_executions",
        alias: "m",
        time_col: "created_at",
        id_col: "mcp_execution_id",
    },
    TableSpec {
        name: "logs",
        alias: "l",
        time_col: "timestamp",
        id_col: "id",
    },
];
pub(super) const T_SESSIONS: usize = 1;
pub(super) const T_STEPS: usize = 4;
pub(super) const T_AI: usize = 5;
pub(super) const T_MCP: usize = 6;

/// A row decoded from one of the polled tables.
pub(crate) enum TailRow {
    User(UserRecord),
    Session(SessionRecord),
    Context(ContextRecord),
    Task(AgentTaskRecord),
    Step(StepRecord),
    Ai(AiRequestRecord),
    Mcp(McpExecutionRecord),
    Log(LogRecord),
}

impl TailRow {
    pub(crate) fn decode(table: usize, row: &PgRow) -> std::result::Result<TailRow, sqlx::Error> {
        use sqlx::FromRow;
        Ok(match table {
            0 => TailRow::User(UserRecord::from_row(row)?),
            1 => TailRow::Session(SessionRecord::from_row(row)?),
            2 => TailRow::Context(ContextRecord::from_row(row)?),
            3 => TailRow::Task(AgentTaskRecord::from_row(row)?),
            4 => TailRow::Step(StepRecord::from_row(row)?),
            5 => TailRow::Ai(AiRequestRecord::from_row(row)?),
            6 => TailRow::Mcp(McpExecutionRecord::from_row(row)?),
            _ => TailRow::Log(LogRecord::from_row(row)?),
        })
    }

    /// The keyset value this row was polled on.
    pub(super) fn poll_key(&self) -> (Timestamp, &str) {
        match self {
            TailRow::User(u) => (u.created_at, u.id.as_str()),
            TailRow::Session(s) => (s.last_activity_at, s.session_id.as_str()),
            TailRow::Context(c) => (c.created_at, c.context_id.as_str()),
            TailRow::Task(t) => (t.updated_at, t.task_id.as_str()),
            TailRow::Step(s) => (s.started_at, s.step_id.as_str()),
            TailRow::Ai(r) => (r.updated_at, r.id.as_str()),
            TailRow::Mcp(m) => (m.created_at, m.mcp_execution_id.as_str()),
            TailRow::Log(l) => (l.timestamp, l.id.as_str()),
        }
    }

    /// The state this row is in: one event per distinct version.
    pub(super) fn version(&self) -> String {
        match self {
            TailRow::User(_) | TailRow::Context(_) | TailRow::Log(_) => String::new(),
            TailRow::Session(s) => if s.ended_at.is_some() {
                "ended"
            } else {
                "open"
            }
            .to_string(),
            TailRow::Task(t) => t.status.clone(),
            TailRow::Step(s) => s.status.clone(),
            TailRow::Ai(r) => r.status.clone(),
            TailRow::Mcp(m) => m.status.clone(),
        }
    }

    /// When the state this row is in began.
    pub(crate) fn event_time(&self) -> Timestamp {
        match self {
            TailRow::User(u) => u.created_at,
            TailRow::Session(s) => s.ended_at.unwrap_or(s.started_at),
            TailRow::Context(c) => c.created_at,
            TailRow::Task(t) => t.updated_at,
            TailRow::Step(s) => s.completed_at.unwrap_or(s.started_at),
            TailRow::Ai(r) if r.status == request_status::PENDING => r.created_at,
            TailRow::Ai(r) => r.completed_at.unwrap_or(r.updated_at),
            TailRow::Mcp(m) => m.completed_at.unwrap_or(m.created_at),
            TailRow::Log(l) => l.timestamp,
        }
    }

    /// Whether the row may still change state (and is re-read by id).
    pub(super) fn is_pending(&self) -> bool {
        match self {
            TailRow::Ai(r) => r.status == request_status::PENDING,
            TailRow::Mcp(m) => m.status == mcp_status::PENDING || m.completed_at.is_none(),
            TailRow::Step(s) => s.completed_at.is_none(),
            TailRow::Session(s) => s.ended_at.is_none(),
            _ => false,
        }
    }
}
