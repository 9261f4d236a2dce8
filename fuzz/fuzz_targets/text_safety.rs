//! Text safety and redaction on arbitrary text: a cleaned cell holds no
//! control, bidi or invisible format character and fits its width;
//! terminal-safe JSON holds none raw and reads back unchanged; a password
//! in a database URL never survives redaction, whatever it contains.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tracetop::error::{redact_url, redact_urls_in};
use tracetop::sanitize::{
    clean, display_width, is_invisible_format, needs_json_escape, truncate_width,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let cleaned = clean(text);
    assert!(
        !cleaned
            .chars()
            .any(|c| c.is_control() || is_invisible_format(c)),
        "{cleaned:?}"
    );
    let width = text.len() % 40;
    assert!(display_width(&truncate_width(&cleaned, width)) <= width);

    let json = tracetop::output::json::to_string_compact(text).unwrap();
    assert!(
        !json.chars().any(|c| c.is_control() || needs_json_escape(c)),
        "{json:?}"
    );
    let back: String = serde_json::from_str(&json).unwrap();
    assert_eq!(back, text);

    // the input as a password: no whitespace (a URL word ends there)
    let password: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let masked = "cannot connect to postgres://ro:***@db.example:5432/prod: refused";
    if password.len() >= 6 && !masked.contains(&password) {
        let url = format!("postgres://ro:{password}@db.example:5432/prod");
        let shown = redact_url(&url);
        assert!(!shown.contains(&password), "{shown}");
        let line = redact_urls_in(&format!("cannot connect to {url}: refused"));
        assert!(!line.contains(&password), "{line}");
    }
});
