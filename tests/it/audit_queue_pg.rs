//! The audit queue on a real Postgres: the console's own query and verdict
//! paths (`tui::queries`) against PgEngine and PgReviewStore, with the
//! queue reloading between the moment a request is shown and the key that
//! marks it. The verdict row in `tracetop_reviews` must name the request
//! the Record pane showed, never the row that moved under the cursor.

use crate::support;
use crate::tui_fixtures;

use chrono::{Duration, Utc};
use std::sync::Arc;
use tracetop::pg::{PgEngine, PgReviewStore};
use tracetop::query::{QueryEngine, ReviewStore};
use tracetop::tui::app::{App, Effect, Msg};
use tracetop::tui::config::Thresholds;
use tracetop::tui::keymap::Keymap;
use tracetop::tui::queries;
use tracetop::tui::theme::Theme;
use tui_fixtures::{ch, screen};

struct Harness {
    app: App,
    history: Arc<dyn QueryEngine>,
    reviews: Arc<dyn ReviewStore>,
}

impl Harness {
    /// Run every effect the app asked for, feeding the replies back, until
    /// it asks for nothing more (what the event loop does, in order).
    async fn settle(&mut self) {
        loop {
            let effects = self.app.drain_effects();
            if effects.is_empty() {
                return;
            }
            for effect in effects {
                let reply = match effect {
                    Effect::Query(q) => {
                        queries::execute(q, self.history.clone(), self.reviews.clone()).await
                    }
                    Effect::RecordReview(r) => {
                        queries::record_review(r, self.reviews.clone()).await
                    }
                    _ => continue,
                };
                self.app.update(Msg::Reply(reply));
            }
        }
    }

    /// The id in the Record pane's title.
    fn shown_record(&self) -> String {
        let shown = screen(&self.app);
        let line = shown
            .lines()
            .find(|l| l.contains("Record · request "))
            .unwrap_or_else(|| panic!("no record on screen:\n{shown}"));
        let after = line.split("Record · request ").nth(1).unwrap();
        after.split_whitespace().next().unwrap().to_string()
    }
}

async fn insert_requests(db: &support::TestDb, ids: &[&str], seconds_ago: i64) {
    for (i, id) in ids.iter().enumerate() {
        let at = Utc::now() - Duration::seconds(seconds_ago - i as i64);
        db.exec(&format!(
            "INSERT INTO ai_requests (id, request_id, user_id, provider, model, status, \
             cost_microdollars, created_at) VALUES ('{id}', 'q-{id}', 'u1', 'anthropic', \
             'claude-sonnet', 'completed', 1000, '{}')",
            at.to_rfc3339()
        ))
        .await;
    }
}

#[tokio::test]
async fn a_verdict_lands_on_the_request_shown_although_the_queue_reloaded() {
    let db = support::fresh_db().await;
    // oldest first: the queue shows them newest first (r-05 on top)
    insert_requests(&db, &["r-00", "r-01", "r-02", "r-03", "r-04", "r-05"], 600).await;
    let mut h = Harness {
        app: App::new(
            Theme::builtin("dark", true).unwrap(),
            Keymap::default(),
            Thresholds::default(),
            Utc::now(),
        ),
        history: Arc::new(PgEngine::connect(&db.url).await.unwrap()),
        reviews: Arc::new(PgReviewStore::connect(&db.url).await.unwrap()),
    };
    h.app.reviewer = "dana".into();
    h.app.update(Msg::Resize(120, 40));
    h.app.update(ch('5'));
    h.settle().await;
    h.app.update(ch('j'));
    h.app.update(ch('j'));
    h.settle().await;
    let shown = h.shown_record();
    assert_eq!(shown, "r-03");

    // new traffic lands on top and the queue reloads before the key
    insert_requests(&db, &["r-06", "r-07", "r-08"], 60).await;
    h.app.update(Msg::Tick(Utc::now() + Duration::seconds(10)));
    h.settle().await;
    assert_eq!(
        h.app
            .audit
            .queue
            .ready()
            .map(|q| q.first().unwrap().id.to_string()),
        Some("r-08".to_string()),
        "the reload brought the new rows"
    );
    assert_eq!(h.shown_record(), shown);
    h.app.update(ch('f'));
    h.settle().await;
    assert!(
        h.app.status.as_ref().unwrap().0.starts_with("saved: flag"),
        "{:?}",
        h.app.status
    );

    let mut c = db.writer().await;
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT target_kind, target_id, verdict, reviewer FROM tracetop_reviews ORDER BY id",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![(
            "request".to_string(),
            shown.clone(),
            "flag".to_string(),
            "dana".to_string()
        )]
    );
    // the stored verdict is shown with the record after the next reload
    h.app.update(Msg::Tick(Utc::now() + Duration::seconds(20)));
    h.settle().await;
    let screen = screen(&h.app);
    assert!(screen.contains("⚑ flag by dana"), "{screen}");
}
