//! The bulk workload: users, their sessions day by day, bot and scanner
//! traffic, and the planted incidents, generated in chunks so a large
//! simulation never holds every row at once. Each user draws from their own
//! random stream, so the rows do not depend on the chunk size.

use super::catalog::{self, AgentSpec, ModelSpec};
use super::rng::{SimRng, Stream};
use super::trace::{self, Actor, Conditions, ErrorBurst, SlowServer, TraceKind};
use super::{SimConfig, Workload, prices::GatewayBilling};
use crate::model::*;
use chrono::{Datelike, Duration, DurationRound, Weekday};

/// Mean human sessions per active user and weekday.
const SESSIONS_PER_USER_DAY: f64 = 4.2;
/// Users below this index are always active and created before the window
/// (incidents are planted on them).
const CORE_USERS: usize = 16;
/// Session idle timeout: a session ends this long after its last activity.
const IDLE_TIMEOUT_MIN: i64 = 30;

const HOUR_WEIGHTS: [u32; 24] = [
    2, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 10, 11, 12, 12, 11, 10, 8, 7, 6, 5, 4, 3,
];

/// The span the workload covers, normalised to milliseconds.
pub(crate) fn window(cfg: &SimConfig) -> (Timestamp, Timestamp) {
    let until = cfg
        .until
        .duration_trunc(Duration::milliseconds(1))
        .unwrap_or(cfg.until);
    (until - Duration::days(i64::from(cfg.days)), until)
}

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

/// Everything about a user that shapes their traffic.
#[derive(Debug, Clone)]
pub(crate) struct UserProfile {
    pub record: UserRecord,
    pub activity: f64,
    pub country: &'static str,
    pub browser: usize,
    pub fingerprints: [String; 2],
    pub api_client: ClientId,
}

/// The profile of user `index` (the same in every chunk and in live mode).
pub(crate) fn user_profile(seed: u64, index: usize, window_start: Timestamp) -> UserProfile {
    let mut rng = SimRng::new(seed, Stream::UserProfile, index as u64);
    let id = UserId(rng.uuid());
    let first = *rng.pick(catalog::FIRST_NAMES);
    let last = *rng.pick(catalog::LAST_NAMES);
    let domain = *rng.pick(catalog::EMAIL_DOMAINS);
    let core = index < CORE_USERS;
    // about one user in eleven is inactive and one in thirty suspended
    let status = if core {
        "active"
    } else if index % 11 == 5 {
        "inactive"
    } else if index % 31 == 20 {
        "suspended"
    } else {
        "active"
    };
    let roles: Vec<String> = match rng.weighted(&[(0u8, 78), (1, 14), (2, 5), (3, 3)]) {
        0 => vec!["user".into()],
        1 => vec!["user".into(), "developer".into()],
        2 => vec!["admin".into(), "user".into()],
        _ => vec!["auditor".into(), "user".into()],
    };
    let created_at = if !core && rng.chance(0.1) {
        // joined during the window
        window_start + Duration::minutes(rng.range(0, 60 * 24 * 20))
    } else {
        window_start - Duration::minutes(rng.range(60, 60 * 24 * 400))
    };
    let email_local = format!("{}.{}", first, last)
        .to_lowercase()
        .replace([' ', '\''], "")
        .replace(['á', 'à'], "a")
        .replace('í', "i")
        .replace('ó', "o");
    let activity = if status == "active" {
        rng.lognormal(0.78, 0.7)
    } else {
        0.0
    };
    let country = *rng.weighted(catalog::COUNTRIES);
    let browser = rng.range(0, catalog::BROWSERS.len() as i64) as usize;
    let fingerprints = [format!("fp_{}", rng.hex(32)), format!("fp_{}", rng.hex(32))];
    let api_client = ClientId(format!("sp_api_{}", rng.hex(12)));
    // `users.name` and `users.email` are UNIQUE (and the email lower-case)
    // on a real deployment: the index makes both unique within a seed, the
    // id's first hex digits (seeded) keep another seed's users apart too
    let handle = format!("{email_local}.{index}.{}", &id.0[..4]);
    UserProfile {
        record: UserRecord {
            id,
            name: handle.clone(),
            email: Some(format!("{handle}@{domain}").to_lowercase()),
            status: status.to_string(),
            roles,
            created_at,
        },
        activity,
        country,
        browser,
        fingerprints,
        api_client,
    }
}

/// One trace to plant inside a session.
pub(crate) struct Planted {
    pub agent: &'static AgentSpec,
    pub model: Option<&'static ModelSpec>,
    pub kind: TraceKind,
    pub start: Timestamp,
}

