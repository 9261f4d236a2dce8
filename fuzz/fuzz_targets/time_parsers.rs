//! The duration, interval, instant and `--since` / `--until` window
//! parsers: never a panic; an accepted window starts before it ends.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = tracetop::query::window::parse_span(text);
    let _ = tracetop::source::postgres::parse_interval(text);
    let now = chrono::Utc::now();
    let _ = tracetop::query::window::parse_instant(text, now);
    let (since, until) = text.split_once(' ').unwrap_or((text, ""));
    let until = (!until.is_empty()).then_some(until);
    if let Ok(window) = tracetop::query::window::resolve_window(Some(since), until, None, now) {
        assert!(window.start < window.end, "{text:?}: {window:?}");
    }
});
