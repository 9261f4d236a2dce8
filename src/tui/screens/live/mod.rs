//! The live screen: the stats ribbon over the event feed.

pub mod scrub;
pub mod state;
pub mod view;

pub use state::*;
