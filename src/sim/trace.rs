//! One agent run (a trace): the task, its execution steps, the AI requests
//! with their messages and tool calls, the MCP executions those tool calls
//! caused, and the log lines, all sharing one trace id and laid out in time.
//!
//! [`build_trace`] draws a complete run with final states; [`cut_into`]
//! keeps what exists at a horizon instant (rows not yet started dropped,
//! rows in flight turned back into their pending / working form), so the
//! bulk workload ends at `until` with a few runs still open, and the live
//! generator can replay the same draft as timed events.
//!
//! Beside each request, what a real gateway records: the actor (mostly the
//! user, sometimes a scheduled job or an MCP server), synthetic probe
//! traffic, the requested model and the one served (a routed fallback now
//! and then), streaming, cache read and write tokens, and the provider's
//! request id. Some runs delegate to sub-agents: their tasks share the trace
//! id and start after the parent's. These draws come from a stream keyed by
//! the trace id ([`Stream::Gateway`]), so they never shift the main stream.

use super::Workload;
use super::catalog::{self, AgentSpec, ModelSpec, ToolSpec};
use super::gateway::{GatewayRequest, GatewayTrace};
use super::prices::GatewayBilling;
use super::rng::{SimRng, Stream};
use crate::model::*;
use crate::prices::Usage;
use chrono::Duration;
use serde_json::json;

mod request;
mod states;
mod texts;
mod tools;
pub(crate) use states::*;
use texts::*;

/// Who runs a trace.
#[derive(Debug, Clone)]
pub(crate) struct Actor {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub context_id: ContextId,
    pub client_id: Option<ClientId>,
}

/// Normal traffic or one of the planted incident shapes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum TraceKind {
    Normal,
    /// An agent that never stops calling the same tool.
    Runaway {
        iterations: u32,
    },
    /// Repeated credential-tool calls (`get_secret` / `get_api_token`).
    CredentialSpike {
        calls: u32,
        spread_ms: i64,
    },
    /// One `read_file` whose output is just over 2 MiB.
    BigPayload,
    /// A model reply carrying ANSI colour, cursor and OSC title sequences.
    AnsiReply,
}

/// A provider failing a share of its requests during `[start, end)`.
#[derive(Debug, Clone)]
pub(crate) struct ErrorBurst {
    pub provider: &'static str,
    pub start: Timestamp,
    pub end: Timestamp,
    pub failure_rate: f64,
}

