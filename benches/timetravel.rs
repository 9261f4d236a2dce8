//! Time travel on a loaded database, in process, the way the console runs
//! it (the app and the event loop's replay driver over the Postgres window
//! reader, each running the other's messages): how soon the first events
//! of a one-hour window are in the live view (the first frame that shows
//! the past), how long the whole hour takes to load (replayed at
//! `--speed 0`), how long a seek inside the loaded hour takes (back: from
//! the nearest checkpoint; forward 10 minutes) and the frame after it, and
//! the memory against the live engine's limit. Run by scripts/bench-timetravel.sh
//! with BENCH_DATABASE_URL set. Targets: first events ≤ 1 s, whole hour
//! ≤ 2 s, seek p50 ≤ 50 ms.

use std::sync::Arc;
use std::time::Instant;
use tracetop::live::LiveLimits;
use tracetop::query::TimeWindow;
use tracetop::source::window::pg::PgWindow;
use tracetop::tui::app::App;
use tracetop::tui::config::Thresholds;
use tracetop::tui::keymap::Keymap;
use tracetop::tui::msg::{Effect, Msg, ReplayEffect, ReplayMsg};
use tracetop::tui::replay_driver::ReplayDriver;
use tracetop::tui::theme::Theme;

fn rss_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Ok(url) = std::env::var("BENCH_DATABASE_URL") else {
        eprintln!(
            "timetravel: set BENCH_DATABASE_URL (scripts/bench-timetravel.sh does); skipping"
        );
        return;
    };
    let started = Instant::now();
    let window_source = match PgWindow::connect(&url).await {
        Ok(w) => w,
        Err(e) => {
            eprintln!("timetravel: {e}");
            std::process::exit(1);
        }
    };
    let connected_ms = started.elapsed().as_secs_f64() * 1000.0;
    // the busiest hour of AI requests (the worst case), then the hour
    // twelve hours before the newest log (a typical one)
    let pool = tracetop::pg::PgEngine::connect(&url).await.unwrap();
    let busiest: tracetop::model::Timestamp = sqlx::query_scalar(
        "SELECT date_trunc('hour', created_at) FROM ai_requests GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(pool.pool())
    .await
    .unwrap();
    let newest: tracetop::model::Timestamp = sqlx::query_scalar("SELECT max(timestamp) FROM logs")
        .fetch_one(pool.pool())
        .await
        .unwrap();
    let typical = newest - chrono::Duration::hours(12);
    let typical = chrono::DurationRound::duration_trunc(typical, chrono::Duration::hours(1))
        .expect("an hour rounds");
    println!("connect (pool, schema check)      {connected_ms:>8.1} ms");
    let window_source = Arc::new(window_source);
    for (name, start) in [("busiest hour", busiest), ("typical hour", typical)] {
        let window = TimeWindow {
            start,
            end: start + chrono::Duration::hours(1),
        };
        println!("== {name}");
        measure(window_source.clone(), window, connected_ms).await;
    }
    println!(
        "memory: RSS {} MiB, peak {} MiB; live engine limit {} MiB / {} rows (the replay's engine and buffer get half each)",
        rss_kb("VmRSS:") >> 10,
        rss_kb("VmHWM:") >> 10,
        LiveLimits::default().max_bytes >> 20,
        LiveLimits::default().max_events
    );
}

/// The console's two halves on one replay: the app (its replay clock, the
/// replayed feed and its checkpoints) and the event loop's driver, with
/// the effects of one run by the other as the event loop runs them.
struct Console {
    app: App,
    driver: ReplayDriver,
    generation: u64,
}

impl Console {
    /// Hand the app's effects to the driver and its answers back, until
    /// none is left; the events replayed into the view.
    fn settle(&mut self, msgs: Vec<Msg>) -> usize {
        let mut replayed = 0;
        let mut msgs = msgs;
        loop {
            for msg in msgs.drain(..) {
                if let Msg::Replay(ReplayMsg::Events { events, .. }) = &msg {
                    replayed += events.len();
                }
                self.app.update(msg);
            }
            for effect in self.app.drain_effects() {
                if let Effect::Replay(ReplayEffect::ReleaseTo {
                    generation,
                    position,
                }) = effect
                {
                    msgs.extend(self.driver.release_to(generation, position));
                }
            }
            if msgs.is_empty() {
                return replayed;
            }
        }
    }

