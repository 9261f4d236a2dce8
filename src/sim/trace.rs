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
use super::prices::PriceTable;
use super::rng::{SimRng, Stream};
use crate::model::*;
use chrono::Duration;
use serde_json::json;

mod states;
mod texts;
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
    pub prices: PriceTable,
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
        let mut t = started + ms(plan_ms);

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
        let mut context_tokens = rng.range(600, 2600);
        let mut previous: Vec<ToolResult> = Vec::new();
        let mut failure: Option<String> = None;
        let mut requests = 0u32;
        let mut total_tokens = 0i64;

        'rounds: for round in 0..rounds {
            let final_round = round + 1 == rounds;
            let mut attempt = 0;
            loop {
                attempt += 1;
                requests += 1;
                let request_uuid = AiRequestId(rng.uuid());
                let created = t;
                // messages sent with this request
                let mut seq = 0;
                let mut messages = Vec::new();
                if round == 0 {
                    messages.push((
                        String::from("system"),
                        agent.system_prompt.to_string(),
                        None,
                        None,
                    ));
                    messages.push((String::from("user"), ask.clone(), None, None));
                } else {
                    for r in &previous {
                        messages.push((
                            String::from("tool"),
                            r.summary.clone(),
                            Some(r.tool.to_string()),
                            Some(r.call_id.clone()),
                        ));
                    }
                }
                let burst = cond
                    .error_bursts
                    .iter()
                    .find(|b| b.provider == model.provider && created >= b.start && created < b.end)
                    .map(|b| b.failure_rate);
                let error_p = if incident {
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
                        model.provider, model.model, context_tokens
                    ),
                    None,
                );
                if rng.chance(error_p) {
                    let gw = GatewayRequest::draw(
                        &mut self.side,
                        model,
                        context_tokens,
                        false,
                        requests == 1,
                        false,
                    );
                    let (message, latency, retryable) =
                        ai_error(rng, model.provider, burst.is_some());
                    let completed = created + ms(latency);
                    self.w.ai_requests.push(AiRequestRecord {
                        id: request_uuid.clone(),
                        request_id: format!("req_{}", rng.base62(24)),
                        user_id: self.actor.user_id.clone(),
                        session_id: Some(self.actor.session_id.clone()),
                        task_id: Some(self.task_id.clone()),
                        context_id: Some(self.actor.context_id.clone()),
                        trace_id: Some(self.trace_id.clone()),
                        mcp_execution_id: None,
                        provider: model.provider.to_string(),
                        model: model.model.to_string(),
                        tokens_used: Some(context_tokens as i32),
                        input_tokens: Some(context_tokens as i32),
                        output_tokens: Some(0),
                        cost_microdollars: Microdollars::ZERO,
                        latency_ms: Some(latency as i32),
                        cache_hit: false,
                        status: request_status::FAILED.to_string(),
                        error_message: Some(message.clone()),
                        created_at: created,
                        updated_at: completed,
                        completed_at: Some(completed),
                        requested_model: Some(gw.requested_model),
                        cache_read_tokens: None,
                        cache_creation_tokens: None,
                        is_streaming: Some(gw.is_streaming),
                        actor_kind: Some(self.gateway.actor_kind.to_string()),
                        actor_id: Some(self.gateway.actor_id.clone()),
                        synthetic: Some(self.gateway.synthetic),
                        gateway_conversation_id: Some(self.gateway.conversation_id.clone()),
                        provider_request_id: None,
                    });
                    total_tokens += context_tokens;
                    for (role, content, name, call) in messages {
                        self.push_message(&request_uuid, role, content, &mut seq, name, call);
                    }
                    self.step(
                        rng,
                        "ai_call",
                        format!("Call {}", model.model),
                        "failed",
                        json!({"request_id": request_uuid, "model": model.model}),
                        created,
                        latency,
                        Some(message.clone()),
                    );
                    self.log(rng, completed, "ERROR", &provider_module(model.provider), format!("ai request {} failed provider={} model={}: {}", request_uuid, model.provider, model.model, message), Some(json!({"provider": model.provider, "model": model.model, "latency_ms": latency}).to_string()));
                    t = completed;
                    if retryable && attempt < 3 {
                        let backoff = 500 * (1 << attempt) + rng.range(0, 700);
                        self.log(
                            rng,
                            t,
                            "WARN",
                            MOD_AI,
                            format!(
                                "retrying in {backoff} ms (attempt {}/3) after: {}",
                                attempt + 1,
                                message
                            ),
                            None,
                        );
                        t += ms(backoff);
                        continue;
                    }
                    failure = Some(format!(
                        "AI request failed after {attempt} attempt(s): {message}"
                    ));
                    break 'rounds;
                }

                // success
                let output_tokens = match kind {
                    TraceKind::Runaway { .. } | TraceKind::CredentialSpike { .. } => {
                        rng.range(30, 90)
                    }
                    _ if final_round => (rng.lognormal(420.0, 0.6) as i64).clamp(20, 6_000),
                    _ => (rng.lognormal(90.0, 0.5) as i64).clamp(8, 1_500),
                };
                let cache_hit = rng.chance(if round == 0 { 0.15 } else { 0.55 });
                let mut latency = rng.lognormal(
                    model.base_latency_ms + output_tokens as f64 * model.ms_per_output_token,
                    0.45,
                );
                if matches!(kind, TraceKind::Runaway { .. }) {
                    latency = rng.lognormal(520.0, 0.2);
                } else if rng.chance(0.004) {
                    latency *= 4.0 + rng.unit() * 8.0;
                }
                let latency = (latency as i64).clamp(40, 120_000);
                let completed = created + ms(latency);
                let cost = cond.prices.cost(
                    model.model,
                    created,
                    context_tokens,
                    output_tokens,
                    cache_hit,
                );
                let tokens = context_tokens + output_tokens;
                total_tokens += tokens;

                // tool calls the model asks for
                let wanted: Vec<&'static ToolSpec> = if final_round {
                    Vec::new()
                } else {
                    match kind {
                        TraceKind::Runaway { .. } => vec![catalog::tool("get_file_contents")],
                        TraceKind::CredentialSpike { .. } => {
                            vec![catalog::tool(if round % 3 == 2 {
                                "get_api_token"
                            } else {
                                "get_secret"
                            })]
                        }
                        TraceKind::BigPayload => vec![catalog::tool("read_file")],
                        _ => {
                            let k = *rng.weighted(&[(1usize, 75), (2, 20), (3, 5)]);
                            (0..k)
                                .map(|_| {
                                    let name = *rng.weighted(agent.tools);
                                    catalog::tool(name)
                                })
                                .collect()
                        }
                    }
                };
                let reply = if kind == TraceKind::AnsiReply {
                    ANSI_REPLY.to_string()
                } else if final_round {
                    {
                        let template = *rng.pick(catalog::REPLIES);
                        fill(template, rng)
                    }
                } else {
                    rng.pick(catalog::TOOL_INTROS).to_string()
                };
                messages.push((String::from("assistant"), reply, None, None));
                for (role, content, name, call) in messages {
                    self.push_message(&request_uuid, role, content, &mut seq, name, call);
                }
                let request_id = match model.provider {
                    "anthropic" => format!("msg_01{}", rng.base62(22)),
                    "openai" => format!("chatcmpl-{}", rng.base62(29)),
                    _ => rng.base62(27),
                };
                let gw = GatewayRequest::draw(
                    &mut self.side,
                    model,
                    context_tokens,
                    cache_hit,
                    requests == 1,
                    true,
                );
                self.w.ai_requests.push(AiRequestRecord {
                    id: request_uuid.clone(),
                    request_id: request_id.clone(),
                    user_id: self.actor.user_id.clone(),
                    session_id: Some(self.actor.session_id.clone()),
                    task_id: Some(self.task_id.clone()),
                    context_id: Some(self.actor.context_id.clone()),
                    trace_id: Some(self.trace_id.clone()),
                    mcp_execution_id: None,
                    provider: model.provider.to_string(),
                    model: model.model.to_string(),
                    tokens_used: Some(tokens as i32),
                    input_tokens: Some(context_tokens as i32),
                    output_tokens: Some(output_tokens as i32),
                    cost_microdollars: cost,
                    latency_ms: Some(latency as i32),
                    cache_hit,
                    status: request_status::COMPLETED.to_string(),
                    error_message: None,
                    created_at: created,
                    updated_at: completed,
                    completed_at: Some(completed),
                    requested_model: Some(gw.requested_model),
                    cache_read_tokens: gw.cache_read_tokens,
                    cache_creation_tokens: gw.cache_creation_tokens,
                    is_streaming: Some(gw.is_streaming),
                    actor_kind: Some(self.gateway.actor_kind.to_string()),
                    actor_id: Some(self.gateway.actor_id.clone()),
                    synthetic: Some(self.gateway.synthetic),
                    gateway_conversation_id: Some(self.gateway.conversation_id.clone()),
                    provider_request_id: Some(request_id.clone()),
                });
                self.step(
                    rng,
                    "ai_call",
                    format!("Call {}", model.model),
                    "completed",
                    json!({"request_id": request_uuid, "model": model.model, "tokens": tokens}),
                    created,
                    latency,
                    None,
                );
                if rng.chance(0.3) {
                    let chunk_bytes = rng.range(200, 4000);
                    self.log(
                        rng,
                        created + ms(latency / 2),
                        "TRACE",
                        &provider_module(model.provider),
                        format!(
                            "stream chunk received request={} bytes={}",
                            request_uuid, chunk_bytes
                        ),
                        None,
                    );
                }
                self.log(rng, completed, "INFO", MOD_AI, format!("ai request completed provider={} model={} tokens={} latency_ms={} cost_microdollars={}{}", model.provider, model.model, tokens, latency, cost.get(), if cache_hit { " cache=hit" } else { "" }), Some(json!({"provider": model.provider, "model": model.model, "latency_ms": latency, "tokens": tokens}).to_string()));
                if latency > 20_000 {
                    self.log(
                        rng,
                        completed,
                        "WARN",
                        MOD_AI,
                        format!(
                            "slow ai request {} took {} ms (model {})",
                            request_uuid, latency, model.model
                        ),
                        None,
                    );
                }
                t = completed + ms(rng.range(5, 40));
                context_tokens = (context_tokens + output_tokens).min(190_000);

                // run the tools
                previous.clear();
                let mut tool_failed = None;
                for (i, spec) in wanted.into_iter().enumerate() {
                    let exec_id = McpExecutionId(rng.uuid());
                    let call_id = match model.provider {
                        "anthropic" => format!("toolu_01{}", rng.base62(22)),
                        _ => format!("call_{}", rng.base62(24)),
                    };
                    let input = tool_input(rng, spec);
                    self.w.tool_calls.push(ToolCallRecord {
                        request_id: request_uuid.clone(),
                        tool_name: spec.tool.to_string(),
                        tool_input: input.clone(),
                        mcp_execution_id: Some(exec_id.clone()),
                        ai_tool_call_id: Some(call_id.clone()),
                        sequence_number: i as i32,
                    });
                    let started = t;
                    let slow = cond
                        .slow_servers
                        .iter()
                        .any(|s| s.server == spec.server && started >= s.start && started < s.end);
                    let roll = if incident { 0.0 } else { rng.unit() };
                    let (status, mut duration, error) = if roll > 0.98 {
                        (
                            "timeout",
                            30_000,
                            Some("tool execution timed out after 30000 ms".to_string()),
                        )
                    } else if roll > 0.94 {
                        (
                            "failed",
                            (rng.lognormal(spec.median_ms, 0.5) as i64).max(2),
                            Some(tool_error(rng, spec)),
                        )
                    } else {
                        (
                            "success",
                            (rng.lognormal(spec.median_ms, 0.7) as i64).max(1),
                            None,
                        )
                    };
                    if slow && status != "timeout" {
                        duration = rng.range(5_000, 20_000);
                    }
                    let output = match status {
                        "success" if kind == TraceKind::BigPayload => Some(big_payload()),
                        "success" => Some(tool_output(rng, spec)),
                        _ => None,
                    };
                    let completed = started + ms(duration);
                    self.log(
                        rng,
                        started,
                        "DEBUG",
                        MOD_MCP,
                        format!(
                            "calling tool {}/{} execution={}",
                            spec.server, spec.tool, exec_id
                        ),
                        None,
                    );
                    match status {
                        "success" => self.log(
                            rng,
                            completed,
                            "INFO",
                            MOD_MCP,
                            format!(
                                "tool {}/{} succeeded in {} ms",
                                spec.server, spec.tool, duration
                            ),
                            None,
                        ),
                        _ => self.log(
                            rng,
                            completed,
                            "ERROR",
                            MOD_MCP,
                            format!(
                                "tool {}/{} {}: {}",
                                spec.server,
                                spec.tool,
                                status,
                                error.as_deref().unwrap_or("")
                            ),
                            None,
                        ),
                    }
                    if duration >= 5_000 {
                        self.log(
                            rng,
                            completed,
                            "WARN",
                            MOD_MCP,
                            format!(
                                "slow tool execution {}/{} took {} ms",
                                spec.server, spec.tool, duration
                            ),
                            None,
                        );
                    }
                    let summary = match (&output, &error) {
                        (Some(o), _) if o.len() > 4_000 => {
                            format!("[tool output truncated: {} bytes]", o.len())
                        }
                        (Some(o), _) => o.clone(),
                        (None, Some(e)) => format!("error: {e}"),
                        (None, None) => String::new(),
                    };
                    context_tokens = (context_tokens + (summary.len() / 4) as i64).min(190_000);
                    self.step(rng, "tool_execution", format!("{}/{}", spec.server, spec.tool), if status == "success" { "completed" } else { "failed" }, json!({"tool": spec.tool, "server": spec.server, "mcp_execution_id": exec_id}), started, duration, error.clone());
                    if status != "success" {
                        tool_failed = Some(format!(
                            "tool {} {}: {}",
                            spec.tool,
                            status,
                            error.as_deref().unwrap_or("")
                        ));
                    }
                    self.w.mcp_executions.push(McpExecutionRecord {
                        mcp_execution_id: exec_id,
                        tool_name: spec.tool.to_string(),
                        server_name: spec.server.to_string(),
                        started_at: started,
                        completed_at: Some(completed),
                        execution_time_ms: Some(duration as i32),
                        input,
                        output,
                        status: status.to_string(),
                        error_message: error,
                        user_id: Some(self.actor.user_id.clone()),
                        session_id: Some(self.actor.session_id.clone()),
                        context_id: Some(self.actor.context_id.clone()),
                        task_id: Some(self.task_id.clone()),
                        trace_id: Some(self.trace_id.clone()),
                        created_at: started,
                    });
                    previous.push(ToolResult {
                        tool: spec.tool,
                        call_id,
                        summary,
                    });
                    t = completed + ms(rng.range(3, 30));
                }
                if let TraceKind::CredentialSpike { calls, spread_ms } = kind {
                    let gap = spread_ms / i64::from(calls.max(1));
                    t += ms(rng.range(gap / 2, gap * 3 / 2 + 1));
                }
                if let Some(f) = tool_failed
                    && rng.chance(0.25)
                {
                    failure = Some(f);
                    break 'rounds;
                }
                break;
            }
        }

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
