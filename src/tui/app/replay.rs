//! Time travel in the app: starting a replay of a past window (`--at`,
//! `:goto`, `:window`, a recording), the scrub keys, the event loop's
//! reports, and going back to live.
//!
//! While a replay runs, the live view shows the replayed window: its feed
//! and anomalies are the replay's, and the live source's events go on
//! arriving into the live view kept aside (bounded like any feed), which
//! `G` brings back as it is by then. Every report (costs, leaders, audit
//! queue, logs) answers for the replayed window, and the app's clock for
//! them is the replay clock. The replayed view keeps checkpoints
//! ([`crate::tui::replay_checkpoints`]): when the clock goes back, the
//! event loop names the one to start from and sends only the events after
//! it.

use super::*;
use crate::source::window::buffer::ReplayBase;
use crate::tui::replay::{LONG_STEP, ReplayState, STEP};
use crate::tui::replay_checkpoints::ViewCheckpoint;

/// The live view kept aside while a replay runs.
#[derive(Debug, Clone)]
pub struct LiveAside {
    pub live: LiveState,
    pub open_anomalies: BTreeMap<String, Anomaly>,
    pub source_stats: Option<StatsSnapshot>,
    pub rates: LiveRates,
    /// The `:window` fixed before the replay.
    pub fixed_window: Option<TimeWindow>,
}

impl App {
    /// The instant the views answer for: the replay clock while a replay
    /// runs, else the wall clock.
    pub fn clock(&self) -> Timestamp {
        self.replay.as_ref().map_or(self.now, |r| r.position)
    }

    /// Start replaying `window` at the console's replay speed.
    pub fn start_replay(&mut self, window: TimeWindow) {
        if !self.can_time_travel {
            return self.say(
                "time travel needs a database, a remote tracetop serve or a recording: \
                 this source has no past to read",
            );
        }
        self.replay_generation += 1;
        let generation = self.replay_generation;
        let speed = self.replay.as_ref().map_or(self.replay_speed, |r| r.speed);
        let capacity = self.live.feed.capacity();
        let filter = self.live.feed.filter().clone();
        let fresh = LiveState::new(capacity);
        let previous = std::mem::replace(&mut self.live, fresh);
        self.live.set_filter(filter);
        if self.live_aside.is_none() {
            self.live_aside = Some(Box::new(LiveAside {
                live: previous,
                open_anomalies: std::mem::take(&mut self.open_anomalies),
                source_stats: self.source_stats.take(),
                rates: std::mem::take(&mut self.rates),
                fixed_window: self.fixed_window,
            }));
        }
        self.open_anomalies.clear();
        self.source_stats = None;
        self.rates = LiveRates::default();
        self.audit.set_anomalies(&self.open_anomalies);
        self.replay = Some(ReplayState::new(generation, window, speed));
        self.replay_checkpoints = Default::default();
        self.fixed_window = Some(window);
        self.effects
            .push(Effect::Replay(ReplayEffect::Start { generation, window }));
        let banner = self.replay.as_ref().map(|r| r.banner()).unwrap_or_default();
        self.say(format!("{banner}: reading the window…"));
        self.dirty = true;
        self.refresh(true);
    }

    /// Back to live: the live view kept aside returns.
    pub fn stop_replay(&mut self) {
        if self.replay.is_none() {
            return;
        }
        if self.replay_only {
            return self.say(
                "this console replays a recording: there is no live source to go back to (q quits)",
            );
        }
        self.replay = None;
        self.replay_checkpoints = Default::default();
        if let Some(aside) = self.live_aside.take() {
            let aside = *aside;
            self.live = aside.live;
            self.open_anomalies = aside.open_anomalies;
            self.source_stats = aside.source_stats;
            self.rates = aside.rates;
            self.fixed_window = aside.fixed_window;
        }
        self.audit.set_anomalies(&self.open_anomalies);
        self.effects.push(Effect::Replay(ReplayEffect::Stop));
        self.say("LIVE again");
        self.dirty = true;
        self.refresh(true);
    }

