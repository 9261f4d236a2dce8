//! The console's screens, one folder each: `live`, `trace`, `costs`,
//! `leaders`, `audit`, `logs`. A screen owns its state, turns the actions
//! and replies meant for it into state changes, and draws itself
//! (`state.rs` + `view.rs`). Screens never reach into each other: what
//! crosses a screen's edge goes through [`Cx`], the context the app hands
//! to a screen's handlers, as a queued effect, a footer message or a
//! [`Nav`] request that the app carries out.

pub mod audit;
pub mod costs;
pub mod leaders;
pub mod live;
pub mod logs;
pub mod trace;

use super::layout::ScreenLayout;
use super::msg::{Effect, Query};
use crate::model::{Timestamp, TraceId};
use crate::query::Bucket;
use chrono::Duration;
use tui_textarea::TextArea;

/// The report windows the costs and leaderboard views cycle through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostWindow {
    Day,
    Week,
    Month,
}

impl CostWindow {
    /// Label.
    pub fn label(self) -> &'static str {
        match self {
            CostWindow::Day => "24h",
            CostWindow::Week => "7d",
            CostWindow::Month => "30d",
        }
    }

    /// Length of the window.
    pub fn span(self) -> Duration {
        match self {
            CostWindow::Day => Duration::hours(24),
            CostWindow::Week => Duration::days(7),
            CostWindow::Month => Duration::days(30),
        }
    }

    /// Trend bucket for the window.
    pub fn bucket(self) -> Bucket {
        Bucket::for_span(self.span())
    }

    /// The next window `t` cycles to.
    pub fn next(self) -> CostWindow {
        match self {
            CostWindow::Day => CostWindow::Week,
            CostWindow::Week => CostWindow::Month,
            CostWindow::Month => CostWindow::Day,
        }
    }
}

/// A navigation a screen asks the app for.
#[derive(Debug, Clone, PartialEq)]
pub enum Nav {
    /// Open this trace, with the item of this id selected when it is there;
    /// `Esc` comes back to where the user was.
    OpenTrace {
        trace_id: TraceId,
        select: Option<String>,
    },
    /// Back to where the open trace was opened from.
    Back,
    /// Open the feed filter box.
    FeedFilter,
    /// Open the search box of the current screen, holding this text.
    Search(String),
    /// List the traces that match (a drill-down from an aggregate row).
    Traces {
        title: String,
        filter: crate::query::TraceListFilter,
    },
    /// Open the feed with this filter (what has no trace list yet).
    FeedWith(String),
    /// Pick one of these log modules (type to narrow).
    PickModule(Vec<String>),
    /// Open the note editor for this subject.
    Note(audit::ReviewSubject, String),
}

/// What a screen's handlers may touch outside the screen.
pub struct Cx<'a> {
    pub now: Timestamp,
    pub layout: &'a ScreenLayout,
    /// The window `:window FROM..TO` fixed for every report (none: each
    /// screen's rolling window).
    pub fixed_window: Option<crate::query::TimeWindow>,
    effects: &'a mut Vec<Effect>,
    status: &'a mut Option<(String, Timestamp)>,
    nav: Option<Nav>,
}

impl<'a> Cx<'a> {
    /// A context writing into the app's effect queue and footer.
    pub fn new(
        now: Timestamp,
        layout: &'a ScreenLayout,
        effects: &'a mut Vec<Effect>,
        status: &'a mut Option<(String, Timestamp)>,
    ) -> Self {
        Cx {
            now,
            layout,
            fixed_window: None,
            effects,
            status,
            nav: None,
        }
    }

    /// The window a report asks for: the fixed one, else `span` back from
    /// now.
    pub fn report_window(&self, span: Duration) -> crate::query::TimeWindow {
        self.fixed_window
            .unwrap_or_else(|| crate::query::TimeWindow::last(span, self.now))
    }

    /// Say something in the footer.
    pub fn say(&mut self, text: impl Into<String>) {
        *self.status = Some((text.into(), self.now));
    }

    /// Ask the history engine.
    pub fn query(&mut self, query: Query) {
        self.effects.push(Effect::Query(query));
    }

    /// Queue any other effect.
    pub fn effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    /// Ask the app to navigate (the last request wins).
    pub fn go(&mut self, nav: Nav) {
        self.nav = Some(nav);
    }

    /// The navigation asked for, if any.
    pub fn take_nav(&mut self) -> Option<Nav> {
        self.nav.take()
    }
}

/// Take the answer of `generation` into `data` when `slot` accepts it. A
/// failure keeps data already on screen and says what failed (`what:
/// cause`); with nothing shown yet the failure is shown. True when new data
/// arrived (the caller finds its cursors again).
pub fn take_answer<T>(
    slot: &mut super::msg::Slot,
    data: &mut super::msg::Loadable<T>,
    generation: u64,
    answer: super::msg::Answer<T>,
    what: &str,
    cx: &mut Cx,
) -> bool {
    use super::msg::Loadable;
    if !slot.accept(generation) {
        return false;
    }
    match answer {
        Ok(value) => {
            *data = Loadable::Ready(value);
            return true;
        }
        Err(e) if matches!(data, Loadable::Ready(_)) => cx.say(format!("{what}: {e}")),
        Err(e) => *data = Loadable::Failed(e.message),
    }
    false
}

/// A one-line text box with a placeholder.
pub fn text_area(placeholder: &str) -> Box<TextArea<'static>> {
    let mut t = TextArea::default();
    t.set_placeholder_text(placeholder);
    t.set_cursor_line_style(ratatui::style::Style::default());
    Box::new(t)
}

/// The text of a one-line box.
pub fn single_line(t: &TextArea<'_>) -> String {
    t.lines().join(" ").trim().to_string()
}