    /// A seek to `at`, as the scrub keys do: the driver releases, the app
    /// takes the events in.
    fn seek(&mut self, at: tracetop::model::Timestamp) {
        let msgs = self.driver.release_to(self.generation, at);
        self.settle(msgs);
    }
}

async fn measure(window_source: Arc<PgWindow>, window: TimeWindow, connected_ms: f64) {
    let limits = LiveLimits::default();
    let driver = ReplayDriver::new(
        Some(window_source),
        limits,
        Some(tracetop::anomaly::Thresholds::default()),
    )
    // as the console on a database: the panes ask Postgres
    .rates_only(true);
    let mut app = App::new(
        Theme::plain("plain"),
        Keymap::default(),
        Thresholds::default(),
        chrono::Utc::now(),
    );
    app.can_time_travel = true;
    app.replay_speed = 0.0;
    let t0 = Instant::now();
    app.start_replay(window);
    let generation = app
        .drain_effects()
        .into_iter()
        .find_map(|e| match e {
            Effect::Replay(ReplayEffect::Start { generation, .. }) => Some(generation),
            _ => None,
        })
        .expect("the app starts a replay");
    let mut console = Console {
        app,
        driver,
        generation,
    };
    let first = console.driver.start(generation, window);
    console.settle(first);
    let mut first_ms = None;
    let mut released = 0usize;
    loop {
        let read = console.driver.next_read().await;
        let msgs = console.driver.on_read(read);
        let done = msgs
            .iter()
            .any(|m| matches!(m, Msg::Replay(ReplayMsg::Done { .. })));
        if let Some(Msg::Replay(ReplayMsg::Done { error: Some(e), .. })) = msgs
            .iter()
            .find(|m| matches!(m, Msg::Replay(ReplayMsg::Done { .. })))
        {
            eprintln!("timetravel: the read stopped: {e}");
            std::process::exit(1);
        }
        // speed 0: the app's clock follows what is read
        released += console.settle(msgs);
        if first_ms.is_none() && console.app.live.feed.total() > 0 {
            first_ms = Some(t0.elapsed().as_secs_f64() * 1000.0);
        }
        if done {
            break;
        }
    }
    let whole_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let loaded = console.app.replay.as_ref().map_or(0, |r| r.loaded);
    let (held, rates_checkpoints) = console.driver.held().unwrap_or_default();
    println!(
        "window {} → {}: {loaded} events read, {released} replayed, {held} held; feed {} rows; \
         {} view checkpoints, {rates_checkpoints} rates checkpoints",
        window.start,
        window.end,
        console.app.live.feed.total(),
        console.app.replay_checkpoints.len(),
    );
    println!(
        "first events in the view          {:>8.1} ms  (target ≤ 1000 ms from start; with connect {:.1} ms)",
        first_ms.unwrap_or(f64::NAN),
        connected_ms + first_ms.unwrap_or(f64::NAN)
    );
    println!("whole hour read and replayed      {whole_ms:>8.1} ms  (target ≤ 2000 ms)");
    let mut back = Vec::new();
    let mut forward = Vec::new();
    let mut frames = Vec::new();
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48))
        .expect("a test terminal");
    for i in 0..20 {
        let middle = window.start + chrono::Duration::minutes(5 + 2 * i);
        let t = Instant::now();
        console.seek(middle);
        back.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let _ = terminal.draw(|frame| tracetop::tui::views::draw(&console.app, frame));
        frames.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        console.seek(middle + chrono::Duration::minutes(10));
        forward.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    for (name, mut ms) in [
        ("seek back (driver + app)", back),
        ("seek forward 10 min", forward),
        ("frame after a seek", frames),
    ] {
        ms.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{name:<33} p50 {:>7.1} ms  p95 {:>7.1} ms  max {:>7.1} ms  (target ≤ 50 ms)",
            ms[ms.len() / 2],
            ms[(ms.len() * 95).div_ceil(100) - 1],
            ms[ms.len() - 1]
        );
    }
}
