//! `tracetop` with no subcommand: open the console on a Postgres database
//! (`--database-url` / `DATABASE_URL`) or a remote `tracetop serve` stream
//! (`--remote URL --token-file F`). Also holds what `demo` shares with it:
//! the look flags (`--theme`, `--config`), building the [`App`] from them
//! and the config file, opening a database as a source ([`open_database`])
//! and running the console on an opened source ([`run_opened`]).
//!
//! Cold start: on a database the console opens on the recent past. The
//! tail starts `--backfill` (config `backfill =`, default 15 minutes, `0`
//! for none) in the past, capped per table; the first poll is read before
//! the first frame when it takes less than [`FIRST_FRAME_BUDGET`] (so the
//! feed and the ribbon's rates are right on it), and streams in behind
//! the first frame when the database is slower. On a `tracetop serve`
//! stream the same span is asked of the server's replay ring (its cursors
//! are event times, so a `Last-Event-ID` just before the span replays it);
//! a ring that no longer reaches back says so with a gap line.
//!
//! Time travel: `--at TIME [--window 1h] [--speed N]` opens the console on
//! a replay of that past window (database or `--remote`), `--replay FILE`
//! on a replay of a recording; `:goto` / `:window` do the same from the
//! console (see [`crate::source::window`]).

use crate::error::redact_url;
use crate::error::{Error, Result};
use crate::live::{LiveEngine, LiveLimits};
use crate::model::SourceUpdate;
use crate::query::{QueryEngine, ReviewStore};
use crate::source::postgres::{PgTail, TailConfig, parse_backfill};
use crate::source::sse_client::{ClientConfig, load_token};
use crate::source::{SourceSpec, spawn_source};
use crate::sse::hub::backfill_cursor;
use crate::sse::remote::{RemoteEngine, is_analytics_stream, stream_url};
use crate::tui::app::App;
use crate::tui::config::ConsoleConfig;
use crate::tui::event_loop::{Console, LiveFeed};
use crate::tui::keymap::Keymap;
use crate::tui::msg::Msg;
use crate::tui::reviews::{MemoryReviewStore, UnavailableReviews};
use crate::tui::theme::{Theme, no_color_from_env};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// How far back the console's feed starts on a database by default.
pub const DEFAULT_BACKFILL: &str = "15m";

/// Longest the first frame waits for the backfill's first poll; a slower
/// backfill streams in behind it.
pub const FIRST_FRAME_BUDGET: Duration = Duration::from_millis(700);

/// How the console looks: shared by the console and `demo`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LookArgs {
    /// Theme: dark, light, high-contrast, or a path to a .toml theme file.
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,
    /// Config file (default: $XDG_CONFIG_HOME/tracetop/config.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Arguments of the console (`tracetop` without a subcommand).
#[derive(Debug, clap::Args)]
pub struct ConsoleArgs {
    /// Postgres URL of the audited database (read-only access is enough for
    /// everything but audit verdicts).
    #[arg(
        long,
        env = "DATABASE_URL",
        hide_env_values = true,
        value_name = "URL",
        global = true
    )]
    pub database_url: Option<String>,
    /// Stream URL of a `tracetop serve` (takes precedence over a database).
    #[arg(long, value_name = "URL", global = true)]
    pub remote: Option<String>,
    /// File holding the bearer token for `--remote` (else TRACETOP_TOKEN;
    /// never on the command line).
    #[arg(long, value_name = "FILE", global = true)]
    pub token_file: Option<PathBuf>,
    /// Price table for re-pricing (tracetop TOML or LiteLLM JSON)
    /// [default: config `prices`, else the shipped table]
    #[arg(long, value_name = "FILE", global = true)]
    pub prices: Option<PathBuf>,
    /// Replay a file written by `tracetop record` into the console.
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,
    /// Replay speed: 1 = real time, 10 = ten times faster, 0 = as fast as possible.
    #[arg(long, default_value_t = 1.0, value_name = "N")]
    pub speed: f64,
    /// Open on a replay of the past from TIME (a date, a time such as
    /// 2026-11-24T03:00, or a duration back from now such as 2h); with a
    /// database or --remote.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Length of the `--at` window (e.g. 1h, 15m, 2d).
    #[arg(long, default_value = "1h", value_name = "SPAN")]
    pub window: String,
    /// Open on the recent past: the feed starts this far back (e.g. 15m, 1h;
    /// 0 for none) on a database, or as far as a `tracetop serve` stream's
    /// replay ring reaches [default: config `backfill`, else 15m]
    #[arg(long, value_name = "DURATION")]
    pub backfill: Option<String>,
    #[command(flatten)]
    pub look: LookArgs,
}

