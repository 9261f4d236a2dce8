//! Seeks inside a loaded window, on real Postgres and both schema shapes,
//! run the way the console runs them (the app and the event loop's replay
//! driver, each taking the other's messages): a seek back restores the
//! nearest checkpoint and replays only the events after it, and the view
//! and the ribbon's rates it gives are exactly those of a replay from the
//! window's start to the same instant; so is a jump forward over events
//! replayed before. And a remote console's replay, read through a real
//! `tracetop serve`, runs the anomaly rules as a local one does.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use support::Shape;
use tracetop::model::*;
use tracetop::query::TimeWindow;
use tracetop::sim::{self, SimConfig};
use tracetop::source::window::WindowSource;
use tracetop::source::window::buffer::ReplayBase;
use tracetop::source::window::pg::PgWindow;
use tracetop::source::window::remote::RemoteWindow;
use tracetop::tui::app::*;
use tracetop::tui::config::Thresholds;
use tracetop::tui::feed::FeedRow;
use tracetop::tui::keymap::Keymap;
use tracetop::tui::replay_checkpoints::CHECKPOINT_EVERY;
use tracetop::tui::replay_driver::ReplayDriver;
use tracetop::tui::theme::Theme;

fn sim_config() -> SimConfig {
    SimConfig {
        seed: 7,
        users: 60,
        days: 1,
        until: "2026-03-10T15:30:00Z".parse().unwrap(),
    }
}

/// The simulated day's busy part.
fn window() -> TimeWindow {
    TimeWindow {
        start: "2026-03-10T06:00:00Z".parse().unwrap(),
        end: "2026-03-10T15:00:00Z".parse().unwrap(),
    }
}

/// Rules that fire often on the simulated traffic, so the replayed state
/// holds anomalies raised and cleared.
fn eager_rules() -> tracetop::anomaly::Thresholds {
    use tracetop::anomaly::Level;
    tracetop::anomaly::Thresholds {
        requests_per_minute: Level {
            warning: 2.0,
            critical: 4.0,
        },
        mcp_execution_ms: Level {
            warning: 1.0,
            critical: 1e12,
        },
        ..Default::default()
    }
}

/// The console's two halves on one replay.
struct Console {
    app: App,
    driver: ReplayDriver,
    generation: u64,
    /// The base of every batch of events the app was sent.
    bases: Vec<ReplayBase>,
    /// Every anomaly event the app was sent.
    anomalies: Vec<Event>,
    /// Every notice the app was sent.
    notices: Vec<String>,
}

impl Console {
    /// A replay of `window` from `source` at `speed` (0: the clock follows
    /// the reader; else it stands at the start, no tick moves it).
    fn start(source: Arc<dyn WindowSource>, window: TimeWindow, speed: f64) -> Console {
        Console::start_with(source, window, speed, true)
    }

    /// As [`Console::start`]; `rates_only` false: the replay's engine
    /// answers the panes (a recording).
    fn start_with(
        source: Arc<dyn WindowSource>,
        window: TimeWindow,
        speed: f64,
        rates_only: bool,
    ) -> Console {
        let driver = ReplayDriver::new(
            Some(source),
            tracetop::live::LiveLimits::default(),
            Some(eager_rules()),
        )
        .rates_only(rates_only);
        let mut app = App::new(
            Theme::plain("plain"),
            Keymap::default(),
            Thresholds::default(),
            "2026-03-11T00:00:00Z".parse().unwrap(),
        );
        app.can_time_travel = true;
        app.replay_speed = speed;
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
            bases: Vec::new(),
            anomalies: Vec::new(),
            notices: Vec::new(),
        };
        let msgs = console.driver.start(generation, window);
        console.settle(msgs);
        console
    }

    /// Hand the app's effects to the driver and its answers back.
    fn settle(&mut self, mut msgs: Vec<Msg>) {
        loop {
            for msg in msgs.drain(..) {
                if let Msg::Notice(text) = &msg {
                    self.notices.push(text.clone());
                }
                if let Msg::Replay(ReplayMsg::Events { base, events, .. }) = &msg {
                    self.bases.push(*base);
                    self.anomalies.extend(
                        events
                            .iter()
                            .filter(|e| matches!(e, Event::AnomalyRaised { .. }))
                            .cloned(),
                    );
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
                return;
            }
        }
    }

    /// Read the whole window.
    async fn load(&mut self) {
        let mut done = false;
        while !done {
            assert!(
                self.driver.wants_read(),
                "the reader is never held back here"
            );
            let read = tokio::time::timeout(Duration::from_secs(60), self.driver.next_read())
                .await
                .expect("the window reader answers");
            let msgs = self.driver.on_read(read);
            for msg in &msgs {
                if let Msg::Replay(ReplayMsg::Done { error, .. }) = msg {
                    assert_eq!(error, &None, "the window reads to its end");
                    done = true;
                }
            }
            self.settle(msgs);
        }
    }

    /// Seek to `at` as a scrub key does; the bases of what was sent.
    fn seek(&mut self, at: Timestamp) -> Vec<ReplayBase> {
        let seen = self.bases.len();
        let msgs = self.driver.release_to(self.generation, at);
        self.settle(msgs);
        self.bases[seen..].to_vec()
    }

    fn state(&self, at: Timestamp) -> State {
        let feed = &self.app.live.feed;
        State {
            rows: feed
                .display_slice(0, feed.visible_len())
                .into_iter()
                .cloned()
                .collect(),
            pushed: feed.pushed(),
            labels: feed
                .display_slice(0, feed.visible_len())
                .iter()
                .map(|r| feed.users().label(&r.user).into_owned())
                .collect::<BTreeSet<_>>(),
            anomalies: self.app.open_anomalies.clone(),
            rates: self.driver.rates().map(|r| LiveRates { at: Some(at), ..r }),
            replayed: self.app.replay_checkpoints.replayed(),
        }
    }
}

