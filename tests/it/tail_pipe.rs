//! `tracetop tail … | head -1` against real Postgres and through a real
//! `serve` (whose heartbeats tail never prints): once the reader of
//! stdout has gone, tail ends at once, even though no further event comes
//! to run into the closed pipe.

use crate::support;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Read one line of `child`'s stdout, close the pipe as `head -1` does,
/// and wait (no further event is written) until the child has ended.
async fn first_line_then_close(mut child: std::process::Child) -> String {
    let stdout = child.stdout.take().unwrap();
    let first = tokio::task::spawn_blocking(move || {
        let mut reader = std::io::BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        line
        // the reader (our end of the pipe) is dropped here, like `head -1`
    })
    .await
    .unwrap();
    // no new row: only the closed pipe can end it
    let closed_at = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if closed_at.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("tail still running 20 s after its reader left (first line {first})");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status:?}");
    eprintln!("tail ended {:?} after its reader left", closed_at.elapsed());
    first
}

#[tokio::test]
async fn tail_ends_when_its_reader_goes_away_without_a_new_event() {
    let db = support::fresh_db().await;
    let child = Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .args(["tail", "--database-url", &db.url])
        .args([
            "--format",
            "jsonl",
            "--interval",
            "100ms",
            "--backfill",
            "1m",
        ])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    db.exec("INSERT INTO logs (id, level, module, message) VALUES ('only-one', 'INFO', 'm', 'x')")
        .await;
    let first = first_line_then_close(child).await;
    assert!(first.contains("only-one"), "{first}");
}

/// Ends a child process when dropped.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn remote_tail_ends_when_its_reader_goes_away_while_only_heartbeats_come() {
    let db = support::fresh_db().await;
    db.exec("INSERT INTO logs (id, level, module, message) VALUES ('only-one', 'INFO', 'm', 'x')")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, "pipe-test-token-0123456789\n").unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _serve = Killed(
        Command::new(env!("CARGO_BIN_EXE_tracetop"))
            .args(["serve", "--database-url", &db.url, "--token-file"])
            .arg(&tokens)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--heartbeat", "200ms", "--interval", "100ms"])
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "serve did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // the one log row is the only line ever printed: after it the server
    // sends heartbeats only, which tail does not print
    let child = Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .args(["tail", "--remote", &format!("http://127.0.0.1:{port}")])
        .arg("--token-file")
        .arg(&tokens)
        .args(["--kind", "log", "--format", "jsonl", "--backfill", "10m"])
        .env_remove("TRACETOP_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let first = first_line_then_close(child).await;
    assert!(first.contains("only-one"), "{first}");
}
