//! The one integration-test binary: every test area is a module here, so the
//! suite links once and all areas share one Postgres cluster, one template
//! database per schema shape and the fixtures below. Run one area with
//! `cargo test --test it AREA::` (e.g. `cargo test --test it tail::`).

// Shared fixtures.
mod live_fixture;
#[macro_use]
mod support;
mod tui_fixtures;

// Test areas.
mod anomaly;
mod audit_queue_pg;
mod budgets;
mod cli;
mod cli_fidelity;
mod cli_windows;
mod conformance;
mod e2e_tmux;
mod fuzz_regressions;
mod harness_smoke;
mod live_engine;
mod pg_indexes;
mod pg_queries;
mod pg_reviews_errors;
mod real_shape;
mod recordings;
mod remote_parity;
mod reprice;
mod serve;
mod serve_budgets;
mod serve_hardening;
mod sim;
mod sse;
mod sse_systemprompt;
mod tail;
mod tail_pipe;
mod timetravel;
mod timetravel_seek;
mod tui_perf;
mod tui_spend;
mod tui_update;
mod tui_views;
