//! `analytics sessions`, `traffic` and `content`: clean-traffic session
//! figures with the bot share beside them, by source, client, device,
//! country, landing page and referrer.

use super::*;

/// The line under a session report's header that says whether bots are
/// in the totals.
fn bots_line(included: bool, bot_sessions: i64, bot_share: f64) -> Block {
    let share = format!("{:.1}%", bot_share * 100.0);
    Block::Line(if included {
        format!("bots included: {bot_sessions} bot sessions ({share} of all) are in the totals")
    } else {
        format!(
            "clean traffic: {bot_sessions} bot sessions ({share} of all) left out; --include-bots counts them"
        )
    })
}

pub(super) async fn sessions(args: TrafficArgs) -> Result<()> {
    let p = prepare(&args.common).await?;
    let s = p
        .engine
        .session_stats_counting(&p.window, args.counting())
        .await?;
    let fields = vec![
        Field::new("session_count", "sessions", Cell::Int(s.session_count)),
        Field::new("unique_users", "unique users", Cell::Int(s.unique_users)),
        Field::new("ended_count", "ended", Cell::Int(s.ended_count)),
        Field::new(
            "avg_duration_seconds",
            "avg duration s",
            Cell::Int(s.avg_duration_seconds),
        ),
        Field::new("total_requests", "requests", Cell::Int(s.total_requests)),
        Field::new(
            "total_ai_requests",
            "AI requests",
            Cell::Int(s.total_ai_requests),
        ),
        Field::new("bot_sessions", "bot sessions", Cell::Int(s.bot_sessions)),
        Field::new(
            "scanner_sessions",
            "scanner sessions",
            Cell::Int(s.scanner_sessions),
        ),
        Field::new(
            "behavioral_bot_sessions",
            "behavioural bots",
            Cell::Int(s.behavioral_bot_sessions),
        ),
        Field::new(
            "ai_crawler_sessions",
            "AI crawlers",
            Cell::Int(s.ai_crawler_sessions),
        ),
        Field::new("bot_share", "bot share", Cell::Rate(s.bot_share)),
        Field::new(
            "bots_included",
            "bots included",
            Cell::text(if s.bots_included { "yes" } else { "no" }),
        ),
    ];
    let title = format!(
        "Sessions ({})",
        if s.bots_included {
            "bots included"
        } else {
            "clean traffic"
        }
    );
    single_record(p.format, &s, &title, &p.window, fields)
}

/// Traffic as one table with a `dimension` column
/// (`source`, `client`, `device`, `country`).
pub fn traffic_rows(t: &TrafficReport) -> RowSet {
    let groups: [(&str, &Vec<TrafficRow>); 4] = [
        ("source", &t.by_source),
        ("client", &t.by_client),
        ("device", &t.by_device),
        ("country", &t.by_country),
    ];
    RowSet::new(traffic_columns(true)).with_rows(
        groups
            .into_iter()
            .flat_map(|(dim, rows)| rows.iter().map(move |r| traffic_cells(Some(dim), r))),
    )
}

/// Columns of a report that lists several breakdowns; in one combined
/// table (CSV, JSON rows) a leading `dimension` column names each row's.
fn dimensioned_columns(
    with_dimension: bool,
    columns: impl IntoIterator<Item = Column>,
) -> Vec<Column> {
    with_dimension
        .then(|| Column::id("dimension", "dimension"))
        .into_iter()
        .chain(columns)
        .collect()
}

/// Cells of one breakdown row, after its dimension when there is one.
fn dimensioned_cells(dimension: Option<&str>, cells: impl IntoIterator<Item = Cell>) -> Vec<Cell> {
    dimension.map(Cell::text).into_iter().chain(cells).collect()
}

fn traffic_columns(with_dimension: bool) -> Vec<Column> {
    dimensioned_columns(
        with_dimension,
        [
            Column::text("key", "key"),
            Column::num("session_count", "sessions"),
            Column::num("bot_count", "bots"),
            Column::num("scanner_count", "scanners"),
            Column::num("share", "share"),
        ],
    )
}

