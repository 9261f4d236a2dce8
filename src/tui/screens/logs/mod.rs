//! The logs screen: search the logs, filter by level and module, drill
//! into a line's trace.

pub mod state;
pub mod view;

pub use state::*;
