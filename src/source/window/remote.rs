//! A past window read from a remote `tracetop serve`
//! (`GET /api/v1/window`, JSON lines, the token's scope applied by the
//! server). Lines are judged as a recording's are
//! ([`crate::source::recording::classify_line`]): bad ones are skipped.
//! Each event is replayed at the instant the server stamped it with
//! (`"replayed_at"`, the instant a local window reader gives it), or, from
//! an older server, at its own time.

use super::{MonotonicClock, Replayed, WindowSource, replayed_at};
use crate::error::{Error, Result, redact_url};
use crate::query::{TimeWindow, rfc3339};
use crate::source::recording::{Line, MAX_LINE, classify_line};
use crate::sse::wire::WireError;
use futures::StreamExt;
use std::time::Duration;
use tokio::sync::mpsc;

/// Reads windows from one server.
#[derive(Debug, Clone)]
pub struct RemoteWindow {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl RemoteWindow {
    /// For the server at `url` (any URL `--remote` takes).
    pub fn new(url: &str, token: Option<String>) -> Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| {
                Error::remote(format!("cannot build the HTTP client: {e}")).caused_by(e)
            })?;
        Ok(RemoteWindow {
            http,
            base: crate::sse::remote::base_url(url)?,
            token,
        })
    }

    async fn open(&self, window: &TimeWindow) -> Result<reqwest::Response> {
        let mut url = url::Url::parse(&format!("{}/api/v1/window", self.base))
            .map_err(|e| Error::input(format!("invalid remote URL: {e}")).caused_by(e))?;
        url.query_pairs_mut()
            .append_pair("since", &rfc3339(window.start))
            .append_pair("until", &rfc3339(window.end));
        let mut request = self.http.get(url);
        if let Some(t) = &self.token {
            request = request.bearer_auth(t);
        }
        let response = request.send().await.map_err(|e| {
            Error::remote(format!(
                "cannot reach {} for a past window: {e}; is `tracetop serve` running there?",
                redact_url(&self.base)
            ))
            .caused_by(e)
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = response.text().await.unwrap_or_default();
        let wire = serde_json::from_str::<WireError>(&body).ok();
        Err(match (status.as_u16(), wire) {
            (401, w) => Error::auth(format!(
                "{} refused the token (401): {}; check --token-file or TRACETOP_TOKEN",
                redact_url(&self.base),
                w.map(|w| w.error).unwrap_or_default()
            )),
            (404, None) => Error::remote(format!(
                "{} has no /api/v1/window: it is an older tracetop serve; upgrade it to time-travel",
                redact_url(&self.base)
            )),
            (_, Some(w)) => w.into_error(),
            (code, None) => Error::remote(format!(
                "{} answered HTTP {code} for a past window",
                redact_url(&self.base)
            )),
        })
    }
}

#[async_trait::async_trait]
impl WindowSource for RemoteWindow {
    async fn read(&self, window: TimeWindow, tx: mpsc::Sender<Vec<Replayed>>) -> Result<()> {
        let response = self.open(&window).await?;
        let mut body = response.bytes_stream();
        let mut clock = MonotonicClock::new(&window);
        let mut pending: Vec<u8> = Vec::new();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| {
                Error::remote(format!(
                    "the window from {} was cut short: {e}",
                    redact_url(&self.base)
                ))
                .caused_by(e)
            })?;
            pending.extend_from_slice(&chunk);
            let mut batch = Vec::new();
            let mut start = 0;
            while let Some(i) = memchr::memchr(b'\n', &pending[start..]) {
                let line = &pending[start..start + i];
                start += i + 1;
                let text = std::str::from_utf8(line).map(|t| t.trim_end_matches('\r'));
                if let Ok(text) = text
                    && let Line::Event(event) = classify_line(text)
                {
                    // the server's instant, as a local window has it
                    let at = match replayed_at(text) {
                        Some(at) => clock.keep(at),
                        None => clock.stamp(&event),
                    };
                    batch.push(Replayed { at, event: *event });
                }
            }
            pending.drain(..start);
            if pending.len() > MAX_LINE {
                return Err(Error::remote(format!(
                    "{} sent a window line over 16 MiB",
                    redact_url(&self.base)
                )));
            }
            if !batch.is_empty() && tx.send(batch).await.is_err() {
                return Ok(());
            }
        }
        Ok(())
    }
}
