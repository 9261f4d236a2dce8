//! The SSE client (and `tracetop tail`) against a test server on 127.0.0.1
//! that speaks a systemprompt server's analytics stream exactly as the
//! reference describes it: one `data:` line of flat JSON per event, no
//! `event:` name and no `id:`, keep-alive as an event named `heartbeat`
//! with data `{"type":"heartbeat"}`, and `429 Too Many Requests` past the
//! per-user connection cap. A cut mid-stream must come back as a `gap`
//! event with the times in between, heartbeats alone must keep the stream
//! alive, and a 429 must be said plainly and retried slowly. A stream with
//! ids (our `serve`) still resumes by `Last-Event-ID` without a gap; `tail`
//! and the console (in tmux) show all of it.

use crate::e2e_tmux::{Tmux, have_tmux};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tracetop::model::*;
use tracetop::source::sse_client::ClientConfig;
use tracetop::source::{SourceSpec, spawn_source};

/// One step of a scripted stream body.
#[derive(Clone)]
enum Step {
    /// Write these bytes (recording the time just before).
    Send(String),
    /// Pause.
    Wait(Duration),
    /// Break the connection (the body fails: no clean end of stream).
    Cut,
}

/// What the server answers on the n-th connection.
#[derive(Clone)]
enum Answer {
    /// 200 with an event stream of these steps; held open after the last.
    Stream(Vec<Step>),
    /// This status, headers and body.
    Status(u16, Vec<(&'static str, &'static str)>, &'static str),
}

/// Times the server saw, on its own clock (which is the client's too).
#[derive(Default)]
struct Log {
    /// When each request arrived.
    requests: Vec<DateTime<Utc>>,
    /// Per connection, the time just before each `Send`.
    sends: Vec<Vec<DateTime<Utc>>>,
    /// Request heads' Authorization values.
    authorization: Vec<Option<String>>,
    /// Request heads' Last-Event-ID values.
    last_event_id: Vec<Option<String>>,
}

struct Server {
    script: Box<dyn Fn(usize) -> Answer + Send + Sync>,
    log: Mutex<Log>,
}

async fn stream(State(server): State<Arc<Server>>, headers: HeaderMap) -> Response {
    let n = {
        let mut log = server.log.lock().unwrap();
        log.requests.push(Utc::now());
        log.sends.push(Vec::new());
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        log.authorization.push(header("authorization"));
        log.last_event_id.push(header("last-event-id"));
        log.requests.len() - 1
    };
    match (server.script)(n) {
        Answer::Status(status, extra, body) => {
            let mut response = (StatusCode::from_u16(status).unwrap(), body).into_response();
            for (name, value) in extra {
                response.headers_mut().insert(name, value.parse().unwrap());
            }
            response
        }
        Answer::Stream(steps) => {
            let server = server.clone();
            let body = futures::stream::iter(steps)
                .then(move |step| {
                    let server = server.clone();
                    async move {
                        match step {
                            Step::Send(text) => {
                                server.log.lock().unwrap().sends[n].push(Utc::now());
                                Some(Ok(bytes::Bytes::from(text)))
                            }
                            Step::Wait(d) => {
                                tokio::time::sleep(d).await;
                                None
                            }
                            Step::Cut => Some(Err(std::io::Error::other("cut mid-stream"))),
                        }
                    }
                })
                .filter_map(futures::future::ready)
                // Held open after the script: a live stream never ends.
                .chain(futures::stream::pending());
            Response::builder()
                .header("content-type", "text/event-stream")
                .header("cache-control", "no-cache")
                .body(Body::from_stream(body))
                .unwrap()
        }
    }
}

/// Start the server; returns the stream URL and the server (for its log).
async fn start(script: impl Fn(usize) -> Answer + Send + Sync + 'static) -> (String, Arc<Server>) {
    let server = Arc::new(Server {
        script: Box::new(script),
        log: Mutex::new(Log::default()),
    });
    let app = axum::Router::new()
        .route("/api/v1/analytics/stream", axum::routing::get(stream))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/api/v1/analytics/stream"), server)
}

/// One event as that server frames it: a single data line, nothing else.
fn data(json: &str) -> Step {
    Step::Send(format!("data: {json}\n\n"))
}

fn heartbeat() -> Step {
    Step::Send("event: heartbeat\ndata: {\"type\":\"heartbeat\"}\n\n".into())
}

const SESSION_STARTED: &str = r#"{"type":"SESSION_STARTED","timestamp":"2026-11-23T10:00:00Z","session_id":"sess_1","device_type":"desktop","browser":"Firefox","os":"Linux","country":"DE","referrer_source":null,"is_bot":false}"#;
const PAGE_VIEW: &str = r#"{"type":"PAGE_VIEW","timestamp":"2026-11-23T10:00:01Z","session_id":"sess_1","user_id":"user_9","page_url":"/docs/mcp","content_id":null,"referrer":"https://example.com/"}"#;
const ENGAGEMENT_UPDATE: &str = r#"{"type":"ENGAGEMENT_UPDATE","timestamp":"2026-11-23T10:00:31Z","session_id":"sess_1","page_url":"/docs/mcp","scroll_depth":75,"time_on_page_ms":30000,"click_count":3}"#;
const REAL_TIME_STATS: &str = r#"{"type":"REAL_TIME_STATS","timestamp":"2026-11-23T10:00:32Z","active_sessions":12,"active_users":9,"requests_per_minute":140,"page_views_last_5m":311,"bot_requests_last_5m":27}"#;
const CONVERSION: &str =
    r#"{"type":"CONVERSION","timestamp":"2026-11-23T10:00:33Z","session_id":"sess_1"}"#;
const SESSION_ENDED: &str = r#"{"type":"SESSION_ENDED","timestamp":"2026-11-23T10:05:00Z","session_id":"sess_1","duration_ms":300000,"page_count":4,"request_count":17}"#;

/// The first connection sends every type, then is cut in the middle of an
/// event; the second sends the session's end.
fn cut_then_resume(n: usize) -> Answer {
    if n == 0 {
        Answer::Stream(vec![
            data(SESSION_STARTED),
            data(PAGE_VIEW),
            heartbeat(),
            data(ENGAGEMENT_UPDATE),
            data(REAL_TIME_STATS),
            data(CONVERSION),
            Step::Wait(Duration::from_millis(50)),
            Step::Send("data: {\"type\":\"SESSION_EN".into()),
            Step::Wait(Duration::from_millis(50)),
            Step::Cut,
        ])
    } else {
        Answer::Stream(vec![data(SESSION_ENDED)])
    }
}

fn client(url: &str) -> ClientConfig {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut c = ClientConfig::new(url, Some("sp-token-0123456789".into()));
    c.heartbeat = Duration::from_millis(300);
    c.initial_backoff = Duration::from_millis(20);
    c.max_backoff = Duration::from_millis(200);
    c
}

#[derive(Default)]
struct Seen {
    events: Vec<Event>,
    states: Vec<SourceState>,
    counters: SourceCounters,
}

/// Read updates until `done` says so (30 s at most).
async fn read_until(rx: &mut mpsc::Receiver<SourceUpdate>, done: impl Fn(&Seen) -> bool) -> Seen {
    let mut seen = Seen::default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !done(&seen) {
        let update = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "timed out; kinds {:?} states {:?}",
                    seen.events.iter().map(Event::kind).collect::<Vec<_>>(),
                    seen.states
                )
            });
        match update.map(SourceUpdate::decoded) {
            Some(SourceUpdate::Events(events)) => seen.events.extend(events),
            Some(SourceUpdate::State(s)) => seen.states.push(s),
            Some(SourceUpdate::Counters(c)) => seen.counters = c,
            Some(SourceUpdate::Raw(_)) => unreachable!("decoded"),
            None => break,
        }
    }
    seen
}

