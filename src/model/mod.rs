//! The data model shared by every layer: typed ids, money, one record per
//! audited table, and the [`Event`] that carries live changes.

pub mod analytics;
pub mod budget;
pub mod event;
pub mod ids;
pub mod money;
pub mod records;
pub mod source;
mod text_enum;

pub use analytics::*;
pub use budget::*;
pub use event::*;
pub use ids::*;
pub use money::Microdollars;
pub use records::*;
pub use source::*;
