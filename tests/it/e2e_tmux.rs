//! End-to-end tests of the real `tracetop` binary in a real terminal (tmux
//! 200×50): open the console, move between views, open help, quit, and
//! check the shell is usable afterwards (the terminal was restored); run
//! `demo --postgres` on its own throwaway cluster and check the cluster is
//! gone after quitting, SIGTERM or a hang-up. Skipped, with a note, when
//! tmux is not installed.

use crate::support;

use std::process::Command;
use std::time::{Duration, Instant};

/// Whether tmux is here. Under CI (`CI` set) it must be: `.ci/run`
/// installs it, so a missing tmux there is a failure, not a skip.
pub(crate) fn have_tmux() -> bool {
    let present = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        present || std::env::var_os("CI").is_none(),
        "tmux is missing under CI: .ci/run should have installed it"
    );
    present
}

/// A tmux session of its own, killed on drop (shared by every terminal test).
pub(crate) struct Tmux {
    name: String,
}

impl Tmux {
    pub(crate) fn start(name: &str) -> Tmux {
        let name = format!("{name}-{}", std::process::id());
        // a tmux server whose last session just ended may still be exiting:
        // try again briefly
        let mut started = false;
        for _ in 0..20 {
            let status = Command::new("tmux")
                .args([
                    "new-session",
                    "-d",
                    "-x",
                    "200",
                    "-y",
                    "50",
                    "-s",
                    &name,
                    "sh",
                ])
                .env("TERM", "xterm-256color")
                .status()
                .expect("start tmux");
            if status.success() {
                started = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(started, "tmux new-session {name} failed");
        let tmux = Tmux { name };
        // Type only once the shell has printed its prompt: keys sent before
        // are echoed ahead of it, and the prompt then lands on the line
        // where the command's output is expected.
        let deadline = Instant::now() + Duration::from_secs(10);
        while tmux.capture().trim().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        tmux
    }

    pub(crate) fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.name];
        args.extend_from_slice(keys);
        assert!(Command::new("tmux").args(&args).status().unwrap().success());
    }

