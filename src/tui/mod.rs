//! The console (ratatui).
//!
//! * `app.rs`: the state and its update function; routing, overlays and
//!   navigation between screens. `msg.rs`: the typed messages, effects,
//!   queries and replies between the parts.
//! * `screens/`: one folder per screen (live, trace, costs, leaders, audit,
//!   logs), each with its state and behaviour (`state.rs`) and its drawing
//!   (`view.rs`).
//! * `views/`: the frame around the screens (tab bar, footer, overlays) and
//!   the drawing helpers they share; `layout.rs`: where everything sits.
//! * `event_loop.rs`: owns the terminal, timers, input and channels, and
//!   runs effects (`queries.rs` turns queries into replies).
//! * `keymap.rs`, `palette.rs`, `selection.rs`, `feed.rs`, `theme.rs`,
//!   `config.rs`, `reviews.rs`: keys to actions, the command language,
//!   cursors held by identity, the feed buffer, looks, the config file and
//!   the in-memory verdict stores; `spend.rs`: the burn rate and budget
//!   states the ribbon and the costs view show.

mod analytics_rows;
pub mod app;
pub mod config;
pub mod event_loop;
pub mod feed;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod msg;
pub mod palette;
pub mod queries;
pub mod replay;
pub mod replay_checkpoints;
pub mod replay_driver;
pub mod reviews;
pub mod screens;
pub mod selection;
pub mod spend;
pub mod theme;
pub mod users;
pub mod views;

pub use app::{App, Effect, Msg, Query, Reply};
pub use event_loop::{Console, LiveFeed, run};
pub use reviews::MemoryReviewStore;
