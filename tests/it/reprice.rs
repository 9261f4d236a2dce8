//! Re-pricing (`analytics costs --reprice`) against hand-computed figures
//! and the simulator's planted faults, on both schema shapes: dated prices
//! and their boundaries, aliases, cache tokens, per-request rounding,
//! unpriced models, synthetic rows, `--as` what-ifs; and price files
//! through the real binary (both formats read, broken ones refused with
//! one line and exit 2).

use crate::support;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::sync::Arc;
use support::{Shape, TestDb};
use tracetop::model::*;
use tracetop::pg::PgEngine;
use tracetop::prices::{PriceTable, RateCard, Usage};
use tracetop::query::*;
use tracetop::sim::prices::{GatewayBilling, MISPRICED_MODEL, UNPRICED_MODEL};
use tracetop::sim::{self, SimConfig};

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// Two models, one with a price change on 2026-02-01 and an alias.
const PRICES_TOML: &str = r#"
[[price]]
provider = "acme"
model = "m-big"
aliases = ["m-big-v1"]
effective_from = 2026-01-01
input_usd_per_mtok = "10"
output_usd_per_mtok = "30"
cache_read_usd_per_mtok = "1"
cache_write_usd_per_mtok = "12.5"

[[price]]
provider = "acme"
model = "m-big"
aliases = ["m-big-v1"]
effective_from = 2026-02-01T00:00:00Z
input_usd_per_mtok = "5"
output_usd_per_mtok = "15"
cache_read_usd_per_mtok = "0.5"
cache_write_usd_per_mtok = "6.25"

[[price]]
provider = "acme"
model = "m-small"
effective_from = 2026-01-01
input_usd_per_mtok = 0.15
output_usd_per_mtok = 0.60
"#;

/// The same models in LiteLLM's form (no dates: the second m-big price).
const PRICES_LITELLM: &str = r#"{
  "sample_spec": {"input_cost_per_token": 0.0, "output_cost_per_token": 0.0, "litellm_provider": "one of the providers"},
  "m-big": {"input_cost_per_token": 5e-06, "output_cost_per_token": 1.5e-05,
            "cache_read_input_token_cost": 5e-07, "cache_creation_input_token_cost": 6.25e-06,
            "litellm_provider": "acme", "max_input_tokens": 200000},
  "acme/m-small": {"input_cost_per_token": 1.5e-07, "output_cost_per_token": 6e-07, "litellm_provider": "acme"}
}"#;

/// One fixture request: (id, model, created, status, synthetic, input,
/// output, cache read, cache write, stored µ$).
type Fixture = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    i32,
    i32,
    i32,
    i32,
    i64,
);

const REQUESTS: &[Fixture] = &[
    // last instant of the first m-big price: 1000 × 10 + 100 × 30 = 13 000
    (
        "r1",
        "m-big",
        "2026-01-31T23:59:59.999Z",
        "completed",
        false,
        1000,
        100,
        0,
        0,
        13_000,
    ),
    // first instant of the second price: 1000 × 5 + 100 × 15 = 6 500, billed at the old one
    (
        "r2",
        "m-big",
        "2026-02-01T00:00:00Z",
        "completed",
        false,
        1000,
        100,
        0,
        0,
        13_000,
    ),
    // alias, cache tokens: 500 × 5 + 1200 × 0.5 + 300 × 6.25 + 50 × 15 = 5 725
    (
        "r3",
        "m-big-v1",
        "2026-02-10T00:00:00Z",
        "completed",
        false,
        2000,
        50,
        1200,
        300,
        5_725,
    ),
    // 10 × 0.15 + 1 × 0.6 = 2.1 → 2 (stored 3: drift 1)
    (
        "r4",
        "m-small",
        "2026-01-15T00:00:00Z",
        "completed",
        false,
        10,
        1,
        0,
        0,
        3,
    ),
    // 3 × 0.15 = 0.45 → 0
    (
        "r5",
        "m-small",
        "2026-01-16T00:00:00Z",
        "completed",
        false,
        3,
        0,
        0,
        0,
        0,
    ),
    // a model the table does not know
    (
        "r6",
        "m-unknown",
        "2026-01-20T00:00:00Z",
        "completed",
        false,
        1000,
        1000,
        0,
        0,
        777,
    ),
    // before m-big's first price
    (
        "r7",
        "m-big",
        "2025-12-31T23:59:59Z",
        "completed",
        false,
        100,
        0,
        0,
        0,
        100,
    ),
    // failed: not billed, not re-priced
    (
        "r8",
        "m-big",
        "2026-01-10T00:00:00Z",
        "failed",
        false,
        1000,
        0,
        0,
        0,
        0,
    ),
    // synthetic: 1000 × 10 = 10 000, stored 1 (only with synthetic rows counted)
    (
        "r9",
        "m-big",
        "2026-01-11T00:00:00Z",
        "completed",
        true,
        1000,
        0,
        0,
        0,
        1,
    ),
    // at the window's end: outside
    (
        "r10",
        "m-big",
        "2026-03-01T00:00:00Z",
        "completed",
        false,
        1000,
        0,
        0,
        0,
        5,
    ),
];

