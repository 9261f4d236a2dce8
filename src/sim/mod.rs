//! The deterministic synthetic workload behind `tracetop simulate`, the
//! demo and the tests: a platform with users, sessions (people, crawlers,
//! scanners, behavioural bots), conversations, agent runs with execution
//! steps, AI requests across three providers priced from a dated table,
//! tool calls and the MCP executions they caused, and logs at every level,
//! every row of one agent run joined by one trace id.
//!
//! Same [`SimConfig`] → identical rows: every id and value comes from a
//! seeded, portable ChaCha8 stream per entity (see `rng.rs`), never from
//! wall-clock time or `uuid::new_v4`. The window is the `days` × 24 h before
//! `until` (truncated to the millisecond); nothing is newer than `until`,
//! and runs in flight at `until` are left open (requests `pending`, tasks
//! `TASK_STATE_WORKING`, MCP executions `pending`, sessions without
//! `ended_at`).
//!
//! # Planted incidents
//!
//! Positions are fractions of the window `W = days × 24 h` measured back
//! from `until` (see [`IncidentPlan::for_config`], which gives the instants):
//!
//! | incident | where / when | how to find it |
//! |---|---|---|
//! | error burst | `until − 0.35·W` (to the minute), 10 min | provider `openai` fails ~40% (`429`/`503`/`500`), six support sessions on `gpt-4o-mini` |
//! | slow MCP server | `until − 0.6·W` (to the hour), 1 h | every `postgres` execution takes 5–20 s, `WARN slow tool execution` logs |
//! | runaway agent loop | `until − 0.25·W` | one `code-reviewer` trace with 300 requests and 300 `get_file_contents` calls in ~5 min, task failed `max_iterations exceeded` |
//! | credential-tool spike | `until − 0.5·W` | one `ops-agent` trace calling `get_secret` / `get_api_token` 60 times in ~35 min |
//! | 2 MB tool payload | `until − 0.7·W` | one `filesystem/read_file` execution whose `output` is > 2 MiB |
//! | ANSI in a model reply | `until − 0.15·W` | an assistant message containing [`trace::ANSI_REPLY`] (colour, clear screen, cursor up, OSC title) |
//! | behavioural bot | `until − 0.4·W`, 3 h | 40 sessions from fingerprint [`BEHAVIORAL_BOT_FINGERPRINT`], `is_behavioral_bot` |
//! | price change | window midpoint (to the hour) | `gpt-4o` 20% cheaper from then on (`prices.rs`) |
//!
//! Volume: about 17 AI requests and 80 log lines per user and day, so
//! `--users 2000 --days 30` is ≈1M requests and ≈5M logs. [`generate`] holds
//! everything in memory (tests, conformance); `simulate` streams
//! [`generate_chunks`] into [`load::load_config`] instead.

pub mod catalog;
pub(crate) mod copy;
pub mod events;
pub(crate) mod gateway;
pub mod generate;

pub mod load;
pub mod prices;
pub(crate) mod rng;
pub mod trace;
pub mod upsert;

pub use events::workload_events;
pub use generate::{
    BEHAVIORAL_BOT_FINGERPRINT, BEHAVIORAL_BOT_SESSIONS, BURST_PROVIDER, CREDENTIAL_CALLS,
    IncidentPlan, RUNAWAY_ITERATIONS, SLOW_SERVER,
};

pub use load::load_config;
pub use load::{LoadStats, apply_events, load};
pub use trace::{ANSI_REPLY, BIG_PAYLOAD_BYTES};

use crate::model::*;

/// What to simulate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    pub seed: u64,
    pub users: usize,
    pub days: u32,
    /// The anchor: the newest row time.
    pub until: Timestamp,
}

/// Rows of every audited table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Workload {
    pub users: Vec<UserRecord>,
    pub sessions: Vec<SessionRecord>,
    pub contexts: Vec<ContextRecord>,
    pub tasks: Vec<AgentTaskRecord>,
    pub steps: Vec<StepRecord>,
    pub ai_requests: Vec<AiRequestRecord>,
    pub messages: Vec<MessageRecord>,
    pub tool_calls: Vec<ToolCallRecord>,
    pub mcp_executions: Vec<McpExecutionRecord>,
    pub logs: Vec<LogRecord>,
}

impl Workload {
    /// Move every row of `other` to the end of this workload.
    pub fn append(&mut self, mut other: Workload) {
        self.users.append(&mut other.users);
        self.sessions.append(&mut other.sessions);
        self.contexts.append(&mut other.contexts);
        self.tasks.append(&mut other.tasks);
        self.steps.append(&mut other.steps);
        self.ai_requests.append(&mut other.ai_requests);
        self.messages.append(&mut other.messages);
        self.tool_calls.append(&mut other.tool_calls);
        self.mcp_executions.append(&mut other.mcp_executions);
        self.logs.append(&mut other.logs);
    }

    /// Total rows over all tables.
    pub fn row_count(&self) -> usize {
        self.users.len()
            + self.sessions.len()
            + self.contexts.len()
            + self.tasks.len()
            + self.steps.len()
            + self.ai_requests.len()
            + self.messages.len()
            + self.tool_calls.len()
            + self.mcp_executions.len()
            + self.logs.len()
    }
}

/// The whole workload of `cfg` in memory (deterministic).
pub fn generate(cfg: &SimConfig) -> Workload {
    let mut all = Workload::default();
    for chunk in generate_chunks(cfg, 64) {
        all.append(chunk);
    }
    all
}

/// The workload of `cfg` as a sequence of chunks: first the users, bots and
/// planted incidents, then the activity of `users_per_chunk` users at a
/// time. Concatenated, the chunks are [`generate`]'s rows whatever the
/// chunk size.
pub fn generate_chunks(
    cfg: &SimConfig,
    users_per_chunk: usize,
) -> impl Iterator<Item = Workload> + use<> {
    let cfg = cfg.clone();
    let per = users_per_chunk.max(1);
    let plan = IncidentPlan::for_config(&cfg);
    let cond = plan.conditions(&cfg);
    let batches = cfg.users.div_ceil(per);
    (0..=batches).map(move |batch| {
        let mut w = Workload::default();
        if cfg.days == 0 {
            return w;
        }
        if batch == 0 {
            let (start, _) = generate::window(&cfg);
            w.users = (0..cfg.users)
                .map(|i| generate::user_profile(cfg.seed, i, start).record)
                .collect();
            generate::bot_traffic(&cfg, &plan, &mut w);
            generate::incidents(&cfg, &plan, &cond, &mut w);
        } else {
            let first = (batch - 1) * per;
            for index in first..(first + per).min(cfg.users) {
                generate::user_activity(&cfg, index, &cond, &mut w);
            }
        }
        w
    })
}
