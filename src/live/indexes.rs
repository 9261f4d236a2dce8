//! What each table is indexed by, and how big a row is.
//!
//! A [`Row`] names its id, reports its secondary keys (trace, user, model,
//! agent, tool, task, context) so trace detail and filters never scan, and
//! estimates its memory so the store can hold to its byte limit. The index
//! numbers are constants per table, used by the query code.

use crate::model::*;
use std::mem::size_of;

/// An AI request with the conversation and tool calls that came with it.
#[derive(Debug, Clone)]
pub(crate) struct RequestRow {
    pub record: AiRequestRecord,
    pub messages: Vec<MessageRecord>,
    pub tool_calls: Vec<ToolCallRecord>,
}

/// A record the store can hold.
pub(crate) trait Row {
    /// Number of secondary indexes of this table.
    const INDEX_COUNT: usize;
    /// The primary id.
    fn id(&self) -> &str;
    /// Call `f(index, key)` for every secondary key of this row.
    fn index_keys<'a>(&'a self, f: &mut dyn FnMut(usize, &'a str));
    /// Approximate heap + inline bytes of the row.
    fn approx_bytes(&self) -> usize;
}

fn opt(s: &Option<impl AsRef<str>>) -> usize {
    s.as_ref().map(|s| s.as_ref().len()).unwrap_or(0)
}

/// Secondary indexes of `ai_requests`.
pub(crate) mod request_ix {
    pub const TRACE: usize = 0;
    pub const USER: usize = 1;
    pub const MODEL: usize = 2;
    pub const TASK: usize = 3;
    pub const CONTEXT: usize = 4;
}

/// Secondary indexes of `agent_tasks`.
pub(crate) mod task_ix {
    pub const TRACE: usize = 0;
    pub const AGENT: usize = 1;
}

/// Secondary indexes of `mcp_tool_executions`.
pub(crate) mod mcp_ix {
    pub const TRACE: usize = 0;
    pub const TOOL: usize = 1;
}

/// Secondary indexes of `logs`.
pub(crate) mod log_ix {
    pub const TRACE: usize = 0;
}

/// Secondary indexes of `task_execution_steps`.
pub(crate) mod step_ix {
    pub const TASK: usize = 0;
}

/// Secondary indexes of `user_sessions`.
pub(crate) mod session_ix {
    pub const USER: usize = 0;
}

impl Row for RequestRow {
    const INDEX_COUNT: usize = 5;
    fn id(&self) -> &str {
        self.record.id.as_str()
    }
    fn index_keys<'a>(&'a self, f: &mut dyn FnMut(usize, &'a str)) {
        let r = &self.record;
        if let Some(t) = &r.trace_id {
            f(request_ix::TRACE, t.as_str());
        }
        f(request_ix::USER, r.user_id.as_str());
        f(request_ix::MODEL, &r.model);
        if let Some(t) = &r.task_id {
            f(request_ix::TASK, t.as_str());
        }
        if let Some(c) = &r.context_id {
            f(request_ix::CONTEXT, c.as_str());
        }
    }
    fn approx_bytes(&self) -> usize {
        let r = &self.record;
        let mut n = size_of::<Self>()
            + r.id.0.len()
            + r.request_id.len()
            + r.user_id.0.len()
            + opt(&r.session_id.as_ref().map(|x| &x.0))
            + opt(&r.task_id.as_ref().map(|x| &x.0))
            + opt(&r.context_id.as_ref().map(|x| &x.0))
            + opt(&r.trace_id.as_ref().map(|x| &x.0))
            + opt(&r.mcp_execution_id.as_ref().map(|x| &x.0))
            + r.provider.len()
            + r.model.len()
            + r.status.len()
            + opt(&r.error_message);
        for m in &self.messages {
            n += size_of::<MessageRecord>()
                + m.request_id.0.len()
                + m.role.len()
                + m.content.len()
                + opt(&m.name)
                + opt(&m.tool_call_id);
        }
        for c in &self.tool_calls {
            n += size_of::<ToolCallRecord>()
                + c.request_id.0.len()
                + c.tool_name.len()
                + c.tool_input.len()
                + opt(&c.mcp_execution_id.as_ref().map(|x| &x.0))
                + opt(&c.ai_tool_call_id);
        }
        n
    }
}

impl Row for AgentTaskRecord {
    const INDEX_COUNT: usize = 2;
    fn id(&self) -> &str {
        self.task_id.as_str()
    }
    fn index_keys<'a>(&'a self, f: &mut dyn FnMut(usize, &'a str)) {
        if let Some(t) = &self.trace_id {
            f(task_ix::TRACE, t.as_str());
        }
        if let Some(a) = &self.agent_name {
            f(task_ix::AGENT, a);
        }
    }
    fn approx_bytes(&self) -> usize {
        size_of::<Self>()
            + self.task_id.0.len()
            + opt(&self.context_id.as_ref().map(|x| &x.0))
            + self.status.len()
            + opt(&self.user_id.as_ref().map(|x| &x.0))
            + opt(&self.session_id.as_ref().map(|x| &x.0))
            + opt(&self.trace_id.as_ref().map(|x| &x.0))
            + opt(&self.agent_name)
            + opt(&self.error_message)
    }
}

impl Row for McpExecutionRecord {
    const INDEX_COUNT: usize = 2;
    fn id(&self) -> &str {
        self.mcp_execution_id.as_str()
    }
    fn index_keys<'a>(&'a self, f: &mut dyn FnMut(usize, &'a str)) {
        if let Some(t) = &self.trace_id {
            f(mcp_ix::TRACE, t.as_str());
        }
        f(mcp_ix::TOOL, &self.tool_name);
    }
    fn approx_bytes(&self) -> usize {
        size_of::<Self>()
            + self.mcp_execution_id.0.len()
            + self.tool_name.len()
            + self.server_name.len()
            + self.input.len()
            + opt(&self.output)
            + self.status.len()
            + opt(&self.error_message)
            + opt(&self.user_id.as_ref().map(|x| &x.0))
            + opt(&self.session_id.as_ref().map(|x| &x.0))
            + opt(&self.context_id.as_ref().map(|x| &x.0))
            + opt(&self.task_id.as_ref().map(|x| &x.0))
            + opt(&self.trace_id.as_ref().map(|x| &x.0))
    }
}

impl Row for LogRecord {
    const INDEX_COUNT: usize = 1;
    fn id(&self) -> &str {
        self.id.as_str()
    }
    fn index_keys<'a>(&'a self, f: &mut dyn FnMut(usize, &'a str)) {
        if let Some(t) = &self.trace_id {
            f(log_ix::TRACE, t.as_str());
        }
    }
    fn approx_bytes(&self) -> usize {
        size_of::<Self>()
            + self.id.0.len()
            + self.level.len()
            + self.module.len()
            + self.message.len()
            + opt(&self.metadata)
            + opt(&self.user_id.as_ref().map(|x| &x.0))
            + opt(&self.session_id.as_ref().map(|x| &x.0))
            + opt(&self.task_id.as_ref().map(|x| &x.0))
            + opt(&self.trace_id.as_ref().map(|x| &x.0))
            + opt(&self.context_id.as_ref().map(|x| &x.0))
            + opt(&self.client_id.as_ref().map(|x| &x.0))
    }
}

impl Row for StepRecord {
    const INDEX_COUNT: usize = 1;
    fn id(&self) -> &str {
        self.step_id.as_str()
    }
    fn index_keys<'a>(&'a self, f: &mut dyn FnMut(usize, &'a str)) {
        f(step_ix::TASK, self.task_id.as_str());
    }
    fn approx_bytes(&self) -> usize {
        size_of::<Self>()
            + self.step_id.0.len()
            + self.task_id.0.len()
            + self.step_type.len()
            + opt(&self.title)
            + self.status.len()
            + opt(&self.content)
            + opt(&self.error_message)
    }
}

impl Row for SessionRecord {
    const INDEX_COUNT: usize = 1;
    fn id(&self) -> &str {
        self.session_id.as_str()
    }
    fn index_keys<'a>(&'a self, f: &mut dyn FnMut(usize, &'a str)) {
        if let Some(u) = &self.user_id {
            f(session_ix::USER, u.as_str());
        }
    }
    fn approx_bytes(&self) -> usize {
        size_of::<Self>()
            + self.session_id.0.len()
            + opt(&self.user_id.as_ref().map(|x| &x.0))
            + opt(&self.client_id.as_ref().map(|x| &x.0))
            + opt(&self.user_agent)
            + opt(&self.device_type)
            + opt(&self.browser)
            + opt(&self.os)
            + opt(&self.country)
            + opt(&self.referrer_source)
            + opt(&self.landing_page)
            + opt(&self.fingerprint_hash)
            + opt(&self.session_source)
    }
}

impl Row for ContextRecord {
    const INDEX_COUNT: usize = 0;
    fn id(&self) -> &str {
        self.context_id.as_str()
    }
    fn index_keys<'a>(&'a self, _f: &mut dyn FnMut(usize, &'a str)) {}
    fn approx_bytes(&self) -> usize {
        size_of::<Self>()
            + self.context_id.0.len()
            + self.user_id.0.len()
            + opt(&self.session_id.as_ref().map(|x| &x.0))
            + self.name.len()
    }
}

impl Row for UserRecord {
    const INDEX_COUNT: usize = 0;
    fn id(&self) -> &str {
        self.id.as_str()
    }
    fn index_keys<'a>(&'a self, _f: &mut dyn FnMut(usize, &'a str)) {}
    fn approx_bytes(&self) -> usize {
        size_of::<Self>()
            + self.id.0.len()
            + self.name.len()
            + opt(&self.email)
            + self.status.len()
            + self.roles.iter().map(|r| r.len() + 24).sum::<usize>()
    }
}
