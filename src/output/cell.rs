//! Cells, columns and row sets: the values a report shows, each knowing
//! how to print itself for people (tables) and for machines (CSV).
//!
//! | cell | table | CSV |
//! |---|---|---|
//! | `Int` | `1,234` | `1234` |
//! | `Money` | `$1,234.56` / `$0.004200` | integer microdollars |
//! | `Rate` | `12.5%` | `0.125` |
//! | `Time` | `2026-11-23 10:30:05` (UTC) | RFC 3339, milliseconds, `Z` |
//! | `Clock` | `10:30:05.123` | RFC 3339, milliseconds, `Z` |
//! | `Change` | `↑ 12.5%` / `↓ 3.0%` / `→ 0.0%` / `-` | `12.5` / empty |
//! | `Empty` | `-` | empty field |

use crate::model::{Microdollars, Timestamp};
use crate::sanitize;

/// One value in a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Untrusted or free text; cleaned before it is shown.
    Text(String),
    Int(i64),
    Money(Microdollars),
    /// A fraction in `[0, 1]`.
    Rate(f64),
    Time(Timestamp),
    /// A time shown as time of day with milliseconds (timelines).
    Clock(Timestamp),
    /// A change in percent against a previous period (`None`: no base).
    Change(Option<f64>),
    Empty,
}

impl Cell {
    /// Text cell from anything printable.
    pub fn text(value: impl ToString) -> Cell {
        Cell::Text(value.to_string())
    }

    /// Text cell, or [`Cell::Empty`] for `None`.
    pub fn opt_text<T: ToString>(value: Option<T>) -> Cell {
        value
            .map(|v| Cell::Text(v.to_string()))
            .unwrap_or(Cell::Empty)
    }

    /// Integer cell from any integer type.
    pub fn int(value: impl Into<i64>) -> Cell {
        Cell::Int(value.into())
    }

    /// Integer cell, or [`Cell::Empty`] for `None`.
    pub fn opt_int<T: Into<i64>>(value: Option<T>) -> Cell {
        value.map(|v| Cell::Int(v.into())).unwrap_or(Cell::Empty)
    }

    /// Whether the cell is right-aligned in a table (numbers, money, rates).
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Cell::Int(_) | Cell::Money(_) | Cell::Rate(_) | Cell::Change(_)
        )
    }

    /// The cell as a table shows it: one line, escape sequences removed.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => sanitize::clean(s),
            Cell::Int(n) => group_thousands(*n),
            Cell::Money(m) => m.to_string(),
            Cell::Rate(r) => format_rate(*r),
            Cell::Time(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            Cell::Clock(t) => t.format("%H:%M:%S%.3f").to_string(),
            Cell::Change(change) => format_change(*change),
            Cell::Empty => "-".to_string(),
        }
    }

    /// The cell as a CSV field: raw units; text keeps its newlines (the CSV
    /// writer quotes them) but loses escape sequences and other controls.
    pub fn csv_field(&self) -> String {
        match self {
            Cell::Text(s) => sanitize::clean_text(s, true),
            Cell::Int(n) => n.to_string(),
            Cell::Money(m) => m.get().to_string(),
            Cell::Rate(r) => r.to_string(),
            Cell::Time(t) | Cell::Clock(t) => rfc3339(*t),
            Cell::Change(change) => change.map(|c| format!("{c:.1}")).unwrap_or_default(),
            Cell::Empty => String::new(),
        }
    }
}

/// A timestamp as RFC 3339 with milliseconds in UTC (`…T10:30:05.123Z`).
pub fn rfc3339(t: Timestamp) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `0.125` → `12.5%`, one decimal.
pub fn format_rate(rate: f64) -> String {
    if rate.is_finite() {
        format!("{:.1}%", rate * 100.0)
    } else {
        "-".to_string()
    }
}

/// `Some(12.5)` → `↑ 12.5%`, `Some(-3.0)` → `↓ 3.0%`, `Some(0.0)` →
/// `→ 0.0%`, `None` (nothing to compare with) → `-`: the direction is a
/// symbol, never only a colour.
pub fn format_change(change: Option<f64>) -> String {
    match change {
        Some(c) if c.is_finite() && c > 0.0 => format!("↑ {c:.1}%"),
        Some(c) if c.is_finite() && c < 0.0 => format!("↓ {:.1}%", -c),
        Some(c) if c.is_finite() => "→ 0.0%".to_string(),
        _ => "-".to_string(),
    }
}

