//! The event loop: owns the terminal, the timers, keyboard/mouse input, the
//! live source channel and the query tasks. It feeds every input to
//! [`App::update`] as a message, runs the effects the app queues (queries in
//! spawned tasks whose answers come back as messages, never blocking the
//! loop), and redraws only when something changed: at most ten times a
//! second for input, two and a half times a second for new data alone.
//!
//! The terminal is restored on quit, on error, on panic (hook) and on
//! SIGTERM / SIGHUP (a dropped SSH session).

use super::app::{App, Effect, Msg};
use super::queries;
use crate::error::{Error, Result};
use crate::model::*;
use crate::query::{QueryEngine, ReviewStore};
use base64::Engine as _;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture, EventStream};
use futures::StreamExt;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// The in-memory live engine as the console sees it: it ingests the
/// events the console receives and answers the ribbon's rolling rates.
pub trait LiveFeed: Send + Sync {
    /// Take in a batch of events (in order).
    fn ingest(&self, events: &[Event]);
    /// Rolling rates at `now`.
    fn rates(&self, now: Timestamp) -> LiveRates;
}

/// The in-memory engine is the console's live feed: it keeps the events
/// the console receives and computes the ribbon's rates from them.
impl LiveFeed for crate::live::LiveEngine {
    fn ingest(&self, events: &[Event]) {
        self.ingest_all(events);
    }
    fn rates(&self, now: Timestamp) -> LiveRates {
        crate::live::LiveEngine::rates(self, now)
    }
}

/// Everything the console is connected to.
pub struct Console {
    /// Fed with every event; answers the ribbon rates.
    pub live: Arc<dyn LiveFeed>,
    /// Answers every pane's queries (PgEngine, RemoteEngine, or LiveEngine).
    pub history: Arc<dyn QueryEngine>,
    /// Where audit verdicts go.
    pub reviews: Arc<dyn ReviewStore>,
    /// The live source.
    pub updates: mpsc::Receiver<SourceUpdate>,
    /// Where past windows are read for time travel (None: no past).
    pub windows: Option<Arc<dyn crate::source::window::WindowSource>>,
    /// While a replay runs, the panes are answered by the replay's engine
    /// (the history engine has no past of its own: a recording, a
    /// systemprompt stream).
    pub replay_answers: bool,
    /// The anomaly rules run over replayed windows (None: not run).
    pub replay_anomalies: Option<crate::anomaly::Thresholds>,
    /// Open on a replay of this window (`--at`, `--replay FILE`).
    pub start_at: Option<crate::query::TimeWindow>,
}

/// Shortest time between two frames.
pub const FRAME_INTERVAL: Duration = Duration::from_millis(100);
/// Shortest time between two frames caused only by new data (the feed
/// scrolling): keeps the bytes written to an SSH session low at high rates.
pub const DATA_FRAME_INTERVAL: Duration = Duration::from_millis(400);
/// How often an idle console wakes (the clock, periodic refreshes, the
/// ribbon's rates): nothing to draw means no faster wake-ups.
const IDLE_TICK: Duration = Duration::from_secs(1);
/// How often the ribbon's rates are recomputed.
const RATES_INTERVAL: Duration = Duration::from_secs(1);
/// How often a running replay's clock moves.
const REPLAY_TICK: Duration = Duration::from_millis(200);

/// Puts the terminal back however the loop ends.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn restore_terminal() {
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
}

fn io_error(what: &str, e: std::io::Error) -> Error {
    Error::io(format!("{what}: {e}")).caused_by(e)
}

/// The OSC 52 sequence that puts `text` on the clipboard of the terminal
/// (works over SSH; tmux needs `set -g set-clipboard on`).
pub fn osc52(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\u{1b}]52;c;{encoded}\u{7}")
}

/// When the loop wakes without input: when the pending frame may be drawn
/// if something waits to be drawn, else the next idle tick.
fn next_wake(app: &App, last_draw: Option<Instant>, last_tick: Instant) -> Instant {
    let replaying = app.replay.as_ref().is_some_and(|r| !r.paused);
    let idle = last_tick + if replaying { REPLAY_TICK } else { IDLE_TICK };
    if !app.dirty {
        return idle;
    }
    let interval = if app.urgent {
        FRAME_INTERVAL
    } else {
        DATA_FRAME_INTERVAL
    };
    last_draw
        .map_or_else(Instant::now, |t| t + interval)
        .min(idle)
}