fn kinds(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(Event::kind).collect()
}

#[tokio::test]
async fn every_type_decodes_and_a_cut_is_a_gap_with_its_times() {
    let (url, server) = start(cut_then_resume).await;
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_source(SourceSpec::Remote(client(&url)), tx);
    let seen = read_until(&mut rx, |s| {
        s.events
            .iter()
            .any(|e| e.kind() == "analytics_session_ended")
    })
    .await;
    let observed = Utc::now();
    assert_eq!(
        kinds(&seen.events),
        vec![
            "analytics_session_started",
            "page_view",
            "heartbeat",
            "engagement_update",
            "stats_snapshot",
            "unknown",
            "gap",
            "analytics_session_ended",
        ]
    );
    match &seen.events[1] {
        Event::PageView { page_view } => {
            assert_eq!(page_view.page_url, "/docs/mcp");
            assert_eq!(
                page_view.user_id.as_ref().map(|u| u.as_str()),
                Some("user_9")
            );
            assert_eq!(page_view.content_id, None);
        }
        other => panic!("{other:?}"),
    }
    match &seen.events[4] {
        Event::StatsSnapshot { stats } => {
            assert_eq!(stats.active_sessions, Some(12));
            assert_eq!(stats.bot_requests_last_5m, Some(27));
        }
        other => panic!("{other:?}"),
    }
    match &seen.events[5] {
        Event::Unknown { type_name, .. } => assert_eq!(type_name.as_deref(), Some("CONVERSION")),
        other => panic!("{other:?}"),
    }
    let (from, to) = match &seen.events[6] {
        Event::Gap {
            from_time: Some(from),
            to_time: Some(to),
            from_cursor: None,
            to_cursor: None,
            ..
        } => (*from, *to),
        other => panic!("expected a gap in time, got {other:?}"),
    };
    let log = server.log.lock().unwrap();
    assert_eq!(log.requests.len(), 2, "one reconnect");
    // The client was current at least until CONVERSION reached it (sent
    // after this instant), and no later than the second request.
    let conversion_sent = log.sends[0][5];
    assert!(from >= conversion_sent, "{from} < {conversion_sent}");
    assert!(from <= log.requests[1], "{from} > {}", log.requests[1]);
    // Back once the second connection answered.
    assert!(to >= log.requests[1] && to <= observed, "{to}");
    assert!(
        !log.requests.is_empty()
            && log.authorization[1].as_deref() == Some("Bearer sp-token-0123456789")
    );
    let line = seen.events[6].time_gap_line().unwrap();
    assert!(
        line.starts_with(&format!(
            "events between {} and {} not received",
            from.format("%H:%M:%S"),
            to.format("%H:%M:%S")
        )),
        "{line}"
    );
    assert!(tracetop::cli::tail::format_text(&seen.events[6]).contains(&line));
    assert!(
        seen.states
            .iter()
            .any(|s| matches!(s, SourceState::Reconnecting { .. })),
        "{:?}",
        seen.states
    );
    task.abort();
    // The counters follow the batch: one unknown type, nothing malformed.
    let mut counters = seen.counters;
    while let Ok(update) = rx.try_recv() {
        if let SourceUpdate::Counters(c) = update {
            counters = c;
        }
    }
    assert_eq!(counters.unknown, 1);
    assert_eq!(counters.skipped, 0);
}

