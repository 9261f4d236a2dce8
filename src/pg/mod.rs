//! PgEngine: the local query engine over a Postgres database that follows
//! the systemprompt.io audit schema.
//!
//! Every query runs on a pool whose sessions are read-only
//! (`default_transaction_read_only=on` and `TimeZone=UTC`, sent in the
//! startup packet) with bound parameters only. One file per query area; the
//! `QueryEngine` impl in `engine.rs` delegates to them. The one write
//! tracetop makes (audit verdicts in `tracetop_reviews`) goes through
//! [`PgReviewStore`] on its own connection pool.

pub mod analytics;
pub mod audit;
pub mod cluster;
pub mod columns;
pub mod connect;
pub mod costs;
pub mod engine;
pub mod leaderboards;
pub mod logs;
pub mod migrate;
pub mod overview;
pub mod reviews;

pub mod traces;

pub use columns::escape_like;
pub use connect::{PgEngine, map_sqlx_error};
pub use reviews::PgReviewStore;
