//! The costs screen: spend in the window, by model, provider and agent,
//! and its trend.

pub mod drift;
pub mod state;
pub mod view;

pub use state::*;