/// An MCP server answering in 5–20 s during `[start, end)`.
#[derive(Debug, Clone)]
pub(crate) struct SlowServer {
    pub server: &'static str,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// What the world is like while a trace runs.
#[derive(Debug, Clone)]
pub(crate) struct Conditions {
    pub prices: GatewayBilling,
    pub error_bursts: Vec<ErrorBurst>,
    pub slow_servers: Vec<SlowServer>,
}

/// The content of an assistant reply planted with terminal escape sequences.
pub const ANSI_REPLY: &str = "Build finished with failures:\n\x1b[31mERROR\x1b[0m 3 tests failed in payments::refund\n\x1b[2J\x1b[H\x1b]0;owned-terminal\x07\x1b[1A\x1b[32mAll good, nothing to see here.\x1b[0m";

/// Size of the planted big MCP output, bytes (at least).
pub const BIG_PAYLOAD_BYTES: usize = 2 * 1024 * 1024;

pub(crate) const MOD_AGENT: &str = "systemprompt_agent::services::a2a_server::processing";
pub(crate) const MOD_AI: &str = "systemprompt_ai::services::ai_service";
pub(crate) const MOD_MCP: &str = "systemprompt_mcp::services::client";

fn ms(n: i64) -> Duration {
    Duration::milliseconds(n)
}

fn fill(template: &str, rng: &mut SimRng) -> String {
    let topic = *rng.pick(catalog::TOPICS);
    template
        .replace("{topic}", topic)
        .replace("{n}", &rng.range(1200, 9800).to_string())
}

/// Build one complete run of `agent` for `actor` starting at `start`.
pub(crate) fn build_trace(
    rng: &mut SimRng,
    actor: &Actor,
    agent: &AgentSpec,
    forced_model: Option<&'static ModelSpec>,
    kind: TraceKind,
    start: Timestamp,
    cond: &Conditions,
) -> Workload {
    let trace_id = TraceId(rng.hex(32));
    let task_id = TaskId(rng.uuid());
    let mut side = SimRng::keyed(Stream::Gateway, &trace_id.0);
    let gateway = if kind == TraceKind::Normal {
        GatewayTrace::draw(&mut side, actor, agent)
    } else {
        GatewayTrace::user(actor)
    };
    let mut b = TraceBuilder {
        w: Workload::default(),
        actor: actor.clone(),
        trace_id,
        task_id,
        gateway,
        side,
    };
    b.run(rng, agent, forced_model, kind, start, cond);
    if kind == TraceKind::Normal {
        b.delegate(cond);
    }
    b.w
}

/// Share of runs that delegate to sub-agents.
const DELEGATION_SHARE: f64 = 0.08;

struct TraceBuilder {
    w: Workload,
    actor: Actor,
    trace_id: TraceId,
    task_id: TaskId,
    gateway: GatewayTrace,
    /// The trace's gateway stream ([`Stream::Gateway`]).
    side: SimRng,
}

/// What one run is: the agent, the model it talks to, the kind of run and
/// the world around it.
struct RunPlan<'a> {
    agent: &'a AgentSpec,
    model: &'static ModelSpec,
    kind: TraceKind,
    /// A planted incident shape (no random failures mixed in).
    incident: bool,
    cond: &'a Conditions,
}

/// The figures a run carries from request to request.
struct RunState {
    /// The run's clock: when the next thing happens.
    t: Timestamp,
    /// Tokens of the conversation so far (the next request's input).
    context_tokens: i64,
    /// The previous round's tool results, sent back to the model.
    previous: Vec<ToolResult>,
    requests: u32,
    total_tokens: i64,
}

/// A message sent with a request: role, content, tool name, tool call id.
type Message = (String, String, Option<String>, Option<String>);

struct ToolResult {
    tool: &'static str,
    call_id: String,
    summary: String,
}