    pub(crate) fn capture(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Wait until the screen contains `text` (or fail with the screen).
    pub(crate) fn wait_for(&self, text: &str) -> String {
        self.wait_for_within(text, Duration::from_secs(20))
    }

    /// Wait until `text` is no longer on screen. Send the next key only
    /// then after an Escape: a key right behind it would reach the console
    /// as Alt+key (the terminal's meta prefix).
    pub(crate) fn wait_gone(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.capture();
            if !screen.contains(text) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {text:?} to go; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// [`Self::wait_for`] with its own time limit.
    pub(crate) fn wait_for_within(&self, text: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.capture();
            if screen.contains(text) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {text:?}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Tmux {
    /// Capture until `part` of the screen is the same on two captures 300 ms
    /// apart (at most 10 s); return that screen.
    pub(crate) fn settle<T: PartialEq>(&self, part: impl Fn(&str) -> T) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut last = self.capture();
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let screen = self.capture();
            if part(&screen) == part(&last) || Instant::now() > deadline {
                return screen;
            }
            last = screen;
        }
    }

    /// Wait until a line of the screen starts with `prefix` (output, not
    /// the echoed command line); return the screen.
    pub(crate) fn wait_for_line(&self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.capture();
            if screen.lines().any(|l| l.starts_with(prefix)) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for a line starting {prefix:?}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The pid of the command the pane's shell is running now.
    pub(crate) fn foreground_pid(&self, program: &str) -> u32 {
        let out = Command::new("tmux")
            .args(["display-message", "-p", "-t", &self.name, "#{pane_pid}"])
            .output()
            .expect("tmux display-message");
        let shell = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let out = Command::new("pgrep")
            .args(["-P", &shell, "-x", program])
            .output()
            .expect("pgrep");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("no {program} under the pane's shell {shell}"))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

/// On both shapes (ours, and a real deployment's tables).
async fn console_on_postgres_views_help_quit_and_shell_restored(shape: support::Shape) {
    if !have_tmux() {
        println!("note: tmux not installed, skipping the end-to-end console test");
        return;
    }
    let db = support::fresh_db_shaped(shape).await;
    db.exec(
        "INSERT INTO users (id, name, email, status, roles, created_at)
         VALUES ('u-e2e', 'E2E User', 'e2e@example.test', 'active', '{}', now())",
    )
    .await;
    let tmux = Tmux::start(&format!("tracetop-e2e-pg-{shape:?}"));
    let bin = env!("CARGO_BIN_EXE_tracetop");
    tmux.send(&[
        &format!("NO_COLOR=1 {bin} --database-url '{}'; echo exit=$?", db.url),
        "Enter",
    ]);
    let screen = tmux.wait_for("Feed ·");
    assert!(screen.contains("1 Live"), "{screen}");
    // the overview query answered: one user
    tmux.wait_for("users 1 ");

    tmux.send(&["4"]);
    tmux.wait_for("Tools · sorted by executions");
    tmux.send(&["s"]);
    tmux.wait_for("Tools · sorted by success rate");
    tmux.send(&["6"]);
    tmux.wait_for("no log line matches");

    tmux.send(&["?"]);
    // the whole popup, not a capture taken while it was being drawn
    tmux.wait_for("Help ·");
    tmux.wait_for("pause / resume following the feed");
    tmux.send(&["Escape"]);
    tmux.wait_gone("Help ·");

    tmux.send(&["1"]);
    tmux.wait_for("Feed ·");
    // a request written while the console runs arrives through the tail
    db.exec(
        "INSERT INTO ai_requests (id, request_id, user_id, context_id, actor_kind, actor_id,
                                  provider, model, status, trace_id,
                                  input_tokens, output_tokens, tokens_used, cost_microdollars,
                                  latency_ms, created_at, updated_at, completed_at)
         VALUES ('req-e2e-live', 'r-e2e', 'u-e2e', 'ctx-e2e', 'user', 'u-e2e', 'openai', 'gpt-4o',
                 'completed', 'tr-e2e', 100, 20, 120, 4200, 800, now(), now(), now())",
    )
    .await;
    tmux.wait_for("ai.done");

    // audit: mark it ok; the verdict lands in tracetop_reviews
    tmux.send(&["5"]);
    tmux.wait_for("Review queue");
    tmux.wait_for("· todo");
    tmux.send(&["a"]);
    tmux.wait_for("✓ ok");
    let mut verdicts: Vec<(String, String, String)> = Vec::new();
    for _ in 0..50 {
        verdicts = sqlx::query_as(
            "SELECT target_kind, target_id, verdict FROM tracetop_reviews ORDER BY id",
        )
        .fetch_all(&mut db.writer().await)
        .await
        .unwrap();
        if !verdicts.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        verdicts,
        vec![(
            "request".to_string(),
            "req-e2e-live".to_string(),
            "ok".to_string()
        )]
    );

    tmux.send(&["1"]);
    tmux.wait_for("Feed ·");
    tmux.send(&["q"]);
    // the console exits cleanly (keys typed before it has gone would be
    // read by it, as in any terminal program) …
    tmux.wait_for("exit=0");
    // … and back at the shell the terminal works again
    tmux.send(&["echo shell-$((40+2))-ok", "Enter"]);
    let screen = tmux.wait_for("shell-42-ok");
    assert!(
        !screen.contains("Feed ·"),
        "the console left its screen behind:\n{screen}"
    );
}

#[test]
fn demo_follow_pause_drill_back_costs_audit_help_quit() {
    if !have_tmux() {
        println!("note: tmux not installed, skipping the demo end-to-end test");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_tracetop");
    // until the in-memory engine is part of the build, demo says so and exits
    let probe = Command::new(bin)
        .args(["demo", "--rate", "0"])
        .output()
        .expect("run tracetop demo");
    assert_eq!(probe.status.code(), Some(2), "bad --rate is an input error");
    let tmux = Tmux::start("tracetop-e2e-demo");
    tmux.send(&[
        &format!("{bin} demo --seed 7 --rate 200; echo exit=$?"),
        "Enter",
    ]);
    let deadline = Instant::now() + Duration::from_secs(20);
    let screen = loop {
        let s = tmux.capture();
        let exited = s.lines().any(|l| l.starts_with("exit="));
        if s.contains("Feed ·") || exited || Instant::now() > deadline {
            break s;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(screen.contains("Feed ·"), "demo did not open: {screen}");
    tmux.wait_for("● connected");
    tmux.wait_for("ai.done");
    // pause, move, drill into the trace and come back
    tmux.send(&["Space"]);
    tmux.wait_for("⏸ PAUSED");
    tmux.send(&["/"]);
    tmux.send(&["-l", "kind:ai"]);
    tmux.send(&["Enter"]);
    tmux.send(&["j", "j"]);
    let feed_rows = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.contains("ai."))
            .take(3)
            .map(str::to_string)
            .collect()
    };
    // the filter and the moves are drawn on the next frame: snapshot once
    // the feed rows stop changing (the paused feed holds still)
    let before = tmux.settle(|s| feed_rows(s));
    tmux.send(&["Enter"]);
    tmux.wait_for("Waterfall ·");
    tmux.send(&["Escape"]);
    let after = tmux.wait_for("⏸ PAUSED");
    assert_eq!(
        feed_rows(&before),
        feed_rows(&after),
        "Esc returns to the same rows"
    );
    // costs, with the drift the demo's stale routing table plants
    tmux.send(&["3"]);
    tmux.wait_for("Window 24h");
    tmux.wait_for("By model · drift +$");
    // audit: mark the first queue item ok and see the verdict
    tmux.send(&["5"]);
    tmux.wait_for("Review queue");
    tmux.wait_for("· todo");
    tmux.send(&["a"]);
    tmux.wait_for("✓ ok");
    // help and quit
    tmux.send(&["?"]);
    tmux.wait_for("Help ·");
    tmux.send(&["Escape"]);
    tmux.wait_gone("Help ·");
    tmux.send(&["q"]);
    tmux.wait_for("exit=0");
    tmux.send(&["echo shell-$((40+2))-ok", "Enter"]);
    tmux.wait_for("shell-42-ok");
}

/// `TRACETOP_PG_BINDIR=… ` for the pane's command line when the test has
/// it (scripts/test exports it; a tmux server started earlier would not
/// pass it on).
fn pg_bindir_prefix() -> String {
    std::env::var("TRACETOP_PG_BINDIR")
        .map(|d| format!("TRACETOP_PG_BINDIR='{d}' "))
        .unwrap_or_default()
}

/// Start `tracetop demo --postgres` in `tmux` with stderr to a file; wait
/// for the console and return the stderr file and the cluster directory it
/// announced (which must exist while the console runs).
fn start_pg_demo(tmux: &Tmux, tag: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let bin = env!("CARGO_BIN_EXE_tracetop");
    let log = std::env::temp_dir().join(format!("tracetop-e2e-{tag}-{}.log", std::process::id()));
    tmux.send(&[
        &format!(
            "{}NO_COLOR=1 {bin} demo --postgres --rate 50 2>'{}'; echo exit=$?",
            pg_bindir_prefix(),
            log.display()
        ),
        "Enter",
    ]);
    // starting a cluster and loading history takes seconds, more on a busy machine
    let deadline = Instant::now() + Duration::from_secs(90);
    let screen = loop {
        let s = tmux.capture();
        let exited = s.lines().any(|l| l.starts_with("exit="));
        if s.contains("Feed ·") || exited || Instant::now() > deadline {
            break s;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        screen.contains("Feed ·"),
        "demo --postgres did not open: {screen}\nstderr:\n{stderr}"
    );
    assert!(
        screen.contains("demo --postgres · seed 42 · 50 ev/s"),
        "{screen}"
    );
    for step in [
        "starting a throwaway Postgres",
        "loading ",
        "rows of history",
    ] {
        assert!(stderr.contains(step), "no progress {step:?}: {stderr}");
    }
    let dir = stderr
        .lines()
        .find_map(|l| l.strip_prefix("cluster at "))
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| panic!("no cluster path on stderr: {stderr}"));
    assert!(
        dir.join("data").is_dir(),
        "{} is not a cluster",
        dir.display()
    );
    (log, dir)
}

#[test]
fn demo_postgres_live_costs_audit_quit_removes_the_cluster() {
    if !have_tmux() {
        println!("note: tmux not installed, skipping the demo --postgres end-to-end test");
        return;
    }
    let tmux = Tmux::start("tracetop-e2e-pgdemo");
    let (log, dir) = start_pg_demo(&tmux, "pgdemo");
    // live rows come from the database tail
    tmux.wait_for_within("● connected", Duration::from_secs(30));
    tmux.wait_for_within("ai.done", Duration::from_secs(30));
    // costs: the loaded history has spend in the last 24h
    tmux.send(&["3"]);
    let screen = tmux.wait_for("all time $");
    let spend: f64 = screen
        .split("24h $")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no 24h spend on screen:\n{screen}"));
    assert!(spend > 0.0, "24h spend is {spend}:\n{screen}");
    // audit: mark the first queue item ok; the verdict goes to tracetop_reviews
    tmux.send(&["5"]);
    tmux.wait_for("Review queue");
    tmux.wait_for("0 reviewed");
    tmux.send(&["a"]);
    tmux.wait_for("1 reviewed");
    tmux.send(&["q"]);
    let screen = tmux.wait_for_line("exit=");
    assert!(screen.lines().any(|l| l == "exit=0"), "{screen}");
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    assert!(
        !dir.exists(),
        "the throwaway cluster {} is still there; stderr:\n{stderr}",
        dir.display()
    );
    assert!(stderr.contains("stopped and removed"), "{stderr}");
    tmux.send(&["echo shell-$((40+2))-ok", "Enter"]);
    tmux.wait_for("shell-42-ok");
}

#[test]
fn demo_postgres_sigterm_removes_the_cluster() {
    if !have_tmux() {
        println!("note: tmux not installed, skipping the demo --postgres SIGTERM test");
        return;
    }
    let tmux = Tmux::start("tracetop-e2e-pgdemo-term");
    let (log, dir) = start_pg_demo(&tmux, "pgdemo-term");
    tmux.wait_for_within("● connected", Duration::from_secs(30));
    let pid = tmux.foreground_pid("tracetop");
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    tmux.wait_for("exit=0");
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    assert!(
        !dir.exists(),
        "the throwaway cluster {} survived SIGTERM; stderr:\n{stderr}",
        dir.display()
    );
}

#[test]
fn demo_postgres_hangup_removes_the_cluster() {
    if !have_tmux() {
        println!("note: tmux not installed, skipping the demo --postgres hang-up test");
        return;
    }
    let tmux = Tmux::start("tracetop-e2e-pgdemo-hup");
    let (log, dir) = start_pg_demo(&tmux, "pgdemo-hup");
    tmux.wait_for_within("● connected", Duration::from_secs(30));
    // the terminal goes away as with a dropped SSH session: SIGHUP
    drop(tmux);
    let deadline = Instant::now() + Duration::from_secs(20);
    while dir.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    assert!(
        !dir.exists(),
        "the throwaway cluster {} survived the hang-up; stderr:\n{stderr}",
        dir.display()
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn demo_postgres_without_server_binaries_says_what_to_install() {
    if !have_tmux() {
        println!("note: tmux not installed, skipping the demo --postgres binaries test");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_tracetop");
    // without a terminal it refuses before starting anything
    let out = Command::new(bin)
        .args(["demo", "--postgres"])
        .output()
        .expect("run tracetop demo --postgres");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("needs a terminal"), "{stderr}");
    assert!(!stderr.contains("starting a throwaway"), "{stderr}");
    // in a terminal, with no Postgres binaries where it is told to look
    let tmux = Tmux::start("tracetop-e2e-pgdemo-nobin");
    tmux.send(&[
        &format!("TRACETOP_PG_BINDIR=/nonexistent {bin} demo --postgres; echo exit=$?"),
        "Enter",
    ]);
    let screen = tmux.wait_for_line("exit=");
    assert!(screen.lines().any(|l| l == "exit=1"), "{screen}");
    let error: Vec<&str> = screen
        .lines()
        .filter(|l| l.starts_with("tracetop: "))
        .collect();
    assert_eq!(error.len(), 1, "{screen}");
    assert!(
        screen.replace('\n', "").contains("install postgresql"),
        "{screen}"
    );
}

/// Cold start on the real deployment's shape: the first frame the console
/// draws already holds the last minutes (a routed, a synthetic and a
/// failed request written before it started) and the ribbon counts the
/// request of the last minute; `--backfill 0` opens on an empty feed.
#[tokio::test]
async fn first_frame_shows_the_backfilled_recent_past() {
    if !have_tmux() {
        println!("note: tmux not installed, skipping the cold-start console test");
        return;
    }
    let db = support::fresh_db_shaped(support::Shape::Real).await;
    db.exec(
        "INSERT INTO users (id, name, email) VALUES ('u-cold', 'Cold Start', 'cold@example.test');
         INSERT INTO ai_requests (id, request_id, user_id, context_id, actor_kind, actor_id, provider,
             model, requested_model, status, synthetic, input_tokens, output_tokens, tokens_used,
             cost_microdollars, latency_ms, created_at, updated_at, completed_at)
         VALUES
          ('req-cold-routed', 'q-cold-1', 'u-cold', 'ctx-cold', 'user', 'u-cold', 'openai', 'gpt-4o-mini',
           'gpt-4o', 'completed', false, 100, 20, 120, 4200, 800,
           now() - interval '12 minutes', now() - interval '12 minutes', now() - interval '12 minutes'),
          ('req-cold-probe', 'q-cold-2', 'u-cold', 'ctx-cold', 'job', 'probe', 'openai', 'gpt-4o',
           'gpt-4o', 'completed', true, 10, 2, 12, 100, 300,
           now() - interval '6 minutes', now() - interval '6 minutes', now() - interval '6 minutes'),
          ('req-cold-recent', 'q-cold-3', 'u-cold', 'ctx-cold', 'user', 'u-cold', 'anthropic',
           'claude-sonnet', 'claude-sonnet', 'completed', false, 10, 2, 12, 100, 300,
           now() - interval '20 seconds', now() - interval '20 seconds', now() - interval '20 seconds'),
          ('req-cold-old', 'q-cold-4', 'u-cold', 'ctx-cold', 'user', 'u-cold', 'openai', 'gpt-4o',
           'gpt-4o', 'completed', false, 10, 2, 12, 100, 300,
           now() - interval '2 hours', now() - interval '2 hours', now() - interval '2 hours')",
    )
    .await;
    let bin = env!("CARGO_BIN_EXE_tracetop");
    for (flag, backfilled) in [("", true), ("--backfill 0", false)] {
        let tmux = Tmux::start(&format!("tracetop-e2e-cold-{backfilled}"));
        tmux.send(&[
            &format!(
                "NO_COLOR=1 {bin} --database-url '{}' {flag}; echo exit=$?",
                db.url
            ),
            "Enter",
        ]);
        // the first capture that shows a whole frame of the console (its
        // bottom line, written last, is there)
        let deadline = Instant::now() + Duration::from_secs(20);
        let first = loop {
            let screen = tmux.capture();
            let whole = screen.contains("Feed ·") && screen.contains("q quit");
            if whole || Instant::now() > deadline {
                break screen;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        assert!(
            first.contains("Feed ·"),
            "the console did not open:
{first}"
        );
        if backfilled {
            for text in [
                "gpt-4o → gpt-4o-mini",
                "gpt-4o ⚗synthetic",
                "claude-sonnet",
                "req/min 1.0",
            ] {
                assert!(
                    first.contains(text),
                    "the first frame lacks {text:?}:
{first}"
                );
            }
            assert!(!first.contains("waiting for events"), "{first}");
        } else {
            assert!(!first.contains("gpt-4o-mini"), "{first}");
            assert!(first.contains("req/min 0"), "{first}");
        }
        // two hours ago is outside the 15 minutes either way
        assert!(!first.contains("req-cold-old"), "{first}");
        tmux.send(&["q"]);
        tmux.wait_for("exit=0");
    }
}

both_shapes!(
    console_on_postgres_views_help_quit_and_shell_restored,
    audit_verdict_lands_on_the_request_shown_while_the_queue_reloads
);

/// The audit blocker, end to end: the auditor looks at a request, new
/// requests arrive and the queue reloads under the cursor, the auditor
/// flags; the verdict in `tracetop_reviews` names the request that was on
/// screen.
async fn audit_verdict_lands_on_the_request_shown_while_the_queue_reloads(shape: support::Shape) {
    if !have_tmux() {
        println!("note: tmux not installed, skipping the end-to-end audit test");
        return;
    }
    let db = support::fresh_db_shaped(shape).await;
    let insert = |ids: &[&str], seconds_ago: i64| {
        let values: Vec<String> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                format!(
                    "('{id}', 'q-{id}', 'u-e2e', 'ctx-e2e', 'user', 'u-e2e', 'openai', 'gpt-4o', \
                     'completed', 100, 20, 120, 4200, 800, now() - interval '{} seconds')",
                    seconds_ago - i as i64
                )
            })
            .collect();
        format!(
            "INSERT INTO ai_requests (id, request_id, user_id, context_id, actor_kind, actor_id, \
             provider, model, status, input_tokens, output_tokens, tokens_used, \
             cost_microdollars, latency_ms, created_at) VALUES {}",
            values.join(", ")
        )
    };
    db.exec(
        "INSERT INTO users (id, name, email, status, roles, created_at)
         VALUES ('u-e2e', 'E2E User', 'e2e@example.test', 'active', '{}', now())",
    )
    .await;
    db.exec(&insert(
        &["req-old-1", "req-old-2", "req-old-3", "req-old-4"],
        300,
    ))
    .await;
    let tmux = Tmux::start(&format!("tracetop-e2e-audit-{shape:?}"));
    let bin = env!("CARGO_BIN_EXE_tracetop");
    tmux.send(&[
        &format!("NO_COLOR=1 {bin} --database-url '{}'; echo exit=$?", db.url),
        "Enter",
    ]);
    tmux.wait_for("Feed ·");
    tmux.send(&["5"]);
    tmux.wait_for("Record · request req-old-4");
    tmux.send(&["j", "j"]);
    let screen = tmux.wait_for("Record · request req-old-2");
    assert!(screen.contains("mark request req-old-2"), "{screen}");
    // new traffic lands on top; the queue reloads (every 5 s) under the cursor
    db.exec(&insert(&["req-new-1", "req-new-2", "req-new-3"], 5))
        .await;
    let screen = tmux.wait_for("req-new-3");
    assert!(screen.contains("Record · request req-old-2"), "{screen}");
    tmux.send(&["f"]);
    tmux.wait_for("saved: flag on request req-old-2");
    let verdicts: Vec<(String, String)> =
        sqlx::query_as("SELECT target_id, verdict FROM tracetop_reviews ORDER BY id")
            .fetch_all(&mut db.writer().await)
            .await
            .unwrap();
    assert_eq!(
        verdicts,
        vec![("req-old-2".to_string(), "flag".to_string())]
    );
    tmux.send(&["q"]);
    tmux.wait_for("exit=0");
}

#[test]
fn e_opens_the_selected_row_in_the_pager_and_the_console_comes_back() {
    if !have_tmux() {
        println!("note: tmux not installed, skipping the pager end-to-end test");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_tracetop");
    let tmux = Tmux::start("tracetop-e2e-pager");
    tmux.send(&[
        &format!("PAGER=less LESS= {bin} demo --seed 7 --rate 50; echo exit=$?"),
        "Enter",
    ]);
    tmux.wait_for("● connected");
    tmux.wait_for("ai.done");
    tmux.send(&["Space"]);
    tmux.wait_for("⏸ PAUSED");
    tmux.send(&["e"]);
    let pager = tmux.wait_for("\"kind\":");
    assert!(
        !pager.contains("Feed ·"),
        "the console is suspended:\n{pager}"
    );
    tmux.send(&["q"]);
    let back = tmux.wait_for("Feed ·");
    assert!(back.contains("1 Live"), "{back}");
    assert!(back.contains("⏸ PAUSED"), "{back}");
    // keys reach the console again
    tmux.send(&["3"]);
    tmux.wait_for("Window 24h");
    tmux.send(&["q"]);
    tmux.wait_for("exit=0");
}

/// Time travel end to end: open the console on a past hour, pause, step,
/// jump to the next error and go back to live.
#[tokio::test]
async fn console_replays_a_past_window_pauses_steps_jumps_and_returns_to_live() {
    if !have_tmux() {
        println!("note: tmux not installed, skipping the time-travel console test");
        return;
    }
    let db = support::fresh_db().await;
    db.exec(
        "INSERT INTO logs (id, timestamp, level, module, message) VALUES
           ('past-1', '2026-11-24T03:00:30Z', 'INFO', 'gateway', 'past-first-line'),
           ('past-2', '2026-11-24T03:01:00Z', 'INFO', 'gateway', 'past-after-a-minute'),
           ('past-err', '2026-11-24T03:20:00Z', 'ERROR', 'gateway', 'past-the-error'),
           ('past-3', '2026-11-24T03:40:00Z', 'INFO', 'gateway', 'past-later'),
           ('now-1', now() - interval '1 minute', 'INFO', 'gateway', 'live-right-now')",
    )
    .await;
    let bin = env!("CARGO_BIN_EXE_tracetop");
    let tmux = Tmux::start("tracetop-e2e-timetravel");
    tmux.send(&[
        &format!(
            "NO_COLOR=1 {bin} --database-url '{}' --at 2026-11-24T03:00 --window 1h --speed 1; echo exit=$?",
            db.url
        ),
        "Enter",
    ]);
    let screen = tmux.wait_for("REPLAY 2026-11-24 03:00–04:00 · 1×");
    assert!(!screen.contains("live-right-now"), "{screen}");
    tmux.send(&["Space"]);
    tmux.wait_for("⏸ PAUSED");
    // one minute on: the lines of the first minute are on screen, not later ones
    tmux.send(&["S-Right"]);
    let screen = tmux.wait_for("past-after-a-minute");
    assert!(screen.contains("past-first-line"), "{screen}");
    assert!(!screen.contains("past-the-error"), "{screen}");
    tmux.send(&["Right"]);
    tmux.wait_for(" 03:01:");
    // the next error
    tmux.send(&["]"]);
    let screen = tmux.wait_for("past-the-error");
    assert!(screen.contains(" 03:20:00 "), "{screen}");
    assert!(!screen.contains("past-later"), "{screen}");
    // back to live: the live feed, no replay banner
    tmux.send(&["G"]);
    tmux.wait_gone("REPLAY");
    let screen = tmux.wait_for("live-right-now");
    assert!(!screen.contains("past-the-error"), "{screen}");
    tmux.send(&["q"]);
    tmux.wait_for("exit=0");
}

/// Time travel over `--remote`: the console on a `tracetop serve` opens a
/// past hour read through the server's window API, all at once with
/// `--speed 0`, and runs its anomaly rules over it as over a local window.
#[tokio::test]
async fn remote_console_replays_a_past_window_through_serve() {
    if !have_tmux() {
        println!("note: tmux not installed, skipping the remote time-travel console test");
        return;
    }
    let db = support::fresh_db().await;
    db.exec(
        "INSERT INTO logs (id, timestamp, level, module, message) VALUES
           ('past-r1', '2026-11-24T03:05:00Z', 'INFO', 'gateway', 'remote-past-line'),
           ('past-r2', '2026-11-24T03:45:00Z', 'ERROR', 'gateway', 'remote-past-error'),
           ('past-r3', '2026-11-24T05:00:00Z', 'INFO', 'gateway', 'remote-outside')",
    )
    .await;
    // a 45 s tool call: the console's own rules flag it in the replay (a
    // window from the server carries rows only)
    db.exec(
        "INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, started_at,
           completed_at, execution_time_ms, input, status, user_id, created_at) VALUES
           ('past-slow', 'slow-remote-tool', 'srv', '2026-11-24T03:20:00Z', '2026-11-24T03:20:45Z',
            45000, '{}', 'success', 'u-remote', '2026-11-24T03:20:00Z')",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    let token = dir.path().join("token");
    std::fs::write(&tokens, "remote-e2e-token-0123456789\n").unwrap();
    std::fs::write(&token, "remote-e2e-token-0123456789\n").unwrap();
    let serve = support::serve::ServeProcess::start(&db.url, &tokens, &[]).await;
    let port = serve.port;
    let bin = env!("CARGO_BIN_EXE_tracetop");
    let tmux = Tmux::start("tracetop-e2e-remote-timetravel");
    tmux.send(&[
        &format!(
            "NO_COLOR=1 {bin} --remote http://127.0.0.1:{port}/api/v1/stream --token-file {} --at 2026-11-24T03:00 --speed 0; echo exit=$?",
            token.display()
        ),
        "Enter",
    ]);
    tmux.wait_for("REPLAY 2026-11-24 03:00–04:00 · max");
    let screen = tmux.wait_for("remote-past-error");
    assert!(screen.contains("remote-past-line"), "{screen}");
    let screen = tmux.wait_for("mcp_execution_time");
    assert!(screen.contains("slow-remote-tool"), "{screen}");
    assert!(screen.contains("■ END"), "{screen}");
    assert!(!screen.contains("remote-outside"), "{screen}");
    tmux.send(&["q"]);
    tmux.wait_for("exit=0");
    drop(serve);
}
