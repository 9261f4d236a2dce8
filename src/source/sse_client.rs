//! The SSE client: a remote stream (our `serve`, or a systemprompt server's
//! analytics stream) as a live source of [`Event`]s.
//!
//! Bytes from reqwest go through the [`SseGuard`] (BOM, line endings, size
//! caps, invalid UTF-8), then [`read_frame`] reads each complete event (our
//! plain shape directly, anything else with eventsource-stream). The client
//! reconnects on its own: exponential backoff with jitter, `Last-Event-ID`
//! resume (a little before the last numeric cursor, and of the events at or
//! below it only row states not delivered yet pass: see [`super::resume`];
//! so neither a server replaying its ring nor a restarted one produces a
//! duplicate or a loss), a heartbeat
//! watchdog (no bytes for three heartbeat intervals → reconnect; any
//! heartbeat event keeps a quiet stream alive), 5xx and connection resets
//! retried, 401/403 reported once and the source stopped, 429 (too many
//! streams for this user) said in one line and retried after at least
//! `rate_limited_backoff` or the server's `Retry-After`. A stream without
//! ids (a systemprompt server's) cannot resume: after a reconnect the
//! client sends a `gap` event with the times in between instead of leaving
//! a silent hole. State and counters are sent alongside the events as
//! [`SourceUpdate`]s.

use super::resume::{DeliveredHistory, ReplayFilter};
use crate::error::{Error, Result, redact_url};
use crate::model::*;
use crate::sse::decode::decode_sse;
use crate::sse::frame::{FrameOutcome, read_frame};
use crate::sse::guard::{GuardLimits, SseGuard};
use bytes::Bytes;
use futures::{FutureExt, StreamExt};
use rand::{Rng, SeedableRng};
use std::time::Duration;
use tokio::sync::mpsc;

/// How to reach and follow a remote stream.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The stream URL, e.g. `https://ops.example/api/v1/stream`.
    pub url: String,
    /// Bearer token (from `--token-file` or `TRACETOP_TOKEN`).
    pub token: Option<String>,
    /// The server's heartbeat interval; three without a byte → reconnect.
    pub heartbeat: Duration,
    /// Guard caps.
    pub limits: GuardLimits,
    /// First retry delay (doubles up to `max_backoff`, ±20 % jitter).
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// Shortest wait after a `429 Too Many Requests` (a systemprompt server
    /// allows 10 streams per user), unless the answer has `Retry-After`.
    pub rate_limited_backoff: Duration,
    /// Resume after this cursor instead of starting live.
    pub last_event_id: Option<String>,
    /// Pass our own events through as [`SourceUpdate::Raw`] JSON instead
    /// of decoding them (for consumers that only write JSON lines).
    pub raw_json: bool,
}

impl ClientConfig {
    /// Defaults for `url`: 15 s heartbeat, 4 MiB lines and events,
    /// backoff 250 ms … 30 s, 30 s after a 429.
    pub fn new(url: impl Into<String>, token: Option<String>) -> Self {
        ClientConfig {
            url: url.into(),
            token,
            heartbeat: Duration::from_secs(15),
            limits: GuardLimits::default(),
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            rate_limited_backoff: Duration::from_secs(30),
            last_event_id: None,
            raw_json: false,
        }
    }
}

