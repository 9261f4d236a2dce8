//! What the app does with the source's updates: events into the live view
//! (or, while a replay runs, into the live view kept aside), the source's
//! state and counters.

use super::*;

/// The source's open anomalies and last stats snapshot, as a view keeps
/// them.
struct SourceNotes<'a> {
    open_anomalies: &'a mut BTreeMap<String, Anomaly>,
    source_stats: &'a mut Option<StatsSnapshot>,
}

/// What [`SourceNotes::take`] changed.
#[derive(Default)]
struct NotesChanged {
    anomalies: bool,
    stats: bool,
}

impl SourceNotes<'_> {
    /// Note the anomalies raised, escalated and cleared in `events`, and
    /// the newest stats snapshot.
    fn take(&mut self, events: &[Event]) -> NotesChanged {
        let mut changed = NotesChanged::default();
        for event in events {
            match event {
                Event::AnomalyRaised { anomaly } | Event::AnomalyEscalated { anomaly } => {
                    self.open_anomalies
                        .insert(anomaly.id.clone(), anomaly.clone());
                    changed.anomalies = true;
                }
                Event::AnomalyCleared { anomaly } => {
                    self.open_anomalies.remove(&anomaly.id);
                    changed.anomalies = true;
                }
                Event::StatsSnapshot { stats } => {
                    *self.source_stats = Some(stats.clone());
                    changed.stats = true;
                }
                _ => {}
            }
        }
        changed
    }
}

impl App {
    pub(super) fn on_source(&mut self, update: SourceUpdate) {
        match update {
            SourceUpdate::Events(events) => match self.live_aside.as_mut() {
                // a replay runs: the live events go to the live view kept aside
                Some(aside) => {
                    SourceNotes {
                        open_anomalies: &mut aside.open_anomalies,
                        source_stats: &mut aside.source_stats,
                    }
                    .take(&events);
                    aside.live.feed.push_events_with(&events, &self.thresholds);
                }
                None => self.take_events(&events),
            },
            SourceUpdate::State(state) => {
                if state != self.source_state {
                    self.source_state = state;
                    self.dirty = true;
                }
            }
            SourceUpdate::Counters(counters) => {
                if counters != self.counters {
                    self.counters = counters;
                    self.dirty = true;
                }
            }
            raw @ SourceUpdate::Raw(_) => self.on_source(raw.decoded()),
        }
    }

    /// Events into the live view: the feed, the open anomalies, the
    /// source's own counters.
    pub(super) fn take_events(&mut self, events: &[Event]) {
        let changed = SourceNotes {
            open_anomalies: &mut self.open_anomalies,
            source_stats: &mut self.source_stats,
        }
        .take(events);
        if changed.anomalies {
            self.audit.set_anomalies(&self.open_anomalies);
        }
        let added = self.live.feed.push_events_with(events, &self.thresholds);
        if changed.stats || added > 0 {
            self.dirty = true;
        }
    }
}
