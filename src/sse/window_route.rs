//! `GET /api/v1/window?since=…&until=…` of `tracetop serve`: a past
//! window's events as JSON lines (one [`Event`] a line, the format of a
//! recording, so the body saved to a file replays as one; each with the
//! instant it is replayed at as `"replayed_at"`), for a remote
//! console's time travel and `record --remote --since …`. `since` and
//! `until` take what `--since` / `--until` take. A user-scoped token gets
//! only its user's events. A read that fails after the first line ends the
//! body with a `gap` event saying so (the status is already sent).

use super::hub::{Entry, event_user, event_user_match};
use super::server::{AppState, ConnectionSlot, authorize, error_response, public_error, visible};
use crate::model::Event;
use crate::source::window::{Replayed, append_replayed_at};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::mpsc;

/// The query string.
#[derive(Debug, serde::Deserialize)]
pub(super) struct WindowParams {
    since: Option<String>,
    until: Option<String>,
}

/// The handler.
pub(super) async fn window(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(params): Query<WindowParams>,
) -> Response {
    let (token, scope) = match authorize(&app, &headers) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let Some(windows) = app.windows.clone() else {
        return error_response(503, "remote", "this server reads no past windows");
    };
    let Some(since) = params.since.as_deref() else {
        return error_response(400, "input", "window needs since=TIME (and until=TIME)");
    };
    let window = match crate::query::resolve_window(
        Some(since),
        params.until.as_deref(),
        None,
        chrono::Utc::now(),
    ) {
        Ok(w) => w,
        Err(e) => return public_error(&app, &e),
    };
    // a window is a long body, like a stream: it holds one of the token's
    // stream slots (not a query slot) while it is written
    let Some(permit) = ConnectionSlot::acquire(&app, &token) else {
        return error_response(
            429,
            "remote",
            &format!(
                "too many streams open for this token (limit {}, serve --max-connections-per-token); close one",
                app.config.max_connections_per_token
            ),
        );
    };
    let (items_tx, mut items_rx) = mpsc::channel::<Vec<Replayed>>(2);
    let (body_tx, body_rx) = mpsc::channel::<Bytes>(4);
    let user_name = super::server::scoped_user_name(&app, &scope).await;
    let reader = tokio::spawn(async move { windows.read(window, items_tx).await });
    tokio::spawn(async move {
        // the slot is held for as long as the body is written
        let _permit = permit;
        let mut line = Vec::new();
        while let Some(batch) = items_rx.recv().await {
            let mut chunk = Vec::with_capacity(batch.len() * 512);
            for item in batch {
                let entry = Entry {
                    cursor: 0,
                    kind: item.event.kind(),
                    user: event_user(&item.event).map(str::to_string),
                    user_match: event_user_match(&item.event),
                    frame: bytes::Bytes::new(),
                };
                if !visible(&entry, &scope, user_name.as_deref()) {
                    continue;
                }
                line.clear();
                if crate::output::json::to_writer_compact(&mut line, &item.event).is_ok() {
                    append_replayed_at(&mut line, item.at);
                    chunk.extend_from_slice(&line);
                    chunk.push(b'\n');
                }
            }
            if !chunk.is_empty() && body_tx.send(Bytes::from(chunk)).await.is_err() {
                return;
            }
        }
        let failure = match reader.await {
            Ok(Ok(())) => None,
            Ok(Err(e)) => {
                eprintln!(
                    "tracetop serve: a window read failed: {}",
                    crate::error::redact_urls_in(&e.to_string())
                );
                Some("the server could not read the rest of this window; its operator can see why in serve's log".to_string())
            }
            Err(e) => Some(format!("the window read stopped: {e}")),
        };
        if let Some(reason) = failure {
            let gap = Event::Gap {
                from_cursor: None,
                to_cursor: None,
                dropped: 0,
                reason,
                from_time: None,
                to_time: None,
            };
            if let Ok(mut text) = crate::output::json::to_string_compact(&gap) {
                text.push('\n');
                let _ = body_tx.send(Bytes::from(text)).await;
            }
        }
    });
    let stream = futures::stream::unfold(body_rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
    });
    (
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}
