//! The planted incidents: where and when they happen in this
//! configuration's window ([`IncidentPlan`]), the world they make (error
//! bursts, slow servers, mispriced hours) and their traffic.

use super::*;

/// Where and when the incidents of this configuration are planted.
#[derive(Debug, Clone)]
pub struct IncidentPlan {
    pub error_burst: (Timestamp, Timestamp),
    pub slow_server: (Timestamp, Timestamp),
    pub runaway_at: Timestamp,
    pub credential_spike_at: Timestamp,
    pub big_payload_at: Timestamp,
    pub ansi_reply_at: Timestamp,
    pub behavioral_bot_at: Timestamp,
    /// `[start, end)` where `claude-sonnet-4-5` is billed at opus prices.
    pub mispriced_window: (Timestamp, Timestamp),
    /// `[start, end)` where haiku requests are served by the unpriced preview.
    pub unpriced_window: (Timestamp, Timestamp),
}

/// Provider that fails during the error burst.
pub const BURST_PROVIDER: &str = "openai";
/// MCP server that is slow for an hour.
pub const SLOW_SERVER: &str = "postgres";
/// Iterations of the runaway agent loop.
pub const RUNAWAY_ITERATIONS: u32 = 300;
/// Credential-tool calls in the spike.
pub const CREDENTIAL_CALLS: u32 = 60;
/// Sessions of the planted behavioural bot.
pub const BEHAVIORAL_BOT_SESSIONS: u32 = 40;
/// Fingerprint of the planted behavioural bot.
pub const BEHAVIORAL_BOT_FINGERPRINT: &str = "fp_5c0ffee0ddba11c0ffee0ddba11c0ffe";

impl IncidentPlan {
    /// The plan for a configuration (fractions of the window before `until`).
    pub fn for_config(cfg: &SimConfig) -> IncidentPlan {
        let (start, until) = window(cfg);
        let span = until - start;
        let at = |fraction: f64| {
            until - Duration::milliseconds((span.num_milliseconds() as f64 * fraction) as i64)
        };
        let minute = |t: Timestamp| t.duration_trunc(Duration::minutes(1)).unwrap_or(t);
        let burst = minute(at(0.35));
        let slow = at(0.60).duration_trunc(Duration::hours(1)).unwrap_or(start);
        let billing = GatewayBilling::for_window(start, until);
        IncidentPlan {
            error_burst: (burst, burst + Duration::minutes(10)),
            slow_server: (slow, slow + Duration::hours(1)),
            runaway_at: minute(at(0.25)),
            credential_spike_at: minute(at(0.50)),
            big_payload_at: minute(at(0.70)),
            ansi_reply_at: minute(at(0.15)),
            behavioral_bot_at: minute(at(0.40)),
            mispriced_window: billing.misprice_window().unwrap_or((start, start)),
            unpriced_window: billing.unpriced_window().unwrap_or((start, start)),
        }
    }

    pub(crate) fn conditions(&self, cfg: &SimConfig) -> Conditions {
        let (start, until) = window(cfg);
        Conditions {
            prices: GatewayBilling::for_window(start, until),
            error_bursts: vec![ErrorBurst {
                provider: BURST_PROVIDER,
                start: self.error_burst.0,
                end: self.error_burst.1,
                failure_rate: 0.40,
            }],
            slow_servers: vec![SlowServer {
                server: SLOW_SERVER,
                start: self.slow_server.0,
                end: self.slow_server.1,
            }],
        }
    }
}

/// The planted incidents' traffic.
pub(crate) fn incidents(
    cfg: &SimConfig,
    plan: &IncidentPlan,
    cond: &Conditions,
    out: &mut Workload,
) {
    if cfg.users == 0 || cfg.days == 0 {
        return;
    }
    let (start, until) = window(cfg);
    let mut rng = SimRng::new(cfg.seed, Stream::Incidents, 0);
    let user = |i: usize| user_profile(cfg.seed, i % cfg.users, start);
    let one = |agent: &str, kind: TraceKind, at: Timestamp| {
        vec![Planted {
            agent: catalog::agent(agent),
            model: None,
            kind,
            start: at,
        }]
    };
    // error burst: six sessions of support traffic on the failing provider
    let burst_model = catalog::model("gpt-4o-mini");
    for s in 0..6usize {
        let t0 = plan.error_burst.0 + Duration::seconds(s as i64 * 15);
        let traces = (0..10)
            .map(|k| Planted {
                agent: catalog::agent("support-agent"),
                model: Some(burst_model),
                kind: TraceKind::Normal,
                start: t0 + Duration::seconds(k * 55),
            })
            .collect();
        human_session(
            &mut rng,
            &user(3 + s),
            t0 - Duration::seconds(20),
            cond,
            until,
            Some(traces),
            out,
        );
    }
    // slow MCP server: data analysts querying postgres for the hour
    for s in 0..3usize {
        let t0 = plan.slow_server.0 + Duration::minutes(s as i64 * 3);
        let traces = (0..8)
            .map(|k| Planted {
                agent: catalog::agent("data-analyst"),
                model: None,
                kind: TraceKind::Normal,
                start: t0 + Duration::minutes(k * 7),
            })
            .collect();
        human_session(
            &mut rng,
            &user(9 + s),
            t0 - Duration::seconds(30),
            cond,
            until,
            Some(traces),
            out,
        );
    }
    let planted = [
        (
            "code-reviewer",
            TraceKind::Runaway {
                iterations: RUNAWAY_ITERATIONS,
            },
            plan.runaway_at,
            1,
        ),
        (
            "ops-agent",
            TraceKind::CredentialSpike {
                calls: CREDENTIAL_CALLS,
                spread_ms: 35 * 60_000,
            },
            plan.credential_spike_at,
            2,
        ),
        ("ops-agent", TraceKind::BigPayload, plan.big_payload_at, 12),
        (
            "research-agent",
            TraceKind::AnsiReply,
            plan.ansi_reply_at,
            13,
        ),
    ];
    for (agent, kind, at, who) in planted {
        if at < start {
            continue;
        }
        human_session(
            &mut rng,
            &user(who),
            at - Duration::seconds(40),
            cond,
            until,
            Some(one(agent, kind, at)),
            out,
        );
    }
    // a run in flight at `until`: its first request stays pending
    let in_flight = vec![Planted {
        agent: catalog::agent("research-agent"),
        model: Some(catalog::model("claude-opus-4-1")),
        kind: TraceKind::Normal,
        start: until - Duration::milliseconds(800),
    }];
    human_session(
        &mut rng,
        &user(14),
        until - Duration::seconds(90),
        cond,
        until,
        Some(in_flight),
        out,
    );
}
