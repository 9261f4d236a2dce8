//! The HTTP side of `tracetop serve` (axum).
//!
//! * `GET /api/v1/stream`: SSE. Each event has `id:` (its cursor),
//!   `event:` (its kind) and `data:` (the [`Event`] as JSON). A
//!   `Last-Event-ID` header replays the ring after that cursor (with a `gap`
//!   event first when the cursor is older than the ring). A heartbeat event
//!   goes out every `heartbeat` (15 s by default). A client that falls too
//!   far behind, or does not read for `write_timeout`, is told with a `gap`
//!   event and disconnected.
//! * `POST /api/v1/query`: one [`QueryCall`] as JSON → its answer as JSON.
//! * `GET /api/v1/health`: the caller's scope and the server's cursor.
//! * `GET /api/v1/window?since=…&until=…`: a past window's events as JSON
//!   lines, for remote consoles' time travel (see [`super::window_route`]).
//!
//! Every route needs `Authorization: Bearer TOKEN` (see [`super::tokens`]);
//! a missing, unknown or expired token gets 401 with a one-line reason, a
//! user-scoped token asking for another user's data gets 403. Streams per
//! token are bounded (429 beyond); a stream's slot is held by its response
//! body, so it is free the moment the connection ends. An open stream
//! re-checks its token every [`TOKEN_RECHECK`] and ends once it is revoked
//! or expired.

use super::chunker::{Chunker, QUEUED_CHUNKS};
use super::hub::{Entry, Hub};
use super::tokens::{Scope, TokenStore};
use super::wire::{QueryCall, WireError, cap_rows, execute, execute_review};
use crate::error::Error;
use crate::model::Event;
use crate::query::{QueryEngine, ReviewStore};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Heartbeat interval (default 15 s).
    pub heartbeat: Duration,
    /// Concurrent streams per token (default 8).
    pub max_connections_per_token: usize,
    /// Concurrent `/api/v1/query` calls per token (default 4; 429 beyond).
    pub max_queries_per_token: usize,
    /// Largest query request body in bytes (default 64 KiB; 413 beyond).
    pub max_body_bytes: usize,
    /// Most rows one query may return (default 10 000): `limit: 0` is
    /// clamped to it, a larger limit is refused with 400.
    pub max_rows: usize,
    /// A client that accepts no bytes for this long is dropped (default 10 s).
    pub write_timeout: Duration,
    /// Strings that never reach an error body: the database URL in the
    /// forms it appears in messages (raw and redacted).
    pub hidden_in_errors: Vec<String>,
    /// End streams once the source has finished and the client has
    /// everything (for replays and benchmarks).
    pub close_when_done: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            heartbeat: Duration::from_secs(15),
            max_connections_per_token: 8,
            max_queries_per_token: 4,
            max_body_bytes: 64 << 10,
            max_rows: 10_000,
            write_timeout: Duration::from_secs(10),
            hidden_in_errors: Vec::new(),
            close_when_done: false,
        }
    }
}

/// Everything the handlers share.
pub struct AppState {
    pub hub: Arc<Hub>,
    pub tokens: TokenStore,
    /// The engine behind `/api/v1/query` (None: the source has no database).
    pub engine: Option<Arc<dyn QueryEngine>>,
    /// Where remote consoles' audit verdicts go (None: refused with 503).
    pub reviews: Option<Arc<dyn ReviewStore>>,
    /// What answers `/api/v1/window` (None: refused with 503).
    pub windows: Option<Arc<dyn crate::source::window::WindowSource>>,
    pub config: ServerConfig,
    connections: Mutex<HashMap<String, usize>>,
    query_slots: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl AppState {
    /// Bundle the parts.
    pub fn new(
        hub: Arc<Hub>,
        tokens: TokenStore,
        engine: Option<Arc<dyn QueryEngine>>,
        reviews: Option<Arc<dyn ReviewStore>>,
        windows: Option<Arc<dyn crate::source::window::WindowSource>>,
        config: ServerConfig,
    ) -> Arc<AppState> {
        Arc::new(AppState {
            hub,
            tokens,
            engine,
            reviews,
            windows,
            config,
            connections: Mutex::new(HashMap::new()),
            query_slots: Mutex::new(HashMap::new()),
        })
    }
}

/// The routes.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/api/v1/stream", get(stream))
        .route("/api/v1/query", post(query))
        .route("/api/v1/health", get(health))
        .route("/api/v1/window", get(super::window_route::window))
        .with_state(state)
}