/// The backfill span: the flag, else the config's `backfill`, else
/// [`DEFAULT_BACKFILL`]; `None` when it is `0`.
pub fn backfill_span(flag: Option<&str>, config: &ConsoleConfig) -> Result<Option<Duration>> {
    let text = flag
        .or(config.backfill.as_deref())
        .unwrap_or(DEFAULT_BACKFILL);
    parse_backfill(text)
}

/// Load the config file and build the app: theme (flag, then config, then
/// dark; `NO_COLOR` honoured), keymap, thresholds, reviewer name.
pub fn build_app(look: &LookArgs, source_label: &str) -> Result<(App, ConsoleConfig)> {
    let config = ConsoleConfig::load(look.config.as_deref())?;
    let app = app_from_config(look, &config, source_label)?;
    Ok((app, config))
}

/// [`build_app`] on a config file already read.
pub fn app_from_config(look: &LookArgs, config: &ConsoleConfig, source_label: &str) -> Result<App> {
    let theme_name = look
        .theme
        .clone()
        .or_else(|| config.theme.clone())
        .unwrap_or_else(|| "dark".to_string());
    // the environment is read once, here: the app never looks at it
    let no_color = no_color_from_env();
    let theme = Theme::load(&theme_name, no_color)?;
    let keymap = Keymap::with_overrides(&config.keymap)?;
    let mut app = App::new(theme, keymap, config.thresholds.clone(), chrono::Utc::now());
    app.no_color = no_color;
    app.source_label = crate::sanitize::clean(source_label);
    app.reviewer = reviewer_name(config.reviewer.as_deref())?;
    app.spend = crate::tui::spend::SpendState::new(config.budgets.clone().into(), config.zone()?);
    Ok(app)
}

/// The rate card of the costs view's drift line: `--prices`, else the
/// config's `prices`; `None`: the shipped table (the app's default).
pub fn configured_prices(
    flag: Option<&std::path::Path>,
    config: &ConsoleConfig,
) -> Result<Option<Arc<crate::prices::RateCard>>> {
    let Some(path) = flag.or(config.prices.as_deref()) else {
        return Ok(None);
    };
    let table = crate::prices::PriceTable::load(path)?;
    Ok(Some(Arc::new(crate::prices::RateCard::new(&table, &[])?)))
}

/// Who verdicts are recorded as: `reviewer =` in the config, else the
/// login name (`$USER`, `$LOGNAME`, else the name of this process's uid in
/// /etc/passwd, else `uid N`): always the real person or account, never a
/// made-up name.
pub fn reviewer_name(configured: Option<&str>) -> Result<String> {
    if let Some(name) = configured {
        let name = name.trim();
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(Error::input(
                "config: reviewer must be a non-empty name without control characters",
            ));
        }
        return Ok(name.to_string());
    }
    let from_env = ["USER", "LOGNAME"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .map(|name| crate::sanitize::clean(name.trim()))
        .find(|name| !name.is_empty());
    Ok(from_env.unwrap_or_else(account_of_this_process))
}

/// The account name of this process's real uid, from /proc and /etc/passwd.
fn account_of_this_process() -> String {
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().next().map(str::to_string))
        });
    let Some(uid) = uid else {
        return "unknown".to_string();
    };
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| {
            passwd.lines().find_map(|line| {
                let mut fields = line.split(':');
                let name = fields.next()?;
                (fields.nth(1)? == uid).then(|| crate::sanitize::clean(name))
            })
        })
        .filter(|name| !name.is_empty())
        .unwrap_or(format!("uid {uid}"))
}

