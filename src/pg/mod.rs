//! PgEngine: the local query engine over a Postgres database that follows
//! the systemprompt.io audit schema.
//!
//! Every query runs on a pool whose sessions are read-only
//! (`default_transaction_read_only=on`, sent in the startup packet) with
//! bound parameters only. The one write tracetop makes — audit verdicts in
//! `tracetop_reviews` — goes through [`ReviewWriter`] on its own connection.

pub mod cluster;
pub mod connect;
pub mod migrate;
pub mod tail;

pub use connect::{PgEngine, map_sqlx_error};
