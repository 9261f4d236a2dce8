//! The accept loop of `tracetop serve`: HTTP/1.1 connections with limits
//! that hold before any token is checked.
//!
//! * A connection that has not sent a complete request head within
//!   `header_timeout` (a half-open or slow-loris client, or an idle
//!   keep-alive connection) is closed.
//! * At most `max_connections` connections are open at once; one more is
//!   answered `503` with a one-line JSON reason and closed, so the cap can
//!   be seen by a client instead of a silent hang.
//!
//! Everything past the head (tokens, per-token limits, body size, rows) is
//! the router's job ([`super::server`]).

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// Limits of the listener.
#[derive(Debug, Clone, Copy)]
pub struct ListenLimits {
    /// Longest wait for a complete request head (default 10 s).
    pub header_timeout: Duration,
    /// Most connections open at once, streams included (default 512).
    pub max_connections: usize,
}

impl Default for ListenLimits {
    fn default() -> Self {
        ListenLimits {
            header_timeout: Duration::from_secs(10),
            max_connections: 512,
        }
    }
}

/// Serve `app` on `listener` until the future is dropped.
pub async fn serve(listener: TcpListener, app: Router, limits: ListenLimits) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    loop {
        let (socket, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait, do not spin.
                eprintln!("tracetop serve: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = socket.set_nodelay(true);
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tokio::spawn(refuse(socket, limits.max_connections));
            continue;
        };
        let service = TowerToHyperService::new(app.clone());
        let connection = http.serve_connection(TokioIo::new(socket), service);
        tokio::spawn(async move {
            // Errors here are the client's (reset, timeout): nothing to say.
            let _ = connection.await;
            drop(permit);
        });
    }
}

/// Answer a connection over the cap with a 503 and close it.
async fn refuse(mut socket: TcpStream, cap: usize) {
    let body = serde_json::json!({
        "error": format!("server busy: {cap} connections open (--max-connections); retry later"),
        "kind": "remote",
    })
    .to_string();
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 5\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = socket.write_all(answer.as_bytes()).await;
        let _ = socket.shutdown().await;
    })
    .await;
}