fn traffic_cells(dimension: Option<&str>, r: &TrafficRow) -> Vec<Cell> {
    dimensioned_cells(
        dimension,
        [
            Cell::text(&r.key),
            Cell::Int(r.session_count),
            Cell::Int(r.bot_count),
            Cell::Int(r.scanner_count),
            Cell::Rate(r.share),
        ],
    )
}

pub(super) async fn traffic(args: TrafficArgs) -> Result<()> {
    let p = prepare(&args.common).await?;
    let t = p
        .engine
        .traffic_counting(&p.window, p.limit, args.counting())
        .await?;
    output::emit(
        p.format,
        &Windowed::new(&p.window, &t),
        || traffic_rows(&t),
        || {
            let mut doc: Document = vec![
                heading("Traffic", Some(&p.window)),
                output::record_block(&[
                    Field::new("total_sessions", "sessions", Cell::Int(t.total_sessions)),
                    Field::new("bot_sessions", "bot sessions", Cell::Int(t.bot_sessions)),
                    Field::new(
                        "scanner_sessions",
                        "scanner sessions",
                        Cell::Int(t.scanner_sessions),
                    ),
                    Field::new("bot_share", "bot share", Cell::Rate(t.bot_share)),
                    Field::new(
                        "scanner_share",
                        "scanner share",
                        Cell::Rate(t.scanner_share),
                    ),
                ]),
                bots_line(t.bots_included, t.bot_sessions, t.bot_share),
            ];
            for (title, rows) in [
                ("By source", &t.by_source),
                ("By client", &t.by_client),
                ("By device", &t.by_device),
                ("By country", &t.by_country),
            ] {
                doc.push(Block::Heading(title.into()));
                doc.push(Block::Table(
                    RowSet::new(traffic_columns(false))
                        .with_rows(rows.iter().map(|r| traffic_cells(None, r))),
                ));
            }
            doc
        },
    )
}

/// Content as one table with a `dimension` column (`landing_page`, `referrer`).
pub fn content_rows(c: &ContentReport) -> RowSet {
    RowSet::new(content_columns(true)).with_rows(
        [
            ("landing_page", &c.landing_pages),
            ("referrer", &c.referrers),
        ]
        .into_iter()
        .flat_map(|(dim, rows)| rows.iter().map(move |r| content_cells(Some(dim), r))),
    )
}

fn content_columns(with_dimension: bool) -> Vec<Column> {
    dimensioned_columns(
        with_dimension,
        [
            Column::text("key", "key"),
            Column::num("session_count", "sessions"),
            Column::num("unique_users", "users"),
            Column::num("share", "share"),
        ],
    )
}

fn content_cells(dimension: Option<&str>, r: &ContentRow) -> Vec<Cell> {
    dimensioned_cells(
        dimension,
        [
            Cell::text(&r.key),
            Cell::Int(r.session_count),
            Cell::Int(r.unique_users),
            Cell::Rate(r.share),
        ],
    )
}

pub(super) async fn content(args: TrafficArgs) -> Result<()> {
    let p = prepare(&args.common).await?;
    let c = p
        .engine
        .content_counting(&p.window, p.limit, args.counting())
        .await?;
    output::emit(
        p.format,
        &Windowed::new(&p.window, &c),
        || content_rows(&c),
        || {
            vec![
                heading("Content", Some(&p.window)),
                output::record_block(&[
                    Field::new("total_sessions", "sessions", Cell::Int(c.total_sessions)),
                    Field::new("bot_sessions", "bot sessions", Cell::Int(c.bot_sessions)),
                ]),
                bots_line(
                    c.bots_included,
                    c.bot_sessions,
                    rate(
                        c.bot_sessions,
                        if c.bots_included {
                            c.total_sessions
                        } else {
                            c.total_sessions + c.bot_sessions
                        },
                    ),
                ),
                Block::Heading("Landing pages".into()),
                Block::Table(
                    RowSet::new(content_columns(false))
                        .with_rows(c.landing_pages.iter().map(|r| content_cells(None, r))),
                ),
                Block::Heading("Referrers".into()),
                Block::Table(
                    RowSet::new(content_columns(false))
                        .with_rows(c.referrers.iter().map(|r| content_cells(None, r))),
                ),
            ]
        },
    )
}