    /// `:goto TIME [SPAN]`: replay SPAN (default 1 h, or the length of the
    /// replayed window) from TIME.
    pub(super) fn goto(&mut self, text: &str) {
        let span = self
            .replay
            .as_ref()
            .map_or(chrono::Duration::hours(1), |r| r.window.span());
        let parsed = crate::query::parse_instant(text, self.now)
            .map(|at| (at, span))
            .or_else(|first| match text.trim().rsplit_once(char::is_whitespace) {
                Some((time, span)) => {
                    let at = crate::query::parse_instant(time, self.now)?;
                    Ok((at, crate::query::parse_span(span)?))
                }
                None => Err(first),
            });
        match parsed {
            Ok((start, span)) if span > chrono::Duration::zero() => self.start_replay(TimeWindow {
                start,
                end: start + span,
            }),
            Ok(_) => self.say("goto needs a span longer than zero: goto TIME [SPAN]"),
            Err(e) => self.say(format!("goto TIME [SPAN]: {e}")),
        }
    }

    /// A scrub key; false when no replay runs.
    pub(super) fn apply_replay(&mut self, action: Action) -> bool {
        let Some(replay) = self.replay.as_mut() else {
            return false;
        };
        let position = replay.position;
        let moved = match action {
            Action::ReplayPause => {
                replay.toggle_pause();
                let text = if replay.paused {
                    "replay paused (Space resumes)"
                } else {
                    "replay resumed"
                };
                self.status = Some((text.to_string(), self.now));
                replay.position != position
            }
            Action::ReplayBack => replay.seek(position - STEP),
            Action::ReplayForward => replay.seek(position + STEP),
            Action::ReplayBackLong => replay.seek(position - LONG_STEP),
            Action::ReplayForwardLong => replay.seek(position + LONG_STEP),
            Action::ReplayFaster | Action::ReplaySlower => {
                if action == Action::ReplayFaster {
                    replay.faster()
                } else {
                    replay.slower()
                }
                let text = format!("replay speed {}", replay.speed_label());
                self.status = Some((text, self.now));
                false
            }
            Action::ReplayPrevMark | Action::ReplayNextMark => {
                let mark = if action == Action::ReplayNextMark {
                    replay.next_mark()
                } else {
                    replay.prev_mark()
                };
                match mark {
                    Some(at) => {
                        replay.paused = true;
                        let moved = replay.seek(at);
                        let text = format!(
                            "error or anomaly at {} (paused; Space resumes)",
                            at.format("%H:%M:%S")
                        );
                        self.status = Some((text, self.now));
                        moved
                    }
                    None => {
                        let text = if action == Action::ReplayNextMark {
                            "no error or anomaly after this point (of what is read so far)"
                        } else {
                            "no error or anomaly before this point"
                        };
                        self.status = Some((text.to_string(), self.now));
                        false
                    }
                }
            }
            Action::ReplayLive => {
                self.stop_replay();
                return true;
            }
            _ => return false,
        };
        if moved {
            self.release_replay();
        }
        self.dirty = true;
        true
    }

    /// Ask the event loop for the events up to the replay clock.
    fn release_replay(&mut self) {
        if let Some(r) = &self.replay {
            self.effects.push(Effect::Replay(ReplayEffect::ReleaseTo {
                generation: r.generation,
                position: r.position,
            }));
        }
    }

    /// The wall clock ticked: move the replay clock.
    pub(super) fn tick_replay(&mut self, wall: Timestamp) {
        let Some(replay) = self.replay.as_mut() else {
            return;
        };
        let was_paused = replay.paused;
        if replay.tick(wall) {
            self.dirty = true;
            self.release_replay();
        }
        if let Some(r) = &self.replay
            && r.paused
            && !was_paused
            && r.at_end()
        {
            let text = format!(
                "end of the replayed window · {} quits the replay",
                self.keymap.hint(Action::ReplayLive)
            );
            self.say(text);
        }
    }

