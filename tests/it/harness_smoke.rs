//! The harness itself: a fresh database is migrated, isolated and empty,
//! and PgEngine refuses a database without the audit tables.

use crate::support;

use tracetop::pg::PgEngine;

#[tokio::test]
async fn fresh_databases_are_migrated_and_isolated() {
    let a = support::fresh_db().await;
    let b = support::fresh_db().await;
    a.exec("INSERT INTO users (id, name) VALUES ('u1', 'Ada')")
        .await;
    let engine_b = PgEngine::connect(&b.url).await.expect("connect b");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(engine_b.pool())
        .await
        .unwrap();
    assert_eq!(count, 0, "b must not see a's rows");
    let engine_a = PgEngine::connect(&a.url).await.expect("connect a");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(engine_a.pool())
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn engine_sessions_are_read_only() {
    let db = support::fresh_db().await;
    let engine = PgEngine::connect(&db.url).await.unwrap();
    let err = sqlx::query("INSERT INTO users (id, name) VALUES ('x', 'x')")
        .execute(engine.pool())
        .await
        .expect_err("a write through the engine must fail");
    let mapped = engine.err(err).to_string();
    assert!(mapped.contains("read-only"), "{mapped}");
}

#[tokio::test]
async fn missing_tables_give_a_clear_error() {
    let db = support::empty_db().await;
    let err = PgEngine::connect(&db.url).await.expect_err("no tables");
    let msg = err.to_string();
    assert!(msg.contains("tracetop migrate"), "{msg}");
    assert!(msg.contains("ai_requests"), "{msg}");
    assert!(!msg.contains('\n'), "one line: {msg}");
}