/// Build one human session of `profile` from `start`, its contexts and
/// traces (random, or the `planted` ones), cut at `horizon`, into `out`.
pub(crate) fn human_session(
    rng: &mut SimRng,
    profile: &UserProfile,
    start: Timestamp,
    cond: &Conditions,
    horizon: Timestamp,
    planted: Option<Vec<Planted>>,
    out: &mut Workload,
) {
    let session_id = SessionId(format!("sess_{}", rng.hex(32)));
    let source = *rng.weighted(&[("web", 70), ("cli", 15), ("api", 15)]);
    let (client_id, user_agent, device, browser, os) = match source {
        "web" => {
            let b = if rng.chance(0.85) {
                catalog::BROWSERS[profile.browser].0
            } else {
                *rng.weighted(catalog::BROWSERS)
            };
            (ClientId::from("sp_web"), b.3.to_string(), b.0, b.1, b.2)
        }
        "cli" => (
            ClientId::from("sp_cli"),
            rng.pick(catalog::CLI_AGENTS).to_string(),
            "desktop",
            "systemprompt-cli",
            "Linux",
        ),
        _ => (
            profile.api_client.clone(),
            rng.pick(catalog::API_AGENTS).to_string(),
            "server",
            "api-client",
            "Linux",
        ),
    };
    let fingerprint = profile.fingerprints[usize::from(rng.chance(0.2))].clone();
    let referrer = if source == "web" {
        *rng.weighted(catalog::REFERRERS)
    } else {
        None
    };
    let landing = if source == "web" {
        Some(rng.weighted(catalog::LANDING_PAGES).to_string())
    } else {
        None
    };
    let mark_requests = out.ai_requests.len();
    let mark_logs = out.logs.len();
    out.logs.push(LogRecord {
        id: LogId(rng.uuid()),
        timestamp: start,
        level: "INFO".into(),
        module: "systemprompt_api::services::session".into(),
        message: format!(
            "session {} started source={} client={}",
            session_id, source, client_id
        ),
        metadata: None,
        user_id: Some(profile.record.id.clone()),
        session_id: Some(session_id.clone()),
        task_id: None,
        trace_id: None,
        context_id: None,
        client_id: Some(client_id.clone()),
        gateway_conversation_id: None,
        provider_request_id: None,
    });

    let mut t = start + Duration::milliseconds(rng.range(2_000, 30_000));
    let plan: Vec<Vec<Planted>> = match planted {
        Some(p) => vec![p],
        None => {
            let contexts = if rng.chance(0.25) { 2 } else { 1 };
            (0..contexts)
                .map(|_| {
                    let mut n = 1;
                    while n < 6 && rng.chance(0.35) {
                        n += 1;
                    }
                    (0..n)
                        .map(|_| Planted {
                            agent: agent_pick(rng),
                            model: None,
                            kind: TraceKind::Normal,
                            start: Timestamp::MIN_UTC,
                        })
                        .collect()
                })
                .collect()
        }
    };
    for traces in plan {
        if t > horizon {
            break;
        }
        let context_id = ContextId(format!("ctx_{}", rng.hex(32)));
        let ctx_index = out.contexts.len();
        out.contexts.push(ContextRecord {
            context_id: context_id.clone(),
            user_id: profile.record.id.clone(),
            session_id: Some(session_id.clone()),
            name: format!(
                "{} {}",
                rng.pick(&[
                    "Question about",
                    "Investigate",
                    "Notes on",
                    "Review",
                    "Report:"
                ]),
                rng.pick(catalog::TOPICS)
            ),
            created_at: t,
            updated_at: t,
        });
        let actor = Actor {
            user_id: profile.record.id.clone(),
            session_id: session_id.clone(),
            context_id,
            client_id: Some(client_id.clone()),
        };
        let mut last = t;
        for p in traces {
            let begin = if p.start > t {
                p.start
            } else {
                t + Duration::milliseconds(rng.range(500, 8_000))
            };
            if begin > horizon {
                break;
            }
            let draft = trace::build_trace(rng, &actor, p.agent, p.model, p.kind, begin, cond);
            // the parent and any sub-agent tasks it delegated to
            let end = draft
                .tasks
                .iter()
                .map(|task| task.updated_at)
                .max()
                .unwrap_or(begin);
            if end <= horizon {
                out.append(draft);
                last = end;
            } else {
                trace::cut_into(draft, horizon, out);
                last = horizon;
            }
            t = end + Duration::milliseconds((rng.lognormal(45_000.0, 0.9) as i64).min(1_800_000));
        }
        out.contexts[ctx_index].updated_at = last;
    }

    let mut ai_count = 0i32;
    let mut tokens = 0i64;
    let mut cost = Microdollars::ZERO;
    for r in &out.ai_requests[mark_requests..] {
        ai_count += 1;
        tokens += i64::from(r.tokens_used.unwrap_or(0));
        cost = cost.checked_add(r.cost_microdollars).unwrap_or(cost);
    }
    let last_activity = out.logs[mark_logs..]
        .iter()
        .map(|l| l.timestamp)
        .max()
        .unwrap_or(start);
    let idle_end = last_activity + Duration::minutes(IDLE_TIMEOUT_MIN);
    out.sessions.push(SessionRecord {
        session_id,
        user_id: Some(profile.record.id.clone()),
        started_at: start,
        last_activity_at: last_activity,
        ended_at: (idle_end <= horizon).then_some(idle_end),
        client_id: Some(client_id),
        request_count: ai_count + rng.range(2, 25) as i32,
        ai_request_count: ai_count,
        total_tokens_used: tokens,
        total_ai_cost_microdollars: cost,
        user_agent: Some(user_agent),
        device_type: Some(device.to_string()),
        browser: Some(browser.to_string()),
        os: Some(os.to_string()),
        country: Some(profile.country.to_string()),
        referrer_source: referrer.map(str::to_string),
        landing_page: landing,
        fingerprint_hash: Some(fingerprint),
        is_bot: false,
        is_scanner: false,
        is_behavioral_bot: false,
        session_source: Some(source.to_string()),
        is_ai_crawler: Some(false),
    });
}

