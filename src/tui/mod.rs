//! The console (ratatui): app state and its update function, the event
//! loop that owns the terminal, key bindings, themes, the config file, one
//! file per view, and the query executor that turns effects into replies.

mod analytics_rows;
pub mod app;
pub mod config;
pub mod event_loop;
pub mod feed;
pub mod keymap;
pub mod queries;
pub mod reviews;
pub mod theme;
pub mod views;

pub use app::{App, Effect, Msg, Query, Reply};
pub use event_loop::{Console, LiveFeed, run};
pub use reviews::MemoryReviewStore;