fn window() -> TimeWindow {
    TimeWindow {
        start: at("2025-12-01T00:00:00Z"),
        end: at("2026-03-01T00:00:00Z"),
    }
}

async fn fixture_db(shape: Shape) -> TestDb {
    let db = support::fresh_db_shaped(shape).await;
    let mut c = db.writer().await;
    for &(id, model, created, status, synthetic, input, output, read, write, stored) in REQUESTS {
        sqlx::query(
            "INSERT INTO ai_requests (id, request_id, user_id, context_id, provider, model,
                 input_tokens, output_tokens, tokens_used, cache_read_tokens, cache_creation_tokens,
                 cost_microdollars, status, created_at, updated_at, actor_kind, actor_id, synthetic)
             VALUES ($1, $1, 'u1', 'ctx1', 'acme', $2, $3, $4, $3 + $4, $5, $6, $7, $8, $9, $9, 'user', 'u1', $10)",
        )
        .bind(id)
        .bind(model)
        .bind(input)
        .bind(output)
        .bind(read)
        .bind(write)
        .bind(stored)
        .bind(status)
        .bind(at(created))
        .bind(synthetic)
        .execute(&mut c)
        .await
        .expect("insert fixture request");
    }
    db
}

fn card(table: &PriceTable, what_if: &[(&str, &str)]) -> Arc<RateCard> {
    let pairs: Vec<(String, String)> = what_if
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    Arc::new(RateCard::new(table, &pairs).unwrap())
}

fn query(card: Arc<RateCard>, counting: Counting, worst: usize) -> RepriceQuery {
    RepriceQuery {
        window: window(),
        counting,
        card,
        worst,
    }
}

fn drifted(id: &str, created: &str, stored: i64, priced: i64) -> DriftedRequest {
    DriftedRequest {
        id: id.into(),
        created_at: at(created),
        stored_microdollars: Microdollars(stored),
        priced_microdollars: Microdollars(priced),
        drift_microdollars: Microdollars(stored - priced),
    }
}

#[allow(clippy::too_many_arguments)]
fn model(
    name: &str,
    priced_as: &str,
    n: i64,
    stored: i64,
    priced: i64,
    drifting: i64,
    worst: Vec<DriftedRequest>,
) -> RepricedModel {
    RepricedModel {
        model: name.into(),
        priced_as: priced_as.into(),
        request_count: n,
        stored_microdollars: Microdollars(stored),
        priced_microdollars: Microdollars(priced),
        drift_microdollars: Microdollars(stored - priced),
        drifted_requests: drifting,
        worst_requests: worst,
    }
}

fn unpriced(name: &str, n: i64, stored: i64, first: &str, last: &str) -> UnpricedModel {
    UnpricedModel {
        model: name.into(),
        request_count: n,
        stored_microdollars: Microdollars(stored),
        first_request_at: at(first),
        last_request_at: at(last),
    }
}

