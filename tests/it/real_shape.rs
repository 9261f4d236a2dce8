//! The real deployment's shape (tests/shapes/systemprompt_v034.sql): what
//! `tracetop migrate` does to it (adds only tracetop's own table and
//! indexes), which optional columns the engine detects on each shape and on
//! an older deployment, and that every record decodes from the types a real
//! deployment stores (integer counters, text metadata, text UUID ids,
//! varchar ids).

use crate::support;

use support::{REAL_SHAPE_DDL, Shape};
use tracetop::model::*;
use tracetop::pg::PgEngine;
use tracetop::pg::columns::OPTIONAL_COLUMNS;
use tracetop::query::{AiRequestFilter, AuditResolution, QueryEngine};
use tracetop::source::postgres::{PgTail, TailConfig};

/// Every column (type, nullability, default) and every constraint of the
/// audited tables, one line each, sorted.
async fn audited_schema(url: &str) -> Vec<String> {
    let db = support::TestDb {
        url: url.to_string(),
        name: String::new(),
    };
    let mut c = db.writer().await;
    let mut lines: Vec<String> = sqlx::query_scalar(
        "SELECT format('%s.%s %s null=%s default=%s', c.relname, a.attname,
                       format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
                       pg_get_expr(d.adbin, d.adrelid))
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE c.relname = ANY($1) AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped",
    )
    .bind(tracetop::pg::connect::REQUIRED_TABLES)
    .fetch_all(&mut c)
    .await
    .unwrap();
    let constraints: Vec<String> = sqlx::query_scalar(
        "SELECT format('%s %s %s', c.relname, k.conname, pg_get_constraintdef(k.oid))
         FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
         WHERE c.relname = ANY($1)",
    )
    .bind(tracetop::pg::connect::REQUIRED_TABLES)
    .fetch_all(&mut c)
    .await
    .unwrap();
    lines.extend(constraints);
    lines.sort();
    lines
}

async fn index_count(db: &support::TestDb) -> i64 {
    let mut c = db.writer().await;
    sqlx::query_scalar("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'")
        .fetch_one(&mut c)
        .await
        .unwrap()
}

#[tokio::test]
async fn migrate_on_a_real_deployment_adds_only_its_own_table_and_indexes() {
    let db = support::empty_db().await;
    db.exec(REAL_SHAPE_DDL).await;
    let before = audited_schema(&db.url).await;
    let indexes_before = index_count(&db).await;
    assert!(before.len() > 200, "the real shape has its columns");
    let applied = tracetop::pg::migrate::run(&db.url).await.expect("migrate");
    assert!(
        applied >= 5,
        "every migration recorded as applied: {applied}"
    );
    let after = audited_schema(&db.url).await;
    assert_eq!(before, after, "migrate changed an audited table");
    assert!(
        index_count(&db).await > indexes_before + 20,
        "tracetop's query indexes were added"
    );
    let mut c = db.writer().await;
    let reviews: Option<String> =
        sqlx::query_scalar("SELECT to_regclass('tracetop_reviews')::text")
            .fetch_one(&mut c)
            .await
            .unwrap();
    assert_eq!(reviews.as_deref(), Some("tracetop_reviews"));
    // and once more is a no-op
    assert_eq!(tracetop::pg::migrate::run(&db.url).await.unwrap(), 0);
    assert_eq!(audited_schema(&db.url).await, before);
}

async fn both_shapes_carry_every_optional_column(shape: Shape) {
    let db = support::fresh_db_shaped(shape).await;
    let engine = PgEngine::connect(&db.url).await.unwrap();
    let expected: Vec<String> = OPTIONAL_COLUMNS
        .iter()
        .map(|(t, c)| format!("{t}.{c}"))
        .collect();
    assert_eq!(engine.columns().optional_present(), expected);
}

