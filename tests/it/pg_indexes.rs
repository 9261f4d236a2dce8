//! The audit's prefix lookups are index range scans under the collation a
//! real deployment runs (here `C.UTF-8`; `en_US.UTF-8` behaves the same): a
//! plain btree cannot serve `LIKE 'prefix%'` there, only `text_pattern_ops`
//! can, and without it `tracetop audit` walked a whole index (7.6× psql at
//! 1M AI requests). Checked with EXPLAIN on a database created with that
//! collation, on both shapes: tracetop's migrations, and a real
//! deployment's tables with `tracetop migrate` applied.

use crate::support;

use sqlx::Connection;
use support::Shape;

/// Every (table, id column) the audit resolves a prefix against.
const PREFIX_COLUMNS: [(&str, &str); 6] = [
    ("ai_requests", "id"),
    ("ai_requests", "task_id"),
    ("ai_requests", "trace_id"),
    ("agent_tasks", "task_id"),
    ("agent_tasks", "trace_id"),
    ("mcp_tool_executions", "trace_id"),
];

async fn prefix_lookups_are_index_range_scans_under_a_non_c_collation(shape: Shape) {
    let admin = support::admin_url();
    let name = format!("collated_{}", uuid::Uuid::new_v4().simple());
    let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' \
         LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
    )))
    .execute(&mut c)
    .await
    .expect("create a C.UTF-8 database (the cluster needs the C.UTF-8 locale)");
    let _ = c.close().await;
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    if shape == Shape::Real {
        let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(support::REAL_SHAPE_DDL)
            .execute(&mut c)
            .await
            .expect("real deployment DDL");
        let _ = c.close().await;
    }
    tracetop::pg::migrate::run(&url).await.expect("migrate");

    let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
    let collation: String = sqlx::query_scalar("SHOW lc_collate")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(collation, "C.UTF-8");
    // empty tables: without this the planner scans them whatever the indexes
    sqlx::query("SET enable_seqscan = off")
        .execute(&mut db)
        .await
        .unwrap();
    for (table, column) in PREFIX_COLUMNS {
        let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "EXPLAIN SELECT 1 FROM {table} WHERE {column} LIKE '3f2a91%'"
        )))
        .fetch_all(&mut db)
        .await
        .unwrap();
        let plan = plan.join("\n");
        // `~>=~` / `~<~` are text_pattern_ops' range operators: the index
        // condition bounds the scan to the prefix
        assert!(
            plan.contains("Index Cond") && plan.contains("~>=~") && plan.contains("~<~"),
            "{table}.{column} LIKE 'prefix%' is not an index range scan:\n{plan}"
        );
    }
}

both_shapes!(prefix_lookups_are_index_range_scans_under_a_non_c_collation);