async fn hand_computed_drift_with_dates_aliases_and_cache_tokens(shape: Shape) {
    let db = fixture_db(shape).await;
    let pg = PgEngine::connect(&db.url).await.unwrap();
    let table = tracetop::prices::table_file::parse(PRICES_TOML, "fixture.toml").unwrap();

    let report = pg
        .reprice(&query(card(&table, &[]), Counting::PLATFORM, 5))
        .await
        .unwrap();
    assert_eq!(
        report.models,
        vec![
            model(
                "m-big",
                "m-big",
                2,
                26_000,
                19_500,
                1,
                vec![drifted("r2", "2026-02-01T00:00:00Z", 13_000, 6_500)]
            ),
            model(
                "m-small",
                "m-small",
                2,
                3,
                2,
                1,
                vec![drifted("r4", "2026-01-15T00:00:00Z", 3, 2)]
            ),
            model("m-big-v1", "m-big", 1, 5_725, 5_725, 0, vec![]),
        ]
    );
    assert_eq!(
        report.unpriced_models,
        vec![
            unpriced(
                "m-big",
                1,
                100,
                "2025-12-31T23:59:59Z",
                "2025-12-31T23:59:59Z"
            ),
            unpriced(
                "m-unknown",
                1,
                777,
                "2026-01-20T00:00:00Z",
                "2026-01-20T00:00:00Z"
            ),
        ]
    );
    assert_eq!(report.request_count, 5);
    assert_eq!(report.stored_microdollars, Microdollars(31_728));
    assert_eq!(report.priced_microdollars, Microdollars(25_227));
    assert_eq!(report.drift_microdollars, Microdollars(6_501));
    assert_eq!(report.drifted_requests, 2);
    assert_eq!(report.unpriced_request_count, 2);
    assert_eq!(report.unpriced_stored_microdollars, Microdollars(877));
    assert!(report.what_if.is_empty());

    // synthetic rows counted: r9 priced 10 000, stored 1, the worst first
    let all = pg
        .reprice(&query(card(&table, &[]), Counting::EVERYTHING, 1))
        .await
        .unwrap();
    assert_eq!(
        all.models[0],
        model(
            "m-big",
            "m-big",
            3,
            26_001,
            29_500,
            2,
            vec![drifted("r9", "2026-01-11T00:00:00Z", 1, 10_000)]
        )
    );

    // no worst lists asked: the same sums
    let bare = pg
        .reprice(&query(card(&table, &[]), Counting::PLATFORM, 0))
        .await
        .unwrap();
    assert!(bare.models.iter().all(|m| m.worst_requests.is_empty()));
    assert_eq!(bare.drift_microdollars, report.drift_microdollars);
}

async fn what_if_estimates_the_same_tokens_at_another_models_prices(shape: Shape) {
    let db = fixture_db(shape).await;
    let pg = PgEngine::connect(&db.url).await.unwrap();
    let table = tracetop::prices::table_file::parse(PRICES_TOML, "fixture.toml").unwrap();
    let report = pg
        .reprice(&query(
            card(&table, &[("m-small", "m-big"), ("m-unknown", "m-small")]),
            Counting::PLATFORM,
            0,
        ))
        .await
        .unwrap();
    let by_model: BTreeMap<&str, &RepricedModel> = report
        .models
        .iter()
        .map(|m| (m.model.as_str(), m))
        .collect();
    // m-small at m-big's January prices: 10 × 10 + 1 × 30 = 130; 3 × 10 = 30
    let small = by_model["m-small"];
    assert_eq!(small.priced_as, "m-big");
    assert_eq!(small.priced_microdollars, Microdollars(160));
    // the unknown model estimated at m-small's: 1000 × 0.15 + 1000 × 0.6 = 750
    let unknown = by_model["m-unknown"];
    assert_eq!(unknown.priced_as, "m-small");
    assert_eq!(unknown.priced_microdollars, Microdollars(750));
    // m-big is priced as before
    assert_eq!(by_model["m-big"].priced_microdollars, Microdollars(19_500));
    assert_eq!(
        report.what_if,
        vec![
            WhatIf {
                model: "m-small".into(),
                priced_as: "m-big".into()
            },
            WhatIf {
                model: "m-unknown".into(),
                priced_as: "m-small".into()
            },
        ]
    );
    // only the request before m-big's first price is left without one
    assert_eq!(report.unpriced_request_count, 1);
}

