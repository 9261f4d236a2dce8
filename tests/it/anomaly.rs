//! Anomaly rules: each raises at warning, escalates once at critical and
//! clears after a full window back under warning; credential-name matching;
//! thresholds from TOML; no anomaly on normal traffic; the detector as a
//! stage between a source's channel and its consumer.

use chrono::{DateTime, Duration, Utc};
use tracetop::anomaly::{AnomalyDetector, Thresholds};
use tracetop::model::*;

fn t0() -> Timestamp {
    DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}
fn ms(n: i64) -> Timestamp {
    t0() + Duration::milliseconds(n)
}
fn secs(n: i64) -> Timestamp {
    t0() + Duration::seconds(n)
}

fn request(id: &str, user: &str, status: &str, at: Timestamp) -> AiRequestRecord {
    AiRequestRecord {
        id: id.into(),
        request_id: id.into(),
        user_id: user.into(),
        session_id: None,
        task_id: None,
        context_id: None,
        trace_id: Some(format!("tr-{id}").into()),
        mcp_execution_id: None,
        provider: "openai".into(),
        model: "gpt-4o".into(),
        tokens_used: Some(10),
        input_tokens: Some(5),
        output_tokens: Some(5),
        cost_microdollars: Microdollars(10),
        latency_ms: Some(100),
        cache_hit: false,
        status: status.into(),
        error_message: None,
        created_at: at,
        updated_at: at,
        completed_at: (status != "pending").then_some(at),
        requested_model: None,
        cache_read_tokens: None,
        cache_creation_tokens: None,
        is_streaming: None,
        actor_kind: None,
        actor_id: None,
        synthetic: None,
        gateway_conversation_id: None,
        provider_request_id: None,
    }
}

fn started(id: &str, user: &str, at: Timestamp) -> Event {
    Event::AiRequestStarted {
        request: request(id, user, "pending", at),
    }
}

fn finished(id: &str, user: &str, failed: bool, at: Timestamp) -> Event {
    let r = request(id, user, if failed { "failed" } else { "completed" }, at);
    if failed {
        Event::AiRequestFailed {
            request: r,
            messages: vec![],
            tool_calls: vec![],
        }
    } else {
        Event::AiRequestCompleted {
            request: r,
            messages: vec![],
            tool_calls: vec![],
        }
    }
}

fn session(id: &str, fingerprint: &str, at: Timestamp) -> Event {
    Event::SessionStarted {
        session: SessionRecord {
            session_id: id.into(),
            user_id: None,
            started_at: at,
            last_activity_at: at,
            ended_at: None,
            client_id: None,
            request_count: 0,
            ai_request_count: 0,
            total_tokens_used: 0,
            total_ai_cost_microdollars: Microdollars(0),
            user_agent: None,
            device_type: None,
            browser: None,
            os: None,
            country: None,
            referrer_source: None,
            landing_page: None,
            fingerprint_hash: Some(fingerprint.into()),
            is_bot: false,
            is_scanner: false,
            is_behavioral_bot: false,
            session_source: None,
            is_ai_crawler: None,
        },
    }
}

fn execution(
    id: &str,
    tool: &str,
    status: &str,
    time_ms: Option<i32>,
    output: Option<String>,
    at: Timestamp,
) -> Event {
    Event::McpExecution {
        execution: McpExecutionRecord {
            mcp_execution_id: id.into(),
            tool_name: tool.into(),
            server_name: "srv".into(),
            started_at: at,
            completed_at: Some(at),
            execution_time_ms: time_ms,
            input: "{}".into(),
            output,
            status: status.into(),
            error_message: None,
            user_id: None,
            session_id: None,
            context_id: None,
            task_id: None,
            trace_id: Some(format!("tr-{id}").into()),
            created_at: at,
        },
    }
}

/// What happened to anomalies, in order: (kind, id, severity).
#[derive(Default)]
struct Log(Vec<(String, String, Severity, f64)>);

