//! Navigation between screens: opening a trace (by id, by prefix, from a
//! drill-down) and coming back, the overlays screens ask for, and the
//! fixed report window of `:window`.

use super::*;
use crate::tui::app::overlays::{ALL_MODULES, Picker, TraceList};

impl App {
    /// `:window FROM..TO`: on a source with a past (database, remote
    /// server, recording), replay that window (every report answers for
    /// it); `:window` alone goes back to live and the rolling windows.
    /// Elsewhere (demo), only fix every report's window.
    pub(super) fn window_command(&mut self, range: Option<(String, Option<String>)>) {
        if !self.can_time_travel {
            return self.fix_window(range);
        }
        match range {
            None => {
                self.stop_replay();
                if self.replay.is_none() {
                    self.fixed_window = None;
                    self.refresh(true);
                }
            }
            Some((from, to)) => {
                match crate::query::resolve_window(Some(&from), to.as_deref(), None, self.now) {
                    Ok(window) => self.start_replay(window),
                    Err(e) => {
                        let text = e
                            .to_string()
                            .replace("--since", "FROM")
                            .replace("--until", "TO");
                        self.say(text)
                    }
                }
            }
        }
    }

    /// `:window FROM..TO` without time travel: fix every report's window
    /// (or go back to the rolling windows), then ask the current view again.
    pub(super) fn fix_window(&mut self, range: Option<(String, Option<String>)>) {
        match range {
            None => {
                self.fixed_window = None;
                self.say("rolling windows again (t cycles them)");
            }
            Some((from, to)) => {
                match crate::query::resolve_window(Some(&from), to.as_deref(), None, self.now) {
                    Ok(window) => {
                        self.fixed_window = Some(window);
                        self.say(format!(
                            "every report answers for {} (:window alone clears)",
                            window_label(&window)
                        ));
                    }
                    Err(e) => {
                        let text = e
                            .to_string()
                            .replace("--since", "FROM")
                            .replace("--until", "TO");
                        return self.say(text);
                    }
                }
            }
        }
        self.refresh(true);
    }

    // ---------------------------------------------------------- navigation

    /// Carry out a screen's navigation request.
    pub(super) fn navigate(&mut self, nav: Nav) {
        match nav {
            Nav::OpenTrace { trace_id, select } => {
                let ret = ReturnPoint {
                    view: if self.view == ViewId::Trace {
                        self.trace_return.map_or(ViewId::Live, |r| r.view)
                    } else {
                        self.view
                    },
                    feed: self.live.position(),
                };
                self.open_trace_selecting(trace_id, select, Some(ret));
            }
            Nav::Back => match self.trace_return {
                Some(ret) => {
                    self.view = ret.view;
                    if ret.view == ViewId::Live {
                        self.live.restore(ret.feed);
                    }
                    self.refresh(true);
                }
                None => self.switch_view(ViewId::Live),
            },
            Nav::FeedFilter => {
                let mut editor = text_area("text · level:error · user:… · model:… · tool:…");
                editor.insert_str(&self.live.feed.filter().raw);
                self.overlay = Some(Overlay::Filter(editor));
            }
            Nav::Search(current) => {
                let mut editor = text_area("search this trace (n / N: next / previous)");
                editor.insert_str(&current);
                self.overlay = Some(Overlay::Search(editor));
            }
            Nav::Traces { title, filter } => {
                let generation = self.traces_slot.anew();
                self.effects
                    .push(Effect::Query(Query::Traces { generation, filter }));
                self.overlay = Some(Overlay::Traces(TraceList {
                    title,
                    generation,
                    traces: Loadable::Loading,
                    selected: 0,
                }));
            }
            Nav::FeedWith(filter) => {
                self.switch_view(ViewId::Live);
                self.live.set_filter(FeedFilter::parse(&filter));
                self.say(format!("the feed, filtered: {filter}"));
            }
            Nav::PickModule(modules) => {
                let mut choices = vec![ALL_MODULES.to_string()];
                choices.extend(modules);
                self.overlay = Some(Overlay::Picker(Picker::new(
                    "Log module · type to narrow · Enter picks · Esc cancels",
                    choices,
                )));
            }
            Nav::Note(target, existing) => {
                let mut editor = text_area("note (Ctrl-S saves, Esc cancels)");
                editor.insert_str(&existing);
                self.overlay = Some(Overlay::Note { target, editor });
            }
        }
    }

    /// `:trace PREFIX`: resolve a trace, request or task id prefix (as the
    /// audit box does), then open its trace.
    pub(super) fn resolve_trace(&mut self, prefix: String) {
        if prefix.chars().count() < MIN_AUDIT_PREFIX {
            return self.say(format!(
                "type at least {MIN_AUDIT_PREFIX} characters of a trace, request or task id"
            ));
        }
        self.say(format!("looking up {}…", crate::sanitize::clean(&prefix)));
        self.effects.push(Effect::Query(Query::ResolveTrace {
            generation: self.trace_lookup_slot.anew(),
            prefix,
        }));
    }

    pub(super) fn on_trace_resolved(&mut self, prefix: &str, answer: Answer<AuditResolution>) {
        let prefix = crate::sanitize::clean(prefix);
        match answer {
            Ok(AuditResolution::Found(record)) => match record.trace_id.clone() {
                Some(trace_id) => {
                    self.status = None;
                    let select =
                        (record.matched_kind != IdKind::Trace).then(|| record.matched_id.clone());
                    self.navigate(Nav::OpenTrace { trace_id, select });
                }
                None => self.say(format!(
                    "{} {} belongs to no trace",
                    record.matched_kind.as_str(),
                    crate::sanitize::clean(&record.matched_id)
                )),
            },
            Ok(AuditResolution::Ambiguous { candidates, .. }) => {
                let shown: Vec<String> = candidates
                    .iter()
                    .take(4)
                    .map(|c| format!("{} {}", c.kind.as_str(), crate::sanitize::clean(&c.id)))
                    .collect();
                let more = candidates.len().saturating_sub(shown.len());
                self.say(format!(
                    "{prefix} matches {} ids: {}{} · type more of the id",
                    candidates.len(),
                    shown.join(" · "),
                    if more > 0 {
                        format!(" · {more} more")
                    } else {
                        String::new()
                    }
                ));
            }
            Err(f) if f.kind == FailureKind::NotFound => {
                self.say(format!("no trace, request or task id starts with {prefix}"))
            }
            Err(f) => self.say(format!("cannot look up {prefix}: {f}")),
        }
    }

    /// Open a trace (queues its queries) and switch to the trace view.
    pub fn open_trace(&mut self, trace_id: TraceId, return_to: Option<ReturnPoint>) {
        self.open_trace_selecting(trace_id, None, return_to);
    }

    pub(super) fn open_trace_selecting(
        &mut self,
        trace_id: TraceId,
        select: Option<String>,
        return_to: Option<ReturnPoint>,
    ) {
        let trace = with_cx!(self, cx => TraceState::open(trace_id, select, &mut cx));
        self.trace = Some(trace);
        self.trace_return = return_to;
        self.view = ViewId::Trace;
    }

    /// Number of waterfall rows of the open trace (task row + events).
    pub fn trace_row_count(&self) -> usize {
        self.trace.as_ref().map(TraceState::row_count).unwrap_or(0)
    }
}
