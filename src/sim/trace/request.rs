//! One AI request of a run, as it went: a failure (retried with backoff
//! when the provider's error is retryable) or a completion with its reply,
//! its cost and the tool calls the model asked for, which then run.

use super::*;

/// What a failed request leads to.
pub(super) enum AfterFailure {
    /// Try the same request again (the backoff is already waited).
    Retry,
    /// Give the run up with this task error.
    GiveUp(String),
}

impl TraceBuilder {
    /// Record request `request_uuid` (created at `created`) as failed, with
    /// its messages, step and logs; say whether to retry.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn failed_request(
        &mut self,
        rng: &mut SimRng,
        plan: &RunPlan<'_>,
        state: &mut RunState,
        request_uuid: AiRequestId,
        created: Timestamp,
        messages: Vec<Message>,
        in_burst: bool,
        attempt: u32,
    ) -> AfterFailure {
        let gw = GatewayRequest::draw(
            &mut self.side,
            plan.model,
            state.context_tokens,
            false,
            state.requests == 1,
            false,
        );
        let (message, latency, retryable) = ai_error(rng, plan.model.provider, in_burst);
        let completed = created + ms(latency);
        let request_id = format!("req_{}", rng.base62(24));
        let row = self.request_row(
            plan,
            &request_uuid,
            request_id,
            created,
            latency,
            &gw,
            state.context_tokens,
        );
        self.w.ai_requests.push(AiRequestRecord {
            status: request_status::FAILED.to_string(),
            error_message: Some(message.clone()),
            ..row
        });
        state.total_tokens += state.context_tokens;
        let mut seq = 0;
        for (role, content, name, call) in messages {
            self.push_message(&request_uuid, role, content, &mut seq, name, call);
        }
        self.step(
            rng,
            "ai_call",
            format!("Call {}", plan.model.model),
            "failed",
            json!({"request_id": request_uuid, "model": plan.model.model}),
            created,
            latency,
            Some(message.clone()),
        );
        self.log(rng, completed, "ERROR", &provider_module(plan.model.provider), format!("ai request {} failed provider={} model={}: {}", request_uuid, plan.model.provider, plan.model.model, message), Some(json!({"provider": plan.model.provider, "model": plan.model.model, "latency_ms": latency}).to_string()));
        state.t = completed;
        if retryable && attempt < 3 {
            let backoff = 500 * (1 << attempt) + rng.range(0, 700);
            self.log(
                rng,
                state.t,
                "WARN",
                MOD_AI,
                format!(
                    "retrying in {backoff} ms (attempt {}/3) after: {}",
                    attempt + 1,
                    message
                ),
                None,
            );
            state.t += ms(backoff);
            return AfterFailure::Retry;
        }
        AfterFailure::GiveUp(format!(
            "AI request failed after {attempt} attempt(s): {message}"
        ))
    }

    /// Record request `request_uuid` as completed (round `round` of the
    /// run), then run the tools its reply asks for; the task error when a
    /// failed tool makes the agent give up.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn completed_request(
        &mut self,
        rng: &mut SimRng,
        plan: &RunPlan<'_>,
        state: &mut RunState,
        request_uuid: AiRequestId,
        created: Timestamp,
        mut messages: Vec<Message>,
        round: u32,
        final_round: bool,
    ) -> Option<String> {
        // success
        let output_tokens = match plan.kind {
            TraceKind::Runaway { .. } | TraceKind::CredentialSpike { .. } => rng.range(30, 90),
            _ if final_round => (rng.lognormal(420.0, 0.6) as i64).clamp(20, 6_000),
            _ => (rng.lognormal(90.0, 0.5) as i64).clamp(8, 1_500),
        };
        let cache_hit = rng.chance(if round == 0 { 0.15 } else { 0.55 });
        let mut latency = rng.lognormal(
            plan.model.base_latency_ms + output_tokens as f64 * plan.model.ms_per_output_token,
            0.45,
        );
        if matches!(plan.kind, TraceKind::Runaway { .. }) {
            latency = rng.lognormal(520.0, 0.2);
        } else if rng.chance(0.004) {
            latency *= 4.0 + rng.unit() * 8.0;
        }
        let latency = (latency as i64).clamp(40, 120_000);
        let completed = created + ms(latency);
        let tokens = state.context_tokens + output_tokens;
        state.total_tokens += tokens;

        // tool calls the plan.model asks for
        let wanted: Vec<&'static ToolSpec> = if final_round {
            Vec::new()
        } else {
            match plan.kind {
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
                            let name = *rng.weighted(plan.agent.tools);
                            catalog::tool(name)
                        })
                        .collect()
                }
            }
        };
        let reply = if plan.kind == TraceKind::AnsiReply {
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
        let mut seq = 0;
        for (role, content, name, call) in messages {
            self.push_message(&request_uuid, role, content, &mut seq, name, call);
        }
        let request_id = match plan.model.provider {
            "anthropic" => format!("msg_01{}", rng.base62(22)),
            "openai" => format!("chatcmpl-{}", rng.base62(29)),
            _ => rng.base62(27),
        };
        let gw = GatewayRequest::draw(
            &mut self.side,
            plan.model,
            state.context_tokens,
            cache_hit,
            state.requests == 1,
            true,
        );
        let cost = plan.cond.prices.cost(
            plan.model.model,
            created,
            Usage {
                input: state.context_tokens,
                output: output_tokens,
                cache_read: gw.cache_read_tokens.map_or(0, i64::from),
                cache_write: gw.cache_creation_tokens.map_or(0, i64::from),
            },
        );
        let row = self.request_row(
            plan,
            &request_uuid,
            request_id.clone(),
            created,
            latency,
            &gw,
            state.context_tokens,
        );
        self.w.ai_requests.push(AiRequestRecord {
            tokens_used: Some(tokens as i32),
            output_tokens: Some(output_tokens as i32),
            cost_microdollars: cost,
            cache_hit,
            status: request_status::COMPLETED.to_string(),
            cache_read_tokens: gw.cache_read_tokens,
            cache_creation_tokens: gw.cache_creation_tokens,
            provider_request_id: Some(request_id.clone()),
            ..row
        });
        self.step(
            rng,
            "ai_call",
            format!("Call {}", plan.model.model),
            "completed",
            json!({"request_id": request_uuid, "model": plan.model.model, "tokens": tokens}),
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
                &provider_module(plan.model.provider),
                format!(
                    "stream chunk received request={} bytes={}",
                    request_uuid, chunk_bytes
                ),
                None,
            );
        }
        self.log(rng, completed, "INFO", MOD_AI, format!("ai request completed provider={} model={} tokens={} latency_ms={} cost_microdollars={}{}", plan.model.provider, plan.model.model, tokens, latency, cost.get(), if cache_hit { " cache=hit" } else { "" }), Some(json!({"provider": plan.model.provider, "model": plan.model.model, "latency_ms": latency, "tokens": tokens}).to_string()));
        if latency > 20_000 {
            self.log(
                rng,
                completed,
                "WARN",
                MOD_AI,
                format!(
                    "slow ai request {} took {} ms (model {})",
                    request_uuid, latency, plan.model.model
                ),
                None,
            );
        }
        state.t = completed + ms(rng.range(5, 40));
        state.context_tokens = (state.context_tokens + output_tokens).min(190_000);
        // run the tools
        state.previous.clear();
        let mut tool_failed = None;
        for (i, spec) in wanted.into_iter().enumerate() {
            if let Some(failed) = self.run_tool(rng, plan, state, &request_uuid, i, spec) {
                tool_failed = Some(failed);
            }
        }
        if let TraceKind::CredentialSpike { calls, spread_ms } = plan.kind {
            let gap = spread_ms / i64::from(calls.max(1));
            state.t += ms(rng.range(gap / 2, gap * 3 / 2 + 1));
        }
        tool_failed.filter(|_| rng.chance(0.25))
    }

    /// A request of this run as the gateway records it, created at
    /// `created` and answered `latency_ms` later: who, where, the model
    /// asked for and the one served. `sent_tokens` are its input; it has no
    /// output, cost or cache use, and no status yet (the caller says).
    #[allow(clippy::too_many_arguments)]
    fn request_row(
        &self,
        plan: &RunPlan<'_>,
        id: &AiRequestId,
        request_id: String,
        created: Timestamp,
        latency_ms: i64,
        gw: &GatewayRequest,
        sent_tokens: i64,
    ) -> AiRequestRecord {
        let completed = created + ms(latency_ms);
        let sent = Some(sent_tokens as i32);
        AiRequestRecord {
            id: id.clone(),
            request_id,
            user_id: self.actor.user_id.clone(),
            session_id: Some(self.actor.session_id.clone()),
            task_id: Some(self.task_id.clone()),
            context_id: Some(self.actor.context_id.clone()),
            trace_id: Some(self.trace_id.clone()),
            mcp_execution_id: None,
            provider: plan.model.provider.to_string(),
            model: plan
                .cond
                .prices
                .served_model(plan.model.model, created)
                .to_string(),
            tokens_used: sent,
            input_tokens: sent,
            output_tokens: Some(0),
            cost_microdollars: Microdollars::ZERO,
            latency_ms: Some(latency_ms as i32),
            cache_hit: false,
            status: String::new(),
            error_message: None,
            created_at: created,
            updated_at: completed,
            completed_at: Some(completed),
            requested_model: Some(gw.requested_model.clone()),
            cache_read_tokens: None,
            cache_creation_tokens: None,
            is_streaming: Some(gw.is_streaming),
            actor_kind: Some(self.gateway.actor_kind.to_string()),
            actor_id: Some(self.gateway.actor_id.clone()),
            synthetic: Some(self.gateway.synthetic),
            gateway_conversation_id: Some(self.gateway.conversation_id.clone()),
            provider_request_id: None,
        }
    }
}
