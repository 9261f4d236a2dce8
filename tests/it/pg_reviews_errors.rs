//! PgReviewStore (append-only verdicts on their own connection), read-only
//! enforcement of the engine's pool, and the one-line errors an operator
//! sees: unreachable host, wrong password, a database without our tables.

use crate::support;

use tracetop::error::Error;
use tracetop::model::{ReviewTarget, Verdict};
use tracetop::pg::cluster::TempCluster;
use tracetop::pg::{PgEngine, PgReviewStore};
use tracetop::query::{NewReview, ReviewFilter, ReviewStore, TimeWindow};

fn review(kind: &str, id: &str, verdict: &str, note: Option<&str>) -> NewReview {
    NewReview {
        target_kind: kind.parse().unwrap(),
        target_id: id.into(),
        verdict: verdict.parse().unwrap(),
        note: note.map(str::to_string),
        reviewer: "ann".into(),
    }
}

#[tokio::test]
async fn reviews_are_appended_and_read_newest_first() {
    let db = support::fresh_db().await;
    let store = PgReviewStore::connect(&db.url).await.unwrap();
    let first = store
        .record_review(&review("trace", "tr-1", "flag", Some("odd tool call")))
        .await
        .unwrap();
    assert!(first.id > 0);
    assert_eq!(
        (
            first.target_kind.as_str(),
            first.target_id.as_str(),
            first.verdict.as_str()
        ),
        ("trace", "tr-1", "flag")
    );
    assert_eq!(first.note.as_deref(), Some("odd tool call"));
    assert_eq!(first.reviewer, "ann");
    let second = store
        .record_review(&review("trace", "tr-1", "ok", None))
        .await
        .unwrap();
    store
        .record_review(&review("request", "r-9", "escalate", None))
        .await
        .unwrap();

    let for_trace = store
        .reviews(&ReviewFilter {
            target_kind: Some(ReviewTarget::Trace),
            target_id: Some("tr-1".into()),
            limit: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    let ids: Vec<i64> = for_trace.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        [second.id, first.id],
        "newest first, other targets left out"
    );
    let all = store.reviews(&ReviewFilter::default()).await.unwrap();
    assert_eq!(all.len(), 3);
    let one = store
        .reviews(&ReviewFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(one[0].target_id, "r-9");
    // a window on created_at, half-open: [first, second) holds only first
    let in_window = store
        .reviews(&ReviewFilter {
            window: Some(TimeWindow {
                start: first.created_at,
                end: second.created_at,
            }),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        in_window.iter().map(|r| r.id).collect::<Vec<_>>(),
        [first.id]
    );

    // unknown words never become a verdict (one line naming the choices);
    // an empty target is refused before reaching the database
    let err = "maybe".parse::<Verdict>().unwrap_err();
    assert_eq!(
        err,
        "unknown verdict \"maybe\": use one of ok, flag, escalate"
    );
    let err = "user".parse::<ReviewTarget>().unwrap_err();
    assert!(err.contains("mcp_execution, log, anomaly"), "{err}");
    assert_eq!(" FLAG ".parse::<Verdict>(), Ok(Verdict::Flag));
    let err = store
        .record_review(&review("trace", " ", "ok", None))
        .await
        .expect_err("no target id");
    assert!(matches!(err, Error::Input(_)), "{err:?}");
    // JSON spells them as the table does, and refuses other words
    assert_eq!(
        serde_json::to_string(&ReviewTarget::McpExecution).unwrap(),
        "\"mcp_execution\""
    );
    assert!(serde_json::from_str::<Verdict>("\"maybe\"").is_err());
}

#[tokio::test]
async fn reviews_cannot_be_updated_or_deleted() {
    let db = support::fresh_db().await;
    let store = PgReviewStore::connect(&db.url).await.unwrap();
    store
        .record_review(&review("task", "t-1", "flag", None))
        .await
        .unwrap();
    let mut writer = db.writer().await;
    for sql in [
        "UPDATE tracetop_reviews SET verdict = 'ok'",
        "DELETE FROM tracetop_reviews",
    ] {
        let err = sqlx::query(sql)
            .execute(&mut writer)
            .await
            .expect_err("append-only");
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let rows = store.reviews(&ReviewFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].verdict.as_str(), "flag");
}

#[tokio::test]
async fn review_store_needs_its_table() {
    let db = support::empty_db().await;
    let err = PgReviewStore::connect(&db.url)
        .await
        .expect_err("no tracetop_reviews");
    assert!(matches!(err, Error::Schema(_)), "{err:?}");
    assert!(err.to_string().contains("tracetop migrate"), "{err}");
}

#[tokio::test]
async fn writes_through_the_engine_pool_fail() {
    let db = support::fresh_db().await;
    db.exec("INSERT INTO ai_requests (id, request_id, user_id, provider, model) VALUES ('r1', 'q', 'u1', 'p', 'm')")
        .await;
    let engine = PgEngine::connect(&db.url).await.unwrap();
    for sql in [
        "UPDATE ai_requests SET cost_microdollars = 1",
        "DELETE FROM ai_requests",
        "INSERT INTO tracetop_reviews (target_kind, target_id, verdict, reviewer) VALUES ('trace', 'x', 'ok', 'me')",
    ] {
        let err = sqlx::query(sql)
            .execute(engine.pool())
            .await
            .expect_err("read-only session");
        let msg = engine.err(err).to_string();
        assert!(msg.contains("read-only"), "{sql}: {msg}");
    }
    let cost: i64 = sqlx::query_scalar("SELECT cost_microdollars FROM ai_requests")
        .fetch_one(engine.pool())
        .await
        .unwrap();
    assert_eq!(cost, 0);
}

#[tokio::test]
async fn unreachable_host_is_one_line_without_the_password() {
    let err = PgEngine::connect("postgres://u:hunter2pw@127.0.0.1:1/x")
        .await
        .expect_err("nothing listens on port 1");
    let msg = err.to_string();
    assert!(matches!(err, Error::Database(_)), "{err:?}");
    assert!(msg.contains("cannot connect"), "{msg}");
    assert!(msg.contains("127.0.0.1:1"), "{msg}");
    // the driver's error is kept as the cause, for programs to inspect
    let cause = std::error::Error::source(&err).expect("the driver error is kept");
    assert!(
        matches!(
            cause.downcast_ref::<sqlx::Error>(),
            Some(sqlx::Error::Io(_))
        ),
        "{cause:?}"
    );
    assert!(!msg.contains("hunter2pw"), "{msg}");
    assert!(!msg.contains('\n'), "{msg}");
}

#[tokio::test]
async fn database_without_tables_names_the_remedy() {
    let db = support::empty_db().await;
    let err = PgEngine::connect(&db.url).await.expect_err("no tables");
    assert!(matches!(err, Error::Schema(_)), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("tracetop migrate"), "{msg}");
    assert!(!msg.contains('\n'), "{msg}");
}

/// A private cluster whose non-superuser roles must give a password
/// (scram-sha-256 on the unix socket): a wrong one is refused by the real
/// server with SQLSTATE 28P01.
#[tokio::test]
async fn wrong_password_is_an_auth_error_that_hides_the_password() {
    use sqlx::Connection;
    let cluster = TempCluster::start().expect("temp cluster");
    let admin_url = cluster.url("postgres");
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query("CREATE ROLE alice LOGIN PASSWORD 'right-pw-42'")
        .execute(&mut admin)
        .await
        .unwrap();
    let hba: String = sqlx::query_scalar("SHOW hba_file")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    std::fs::write(
        &hba,
        "local all postgres trust\nlocal all all scram-sha-256\n",
    )
    .expect("rewrite pg_hba.conf");
    sqlx::query("SELECT pg_reload_conf()")
        .execute(&mut admin)
        .await
        .unwrap();
    let _ = admin.close().await;

    let wrong = admin_url.replacen("postgres://postgres@", "postgres://alice:wr0ng-s3cret@", 1);
    // The reload is asynchronous: retry until the server asks for a password.
    let mut last = None;
    for _ in 0..100 {
        match PgEngine::connect(&wrong).await {
            Err(Error::Auth(msg)) => {
                last = Some(msg);
                break;
            }
            _ => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
    let msg = last.expect("the server refuses the wrong password");
    assert!(msg.contains("authentication failed"), "{msg}");
    assert!(msg.contains("alice:***@"), "{msg}");
    assert!(!msg.contains("wr0ng-s3cret"), "{msg}");
    assert!(!msg.contains('\n'), "{msg}");

    // and the right password gets past authentication (the database has
    // no audit tables, so the schema check is what stops it)
    let right = admin_url.replacen("postgres://postgres@", "postgres://alice:right-pw-42@", 1);
    let err = PgEngine::connect(&right).await.expect_err("no tables");
    assert!(matches!(err, Error::Schema(_)), "{err:?}");
    assert!(!err.to_string().contains("right-pw-42"));
}

#[tokio::test]
async fn review_store_on_an_unreachable_host_fails_fast_and_clean() {
    let err = PgReviewStore::connect("postgres://u:hunter2pw@127.0.0.1:1/x")
        .await
        .expect_err("nothing listens on port 1");
    let msg = err.to_string();
    assert!(msg.contains("cannot connect"), "{msg}");
    assert!(!msg.contains("hunter2pw"), "{msg}");
}
