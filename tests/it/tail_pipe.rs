//! `tracetop tail … | head -1` against real Postgres: once the reader of
//! stdout has gone, tail ends at once, even though no further event comes
//! to run into the closed pipe.

use crate::support;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn tail_ends_when_its_reader_goes_away_without_a_new_event() {
    let db = support::fresh_db().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tracetop"))
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
    assert!(first.contains("only-one"), "{first}");
    // no new row: only the closed pipe can end it
    let closed_at = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if closed_at.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("tail still running 20 s after its reader left");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status:?}");
    eprintln!("tail ended {:?} after its reader left", closed_at.elapsed());
}
