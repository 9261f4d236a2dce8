//! The replay clock of time travel: which past window the console shows,
//! where in it the replay is, how fast it runs, what has been read of it
//! so far and where its errors and anomalies are. Pure state: the app
//! moves it on ticks and scrub keys and asks the event loop (an effect)
//! to release the window's events up to the new position; the event loop
//! reports what it has read.

use crate::model::Timestamp;
use crate::query::TimeWindow;
use chrono::Duration;

/// The speeds `+` / `-` step through (0, as fast as possible, is above the
/// last).
pub const SPEEDS: [f64; 11] = [
    0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];

/// A small step of `←` / `→`.
pub const STEP: Duration = Duration::seconds(10);
/// A large step of `Shift-←` / `Shift-→`.
pub const LONG_STEP: Duration = Duration::minutes(1);

/// A running replay.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayState {
    /// Tags the event loop's answers: those of an older replay are dropped.
    pub generation: u64,
    pub window: TimeWindow,
    /// The replay clock: every event up to it is shown.
    pub position: Timestamp,
    /// 1 = real time, 10 = ten times faster, 0 = as fast as it is read.
    pub speed: f64,
    pub paused: bool,
    /// The instant of the newest event read so far.
    pub loaded_until: Option<Timestamp>,
    /// Events read so far.
    pub loaded: u64,
    /// Events evicted to stay within the live engine's limit.
    pub evicted: u64,
    /// The whole window has been read.
    pub done: bool,
    /// Why reading stopped early.
    pub failed: Option<String>,
    /// Errors and anomalies read so far, in time order.
    pub marks: Vec<Timestamp>,
    /// The wall clock of the last tick (elapsed time moves the clock).
    last_tick: Option<Timestamp>,
}

impl ReplayState {
    /// A replay of `window` at `speed`, at its start.
    pub fn new(generation: u64, window: TimeWindow, speed: f64) -> Self {
        ReplayState {
            generation,
            window,
            position: window.start,
            speed,
            paused: false,
            loaded_until: None,
            loaded: 0,
            evicted: 0,
            done: false,
            failed: None,
            marks: Vec::new(),
            last_tick: None,
        }
    }

    /// The furthest the clock may go: the window's end once it is read,
    /// else the newest event read.
    pub fn reachable(&self) -> Timestamp {
        let last = self.window.end - Duration::microseconds(1);
        if self.done {
            last
        } else {
            self.loaded_until.unwrap_or(self.window.start).min(last)
        }
    }

    /// Whether the clock is at the end of the window.
    pub fn at_end(&self) -> bool {
        self.done && self.position >= self.reachable()
    }

    /// Put the clock at `at`, kept inside what is reachable; true when it
    /// moved.
    pub fn seek(&mut self, at: Timestamp) -> bool {
        let to = at.clamp(self.window.start, self.reachable().max(self.window.start));
        let moved = to != self.position;
        self.position = to;
        moved
    }

    /// A wall-clock tick: the clock moves by the time elapsed times the
    /// speed (at once to the newest event at speed 0). True when it moved.
    pub fn tick(&mut self, wall: Timestamp) -> bool {
        let elapsed = self.last_tick.map(|t| wall - t).unwrap_or_default();
        self.last_tick = Some(wall);
        if self.paused {
            return false;
        }
        let target = if self.speed == 0.0 {
            self.reachable()
        } else {
            let ms = (elapsed.num_milliseconds().max(0) as f64 * self.speed) as i64;
            self.position + Duration::milliseconds(ms)
        };
        let moved = self.seek(target);
        if self.at_end() {
            self.paused = true;
        }
        moved
    }

    /// Pause or resume; at the end, resuming starts over.
    pub fn toggle_pause(&mut self) {
        if self.paused && self.at_end() {
            self.position = self.window.start;
        }
        self.paused = !self.paused;
    }