/// What a replay shows at one instant.
#[derive(Debug, PartialEq)]
struct State {
    rows: Vec<FeedRow>,
    pushed: u64,
    labels: BTreeSet<String>,
    anomalies: BTreeMap<String, Anomaly>,
    rates: Option<LiveRates>,
    replayed: u64,
}

async fn seek_via_a_checkpoint_equals_the_replay_from_the_start(shape: Shape) {
    let cfg = sim_config();
    let db = support::fresh_db_shaped(shape).await;
    sim::load_config(&db.url, &cfg, true, |_| {})
        .await
        .expect("load the simulated workload");
    let source: Arc<dyn WindowSource> = Arc::new(PgWindow::connect(&db.url).await.unwrap());
    let window = window();

    // the whole window replayed at once, checkpoints kept on the way
    let mut seeking = Console::start(source.clone(), window, 0.0);
    seeking.load().await;
    // two instants a request finished at, a third and two thirds in
    let finished: Vec<Timestamp> = {
        let feed = &seeking.app.live.feed;
        let mut at: Vec<Timestamp> = feed
            .display_slice(0, feed.visible_len())
            .iter()
            .filter(|r| r.kind == "ai.done")
            .filter_map(|r| r.at)
            .collect();
        at.sort();
        at
    };
    let back_to = finished[finished.len() / 3];
    let jump_to = finished[finished.len() * 2 / 3];
    let total = seeking.app.replay.as_ref().unwrap().loaded;
    assert!(
        total > 4 * CHECKPOINT_EVERY,
        "enough events for several checkpoints: {total}"
    );
    assert!(seeking.app.replay_checkpoints.len() >= 4);
    assert!(
        !seeking.anomalies.is_empty(),
        "the rules raised anomalies in the window"
    );
    let bases = seeking.seek(back_to);
    assert!(
        matches!(bases.as_slice(), [ReplayBase::After(n)] if *n > 0),
        "back: from a checkpoint kept on the way, not the start: {bases:?}"
    );
    let after_back = seeking.state(back_to);

    // the replay from the start, straight to the same instant
    let mut straight = Console::start(source.clone(), window, 1.0);
    straight.load().await;
    assert_eq!(
        straight.app.live.feed.total(),
        0,
        "the clock stood at the start"
    );
    assert_eq!(straight.seek(back_to), [ReplayBase::Continue]);
    let from_start = straight.state(back_to);
    assert!(from_start.rows.len() > CHECKPOINT_EVERY as usize);
    assert!(
        from_start
            .rates
            .as_ref()
            .is_some_and(|r| r.requests_per_min > 0.0),
        "{:?}",
        from_start.rates
    );
    assert_eq!(after_back, from_start, "a seek back via a checkpoint");

    // forward over events replayed before: from a later checkpoint
    let bases = seeking.seek(jump_to);
    assert!(
        matches!(bases.as_slice(), [ReplayBase::After(n)] if *n > after_back.replayed),
        "a jump forward starts from a checkpoint: {bases:?}"
    );
    assert_eq!(straight.seek(jump_to), [ReplayBase::Continue]);
    assert_eq!(
        seeking.state(jump_to),
        straight.state(jump_to),
        "a jump forward via a checkpoint"
    );

    // back to the window's first minutes: from the start itself
    let early = window.start + chrono::Duration::seconds(90);
    let bases = seeking.seek(early);
    assert!(
        matches!(bases.as_slice(), [ReplayBase::After(_)]),
        "{bases:?}"
    );
    let mut fresh = Console::start(source, window, 1.0);
    fresh.load().await;
    fresh.seek(early);
    assert_eq!(seeking.state(early), fresh.state(early));
}

both_shapes!(seek_via_a_checkpoint_equals_the_replay_from_the_start);

