//! `tracetop tail`: live events to stdout, as JSON lines (for jq and
//! scripts; the default when stdout is not a terminal) or as readable text
//! (sanitized: escape sequences in data are stripped, never interpreted).
//!
//! Also home of [`LiveSourceArgs`] (the live-source flags shared with
//! `record`) and [`print_stream`] (shared with `replay`). A closed pipe
//! (`tracetop tail | head`) ends the command quietly with exit 0.

use crate::error::{Error, Result};
use crate::model::*;
use crate::source::postgres::{TailConfig, parse_interval};
use crate::source::sse_client::{ClientConfig, load_token};
use crate::source::{SourceSpec, spawn_source};
use crate::sse::hub::backfill_cursor;
use crate::sse::remote::stream_url;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use tokio::sync::mpsc;

/// Where live events come from (one of `--database-url`, `--remote`,
/// `--replay`), with the tuning flags of each.
#[derive(Debug, Clone, clap::Args)]
pub struct LiveSourceArgs {
    /// Tail this Postgres database (read-only session).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Follow a remote `tracetop serve` (or systemprompt) SSE stream.
    #[arg(long, value_name = "URL")]
    pub remote: Option<String>,
    /// File holding the remote token (else TRACETOP_TOKEN; never on the command line).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Replay a file written by `tracetop record`.
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,
    /// Replay speed: 1 = real time, 10 = ten times faster, 0 = as fast as possible.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Postgres poll interval.
    #[arg(long, default_value = "500ms", value_name = "DURATION")]
    pub interval: String,
    /// How far back each Postgres poll re-reads (out-of-order commits).
    #[arg(long, default_value = "5s", value_name = "DURATION")]
    pub lookback: String,
    /// Start this far in the past instead of now, e.g. 15m. Postgres: at
    /// most 5 000 rows per table (a `gap` line says when older rows are
    /// left out). A `tracetop serve` stream: what its replay ring still
    /// holds of that span (a `gap` line says when it no longer reaches back).
    #[arg(long, value_name = "DURATION")]
    pub backfill: Option<String>,
    /// The remote server's heartbeat interval (3 missed → reconnect).
    #[arg(long, default_value = "15s", value_name = "DURATION")]
    pub heartbeat: String,
    /// Remote: resume after this cursor (as `Last-Event-ID`) instead of live.
    #[arg(long, value_name = "CURSOR")]
    pub from_cursor: Option<u64>,
}

impl LiveSourceArgs {
    /// The source these flags name: `--replay`, else `--remote`, else
    /// `--database-url` / `DATABASE_URL`.
    pub fn spec(&self) -> Result<SourceSpec> {
        if let Some(path) = &self.replay {
            return Ok(SourceSpec::Replay {
                path: path.clone(),
                speed: self.speed,
            });
        }
        if let Some(url) = &self.remote {
            let mut config =
                ClientConfig::new(stream_url(url)?, load_token(self.token_file.as_deref())?);
            config.heartbeat =
                parse_interval(&self.heartbeat)?.max(std::time::Duration::from_millis(100));
            config.last_event_id = match (self.from_cursor, self.backfill.as_deref()) {
                (Some(_), Some(_)) => {
                    return Err(Error::input(
                        "--from-cursor and --backfill both say where to start: give one",
                    ));
                }
                (Some(cursor), None) => Some(cursor.to_string()),
                (None, Some(text)) => crate::source::postgres::parse_backfill(text)?
                    .map(|span| backfill_cursor(span, chrono::Utc::now())),
                (None, None) => None,
            };
            return Ok(SourceSpec::Remote(config));
        }
        if let Some(url) = &self.database_url {
            return Ok(SourceSpec::Postgres {
                url: url.clone(),
                tail: self.tail_config()?,
            });
        }
        Err(Error::input(
            "no source: give --database-url URL (or DATABASE_URL), --remote URL, or --replay FILE",
        ))
    }

    /// The Postgres tail settings.
    pub fn tail_config(&self) -> Result<TailConfig> {
        let interval = parse_interval(&self.interval)?;
        if interval.is_zero() {
            return Err(Error::input(
                "invalid --interval 0: use at least 1ms, e.g. 500ms",
            ));
        }
        Ok(TailConfig {
            interval,
            lookback: parse_interval(&self.lookback)?,
            backfill: match self.backfill.as_deref() {
                Some(text) => crate::source::postgres::parse_backfill(text)?,
                None => None,
            },
            ..TailConfig::default()
        })
    }
}

/// Output format of `tail` and `replay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StreamFormat {
    /// One JSON object per line (the Event wire format).
    Jsonl,
    /// One readable line per event, escape sequences stripped.
    Text,
}

fn parse_kind(s: &str) -> std::result::Result<String, String> {
    if Event::KINDS.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "unknown kind {s:?}; one of: {}",
            Event::KINDS.join(", ")
        ))
    }
}

