//! The trace screen: one trace as a waterfall of its task, steps, AI
//! requests and MCP calls, with the selected item's detail.

pub mod detail;
pub mod state;
pub mod view;

pub use state::*;
