//! Making untrusted text safe for a terminal cell.
//!
//! Everything that came from data (LLM output, tool input, log messages) may
//! hold ANSI escape sequences or control characters. [`clean`] removes them
//! (CSI, OSC, DCS and lone ESC sequences, C0/C1 controls except tab→space and
//! newline on request) and [`truncate_width`] cuts to a display width.

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
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
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
    fn truncates_by_display_width() {
        assert_eq!(truncate_width("hello", 10), "hello");
        assert_eq!(truncate_width("hello world", 6), "hello…");
        assert_eq!(truncate_width("日本語テキスト", 5), "日本…");
    }
}
