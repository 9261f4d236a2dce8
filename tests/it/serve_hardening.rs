//! `tracetop serve` probed as an attacker and a careless operator would:
//! the real binary on 127.0.0.1 against a throwaway Postgres, spoken to
//! over raw TCP (to send what a well-behaved client never would) and with
//! the real SSE client and `RemoteEngine`.
//!
//! Tokens: emptying, deleting, corrupting or commenting out the token file
//! revokes every token (and `serve` says so); open streams of a revoked or
//! expired token end; a closed stream frees its slot at once. Limits:
//! half-open connections time out, connections are capped, request bodies
//! and rows are bounded. Scope: NULL-user rows are nobody's, not-yours looks
//! like not-found, error bodies never name the database.

use crate::support;
use support::serve::ServeProcess;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tracetop::model::*;
use tracetop::source::sse_client::ClientConfig;
use tracetop::source::{SourceSpec, spawn_source};

const ALL: &str = "all-users-token-0123456789";
const ALICE: &str = "alice-only-token-0123456789";

/// Start serve with the test defaults plus `extra` flags and wait until
/// it listens; its stderr goes to a file in `dir`.
async fn serve(db_url: &str, tokens: &Path, dir: &Path, extra: &[&str]) -> ServeProcess {
    let flags: Vec<&str> = ["--heartbeat", "30s", "--interval", "100ms"]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let stderr = dir.join(format!("serve-{n}.stderr"));
    let server = ServeProcess::spawn(db_url, tokens, &flags, Some(&stderr));
    server.wait_ready().await;
    server
}

fn write_tokens(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

fn token_file(dir: &Path) -> PathBuf {
    let path = dir.join("tokens");
    write_tokens(
        &path,
        &format!("# test tokens\n{ALL}\n{ALICE} user:alice\n"),
    );
    path
}

fn client(url: &str, token: &str) -> ClientConfig {
    let mut c = ClientConfig::new(url, Some(token.to_string()));
    c.heartbeat = Duration::from_secs(30);
    c.initial_backoff = Duration::from_millis(50);
    c.max_backoff = Duration::from_millis(300);
    c
}

/// One raw HTTP/1.1 exchange: `(status, body)`; the connection is closed.
async fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, String) {
    let mut conn = TcpStream::connect(addr).await.unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    conn.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), conn.read_to_end(&mut answer)).await;
    parse_answer(&answer)
}

fn parse_answer(answer: &[u8]) -> (u16, String) {
    let text = String::from_utf8_lossy(answer).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Open a stream over raw TCP and read its response head: `(status, conn)`.
async fn open_stream(addr: &str, token: &str) -> (u16, TcpStream) {
    let mut conn = TcpStream::connect(addr).await.unwrap();
    let request =
        format!("GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n");
    conn.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match tokio::time::timeout(Duration::from_secs(10), conn.read(&mut byte)).await {
            Ok(Ok(1)) => head.push(byte[0]),
            _ => break,
        }
    }
    (parse_answer(&head).0, conn)
}

/// Wait until a stream's connection is closed by the server (EOF or error).
async fn closed_by_server(conn: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, conn.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {}
            Err(_) => return false,
        }
    }
}

/// The remote client on `token` until it stops; its final error text.
async fn client_stops(
    server: &ServeProcess,
    token: &str,
    after: impl std::future::Future<Output = ()>,
) -> String {
    let (tx, mut rx) = mpsc::channel(256);
    let task = spawn_source(SourceSpec::Remote(client(&server.stream_url(), token)), tx);
    // connected: the state update says so
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(SourceUpdate::State(SourceState::Connected))) => break,
            Ok(Some(_)) => {}
            other => panic!("client never connected: {other:?}"),
        }
    }
    after.await;
    let changed = std::time::Instant::now();
    let ended = tokio::time::timeout(Duration::from_secs(20), task)
        .await
        .expect("the stream of a revoked token is still open after 20 s")
        .unwrap();
    // a figure for the report, not an assertion
    eprintln!("stream ended {:?} after the change", changed.elapsed());
    ended
        .expect_err("the client ends with an error")
        .to_string()
}

