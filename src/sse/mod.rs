//! The live data plane between sources and consumers.
//!
//! * [`guard`]: the byte-level guard in front of the SSE parser.
//! * [`frame`]: the fields of one guarded event (fast plain path, else
//!   eventsource-stream).
//! * [`decode`]: one SSE event as an `Event` (ours, or a systemprompt
//!   analytics stream's flat payloads).
//! * [`hub`]: cursors, the replay ring and fan-out for `serve`.
//! * [`chunker`]: one `serve` client's outgoing SSE text, in chunks.
//! * [`tokens`]: `serve`'s token file and scopes.
//! * [`server`]: the axum routes of `serve` (stream, query, health).
//! * [`listen`]: `serve`'s accept loop (header timeout, connection cap).
//! * [`wire`]: the query API's JSON format, shared by server and client.
//! * [`remote`]: [`remote::RemoteEngine`], `QueryEngine` over HTTP.
//!
//! The SSE client that reads a stream, like every other source, is in
//! [`crate::source`].

mod chunker;
pub mod decode;
pub mod frame;
pub mod guard;
pub mod hub;
pub mod listen;
pub mod remote;
pub mod server;
pub mod tokens;
mod window_route;
pub mod wire;
