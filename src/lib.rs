//! tracetop: a keyboard-driven terminal console for live AI operations.
//!
//! The library holds every layer; `main.rs` only parses the command line and
//! dispatches. Data flows one way: sources (Postgres, SSE, the simulator) feed
//! events and answer queries through the [`query::QueryEngine`] trait, the TUI
//! and the CLI only ever talk to that trait.

pub mod anomaly;
pub mod budget;
pub mod cli;
pub mod error;
pub mod live;
pub mod model;
pub mod output;
pub mod pg;
pub mod prices;
pub mod query;
pub mod sanitize;
pub mod sim;
pub mod source;
pub mod sse;
pub mod tui;
