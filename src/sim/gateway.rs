//! What a real gateway records beside each AI request of a simulated run:
//! the actor (mostly the user; sometimes a scheduled job or an MCP server
//! sampling the model), synthetic probe traffic, the model asked for and
//! the one served (a routed fallback now and then), streaming, and prompt
//! cache reads and writes. Drawn from the trace's own gateway stream, so
//! none of it shifts the main random streams.

use super::catalog::{self, AgentSpec, ModelSpec};
use super::rng::SimRng;
use super::trace::Actor;
use crate::model::actor_kind;

/// Scheduled jobs that run agents on a user's behalf.
const JOBS: &[&str] = &[
    "nightly-digest",
    "weekly-report",
    "inbox-triage",
    "sla-watch",
];

/// What a gateway records about who made the calls of one trace.
#[derive(Debug, Clone)]
pub(crate) struct GatewayTrace {
    pub actor_kind: &'static str,
    pub actor_id: String,
    pub synthetic: bool,
    pub conversation_id: String,
}

impl GatewayTrace {
    /// The user themselves, real traffic (planted incidents).
    pub(crate) fn user(actor: &Actor) -> GatewayTrace {
        GatewayTrace {
            actor_kind: actor_kind::USER,
            actor_id: actor.user_id.0.clone(),
            synthetic: false,
            conversation_id: format!("gconv_{}", &actor.context_id.0.trim_start_matches("ctx_")),
        }
    }

    /// Mostly the user; 7% a scheduled job, 4% an MCP server sampling the
    /// model; 2% synthetic probes (run by the canary job).
    pub(crate) fn draw(side: &mut SimRng, actor: &Actor, agent: &AgentSpec) -> GatewayTrace {
        let mut g = GatewayTrace::user(actor);
        if side.chance(0.02) {
            g.synthetic = true;
            g.actor_kind = actor_kind::JOB;
            g.actor_id = "synthetic-canary".into();
            return g;
        }
        match side.weighted(&[(0u8, 89), (1, 7), (2, 4)]) {
            0 => {}
            1 => {
                g.actor_kind = actor_kind::JOB;
                g.actor_id = side.pick(JOBS).to_string();
            }
            _ => {
                let name = *side.weighted(agent.tools);
                let tool = catalog::tool(name);
                g.actor_kind = actor_kind::MCP;
                g.actor_id = tool.server.to_string();
            }
        }
        g
    }
}

/// The model a request asked for when the gateway served `served` as a
/// fallback (the next tier up, same provider); `None` for the top tiers.
fn routed_from(served: &str) -> Option<&'static str> {
    match served {
        "claude-haiku-4-5" => Some("claude-sonnet-4-5"),
        "claude-sonnet-4-5" => Some("claude-opus-4-1"),
        "gpt-4o-mini" => Some("gpt-4o"),
        "gpt-4o" => Some("gpt-4.1"),
        "gemini-2.5-flash" => Some("gemini-2.5-pro"),
        _ => None,
    }
}

/// What the gateway records beside one request.
pub(crate) struct GatewayRequest {
    pub requested_model: String,
    pub is_streaming: bool,
    pub cache_read_tokens: Option<i32>,
    pub cache_creation_tokens: Option<i32>,
}

impl GatewayRequest {
    /// `input` tokens sent, served by `model`; `first` is the run's first
    /// request (where a prompt cache is written), `completed` whether usage
    /// came back. A cache hit reads 40–90% of the input from the cache; an
    /// Anthropic first request without a hit writes the system prompt.
    pub(crate) fn draw(
        side: &mut SimRng,
        model: &ModelSpec,
        input: i64,
        cache_hit: bool,
        first: bool,
        completed: bool,
    ) -> GatewayRequest {
        let requested = match routed_from(model.model) {
            Some(asked) if side.chance(0.03) => asked,
            _ => model.model,
        };
        let is_streaming = side.chance(0.65);
        let (read, write) = if !completed {
            (None, None)
        } else {
            let read = if cache_hit {
                (input as f64 * (0.4 + 0.5 * side.unit())) as i64
            } else {
                0
            };
            let write = if model.provider == "anthropic" && first && !cache_hit && side.chance(0.5)
            {
                side.range(600, 2_400).min(input)
            } else {
                0
            };
            (Some(read as i32), Some(write as i32))
        };
        GatewayRequest {
            requested_model: requested.to_string(),
            is_streaming,
            cache_read_tokens: read,
            cache_creation_tokens: write,
        }
    }
}