impl Log {
    fn record(&mut self, events: Vec<Event>) {
        for e in events {
            let kind = e.kind().to_string();
            match e {
                Event::AnomalyRaised { anomaly }
                | Event::AnomalyEscalated { anomaly }
                | Event::AnomalyCleared { anomaly } => {
                    self.0
                        .push((kind, anomaly.id, anomaly.severity, anomaly.value))
                }
                other => panic!("detector returned a non-anomaly event {other:?}"),
            }
        }
    }
    fn kinds(&self) -> Vec<(&str, &str, Severity)> {
        self.0
            .iter()
            .map(|(k, id, s, _)| (k.as_str(), id.as_str(), *s))
            .collect()
    }
}

fn feed(d: &mut AnomalyDetector, log: &mut Log, event: Event, now: Timestamp) {
    log.record(d.observe(&event, now));
}

/// Tick once a second from `from` to `to` (inclusive).
fn tick_until(d: &mut AnomalyDetector, log: &mut Log, from: Timestamp, to: Timestamp) {
    let mut t = from;
    while t <= to {
        log.record(d.tick(t));
        t += Duration::seconds(1);
    }
}

#[test]
fn requests_per_minute_raises_escalates_and_clears() {
    let mut d = AnomalyDetector::new(Thresholds::default());
    let mut log = Log::default();
    for i in 0..14 {
        feed(
            &mut d,
            &mut log,
            started(&format!("r{i}"), "alice", secs(i)),
            secs(i),
        );
    }
    assert!(
        log.0.is_empty(),
        "14 requests in a minute are normal: {:?}",
        log.kinds()
    );
    feed(
        &mut d,
        &mut log,
        started("r14", "alice", secs(14)),
        secs(14),
    );
    assert_eq!(
        log.kinds(),
        [(
            "anomaly_raised",
            "requests_per_minute:alice",
            Severity::Warning
        )]
    );
    assert_eq!(log.0[0].3, 15.0);
    // the completion of a counted request is not a second request
    feed(
        &mut d,
        &mut log,
        finished("r14", "alice", false, secs(14)),
        secs(14),
    );
    for i in 15..30 {
        feed(
            &mut d,
            &mut log,
            started(&format!("r{i}"), "alice", secs(i)),
            secs(i),
        );
    }
    assert_eq!(log.0.len(), 2, "{:?}", log.kinds());
    assert_eq!(
        log.kinds()[1],
        (
            "anomaly_escalated",
            "requests_per_minute:alice",
            Severity::Critical
        )
    );
    assert_eq!(log.0[1].3, 30.0);
    // the window empties at 89 s (last request at 29 s); a full minute under
    // warning must pass before it clears
    tick_until(&mut d, &mut log, secs(31), secs(100));
    assert_eq!(log.0.len(), 2, "not cleared too early: {:?}", log.kinds());
    tick_until(&mut d, &mut log, secs(101), secs(200));
    assert_eq!(log.0.len(), 3, "{:?}", log.kinds());
    assert_eq!(
        log.kinds()[2],
        (
            "anomaly_cleared",
            "requests_per_minute:alice",
            Severity::Critical
        )
    );
    assert!(d.open().is_empty());
}

#[test]
fn sessions_per_fingerprint() {
    let mut d = AnomalyDetector::new(Thresholds::default());
    let mut log = Log::default();
    for i in 0..4 {
        feed(
            &mut d,
            &mut log,
            session(&format!("s{i}"), "fp-1", secs(i * 10)),
            secs(i * 10),
        );
    }
    // the same session seen again (ended) does not count twice
    feed(&mut d, &mut log, session("s3", "fp-1", secs(35)), secs(35));
    assert!(log.0.is_empty());
    feed(&mut d, &mut log, session("s4", "fp-1", secs(40)), secs(40));
    assert_eq!(
        log.kinds(),
        [(
            "anomaly_raised",
            "session_count_per_fingerprint:fp-1",
            Severity::Warning
        )]
    );
    for i in 5..10 {
        feed(
            &mut d,
            &mut log,
            session(&format!("s{i}"), "fp-1", secs(i * 10)),
            secs(i * 10),
        );
    }
    assert_eq!(
        log.kinds()[1],
        (
            "anomaly_escalated",
            "session_count_per_fingerprint:fp-1",
            Severity::Critical
        )
    );
    // other fingerprints are separate subjects
    feed(&mut d, &mut log, session("x", "fp-2", secs(100)), secs(100));
    assert_eq!(log.0.len(), 2);
    // window is an hour: under warning from ~3_660 s, cleared an hour later
    log.record(d.tick(secs(3_000)));
    log.record(d.tick(secs(3_700)));
    log.record(d.tick(secs(7_000)));
    assert_eq!(log.0.len(), 2);
    log.record(d.tick(secs(7_301)));
    assert_eq!(
        log.kinds()[2],
        (
            "anomaly_cleared",
            "session_count_per_fingerprint:fp-1",
            Severity::Critical
        )
    );
}