pub(super) fn error_response(status: u16, kind: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = WireError {
        error: message.to_string(),
        kind: kind.to_string(),
    };
    (status, axum::Json(body)).into_response()
}

/// What a remote caller is told about a failed query. Failures of the
/// server itself (database, schema, I/O) get one generic line and the cause
/// goes to the server's stderr; other messages keep their words but never
/// name the database (host, port, socket path or URL).
pub(super) fn public_error(app: &AppState, e: &Error) -> Response {
    let (status, wire) = WireError::from_error(e);
    let message = match e {
        Error::Database(_) | Error::Schema(_) | Error::Io(_) | Error::Other(_) => {
            eprintln!(
                "tracetop serve: a query failed: {}",
                crate::error::redact_urls_in(&e.to_string())
            );
            "the server could not answer this query; its operator can see why in serve's log"
                .to_string()
        }
        _ => hide_database(&wire.error, &app.config.hidden_in_errors),
    };
    error_response(status, &wire.kind, &message)
}

/// `text` with every `hidden` string and every `postgres://…` word
/// replaced by "the server's database".
fn hide_database(text: &str, hidden: &[String]) -> String {
    const NAME: &str = "the server's database";
    let mut out = text.to_string();
    for h in hidden.iter().filter(|h| h.len() >= 4) {
        out = out.replace(h.as_str(), NAME);
    }
    let mut search_from = 0;
    while let Some(pos) = ["postgres://", "postgresql://"]
        .iter()
        .filter_map(|scheme| out[search_from..].find(scheme))
        .min()
    {
        let start = search_from + pos;
        let word_end = out[start..]
            .find(char::is_whitespace)
            .map(|i| start + i)
            .unwrap_or(out.len());
        // keep the punctuation that ends the sentence around the URL
        let end = out[..word_end]
            .trim_end_matches([':', ',', ';', ')', '.'])
            .len()
            .max(start);
        out.replace_range(start..end, NAME);
        search_from = start + NAME.len();
    }
    out
}

pub(super) fn authorize(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<(String, Scope), Box<Response>> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    app.tokens
        .check(presented)
        .map_err(|refusal| Box::new(error_response(401, "unauthorized", refusal.message())))
}

/// Held by a stream for its lifetime; frees the token's connection slot.
pub(super) struct ConnectionSlot {
    app: Arc<AppState>,
    token: String,
}

impl ConnectionSlot {
    pub(super) fn acquire(app: &Arc<AppState>, token: &str) -> Option<ConnectionSlot> {
        let mut map = match app.connections.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        let count = map.entry(token.to_string()).or_insert(0);
        if *count >= app.config.max_connections_per_token {
            return None;
        }
        *count += 1;
        Some(ConnectionSlot {
            app: app.clone(),
            token: token.to_string(),
        })
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut map = match self.app.connections.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        if let Some(count) = map.get_mut(&self.token) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                map.remove(&self.token);
            }
        }
    }
}

async fn health(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let (_, scope) = match authorize(&app, &headers) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let (scope_name, user) = match scope {
        Scope::AllUsers => ("all_users", None),
        Scope::User(u) => ("user", Some(u)),
    };
    axum::Json(serde_json::json!({
        "status": "ok",
        "scope": scope_name,
        "user": user,
        "query_engine": app.engine.is_some(),
        "last_cursor": app.hub.last_cursor(),
    }))
    .into_response()
}

/// A permit for one running query of `token`, if it is under its limit.
pub(super) fn query_permit(app: &AppState, token: &str) -> Option<OwnedSemaphorePermit> {
    let semaphore = {
        let mut slots = match app.query_slots.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        // Forget idle tokens' semaphores (revoked tokens must not pile up).
        if slots.len() > 1024 {
            slots.retain(|_, s| s.available_permits() < app.config.max_queries_per_token);
        }
        slots
            .entry(token.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(app.config.max_queries_per_token.max(1))))
            .clone()
    };
    semaphore.try_acquire_owned().ok()
}

