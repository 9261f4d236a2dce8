//! The console config file and theme TOML: never a panic, only an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tracetop::tui::config::ConsoleConfig;
use tracetop::tui::theme::Theme;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = ConsoleConfig::parse(text);
    let _ = Theme::from_toml(text, false);
    let _ = Theme::from_toml(text, true);
});
