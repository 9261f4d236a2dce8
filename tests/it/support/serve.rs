//! A real `tracetop serve` on a free 127.0.0.1 port, for the tests that
//! talk to it over HTTP; killed when dropped, so a failing test leaves no
//! server behind.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `tracetop serve`.
pub struct ServeProcess {
    child: Child,
    pub port: u16,
}

impl ServeProcess {
    /// Start `serve` on `db_url` with `tokens` (and `extra` flags), and
    /// wait until it listens.
    pub async fn start(db_url: &str, tokens: &Path, extra: &[&str]) -> ServeProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_tracetop"))
            .args(["serve", "--database-url", db_url, "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--token-file")
            .arg(tokens)
            .args(extra)
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tracetop serve");
        let server = ServeProcess { child, port };
        let addr = format!("127.0.0.1:{port}");
        for _ in 0..400 {
            if tokio::net::TcpStream::connect(&addr).await.is_ok() {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("tracetop serve did not start listening on {addr}");
    }

    /// The live stream's URL (window queries share its base).
    pub fn stream_url(&self) -> String {
        format!("http://127.0.0.1:{}/api/v1/stream", self.port)
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