/// Read a token: the file's first non-empty line, else `TRACETOP_TOKEN`.
/// Tokens are never taken from the command line (it shows in `ps`).
pub fn load_token(token_file: Option<&std::path::Path>) -> Result<Option<String>> {
    if let Some(path) = token_file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::input(format!("cannot read token file {}: {e}", path.display())).caused_by(e)
        })?;
        let token = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .and_then(|l| l.split_whitespace().next())
            .ok_or_else(|| {
                Error::input(format!(
                    "token file {} holds no token: put the token on its first line",
                    path.display()
                ))
            })?;
        return Ok(Some(token.to_string()));
    }
    Ok(std::env::var("TRACETOP_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty()))
}

fn jittered(base: Duration, rng: &mut rand::rngs::SmallRng) -> Duration {
    let factor: f64 = rng.random_range(0.8..1.2);
    base.mul_f64(factor)
}

/// Why one connection ended.
enum Ended {
    /// Retry after a backoff.
    Retry(String),
    /// Retry after at least this long (a 429).
    RetryAfter(String, Duration),
    /// The consumer went away.
    ConsumerGone,
}

/// Follow the stream until the consumer drops `tx` (Ok) or the server
/// refuses the token (Err, after sending `SourceState::Stopped`).
pub async fn run(config: ClientConfig, tx: mpsc::Sender<SourceUpdate>) -> Result<()> {
    let shown_url = redact_url(&config.url);
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| Error::remote(format!("cannot build the HTTP client: {e}")).caused_by(e))?;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7);
    let mut rng = rand::rngs::SmallRng::seed_from_u64(seed);
    let mut state = StreamState {
        last_event_id: config.last_event_id.clone(),
        counters: SourceCounters::default(),
        guard_skipped: 0,
        last_current: None,
        history: DeliveredHistory::default(),
    };
    let mut backoff = config.initial_backoff;
    if tx
        .send(SourceUpdate::State(SourceState::Connecting))
        .await
        .is_err()
    {
        return Ok(());
    }
    loop {
        let mut request = http
            .get(&config.url)
            .header(reqwest::header::ACCEPT, "text/event-stream");
        if let Some(token) = &config.token {
            request = request.bearer_auth(token);
        }
        if let Some(id) = &state.last_event_id {
            // after events of our own, resume a little earlier (see
            // `super::resume`): what a restarted server numbered below
            // our cursor still arrives, what we had is dropped
            let resume = match id.parse::<u64>() {
                Ok(last) if !state.history.is_empty() => {
                    state.history.resume_cursor(last).to_string()
                }
                _ => id.clone(),
            };
            request = request.header("Last-Event-ID", resume);
        }
        let ended = match request.send().await {
            Err(e) => Ended::Retry(format!("cannot reach {shown_url}: {}", describe(&e))),
            Ok(response) => {
                let status = response.status();
                if status == reqwest::StatusCode::UNAUTHORIZED
                    || status == reqwest::StatusCode::FORBIDDEN
                {
                    let body = response.text().await.unwrap_or_default();
                    let detail =
                        crate::sanitize::truncate_width(&crate::sanitize::clean(body.trim()), 200);
                    let reason = format!(
                        "{shown_url} refused the token ({}): {detail}; check --token-file or TRACETOP_TOKEN",
                        status.as_u16()
                    );
                    let _ = tx
                        .send(SourceUpdate::State(SourceState::Stopped {
                            reason: reason.clone(),
                        }))
                        .await;
                    return Err(Error::auth(reason));
                }
                if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                    let wait = retry_after(&response).unwrap_or_else(|| {
                        jittered(backoff.max(config.rate_limited_backoff), &mut rng)
                    });
                    Ended::RetryAfter(
                        format!(
                            "too many connections (HTTP 429) to {shown_url}: the server caps streams per user \
                             (systemprompt: 10); close another console or tail of this user"
                        ),
                        wait,
                    )
                } else if !status.is_success() {
                    Ended::Retry(format!("{shown_url} answered HTTP {}", status.as_u16()))
                } else {
                    if tx
                        .send(SourceUpdate::State(SourceState::Connected))
                        .await
                        .is_err()
                    {
                        return Ok(());
                    }
                    if let Some(gap) = state.reconnected_without_id(chrono::Utc::now())
                        && tx.send(SourceUpdate::Events(vec![gap])).await.is_err()
                    {
                        return Ok(());
                    }
                    let (ended, got_data) = follow(response, &config, &mut state, &tx).await;
                    if got_data {
                        backoff = config.initial_backoff;
                    }
                    ended
                }
            }
        };
        let (reason, delay) = match ended {
            Ended::ConsumerGone => return Ok(()),
            Ended::Retry(reason) => (reason, jittered(backoff, &mut rng)),
            Ended::RetryAfter(reason, wait) => (reason, wait),
        };
        let update = SourceUpdate::State(SourceState::Reconnecting {
            retry_in_ms: delay.as_millis() as u64,
            reason,
        });
        if tx.send(update).await.is_err() {
            return Ok(());
        }
        tokio::time::sleep(delay).await;
        backoff = (backoff * 2).min(config.max_backoff);
    }
}

/// The wait a 429 asks for in its `Retry-After` (whole seconds; an HTTP
/// date is not worth honouring here), between 1 s and 10 min.
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let seconds: u64 = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds.clamp(1, 600)))
}

fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "connection failed"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_body() || e.is_decode() {
        "stream broken"
    } else {
        "request failed"
    };
    // reqwest's own message names the URL; show only the kind and source.
    let source = std::error::Error::source(e)
        .map(|s| s.to_string())
        .unwrap_or_default();
    if source.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {}", redact_url(&source))
    }
}

