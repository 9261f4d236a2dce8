//! Every crash the fuzz targets (`fuzz/`, `scripts/fuzz`) found, as a
//! regression test on its input (kept in `fuzz/seeds/TARGET/regression-*`,
//! so the fuzzers start from it too) and on a minimal form of it.

use bytes::Bytes;
use std::path::Path;
use tracetop::sse::frame::{FrameOutcome, read_frame};
use tracetop::sse::guard::{GuardLimits, SseGuard};

/// The fuzz target `sse_stream`'s checks on one input.
fn guard_in_chunks(data: &[u8], limits: GuardLimits) -> (Vec<Bytes>, u64) {
    let (&split, rest) = data.split_first().unwrap();
    let mut guard = SseGuard::new(limits);
    let mut events = Vec::new();
    for chunk in rest.chunks(usize::from(split) + 1) {
        for event in guard.push_events(&Bytes::copy_from_slice(chunk)) {
            assert!(event.ends_with(b"\n\n"));
            assert!(
                event.len() <= limits.max_event + 2,
                "event of {} bytes over the cap of {}",
                event.len(),
                limits.max_event
            );
            if let FrameOutcome::Frame(frame) = read_frame(&event) {
                let _ = tracetop::sse::decode::decode_sse(frame.event_str(), frame.data_str());
            }
            events.push(event);
        }
    }
    (events, guard.skipped())
}

#[test]
fn sse_guard_keeps_its_event_cap_when_invalid_utf8_is_repaired() {
    // found: the cap was checked before each invalid byte became a 3-byte
    // U+FFFD, so a repaired event could be three times the cap
    let limits = GuardLimits {
        max_line: 256,
        max_event: 1024,
    };
    let found = include_bytes!("../../fuzz/seeds/sse_stream/regression-e2fa9534");
    guard_in_chunks(found, limits);
    // minimal: 60 invalid bytes in a 64-byte cap
    let small = GuardLimits {
        max_line: 256,
        max_event: 64,
    };
    let mut input = vec![255u8];
    input.extend_from_slice(b"data: ");
    input.extend_from_slice(&[0xff; 50]);
    input.extend_from_slice(b"\n\ndata: ok\n\n");
    let (events, skipped) = guard_in_chunks(&input, small);
    assert_eq!(skipped, 1, "the inflated event is dropped and counted");
    assert_eq!(events, vec![Bytes::from_static(b"data: ok\n\n")]);
    // under the cap once repaired, it still passes (repaired)
    let mut input = vec![255u8];
    input.extend_from_slice(b"data: \xff\xff\n\n");
    let (events, skipped) = guard_in_chunks(&input, small);
    assert_eq!(skipped, 0);
    assert_eq!(events, vec![Bytes::from("data: \u{fffd}\u{fffd}\n\n")]);
}

#[test]
fn a_duration_ending_in_a_multibyte_character_is_an_error_not_a_panic() {
    // found: `--since 羅` panicked slicing inside the character
    let found = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/time_parsers/regression-94afa29b"),
    )
    .unwrap();
    for text in [found.as_str(), "羅", "5羅", "é", "1ß", "10µs"] {
        let err = tracetop::query::window::parse_span(text).unwrap_err();
        assert!(err.to_string().contains("invalid duration"), "{err}");
        assert!(tracetop::source::postgres::parse_interval(text).is_err());
        let now = chrono::Utc::now();
        assert!(tracetop::query::window::parse_instant(text, now).is_err());
        assert!(tracetop::query::window::resolve_window(Some(text), None, None, now).is_err());
    }
    assert!(tracetop::query::window::parse_span("7d").is_ok());
    // and through the real binary: exit 2, one line
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .args(["analytics", "costs", "--since", "羅"])
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn a_token_file_error_never_echoes_a_token() {
    // found: an unknown attribute was echoed, and it can be a second token
    // (two pasted on one line)
    let found = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/token_file/regression-9f6f63f2"),
    )
    .unwrap();
    let text = String::from_utf8(found).unwrap();
    let second = "fedcba9876543210fedcba98";
    for text in [
        text,
        format!("0123456789abcdef0123 {second}\n"),
        format!("0123456789abcdef0123 expires:{second}\n"),
    ] {
        let err = tracetop::sse::tokens::parse_tokens(&text, Path::new("tokens"))
            .unwrap_err()
            .to_string();
        for word in text.split_whitespace().filter(|w| w.len() >= 16) {
            let word = word.trim_start_matches("expires:");
            assert!(!err.contains(word), "echoed {word}: {err}");
        }
        assert!(err.contains("line"), "{err}");
    }
}