#[tokio::test]
async fn emptying_deleting_corrupting_or_commenting_the_token_file_revokes_every_token() {
    use tracetop::sse::remote::RemoteEngine;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = support::fresh_db().await;
    let dir = tempfile::tempdir().unwrap();
    let tokens = token_file(dir.path());
    let server = serve(&db.url, &tokens, dir.path(), &[]).await;
    let good = format!("{ALL}\n{ALICE} user:alice\n");
    let cases: [(&str, Option<&str>, &str); 4] = [
        ("emptied", Some(""), "holds no token"),
        ("only a comment", Some("# nobody\n"), "holds no token"),
        ("deleted", None, "cannot read token file"),
        (
            "saved with a typo",
            Some(&format!("{ALL}\n{ALICE} usr:alice\n")),
            "line 2",
        ),
    ];
    for (what, text, said) in cases {
        write_tokens(&tokens, &good);
        // the restored file works again (for the stream and the query API)
        let mut ok = false;
        for _ in 0..40 {
            if RemoteEngine::connect(&server.stream_url(), Some(ALL.into()))
                .await
                .is_ok()
            {
                ok = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ok, "restored token file not accepted before {what}");
        let tokens = tokens.clone();
        let error = client_stops(&server, ALL, async move {
            match text {
                Some(t) => write_tokens(&tokens, t),
                None => std::fs::remove_file(&tokens).unwrap(),
            }
        })
        .await;
        assert!(error.contains("invalid token"), "{what}: {error}");
        let refused = RemoteEngine::connect(&server.stream_url(), Some(ALICE.into()))
            .await
            .unwrap_err();
        assert!(
            refused.to_string().contains("invalid token"),
            "{what}: {refused}"
        );
        let log = server.stderr();
        assert!(
            log.contains(said) && log.contains("no token is valid"),
            "{what}: serve said: {log}"
        );
        assert!(
            !log.contains(ALL) && !log.contains(ALICE),
            "token in stderr: {log}"
        );
    }
}

#[tokio::test]
async fn a_stream_ends_when_its_token_expires() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = support::fresh_db().await;
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(3)).to_rfc3339();
    write_tokens(&tokens, &format!("{ALL} expires:{soon}\n"));
    let server = serve(&db.url, &tokens, dir.path(), &[]).await;
    let error = client_stops(&server, ALL, async {}).await;
    assert!(error.contains("expired token"), "{error}");
}

#[tokio::test]
async fn a_closed_stream_frees_its_slot_at_once() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = support::fresh_db().await;
    let dir = tempfile::tempdir().unwrap();
    let tokens = token_file(dir.path());
    // one stream per token; heartbeats 30 s apart, so a slot held until the
    // next write would stay taken for the whole test
    let server = serve(
        &db.url,
        &tokens,
        dir.path(),
        &["--max-connections-per-token", "1"],
    )
    .await;
    // the server sees a FIN asynchronously: a few tries within half a
    // second, far less than the 30 s until the next heartbeat
    async fn reopen(addr: &str) -> (u16, TcpStream) {
        let mut last = None;
        for _ in 0..20 {
            let (status, conn) = open_stream(addr, ALL).await;
            if status == 200 {
                return (status, conn);
            }
            last = Some((status, conn));
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        last.unwrap()
    }
    for round in 0..5 {
        let (status, conn) = reopen(&server.addr()).await;
        assert_eq!(status, 200, "round {round}: slot still taken after close");
        let (second, _) = open_stream(&server.addr(), ALL).await;
        assert_eq!(second, 429, "a second stream is over the limit");
        drop(conn);
    }
}

#[tokio::test]
async fn half_open_connections_time_out_and_cannot_lock_out_clients() {
    use tracetop::sse::remote::RemoteEngine;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = support::fresh_db().await;
    let dir = tempfile::tempdir().unwrap();
    let tokens = token_file(dir.path());
    let server = serve(
        &db.url,
        &tokens,
        dir.path(),
        &["--header-timeout", "1s", "--max-connections", "20"],
    )
    .await;
    // twenty connections that never finish their request head: silent ones
    // and one stuck mid-header
    let mut idle = Vec::new();
    for i in 0..20 {
        let mut conn = TcpStream::connect(server.addr()).await.unwrap();
        if i % 2 == 0 {
            conn.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nAuthor")
                .await
                .unwrap();
        }
        idle.push(conn);
    }
    // one more is over the cap: told so, not left hanging
    let (status, body) = http(&server.addr(), "GET", "/api/v1/health", Some(ALL), "").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("--max-connections"), "{body}");
    // every half-open connection is closed by the server
    for (i, conn) in idle.iter_mut().enumerate() {
        assert!(
            closed_by_server(conn, Duration::from_secs(20)).await,
            "half-open connection {i} still open"
        );
    }
    // and a real client gets in
    RemoteEngine::connect(&server.stream_url(), Some(ALL.into()))
        .await
        .expect("a real client after the half-open ones timed out");
}