pub(crate) fn agent_pick(rng: &mut SimRng) -> &'static AgentSpec {
    rng.weighted(catalog::AGENTS)
}

/// A session start hour drawn from the daily curve.
fn session_start(rng: &mut SimRng, day_start: Timestamp) -> Timestamp {
    let weights: Vec<(i64, u32)> = HOUR_WEIGHTS
        .iter()
        .enumerate()
        .map(|(h, w)| (h as i64, *w))
        .collect();
    let hour = *rng.weighted(&weights);
    day_start + Duration::hours(hour) + Duration::milliseconds(rng.range(0, 3_600_000))
}

/// All activity of user `index` over the window.
pub(crate) fn user_activity(cfg: &SimConfig, index: usize, cond: &Conditions, out: &mut Workload) {
    let (start, until) = window(cfg);
    let profile = user_profile(cfg.seed, index, start);
    if profile.activity <= 0.0 {
        return;
    }
    let mut rng = SimRng::new(cfg.seed, Stream::UserActivity, index as u64);
    // calendar days (UTC) covering the window, so the daily curve follows the clock
    let first_midnight = start.duration_trunc(Duration::days(1)).unwrap_or(start);
    let calendar_days = (until - first_midnight).num_days() + 1;
    for day in 0..calendar_days {
        let day_start = first_midnight + Duration::days(day);
        let weekday = matches!(day_start.weekday(), Weekday::Sat | Weekday::Sun);
        let lambda = SESSIONS_PER_USER_DAY * profile.activity * if weekday { 0.45 } else { 1.0 };
        let n = rng.poisson(lambda);
        let mut starts: Vec<Timestamp> =
            (0..n).map(|_| session_start(&mut rng, day_start)).collect();
        starts.sort();
        for s in starts {
            if s < profile.record.created_at || s < start || s > until {
                continue;
            }
            human_session(&mut rng, &profile, s, cond, until, None, out);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn bot_session(
    rng: &mut SimRng,
    start: Timestamp,
    horizon: Timestamp,
    ua: &str,
    landing: &str,
    fingerprint: String,
    flags: (bool, bool, bool),
    out: &mut Workload,
) {
    let session_id = SessionId(format!("sess_{}", rng.hex(32)));
    let pages = rng.range(1, 40) as i32;
    let last = (start + Duration::seconds(i64::from(pages) * rng.range(1, 20))).min(horizon);
    out.logs.push(LogRecord {
        id: LogId(rng.uuid()),
        timestamp: start,
        level: if flags.1 {
            "WARN".into()
        } else {
            "INFO".into()
        },
        module: "systemprompt_api::middleware::analytics".into(),
        message: if flags.1 {
            format!("blocked scanner request GET {landing} ua=\"{ua}\"")
        } else {
            format!("GET {landing} 200 bot=true ua=\"{ua}\"")
        },
        metadata: None,
        user_id: None,
        session_id: Some(session_id.clone()),
        task_id: None,
        trace_id: None,
        context_id: None,
        client_id: None,
        gateway_conversation_id: None,
        provider_request_id: None,
    });
    let ended = last + Duration::minutes(IDLE_TIMEOUT_MIN);
    out.sessions.push(SessionRecord {
        session_id,
        user_id: None,
        started_at: start,
        last_activity_at: last,
        ended_at: (ended <= horizon).then_some(ended),
        // the web client's default id (a real deployment never stores NULL)
        client_id: Some(ClientId::from("sp_web")),
        request_count: pages,
        ai_request_count: 0,
        total_tokens_used: 0,
        total_ai_cost_microdollars: Microdollars::ZERO,
        user_agent: Some(ua.to_string()),
        device_type: Some(if flags.0 && !flags.2 {
            "bot".into()
        } else {
            "desktop".into()
        }),
        browser: Some(if flags.2 {
            "HeadlessChrome".into()
        } else {
            "Other".into()
        }),
        os: Some("Linux".into()),
        country: Some(
            rng.weighted(&[
                ("US", 50u32),
                ("DE", 10),
                ("CN", 12),
                ("RU", 8),
                ("NL", 10),
                ("SG", 10),
            ])
            .to_string(),
        ),
        referrer_source: None,
        landing_page: Some(landing.to_string()),
        fingerprint_hash: Some(fingerprint),
        is_bot: flags.0,
        is_scanner: flags.1,
        is_behavioral_bot: flags.2,
        session_source: Some("web".into()),
        is_ai_crawler: Some(AI_CRAWLERS.iter().any(|c| ua.contains(c))),
    });
}

/// User-agent marks of crawlers that collect for AI models.
const AI_CRAWLERS: &[&str] = &["GPTBot", "ClaudeBot", "PerplexityBot", "CCBot"];

const HEADLESS_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36";

/// Crawlers, scanners and behavioural bots over the window (≈10% of sessions).
pub(crate) fn bot_traffic(cfg: &SimConfig, plan: &IncidentPlan, out: &mut Workload) {
    let (start, until) = window(cfg);
    let mut rng = SimRng::new(cfg.seed, Stream::Bots, 0);
    let crawlers_per_day = (cfg.users as f64 * SESSIONS_PER_USER_DAY * 0.6 * 0.11).max(2.0);
    for day in 0..cfg.days {
        let day_start = start + Duration::days(i64::from(day));
        let day_end = (day_start + Duration::days(1)).min(until);
        for _ in 0..rng.poisson(crawlers_per_day) {
            let t = rng.instant(day_start, day_end);
            let ua = *rng.pick(catalog::CRAWLERS);
            let page = *rng.pick(catalog::CRAWL_PAGES);
            let fp = format!("fp_{}", rng.hex(32));
            bot_session(&mut rng, t, until, ua, page, fp, (true, false, false), out);
        }
        for _ in 0..rng.poisson(3.0) {
            let t = rng.instant(day_start, day_end);
            let (ua, page) = *rng.pick(catalog::SCANNERS);
            let fp = format!("fp_{}", rng.hex(32));
            bot_session(&mut rng, t, until, ua, page, fp, (true, true, false), out);
        }
        if day % 3 == 1 {
            // a small behavioural bot: 6–9 sessions from one fingerprint in an hour
            let fp = format!("fp_{}", rng.hex(32));
            let t0 = rng.instant(
                day_start,
                day_end - Duration::hours(1).min(day_end - day_start),
            );
            for _ in 0..rng.range(6, 10) {
                let t = rng.instant(t0, t0 + Duration::hours(1));
                if t <= until {
                    bot_session(
                        &mut rng,
                        t,
                        until,
                        HEADLESS_UA,
                        "/pricing",
                        fp.clone(),
                        (true, false, true),
                        out,
                    );
                }
            }
        }
    }
    // the planted behavioural bot: many sessions from one fingerprint in 3 hours
    for i in 0..BEHAVIORAL_BOT_SESSIONS {
        let t = plan.behavioral_bot_at + Duration::seconds(i64::from(i) * 270);
        if t <= until {
            bot_session(
                &mut rng,
                t,
                until,
                HEADLESS_UA,
                "/app/chat",
                BEHAVIORAL_BOT_FINGERPRINT.to_string(),
                (true, false, true),
                out,
            );
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