struct StreamState {
    last_event_id: Option<String>,
    counters: SourceCounters,
    guard_skipped: u64,
    /// The last moment the client knew it had everything the server sent:
    /// when a connection opened or its latest bytes arrived. `None` before
    /// the first connection.
    last_current: Option<Timestamp>,
    /// Frames delivered lately, to recognise them in a resumed replay.
    history: DeliveredHistory,
}

impl StreamState {
    /// A connection opened at `now`. After an earlier one, on a stream that
    /// gave no id to resume from, whatever the server sent in between is
    /// gone: the gap event that says so.
    fn reconnected_without_id(&mut self, now: Timestamp) -> Option<Event> {
        let lost_since = self.last_current.replace(now)?;
        if self.last_event_id.is_some() {
            return None; // resumed with Last-Event-ID: the server fills in
        }
        Some(Event::Gap {
            from_cursor: None,
            to_cursor: None,
            dropped: 0,
            reason: "the stream has no event ids, so a reconnect cannot resume".into(),
            from_time: Some(lost_since),
            to_time: Some(now),
        })
    }
}

/// Read one connection until it ends. Returns why, and whether any event
/// arrived (to reset the backoff).
///
/// Bytes go through the guard, which releases complete events; each is read
/// by [`read_frame`] (plain events directly, others by eventsource-stream).
/// Events from every chunk already received are sent as one batch.
async fn follow(
    response: reqwest::Response,
    config: &ClientConfig,
    state: &mut StreamState,
    tx: &mpsc::Sender<SourceUpdate>,
) -> (Ended, bool) {
    let mut body = response.bytes_stream();
    let mut guard = SseGuard::new(config.limits);
    let watchdog = config.heartbeat * 3;
    let mut got_data = false;
    let base_skipped = state.guard_skipped;
    let mut reader = FrameReader {
        last_cursor: state.last_event_id.as_deref().and_then(|s| s.parse().ok()),
        replay: (!state.history.is_empty()).then(|| state.history.replay_filter()),
        connection_id: Bytes::new(),
        raw_json: config.raw_json,
    };
    // The watchdog timer is moved only when it fires (a timer per chunk
    // costs more than the rest of reading a small event).
    let mut last_bytes = tokio::time::Instant::now();
    let alarm = tokio::time::sleep(watchdog);
    tokio::pin!(alarm);
    loop {
        let first = tokio::select! {
            chunk = body.next() => chunk,
            _ = &mut alarm => {
                if last_bytes.elapsed() < watchdog {
                    alarm.as_mut().reset(last_bytes + watchdog);
                    continue;
                }
                return (
                    Ended::Retry(format!(
                        "no data for {} s (heartbeat lost)",
                        watchdog.as_secs()
                    )),
                    got_data,
                );
            }
        };
        last_bytes = tokio::time::Instant::now();
        state.last_current = Some(chrono::Utc::now());
        let mut batch = Batch::default();
        let mut ended = None;
        let mut next = Some(first);
        // This chunk, then any more that are already here.
        while let Some(chunk) = next.take() {
            match chunk {
                None => ended = Some("the server closed the stream".to_string()),
                Some(Err(e)) => ended = Some(format!("stream broken: {}", describe(&e))),
                Some(Ok(bytes)) => {
                    for event in guard.push_events(&bytes) {
                        reader.read(&event, state, &mut batch);
                    }
                    if batch.len < MAX_BATCH {
                        next = body.next().now_or_never();
                    }
                }
            }
        }
        state.guard_skipped = base_skipped + guard.skipped();
        let mut counters = state.counters.clone();
        counters.skipped += state.guard_skipped;
        if batch.len > 0 {
            got_data = true;
            counters.received += batch.len as u64;
            state.counters.received = counters.received;
            if let Some(newest) = batch.newest() {
                let behind = (chrono::Utc::now() - newest).num_milliseconds() as f64 / 1000.0;
                counters.behind_secs = Some(behind.max(0.0));
                state.counters.behind_secs = counters.behind_secs;
            }
            for update in batch.updates {
                if tx.send(update).await.is_err() {
                    return (Ended::ConsumerGone, got_data);
                }
            }
        }
        if tx.send(SourceUpdate::Counters(counters)).await.is_err() {
            return (Ended::ConsumerGone, got_data);
        }
        if let Some(reason) = ended {
            return (Ended::Retry(reason), got_data);
        }
    }
}

/// Most events gathered into one batch before it is sent.
const MAX_BATCH: usize = 512;