async fn insert_logs(db: &support::TestDb, n: u32, user: Option<&str>) {
    let user = user.map(|u| format!("'{u}'")).unwrap_or("NULL".into());
    db.exec(&format!(
        "INSERT INTO logs (id, level, module, message, user_id)
         SELECT 'log-' || i, 'INFO', 'm', 'x', {user} FROM generate_series(1, {n}) AS i"
    ))
    .await;
}

#[tokio::test]
async fn a_query_gets_at_most_max_rows_and_a_huge_limit_is_refused() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = support::fresh_db().await;
    insert_logs(&db, 30, Some("bob")).await;
    let dir = tempfile::tempdir().unwrap();
    let tokens = token_file(dir.path());
    let server = serve(&db.url, &tokens, dir.path(), &["--max-rows", "10"]).await;
    let ask = |limit: u64| {
        format!(
            r#"{{"method":"log_search","filter":{{"pattern":null,"level":null,"module":null,"trace_id":null,"window":null,"limit":{limit}}}}}"#
        )
    };
    let (status, body) = http(
        &server.addr(),
        "POST",
        "/api/v1/query",
        Some(ALL),
        &ask(100_000_000),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("cap of 10 rows") && body.contains("--max-rows"),
        "{body}"
    );
    let (status, body) = http(&server.addr(), "POST", "/api/v1/query", Some(ALL), &ask(0)).await;
    assert_eq!(status, 200, "{body}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(rows.len(), 10, "limit 0 is clamped to the cap");
    let (status, body) = http(&server.addr(), "POST", "/api/v1/query", Some(ALL), &ask(7)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&body)
            .unwrap()
            .len(),
        7
    );
}

