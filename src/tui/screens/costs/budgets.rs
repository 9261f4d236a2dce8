//! The costs view's burn-rate and budgets panel: spend now (per minute,
//! per hour), today and this month so far with their projections
//! (labelled "at this rate"), then one row per configured budget: spent,
//! limit, share, projected at period end and the state, marked by symbol
//! and word (`✓ ok`, `⚠ warn`, `✗ over`), never by colour alone.

use crate::model::{BudgetState, BudgetStatus, StateBasis};
use crate::sanitize::{clean, truncate_width};
use crate::tui::app::App;
use crate::tui::views::*;
use ratatui::widgets::{Cell, Row, Table};

/// Most budget rows the panel shows (the rest: `tracetop budgets`).
pub const MAX_ROWS: usize = 6;

/// Rows the panel takes in a body `body_height` rows tall: its borders,
/// the burn-rate line, and a header and a row per budget (fewer on short
/// terminals, the most urgent first), or one line saying there are none.
pub fn height(app: &App, body_height: u16) -> u16 {
    let budgets = app.spend.budgets().len();
    let room = match body_height {
        0..=29 => 1,
        30..=39 => 3,
        _ => MAX_ROWS,
    };
    let body = if budgets == 0 {
        1
    } else {
        1 + budgets.min(room)
    };
    (2 + 1 + body) as u16
}

/// Draw the panel into `area`.
pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let zone = app
        .spend
        .data
        .as_ref()
        .map_or_else(String::new, |d| format!(" · {}", d.burn.timezone));
    let block = panel(
        theme,
        format!("Burn rate & budgets{zone} · projection = last hour's pace × time left"),
        false,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(data) = app.spend.data.as_ref() else {
        let (text, failed) = match &app.spend.error {
            Some(e) => (format!("cannot load spend: {}", clean(e)), true),
            None => ("loading spend…".to_string(), false),
        };
        placeholder(frame, theme, inner, &text, failed);
        return;
    };
    let [burn_area, rows_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let bold = theme.cost.add_modifier(Modifier::BOLD);
    let b = &data.burn;
    // narrow panes drop the per-minute figure and say "proj" for "at this rate"
    let wide = inner.width >= 110;
    let projected = if wide { "at this rate" } else { "proj" };
    let mut spans = vec![Span::styled("now ", theme.muted)];
    if wide {
        spans.push(Span::styled(
            b.spend_per_minute_microdollars.to_string(),
            bold,
        ));
        spans.push(Span::styled("/min ", theme.muted));
    }
    spans.extend([
        Span::styled(b.spend_per_hour_microdollars.to_string(), bold),
        Span::styled("/h   today ", theme.muted),
        Span::styled(b.today_microdollars.to_string(), bold),
        Span::styled(
            format!(" → {} {projected}", b.projected_day_microdollars),
            theme.muted,
        ),
        Span::styled("   month ", theme.muted),
        Span::styled(b.month_to_date_microdollars.to_string(), bold),
        Span::styled(
            format!(" → {} {projected}", b.projected_month_microdollars),
            theme.muted,
        ),
    ]);
    let burn = Line::from(spans);
    frame.render_widget(Paragraph::new(burn), burn_area);
    if let Some(e) = &app.spend.error {
        // the figures above are the last good ones; say why they are old
        let line = Line::from(Span::styled(
            format!("✗ refresh failed: {}", clean(e)),
            theme.error,
        ));
        frame.render_widget(Paragraph::new(line), rows_area);
        return;
    }
    if data.budgets.is_empty() {
        let hint = "no budgets: add [[budget]] entries (name, scope, match, period, limit_usd) to the config file";
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(hint, theme.muted))),
            rows_area,
        );
        return;
    }
    // the most urgent first: over, then warn, then ok (stable within)
    let mut shown: Vec<&BudgetStatus> = data.budgets.iter().collect();
    shown.sort_by_key(|s| std::cmp::Reverse(s.state));
    let room = rows_area.height.saturating_sub(1) as usize;
    let hidden = shown.len().saturating_sub(room);
    let with_scope = rows_area.width >= 100;
    let rows: Vec<Row> = shown
        .iter()
        .take(room)
        .map(|s| budget_row(app, s, with_scope))
        .collect();
    let right = |t: &'static str| Cell::from(Line::from(t).alignment(Alignment::Right));
    let first = if hidden > 0 {
        format!("budget (+{hidden} more)")
    } else {
        "budget".to_string()
    };
    let mut header = vec![Cell::from(first)];
    let mut widths = vec![Constraint::Fill(2)];
    if with_scope {
        header.push(Cell::from("scope"));
        widths.push(Constraint::Fill(2));
    }
    header.extend([
        Cell::from("period"),
        right("spent"),
        right("limit"),
        right("%"),
        right("projected"),
        Cell::from("state"),
    ]);
    widths.extend([
        Constraint::Length(6),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(5),
        Constraint::Length(10),
        Constraint::Length(14),
    ]);
    frame.render_widget(
        Table::new(rows, widths).header(Row::new(header).style(theme.header)),
        rows_area,
    );
}

fn budget_row(app: &App, s: &BudgetStatus, with_scope: bool) -> Row<'static> {
    let theme = &app.theme;
    let scope = match &s.pattern {
        Some(p) => format!("{} {}", s.scope.name(), p),
        None => s.scope.name().to_string(),
    };
    let (state, style) = match s.state {
        BudgetState::Ok => ("✓ ok".to_string(), theme.ok),
        BudgetState::Warn => ("⚠ warn".to_string(), theme.warn),
        BudgetState::Over => ("✗ over".to_string(), theme.error),
    };
    let state = match s.state_basis {
        Some(StateBasis::Projected) => format!("{state} (proj)"),
        _ => state,
    };
    let num = |t: String| Cell::from(Line::from(t).alignment(Alignment::Right));
    let mut cells = vec![Cell::from(truncate_width(&clean(&s.name), 32))];
    if with_scope {
        cells.push(Cell::from(truncate_width(&clean(&scope), 32)));
    }
    cells.extend([
        Cell::from(s.period.name()),
        num(s.spent_microdollars.to_string()),
        num(s.limit_microdollars.to_string()),
        num(format!("{:.0}%", s.spent_percent)),
        num(s.projected_microdollars.to_string()),
        Cell::from(Span::styled(state, style.add_modifier(Modifier::BOLD))),
    ]);
    Row::new(cells)
}