async fn query(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let (token, scope) = match authorize(&app, &headers) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let Some(_permit) = query_permit(&app, &token) else {
        return error_response(
            429,
            "remote",
            &format!(
                "too many queries running for this token (limit {}, serve --max-queries-per-token); wait for one to finish",
                app.config.max_queries_per_token
            ),
        );
    };
    let max_body = app.config.max_body_bytes;
    let body = match axum::body::to_bytes(body, max_body).await {
        Ok(b) => b,
        Err(_) => {
            return error_response(
                413,
                "input",
                &format!(
                    "query request body over {max_body} bytes (serve --max-body-bytes), or cut short"
                ),
            );
        }
    };
    let mut call: QueryCall = match serde_json::from_slice(&body) {
        Ok(c) => c,
        Err(e) => return error_response(400, "input", &format!("invalid query request: {e}")),
    };
    if let Err(e) = cap_rows(&mut call, app.config.max_rows) {
        return public_error(&app, &e);
    }
    let answer = if matches!(
        call,
        QueryCall::RecordReview { .. } | QueryCall::Reviews { .. }
    ) {
        let Some(reviews) = app.reviews.clone() else {
            return error_response(
                503,
                "remote",
                "this server keeps no audit verdicts (no tracetop_reviews table, or a replay source)",
            );
        };
        execute_review(reviews.as_ref(), call, &scope).await
    } else {
        let Some(engine) = app.engine.clone() else {
            return error_response(
                503,
                "remote",
                "this server has no query engine (it relays a replay, not a database)",
            );
        };
        execute(engine.as_ref(), call, &scope).await
    };
    match answer {
        Ok(value) => axum::Json(value).into_response(),
        Err(e) => public_error(&app, &e),
    }
}

/// Whether a stream of `scope` may see `entry`; `user_name` is the scoped
/// user's name (for budgets that match users by name).
pub(super) fn visible(entry: &Entry, scope: &Scope, user_name: Option<&str>) -> bool {
    match scope {
        Scope::AllUsers => true,
        Scope::User(u) => entry.visible_to_user(u, user_name),
    }
}

/// The name of the user a stream is scoped to, looked up once when it
/// opens (none for an all-users stream, a server without a database, or
/// a user the database does not know).
pub(super) async fn scoped_user_name(app: &AppState, scope: &Scope) -> Option<String> {
    let Scope::User(id) = scope else {
        return None;
    };
    let engine = app.engine.as_ref()?;
    let user = engine
        .user(&crate::model::UserId(id.clone()))
        .await
        .ok()??;
    Some(user.name)
}

async fn stream(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let (token, scope) = match authorize(&app, &headers) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let Some(slot) = ConnectionSlot::acquire(&app, &token) else {
        return error_response(
            429,
            "remote",
            &format!(
                "too many streams for this token (limit {}); close one first",
                app.config.max_connections_per_token
            ),
        );
    };
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<u64>().ok());
    let (tx, rx) = mpsc::channel::<Bytes>(QUEUED_CHUNKS);
    tokio::spawn(feed_client(app.clone(), after, token, scope, tx));
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        axum::body::Body::from_stream(StreamBody { rx, _slot: slot }),
    )
        .into_response()
}

/// The body of one stream. It owns the token's connection slot, so the
/// slot is free the moment the connection ends (hyper drops the body when
/// the client goes away), not when the feeder next tries to write.
struct StreamBody {
    rx: mpsc::Receiver<Bytes>,
    _slot: ConnectionSlot,
}

impl futures::Stream for StreamBody {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx).map(|chunk| chunk.map(Ok))
    }
}

/// How often an open stream re-checks its token (revocation, expiry).
const TOKEN_RECHECK: Duration = Duration::from_millis(500);

