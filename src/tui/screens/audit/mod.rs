//! The audit screen: resolve an id by prefix, walk the review queue and
//! mark what the Record pane shows.

pub mod state;
pub mod view;

pub use state::*;