/// How `tail` and `replay` print.
#[derive(Debug, Clone, clap::Args)]
pub struct PrintArgs {
    /// jsonl (default when stdout is not a terminal) or text.
    #[arg(long, value_enum)]
    pub format: Option<StreamFormat>,
    /// Only these kinds (repeatable). Heartbeats are shown only when asked for.
    #[arg(long = "kind", value_name = "KIND", value_parser = parse_kind)]
    pub kinds: Vec<String>,
    /// Stop after this many events.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
}

/// Arguments of `tracetop tail`.
#[derive(Debug, clap::Args)]
pub struct TailArgs {
    #[command(flatten)]
    pub source: LiveSourceArgs,
    #[command(flatten)]
    pub print: PrintArgs,
}

/// Run `tracetop tail`.
pub async fn run(args: TailArgs) -> Result<()> {
    let spec = args.source.spec()?;
    print_stream(spec, &args.print).await
}

/// One readable line for an event (data sanitized, no trailing newline).
pub fn format_text(event: &Event) -> String {
    use crate::sanitize::clean;
    let at = event
        .occurred_at()
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
        .unwrap_or_else(|| "-".repeat(23));
    let opt = |v: &Option<String>| v.as_deref().map(clean).unwrap_or_else(|| "-".into());
    let body = match event {
        Event::AiRequestStarted { request: r } => format!(
            "user={} {}/{} trace={} id={}",
            clean(r.user_id.as_str()),
            clean(&r.provider),
            clean(&r.model),
            opt(&r.trace_id.as_ref().map(|t| t.0.clone())),
            clean(r.id.as_str())
        ),
        Event::AiRequestCompleted {
            request: r,
            messages,
            tool_calls,
        }
        | Event::AiRequestFailed {
            request: r,
            messages,
            tool_calls,
        } => {
            let reply = messages
                .iter()
                .rev()
                .find(|m| m.role == "assistant")
                .map(|m| crate::sanitize::truncate_width(&clean(&m.content), 80))
                .unwrap_or_default();
            format!(
                "user={} {}/{} tokens={} cost={} latency={}ms status={}{} tools={} trace={} id={}{}",
                clean(r.user_id.as_str()),
                clean(&r.provider),
                clean(&r.model),
                r.tokens_used.unwrap_or(0),
                r.cost_microdollars,
                r.latency_ms.unwrap_or(0),
                clean(&r.status),
                r.error_message
                    .as_deref()
                    .map(|e| format!(" error={:?}", clean(e)))
                    .unwrap_or_default(),
                tool_calls.len(),
                opt(&r.trace_id.as_ref().map(|t| t.0.clone())),
                clean(r.id.as_str()),
                if reply.is_empty() {
                    String::new()
                } else {
                    format!(" reply={reply:?}")
                }
            )
        }
        Event::McpExecution { execution: m } => format!(
            "{}/{} status={} time={}ms trace={}{}",
            clean(&m.server_name),
            clean(&m.tool_name),
            clean(&m.status),
            m.execution_time_ms.unwrap_or(0),
            opt(&m.trace_id.as_ref().map(|t| t.0.clone())),
            m.error_message
                .as_deref()
                .map(|e| format!(" error={:?}", clean(e)))
                .unwrap_or_default()
        ),
        Event::Log { log } => format!(
            "{:<5} {} {}",
            clean(&log.level),
            clean(&log.module),
            crate::sanitize::truncate_width(&clean(&log.message), 200)
        ),
        Event::TaskUpdated { task } => format!(
            "{} agent={} status={} trace={}",
            clean(task.task_id.as_str()),
            opt(&task.agent_name),
            clean(&task.status),
            opt(&task.trace_id.as_ref().map(|t| t.0.clone()))
        ),
        Event::ExecutionStep { step } => format!(
            "{} task={} {} status={}",
            clean(step.step_id.as_str()),
            clean(step.task_id.as_str()),
            clean(&step.step_type),
            clean(&step.status)
        ),
        Event::SessionStarted { session } | Event::SessionEnded { session } => format!(
            "{} user={} source={}{}",
            clean(session.session_id.as_str()),
            opt(&session.user_id.as_ref().map(|u| u.0.clone())),
            opt(&session.session_source),
            if session.is_bot || session.is_behavioral_bot {
                " bot"
            } else {
                ""
            }
        ),
        Event::UserSeen { user } => format!("{} {}", clean(user.id.as_str()), clean(&user.name)),
        Event::ContextCreated { context } => format!(
            "{} user={} {}",
            clean(context.context_id.as_str()),
            clean(context.user_id.as_str()),
            clean(&context.name)
        ),
        Event::StatsSnapshot { stats } => {
            let count = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
            let mut line = format!(
                "active_users={} active_sessions={} requests/min={}",
                count(stats.active_users),
                count(stats.active_sessions),
                stats
                    .requests_per_minute
                    .map(|n| format!("{n:.1}"))
                    .unwrap_or_else(|| "-".into())
            );
            if stats.page_views_last_5m.is_some() || stats.bot_requests_last_5m.is_some() {
                line.push_str(&format!(
                    " page_views_5m={} bot_requests_5m={}",
                    count(stats.page_views_last_5m),
                    count(stats.bot_requests_last_5m)
                ));
            }
            line
        }
        Event::AnalyticsSessionStarted { session: s } => format!(
            "session={} device={} browser={} os={} country={} referrer={}{}",
            clean(s.session_id.as_str()),
            opt(&s.device_type),
            opt(&s.browser),
            opt(&s.os),
            opt(&s.country),
            opt(&s.referrer_source),
            if s.is_bot { " bot" } else { "" }
        ),
        Event::AnalyticsSessionEnded { session: s } => format!(
            "session={} duration={}ms pages={} requests={}",
            clean(s.session_id.as_str()),
            s.duration_ms,
            s.page_count,
            s.request_count
        ),
        Event::PageView { page_view: v } => format!(
            "session={} user={} page={} content={} referrer={}",
            clean(v.session_id.as_str()),
            opt(&v.user_id.as_ref().map(|u| u.0.clone())),
            clean(&v.page_url),
            opt(&v.content_id),
            opt(&v.referrer)
        ),
        Event::EngagementUpdate { engagement: e } => format!(
            "session={} page={} scroll={}% time_on_page={}ms clicks={}",
            clean(e.session_id.as_str()),
            clean(&e.page_url),
            e.scroll_depth,
            e.time_on_page_ms,
            e.click_count
        ),
        Event::AnomalyRaised { anomaly }
        | Event::AnomalyEscalated { anomaly }
        | Event::AnomalyCleared { anomaly } => {
            format!(
                "{:?} {} subject={} {}",
                anomaly.severity,
                clean(&anomaly.rule),
                clean(&anomaly.subject),
                clean(&anomaly.message)
            )
        }
        Event::Heartbeat { .. } => String::new(),
        Event::Gap { .. } if event.time_gap_line().is_some() => {
            event.time_gap_line().unwrap_or_default()
        }
        Event::Gap {
            from_cursor,
            to_cursor,
            dropped,
            reason,
            ..
        } => format!(
            "from={} to={} dropped={dropped} {}",
            from_cursor
                .map(|c| c.to_string())
                .unwrap_or_else(|| "-".into()),
            to_cursor
                .map(|c| c.to_string())
                .unwrap_or_else(|| "-".into()),
            clean(reason)
        ),
        Event::Unknown { type_name, raw } => format!(
            "type={} {}",
            opt(type_name),
            crate::sanitize::truncate_width(&clean(raw), 200)
        ),
    };
    format!("{at} {:<20} {body}", event.kind())
}