/// Our own `serve` stream has ids: after a cut the client resumes with
/// `Last-Event-ID` and adds no gap of its own (the server says if it lost
/// anything).
#[tokio::test]
async fn a_stream_with_ids_resumes_without_a_gap() {
    let log = |id: &str| {
        serde_json::to_string(&Event::Log {
            log: LogRecord {
                id: LogId::new(id),
                timestamp: Utc::now(),
                level: "INFO".into(),
                module: "m".into(),
                message: id.into(),
                metadata: None,
                user_id: None,
                session_id: None,
                task_id: None,
                trace_id: None,
                context_id: None,
                client_id: None,
                gateway_conversation_id: None,
                provider_request_id: None,
            },
        })
        .unwrap()
    };
    let (first, second) = (log("l1"), log("l2"));
    let (url, server) = start(move |n| {
        if n == 0 {
            Answer::Stream(vec![
                Step::Send(format!("id: 1\nevent: log\ndata: {first}\n\n")),
                Step::Wait(Duration::from_millis(50)),
                Step::Cut,
            ])
        } else {
            Answer::Stream(vec![Step::Send(format!(
                "id: 2\nevent: log\ndata: {second}\n\n"
            ))])
        }
    })
    .await;
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_source(SourceSpec::Remote(client(&url)), tx);
    let seen = read_until(&mut rx, |s| s.events.len() >= 2).await;
    task.abort();
    assert_eq!(kinds(&seen.events), vec!["log", "log"]);
    let log = server.log.lock().unwrap();
    assert_eq!(log.last_event_id, vec![None, Some("1".to_string())]);
}