/// A recording's replay feeds an engine that answers the panes: after a
/// seek back (the view from a checkpoint, the engine rebuilt) and a jump
/// forward, view, rates and engine are those of a straight replay.
#[tokio::test]
async fn a_recordings_seek_rebuilds_its_engine_as_a_straight_replay() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("day.jsonl");
    let events = sim::workload_events(&sim::generate(&sim_config()));
    let mut text = String::new();
    for event in &events {
        text.push_str(&serde_json::to_string(event).unwrap());
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    let (file, span) = tracetop::source::window::file::FileWindow::open(&path)
        .await
        .unwrap();
    let file: Arc<dyn WindowSource> = Arc::new(file);
    let mut seeking = Console::start_with(file.clone(), span, 0.0, false);
    seeking.load().await;
    let loaded = seeking.app.replay.as_ref().unwrap().loaded;
    assert!(loaded > 4 * CHECKPOINT_EVERY, "{loaded}");
    let mut straight = Console::start_with(file, span, 1.0, false);
    straight.load().await;
    let mut finished: Vec<Timestamp> = {
        let feed = &seeking.app.live.feed;
        feed.display_slice(0, feed.visible_len())
            .iter()
            .filter(|r| r.kind == "ai.done")
            .filter_map(|r| r.at)
            .collect()
    };
    finished.sort();
    let (middle, later) = (
        finished[finished.len() / 2],
        finished[finished.len() * 3 / 4],
    );
    for at in [middle, later] {
        let bases = seeking.seek(at);
        assert!(
            matches!(bases.as_slice(), [ReplayBase::After(n)] if *n > 0),
            "{bases:?}"
        );
        straight.seek(at);
        assert_eq!(seeking.state(at), straight.state(at));
        let stats = |c: &Console| {
            let s = c.driver.engine().expect("a recording's engine").stats();
            (s.rows, s.bytes)
        };
        assert_eq!(stats(&seeking), stats(&straight), "the engine at {at}");
    }
}

const TOKEN: &str = "seek-remote-token-0123456789";

/// A remote console's replay through a real `tracetop serve` on
/// 127.0.0.1 runs the console's anomaly rules over the window the server
/// sends (rows only), as a replay of the same window read from the
/// database does: the same anomalies are raised.
#[tokio::test]
async fn a_remote_window_runs_the_anomaly_rules_as_a_local_one() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cfg = sim_config();
    let db = support::fresh_db().await;
    sim::load_config(&db.url, &cfg, true, |_| {})
        .await
        .expect("load the simulated workload");
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, format!("{TOKEN}\n")).unwrap();
    let serve = support::serve::ServeProcess::start(&db.url, &tokens, &[]).await;
    let window = TimeWindow {
        start: "2026-03-10T09:00:00Z".parse().unwrap(),
        end: "2026-03-10T12:00:00Z".parse().unwrap(),
    };
    let remote = RemoteWindow::new(&serve.stream_url(), Some(TOKEN.into())).unwrap();
    let mut over_serve = Console::start(Arc::new(remote), window, 0.0);
    over_serve.load().await;
    let local = PgWindow::connect(&db.url).await.unwrap();
    let mut over_db = Console::start(Arc::new(local), window, 0.0);
    over_db.load().await;
    drop(serve);

    let raised = |c: &Console| -> BTreeSet<(String, String)> {
        c.anomalies
            .iter()
            .filter_map(|e| match e {
                Event::AnomalyRaised { anomaly } => {
                    Some((anomaly.rule.clone(), anomaly.subject.clone()))
                }
                _ => None,
            })
            .collect()
    };
    let local_raised = raised(&over_db);
    assert!(
        local_raised
            .iter()
            .any(|(rule, _)| rule == "mcp_execution_time"),
        "the rules raise anomalies over the local window: {local_raised:?}"
    );
    assert_eq!(
        raised(&over_serve),
        local_raised,
        "the same anomalies over serve"
    );
    assert!(
        !over_serve.app.open_anomalies.is_empty(),
        "the remote replay's view holds them"
    );
}

/// A database `tracetop migrate` never indexed (upstream's schema indexes
/// only keys) is read by scans: the replay says so, naming the tables, and
/// says what adds the indexes; a migrated one says nothing.
async fn a_database_without_the_time_indexes_says_so(shape: Shape) {
    let db = support::fresh_db_shaped(shape).await;
    let window = TimeWindow {
        start: "2026-11-24T03:00:00Z".parse().unwrap(),
        end: "2026-11-24T04:00:00Z".parse().unwrap(),
    };
    let indexed = PgWindow::connect(&db.url).await.unwrap();
    assert_eq!(
        indexed.unindexed_tables().await.unwrap(),
        Vec::<&str>::new()
    );
    assert_eq!(indexed.notice().await, None);
    db.exec("DROP INDEX idx_logs_timestamp_id").await;
    db.exec("DROP INDEX idx_steps_started_at_id").await;
    let bare = PgWindow::connect(&db.url).await.unwrap();
    assert_eq!(
        bare.unindexed_tables().await.unwrap(),
        ["task_execution_steps", "logs"]
    );
    let mut console = Console::start(Arc::new(bare), window, 0.0);
    console.load().await;
    assert!(
        matches!(console.notices.as_slice(), [text] if text.contains("task_execution_steps, logs have no index")
            && text.contains("tracetop migrate")),
        "{:?}",
        console.notices
    );
}

both_shapes!(a_database_without_the_time_indexes_says_so);