/// Lines written to `out` up to an optional count: the output of `tail`,
/// `replay` and `record`.
pub struct CountedLines<W: Write> {
    out: W,
    written: u64,
    limit: Option<u64>,
}

impl<W: Write> CountedLines<W> {
    /// Lines to `out`, stopping at `limit` if given.
    pub fn new(out: W, limit: Option<u64>) -> Self {
        CountedLines {
            out,
            written: 0,
            limit,
        }
    }

    /// Write `line` and a newline. True once the limit is reached (the
    /// output is then flushed).
    pub fn line(&mut self, line: &[u8]) -> std::io::Result<bool> {
        self.out.write_all(line)?;
        self.out.write_all(b"\n")?;
        self.written += 1;
        if self.done() {
            self.out.flush()?;
        }
        Ok(self.done())
    }

    /// Whether the limit has been reached.
    pub fn done(&self) -> bool {
        self.limit.is_some_and(|limit| self.written >= limit)
    }

    /// Lines written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Resolves once stdout is a pipe (or socket) whose reader has gone, so a
/// quiet stream ends with `| head -1` without waiting for its next event
/// to hit the closed pipe. On Linux the write end of a pipe reports
/// EPOLLERR as soon as its last reader closes; the descriptor is only
/// watched (registered with the reactor), never read or written here. A
/// terminal or a regular file (which epoll refuses) is never "gone".
async fn stdout_closed() {
    #[cfg(unix)]
    if !std::io::stdout().is_terminal()
        && let Ok(watched) = std::os::fd::AsFd::as_fd(&std::io::stdout()).try_clone_to_owned()
        // SAFETY: the descriptor is our own duplicate, owned by the AsyncFd:
        // it stays open and the same for the AsyncFd's whole life.
        && let Ok(watch) = unsafe {
            tokio::io::unix::AsyncFd::register_with_interest(watched, tokio::io::Interest::ERROR)
        }
        && watch.ready(tokio::io::Interest::ERROR).await.is_ok()
    {
        return;
    }
    std::future::pending::<()>().await
}

/// Print a source's events to stdout until it ends, `--count` is reached,
/// Ctrl-C, or stdout closes. State changes go to stderr.
pub async fn print_stream(mut spec: SourceSpec, print: &PrintArgs) -> Result<()> {
    let format = print.format.unwrap_or(if std::io::stdout().is_terminal() {
        StreamFormat::Text
    } else {
        StreamFormat::Jsonl
    });
    if let SourceSpec::Remote(config) = &mut spec {
        // JSON lines out: our own events are written as the server sent them.
        config.raw_json = format == StreamFormat::Jsonl;
    }
    // Heartbeats are shown only when asked for by `--kind heartbeat`.
    let wanted_kind = |kind: &str| {
        if print.kinds.is_empty() {
            kind != "heartbeat"
        } else {
            print.kinds.iter().any(|k| k == kind)
        }
    };
    let wanted = |event: &Event| wanted_kind(event.kind());
    let (tx, mut rx) = mpsc::channel(64);
    let source = spawn_source(spec, tx);
    let mut out = CountedLines::new(
        std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()),
        print.count,
    );
    let mut line = Vec::with_capacity(4096);
    let mut was_lost = false;
    let mut source_ended = false;
    // Bad lines or events the source skipped, said once at the end.
    let mut skipped = 0u64;
    let mut stop_reason: Option<String> = None;
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    let stdout_gone = stdout_closed();
    tokio::pin!(stdout_gone);
    let outcome: std::io::Result<()> = async {
        loop {
            let update = tokio::select! {
                u = rx.recv() => match u {
                    Some(u) => u,
                    None => {
                        source_ended = true;
                        break;
                    }
                },
                _ = &mut interrupted => break,
                // `tail | head -1`: the reader left while no event came
                _ = &mut stdout_gone => return Err(std::io::ErrorKind::BrokenPipe.into()),
            };
            match update {
                SourceUpdate::Events(events) => {
                    for event in &events {
                        // Never a silent hole: a gap not shown as a text line
                        // on stdout is said on stderr too.
                        if let Some(gap) = event.time_gap_line()
                            && !(format == StreamFormat::Text && wanted(event))
                        {
                            eprintln!("tracetop: {gap}");
                        }
                    }
                    for event in events.iter().filter(|e| wanted(e)) {
                        line.clear();
                        match format {
                            StreamFormat::Jsonl => {
                                crate::output::json::to_writer_compact(&mut line, event)
                                    .map_err(std::io::Error::other)?
                            }
                            StreamFormat::Text => {
                                line.extend_from_slice(format_text(event).as_bytes())
                            }
                        }
                        if out.line(&line)? {
                            return Ok(());
                        }
                    }
                }
                SourceUpdate::Raw(raws) => {
                    for raw in raws.iter().filter(|r| wanted_kind(r.kind)) {
                        if out.line(raw.json())? {
                            return Ok(());
                        }
                    }
                }
                SourceUpdate::State(SourceState::Reconnecting {
                    retry_in_ms,
                    reason,
                }) => {
                    was_lost = true;
                    eprintln!(
                        "tracetop: source lost ({}); reconnecting in {:.1} s",
                        crate::sanitize::clean(&reason),
                        retry_in_ms as f64 / 1000.0
                    );
                }
                SourceUpdate::State(SourceState::Connected) if was_lost => {
                    was_lost = false;
                    eprintln!("tracetop: source connected again");
                }
                SourceUpdate::State(SourceState::Stopped { reason }) => stop_reason = Some(reason),
                SourceUpdate::Counters(counters) => skipped = counters.skipped,
                SourceUpdate::State(_) => {}
            }
            // Write out once caught up with the source: one write per burst
            // of a busy stream, and at once for a quiet one.
            if rx.is_empty() {
                out.flush()?;
            }
        }
        out.flush()
    }
    .await;
    drop(rx);
    match outcome {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        Err(e) => return Err(Error::io(format!("cannot write to stdout: {e}")).caused_by(e)),
    }
    if out.done() {
        source.abort();
        return Ok(());
    }
    // The source ended by itself (end of replay, refused token, failure):
    // report its error, if any.
    if source_ended {
        let result = source.await.unwrap_or_else(|e| {
            Err(Error::other(format!("the source task failed: {e}")).caused_by(e))
        });
        if result.is_ok() && skipped > 0 {
            let said = stop_reason.unwrap_or_else(|| format!("{skipped} malformed events skipped"));
            eprintln!("tracetop: {}", crate::sanitize::clean(&said));
        }
        return result;
    }
    source.abort();
    Ok(())
}
