//! In-process latency of the interactive lookups on a loaded database:
//! trace detail (the eight concurrent queries), audit prefix resolution,
//! and the trace list the console and `tracetop traces` show.
//! Run by scripts/bench-pg.sh with BENCH_DATABASE_URL set; prints p50/p95.
//! Targets: trace detail p50 < 20 ms, audit prefix lookup p50 < 10 ms
//! (the trace list has none; it is printed for the record).

use std::time::Instant;
use tracetop::model::TraceId;
use tracetop::pg::PgEngine;
use tracetop::query::{QueryEngine, TimeWindow, TraceListFilter};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[idx]
}

fn report(name: &str, mut ms: Vec<f64>, target: Option<f64>) {
    ms.sort_by(|a, b| a.total_cmp(b));
    let p50 = percentile(&ms, 0.5);
    let verdict = match target {
        Some(t) if p50 < t => format!("target p50 < {t} ms: met"),
        Some(t) => format!("target p50 < {t} ms: MISSED"),
        None => String::new(),
    };
    println!(
        "{name:<22} n={:<5} p50={p50:>7.2} ms  p95={:>7.2} ms  max={:>7.2} ms  {verdict}",
        ms.len(),
        percentile(&ms, 0.95),
        ms.last().copied().unwrap_or(f64::NAN),
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Ok(url) = std::env::var("BENCH_DATABASE_URL") else {
        eprintln!("pg_queries: set BENCH_DATABASE_URL (scripts/bench-pg.sh does); skipping");
        return;
    };
    let engine = match PgEngine::connect(&url).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("pg_queries: {e}");
            std::process::exit(1);
        }
    };
    let sample = |sql: &'static str| {
        let pool = engine.pool().clone();
        async move {
            sqlx::query_scalar::<_, String>(sql)
                .fetch_all(&pool)
                .await
                .unwrap_or_default()
        }
    };
    let traces = sample(
        "SELECT trace_id FROM ai_requests TABLESAMPLE SYSTEM (1) REPEATABLE (7) \
         WHERE trace_id IS NOT NULL GROUP BY trace_id LIMIT 300",
    )
    .await;
    let requests =
        sample("SELECT id FROM ai_requests TABLESAMPLE SYSTEM (1) REPEATABLE (11) LIMIT 300").await;

    // warm-up
    for t in traces.iter().take(10) {
        let _ = engine.trace_detail(&TraceId::new(t.clone())).await;
    }
    let mut detail_ms = Vec::new();
    let mut events = 0usize;
    for t in &traces {
        let started = Instant::now();
        if let Ok(detail) = engine.trace_detail(&TraceId::new(t.clone())).await {
            events += detail.events.len();
        }
        detail_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let mut audit_ms = Vec::new();
    for r in &requests {
        let prefix: String = r.chars().take(8).collect();
        let started = Instant::now();
        let _ = engine.audit_lookup(&prefix).await;
        audit_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "trace detail: {} traces, {:.1} timeline rows on average",
        traces.len(),
        events as f64 / traces.len().max(1) as f64
    );
    report("trace detail", detail_ms, Some(20.0));
    report("audit prefix (8 chars)", audit_ms, Some(10.0));

    // the trace list: last hour, last day, failed ones over a week
    let now = chrono::Utc::now();
    for (name, hours, status) in [
        ("traces 1h", 1, None),
        ("traces 24h", 24, None),
        ("traces 7d failed", 24 * 7, Some("failed")),
    ] {
        let filter = TraceListFilter {
            window: Some(TimeWindow::last(chrono::Duration::hours(hours), now)),
            status: status.map(str::to_string),
            limit: 50,
            ..TraceListFilter::default()
        };
        let mut ms = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            let _ = engine.traces(&filter).await;
            ms.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        report(name, ms, None);
    }
}
