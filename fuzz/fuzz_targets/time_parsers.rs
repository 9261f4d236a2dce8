//! The duration, interval and `--since` window parsers: never a panic; an
//! accepted window starts no later than it ends.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = tracetop::query::window::parse_span(text);
    let _ = tracetop::pg::tail::parse_interval(text);
    if let Ok(Some(window)) = tracetop::cli::common::window_since(Some(text)) {
        assert!(window.start <= window.end, "{text:?}: {window:?}");
    }
});