/// simulate → re-price at the shipped table: drift exactly on the
/// mispriced window's requests, the unpriced preview listed apart, every
/// other model exact to the microdollar.
async fn simulated_drift_is_found_exactly_where_planted(shape: Shape) {
    let cfg = SimConfig {
        seed: 11,
        users: 30,
        days: 2,
        until: at("2026-11-20T12:00:00Z"),
    };
    let w = sim::generate(&cfg);
    let db = support::fresh_db_shaped(shape).await;
    sim::load(&db.url, &w).await.expect("load");
    let pg = PgEngine::connect(&db.url).await.unwrap();
    let shipped = PriceTable::shipped();
    let plan = sim::IncidentPlan::for_config(&cfg);
    let (m_start, m_end) = plan.mispriced_window;
    assert_eq!(
        GatewayBilling::for_window(cfg.until - chrono::Duration::days(2), cfg.until)
            .misprice_window(),
        Some((m_start, m_end))
    );

    // what the workload itself says should drift
    let counted: Vec<&AiRequestRecord> = w
        .ai_requests
        .iter()
        .filter(|r| r.status == "completed" && r.synthetic != Some(true))
        .collect();
    let planted: BTreeSet<&str> = counted
        .iter()
        .filter(|r| r.model == MISPRICED_MODEL && r.created_at >= m_start && r.created_at < m_end)
        .map(|r| r.id.0.as_str())
        .collect();
    assert!(
        planted.len() >= 3,
        "a misprice worth finding: {}",
        planted.len()
    );
    let planted_drift: i64 = counted
        .iter()
        .filter(|r| planted.contains(r.id.0.as_str()))
        .map(|r| {
            let usage = Usage {
                input: r.input_tokens.unwrap_or(0).into(),
                output: r.output_tokens.unwrap_or(0).into(),
                cache_read: r.cache_read_tokens.unwrap_or(0).into(),
                cache_write: r.cache_creation_tokens.unwrap_or(0).into(),
            };
            r.cost_microdollars.get() - shipped.cost(&r.model, r.created_at, usage).unwrap().get()
        })
        .sum();
    let preview = counted.iter().filter(|r| r.model == UNPRICED_MODEL).count() as i64;
    assert!(preview > 0);

    let window = TimeWindow {
        start: cfg.until - chrono::Duration::days(3),
        end: cfg.until + chrono::Duration::hours(1),
    };
    let report = pg
        .reprice(&RepriceQuery {
            window,
            counting: Counting::PLATFORM,
            card: card(&shipped, &[]),
            worst: 1000,
        })
        .await
        .unwrap();
    let sonnet = &report.models[0];
    assert_eq!(
        sonnet.model, MISPRICED_MODEL,
        "the drifting model comes first"
    );
    assert_eq!(sonnet.drifted_requests, planted.len() as i64);
    assert_eq!(sonnet.drift_microdollars, Microdollars(planted_drift));
    assert!(
        planted_drift > 0,
        "billed at opus prices: more than the table"
    );
    let found: BTreeSet<&str> = sonnet
        .worst_requests
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(found, planted);
    for pair in sonnet.worst_requests.windows(2) {
        assert!(pair[0].drift_microdollars.get().abs() >= pair[1].drift_microdollars.get().abs());
    }
    for m in &report.models[1..] {
        assert_eq!(m.drift_microdollars, Microdollars::ZERO, "{}", m.model);
        assert_eq!(m.drifted_requests, 0, "{}", m.model);
    }
    assert_eq!(report.drifted_requests, planted.len() as i64);
    assert_eq!(report.request_count + preview, counted.len() as i64);
    assert_eq!(report.unpriced_models.len(), 1);
    assert_eq!(report.unpriced_models[0].model, UNPRICED_MODEL);
    assert_eq!(report.unpriced_models[0].request_count, preview);

    // outside the mispriced window nothing drifts
    let quiet = pg
        .reprice(&RepriceQuery {
            window: TimeWindow {
                start: m_end,
                end: window.end,
            },
            counting: Counting::PLATFORM,
            card: card(&shipped, &[]),
            worst: 5,
        })
        .await
        .unwrap();
    assert_eq!(quiet.drifted_requests, 0);
    assert_eq!(quiet.drift_microdollars, Microdollars::ZERO);
}

both_shapes!(
    hand_computed_drift_with_dates_aliases_and_cache_tokens,
    what_if_estimates_the_same_tokens_at_another_models_prices,
    simulated_drift_is_found_exactly_where_planted,
);

/// The binary with an empty config directory (so no user config is read).
fn tracetop(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tracetop"))
        .args(args)
        .env("XDG_CONFIG_HOME", dir)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run tracetop")
}