#[tokio::test]
async fn an_older_deployment_without_the_gateway_columns_still_reads() {
    // A deployment from before the gateway columns: the real shape minus
    // them, then `tracetop migrate` (which must not add them).
    let db = support::empty_db().await;
    db.exec(REAL_SHAPE_DDL).await;
    db.exec(
        "ALTER TABLE ai_requests DROP COLUMN cache_read_tokens, DROP COLUMN cache_creation_tokens,
             DROP COLUMN requested_model, DROP COLUMN actor_kind, DROP COLUMN actor_id,
             DROP COLUMN synthetic, DROP COLUMN is_streaming;
         ALTER TABLE user_sessions DROP COLUMN is_ai_crawler;
         ALTER TABLE logs DROP COLUMN gateway_conversation_id;",
    )
    .await;
    tracetop::pg::migrate::run(&db.url).await.expect("migrate");
    db.exec(
        "INSERT INTO users (id, name, email) VALUES ('u1', 'ada', 'ada@example.test');
         INSERT INTO user_sessions (session_id, user_id) VALUES ('s1', 'u1');
         INSERT INTO ai_requests (id, request_id, user_id, session_id, context_id, provider, model,
                                  status, gateway_conversation_id)
         VALUES ('req_alpha1', 'q1', 'u1', 's1', 'c1', 'openai', 'gpt-4o', 'completed', 'g1');
         INSERT INTO logs (level, module, message, provider_request_id)
         VALUES ('INFO', 'gw', 'hello', 'p1');",
    )
    .await;
    let engine = PgEngine::connect(&db.url).await.unwrap();
    assert_eq!(
        engine.columns().optional_present(),
        vec![
            "ai_requests.gateway_conversation_id",
            "ai_requests.provider_request_id",
            "logs.provider_request_id"
        ]
    );
    let requests = engine
        .ai_requests(&AiRequestFilter::default())
        .await
        .unwrap();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.gateway_conversation_id.as_deref(), Some("g1"));
    assert_eq!((r.cache_read_tokens, r.actor_kind.as_deref()), (None, None));
    // `tracetop audit`'s direct lookup reads the older shape too: the
    // missing columns read as NULL, the record is the engine's
    let direct = tracetop::pg::audit::audit_lookup_direct(&db.url, "req_alph")
        .await
        .expect("audit an older deployment");
    let via_engine = engine.audit_lookup("req_alph").await.unwrap();
    assert_eq!(
        serde_json::to_value(&direct).unwrap(),
        serde_json::to_value(&via_engine).unwrap()
    );
    let AuditResolution::Found(record) = direct else {
        panic!("req_alph resolves: {direct:?}")
    };
    // the same record the engine's probed select list reads
    assert_eq!(&record.requests[0].request, r);
    // the tail reads every table of the older shape too
    let mut tail = PgTail::start(
        engine.clone(),
        TailConfig {
            backfill: Some(std::time::Duration::from_secs(3600)),
            ..TailConfig::default()
        },
    )
    .await
    .unwrap();
    let events = tail.poll_once().await.expect("tail an older deployment");
    assert!(
        events.iter().any(
            |e| matches!(e, Event::Log { log } if log.provider_request_id.as_deref() == Some("p1"))
        ),
        "{events:?}"
    );
    assert!(events.iter().any(
        |e| matches!(e, Event::SessionStarted { session } if session.is_ai_crawler.is_none())
    ));
}

/// One row in every audited table, valid on both shapes, with values only a
/// real deployment's types make interesting: a session token count near the
/// top of `integer`, JSON metadata (text or jsonb by shape), every gateway
/// column filled.
const EVERY_TABLE: &str = "
INSERT INTO users (id, name, email, roles) VALUES ('u1', 'ada', 'ada@example.test', ARRAY['user', 'admin']);
INSERT INTO user_sessions (session_id, user_id, total_tokens_used, total_ai_cost_microdollars, is_ai_crawler)
 VALUES ('sess_1', 'u1', 2000000000, 9000000000, true);
INSERT INTO user_contexts (context_id, user_id, session_id, name) VALUES ('ctx_1', 'u1', 'sess_1', 'chat');
INSERT INTO agent_tasks (task_id, context_id, status, user_id, session_id, trace_id, agent_name)
 VALUES ('task_1', 'ctx_1', 'TASK_STATE_COMPLETED', 'u1', 'sess_1', 'tr_1', 'planner');
INSERT INTO task_execution_steps (step_id, task_id, step_type, title, status, content, duration_ms)
 VALUES ('step_1', 'task_1', 'tool', 'search', 'completed', '{\"q\": 1}', 12);
INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, started_at, input, status,
                                 user_id, trace_id)
 VALUES ('mcp_1', 'search', 'web', now(), '{\"q\": \"x\"}', 'success', 'u1', 'tr_1');
INSERT INTO ai_requests (id, request_id, user_id, session_id, task_id, context_id, trace_id,
    mcp_execution_id, provider, model, requested_model, tokens_used, input_tokens, output_tokens,
    cost_microdollars, latency_ms, cache_read_tokens, cache_creation_tokens, is_streaming, status,
    actor_kind, actor_id, synthetic, gateway_conversation_id, provider_request_id, completed_at)
 VALUES ('req_alpha1', 'q1', 'u1', 'sess_1', 'task_1', 'ctx_1', 'tr_1', 'mcp_1', 'anthropic', 'claude-haiku',
    'claude-sonnet', 1500, 1000, 500, 4200, 800, 700, 200, true, 'completed', 'job', 'nightly-digest',
    true, 'gconv_1', 'prov_1', now());
INSERT INTO ai_request_messages (request_id, role, content, sequence_number)
 VALUES ('req_alpha1', 'user', 'hi', 0), ('req_alpha1', 'assistant', 'hello', 1);
INSERT INTO ai_request_tool_calls (request_id, tool_name, tool_input, mcp_execution_id, sequence_number)
 VALUES ('req_alpha1', 'search', '{\"q\": \"x\"}', 'mcp_1', 0);
INSERT INTO logs (id, level, module, message, metadata, trace_id, gateway_conversation_id)
 VALUES ('log_1', 'WARN', 'gateway', 'slow', '{\"route\": \"fallback\"}', 'tr_1', 'gconv_1');