#[test]
fn error_rate_needs_a_minimum_sample() {
    let mut d = AnomalyDetector::new(Thresholds::default());
    let mut log = Log::default();
    // 3 of the first 5 fail: 60 %, but under the 20-request minimum
    for i in 0..5 {
        feed(
            &mut d,
            &mut log,
            finished(&format!("r{i}"), &format!("u{i}"), i < 3, secs(i)),
            secs(i),
        );
    }
    assert!(log.0.is_empty());
    for i in 5..19 {
        feed(
            &mut d,
            &mut log,
            finished(&format!("r{i}"), &format!("u{i}"), false, secs(i)),
            secs(i),
        );
    }
    assert!(log.0.is_empty(), "19 requests: below the minimum sample");
    // 20th: 3/20 = 15 % >= 10 %
    feed(
        &mut d,
        &mut log,
        finished("r19", "u19", false, secs(19)),
        secs(19),
    );
    assert_eq!(
        log.kinds(),
        [("anomaly_raised", "error_rate:platform", Severity::Warning)]
    );
    assert_eq!(log.0[0].3, 0.15);
    // 4/21 = 19 %, 5/22 = 23 % stay under 25 %; 6/23 = 26 % escalates
    for i in 20..22 {
        feed(
            &mut d,
            &mut log,
            finished(&format!("r{i}"), &format!("u{i}"), true, secs(i)),
            secs(i),
        );
    }
    assert_eq!(log.0.len(), 1);
    feed(
        &mut d,
        &mut log,
        finished("r22", "u22", true, secs(22)),
        secs(22),
    );
    assert_eq!(
        log.kinds()[1],
        (
            "anomaly_escalated",
            "error_rate:platform",
            Severity::Critical
        )
    );
    // window is 5 minutes: empty after 322 s, cleared 300 s later
    tick_until(&mut d, &mut log, secs(24), secs(600));
    assert_eq!(log.0.len(), 2);
    tick_until(&mut d, &mut log, secs(601), secs(700));
    assert_eq!(
        log.kinds()[2],
        ("anomaly_cleared", "error_rate:platform", Severity::Critical)
    );
}

#[test]
fn trend_spike_against_the_trailing_average() {
    let mut d = AnomalyDetector::new(Thresholds::default());
    let mut log = Log::default();
    let mut n = 0;
    // 31 minutes of a steady 5 requests per minute from distinct users
    for minute in 0..31 {
        for k in 0..5 {
            let t = secs(minute * 60 + k * 10);
            feed(
                &mut d,
                &mut log,
                started(&format!("b{n}"), &format!("u{n}"), t),
                t,
            );
            n += 1;
        }
    }
    assert!(log.0.is_empty(), "steady traffic: {:?}", log.kinds());
    // then a burst: 20 requests in 20 seconds
    for k in 0..20 {
        let t = secs(31 * 60 + k);
        feed(
            &mut d,
            &mut log,
            started(&format!("s{k}"), &format!("burst{k}"), t),
            t,
        );
    }
    let kinds = log.kinds();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert_eq!(
        kinds[0],
        ("anomaly_raised", "trend_spike:platform", Severity::Warning)
    );
    assert_eq!(
        kinds[1],
        (
            "anomaly_escalated",
            "trend_spike:platform",
            Severity::Critical
        )
    );
    assert!(log.0[0].3 >= 2.0 && log.0[0].3 < 3.0, "{}", log.0[0].3);
    assert!(log.0[1].3 >= 3.0, "{}", log.0[1].3);
    // silence: the last minute empties, then a full minute under warning
    tick_until(&mut d, &mut log, secs(31 * 60 + 20), secs(31 * 60 + 200));
    assert_eq!(
        log.kinds()[2],
        (
            "anomaly_cleared",
            "trend_spike:platform",
            Severity::Critical
        )
    );
}

