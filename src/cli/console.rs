//! `tracetop` with no subcommand: open the console on a Postgres database
//! (`--database-url` / `DATABASE_URL`) or a remote `tracetop serve` stream
//! (`--remote URL --token-file F`). Also holds what `demo` shares with it:
//! the look flags (`--theme`, `--config`) and building the [`App`] from them
//! and the config file.

use crate::error::{Error, Result};
use crate::model::*;
use crate::tui::app::App;
use crate::tui::config::ConsoleConfig;
use crate::tui::event_loop::{Console, LiveFeed};
use crate::tui::keymap::Keymap;
use crate::tui::theme::{Theme, no_color_from_env};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

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
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Stream URL of a `tracetop serve` (takes precedence over a database).
    #[arg(long, value_name = "URL")]
    pub remote: Option<String>,
    /// File holding the bearer token for `--remote`.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    #[command(flatten)]
    pub look: LookArgs,
}

/// Load the config file and build the app: theme (flag, then config, then
/// dark; `NO_COLOR` honoured), keymap, thresholds, reviewer name.
pub fn build_app(look: &LookArgs, source_label: &str) -> Result<(App, ConsoleConfig)> {
    let config = ConsoleConfig::load(look.config.as_deref())?;
    let theme_name = look
        .theme
        .clone()
        .or_else(|| config.theme.clone())
        .unwrap_or_else(|| "dark".to_string());
    let theme = Theme::load(&theme_name, no_color_from_env())?;
    let keymap = Keymap::with_overrides(&config.keymap)?;
    let mut app = App::new(theme, keymap, config.thresholds.clone(), chrono::Utc::now());
    app.source_label = crate::sanitize::clean(source_label);
    app.reviewer = std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "tracetop".to_string());
    Ok((app, config))
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

/// A live feed that only counts: used where no in-memory engine runs.
/// Rates stay at their defaults.
#[derive(Debug, Default)]
pub struct RatesUnavailable;

impl LiveFeed for RatesUnavailable {
    fn ingest(&self, _events: &[Event]) {}
    fn rates(&self, now: Timestamp) -> LiveRates {
        LiveRates {
            at: Some(now),
            ..LiveRates::default()
        }
    }
}

/// The in-memory engine that computes the ribbon's rates from the events
/// the console receives. Integration point for `crate::live::LiveEngine`.
pub fn live_feed() -> Arc<dyn LiveFeed> {
    Arc::new(RatesUnavailable)
}

/// Start the live source for a database. Integration point for the
/// Postgres watermark tail (`crate::sse::source::spawn_source`).
fn database_source(_url: &str) -> Result<tokio::sync::mpsc::Receiver<SourceUpdate>> {
    let (tx, rx) = tokio::sync::mpsc::channel(1024);
    let _ = tx.try_send(SourceUpdate::State(SourceState::Stopped {
        reason: "the live tail is not part of this build; panes show query results".into(),
    }));
    Ok(rx)
}

/// Run the console.
pub async fn run(args: ConsoleArgs) -> Result<()> {
    let config = ConsoleConfig::load(args.look.config.as_deref())?;
    let remote = args.remote.clone().or(config.source.remote.clone());
    let database_url = args
        .database_url
        .clone()
        .or(config.source.database_url.clone());
    if remote.is_some() {
        return Err(Error::input(
            "--remote is not part of this build yet: use --database-url URL, or try `tracetop demo`",
        ));
    }
    let Some(url) = database_url else {
        return Err(Error::input(
            "no source: pass --database-url URL (or set DATABASE_URL), --remote URL \
             --token-file FILE, or set [source] in the config file; `tracetop demo` needs none",
        ));
    };
    require_terminal()?;
    let history = Arc::new(crate::pg::PgEngine::connect(&url).await?);
    let reviews = Arc::new(crate::pg::PgReviewStore::connect(&url).await?);
    let (app, _) = build_app(&args.look, &crate::error::redact_url(&url))?;
    let console = Console {
        live: live_feed(),
        history,
        reviews,
        updates: database_source(&url)?,
    };
    crate::tui::event_loop::run(console, app).await
}