/// Refuse to start the console without a terminal on stdin and stdout.
pub fn require_terminal() -> Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Error::input(
            "the console needs a terminal: run it interactively, or use the CLI reports \
             (`tracetop analytics …`, `tracetop tail`) when piping",
        ));
    }
    Ok(())
}

/// Live-store bounds when the store only feeds the ribbon (the panes ask
/// the database or the remote server): a few hours of busy traffic.
pub const RIBBON_LIMITS: LiveLimits = LiveLimits {
    max_events: 200_000,
    max_bytes: 256 << 20,
};

/// What a console source opens: its label, the ribbon's feed, the panes'
/// engine, the verdict store and the live source to start.
pub struct OpenedSource {
    pub label: String,
    pub live: Arc<dyn LiveFeed>,
    pub history: Arc<dyn QueryEngine>,
    pub reviews: Arc<dyn ReviewStore>,
    /// The live source (None: a recording, replayed as a window).
    pub spec: Option<SourceSpec>,
    /// Where past windows are read (None: no time travel).
    pub windows: Option<Arc<dyn crate::source::window::WindowSource>>,
    /// While replaying, the panes ask the replay's engine.
    pub replay_answers: bool,
    /// Open on a replay of this window.
    pub start_at: Option<crate::query::TimeWindow>,
}

/// Open a Postgres database as a console source: PgEngine (read-only) for
/// the panes, PgReviewStore for verdicts (or a store that says why marking
/// is unavailable when the verdict table is missing), the watermark tail as
/// the live source and a ribbon-sized LiveEngine as its feed. Labelled with
/// the URL, password redacted. Shared by the console and `demo --postgres`.
pub async fn open_database(url: &str, backfill: Option<Duration>) -> Result<OpenedSource> {
    let engine = crate::pg::PgEngine::connect(url).await?;
    let windows = Arc::new(crate::source::window::pg::PgWindow::new(engine.clone()));
    let history = Arc::new(engine);
    let reviews: Arc<dyn ReviewStore> = match crate::pg::PgReviewStore::connect(url).await {
        Ok(store) => Arc::new(store),
        // the panes work without the verdict table; marking says why not
        Err(e @ Error::Schema(_)) => Arc::new(UnavailableReviews::new(e.to_string())),
        Err(e) => return Err(e),
    };
    Ok(OpenedSource {
        label: redact_url(url),
        live: Arc::new(LiveEngine::new(RIBBON_LIMITS)),
        history,
        reviews,
        spec: Some(SourceSpec::Postgres {
            url: url.to_string(),
            tail: TailConfig {
                backfill,
                ..TailConfig::default()
            },
        }),
        windows: Some(windows),
        replay_answers: false,
        start_at: None,
    })
}

/// Start the source. A Postgres tail with a backfill reads its first poll
/// here, up to [`FIRST_FRAME_BUDGET`]: when it is back in time, its events
/// go into `app` and `live` before the first frame; otherwise they follow
/// through `tx` as soon as they are read. The rest of the tail runs on its
/// own task either way.
async fn start_source(
    spec: SourceSpec,
    tx: mpsc::Sender<SourceUpdate>,
    app: &mut App,
    live: &dyn LiveFeed,
) -> tokio::task::JoinHandle<Result<()>> {
    let SourceSpec::Postgres { url, tail } = spec else {
        return spawn_source(spec, tx);
    };
    if tail.backfill.is_none() {
        return spawn_source(SourceSpec::Postgres { url, tail }, tx);
    }
    let connected = match PgTail::connect(&url, tail.clone()).await {
        Ok(t) => t,
        // the source reports why (and retries) on its own task
        Err(_) => return spawn_source(SourceSpec::Postgres { url, tail }, tx),
    };
    let mut first = tokio::spawn(async move {
        let mut pg_tail = connected;
        let events = pg_tail.poll_once().await;
        (pg_tail, events)
    });
    match tokio::time::timeout(FIRST_FRAME_BUDGET, &mut first).await {
        Ok(Ok((pg_tail, Ok(events)))) => {
            // the database answered: say so on the first frame too
            app.update(Msg::Source(SourceUpdate::State(
                crate::model::SourceState::Connected,
            )));
            if !events.is_empty() {
                live.ingest(&events);
                app.update(Msg::Source(SourceUpdate::Events(events)));
            }
            app.update(Msg::Rates(live.rates(chrono::Utc::now())));
            tokio::spawn(pg_tail.run(tx))
        }
        // the first poll failed: the tail starts over and reports why
        Ok(_) => spawn_source(SourceSpec::Postgres { url, tail }, tx),
        Err(_) => tokio::spawn(async move {
            let (pg_tail, events) = first
                .await
                .map_err(|e| Error::other(format!("the backfill stopped: {e}")).caused_by(e))?;
            let events = events?;
            if !events.is_empty() && tx.send(SourceUpdate::Events(events)).await.is_err() {
                return Ok(());
            }
            pg_tail.run(tx).await
        }),
    }
}

