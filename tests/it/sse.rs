//! The SSE client against a raw TCP server that sends exactly the bytes we
//! choose: malformed streams never crash or wedge the client and later good
//! events still arrive; resume sends Last-Event-ID; 401 stops; 5xx and a
//! silent server are retried.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tracetop::model::*;
use tracetop::source::sse_client::ClientConfig;
use tracetop::source::{SourceSpec, spawn_source};

/// What the raw server answers on the n-th connection: full response bytes
/// and whether to hold the connection open afterwards.
type Script = Arc<dyn Fn(usize) -> (Vec<u8>, bool) + Send + Sync>;

/// Start a raw HTTP server; returns its URL and the request heads it got.
async fn raw_server(script: Script) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        let mut n = 0;
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let (response, hold) = script(n);
            n += 1;
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(k) => head.extend_from_slice(&buf[..k]),
                    }
                }
                seen.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&head).to_string());
                let _ = socket.write_all(&response).await;
                if hold {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
            });
        }
    });
    (format!("http://{addr}/api/v1/stream"), heads)
}

fn ok_head() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n".to_vec()
}

fn log_json(id: &str, message: &str) -> String {
    let event = Event::Log {
        log: LogRecord {
            id: LogId::new(id),
            timestamp: chrono::Utc::now(),
            level: "INFO".into(),
            module: "raw".into(),
            message: message.into(),
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
    };
    serde_json::to_string(&event).unwrap()
}

fn client(url: &str) -> ClientConfig {
    let mut c = ClientConfig::new(url, Some("0123456789abcdef".into()));
    c.heartbeat = Duration::from_millis(300);
    c.initial_backoff = Duration::from_millis(20);
    c.max_backoff = Duration::from_millis(200);
    c
}

struct Collected {
    logs: Vec<(String, String)>,
    /// Events that came as raw JSON (`ClientConfig::raw_json`), as sent.
    raw: Vec<String>,
    counters: SourceCounters,
    states: Vec<SourceState>,
}

async fn collect(rx: &mut mpsc::Receiver<SourceUpdate>, want_logs: usize) -> Collected {
    let mut c = Collected {
        logs: Vec::new(),
        raw: Vec::new(),
        counters: SourceCounters::default(),
        states: Vec::new(),
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while c.logs.len() < want_logs {
        let update = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out; got {:?} states {:?}", c.logs, c.states));
        if let Some(SourceUpdate::Raw(raws)) = &update {
            c.raw.extend(
                raws.iter()
                    .map(|r| String::from_utf8(r.json().to_vec()).unwrap()),
            );
        }
        match update.map(SourceUpdate::decoded) {
            Some(SourceUpdate::Events(events)) => {
                for e in events {
                    if let Event::Log { log } = e {
                        c.logs.push((log.id.0, log.message));
                    }
                }
            }
            Some(SourceUpdate::Counters(k)) => c.counters = k,
            Some(SourceUpdate::State(s)) => c.states.push(s),
            Some(SourceUpdate::Raw(_)) => unreachable!("decoded"),
            None => break,
        }
    }
    // The counters follow each batch: take the ones sent after the last one.
    let settle = tokio::time::Instant::now() + Duration::from_millis(500);
    while let Ok(Some(update)) = tokio::time::timeout_at(settle, rx.recv()).await {
        match update {
            SourceUpdate::Counters(k) => c.counters = k,
            SourceUpdate::State(s) => c.states.push(s),
            SourceUpdate::Events(_) | SourceUpdate::Raw(_) => {}
        }
    }
    c
}

#[tokio::test]
async fn malformed_stream_never_crashes_or_wedges() {
    malformed_stream_case(false).await;
}

/// The same stream for a consumer that takes our events as raw JSON
/// (`tail --format jsonl`, `record`): the same events, the same counters,
/// and the good events passed through byte for byte.
#[tokio::test]
async fn malformed_stream_as_raw_json_gives_the_same_events() {
    malformed_stream_case(true).await;
}

async fn malformed_stream_case(raw_json: bool) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ansi = "\u{1b}[31mred\u{1b}[0m \u{1b}]0;title\u{7}";
    let log1 = log_json("l1", ansi);
    let log2 = log_json("l2", "two");
    let log3 = log_json("l3", "three");
    let log4 = log_json("l4", "four");
    let sent = vec![log1.clone(), log2.clone(), log3.clone(), log4.clone()];
    let script: Script = Arc::new(move |n| {
        let mut body = ok_head();
        if n == 0 {
            body.extend_from_slice(b"\xEF\xBB\xBF");
            body.extend_from_slice(
                format!("id: 1\r\nevent: log\r\ndata: {log1}\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(format!("id: 2\revent: log\rdata: {log2}\r\r").as_bytes());
            body.extend_from_slice(b": a comment\n");
            body.extend_from_slice(b"data: {not json\n\n");
            body.extend_from_slice(b"data: \xFF\xFE garbage\n\n");
            body.extend_from_slice(b"data: {\"type\":\"PAGE_VIEW\",\"path\":\"/\"}\n\n");
            body.extend_from_slice(b"data: ");
            body.extend(std::iter::repeat_n(b'x', 10 << 20));
            body.extend_from_slice(b"\n\n");
            body.extend_from_slice(format!("id: 3\nevent: log\ndata: {log3}\n\n").as_bytes());
            // No final newline: incomplete, dropped; sent again after resume.
            body.extend_from_slice(format!("id: 4\nevent: log\ndata: {log4}").as_bytes());
        } else {
            body.extend_from_slice(format!("id: 3\nevent: log\ndata: {log3}\n\n").as_bytes());
            body.extend_from_slice(format!("id: 4\nevent: log\ndata: {log4}\n\n").as_bytes());
        }
        (body, false)
    });
    let (url, heads) = raw_server(script).await;
    let (tx, mut rx) = mpsc::channel(64);
    let mut config = client(&url);
    config.raw_json = raw_json;
    let task = spawn_source(SourceSpec::Remote(config), tx);
    let got = collect(&mut rx, 4).await;
    if raw_json {
        assert_eq!(got.raw, sent);
    } else {
        assert!(got.raw.is_empty());
    }
    let ids: Vec<&str> = got.logs.iter().map(|(id, _)| id.as_str()).collect();
    // l3 was sent twice (before and after the reconnect) but delivered once.
    assert_eq!(ids, vec!["l1", "l2", "l3", "l4"]);
    assert_eq!(
        got.logs[0].1, ansi,
        "escape sequences arrive as data, intact"
    );
    assert_eq!(got.counters.unknown, 3, "bad JSON, bad UTF-8, PAGE_VIEW");
    assert_eq!(got.counters.skipped, 1, "the 10 MB event");
    let heads = heads.lock().unwrap().clone();
    assert!(heads.len() >= 2);
    assert!(
        heads[0]
            .to_ascii_lowercase()
            .contains("authorization: bearer 0123456789abcdef")
    );
    assert!(!heads[0].to_ascii_lowercase().contains("last-event-id"));
    assert!(
        heads[1].to_ascii_lowercase().contains("last-event-id: 3"),
        "resume header: {}",
        heads[1]
    );
    task.abort();
}

#[tokio::test]
async fn unauthorized_stops_with_a_clear_error() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let script: Script = Arc::new(|_| {
        (
            b"HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 38\r\nconnection: close\r\n\r\n{\"error\":\"invalid token\",\"kind\":\"x\"}\n\n"
                .to_vec(),
            false,
        )
    });
    let (url, heads) = raw_server(script).await;
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_source(SourceSpec::Remote(client(&url)), tx);
    let result = tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap();
    let err = result.unwrap_err();
    assert!(matches!(err, tracetop::error::Error::Auth(_)), "{err}");
    assert!(err.to_string().contains("refused the token (401)"), "{err}");
    assert!(
        !err.to_string().contains("0123456789abcdef"),
        "token leaked: {err}"
    );
    let mut stopped = false;
    while let Ok(u) = rx.try_recv() {
        stopped |= matches!(u, SourceUpdate::State(SourceState::Stopped { .. }));
    }
    assert!(stopped);
    assert_eq!(heads.lock().unwrap().len(), 1, "no retry after 401");
}

#[tokio::test]
async fn server_errors_and_silence_are_retried() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let log = log_json("after", "recovered");
    let script: Script = Arc::new(move |n| match n {
        0 => (
            b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                .to_vec(),
            false,
        ),
        // Headers, then silence: the watchdog must give up on it.
        1 => (ok_head(), true),
        _ => {
            let mut body = ok_head();
            body.extend_from_slice(format!("id: 9\ndata: {log}\n\n").as_bytes());
            (body, true)
        }
    });
    let (url, heads) = raw_server(script).await;
    let (tx, mut rx) = mpsc::channel(64);
    let task = spawn_source(SourceSpec::Remote(client(&url)), tx);
    let got = collect(&mut rx, 1).await;
    assert_eq!(got.logs[0].0, "after");
    let reasons: Vec<String> = got
        .states
        .iter()
        .filter_map(|s| match s {
            SourceState::Reconnecting { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("HTTP 503")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("heartbeat lost")),
        "{reasons:?}"
    );
    assert_eq!(heads.lock().unwrap().len(), 3);
    task.abort();
}