impl TraceBuilder {
    fn log(
        &mut self,
        rng: &mut SimRng,
        at: Timestamp,
        level: &str,
        module: &str,
        message: String,
        metadata: Option<String>,
    ) {
        self.w.logs.push(LogRecord {
            id: LogId(rng.uuid()),
            timestamp: at,
            level: level.to_string(),
            module: module.to_string(),
            message,
            metadata,
            user_id: Some(self.actor.user_id.clone()),
            session_id: Some(self.actor.session_id.clone()),
            task_id: Some(self.task_id.clone()),
            trace_id: Some(self.trace_id.clone()),
            context_id: Some(self.actor.context_id.clone()),
            client_id: self.actor.client_id.clone(),
            gateway_conversation_id: None,
            provider_request_id: None,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn step(
        &mut self,
        rng: &mut SimRng,
        step_type: &str,
        title: String,
        status: &str,
        content: serde_json::Value,
        started: Timestamp,
        duration: i64,
        error: Option<String>,
    ) {
        self.w.steps.push(StepRecord {
            step_id: StepId(rng.uuid()),
            task_id: self.task_id.clone(),
            step_type: step_type.to_string(),
            title: Some(title),
            status: status.to_string(),
            content: Some(content.to_string()),
            started_at: started,
            completed_at: Some(started + ms(duration)),
            duration_ms: Some(duration as i32),
            error_message: error,
        });
    }

    fn run(
        &mut self,
        rng: &mut SimRng,
        agent: &AgentSpec,
        forced_model: Option<&'static ModelSpec>,
        kind: TraceKind,
        start: Timestamp,
        cond: &Conditions,
    ) {
        let incident = kind != TraceKind::Normal;
        let started = start + ms(rng.range(5, 120));
        let model = forced_model.unwrap_or_else(|| {
            let name = *rng.weighted(agent.models);
            catalog::model(name)
        });
        self.log(
            rng,
            started,
            "INFO",
            MOD_AGENT,
            format!(
                "task {} started agent={} context={}",
                self.task_id, agent.name, self.actor.context_id
            ),
            None,
        );
        let plan_ms = (rng.lognormal(140.0, 0.6) as i64).clamp(8, 5_000);
        self.step(rng, "planning", "Plan the approach".into(), "completed", json!({"agent": agent.name, "plan": ["understand the request", "gather evidence", "answer"]}), started, plan_ms, None);
        let t = started + ms(plan_ms);

        let rounds: u32 = match kind {
            TraceKind::Normal => {
                let mut n = 1;
                while n < 10 && rng.chance(0.70) {
                    n += 1;
                }
                n
            }
            TraceKind::Runaway { iterations } => iterations,
            TraceKind::CredentialSpike { calls, .. } => calls + 1,
            TraceKind::BigPayload => 2,
            TraceKind::AnsiReply => 1,
        };
        let template = *rng.pick(agent.asks);
        let ask = fill(template, rng);
        let context_tokens = rng.range(600, 2600);

        let plan = RunPlan {
            agent,
            model,
            kind,
            incident,
            cond,
        };
        let mut state = RunState {
            t,
            context_tokens,
            previous: Vec::new(),
            requests: 0,
            total_tokens: 0,
        };
        let failure = self.rounds(rng, &plan, &mut state, rounds, &ask);
        let RunState {
            mut t,
            requests,
            total_tokens,
            ..
        } = state;
        let (status, error) = match (kind, failure) {
            (TraceKind::Runaway { iterations }, _) => (
                task_state::FAILED,
                Some(format!(
                    "agent loop aborted after {iterations} iterations: max_iterations exceeded"
                )),
            ),
            (_, Some(f)) => (task_state::FAILED, Some(f)),
            (_, None) if rng.chance(0.01) => {
                (task_state::CANCELED, Some("canceled by user".to_string()))
            }
            (_, None) => {
                let d = rng.range(3, 40);
                self.step(
                    rng,
                    "response",
                    "Compose the answer".into(),
                    "completed",
                    json!({"requests": requests}),
                    t,
                    d,
                    None,
                );
                t += ms(d);
                (task_state::COMPLETED, None)
            }
        };
        let exec = (t - started).num_milliseconds();
        match &error {
            Some(e) if status == task_state::FAILED => self.log(
                rng,
                t,
                "ERROR",
                MOD_AGENT,
                format!("task {} failed agent={}: {}", self.task_id, agent.name, e),
                None,
            ),
            _ => self.log(
                rng,
                t,
                "INFO",
                MOD_AGENT,
                format!(
                    "task {} finished state={} agent={} requests={} tokens={} in {} ms",
                    self.task_id, status, agent.name, requests, total_tokens, exec
                ),
                None,
            ),
        }
        self.w.tasks.push(AgentTaskRecord {
            task_id: self.task_id.clone(),
            context_id: Some(self.actor.context_id.clone()),
            status: status.to_string(),
            user_id: Some(self.actor.user_id.clone()),
            session_id: Some(self.actor.session_id.clone()),
            trace_id: Some(self.trace_id.clone()),
            agent_name: Some(agent.name.to_string()),
            started_at: Some(started),
            completed_at: Some(t),
            execution_time_ms: Some(exec as i32),
            error_message: error,
            created_at: start,
            updated_at: t,
        });
    }

    /// The rounds of a run: a request (retried on retryable errors), then
    /// the tools it asks for; the task error when the run gives up.
    fn rounds(
        &mut self,
        rng: &mut SimRng,
        plan: &RunPlan<'_>,
        state: &mut RunState,
        rounds: u32,
        ask: &str,
    ) -> Option<String> {
        for round in 0..rounds {
            let final_round = round + 1 == rounds;
            let mut attempt = 0;
            loop {
                attempt += 1;
                state.requests += 1;
                let request_uuid = AiRequestId(rng.uuid());
                let created = state.t;
                // messages sent with this request
                let mut messages: Vec<Message> = Vec::new();
                if round == 0 {
                    messages.push((
                        String::from("system"),
                        plan.agent.system_prompt.to_string(),
                        None,
                        None,
                    ));
                    messages.push((String::from("user"), ask.to_string(), None, None));
                } else {
                    for r in &state.previous {
                        messages.push((
                            String::from("tool"),
                            r.summary.clone(),
                            Some(r.tool.to_string()),
                            Some(r.call_id.clone()),
                        ));
                    }
                }
                let model = plan.model;
                let burst = plan
                    .cond
                    .error_bursts
                    .iter()
                    .find(|b| b.provider == model.provider && created >= b.start && created < b.end)
                    .map(|b| b.failure_rate);
                let error_p = if plan.incident {
                    0.0
                } else {
                    burst.unwrap_or(0.012)
                };
                self.log(
                    rng,
                    created,
                    "DEBUG",
                    MOD_AI,
                    format!(
                        "sending request provider={} model={} input_tokens={}",
                        model.provider, model.model, state.context_tokens
                    ),
                    None,
                );
                if rng.chance(error_p) {
                    let in_burst = burst.is_some();
                    match self.failed_request(
                        rng,
                        plan,
                        state,
                        request_uuid,
                        created,
                        messages,
                        in_burst,
                        attempt,
                    ) {
                        request::AfterFailure::Retry => continue,
                        request::AfterFailure::GiveUp(failure) => return Some(failure),
                    }
                }
                let failure = self.completed_request(
                    rng,
                    plan,
                    state,
                    request_uuid,
                    created,
                    messages,
                    round,
                    final_round,
                );
                if failure.is_some() {
                    return failure;
                }
                break;
            }
        }
        None
    }

    /// Now and then ([`DELEGATION_SHARE`]), hand parts of the run to one or
    /// two sub-agents: their tasks (and requests, tool calls, logs) share
    /// the trace id and start inside the parent's run, after it began.
    fn delegate(&mut self, cond: &Conditions) {
        let Some(parent) = self.w.tasks.first().cloned() else {
            return;
        };
        if !self.side.chance(DELEGATION_SHARE) {
            return;
        }
        let span_ms = (parent.updated_at - parent.created_at)
            .num_milliseconds()
            .max(1_000);
        let children = 1 + usize::from(self.side.chance(0.3));
        for k in 0..children {
            let agent: &AgentSpec = self.side.weighted(catalog::AGENTS);
            let begin = parent.created_at
                + ms(span_ms * (15 + 30 * k as i64) / 100 + self.side.range(1, 500));
            let mut child = TraceBuilder {
                w: Workload::default(),
                actor: self.actor.clone(),
                trace_id: self.trace_id.clone(),
                task_id: TaskId(self.side.uuid()),
                gateway: self.gateway.clone(),
                side: SimRng::keyed(Stream::Gateway, &format!("{}:{k}", self.trace_id.0)),
            };
            let mut child_rng =
                SimRng::keyed(Stream::Gateway, &format!("run:{}:{k}", self.trace_id.0));
            let child_task = child.task_id.clone();
            self.log(
                &mut child_rng,
                begin,
                "INFO",
                MOD_AGENT,
                format!(
                    "task {} delegated to sub-agent {} task {}",
                    self.task_id, agent.name, child_task
                ),
                None,
            );
            child.run(&mut child_rng, agent, None, TraceKind::Normal, begin, cond);
            self.w.append(child.w);
        }
    }

    fn push_message(
        &mut self,
        request: &AiRequestId,
        role: String,
        content: String,
        seq: &mut i32,
        name: Option<String>,
        tool_call_id: Option<String>,
    ) {
        self.w.messages.push(MessageRecord {
            request_id: request.clone(),
            role,
            content,
            sequence_number: *seq,
            name,
            tool_call_id,
        });
        *seq += 1;
    }
}