#[test]
fn mcp_calls_per_minute_is_over_100() {
    let mut d = AnomalyDetector::new(Thresholds::default());
    let mut log = Log::default();
    for i in 0..100 {
        let t = ms(i * 250);
        feed(
            &mut d,
            &mut log,
            execution(&format!("m{i}"), "search", "success", Some(10), None, t),
            t,
        );
    }
    assert!(log.0.is_empty(), "exactly 100 calls is not over 100");
    // a status update of a known execution is not a new call
    feed(
        &mut d,
        &mut log,
        execution("m99", "search", "success", Some(10), None, ms(99 * 250)),
        ms(99 * 250),
    );
    assert!(log.0.is_empty());
    feed(
        &mut d,
        &mut log,
        execution("m100", "search", "success", Some(10), None, ms(25_000)),
        ms(25_000),
    );
    assert_eq!(
        log.kinds(),
        [(
            "anomaly_raised",
            "mcp_calls_per_minute:search",
            Severity::Warning
        )]
    );
    for i in 101..200 {
        let t = ms(i * 250);
        feed(
            &mut d,
            &mut log,
            execution(&format!("m{i}"), "search", "success", Some(10), None, t),
            t,
        );
    }
    assert_eq!(log.0.len(), 1, "200 calls is not over 200");
    feed(
        &mut d,
        &mut log,
        execution("m200", "search", "success", Some(10), None, ms(50_000)),
        ms(50_000),
    );
    assert_eq!(
        log.kinds()[1],
        (
            "anomaly_escalated",
            "mcp_calls_per_minute:search",
            Severity::Critical
        )
    );
    tick_until(&mut d, &mut log, secs(51), secs(200));
    assert_eq!(
        log.kinds()[2],
        (
            "anomaly_cleared",
            "mcp_calls_per_minute:search",
            Severity::Critical
        )
    );
}

#[test]
fn mcp_payload_over_one_megabyte() {
    let mut d = AnomalyDetector::new(Thresholds::default());
    let mut log = Log::default();
    let mib = 1_048_576;
    feed(
        &mut d,
        &mut log,
        execution(
            "p0",
            "fetch",
            "success",
            Some(5),
            Some("x".repeat(mib)),
            secs(0),
        ),
        secs(0),
    );
    assert!(log.0.is_empty(), "exactly 1 MiB is not over");
    feed(
        &mut d,
        &mut log,
        execution(
            "p1",
            "fetch",
            "success",
            Some(5),
            Some("x".repeat(mib + 1)),
            secs(1),
        ),
        secs(1),
    );
    assert_eq!(
        log.kinds(),
        [(
            "anomaly_raised",
            "mcp_payload_size:fetch",
            Severity::Warning
        )]
    );
    feed(
        &mut d,
        &mut log,
        execution(
            "p2",
            "fetch",
            "success",
            Some(5),
            Some("x".repeat(10 * mib + 1)),
            secs(2),
        ),
        secs(2),
    );
    assert_eq!(
        log.kinds()[1],
        (
            "anomaly_escalated",
            "mcp_payload_size:fetch",
            Severity::Critical
        )
    );
    // window 5 min: the big payloads age out at 302 s, cleared 300 s later
    tick_until(&mut d, &mut log, secs(3), secs(600));
    assert_eq!(log.0.len(), 2);
    tick_until(&mut d, &mut log, secs(601), secs(610));
    assert_eq!(
        log.kinds()[2],
        (
            "anomaly_cleared",
            "mcp_payload_size:fetch",
            Severity::Critical
        )
    );
}

