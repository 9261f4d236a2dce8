//! JSON output: the typed result serialized as is (pretty, one trailing
//! newline). Lists are one array of row objects, single-record reports one
//! object; field names come from `crate::query::types` and carry their unit.
//!
//! Strings are escaped beyond what JSON requires, so the text is safe to
//! print on a terminal: besides C0 controls (which JSON always escapes),
//! DEL, the C1 controls U+0080–U+009F (which terminals read as escape
//! sequences), bidi controls and other invisible format characters (see
//! [`crate::sanitize::is_invisible_format`]) are written as `\uXXXX`. The
//! value is unchanged for any JSON reader. [`to_vec`] is the compact form
//! for one line (`tail --format jsonl`, the `serve` wire).

use crate::error::Result;
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use std::io::{self, Write};

use crate::sanitize::needs_json_escape as needs_escape;

/// A formatter that escapes [`needs_escape`] characters and otherwise
/// formats like `F`.
struct TerminalSafe<F>(F);

fn write_escaped<W: ?Sized + Write>(writer: &mut W, fragment: &str) -> io::Result<()> {
    let mut start = 0;
    for (i, c) in fragment.char_indices() {
        if needs_escape(c) {
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{:04x}", unit)?;
            }
            start = i + c.len_utf8();
        }
    }
    writer.write_all(&fragment.as_bytes()[start..])
}

macro_rules! delegate {
    ($($name:ident $(($arg:ident: $ty:ty))?;)*) => {
        $(
            fn $name<W: ?Sized + Write>(&mut self, writer: &mut W $(, $arg: $ty)?) -> io::Result<()> {
                self.0.$name(writer $(, $arg)?)
            }
        )*
    };
}

impl<F: Formatter> Formatter for TerminalSafe<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        write_escaped(writer, fragment)
    }

    delegate! {
        begin_array;
        end_array;
        begin_array_value(first: bool);
        end_array_value;
        begin_object;
        end_object;
        begin_object_key(first: bool);
        end_object_key;
        begin_object_value;
        end_object_value;
    }
}

/// Serialize `value` as pretty JSON followed by a newline.
pub fn write<W: Write, T: Serialize + ?Sized>(out: &mut W, value: &T) -> Result<()> {
    let mut ser =
        serde_json::Serializer::with_formatter(&mut *out, TerminalSafe(PrettyFormatter::new()));
    value.serialize(&mut ser)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Append `value` as compact, terminal-safe JSON (one line) to `out`.
pub fn to_writer_compact<W: Write, T: Serialize + ?Sized>(
    out: &mut W,
    value: &T,
) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, TerminalSafe(CompactFormatter));
    value.serialize(&mut ser)
}

/// `value` as compact, terminal-safe JSON text.
pub fn to_string_compact<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::new();
    to_writer_compact(&mut out, value)?;
    // only valid UTF-8 is written
    Ok(String::from_utf8(out).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_stay_escaped() {
        let mut out = Vec::new();
        write(&mut out, &serde_json::json!({"message": "\u{1b}[31mred"})).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\u{1b}'));
        assert!(text.contains("\\u001b[31mred"));
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn every_control_c1_del_and_bidi_character_is_escaped_and_round_trips() {
        let nasty: String = (0u32..0x110000)
            .filter_map(char::from_u32)
            .filter(|c| c.is_control() || needs_escape(*c))
            .collect();
        let value = serde_json::json!({"k\u{202e}": format!("a{nasty}b")});
        for text in [
            {
                let mut out = Vec::new();
                write(&mut out, &value).unwrap();
                String::from_utf8(out).unwrap()
            },
            to_string_compact(&value).unwrap(),
        ] {
            let printed: Vec<char> = text
                .chars()
                .filter(|c| *c != '\n' && (c.is_control() || needs_escape(*c)))
                .collect();
            assert!(printed.is_empty(), "unescaped: {printed:?}");
            assert!(text.contains("\\u009b") && text.contains("\\u007f"));
            assert!(text.contains("\\u202e") && text.contains("\\udb40\\udc41"));
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back, value);
        }
    }
}