#[tokio::test]
async fn query_bodies_are_bounded_and_queries_per_token_are_counted() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = support::fresh_db().await;
    let dir = tempfile::tempdir().unwrap();
    let tokens = token_file(dir.path());
    let server = serve(
        &db.url,
        &tokens,
        dir.path(),
        &["--max-body-bytes", "4096", "--max-queries-per-token", "1"],
    )
    .await;
    let big = format!(
        r#"{{"method":"audit_lookup","prefix":"{}"}}"#,
        "a".repeat(10_000)
    );
    let (status, body) = http(&server.addr(), "POST", "/api/v1/query", Some(ALL), &big).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("--max-body-bytes"), "{body}");
    // a query whose body is still arriving holds this token's one slot
    let slow_request = || async {
        let mut slow = TcpStream::connect(server.addr()).await.unwrap();
        slow.write_all(
            format!("POST /api/v1/query HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ALL}\r\nContent-Length: 100\r\n\r\n{{").as_bytes(),
        )
        .await
        .unwrap();
        slow
    };
    let mut slow = slow_request().await;
    let overview = r#"{"method":"overview","now":"2026-01-01T00:00:00Z"}"#;
    // the slow request reaches its handler (and takes the slot) in its own
    // time: on a loaded machine that can take seconds, so ask until it has.
    // If it reached its handler while one of these asks held the slot, it
    // was itself refused (an answer is waiting on its socket): send it again.
    let mut refused = (0, String::new());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while tokio::time::Instant::now() < deadline {
        refused = http(&server.addr(), "POST", "/api/v1/query", Some(ALL), overview).await;
        if refused.0 == 429 {
            break;
        }
        let mut answer = [0u8; 64];
        if !matches!(slow.try_read(&mut answer), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
        {
            slow = slow_request().await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(refused.0, 429, "{}", refused.1);
    assert!(
        refused.1.contains("--max-queries-per-token"),
        "{}",
        refused.1
    );
    // another token is not affected
    let (status, body) = http(
        &server.addr(),
        "POST",
        "/api/v1/query",
        Some(ALICE),
        r#"{"method":"traces","filter":{"limit":5}}"#,
    )
    .await;
    assert_ne!(status, 429, "{body}");
    drop(slow);
    let mut answered = 0;
    for _ in 0..50 {
        answered = http(&server.addr(), "POST", "/api/v1/query", Some(ALL), overview)
            .await
            .0;
        if answered == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        answered, 200,
        "the slot is free once the slow query is gone"
    );
}

/// POST one query with `token`: `(status, body)`.
async fn query(server: &ServeProcess, token: &str, call: serde_json::Value) -> (u16, String) {
    http(
        &server.addr(),
        "POST",
        "/api/v1/query",
        Some(token),
        &call.to_string(),
    )
    .await
}

#[tokio::test]
async fn a_user_token_sees_only_its_rows_and_not_yours_looks_like_not_found() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = support::fresh_db().await;
    db.exec(
        "INSERT INTO agent_tasks (task_id, status, user_id, trace_id, error_message)
           VALUES ('task-nobody-1', 'TASK_STATE_FAILED', NULL, 'trace-nobody', 'nobody-secret-error'),
                  ('task-alice-1', 'TASK_STATE_COMPLETED', 'alice', 'trace-alice', NULL);
         INSERT INTO ai_requests (id, request_id, user_id, provider, model, status, trace_id, error_message)
           VALUES ('req-shared-alice', 'req-shared-alice', 'alice', 'openai', 'gpt-4o', 'completed', 'trace-alice', NULL),
                  ('req-shared-bob', 'req-shared-bob', 'bob', 'openai', 'gpt-4o', 'failed', 'trace-bob', 'bob-secret-error');
         INSERT INTO logs (id, level, module, message, user_id, trace_id)
           VALUES ('log-nobody', 'ERROR', 'm', 'nobody-secret-log', NULL, 'trace-mixed'),
                  ('log-alice', 'INFO', 'm', 'alice log', 'alice', 'trace-mixed');",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let tokens = token_file(dir.path());
    let server = serve(&db.url, &tokens, dir.path(), &[]).await;
    let lookup = |prefix: &str| serde_json::json!({"method": "audit_lookup", "prefix": prefix});
    let trace = |id: &str| serde_json::json!({"method": "trace_detail", "trace_id": id});

    // the all-users token sees the NULL-user task
    let (status, body) = query(&server, ALL, lookup("task-nobody")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("nobody-secret-error"), "{body}");

    // alice: a NULL-user task, bob's request, a trace with a NULL-user log,
    // bob's trace and ids that exist nowhere all look the same
    let mut answers = Vec::new();
    for (call, shown) in [
        (lookup("task-nobody"), "task-nobody"),
        (lookup("req-shared-bob"), "req-shared-bob"),
        (lookup("zzzz-no-such-id"), "zzzz-no-such-id"),
        (trace("trace-nobody"), "trace-nobody"),
        (trace("trace-mixed"), "trace-mixed"),
        (trace("trace-bob"), "trace-bob"),
        (trace("trace-no-such"), "trace-no-such"),
    ] {
        let (status, body) = query(&server, ALICE, call).await;
        assert_eq!(status, 404, "{shown}: {body}");
        assert!(!body.contains("secret"), "{shown}: {body}");
        let wire: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(wire["kind"], "not_found", "{body}");
        answers.push(wire["error"].as_str().unwrap().replace(shown, "ID"));
    }
    assert!(
        answers[..3].iter().all(|a| *a == answers[0]),
        "{answers:#?}"
    );
    assert!(
        answers[3..].iter().all(|a| *a == answers[3]),
        "{answers:#?}"
    );

    // a prefix shared with bob resolves to alice's own request, not
    // "ambiguous" (which would say bob's exists)
    let (status, body) = query(&server, ALICE, lookup("req-shared")).await;
    assert_eq!(status, 200, "{body}");
    let found: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(found["resolution"], "found", "{body}");
    assert_eq!(found["matched_id"], "req-shared-alice", "{body}");
    assert!(!body.contains("bob"), "{body}");
    // her own trace and task are hers
    let (status, body) = query(&server, ALICE, trace("trace-alice")).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = query(&server, ALICE, lookup("task-alice")).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn error_bodies_never_name_the_database() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = support::fresh_db().await;
    let dir = tempfile::tempdir().unwrap();
    let tokens = token_file(dir.path());
    let server = serve(&db.url, &tokens, dir.path(), &[]).await;
    // what would name it: the URL, its host part (socket directory or
    // host:port) and the database name
    let host = db
        .url
        .split_once('@')
        .map(|(_, rest)| rest.rsplit_once('/').map_or(rest, |(h, _)| h))
        .unwrap()
        .to_string();
    let names = [
        db.url.clone(),
        host,
        db.name.clone(),
        "postgres://".to_string(),
    ];
    let check = |what: &str, body: &str| {
        for name in &names {
            assert!(
                !body.contains(name.as_str()),
                "{what} names the database ({name}): {body}"
            );
        }
    };
    let (status, body) = query(
        &server,
        ALL,
        serde_json::json!({"method": "trace_detail", "trace_id": "no-such-trace"}),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("no trace"), "{body}");
    check("not found", &body);
    let (status, body) = query(
        &server,
        ALL,
        serde_json::json!({"method": "audit_lookup", "prefix": "zzzz-missing"}),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    check("audit not found", &body);
    // the database fails under the server: one generic line, cause in the log
    db.exec("DROP TABLE logs").await;
    let (status, body) = query(
        &server,
        ALL,
        serde_json::json!({"method": "log_search", "filter": {"limit": 5}}),
    )
    .await;
    assert!(status >= 500, "{status} {body}");
    check("database failure", &body);
    assert!(body.contains("serve's log"), "{body}");
    assert!(
        server.stderr().contains("a query failed"),
        "{}",
        server.stderr()
    );
}

#[tokio::test]
async fn a_password_with_slash_hash_or_question_mark_is_never_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = token_file(dir.path());
    for password in ["pa/ss-w0rd", "pa#ss-w0rd", "pa?ss-w0rd", "p/a?s#s@w0rd"] {
        let url = format!("postgres://ro:{password}@127.0.0.1:1/prod");
        for args in [
            vec![
                "serve",
                "--token-file",
                tokens.to_str().unwrap(),
                "--database-url",
                &url,
            ],
            vec!["logs", "search", "x", "--database-url", &url],
        ] {
            let out = Command::new(env!("CARGO_BIN_EXE_tracetop"))
                .args(&args)
                .env_remove("DATABASE_URL")
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{args:?}");
            assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
            for piece in ["pa/ss", "pa#ss", "pa?ss", "ss-w0rd", "s@w0rd", "w0rd"] {
                assert!(!stderr.contains(piece), "{args:?} echoed {piece}: {stderr}");
            }
            assert!(stderr.contains("ro:***@"), "{args:?}: {stderr}");
        }
    }
}

/// Characters a terminal would act on: a right-to-left override (which
/// reverses the rest of the line), an isolate, a C1 CSI and DEL.
const HOSTILE: [char; 4] = ['\u{202e}', '\u{2067}', '\u{9b}', '\u{7f}'];

fn hostile_text() -> String {
    format!(
        "reply {}0.01$ dir-rev {}iso {}31m del{} end",
        HOSTILE[0], HOSTILE[1], HOSTILE[2], HOSTILE[3]
    )
}

fn assert_no_hostile(what: &str, text: &str) {
    for c in HOSTILE {
        assert!(
            !text.contains(c),
            "{what} prints U+{:04X} raw: {text:?}",
            c as u32
        );
    }
}

#[tokio::test]
async fn bidi_and_c1_characters_in_a_model_reply_never_reach_the_terminal() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = support::fresh_db().await;
    let reply = hostile_text();
    db.exec(&format!(
        "INSERT INTO ai_requests (id, request_id, user_id, provider, model, status, trace_id)
           VALUES ('req-bidi-1', 'req-bidi-1', 'alice', 'openai', 'gpt-4o', 'completed', 'trace-bidi');
         INSERT INTO ai_request_messages (request_id, role, content, sequence_number)
           VALUES ('req-bidi-1', 'assistant', '{reply}', 0);"
    ))
    .await;
    // local reports, every format
    for format in ["table", "json", "csv"] {
        for args in [
            vec!["audit", "req-bidi-1", "--format", format],
            vec!["trace", "trace-bidi", "--format", format],
        ] {
            let out = Command::new(env!("CARGO_BIN_EXE_tracetop"))
                .args(&args)
                .env("DATABASE_URL", &db.url)
                .output()
                .unwrap();
            let stdout = String::from_utf8(out.stdout).unwrap();
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_no_hostile(&format!("{args:?}"), &stdout);
            if format == "json" && args[0] == "audit" {
                assert!(
                    stdout.contains("\\u202e") && stdout.contains("\\u009b"),
                    "{stdout}"
                );
                // the value itself is intact for a JSON reader
                let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                assert!(value.to_string().contains(&reply));
            }
        }
    }
    // live through serve: tail as JSON lines and as text
    let dir = tempfile::tempdir().unwrap();
    let tokens = token_file(dir.path());
    let server = serve(&db.url, &tokens, dir.path(), &[]).await;
    let client_token = dir.path().join("client-token");
    std::fs::write(&client_token, ALL).unwrap();
    let mut tails = Vec::new();
    for format in ["jsonl", "text"] {
        tails.push((
            format,
            Command::new(env!("CARGO_BIN_EXE_tracetop"))
                .args(["tail", "--remote", &server.stream_url(), "--token-file"])
                .arg(&client_token)
                .args(["--format", format, "--kind", "log", "--count", "1"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        ));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    db.exec(&format!(
        "INSERT INTO logs (id, level, module, message, user_id) VALUES ('log-bidi', 'WARN', 'gw', '{reply}', 'alice')"
    ))
    .await;
    for (format, child) in tails {
        let out = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(stdout.contains("dir-rev"), "tail {format}: {stdout:?}");
        assert_no_hostile(&format!("tail --format {format}"), &stdout);
    }
}