/// `1234567` → `1,234,567`.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How a column's cells line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// When a column gives up width in a table that is too wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shrink {
    /// Free text and names: shrink first.
    First,
    /// Ids and states (what people copy or scan for): only when cutting
    /// free text was not enough.
    Last,
    /// Numbers and times: never (the line is cut instead).
    Never,
}

/// A column: its CSV header (the JSON field name) and its table title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub title: &'static str,
    pub align: Align,
    pub shrink: Shrink,
}

impl Column {
    /// A free-text or name column (left-aligned, shrinks first).
    pub fn text(key: &'static str, title: &'static str) -> Column {
        Column {
            key,
            title,
            align: Align::Left,
            shrink: Shrink::First,
        }
    }

    /// An id or state column (left-aligned, shrinks only after free text).
    pub fn id(key: &'static str, title: &'static str) -> Column {
        Column {
            key,
            title,
            align: Align::Left,
            shrink: Shrink::Last,
        }
    }

    /// A time column (left-aligned, never shrunk).
    pub fn time(key: &'static str, title: &'static str) -> Column {
        Column {
            key,
            title,
            align: Align::Left,
            shrink: Shrink::Never,
        }
    }

    /// A number column (right-aligned, never shrunk).
    pub fn num(key: &'static str, title: &'static str) -> Column {
        Column {
            key,
            title,
            align: Align::Right,
            shrink: Shrink::Never,
        }
    }
}

/// Rows under named columns: a CSV file or one table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowSet {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl RowSet {
    /// An empty set with these columns.
    pub fn new(columns: Vec<Column>) -> RowSet {
        RowSet {
            columns,
            rows: Vec::new(),
        }
    }

    /// Append one row (as many cells as columns).
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "row width");
        self.rows.push(row);
    }

    /// The same rows without the named columns (a narrower table for people
    /// than the CSV, which keeps every column).
    pub fn without(&self, keys: &[&str]) -> RowSet {
        let keep: Vec<bool> = self
            .columns
            .iter()
            .map(|c| !keys.contains(&c.key))
            .collect();
        let pick = |cells: &[Cell]| -> Vec<Cell> {
            cells
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| c.clone())
                .collect()
        };
        RowSet {
            columns: self
                .columns
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| c.clone())
                .collect(),
            rows: self.rows.iter().map(|r| pick(r)).collect(),
        }
    }

    /// Builder form of [`RowSet::push`] for many rows.
    pub fn with_rows(mut self, rows: impl IntoIterator<Item = Vec<Cell>>) -> RowSet {
        for row in rows {
            self.push(row);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_for_people_and_machines() {
        let t = chrono::Utc
            .with_ymd_and_hms(2026, 11, 23, 10, 30, 5)
            .unwrap()
            + chrono::Duration::milliseconds(123);
        assert_eq!(Cell::Int(1_234_567).display(), "1,234,567");
        assert_eq!(Cell::Int(-1_234).display(), "-1,234");
        assert_eq!(Cell::Int(1_234_567).csv_field(), "1234567");
        assert_eq!(
            Cell::Money(Microdollars(1_234_560_000)).display(),
            "$1,234.56"
        );
        assert_eq!(Cell::Money(Microdollars(4_200)).csv_field(), "4200");
        assert_eq!(Cell::Rate(0.125).display(), "12.5%");
        assert_eq!(Cell::Rate(0.125).csv_field(), "0.125");
        assert_eq!(Cell::Time(t).display(), "2026-11-23 10:30:05");
        assert_eq!(Cell::Clock(t).display(), "10:30:05.123");
        assert_eq!(Cell::Time(t).csv_field(), "2026-11-23T10:30:05.123Z");
        assert_eq!(Cell::Empty.display(), "-");
        assert_eq!(Cell::Empty.csv_field(), "");
        assert_eq!(Cell::Change(Some(12.5)).display(), "↑ 12.5%");
        assert_eq!(Cell::Change(Some(-3.0)).display(), "↓ 3.0%");
        assert_eq!(Cell::Change(Some(0.0)).display(), "→ 0.0%");
        assert_eq!(Cell::Change(None).display(), "-");
        assert_eq!(Cell::Change(Some(-66.7)).csv_field(), "-66.7");
        assert_eq!(Cell::Change(None).csv_field(), "");
    }

    #[test]
    fn text_is_cleaned_for_tables_and_csv() {
        let cell = Cell::text("\u{1b}[31mred\u{1b}[0m\nline");
        assert_eq!(cell.display(), "red line");
        assert_eq!(cell.csv_field(), "red\nline");
    }
}
