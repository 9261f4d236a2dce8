//! Human output: documents of headed blocks (fields, tables, free text)
//! fitted to the terminal width.
//!
//! Tables never wrap. When a table is wider than the terminal, its free-text
//! columns shrink together (the widest first, down to a few characters,
//! cut with `…`), then, if that is not enough, its id and state columns;
//! numbers and times keep their width and numbers stay right-aligned. If
//! even that is too wide, each line is cut at the width. Every cell is cleaned
//! of escape sequences before it is measured. Free text (a conversation
//! message, a tool payload) is word-wrapped instead, since it is meant to be
//! read in full.

use super::cell::{Align, Cell, RowSet, Shrink};
use crate::error::Result;
use crate::sanitize::{self, display_width, truncate_width};
use std::io::Write;
use unicode_width::UnicodeWidthChar;

/// Widest a text cell may be when the width is unlimited (output piped
/// without `COLUMNS`): tables are for reading, JSON and CSV carry it all.
pub const MAX_CELL_WIDTH: usize = 512;
/// Narrowest a text column shrinks to before lines are cut instead.
pub const MIN_TEXT_WIDTH: usize = 6;
const GAP: &str = "  ";

/// One part of a human-readable report.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section title.
    Heading(String),
    /// Labelled values, one per line, labels aligned.
    Fields(Vec<(String, Cell)>),
    /// A table with a header row.
    Table(RowSet),
    /// Free text, word-wrapped to the width, every line indented.
    Text { body: String, indent: usize },
    /// A single line (a note or hint).
    Line(String),
}

/// A report for people: blocks printed in order, a blank line between them
/// (none after a heading or a line, which introduce what follows).
pub type Document = Vec<Block>;

/// Write a document, fitting every line to `width` display columns.
pub fn write<W: Write>(out: &mut W, doc: &Document, width: Option<usize>) -> Result<()> {
    let mut previous_was_heading = true;
    for block in doc {
        if !previous_was_heading {
            out.write_all(b"\n")?;
        }
        for line in render_block(block, width) {
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
        }
        previous_was_heading = matches!(block, Block::Heading(_) | Block::Line(_));
    }
    Ok(())
}

/// The lines of one block.
pub fn render_block(block: &Block, width: Option<usize>) -> Vec<String> {
    match block {
        Block::Heading(title) => vec![fit_line(&sanitize::clean(title), width)],
        Block::Line(text) => vec![fit_line(&sanitize::clean(text), width)],
        Block::Fields(fields) => render_fields(fields, width),
        Block::Table(set) => render_table(set, width),
        Block::Text { body, indent } => wrap_text(body, *indent, width),
    }
}

fn fit_line(line: &str, width: Option<usize>) -> String {
    let cut = truncate_width(line, width.unwrap_or(usize::MAX).min(MAX_CELL_WIDTH * 4));
    cut.trim_end().to_string()
}

fn render_fields(fields: &[(String, Cell)], width: Option<usize>) -> Vec<String> {
    let labels: Vec<String> = fields.iter().map(|(l, _)| sanitize::clean(l)).collect();
    let label_width = labels.iter().map(|l| display_width(l)).max().unwrap_or(0);
    labels
        .iter()
        .zip(fields)
        .map(|(label, (_, value))| {
            let pad = " ".repeat(label_width - display_width(label));
            let value = truncate_width(&value.display(), MAX_CELL_WIDTH);
            fit_line(&format!("{label}:{pad} {value}"), width)
        })
        .collect()
}