    /// One speed faster (speed 0 stays).
    pub fn faster(&mut self) {
        if self.speed == 0.0 {
            return;
        }
        self.speed = SPEEDS
            .iter()
            .copied()
            .find(|s| *s > self.speed)
            .unwrap_or(0.0);
    }

    /// One speed slower.
    pub fn slower(&mut self) {
        self.speed = if self.speed == 0.0 {
            SPEEDS[SPEEDS.len() - 1]
        } else {
            SPEEDS
                .iter()
                .rev()
                .copied()
                .find(|s| *s < self.speed)
                .unwrap_or(SPEEDS[0])
        };
    }

    /// The first error or anomaly after the clock.
    pub fn next_mark(&self) -> Option<Timestamp> {
        let i = self.marks.partition_point(|m| *m <= self.position);
        self.marks.get(i).copied()
    }

    /// The last error or anomaly before the clock.
    pub fn prev_mark(&self) -> Option<Timestamp> {
        let i = self.marks.partition_point(|m| *m < self.position);
        i.checked_sub(1).map(|i| self.marks[i])
    }

    /// `10×`, `0.5×`, or `max` (speed 0).
    pub fn speed_label(&self) -> String {
        speed_label(self.speed)
    }

    /// `REPLAY 2026-11-24 03:00–04:00 · 10×`: what the title and ribbon say.
    pub fn banner(&self) -> String {
        format!(
            "REPLAY {} · {}",
            window_span_label(&self.window),
            self.speed_label()
        )
    }

    /// How far through the window the clock is, in [0, 1].
    pub fn fraction(&self) -> f64 {
        let span = self.window.span().num_milliseconds().max(1) as f64;
        ((self.position - self.window.start).num_milliseconds() as f64 / span).clamp(0.0, 1.0)
    }
}

/// `10×`, `0.5×`, or `max` (speed 0).
pub fn speed_label(speed: f64) -> String {
    if speed == 0.0 {
        "max".to_string()
    } else if speed.fract() == 0.0 {
        format!("{speed:.0}×")
    } else {
        format!("{speed}×")
    }
}

/// `2026-11-24 03:00–04:00` (the end's date when it differs; UTC).
pub fn window_span_label(window: &TimeWindow) -> String {
    let start = window.start.format("%Y-%m-%d %H:%M");
    let end = if window.end.date_naive() == window.start.date_naive() {
        window.end.format("%H:%M").to_string()
    } else {
        window.end.format("%Y-%m-%d %H:%M").to_string()
    };
    format!("{start}–{end}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn hour() -> TimeWindow {
        let start = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap();
        TimeWindow {
            start,
            end: start + Duration::hours(1),
        }
    }

    #[test]
    fn the_clock_moves_with_the_wall_times_the_speed_up_to_what_is_read() {
        let mut r = ReplayState::new(1, hour(), 10.0);
        r.loaded_until = Some(hour().start + Duration::minutes(30));
        let wall = chrono::Utc::now();
        r.tick(wall);
        r.tick(wall + Duration::seconds(2));
        assert_eq!(r.position, hour().start + Duration::seconds(20));
        r.tick(wall + Duration::seconds(1000));
        assert_eq!(
            r.position,
            hour().start + Duration::minutes(30),
            "waits for the reader"
        );
        assert_eq!(r.banner(), "REPLAY 2026-11-24 03:00–04:00 · 10×");
    }

    #[test]
    fn speeds_step_and_marks_jump() {
        let mut r = ReplayState::new(1, hour(), 10.0);
        r.faster();
        assert_eq!(r.speed, 30.0);
        r.slower();
        r.slower();
        assert_eq!(r.speed, 5.0);
        r.marks = vec![
            hour().start + Duration::minutes(5),
            hour().start + Duration::minutes(9),
        ];
        r.position = hour().start + Duration::minutes(5);
        assert_eq!(r.next_mark(), Some(hour().start + Duration::minutes(9)));
        assert_eq!(r.prev_mark(), None);
    }
}