#[test]
fn mcp_execution_over_five_seconds() {
    let mut d = AnomalyDetector::new(Thresholds::default());
    let mut log = Log::default();
    feed(
        &mut d,
        &mut log,
        execution("e0", "slow_tool", "success", Some(5_000), None, secs(0)),
        secs(0),
    );
    assert!(log.0.is_empty());
    feed(
        &mut d,
        &mut log,
        execution("e1", "slow_tool", "success", Some(5_001), None, secs(1)),
        secs(1),
    );
    assert_eq!(
        log.kinds(),
        [(
            "anomaly_raised",
            "mcp_execution_time:slow_tool",
            Severity::Warning
        )]
    );
    feed(
        &mut d,
        &mut log,
        execution("e2", "slow_tool", "timeout", Some(30_001), None, secs(2)),
        secs(2),
    );
    assert_eq!(
        log.kinds()[1],
        (
            "anomaly_escalated",
            "mcp_execution_time:slow_tool",
            Severity::Critical
        )
    );
    tick_until(&mut d, &mut log, secs(3), secs(610));
    assert_eq!(
        log.kinds()[2],
        (
            "anomaly_cleared",
            "mcp_execution_time:slow_tool",
            Severity::Critical
        )
    );
}

#[test]
fn mcp_tool_error_rate_over_twenty_percent() {
    let mut d = AnomalyDetector::new(Thresholds::default());
    let mut log = Log::default();
    // 8 successes, 2 failures: 20 % is not over 20 %
    for i in 0..10 {
        let status = if i < 2 { "failed" } else { "success" };
        feed(
            &mut d,
            &mut log,
            execution(&format!("f{i}"), "flaky", status, Some(10), None, secs(i)),
            secs(i),
        );
    }
    assert!(log.0.is_empty());
    // a pending execution is not an outcome
    feed(
        &mut d,
        &mut log,
        execution("f10", "flaky", "pending", None, None, secs(10)),
        secs(10),
    );
    assert!(log.0.is_empty());
    // its timeout is: 3/11 = 27 %
    feed(
        &mut d,
        &mut log,
        execution("f10", "flaky", "timeout", Some(10), None, secs(11)),
        secs(11),
    );
    assert_eq!(
        log.kinds(),
        [("anomaly_raised", "mcp_error_rate:flaky", Severity::Warning)]
    );
    // 4/12 .. 8/16 = 50 % stay a warning; 9/17 = 53 % escalates
    for i in 11..16 {
        feed(
            &mut d,
            &mut log,
            execution(
                &format!("f{i}"),
                "flaky",
                "failed",
                Some(10),
                None,
                secs(i + 1),
            ),
            secs(i + 1),
        );
    }
    assert_eq!(log.0.len(), 1);
    feed(
        &mut d,
        &mut log,
        execution("f16", "flaky", "failed", Some(10), None, secs(17)),
        secs(17),
    );
    assert_eq!(
        log.kinds()[1],
        (
            "anomaly_escalated",
            "mcp_error_rate:flaky",
            Severity::Critical
        )
    );
    tick_until(&mut d, &mut log, secs(18), secs(700));
    assert_eq!(
        log.kinds()[2],
        (
            "anomaly_cleared",
            "mcp_error_rate:flaky",
            Severity::Critical
        )
    );
}

#[test]
fn credential_tools_over_fifty_calls_an_hour() {
    let mut d = AnomalyDetector::new(Thresholds::default());
    let mut log = Log::default();
    let tool = "Vault_Get_API-Key";
    for i in 0..50 {
        feed(
            &mut d,
            &mut log,
            execution(
                &format!("c{i}"),
                tool,
                "success",
                Some(10),
                None,
                secs(i * 30),
            ),
            secs(i * 30),
        );
    }
    assert!(log.0.is_empty());
    feed(
        &mut d,
        &mut log,
        execution("c50", tool, "success", Some(10), None, secs(1_500)),
        secs(1_500),
    );
    let id = format!("credential_tool_calls:{tool}");
    assert_eq!(
        log.kinds(),
        [("anomaly_raised", id.as_str(), Severity::Warning)]
    );
    for i in 51..100 {
        feed(
            &mut d,
            &mut log,
            execution(
                &format!("c{i}"),
                tool,
                "success",
                Some(10),
                None,
                secs(i * 30),
            ),
            secs(i * 30),
        );
    }
    assert_eq!(log.0.len(), 1);
    feed(
        &mut d,
        &mut log,
        execution("c100", tool, "success", Some(10), None, secs(3_000)),
        secs(3_000),
    );
    assert_eq!(
        log.kinds()[1],
        ("anomaly_escalated", id.as_str(), Severity::Critical)
    );
    // the same volume on an ordinary tool raises nothing
    let mut quiet = AnomalyDetector::new(Thresholds::default());
    let mut quiet_log = Log::default();
    for i in 0..120 {
        feed(
            &mut quiet,
            &mut quiet_log,
            execution(
                &format!("o{i}"),
                "list_files",
                "success",
                Some(10),
                None,
                secs(i * 30),
            ),
            secs(i * 30),
        );
    }
    assert!(quiet_log.0.is_empty());
    // an hour under warning after the window empties
    log.record(d.tick(secs(3_000 + 3_601)));
    log.record(d.tick(secs(3_000 + 7_202)));
    assert_eq!(
        log.kinds()[2],
        ("anomaly_cleared", id.as_str(), Severity::Critical)
    );
}

