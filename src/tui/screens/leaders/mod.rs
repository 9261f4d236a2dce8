//! The leaderboards screen: top users, agents and tools, and the tools
//! table.

pub mod state;
pub mod view;

pub use state::*;
