//! Console performance figures (ignored by default; run with
//! `cargo test --release --test it tui_perf:: -- --ignored --nocapture`):
//! view build + diff per frame at 200×50 with 100k rows in the feed, bytes
//! written to the terminal per second at 1000 events/s, and the first frame.
//! It prints numbers; it asserts no timings (the machine is shared).

use crate::tui_fixtures;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{TerminalOptions, Viewport};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tracetop::model::*;
use tracetop::tui::app::*;
use tui_fixtures::*;

/// A writer that counts bytes and drops them.
#[derive(Clone, Default)]
struct Counting(Arc<AtomicUsize>);

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(buf.len(), Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn batch(start: usize, n: usize) -> Vec<Event> {
    let base = feed_events();
    (start..start + n)
        .map(|i| {
            let mut e = base[i % base.len()].clone();
            match &mut e {
                Event::AiRequestCompleted { request, .. }
                | Event::AiRequestFailed { request, .. } => {
                    request.id = AiRequestId::new(format!("req-{i:08}"));
                    request.created_at = at(0) + chrono::Duration::milliseconds(i as i64);
                    request.completed_at = Some(request.created_at);
                }
                Event::Log { log } => {
                    log.id = LogId::new(format!("log-{i:08}"));
                    log.timestamp = at(0) + chrono::Duration::milliseconds(i as i64);
                }
                _ => {}
            }
            e
        })
        .collect()
}

#[test]
#[ignore = "benchmark: prints figures"]
fn console_frame_cost_and_bandwidth() {
    let (w, h) = (200u16, 50u16);
    let sink = Counting::default();
    let start = Instant::now();
    let mut app = app(w, h);
    let backend = CrosstermBackend::new(sink.clone());
    let mut terminal = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
        },
    )
    .unwrap();
    terminal
        .draw(|f| tracetop::tui::views::draw(&app, f))
        .unwrap();
    let first_frame = start.elapsed();

    // fill the feed to 100k rows
    let mut next = 0;
    while app.live.feed.total() < 100_000 {
        app.update(Msg::Source(SourceUpdate::Events(batch(next, 10_000))));
        next += 10_000;
    }
    terminal
        .draw(|f| tracetop::tui::views::draw(&app, f))
        .unwrap();
    sink.0.store(0, Ordering::Relaxed);

    // 1000 events/s for 30 simulated seconds, following: data-only frames
    // are drawn at most once per event_loop::DATA_FRAME_INTERVAL
    let interval = tracetop::tui::event_loop::DATA_FRAME_INTERVAL.as_secs_f64();
    let per_frame = (1000.0 * interval).round() as usize;
    let frames = (30.0 / interval).round() as usize;
    let mut draw_time = std::time::Duration::ZERO;
    let mut worst = std::time::Duration::ZERO;
    for frame in 0..frames {
        app.update(Msg::Source(SourceUpdate::Events(batch(next, per_frame))));
        next += per_frame;
        if frame % 3 == 0 {
            let mut r = rates();
            r.requests_per_min += frame as f64;
            app.update(Msg::Rates(r));
        }
        let t = Instant::now();
        terminal
            .draw(|f| tracetop::tui::views::draw(&app, f))
            .unwrap();
        let d = t.elapsed();
        draw_time += d;
        worst = worst.max(d);
    }
    let following_bytes = sink.0.load(Ordering::Relaxed);

    // paused: the screen stands still while events keep arriving
    app.update(ch(' '));
    terminal
        .draw(|f| tracetop::tui::views::draw(&app, f))
        .unwrap();
    sink.0.store(0, Ordering::Relaxed);
    for _ in 0..frames {
        app.update(Msg::Source(SourceUpdate::Events(batch(next, per_frame))));
        next += per_frame;
        terminal
            .draw(|f| tracetop::tui::views::draw(&app, f))
            .unwrap();
    }
    let paused_bytes = sink.0.load(Ordering::Relaxed);

    let seconds = frames as f64 * interval;
    println!("first frame: {:.2} ms", first_frame.as_secs_f64() * 1e3);
    println!(
        "view build + diff at {w}x{h}, {} rows in feed: mean {:.3} ms, worst {:.3} ms per frame",
        app.live.feed.total(),
        draw_time.as_secs_f64() * 1e3 / frames as f64,
        worst.as_secs_f64() * 1e3
    );
    println!(
        "bytes to terminal at 1000 events/s, {:.1} data frames/s: following {:.1} KB/s, paused {:.1} KB/s",
        1.0 / interval,
        following_bytes as f64 / seconds / 1024.0,
        paused_bytes as f64 / seconds / 1024.0
    );
    assert_eq!(app.live.feed.total(), 100_000, "the ring stays bounded");
}