#[test]
fn credential_name_matching() {
    let t = Thresholds::default();
    for name in [
        "get_credential",
        "SECRET_READ",
        "resetPassword",
        "refresh-token",
        "get_api_key",
        "ApiKeyRotate",
        "oauth_login",
        "vault.Auth",
    ] {
        assert!(t.is_credential_tool(name), "{name} should match");
    }
    for name in ["list_files", "search", "web_fetch", "send_email"] {
        assert!(!t.is_credential_tool(name), "{name} should not match");
    }
}

#[test]
fn normal_traffic_raises_nothing() {
    let mut d = AnomalyDetector::new(Thresholds::default());
    let mut log = Log::default();
    let mut n = 0;
    // 40 minutes, 10 users, each 5 requests a minute, 1 failure in 50;
    // tools at a few calls a minute with small payloads; one session each
    for minute in 0..40 {
        for user in 0..10 {
            if minute == 0 {
                let t = secs(user);
                feed(
                    &mut d,
                    &mut log,
                    session(&format!("s{user}"), &format!("fp{user}"), t),
                    t,
                );
            }
            for k in 0..5 {
                let t = secs(minute * 60 + user * 5 + k);
                let id = format!("r{n}");
                feed(&mut d, &mut log, started(&id, &format!("u{user}"), t), t);
                feed(
                    &mut d,
                    &mut log,
                    finished(&id, &format!("u{user}"), n % 50 == 0, t),
                    t,
                );
                n += 1;
            }
        }
        for k in 0..3 {
            let t = secs(minute * 60 + 55 + k);
            feed(
                &mut d,
                &mut log,
                execution(
                    &format!("m{minute}-{k}"),
                    "search",
                    "success",
                    Some(800),
                    Some("{\"ok\":true}".into()),
                    t,
                ),
                t,
            );
        }
    }
    assert!(log.0.is_empty(), "{:?}", log.kinds());
}

