//! The costs screen: spend in the window, by model, provider and agent,
//! its trend, and the burn rate and budgets panel.

pub mod budgets;
pub mod state;
pub mod view;

pub use state::*;
