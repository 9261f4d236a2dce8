//! JSON output: the typed result serialized as is (pretty, one trailing
//! newline). Lists are one array of row objects, single-record reports one
//! object; field names come from `crate::query::types` and carry their unit.

use crate::error::Result;
use serde::Serialize;
use std::io::Write;

/// Serialize `value` as pretty JSON followed by a newline.
pub fn write<W: Write, T: Serialize + ?Sized>(out: &mut W, value: &T) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")?;
    Ok(())
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
}