/// Start the opened source and run the console on it until the user quits
/// (or SIGTERM / SIGHUP). With `anomaly` thresholds, the anomaly rules and
/// the app's budgets run on the source's events here; without, the source
/// already carries them (a remote server). With `window_anomaly`
/// thresholds the rules run over every past window the console replays:
/// a window carries only rows, whatever its source (a remote server's
/// window API included). The source task is stopped before returning.
pub async fn run_opened(
    opened: OpenedSource,
    mut app: App,
    anomaly: Option<crate::anomaly::Thresholds>,
    window_anomaly: Option<crate::anomaly::Thresholds>,
) -> Result<()> {
    let (tx, rx) = mpsc::channel(1024);
    let source = match opened.spec {
        // opening on the past: the live backfill need not be on the first frame
        Some(spec) if opened.start_at.is_some() => spawn_source(spec, tx),
        Some(spec) => start_source(spec, tx, &mut app, opened.live.as_ref()).await,
        None => {
            // a recording: no live source, the replay is all there is
            app.replay_only = true;
            app.update(Msg::Source(SourceUpdate::State(
                crate::model::SourceState::Connected,
            )));
            tokio::spawn(async move {
                let _open = tx;
                std::future::pending::<()>().await;
                Ok(())
            })
        }
    };
    let console = Console {
        live: opened.live,
        history: opened.history.clone(),
        reviews: opened.reviews,
        updates: match anomaly.clone() {
            Some(thresholds) => crate::budget::watch_budgets(
                crate::anomaly::detect_anomalies(rx, thresholds),
                app.spend.budgets(),
                opened.history.clone(),
                crate::budget::monitor::DEFAULT_INTERVAL,
                // the costs view's panel says why; stderr would tear the screen
                |_| {},
            ),
            None => rx,
        },
        windows: opened.windows,
        replay_answers: opened.replay_answers,
        replay_anomalies: window_anomaly,
        start_at: opened.start_at,
    };
    let result = crate::tui::event_loop::run(console, app).await;
    source.abort();
    let _ = source.await;
    result
}

/// The window `--at TIME --window SPAN` names: `[TIME, TIME + SPAN)`.
pub fn at_window(
    at: &str,
    span: &str,
    now: crate::model::Timestamp,
) -> Result<crate::query::TimeWindow> {
    let start = crate::query::parse_instant(at, now).map_err(|e| match e {
        e @ Error::Input(_) => e.map_text(|m| format!("--at {m}")),
        other => other,
    })?;
    let span = crate::query::parse_span(span).map_err(|e| match e {
        e @ Error::Input(_) => e.map_text(|m| format!("--window {m}")),
        other => other,
    })?;
    if span <= chrono::Duration::zero() {
        return Err(Error::input("--window must be longer than zero, e.g. 1h"));
    }
    Ok(crate::query::TimeWindow {
        start,
        end: start + span,
    })
}

/// `--speed` is 0 (as fast as possible) or a positive factor.
fn check_speed(speed: f64) -> Result<()> {
    if speed >= 0.0 && speed.is_finite() {
        Ok(())
    } else {
        Err(Error::input(format!(
            "invalid --speed {speed}: use 0 (as fast as possible) or a positive factor (1 = real time)"
        )))
    }
}

