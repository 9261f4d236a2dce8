//! The token file parser of `serve`: never a panic; accepted tokens are
//! long, and an error never echoes a long token of the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tracetop::sse::tokens::parse_tokens;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_tokens(text, Path::new("tokens")) {
        Ok(entries) => assert!(entries.iter().all(|e| e.token.len() >= 16)),
        Err(e) => {
            let message = e.to_string();
            // words of the messages' own examples are not echoes
            let examples = "expires:2026-12-31T00:00:00Z `openssl rand -hex 32` `TOKEN [user:USER_ID] [expires:RFC3339]` (`TOKEN` or `TOKEN user:USER_ID`)";
            for line in text.lines() {
                let Some(token) = line.split_whitespace().next() else {
                    continue;
                };
                if token.len() >= 16 && !token.starts_with('#') && !examples.contains(token) {
                    assert!(!message.contains(token), "token echoed: {message}");
                }
            }
        }
    }
});