    /// A report from the event loop.
    pub(super) fn on_replay(&mut self, msg: ReplayMsg) {
        let current = self.replay.as_ref().map(|r| r.generation);
        match msg {
            ReplayMsg::Progress {
                generation,
                loaded,
                loaded_until,
                marks,
                evicted,
            } if current == Some(generation) => {
                if let Some(r) = self.replay.as_mut() {
                    r.loaded = loaded;
                    r.loaded_until = loaded_until.or(r.loaded_until);
                    r.marks.extend(marks);
                    r.evicted = evicted;
                }
                self.dirty = true;
                if self
                    .replay
                    .as_ref()
                    .is_some_and(|r| r.speed == 0.0 && !r.paused)
                {
                    let wall = self.now;
                    self.tick_replay(wall);
                }
            }
            ReplayMsg::Done { generation, error } if current == Some(generation) => {
                if let Some(r) = self.replay.as_mut() {
                    r.done = true;
                    if let Some(e) = &error {
                        r.failed = Some(e.clone());
                    }
                }
                if let Some(e) = error {
                    self.say(format!("reading the window stopped: {e}"));
                }
                self.dirty = true;
                if self
                    .replay
                    .as_ref()
                    .is_some_and(|r| r.speed == 0.0 && !r.paused)
                {
                    let wall = self.now;
                    self.tick_replay(wall);
                }
            }
            ReplayMsg::Events {
                generation,
                base,
                first,
                events,
                keep_from,
            } if current == Some(generation) => {
                self.replay_checkpoints.keep_from(keep_from);
                match base {
                    ReplayBase::Continue => {}
                    ReplayBase::After(n) => self.restore_replayed(n),
                    ReplayBase::Empty => {
                        self.reset_replayed();
                        self.replay_checkpoints.restart_at(first);
                    }
                }
                self.take_replayed(&events);
            }
            _ => {}
        }
    }

    /// The replayed view as empty as at the window's start (the filter
    /// kept).
    fn reset_replayed(&mut self) {
        let capacity = self.live.feed.capacity();
        let filter = self.live.feed.filter().clone();
        self.live = LiveState::new(capacity);
        self.live.set_filter(filter);
        self.open_anomalies.clear();
        self.source_stats = None;
        self.audit.set_anomalies(&self.open_anomalies);
        self.dirty = true;
    }

    /// The replayed view as the window's first `n` events left it: from
    /// its checkpoint (the filter kept; the users the history named are
    /// asked again). Without one (never, while the event loop and the app
    /// agree on them) the view starts over empty.
    fn restore_replayed(&mut self, n: u64) {
        let checkpoint = self.replay_checkpoints.get(n).cloned();
        self.reset_replayed();
        self.replay_checkpoints.restart_at(n);
        let Some(checkpoint) = checkpoint.filter(|_| n > 0) else {
            if n > 0 {
                self.say("replay: the view before this point is gone; it starts over here");
            }
            return;
        };
        let filter = self.live.feed.filter().clone();
        let mut feed = checkpoint.feed;
        if *feed.filter() != filter {
            feed.set_filter(filter);
        }
        self.live.feed = feed;
        self.open_anomalies = checkpoint.open_anomalies;
        self.source_stats = checkpoint.source_stats;
        self.audit.set_anomalies(&self.open_anomalies);
        self.users_asked_at = None;
    }

    /// Replay `events` into the view, keeping a checkpoint at each
    /// multiple of [`crate::tui::replay_checkpoints::CHECKPOINT_EVERY`].
    fn take_replayed(&mut self, events: &[Event]) {
        let mut rest = events;
        while !rest.is_empty() {
            let room = self.replay_checkpoints.until_next();
            let (now, later) = rest.split_at((room as usize).min(rest.len()));
            self.take_events(now);
            if self.replay_checkpoints.advance(now.len() as u64) {
                self.replay_checkpoints.keep(ViewCheckpoint {
                    feed: self.live.feed.clone(),
                    open_anomalies: self.open_anomalies.clone(),
                    source_stats: self.source_stats.clone(),
                });
            }
            rest = later;
        }
    }
}