#[test]
fn broken_price_files_are_refused_in_one_line_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let missing = dir.path().join("nope.toml").display().to_string();
    let cases = [
        (
            missing.clone(),
            format!("cannot read price file {missing}: "),
        ),
        (
            write("bad.toml", "[[price]\n"),
            "(tracetop TOML): line 1".to_string(),
        ),
        (
            write(
                "neg.toml",
                "[[price]]\nprovider = \"a\"\nmodel = \"m\"\ninput_usd_per_mtok = \"-3\"\noutput_usd_per_mtok = 1\n",
            ),
            "(tracetop TOML): [[price]] #1 (m): input_usd_per_mtok must be a non-negative price"
                .to_string(),
        ),
        (
            write("bad.json", "{\"m\": {\"input_cost_per_token\": \"x\"}}"),
            "(LiteLLM JSON): m: input_cost_per_token must be a number".to_string(),
        ),
        (
            write("prices.json", "{ not json"),
            "(LiteLLM JSON): not a JSON object of models".to_string(),
        ),
    ];
    for (file, expected) in cases {
        for line in [
            vec!["analytics", "costs", "--reprice", "--prices", file.as_str()],
            // the global form, before the subcommand
            vec!["--prices", file.as_str(), "analytics", "costs", "--reprice"],
        ] {
            let out = tracetop(&line, dir.path());
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{line:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(stderr.contains(&file), "names the file: {stderr}");
            assert!(stderr.contains(&expected), "{expected} in {stderr}");
        }
    }
    // the config's `prices` is read the same way
    let cfg_dir = dir.path().join("tracetop");
    std::fs::create_dir_all(&cfg_dir).unwrap();
    std::fs::write(
        cfg_dir.join("config.toml"),
        format!("prices = {missing:?}\n"),
    )
    .unwrap();
    let out = tracetop(&["analytics", "costs", "--reprice"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read price file"));
    // bad --as
    std::fs::remove_file(cfg_dir.join("config.toml")).unwrap();
    for (arg, expected) in [
        ("gpt-4o", "is not MODEL=OTHER"),
        (
            "gpt-4o=no-such-model",
            "has no model or alias no-such-model",
        ),
    ] {
        let out = tracetop(
            &["analytics", "costs", "--reprice", "--as", arg],
            dir.path(),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
    // --prices is refused where nothing uses it
    let out = tracetop(&["--prices", "x.toml", "traces"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--prices is not used by `tracetop traces`")
    );
}

#[tokio::test]
async fn both_price_file_formats_reprice_through_the_binary() {
    let db = fixture_db(Shape::Real).await;
    let dir = tempfile::tempdir().unwrap();
    let toml_path = dir.path().join("prices.toml");
    std::fs::write(&toml_path, PRICES_TOML).unwrap();
    let json_path = dir.path().join("model_prices_and_context_window.json");
    std::fs::write(&json_path, PRICES_LITELLM).unwrap();
    let run = |prices: &std::path::Path, extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "analytics",
            "costs",
            "--reprice",
            "--database-url",
            db.url.as_str(),
            "--since",
            "2025-12-01",
            "--until",
            "2026-03-01",
            "--prices",
            prices.to_str().unwrap(),
            "-o",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = tracetop(&args, dir.path());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let toml = run(&toml_path, &[]);
    assert_eq!(toml["prices_source"], toml_path.display().to_string());
    assert_eq!(toml["stored_microdollars"], 31_728);
    assert_eq!(toml["priced_microdollars"], 25_227);
    assert_eq!(toml["drift_microdollars"], 6_501);
    assert_eq!(toml["models"][0]["model"], "m-big");
    assert_eq!(toml["models"][0]["worst_requests"][0]["id"], "r2");
    assert_eq!(toml["unpriced_models"][1]["model"], "m-unknown");

    // LiteLLM: no dates, so every m-big request is at the second price and
    // r7 has one: r1 6 500, r2 6 500, r7 100 × 5 = 500; the alias m-big-v1
    // is unknown there; m-small via its unprefixed name (2 + 0)
    let lite = run(&json_path, &[]);
    let models = lite["models"].as_array().unwrap();
    let find = |name: &str| models.iter().find(|m| m["model"] == name).cloned();
    let big = find("m-big").unwrap();
    assert_eq!(big["request_count"], 3);
    assert_eq!(big["priced_microdollars"], 13_500);
    assert_eq!(big["stored_microdollars"], 26_100);
    let small = find("m-small").unwrap();
    assert_eq!(small["priced_as"], "acme/m-small");
    assert_eq!(small["priced_microdollars"], 2);
    let unpriced: Vec<&str> = lite["unpriced_models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["model"].as_str().unwrap())
        .collect();
    assert_eq!(unpriced, vec!["m-big-v1", "m-unknown"]);

    // --as through the binary, and CSV
    let what_if = run(&toml_path, &["--as", "m-small=m-big"]);
    assert_eq!(what_if["what_if"][0]["priced_as"], "m-big");
    let out = tracetop(
        &[
            "analytics",
            "costs",
            "--reprice",
            "--database-url",
            &db.url,
            "--since",
            "2025-12-01",
            "--until",
            "2026-03-01",
            "--prices",
            toml_path.to_str().unwrap(),
            "-o",
            "csv",
        ],
        dir.path(),
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "status,model,priced_as,request_count,stored_microdollars,priced_microdollars,drift_microdollars,drifted_requests,worst_request_ids"
    );
    assert_eq!(
        lines.next().unwrap(),
        "priced,m-big,m-big,2,26000,19500,6500,1,r2"
    );
    assert!(csv.contains("unpriced,m-unknown,,1,777,,,,"), "{csv}");
}
