//! `tracetop analytics costs --reprice [--as MODEL=OTHER]… [--prices FILE]`:
//! every completed request of the window priced from its tokens at the
//! price table in force at its time, per served model, against the stored
//! cost (semantics on [`crate::query::reprice`]).
//!
//! The table: `--prices FILE` (tracetop TOML or LiteLLM JSON), else the
//! config's `prices = "FILE"`, else the shipped one. JSON is the report
//! with the window and the table's source first; CSV one row per model
//! (`status` `priced` or `unpriced`, the worst request ids joined by
//! spaces); the table a summary, the models, the worst requests and the
//! models without a price.

use super::{CostsArgs, prepare};
use crate::error::Result;
use crate::model::Timestamp;
use crate::output::{self, Block, Cell, Column, Field, RowSet};
use crate::prices::{PriceTable, RateCard, rate_card::parse_what_if};
use crate::query::{Counting, DEFAULT_WORST, RepriceQuery, RepriceReport};
use crate::tui::config::ConsoleConfig;
use serde::Serialize;
use std::sync::Arc;

/// The JSON document: window and price source, then the report.
#[derive(Debug, Serialize)]
pub struct RepriceOutput<'a> {
    pub window_start: Timestamp,
    pub window_end: Timestamp,
    /// `shipped`, or the price file's path.
    pub prices_source: String,
    #[serde(flatten)]
    pub report: &'a RepriceReport,
}

/// The price table a costs command uses: `--prices`, else the config
/// file's `prices`, else the shipped one.
pub fn price_table(flag: Option<&std::path::Path>) -> Result<PriceTable> {
    if let Some(path) = flag {
        return PriceTable::load(path);
    }
    let config = ConsoleConfig::load(None)?;
    PriceTable::from_flag_or_config(None, config.prices.as_deref())
}

pub(super) async fn run(args: CostsArgs) -> Result<()> {
    // everything checked before a connection is made
    let what_if = args
        .as_model
        .iter()
        .map(|t| parse_what_if(t))
        .collect::<Result<Vec<_>>>()?;
    let table = price_table(args.prices.as_deref())?;
    let card = Arc::new(RateCard::new(&table, &what_if)?);
    let worst = args
        .worst
        .unwrap_or(if what_if.is_empty() { DEFAULT_WORST } else { 0 });
    let p = prepare(&args.common).await?;
    let query = RepriceQuery {
        window: p.window,
        counting: Counting {
            include_synthetic: args.include_synthetic,
            ..Counting::PLATFORM
        },
        card,
        worst,
    };
    let report = p.engine.reprice(&query).await?;
    let doc = RepriceOutput {
        window_start: p.window.start,
        window_end: p.window.end,
        prices_source: table.source().to_string(),
        report: &report,
    };
    output::emit(
        p.format,
        &doc,
        || reprice_rows(&report),
        || {
            let mut blocks = vec![super::heading(
                if report.what_if.is_empty() {
                    "Re-priced costs"
                } else {
                    "What-if costs"
                },
                Some(&p.window),
            )];
            blocks.push(output::record_block(&summary_fields(&doc)));
            for w in &report.what_if {
                blocks.push(Block::Line(format!(
                    "what-if: {} priced at {}'s prices",
                    crate::sanitize::clean(&w.model),
                    crate::sanitize::clean(&w.priced_as)
                )));
            }
            blocks.push(Block::Heading("By model".into()));
            blocks.push(Block::Table(
                reprice_rows(&report).without(&["status", "worst_request_ids"]),
            ));
            let worst = worst_rows(&report);
            if !worst.rows.is_empty() {
                blocks.push(Block::Heading("Worst requests".into()));
                blocks.push(Block::Table(worst));
            }
            if !report.unpriced_models.is_empty() {
                blocks.push(Block::Heading(
                    "Models without a price (not in the totals)".into(),
                ));
                blocks.push(Block::Table(unpriced_rows(&report)));
            }
            blocks
        },
    )
}

fn summary_fields(doc: &RepriceOutput) -> Vec<Field> {
    let r = doc.report;
    vec![
        Field::new("prices_source", "prices", Cell::text(&doc.prices_source)),
        Field::new(
            "request_count",
            "priced requests",
            Cell::Int(r.request_count),
        ),
        Field::new(
            "stored_microdollars",
            "stored",
            Cell::Money(r.stored_microdollars),
        ),
        Field::new(
            "priced_microdollars",
            "priced",
            Cell::Money(r.priced_microdollars),
        ),
        Field::new(
            "drift_microdollars",
            "drift (stored − priced)",
            Cell::Money(r.drift_microdollars),
        ),
        Field::new(
            "drifted_requests",
            "drifting requests",
            Cell::Int(r.drifted_requests),
        ),
        Field::new(
            "unpriced_request_count",
            "requests without a price",
            Cell::Int(r.unpriced_request_count),
        ),
    ]
}

/// One row per model: the priced ones, then those without a price.
pub fn reprice_rows(r: &RepriceReport) -> RowSet {
    RowSet::new(vec![
        Column::id("status", "status"),
        Column::text("model", "model"),
        Column::text("priced_as", "priced as"),
        Column::num("request_count", "requests"),
        Column::num("stored_microdollars", "stored"),
        Column::num("priced_microdollars", "priced"),
        Column::num("drift_microdollars", "drift"),
        Column::num("drifted_requests", "drifting"),
        Column::text("worst_request_ids", "worst requests"),
    ])
    .with_rows(
        r.models
            .iter()
            .map(|m| {
                vec![
                    Cell::text("priced"),
                    Cell::text(&m.model),
                    Cell::text(&m.priced_as),
                    Cell::Int(m.request_count),
                    Cell::Money(m.stored_microdollars),
                    Cell::Money(m.priced_microdollars),
                    Cell::Money(m.drift_microdollars),
                    Cell::Int(m.drifted_requests),
                    Cell::text(
                        m.worst_requests
                            .iter()
                            .map(|w| w.id.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                ]
            })
            .chain(r.unpriced_models.iter().map(|u| {
                vec![
                    Cell::text("unpriced"),
                    Cell::text(&u.model),
                    Cell::Empty,
                    Cell::Int(u.request_count),
                    Cell::Money(u.stored_microdollars),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                ]
            })),
    )
}

fn worst_rows(r: &RepriceReport) -> RowSet {
    RowSet::new(vec![
        Column::text("model", "model"),
        Column::id("id", "request"),
        Column::time("created_at", "created"),
        Column::num("stored_microdollars", "stored"),
        Column::num("priced_microdollars", "priced"),
        Column::num("drift_microdollars", "drift"),
    ])
    .with_rows(r.models.iter().flat_map(|m| {
        m.worst_requests.iter().map(|w| {
            vec![
                Cell::text(&m.model),
                Cell::text(&w.id),
                Cell::Time(w.created_at),
                Cell::Money(w.stored_microdollars),
                Cell::Money(w.priced_microdollars),
                Cell::Money(w.drift_microdollars),
            ]
        })
    }))
}

fn unpriced_rows(r: &RepriceReport) -> RowSet {
    RowSet::new(vec![
        Column::text("model", "model"),
        Column::num("request_count", "requests"),
        Column::num("stored_microdollars", "stored"),
        Column::time("first_request_at", "first"),
        Column::time("last_request_at", "last"),
    ])
    .with_rows(r.unpriced_models.iter().map(|u| {
        vec![
            Cell::text(&u.model),
            Cell::Int(u.request_count),
            Cell::Money(u.stored_microdollars),
            Cell::Time(u.first_request_at),
            Cell::Time(u.last_request_at),
        ]
    }))
}
