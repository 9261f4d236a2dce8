//! Time travel on a loaded database, in process, the way the console runs
//! it (the replay driver over the Postgres window reader): how soon the
//! first events of a one-hour window are in the live engine (the first
//! frame that shows the past), how long the whole hour takes to load
//! (replayed at `--speed 0`), how long a seek inside the loaded hour takes
//! (back: the engine rebuilt from the buffer; forward), and the memory
//! against the live engine's limit. Run by scripts/bench-timetravel.sh
//! with BENCH_DATABASE_URL set. Targets: first events ≤ 1 s, whole hour
//! ≤ 2 s, seek p50 ≤ 50 ms.

use std::sync::Arc;
use std::time::Instant;
use tracetop::live::LiveLimits;
use tracetop::query::TimeWindow;
use tracetop::source::window::pg::PgWindow;
use tracetop::tui::msg::{Msg, ReplayMsg};
use tracetop::tui::replay_driver::ReplayDriver;

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
    let typical = typical - chrono::Duration::seconds(typical.timestamp() % 3600);
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

async fn measure(window_source: Arc<PgWindow>, window: TimeWindow, connected_ms: f64) {
    let limits = LiveLimits::default();
    let mut driver = ReplayDriver::new(
        Some(window_source),
        limits,
        Some(tracetop::anomaly::Thresholds::default()),
    )
    // as the console on a database: the panes ask Postgres
    .rates_only(true);
    let t0 = Instant::now();
    driver.start(1, window);
    let mut first_ms = None;
    let mut loaded = 0u64;
    let mut released = 0usize;
    let mut until = window.start;
    loop {
        let read = driver.next_read().await;
        let mut done = false;
        for msg in driver.on_read(read) {
            match msg {
                Msg::Replay(ReplayMsg::Progress {
                    loaded: n,
                    loaded_until,
                    ..
                }) => {
                    loaded = n;
                    if let Some(t) = loaded_until {
                        until = t;
                    }
                }
                Msg::Replay(ReplayMsg::Done { error, .. }) => {
                    if let Some(e) = error {
                        eprintln!("timetravel: the read stopped: {e}");
                        std::process::exit(1);
                    }
                    done = true;
                }
                _ => {}
            }
        }
        // speed 0: release everything read so far
        for msg in driver.release_to(1, until) {
            if let Msg::Replay(ReplayMsg::Events { events, .. }) = msg {
                released += events.len();
                if first_ms.is_none() && !events.is_empty() {
                    first_ms = Some(t0.elapsed().as_secs_f64() * 1000.0);
                }
            }
        }
        if done {
            break;
        }
    }
    let whole_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let stats = driver.engine().unwrap().stats();
    println!(
        "window {} → {}: {loaded} events read, {released} released, engine {} rows ≈ {} MiB, {} evicted",
        window.start,
        window.end,
        stats.rows,
        stats.bytes >> 20,
        stats.evicted
    );
    println!(
        "first events in the engine        {:>8.1} ms  (target ≤ 1000 ms from start; with connect {:.1} ms)",
        first_ms.unwrap_or(f64::NAN),
        connected_ms + first_ms.unwrap_or(f64::NAN)
    );
    println!("whole hour read and replayed      {whole_ms:>8.1} ms  (target ≤ 2000 ms)");
    let mut back = Vec::new();
    let mut forward = Vec::new();
    for i in 0..20 {
        let middle = window.start + chrono::Duration::minutes(5 + 2 * i);
        let t = Instant::now();
        driver.release_to(1, middle);
        back.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        driver.release_to(1, middle + chrono::Duration::minutes(10));
        forward.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    for (name, mut ms) in [
        ("seek back (engine rebuilt)", back),
        ("seek forward 10 min", forward),
    ] {
        ms.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{name:<33} p50 {:>7.1} ms  max {:>7.1} ms  (target ≤ 50 ms)",
            ms[ms.len() / 2],
            ms[ms.len() - 1]
        );
    }
}
