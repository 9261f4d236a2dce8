//! The CLI's output layer: one report, three shapes.
//!
//! Every reporting command builds its answer once and hands it to [`emit`]
//! with three views of it: the typed result (serialized as JSON, the
//! contract other tools read), a [`RowSet`] for CSV (RFC 4180, header
//! first, raw units: integer microdollars, RFC 3339 times, rates as
//! fractions) and a [`Document`] for people (tables fitted to the terminal
//! width, money as `$1,234.56`). Output goes through a [`Sink`] so a closed
//! pipe (`| head`) ends the command quietly instead of panicking.
//!
//! Untrusted text (LLM replies, tool input, log messages) is made inert
//! here: table and CSV cells pass through [`crate::sanitize`] (escape
//! sequences and control characters removed); JSON keeps the data exact
//! and relies on JSON string escaping (ESC is written as `\u001b`).

pub mod cell;
pub mod csv;
pub mod json;
pub mod sink;
pub mod table;

pub use cell::{Align, Cell, Column, RowSet};
pub use sink::Sink;
pub use table::{Block, Document};

use crate::error::{Error, Result};
use serde::Serialize;
use std::io::{IsTerminal, Write};

/// The three output formats of the reporting commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

impl Format {
    /// Parse `table`, `json` or `csv` (case-insensitive) with a one-line error.
    pub fn parse(text: &str) -> Result<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            _ => Err(Error::input(format!(
                "unknown --format {:?}: use table, json or csv",
                crate::sanitize::clean(text)
            ))),
        }
    }
}

/// Width available to tables: the terminal's when stdout is one, else
/// `COLUMNS` when set, else unlimited (`None`).
pub fn terminal_width() -> Option<usize> {
    if std::io::stdout().is_terminal()
        && let Ok((cols, _)) = crossterm::terminal::size()
        && cols > 0
    {
        return Some(cols as usize);
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
}

/// One labelled value of a single-record report (overview, summaries).
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// JSON/CSV name, with its unit (`total_cost_microdollars`).
    pub key: &'static str,
    /// What a person reads.
    pub label: &'static str,
    pub value: Cell,
}

impl Field {
    /// A field.
    pub fn new(key: &'static str, label: &'static str, value: Cell) -> Field {
        Field { key, label, value }
    }
}

/// A single record as CSV: one header, one row.
pub fn record_rows(fields: &[Field]) -> RowSet {
    let columns = fields
        .iter()
        .map(|f| {
            if f.value.is_numeric() {
                Column::num(f.key, f.label)
            } else {
                Column::text(f.key, f.label)
            }
        })
        .collect();
    let mut set = RowSet::new(columns);
    set.push(fields.iter().map(|f| f.value.clone()).collect());
    set
}

/// A single record for people: aligned `label: value` lines.
pub fn record_block(fields: &[Field]) -> Block {
    Block::Fields(
        fields
            .iter()
            .map(|f| (f.label.to_string(), f.value.clone()))
            .collect(),
    )
}

/// Write one report to stdout in `format`.
pub fn emit<T: Serialize + ?Sized>(
    format: Format,
    json: &T,
    csv: impl FnOnce() -> RowSet,
    table: impl FnOnce() -> Document,
) -> Result<()> {
    let mut out = Sink::stdout();
    emit_to(&mut out, format, terminal_width(), json, csv, table)?;
    out.flush()?;
    Ok(())
}

/// [`emit`] into any writer with an explicit table width (for tests).
pub fn emit_to<W: Write, T: Serialize + ?Sized>(
    out: &mut W,
    format: Format,
    width: Option<usize>,
    json: &T,
    csv: impl FnOnce() -> RowSet,
    table: impl FnOnce() -> Document,
) -> Result<()> {
    match format {
        Format::Json => json::write(out, json),
        Format::Csv => csv::write(out, &csv()),
        Format::Table => table::write(out, &table(), width),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_formats_and_rejects_others_in_one_line() {
        assert_eq!(Format::parse("JSON").unwrap(), Format::Json);
        assert_eq!(Format::parse("csv").unwrap(), Format::Csv);
        assert_eq!(Format::parse("table").unwrap(), Format::Table);
        let err = Format::parse("xml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown --format \"xml\": use table, json or csv"
        );
        assert_eq!(err.exit_code(), 2);
    }
}
