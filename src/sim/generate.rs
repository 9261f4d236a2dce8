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

mod bots;
mod incidents;

pub(crate) use bots::bot_traffic;
pub use incidents::*;

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