/// Render a table fitted to `width`: header row, then one line per row.
pub fn render_table(set: &RowSet, width: Option<usize>) -> Vec<String> {
    if set.rows.is_empty() {
        return vec!["(no rows)".to_string()];
    }
    let headers: Vec<String> = set.columns.iter().map(|c| c.title.to_uppercase()).collect();
    let cells: Vec<Vec<String>> = set
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| truncate_width(&cell.display(), MAX_CELL_WIDTH))
                .collect()
        })
        .collect();
    let natural: Vec<usize> = (0..set.columns.len())
        .map(|i| {
            cells
                .iter()
                .map(|r| r.get(i).map(|c| display_width(c)).unwrap_or(0))
                .chain(std::iter::once(display_width(&headers[i])))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let widths = match width {
        Some(max) => {
            let first: Vec<bool> = set
                .columns
                .iter()
                .map(|c| c.shrink == Shrink::First)
                .collect();
            let widths = fit_widths(&natural, &first, max);
            let last: Vec<bool> = set
                .columns
                .iter()
                .map(|c| c.shrink == Shrink::Last)
                .collect();
            fit_widths(&widths, &last, max)
        }
        None => natural,
    };
    let aligns: Vec<Align> = set.columns.iter().map(|c| c.align).collect();
    let mut lines = Vec::with_capacity(cells.len() + 1);
    lines.push(join_row(&headers, &widths, &aligns, width));
    for row in &cells {
        lines.push(join_row(row, &widths, &aligns, width));
    }
    lines
}

/// Column widths that fit `max` columns: text columns are capped at one
/// common width (the largest that fits), never below [`MIN_TEXT_WIDTH`]
/// (or their natural width when smaller); number columns keep theirs.
pub fn fit_widths(natural: &[usize], shrinkable: &[bool], max: usize) -> Vec<usize> {
    let gaps = GAP.len() * natural.len().saturating_sub(1);
    let widths_at = |cap: usize| -> Vec<usize> {
        natural
            .iter()
            .zip(shrinkable)
            .map(|(&n, &s)| if s { n.min(cap.max(MIN_TEXT_WIDTH)) } else { n })
            .collect()
    };
    let total = |w: &[usize]| w.iter().sum::<usize>() + gaps;
    let widest = natural.iter().copied().max().unwrap_or(0);
    if total(natural) <= max {
        return natural.to_vec();
    }
    // Largest cap that fits (total is monotonic in cap).
    let (mut low, mut high) = (0usize, widest);
    while low < high {
        let mid = (low + high).div_ceil(2);
        if total(&widths_at(mid)) <= max {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    widths_at(low)
}

fn join_row(cells: &[String], widths: &[usize], aligns: &[Align], max: Option<usize>) -> String {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push_str(GAP);
        }
        let w = widths[i];
        let shown = truncate_width(cell, w);
        let pad = " ".repeat(w.saturating_sub(display_width(&shown)));
        match aligns[i] {
            Align::Left => {
                line.push_str(&shown);
                line.push_str(&pad);
            }
            Align::Right => {
                line.push_str(&pad);
                line.push_str(&shown);
            }
        }
    }
    let line = line.trim_end();
    match max {
        Some(m) => truncate_width(line, m),
        None => line.to_string(),
    }
}

/// Word-wrap `body` (cleaned, newlines kept) to `width`, indenting every
/// line by `indent` spaces. Words longer than a line are split.
pub fn wrap_text(body: &str, indent: usize, width: Option<usize>) -> Vec<String> {
    let cleaned = sanitize::clean_text(body, true);
    let prefix = " ".repeat(indent);
    let room = width
        .map(|w| w.saturating_sub(indent).max(10))
        .unwrap_or(usize::MAX);
    let mut lines = Vec::new();
    for source_line in cleaned.split('\n') {
        let mut current = String::new();
        let mut current_width = 0;
        for word in source_line.split(' ') {
            let word_width = display_width(word);
            let needed = if current.is_empty() {
                word_width
            } else {
                current_width + 1 + word_width
            };
            if needed <= room {
                if !current.is_empty() {
                    current.push(' ');
                    current_width += 1;
                }
                current.push_str(word);
                current_width += word_width;
                continue;
            }
            if !current.is_empty() {
                lines.push(format!("{prefix}{}", current.trim_end()));
                current.clear();
                current_width = 0;
            }
            for c in word.chars() {
                let w = c.width().unwrap_or(0);
                if current_width + w > room {
                    lines.push(format!("{prefix}{current}"));
                    current.clear();
                    current_width = 0;
                }
                current.push(c);
                current_width += w;
            }
        }
        lines.push(format!("{prefix}{}", current.trim_end()));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Microdollars;
    use crate::output::cell::Column;

    fn sample() -> RowSet {
        RowSet::new(vec![
            Column::text("model", "model"),
            Column::text("note", "note"),
            Column::num("request_count", "requests"),
            Column::num("total_cost_microdollars", "cost"),
        ])
        .with_rows([
            vec![
                Cell::text("claude-sonnet-4"),
                Cell::text("a fairly long note that will not fit in a narrow terminal"),
                Cell::Int(1234),
                Cell::Money(Microdollars(1_234_560_000)),
            ],
            vec![
                Cell::text("gpt-4o"),
                Cell::text("short"),
                Cell::Int(7),
                Cell::Money(Microdollars(4_200)),
            ],
        ])
    }

    #[test]
    fn natural_width_when_it_fits() {
        let lines = render_table(&sample(), None);
        assert_eq!(
            lines,
            vec![
                "MODEL            NOTE                                                       REQUESTS       COST",
                "claude-sonnet-4  a fairly long note that will not fit in a narrow terminal     1,234  $1,234.56",
                "gpt-4o           short                                                             7  $0.004200",
            ]
        );
    }

    #[test]
    fn text_columns_shrink_to_fit_and_numbers_stay_whole() {
        for width in [60, 50, 44] {
            let lines = render_table(&sample(), Some(width));
            for line in &lines {
                assert!(display_width(line) <= width, "{width}: {line:?}");
                assert!(line.len() == line.trim_end().len());
            }
            assert!(
                lines[1].ends_with("1,234  $1,234.56"),
                "{width}: {}",
                lines[1]
            );
            assert!(lines[2].ends_with("7  $0.004200"), "{width}: {}", lines[2]);
            assert!(lines[1].contains('…'), "{width}: {}", lines[1]);
        }
        let lines = render_table(&sample(), Some(50));
        // 50 - (8 + 9 + 3 gaps of 2) = 27 for text: both capped at 13.
        assert_eq!(
            lines[1],
            "claude-sonne…  a fairly lon…     1,234  $1,234.56"
        );
    }

    #[test]
    fn ids_and_times_outlast_free_text() {
        let set = RowSet::new(vec![
            Column::time("at", "time"),
            Column::id("trace_id", "trace"),
            Column::text("what", "what"),
            Column::num("n", "n"),
        ])
        .with_rows([vec![
            Cell::Time(chrono::DateTime::UNIX_EPOCH),
            Cell::text("trace-0123456789"),
            Cell::text("a long description of what happened here"),
            Cell::Int(42),
        ]]);
        let lines = render_table(&set, Some(50));
        assert_eq!(
            lines[1],
            "1970-01-01 00:00:00  trace-0123456789  a long…  42"
        );
        // Narrower still: the id gives way too, the time never does.
        let lines = render_table(&set, Some(44));
        assert_eq!(lines[1], "1970-01-01 00:00:00  trace-0123…  a lon…  42");
    }

    #[test]
    fn hopelessly_narrow_terminals_cut_lines() {
        for line in render_table(&sample(), Some(12)) {
            assert!(display_width(&line) <= 12, "{line:?}");
        }
    }

    #[test]
    fn escape_sequences_are_stripped_from_cells() {
        let set =
            RowSet::new(vec![Column::text("message", "message")]).with_rows([vec![Cell::text(
                "\u{1b}[2J\u{1b}]0;pwned\u{7}hello \u{1b}[31mred\u{1b}[0m",
            )]]);
        let lines = render_table(&set, Some(80));
        assert_eq!(lines[1], "hello red");
        let mut out = Vec::new();
        write(&mut out, &vec![Block::Table(set)], Some(80)).unwrap();
        assert!(!out.contains(&0x1b));
    }

    #[test]
    fn wide_characters_are_measured_by_display_width() {
        let set =
            RowSet::new(vec![Column::text("name", "name"), Column::num("n", "n")]).with_rows([
                vec![Cell::text("日本語テキストです、長い名前"), Cell::Int(5)],
            ]);
        for line in render_table(&set, Some(16)) {
            assert!(display_width(&line) <= 16, "{line:?}");
        }
    }

    #[test]
    fn empty_tables_say_so() {
        let set = RowSet::new(vec![Column::text("a", "a")]);
        assert_eq!(render_table(&set, Some(80)), vec!["(no rows)"]);
    }

    #[test]
    fn fields_align_labels() {
        let lines = render_block(
            &Block::Fields(vec![
                ("requests".into(), Cell::Int(12)),
                ("cost".into(), Cell::Money(Microdollars(1_500_000))),
            ]),
            Some(80),
        );
        assert_eq!(lines, vec!["requests: 12", "cost:     $1.50"]);
    }

    #[test]
    fn text_wraps_at_words_and_keeps_paragraphs() {
        let lines = wrap_text(
            "the quick brown fox\njumps \u{1b}[1mover\u{1b}[0m",
            2,
            Some(14),
        );
        assert_eq!(lines, vec!["  the quick", "  brown fox", "  jumps over"]);
        let long = wrap_text(&"x".repeat(25), 0, Some(10));
        assert_eq!(long, vec!["x".repeat(10), "x".repeat(10), "x".repeat(5)]);
    }

    #[test]
    fn blocks_are_separated_by_blank_lines() {
        let mut out = Vec::new();
        let doc = vec![
            Block::Heading("Costs".into()),
            Block::Fields(vec![("a".into(), Cell::Int(1))]),
            Block::Line("done".into()),
            Block::Text {
                body: "body".into(),
                indent: 2,
            },
            Block::Fields(vec![("b".into(), Cell::Int(2))]),
        ];
        write(&mut out, &doc, Some(80)).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Costs\na: 1\n\ndone\n  body\n\nb: 2\n"
        );
    }
}
