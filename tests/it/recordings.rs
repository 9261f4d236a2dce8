//! Damaged recordings through the real `tracetop replay`: a file without a
//! single valid event is refused (exit 2, one line); bad lines in a file
//! with events are skipped, counted and said once at the end on stderr,
//! never passed on as events or dropped in silence.

use std::process::{Command, Output};

fn replay(path: &std::path::Path, format: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .arg("replay")
        .arg(path)
        .args(["--speed", "0", "--format", format])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

fn log_line(id: &str) -> String {
    format!(
        r#"{{"type":"log","log":{{"id":"{id}","timestamp":"2026-11-23T10:00:00Z","level":"INFO","module":"m","message":"hello {id}"}}}}"#
    )
}

#[test]
fn a_file_without_a_valid_event_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let binary: Vec<u8> = (0u32..20_000).map(|i| (i * 7919 % 251) as u8).collect();
    let cases: [(&str, Vec<u8>); 4] = [
        ("binary", binary),
        ("empty", Vec::new()),
        ("text", b"hello\nworld\n".to_vec()),
        ("truncated", log_line("a").as_bytes()[..40].to_vec()),
    ];
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = replay(&path, "jsonl");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name} printed events");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.contains("holds no valid event"), "{name}: {stderr}");
        assert!(stderr.contains(name), "{name}: the file is named: {stderr}");
    }
}

#[test]
fn bad_lines_are_skipped_counted_and_reported_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.jsonl");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(format!("{}\n", log_line("a")).as_bytes());
    bytes.extend_from_slice(b"\x00\x01\xff\xfe binary junk\n"); // line 2
    bytes.extend_from_slice(b"{\"type\":\"log\",\"log\":42}\n"); // line 3: fields broken
    bytes.extend_from_slice(b"{\"type\":\"from_a_newer_tracetop\"}\n"); // unknown: shown
    bytes.extend_from_slice(format!("{}\n", log_line("b")).as_bytes());
    bytes.extend_from_slice(&log_line("c").as_bytes()[..50]); // cut short at the end
    std::fs::write(&path, bytes).unwrap();
    let out = replay(&path, "jsonl");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let kinds: Vec<String> = stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["type"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(kinds, vec!["log", "unknown", "log"], "{stdout}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("3 bad lines skipped, the first at line 2: not UTF-8"),
        "{stderr}"
    );
    // a clean file says nothing
    let clean = dir.path().join("clean.jsonl");
    std::fs::write(&clean, format!("{}\n{}\n", log_line("a"), log_line("b"))).unwrap();
    let out = replay(&clean, "text");
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2);
}

#[test]
fn record_writes_c1_and_bidi_controls_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.jsonl");
    // a log message holding C1 NEL, DEL and a right-to-left override, as
    // JSON escapes (the source file itself is plain ASCII)
    std::fs::write(
        &source,
        log_line("c1").replace("hello c1", r"hello \u0085\u007f\u202e c1") + "\n",
    )
    .unwrap();
    let out_path = dir.path().join("out.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .arg("record")
        .arg("--replay")
        .arg(&source)
        .args(["--speed", "0", "--count", "1", "--out"])
        .arg(&out_path)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&out_path).unwrap();
    assert!(
        !written.contains(['\u{85}', '\u{7f}', '\u{202e}']),
        "raw controls in the recording: {written:?}"
    );
    assert!(written.contains(r"\u0085"), "{written}");
    // and the recording reads back to the same text
    let back = replay(&out_path, "jsonl");
    assert!(String::from_utf8_lossy(&back.stdout).contains(r"\u202e"));
}