/// Events of one batch, in order, as the updates that carry them: runs of
/// decoded events and (for a consumer that asked for raw JSON) runs of raw
/// ones.
#[derive(Default)]
struct Batch {
    updates: Vec<SourceUpdate>,
    len: usize,
}

impl Batch {
    fn push_event(&mut self, event: Event) {
        self.len += 1;
        match self.updates.last_mut() {
            Some(SourceUpdate::Events(events)) => events.push(event),
            _ => self.updates.push(SourceUpdate::Events(vec![event])),
        }
    }

    fn push_raw(&mut self, raw: RawEvent) {
        self.len += 1;
        match self.updates.last_mut() {
            Some(SourceUpdate::Raw(raws)) => raws.push(raw),
            _ => self.updates.push(SourceUpdate::Raw(vec![raw])),
        }
    }

    /// The newest time among the decoded events.
    fn newest(&self) -> Option<Timestamp> {
        self.updates
            .iter()
            .filter_map(|update| match update {
                SourceUpdate::Events(events) => events.iter().filter_map(Event::occurred_at).max(),
                _ => None,
            })
            .max()
    }
}

/// Turns guarded events into [`Event`]s (or raw ones), dropping those a
/// reconnect has already delivered.
struct FrameReader {
    /// The highest numeric cursor delivered.
    last_cursor: Option<u64>,
    /// On a resumed connection: which replayed events (at or below
    /// `last_cursor`) are still news.
    replay: Option<ReplayFilter>,
    /// The last `id:` seen on this connection.
    connection_id: Bytes,
    raw_json: bool,
}

impl FrameReader {
    fn read(&mut self, event: &Bytes, state: &mut StreamState, batch: &mut Batch) {
        let frame = match read_frame(event) {
            FrameOutcome::Frame(frame) => frame,
            FrameOutcome::Nothing => return,
            FrameOutcome::Malformed => {
                state.counters.skipped += 1;
                return;
            }
        };
        if !frame.id.is_empty() && frame.id != self.connection_id {
            self.connection_id = frame.id.clone();
            if let Ok(cursor) = frame.id_str().parse::<u64>() {
                if self.last_cursor.is_some_and(|last| cursor <= last) {
                    // replayed: delivered before a reconnect, unless it is
                    // a row state a restarted server numbered lower
                    let news = self
                        .replay
                        .as_mut()
                        .is_some_and(|f| f.is_news(frame.event_str(), frame.data_str()));
                    if !news {
                        return;
                    }
                } else {
                    self.last_cursor = Some(cursor);
                    state.last_event_id = Some(frame.id_str().to_string());
                }
                state.history.remember(cursor, &frame.event, &frame.data);
            } else {
                state.last_event_id = Some(frame.id_str().to_string());
            }
        }
        // Heartbeats are decoded, never raw: a systemprompt server's
        // (`{"type":"heartbeat"}`) is not in our wire format.
        if self.raw_json
            && &frame.event[..] != b"heartbeat"
            && let Some(raw) = RawEvent::check(frame.data.clone())
        {
            batch.push_raw(raw);
            return;
        }
        let event = decode_sse(frame.event_str(), frame.data_str());
        match &event {
            Event::Unknown { .. } => state.counters.unknown += 1,
            Event::Gap { dropped, .. } => state.counters.dropped += dropped,
            _ => {}
        }
        batch.push_event(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reconnect_without_an_id_is_a_gap_in_time() {
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .with_timezone(&chrono::Utc)
        };
        let mut state = StreamState {
            last_event_id: None,
            counters: SourceCounters::default(),
            guard_skipped: 0,
            last_current: None,
            history: DeliveredHistory::default(),
        };
        assert_eq!(
            state.reconnected_without_id(at("2026-11-23T10:00:00Z")),
            None
        );
        state.last_current = Some(at("2026-11-23T10:00:05Z"));
        let gap = state
            .reconnected_without_id(at("2026-11-23T10:00:09Z"))
            .expect("a gap");
        assert_eq!(
            gap.time_gap_line().unwrap(),
            "events between 10:00:05 and 10:00:09 not received \
             (the stream has no event ids, so a reconnect cannot resume)"
        );
        assert_eq!(gap.occurred_at(), Some(at("2026-11-23T10:00:09Z")));
        // With a cursor the server resumes (and says itself what it lost).
        state.last_event_id = Some("41".into());
        assert_eq!(
            state.reconnected_without_id(at("2026-11-23T10:01:00Z")),
            None
        );
    }
}