/// Push one client's events until it goes away, lags, its token stops
/// being valid, or the source ends.
async fn feed_client(
    app: Arc<AppState>,
    after: Option<u64>,
    token: String,
    scope: Scope,
    tx: mpsc::Sender<Bytes>,
) {
    let write_timeout = app.config.write_timeout;
    let user_name = scoped_user_name(&app, &scope).await;
    let mut out = Chunker::default();
    // Hand over what is gathered; a client that does not take it within
    // `write_timeout` is dropped.
    macro_rules! flush {
        () => {
            for chunk in out.take_all() {
                match tokio::time::timeout(write_timeout, tx.send(chunk)).await {
                    Ok(Ok(())) => {}
                    _ => return,
                }
            }
        };
    }
    macro_rules! gather {
        ($entry:expr) => {
            if visible(&$entry, &scope, user_name.as_deref()) {
                out.push_frame(&$entry.frame);
                if out.has_full_chunk() {
                    flush!();
                }
            }
        };
    }
    let mut sub = app.hub.subscribe(after);
    if let Some(gap) = &sub.gap {
        out.push_control(gap);
    }
    for entry in std::mem::take(&mut sub.backlog) {
        gather!(entry);
    }
    flush!();
    let mut last = sub.after;
    // A live entry not yet sent (a reconnect's ring replay may overlap).
    macro_rules! take {
        ($entry:expr) => {
            if $entry.cursor > last {
                last = $entry.cursor;
                gather!($entry);
            }
        };
    }
    // Take what is already queued (all of it, or until a chunk is full);
    // `Some(missed)` if the client fell behind the ring.
    macro_rules! take_queued {
        ($until_chunk_full:expr) => {{
            let mut lagged = None;
            while !$until_chunk_full || !out.has_full_chunk() {
                match sub.live.try_recv() {
                    Ok(entry) => take!(entry),
                    Err(TryRecvError::Lagged(missed)) => {
                        lagged = Some(missed);
                        break;
                    }
                    Err(_) => break,
                }
            }
            lagged
        }};
    }
    let mut heartbeat = tokio::time::interval(app.config.heartbeat);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    heartbeat.tick().await;
    let mut recheck = tokio::time::interval(TOKEN_RECHECK);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    recheck.tick().await;
    let mut done = app.hub.done();
    let mut finished = app.config.close_when_done && *done.borrow();
    loop {
        let lagged = if finished {
            // Send what is already queued, then end the stream.
            match take_queued!(false) {
                Some(missed) => Some(missed),
                None => {
                    flush!();
                    return;
                }
            }
        } else {
            tokio::select! {
                received = sub.live.recv() => match received {
                    Ok(entry) => {
                        take!(entry);
                        // Whatever else is already here goes in the same chunk.
                        let lagged = take_queued!(true);
                        flush!();
                        lagged
                    }
                    Err(RecvError::Lagged(missed)) => Some(missed),
                    Err(RecvError::Closed) => {
                        flush!();
                        return;
                    }
                },
                _ = heartbeat.tick() => {
                    out.push_control(&Event::Heartbeat { at: chrono::Utc::now() });
                    flush!();
                    None
                }
                changed = done.changed(), if app.config.close_when_done && !finished => {
                    finished = changed.is_err() || *done.borrow();
                    None
                }
                _ = recheck.tick() => {
                    if app.tokens.check(Some(&token)).is_err() {
                        // Revoked or expired: end the stream; the client's
                        // reconnect gets the 401 with the reason.
                        return;
                    }
                    None
                }
                _ = tx.closed() => return,
            }
        };
        if let Some(missed) = lagged {
            let gap = Event::Gap {
                from_cursor: Some(last),
                to_cursor: None,
                dropped: missed,
                reason: "client too slow: disconnected; reconnect with Last-Event-ID to resume from the ring".into(),
                from_time: None,
                to_time: None,
            };
            out.push_control(&gap);
            for chunk in out.take_all() {
                if !matches!(
                    tokio::time::timeout(write_timeout, tx.send(chunk)).await,
                    Ok(Ok(()))
                ) {
                    return;
                }
            }
            return;
        }
    }
}
