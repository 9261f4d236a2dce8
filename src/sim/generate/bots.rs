//! Bot traffic: AI crawlers, scanners, headless browsers and the planted
//! behavioural bot, each session flagged the way the platform flags it.

use super::*;

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