/// Run the console.
pub async fn run(args: ConsoleArgs) -> Result<()> {
    let config = ConsoleConfig::load(args.look.config.as_deref())?;
    let prices = configured_prices(args.prices.as_deref(), &config)?;
    let remote = args.remote.clone().or(config.source.remote.clone());
    let token_file = args.token_file.clone().or(config.source.token_file.clone());
    let database_url = args
        .database_url
        .clone()
        .or(config.source.database_url.clone());
    // bad flags are said before anything is opened
    let at = args
        .at
        .as_deref()
        .map(|at| at_window(at, &args.window, chrono::Utc::now()))
        .transpose()?;
    check_speed(args.speed)?;
    // a remote server runs the anomaly rules itself; other sources get them here
    let detect_locally = remote.is_none() || args.replay.is_some();
    let opened = if let Some(path) = args.replay.clone() {
        if !path.is_file() {
            return Err(Error::input(format!(
                "replay file {} not found: give a file written by `tracetop record --out FILE`",
                path.display()
            )));
        }
        let (file, window) = crate::source::window::file::FileWindow::open(&path).await?;
        // the panes ask the replay's engine; this one is never fed
        let engine = Arc::new(LiveEngine::new(RIBBON_LIMITS));
        OpenedSource {
            label: format!("replay {}", path.display()),
            live: engine.clone(),
            history: engine,
            reviews: Arc::new(MemoryReviewStore::new()),
            spec: None,
            windows: Some(Arc::new(file)),
            replay_answers: true,
            start_at: Some(window),
        }
    } else if let Some(url) = remote {
        let token = load_token(token_file.as_deref())?;
        let stream = stream_url(&url)?;
        if is_analytics_stream(&stream) {
            // A systemprompt server has no query API: the views answer from
            // what its stream delivers, its REAL_TIME_STATS drive the ribbon.
            let engine = Arc::new(LiveEngine::default());
            OpenedSource {
                label: redact_url(&stream),
                live: engine.clone(),
                history: engine,
                reviews: Arc::new(MemoryReviewStore::new()),
                spec: Some(SourceSpec::Remote(ClientConfig::new(stream, token))),
                // a systemprompt stream has no window API
                windows: None,
                replay_answers: false,
                start_at: None,
            }
        } else {
            let engine = Arc::new(RemoteEngine::connect(&url, token.clone()).await?);
            let windows = crate::source::window::remote::RemoteWindow::new(&url, token.clone())?;
            // open on the recent past: the server's ring replays the span
            let mut client = ClientConfig::new(stream, token);
            client.last_event_id = backfill_span(args.backfill.as_deref(), &config)?
                .map(|span| backfill_cursor(span, chrono::Utc::now()));
            OpenedSource {
                label: redact_url(&client.url),
                live: Arc::new(LiveEngine::new(RIBBON_LIMITS)),
                history: engine.clone(),
                reviews: engine,
                spec: Some(SourceSpec::Remote(client)),
                windows: Some(Arc::new(windows)),
                replay_answers: false,
                start_at: None,
            }
        }
    } else if let Some(url) = database_url {
        open_database(&url, backfill_span(args.backfill.as_deref(), &config)?).await?
    } else {
        return Err(Error::input(
            "no source: pass --database-url URL (or set DATABASE_URL), --remote URL \
             --token-file FILE, --replay FILE, or set [source] in the config file; \
             `tracetop demo` needs none",
        ));
    };
    let mut opened = opened;
    if let Some(window) = at {
        if opened.windows.is_none() || args.replay.is_some() {
            return Err(Error::input(
                "--at needs a database (--database-url) or a tracetop serve (--remote): a \
                 recording replays its own span, a systemprompt stream has no past",
            ));
        }
        opened.start_at = Some(window);
    }
    require_terminal()?;
    let mut app = app_from_config(&args.look, &config, &opened.label)?;
    if let Some(card) = prices {
        app.prices = card;
    }
    app.replay_speed = args.speed;
    // a past window is rows only, from a remote server too: the rules run
    // over it here
    let window_anomaly = Some(config.anomaly.clone());
    run_opened(
        opened,
        app,
        detect_locally.then(|| config.anomaly.clone()),
        window_anomaly,
    )
    .await
}
