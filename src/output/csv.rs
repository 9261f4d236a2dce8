//! CSV output: RFC 4180 (comma-separated, `"`-quoted when needed, quotes
//! doubled, CRLF-free `\n` records as the `csv` crate writes them) with a
//! header row of the JSON field names. Values are raw units: integer
//! microdollars, RFC 3339 UTC times, rates as fractions.
//!
//! Text fields keep their newlines (quoted) and lose exactly what a table
//! cell loses ([`crate::sanitize::clean_text`]): ANSI escape sequences, C0
//! and C1 controls and DEL (tab → space, CR dropped), bidi controls
//! (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C), zero-width and
//! other invisible format characters and tag characters
//! ([`crate::sanitize::is_invisible_format`]). Nothing else is changed.
//!
//! Reports that hold several lists are flattened into one table with a
//! leading `dimension` column (traffic: `source`/`client`/`device`/
//! `country`; content: `landing_page`/`referrer`; log summary:
//! `level`/`module`); single-record reports are one header and one row.

use super::cell::RowSet;
use crate::error::{Error, Result};
use std::io::Write;

/// Write the set as CSV with a header row.
pub fn write<W: Write>(out: &mut W, set: &RowSet) -> Result<()> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(out);
    let failed = |e: ::csv::Error| Error::io(format!("cannot write CSV: {e}")).caused_by(e);
    writer
        .write_record(set.columns.iter().map(|c| c.key))
        .map_err(failed)?;
    for row in &set.rows {
        writer
            .write_record(row.iter().map(|cell| cell.csv_field()))
            .map_err(failed)?;
    }
    writer
        .flush()
        .map_err(|e| Error::io(format!("cannot write CSV: {e}")).caused_by(e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Microdollars;
    use crate::output::cell::{Cell, Column};

    fn to_string(set: &RowSet) -> String {
        let mut out = Vec::new();
        write(&mut out, set).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn header_then_raw_values() {
        let set = RowSet::new(vec![
            Column::text("model", "model"),
            Column::num("request_count", "requests"),
            Column::num("total_cost_microdollars", "cost"),
        ])
        .with_rows([vec![
            Cell::text("gpt-4o"),
            Cell::Int(3),
            Cell::Money(Microdollars(4_200)),
        ]]);
        assert_eq!(
            to_string(&set),
            "model,request_count,total_cost_microdollars\ngpt-4o,3,4200\n"
        );
    }

    #[test]
    fn quotes_commas_quotes_and_newlines() {
        let set = RowSet::new(vec![Column::text("a", "a"), Column::text("b", "b")]).with_rows([
            vec![Cell::text("x, y"), Cell::text("say \"hi\"")],
            vec![Cell::text("line1\nline2"), Cell::Empty],
        ]);
        assert_eq!(
            to_string(&set),
            "a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"line1\nline2\",\n"
        );
    }

    #[test]
    fn escape_sequences_are_removed() {
        let set = RowSet::new(vec![Column::text("m", "m")])
            .with_rows([vec![Cell::text("\u{1b}[31mred\u{1b}[0m")]]);
        assert_eq!(to_string(&set), "m\nred\n");
    }

    #[test]
    fn bidi_and_c1_characters_are_removed() {
        let set = RowSet::new(vec![Column::text("m", "m")])
            .with_rows([vec![Cell::text("a\u{202e}b\u{85}c\u{7f}d\u{2066}e")]]);
        assert_eq!(to_string(&set), "m\nabcde\n");
    }

    #[test]
    fn empty_set_is_just_the_header() {
        let set = RowSet::new(vec![Column::text("model", "m"), Column::num("n", "n")]);
        assert_eq!(to_string(&set), "model,n\n");
    }
}
