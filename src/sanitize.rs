//! Making untrusted text safe for a terminal cell.
//!
//! Everything that came from data (LLM output, tool input, log messages) may
//! hold ANSI escape sequences or control characters. [`clean`] removes them
//! (CSI, OSC, DCS and lone ESC sequences, C0/C1 controls and DEL except
//! tab→space and newline on request), and also the invisible format
//! characters of [`is_invisible_format`]: bidi controls, which would let a
//! model reply reverse the rest of a table row (cost and id columns
//! included), zero-width characters and tag characters. [`truncate_width`]
//! cuts to a display width. Tables, CSV and the console all clean through
//! here; JSON escapes the same characters instead (`crate::output::json`).

use unicode_width::UnicodeWidthChar;

/// Strip escape sequences and control characters. Newlines become spaces
/// unless `keep_newlines` is set; tabs always become a space.
pub fn clean_text(input: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_csi_body(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{9e}' | '\u{9f}' => skip_string_body(&mut chars),
            '\n' if keep_newlines => out.push('\n'),
            '\n' | '\t' => out.push(' '),
            '\r' => {}
            c if c.is_control() || is_invisible_format(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Invisible characters that change how text around them is shown:
/// the bidi controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069
/// isolates, U+200E/U+200F marks, U+061C), zero-width characters
/// (U+200B–U+200D, U+2060–U+2064 word joiner and invisible operators,
/// U+FEFF), the deprecated U+206A–U+206F, U+00AD soft hyphen, U+180E,
/// interlinear annotation U+FFF9–U+FFFB, musical and hieroglyph/shorthand
/// format controls, and the tag characters U+E0000–U+E007F (which can
/// smuggle invisible ASCII).
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{061c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// Whether terminal-safe JSON writes `c` as a `\u` escape on top of what
/// JSON itself escapes: DEL, C1 controls and [`is_invisible_format`].
pub fn needs_json_escape(c: char) -> bool {
    c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c) || is_invisible_format(c)
}

/// [`clean_text`] with newlines flattened: for single-line cells.
pub fn clean(input: &str) -> String {
    clean_text(input, false)
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek().copied() {
        Some('[') => {
            chars.next();
            skip_csi_body(chars);
        }
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => {
            chars.next();
            skip_string_body(chars);
        }
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            // nF sequence: intermediates then one final byte
            while let Some(&c) = chars.peek() {
                chars.next();
                if !('\u{20}'..='\u{2f}').contains(&c) {
                    break;
                }
            }
        }
        Some(_) => {
            chars.next();
        }
        None => {}
    }
}

fn skip_csi_body(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

fn skip_string_body(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// Display width of a string after cleaning is assumed.
pub fn display_width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Cut `s` to at most `max` display columns, ending with `…` when cut.
pub fn truncate_width(s: &str, max: usize) -> String {
    if display_width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if width + w > max - 1 {
            break;
        }
        width += w;
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_sgr_and_cursor_moves() {
        assert_eq!(clean("\u{1b}[31mred\u{1b}[0m \u{1b}[2J\u{1b}[Hx"), "red x");
    }

    #[test]
    fn strips_osc_title_and_hyperlinks() {
        assert_eq!(clean("a\u{1b}]0;pwned\u{7}b"), "ab");
        assert_eq!(
            clean("\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\"),
            "link"
        );
    }

    #[test]
    fn strips_c1_and_controls() {
        assert_eq!(clean("a\u{9b}31mb\u{0}c\u{7}d\re"), "abcde");
        assert_eq!(clean("a\nb\tc"), "a b c");
        assert_eq!(clean_text("a\nb", true), "a\nb");
    }

    #[test]
    fn strips_bidi_controls_and_invisible_format_characters() {
        // a reply that would reverse the rest of the row
        assert_eq!(clean("ok \u{202e}$0.01 req-1"), "ok $0.01 req-1");
        for c in [
            '\u{202a}',
            '\u{202b}',
            '\u{202c}',
            '\u{202d}',
            '\u{202e}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{200e}',
            '\u{200f}',
            '\u{061c}',
            '\u{200b}',
            '\u{feff}',
            '\u{2060}',
            '\u{e0041}',
            '\u{7f}',
            '\u{85}',
        ] {
            assert_eq!(clean(&format!("a{c}b")), "ab", "U+{:04X}", c as u32);
        }
        // visible text of every script stays
        assert_eq!(clean("שלום مرحبا 日本"), "שלום مرحبا 日本");
    }

    #[test]
    fn truncates_by_display_width() {
        assert_eq!(truncate_width("hello", 10), "hello");
        assert_eq!(truncate_width("hello world", 6), "hello…");
        assert_eq!(truncate_width("日本語テキスト", 5), "日本…");
    }
}