/// Show `text` in the user's pager (`$PAGER`, else `less`), waiting until it
/// exits. The error is one line for the footer.
async fn show_in_pager(title: String, text: String) -> std::result::Result<(), String> {
    let pager = std::env::var("PAGER")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "less".to_string());
    tokio::task::spawn_blocking(move || {
        let mut words = pager.split_whitespace();
        let program = words.next().unwrap_or("less").to_string();
        let mut child = std::process::Command::new(&program)
            .args(words)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| {
                format!("cannot start the pager {program:?} ({e}): set PAGER to a pager that is installed")
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            // a pager quit early closes the pipe: not an error
            let _ = writeln!(stdin, "{title}\n");
            let _ = stdin.write_all(text.as_bytes());
        }
        child
            .wait()
            .map(|_| ())
            .map_err(|e| format!("the pager {program:?} failed: {e}"))
    })
    .await
    .map_err(|e| format!("the pager could not run: {e}"))?
}

/// Run the console until the user quits or a signal arrives.
pub async fn run(mut console: Console, mut app: App) -> Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut sigterm =
        signal(SignalKind::terminate()).map_err(|e| io_error("cannot watch SIGTERM", e))?;
    let mut sighup =
        signal(SignalKind::hangup()).map_err(|e| io_error("cannot watch SIGHUP", e))?;

    let mut terminal = ratatui::try_init().map_err(|e| io_error("cannot open the terminal", e))?;
    let _guard = TerminalGuard;
    // ratatui's hook restores raw mode and the screen; also release the mouse
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        previous(info);
    }));
    crossterm::execute!(std::io::stdout(), EnableMouseCapture)
        .map_err(|e| io_error("cannot enable the mouse", e))?;

    let size = terminal
        .size()
        .map_err(|e| io_error("cannot read the terminal size", e))?;
    app.update(Msg::Resize(size.width, size.height));
    app.update(Msg::Tick(chrono::Utc::now()));
    app.review_store_note = console.reviews.durability_note();
    app.can_time_travel = console.windows.is_some();
    app.start();
    let mut replay = super::replay_driver::ReplayDriver::new(
        console.windows.clone(),
        crate::live::LiveLimits::default(),
        console.replay_anomalies.clone(),
    )
    .rates_only(!console.replay_answers);
    if let Some(window) = console.start_at {
        app.start_replay(window);
    }

    let (reply_tx, mut reply_rx) = mpsc::channel(256);
    let mut input = EventStream::new();
    let mut last_tick = Instant::now();
    let mut last_draw: Option<Instant> = None;
    let mut last_rates: Option<Instant> = None;
    let mut source_open = true;

    loop {
        for effect in app.drain_effects() {
            match effect {
                Effect::Query(query) => {
                    let history: Arc<dyn QueryEngine> = match replay.engine() {
                        Some(engine) if console.replay_answers => engine,
                        _ => console.history.clone(),
                    };
                    let reviews = console.reviews.clone();
                    let prices = app.prices.clone();
                    let tx = reply_tx.clone();
                    tokio::spawn(async move {
                        let reply = queries::execute(query, history, reviews, prices).await;
                        let _ = tx.send(Msg::Reply(reply)).await;
                    });
                }
                Effect::RecordReview(review) => {
                    let reviews = console.reviews.clone();
                    let tx = reply_tx.clone();
                    tokio::spawn(async move {
                        let reply = queries::record_review(review, reviews).await;
                        let _ = tx.send(Msg::Reply(reply)).await;
                    });
                }
                Effect::Copy(text) => {
                    let backend = terminal.backend_mut();
                    let _ = backend.write_all(osc52(&text).as_bytes());
                    let _ = backend.flush();
                }
                Effect::Pager { title, text } => {
                    // hand the terminal to the pager: stop reading keys,
                    // leave the alternate screen, and take both back after
                    drop(input);
                    restore_terminal();
                    let outcome = show_in_pager(title, text).await;
                    terminal = ratatui::try_init()
                        .map_err(|e| io_error("cannot reopen the terminal", e))?;
                    crossterm::execute!(std::io::stdout(), EnableMouseCapture)
                        .map_err(|e| io_error("cannot enable the mouse", e))?;
                    let _ = terminal.clear();
                    input = EventStream::new();
                    if let Err(message) = outcome {
                        app.update(Msg::Notice(message));
                    }
                    app.dirty = true;
                    app.urgent = true;
                }
                Effect::Replay(effect) => {
                    let msgs = match effect {
                        super::msg::ReplayEffect::Start { generation, window } => {
                            replay.start(generation, window)
                        }
                        super::msg::ReplayEffect::ReleaseTo {
                            generation,
                            position,
                        } => replay.release_to(generation, position),
                        super::msg::ReplayEffect::Stop => {
                            replay.stop();
                            Vec::new()
                        }
                    };
                    for msg in msgs {
                        app.update(msg);
                    }
                    if replay.is_active() {
                        // the ribbon follows the replay clock
                        app.update(Msg::Rates(replay.rates().unwrap_or_default()));
                    }
                }
                Effect::LoadTheme { name, no_color } => {
                    // a theme file is small: read it here, between frames
                    let loaded = super::theme::Theme::load(&name, no_color)
                        .map(Box::new)
                        .map_err(|e| e.to_string());
                    app.update(Msg::ThemeLoaded(name, loaded));
                }
            }
        }
        if app.should_quit {
            break;
        }
        let interval = if app.urgent {
            FRAME_INTERVAL
        } else {
            DATA_FRAME_INTERVAL
        };
        if app.dirty && last_draw.is_none_or(|t| t.elapsed() >= interval) {
            terminal
                .draw(|frame| super::views::draw(&app, frame))
                .map_err(|e| io_error("cannot draw", e))?;
            app.drawn();
            last_draw = Some(Instant::now());
        }

        tokio::select! {
            maybe = input.next() => match maybe {
                Some(Ok(crossterm::event::Event::Key(key))) => app.update(Msg::Key(key)),
                Some(Ok(crossterm::event::Event::Mouse(mouse))) => app.update(Msg::Mouse(mouse)),
                Some(Ok(crossterm::event::Event::Resize(w, h))) => {
                    let _ = terminal.autoresize();
                    app.update(Msg::Resize(w, h));
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(io_error("cannot read the terminal", e)),
                None => break,
            },
            update = console.updates.recv(), if source_open => match update {
                Some(update) => {
                    let update = update.decoded();
                    if let SourceUpdate::Events(events) = &update {
                        console.live.ingest(events);
                    }
                    app.update(Msg::Source(update));
                }
                None => {
                    source_open = false;
                    // keep the last data on screen and say the source is gone
                    if !matches!(app.source_state, SourceState::Stopped { .. }) {
                        app.update(Msg::Source(SourceUpdate::State(SourceState::Stopped {
                            reason: "the source ended".into(),
                        })));
                    }
                }
            },
            Some(msg) = reply_rx.recv() => app.update(msg),
            read = replay.next_read(), if replay.wants_read() => {
                for msg in replay.on_read(read) {
                    app.update(msg);
                }
            },
            _ = tokio::time::sleep_until(next_wake(&app, last_draw, last_tick).into()) => {
                last_tick = Instant::now();
                let now = chrono::Utc::now();
                app.update(Msg::Tick(now));
                if last_rates.is_none_or(|t| t.elapsed() >= RATES_INTERVAL) {
                    last_rates = Some(Instant::now());
                    let rates = match replay.engine() {
                        Some(_) => replay.rates().unwrap_or_default(),
                        None => console.live.rates(now),
                    };
                    app.update(Msg::Rates(rates));
                }
            },
            _ = sigterm.recv() => break,
            _ = sighup.recv() => break,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_encodes_the_text() {
        assert_eq!(osc52("abc"), "\u{1b}]52;c;YWJj\u{7}");
    }
}