#[tokio::test]
async fn heartbeats_alone_keep_the_stream_alive() {
    // 40 heartbeats 100 ms apart: 4 s, longer than the 3 s watchdog.
    let (url, server) = start(|_| {
        let mut steps = Vec::new();
        for _ in 0..40 {
            steps.push(heartbeat());
            steps.push(Step::Wait(Duration::from_millis(100)));
        }
        Answer::Stream(steps)
    })
    .await;
    let (tx, mut rx) = mpsc::channel(64);
    let mut config = client(&url);
    config.heartbeat = Duration::from_secs(1);
    let task = spawn_source(SourceSpec::Remote(config), tx);
    let seen = read_until(&mut rx, |s| {
        s.events.iter().filter(|e| e.kind() == "heartbeat").count() >= 40
    })
    .await;
    task.abort();
    assert!(
        seen.events.iter().all(|e| e.kind() == "heartbeat"),
        "{:?}",
        kinds(&seen.events)
    );
    assert_eq!(seen.counters.unknown, 0);
    assert!(
        !seen
            .states
            .iter()
            .any(|s| matches!(s, SourceState::Reconnecting { .. })),
        "a stream of heartbeats is alive: {:?}",
        seen.states
    );
    assert_eq!(server.log.lock().unwrap().requests.len(), 1);
}

fn reconnect_reason_and_delay(states: &[SourceState]) -> Option<(String, u64)> {
    states.iter().find_map(|s| match s {
        SourceState::Reconnecting {
            reason,
            retry_in_ms,
        } => Some((reason.clone(), *retry_in_ms)),
        _ => None,
    })
}

#[tokio::test]
async fn too_many_connections_is_said_plainly_and_retried_slowly() {
    let (url, server) = start(|_| {
        Answer::Status(
            429,
            vec![("content-type", "text/plain")],
            "Too many connections for this user",
        )
    })
    .await;
    let (tx, mut rx) = mpsc::channel(64);
    let mut config = client(&url);
    config.rate_limited_backoff = Duration::from_secs(1);
    let task = spawn_source(SourceSpec::Remote(config), tx);
    let started = tokio::time::Instant::now();
    let seen = read_until(&mut rx, |s| {
        s.states
            .iter()
            .filter(|s| matches!(s, SourceState::Reconnecting { .. }))
            .count()
            >= 2
    })
    .await;
    let elapsed = started.elapsed();
    task.abort();
    let (reason, retry_in_ms) = reconnect_reason_and_delay(&seen.states).unwrap();
    assert!(reason.contains("HTTP 429"), "{reason}");
    assert!(reason.contains("too many connections"), "{reason}");
    assert!(reason.contains(&url), "names the URL: {reason}");
    assert!(!reason.contains('\n'), "one line: {reason}");
    assert!(!reason.contains("sp-token"), "no token: {reason}");
    // Slow: at least the 1 s floor (±20 % jitter), not the 20 ms backoff.
    assert!(retry_in_ms >= 800, "{retry_in_ms} ms");
    // Two attempts took a whole wait between them.
    assert_eq!(server.log.lock().unwrap().requests.len(), 2);
    assert!(elapsed >= Duration::from_millis(800), "{elapsed:?}");
    assert!(seen.events.is_empty());
}

#[tokio::test]
async fn a_429_with_retry_after_waits_as_asked() {
    let (url, _server) =
        start(|_| Answer::Status(429, vec![("retry-after", "7")], "slow down")).await;
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_source(SourceSpec::Remote(client(&url)), tx);
    let seen = read_until(&mut rx, |s| reconnect_reason_and_delay(&s.states).is_some()).await;
    task.abort();
    assert_eq!(reconnect_reason_and_delay(&seen.states).unwrap().1, 7000);
}