";

async fn every_record_decodes_from_the_stored_types(shape: Shape) {
    let db = support::fresh_db_shaped(shape).await;
    db.exec(EVERY_TABLE).await;
    let engine = PgEngine::connect(&db.url).await.unwrap();
    let mut tail = PgTail::start(
        engine.clone(),
        TailConfig {
            backfill: Some(std::time::Duration::from_secs(3600)),
            ..TailConfig::default()
        },
    )
    .await
    .unwrap();
    let events = tail.poll_once().await.expect("tail every table");
    let kinds: std::collections::BTreeSet<&str> = events.iter().map(Event::kind).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        vec![
            "ai_request_completed",
            "context_created",
            "execution_step",
            "log",
            "mcp_execution",
            "session_started",
            "task_updated",
            "user_seen"
        ]
    );
    let session = events
        .iter()
        .find_map(|e| match e {
            Event::SessionStarted { session } => Some(session),
            _ => None,
        })
        .unwrap();
    assert_eq!(session.total_tokens_used, 2_000_000_000);
    assert_eq!(
        session.total_ai_cost_microdollars,
        Microdollars(9_000_000_000)
    );
    assert_eq!(session.is_ai_crawler, Some(true));
    let (request, messages, calls) = events
        .iter()
        .find_map(|e| match e {
            Event::AiRequestCompleted {
                request,
                messages,
                tool_calls,
            } => Some((request, messages, tool_calls)),
            _ => None,
        })
        .unwrap();
    assert_eq!(request.model, "claude-haiku");
    assert_eq!(request.requested_model.as_deref(), Some("claude-sonnet"));
    assert_eq!(
        (request.cache_read_tokens, request.cache_creation_tokens),
        (Some(700), Some(200))
    );
    assert_eq!(request.is_streaming, Some(true));
    assert_eq!(
        (request.actor_kind.as_deref(), request.actor_id.as_deref()),
        (Some("job"), Some("nightly-digest"))
    );
    assert_eq!(request.synthetic, Some(true));
    assert_eq!(request.provider_request_id.as_deref(), Some("prov_1"));
    assert_eq!(messages.len(), 2);
    assert_eq!(calls[0].tool_input, "{\"q\": \"x\"}");
    let log = events
        .iter()
        .find_map(|e| match e {
            Event::Log { log } => Some(log),
            _ => None,
        })
        .unwrap();
    assert_eq!(log.metadata.as_deref(), Some("{\"route\": \"fallback\"}"));
    assert_eq!(log.gateway_conversation_id.as_deref(), Some("gconv_1"));
    // the audit record reads the same rows through the query engine
    let audit = engine.audit_lookup("req_alpha1").await.unwrap();
    let tracetop::query::AuditResolution::Found(record) = audit else {
        panic!("req_alpha1 resolves: {audit:?}");
    };
    assert_eq!(record.requests[0].messages.len(), 2);
    assert_eq!(
        record.requests[0].request.actor_kind.as_deref(),
        Some("job")
    );
    // every column as the engine's list of requests reads it
    let listed = engine
        .ai_requests(&AiRequestFilter::default())
        .await
        .unwrap();
    let listed = listed
        .iter()
        .find(|r| r.id.as_str() == "req_alpha1")
        .unwrap();
    assert_eq!(&record.requests[0].request, listed);
    // and `tracetop audit`'s direct lookup gives the same record
    let direct = tracetop::pg::audit::audit_lookup_direct(&db.url, "req_alpha1")
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&direct).unwrap(),
        serde_json::to_value(tracetop::query::AuditResolution::Found(record)).unwrap()
    );
}

both_shapes!(
    both_shapes_carry_every_optional_column,
    every_record_decodes_from_the_stored_types
);

/// JSON a deployment keeps in a text column reads as a `jsonb` column
/// renders it (the same on both shapes); text that is not JSON stays as it
/// is.
#[tokio::test]
async fn json_in_text_metadata_reads_as_jsonb_renders_it() {
    use tracetop::query::LogFilter;
    let db = support::fresh_real_db().await;
    db.exec(
        "INSERT INTO logs (id, level, module, message, metadata) VALUES
         ('log-json', 'INFO', 'gw', 'a', '{\"tokens\":10,  \"model\":\"m\"}'),
         ('log-text', 'INFO', 'gw', 'b', 'not json {');",
    )
    .await;
    let engine = PgEngine::connect(&db.url).await.unwrap();
    let logs = engine.log_search(&LogFilter::default()).await.unwrap();
    let metadata = |id: &str| {
        logs.iter()
            .find(|l| l.id.as_str() == id)
            .and_then(|l| l.metadata.clone())
    };
    assert_eq!(
        metadata("log-json").as_deref(),
        Some(r#"{"model": "m", "tokens": 10}"#)
    );
    assert_eq!(metadata("log-text").as_deref(), Some("not json {"));
}