#[test]
fn thresholds_from_the_config_file() {
    let t = Thresholds::from_config_toml(
        r#"
theme = "dark"
[anomaly]
requests_per_minute = { warning = 20, critical = 40 }
credential_patterns = ["vault"]
"#,
    )
    .unwrap();
    assert_eq!(
        (
            t.requests_per_minute.warning,
            t.requests_per_minute.critical
        ),
        (20.0, 40.0)
    );
    assert_eq!(t.session_count_per_fingerprint.warning, 5.0);
    assert!(t.is_credential_tool("my_vault_reader"));
    assert!(!t.is_credential_tool("get_password"));

    assert_eq!(
        Thresholds::from_config_toml("").unwrap(),
        Thresholds::default()
    );

    for bad in [
        "[anomaly]\nrequests_per_minute = { warning = 40, critical = 20 }",
        "[anomaly]\nrequests_per_minute = 5",
        "[anomaly]\nno_such_rule = 1",
        "[anomaly]\nsession_window_secs = 0",
    ] {
        let err = Thresholds::from_config_toml(bad).unwrap_err().to_string();
        assert!(err.contains("anomaly"), "{bad}: {err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }
}

use crate::support;

use std::process::Command;

fn tracetop(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env("XDG_CONFIG_HOME", "/nonexistent-tracetop-test")
        .output()
        .expect("run tracetop")
}

/// On both shapes: `anomalies` replays sessions, requests and MCP
/// executions, whose column types differ on a real deployment.
async fn cli_lists_a_credential_spike_from_postgres(shape: support::Shape) {
    let db = support::fresh_db_shaped(shape).await;
    // 60 calls of a credential tool over the last 30 minutes, and ordinary
    // traffic that must not raise anything
    db.exec(
        "INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, started_at, completed_at, execution_time_ms, status, created_at, input, user_id)
         SELECT 'cred-' || i, 'get_secret', 'vault', now() - interval '30 minutes' + i * interval '20 seconds',
                now() - interval '30 minutes' + i * interval '20 seconds', 40, 'success',
                now() - interval '30 minutes' + i * interval '20 seconds', '{}', 'user-1'
         FROM generate_series(0, 59) AS i;
         INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, started_at, completed_at, execution_time_ms, status, created_at, input, user_id)
         SELECT 'plain-' || i, 'list_files', 'fs', now() - interval '30 minutes' + i * interval '20 seconds',
                now() - interval '30 minutes' + i * interval '20 seconds', 40, 'success',
                now() - interval '30 minutes' + i * interval '20 seconds', '{}', 'user-2'
         FROM generate_series(0, 59) AS i;
         INSERT INTO users (id, name, email) SELECT 'user-' || i, 'user-' || i, 'user-' || i || '@example.test'
         FROM generate_series(0, 6) AS i;
         INSERT INTO user_sessions (session_id, user_id, started_at, last_activity_at, total_tokens_used)
         SELECT 'sess-' || i, 'user-' || i, now() - interval '25 minutes', now() - interval '5 minutes', 1000 * i
         FROM generate_series(0, 6) AS i;
         INSERT INTO ai_requests (id, request_id, user_id, context_id, actor_kind, actor_id, provider, model, status, created_at, updated_at, completed_at)
         SELECT 'req-' || i, 'req-' || i, 'user-' || (i % 7), 'ctx-' || (i % 7), 'user', 'user-' || (i % 7), 'openai', 'gpt-4o', 'completed',
                now() - interval '20 minutes' + i * interval '5 seconds',
                now() - interval '20 minutes' + i * interval '5 seconds',
                now() - interval '20 minutes' + i * interval '5 seconds'
         FROM generate_series(0, 99) AS i;",
    )
    .await;

    let out = tracetop(&[
        "anomalies",
        "--database-url",
        &db.url,
        "--since",
        "1h",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json array");
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["rule"], "credential_tool_calls");
    assert_eq!(list[0]["subject"], "get_secret");
    assert_eq!(list[0]["id"], "credential_tool_calls:get_secret");
    assert_eq!(list[0]["severity"], "warning");
    assert_eq!(list[0]["state"], "open");
    assert_eq!(list[0]["value"], 60.0);

    let table = tracetop(&["anomalies", "--database-url", &db.url]);
    assert!(table.status.success());
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("Anomalies · "), "{text}");
    assert!(text.lines().nth(1).unwrap().starts_with("STATE"), "{text}");
    assert!(
        text.contains("credential_tool_calls") && text.contains("get_secret"),
        "{text}"
    );

    // a window before the spike finds nothing
    let quiet = tracetop(&["anomalies", "--database-url", &db.url, "--since", "1m"]);
    assert!(quiet.status.success());
    let quiet_text = String::from_utf8_lossy(&quiet.stdout);
    assert!(quiet_text.starts_with("Anomalies · "), "{quiet_text}");
    assert!(quiet_text.ends_with(" UTC\nno anomalies\n"), "{quiet_text}");
}

#[test]
fn cli_bad_input_is_one_line_without_the_password() {
    let out = tracetop(&[
        "anomalies",
        "--database-url",
        "postgres://u:hunter2@127.0.0.1:1/db",
        "--since",
        "soon",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("tracetop: --since \"soon\" is not a time: use a duration"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");

    let out = tracetop(&[
        "anomalies",
        "--database-url",
        "postgres://u:hunter2@127.0.0.1:1/db",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("hunter2"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(out.stdout.is_empty());

    let out = tracetop(&[
        "anomalies",
        "--database-url",
        "postgres://u@127.0.0.1:1/db",
        "--config",
        "/nonexistent/config.toml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/config.toml"));
}

#[test]
fn detector_output_flows_into_the_live_engine() {
    use tracetop::live::{LiveEngine, LiveLimits};
    let engine = LiveEngine::new(LiveLimits::default());
    let mut d = AnomalyDetector::new(Thresholds::default());
    let mut feed_both = |event: Event, now: Timestamp| {
        let anomalies = d.observe(&event, now);
        engine.ingest(&event);
        for a in anomalies {
            engine.ingest(&a);
        }
    };
    for i in 0..16 {
        feed_both(started(&format!("r{i}"), "mallory", secs(i)), secs(i));
    }
    let listed = engine.anomalies();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, "requests_per_minute:mallory");
    assert_eq!(listed[0].severity, Severity::Warning);
    assert_eq!(
        listed[0].trace_id.as_ref().map(|t| t.as_str()),
        Some("tr-r14")
    );
    assert_eq!(engine.rates(secs(16)).open_anomalies, 1);
}

/// The stage passes every update through unchanged, appends the anomalies a
/// batch causes to that batch, and ends when its input closes.
#[tokio::test]
async fn detector_stage_appends_anomalies_and_ends_with_its_input() {
    use tokio::sync::mpsc;
    use tracetop::anomaly::detect_anomalies;
    let (tx, rx) = mpsc::channel(8);
    let mut out = detect_anomalies(rx, Thresholds::default());
    // the stage has ticked before the first batch arrives
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    // a backfill first: 40 requests by carol over the last ten minutes
    // arrive in one batch; four a minute is ordinary traffic
    let now = Utc::now();
    let backfill: Vec<Event> = (0..40)
        .map(|i| {
            let at = now - Duration::seconds(600) + Duration::seconds(15 * i);
            started(&format!("c{i}"), "carol", at)
        })
        .collect();
    tx.send(SourceUpdate::Events(backfill.clone()))
        .await
        .unwrap();
    assert_eq!(
        recv(&mut out).await,
        Some(SourceUpdate::Events(backfill)),
        "judged at their own times, not all at arrival"
    );

    // quiet traffic and a state change: through as they are, nothing added
    let now = Utc::now();
    let quiet = vec![started("q0", "bob", now), finished("q0", "bob", false, now)];
    tx.send(SourceUpdate::Events(quiet.clone())).await.unwrap();
    tx.send(SourceUpdate::State(SourceState::Connected))
        .await
        .unwrap();
    assert_eq!(recv(&mut out).await, Some(SourceUpdate::Events(quiet)));
    assert_eq!(
        recv(&mut out).await,
        Some(SourceUpdate::State(SourceState::Connected))
    );

    // 31 requests by alice within a few seconds: over the critical 30
    let now = Utc::now();
    let burst: Vec<Event> = (0..31)
        .map(|i| {
            let at = now - Duration::milliseconds(100 * (30 - i));
            started(&format!("a{i}"), "alice", at)
        })
        .collect();
    tx.send(SourceUpdate::Events(burst.clone())).await.unwrap();
    let Some(SourceUpdate::Events(events)) = recv(&mut out).await else {
        panic!("an event batch");
    };
    assert_eq!(events[..burst.len()], burst[..], "the originals, in order");
    let added: Vec<(&str, &str, Severity)> = events[burst.len()..]
        .iter()
        .map(|e| match e {
            Event::AnomalyRaised { anomaly } | Event::AnomalyEscalated { anomaly } => {
                (e.kind(), anomaly.id.as_str(), anomaly.severity)
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        added,
        [
            (
                "anomaly_raised",
                "requests_per_minute:alice",
                Severity::Warning
            ),
            (
                "anomaly_escalated",
                "requests_per_minute:alice",
                Severity::Critical
            )
        ]
    );

    // the input closes: the stage ends (ticks do not keep it alive)
    drop(tx);
    loop {
        match recv(&mut out).await {
            None => break,
            Some(SourceUpdate::Events(e)) => {
                assert!(
                    e.iter().all(|e| e.kind().starts_with("anomaly_")),
                    "only timer anomalies after the input: {e:?}"
                )
            }
            Some(other) => panic!("unexpected {other:?}"),
        }
    }
}

async fn recv(out: &mut tokio::sync::mpsc::Receiver<SourceUpdate>) -> Option<SourceUpdate> {
    tokio::time::timeout(std::time::Duration::from_secs(10), out.recv())
        .await
        .expect("the stage answers")
}

both_shapes!(cli_lists_a_credential_spike_from_postgres);