/// `tracetop tail` on that stream: one readable line per event, and the
/// gap said in words (text) or as a gap object plus a line on stderr
/// (JSON lines).
#[tokio::test]
async fn tail_shows_the_events_and_the_gap() {
    for format in ["text", "jsonl"] {
        let (url, _server) = start(cut_then_resume).await;
        // 5 events of the first connection (the heartbeat is not shown),
        // the gap, the session's end.
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_tracetop"))
            .args(["tail", "--remote", &url, "--format", format, "--count", "7"])
            .args(["--heartbeat", "300ms"])
            .env_remove("TRACETOP_TOKEN")
            .kill_on_drop(true)
            .output();
        let output = tokio::time::timeout(Duration::from_secs(60), output)
            .await
            .expect("tail ends after 7 lines")
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(output.status.success(), "{format}: {stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 7, "{format}: {stdout}");
        if format == "text" {
            for (line, expected) in lines.iter().zip([
                "analytics_session_started session=sess_1 device=desktop browser=Firefox os=Linux country=DE referrer=-",
                "page_view            session=sess_1 user=user_9 page=/docs/mcp content=- referrer=https://example.com/",
                "engagement_update    session=sess_1 page=/docs/mcp scroll=75% time_on_page=30000ms clicks=3",
                "stats_snapshot       active_users=9 active_sessions=12 requests/min=140.0 page_views_5m=311 bot_requests_5m=27",
                "unknown              type=CONVERSION",
                "gap                  events between ",
                "analytics_session_ended session=sess_1 duration=300000ms pages=4 requests=17",
            ]) {
                assert!(line.contains(expected), "{line:?} lacks {expected:?}");
            }
            assert!(lines[5].contains("not received"), "{}", lines[5]);
        } else {
            let events: Vec<Event> = lines.iter().map(|l| Event::from_json(l)).collect();
            assert_eq!(
                kinds(&events),
                vec![
                    "analytics_session_started",
                    "page_view",
                    "engagement_update",
                    "stats_snapshot",
                    "unknown",
                    "gap",
                    "analytics_session_ended",
                ],
                "{stdout}"
            );
            let gap: serde_json::Value = serde_json::from_str(lines[5]).unwrap();
            assert!(
                gap["from_time"].is_string() && gap["to_time"].is_string(),
                "{gap}"
            );
            assert!(stderr.contains("not received"), "{stderr}");
        }
    }
}

/// The console itself on that stream, in a real terminal: its feed shows
/// the page view and the engagement update, its ribbon the server's
/// counters, and after the cut the lost stretch in words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_on_a_systemprompt_stream() {
    let (url, _server) = start(cut_then_resume).await;
    if !have_tmux() {
        println!("note: tmux not installed, skipping the console test");
        return;
    }
    let tmux = Tmux::start("tracetop-e2e-sp");
    let config = tempfile::tempdir().unwrap();
    tmux.send(&[
        &format!(
            "XDG_CONFIG_HOME={} NO_COLOR=1 TRACETOP_TOKEN= {} --remote {url}; echo exit=$?",
            config.path().display(),
            env!("CARGO_BIN_EXE_tracetop")
        ),
        "Enter",
    ]);
    tmux.wait_for("Feed ·");
    let screen = tmux.wait_for("not received");
    for expected in [
        "live sessions 12",
        "page views 5m 311",
        "bots 5m 27",
        "req/min 140.0",
        "scroll 75% · 30.0s on page · 3 clicks · session sess_1",
        "view session sess_1 from https://example.com/",
        "session sess_1 · desktop · Firefox · Linux",
    ] {
        // a capture can land between two frames: wait for each line
        if !screen.contains(expected) {
            tmux.wait_for(expected);
        }
    }
    let screen = tmux.wait_for("session sess_1 · 4 pages · 17 requests");
    // The stream knows no user totals: shown as unknown, not as zeros.
    assert!(screen.contains("users –  active 24h –"), "{screen}");
    tmux.send(&["q"]);
    tmux.wait_for("exit=0");
}
