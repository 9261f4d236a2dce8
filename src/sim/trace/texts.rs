//! The words of a simulated trace: provider log modules, AI and tool error
//! messages, tool inputs and outputs, the planted oversized payload.

use super::*;

pub(super) fn provider_module(provider: &str) -> String {
    format!("systemprompt_ai::services::providers::{provider}")
}

/// (message, latency ms, retryable)
pub(super) fn ai_error(rng: &mut SimRng, provider: &str, in_burst: bool) -> (String, i64, bool) {
    let kinds: &[(u8, u32)] = if in_burst {
        &[(0, 40), (1, 45), (2, 15)]
    } else {
        &[(0, 45), (1, 20), (2, 10), (3, 20), (4, 5)]
    };
    match rng.weighted(kinds) {
        0 => (
            format!(
                "429 rate_limit_error: {provider} rate limit exceeded (4,000 requests per minute); retry after {} s",
                rng.range(1, 20)
            ),
            rng.range(60, 400),
            true,
        ),
        1 => (
            match provider {
                "anthropic" => {
                    "529 overloaded_error: the model is temporarily overloaded".to_string()
                }
                _ => "503 service_unavailable: the server is overloaded, please try again"
                    .to_string(),
            },
            rng.range(200, 2_500),
            true,
        ),
        2 => (
            "500 internal_server_error: an unexpected error occurred upstream".to_string(),
            rng.range(300, 4_000),
            true,
        ),
        3 => ("request timed out after 30000 ms".to_string(), 30_000, true),
        _ => (
            format!(
                "400 invalid_request_error: prompt is too long: {} tokens > 200,000 maximum",
                rng.range(200_001, 260_000)
            ),
            rng.range(80, 300),
            false,
        ),
    }
}

pub(super) fn tool_error(rng: &mut SimRng, spec: &ToolSpec) -> String {
    match spec.server {
        "github" => {
            "403 Forbidden: resource not accessible by integration (missing scope repo)".into()
        }
        "postgres" => format!(
            "ERROR: relation \"{}\" does not exist",
            rng.pick(&["customer_events", "usage_daily", "plans_v2"])
        ),
        "filesystem" => "ENOENT: no such file or directory".into(),
        "slack" => "slack api error: channel_not_found".into(),
        "vault" => "permission denied: policy does not allow read on this path".into(),
        _ => format!(
            "upstream returned {}",
            rng.pick(&["502 Bad Gateway", "404 Not Found", "429 Too Many Requests"])
        ),
    }
}

pub(super) fn tool_input(rng: &mut SimRng, spec: &ToolSpec) -> String {
    let topic = *rng.pick(catalog::TOPICS);
    let repo = *rng.pick(&["acme/platform", "acme/billing", "acme/web", "acme/infra"]);
    let v = match spec.tool {
        "search_code" => json!({"repo": repo, "query": topic}),
        "get_file_contents" => {
            json!({"repo": repo, "path": rng.pick(&["src/main.rs", "src/billing/invoice.rs", "api/routes.ts", "README.md"]), "ref": "main"})
        }
        "get_pull_request_diff" => json!({"repo": repo, "pull_number": rng.range(1200, 9800)}),
        "create_issue" => {
            json!({"repo": repo, "title": format!("Follow-up: {topic}"), "labels": ["triage"]})
        }
        "query" => {
            json!({"sql": format!("SELECT plan, count(*) FROM customers WHERE last_seen_at > now() - interval '{} days' GROUP BY plan", rng.range(1, 90))})
        }
        "list_tables" => json!({"schema": "public"}),
        "describe_table" => {
            json!({"table": rng.pick(&["customers", "invoices", "subscriptions", "events"])})
        }
        "read_file" => {
            json!({"path": rng.pick(&["/srv/app/config/app.yaml", "/var/log/app/error.log", "/data/exports/customers.csv"])})
        }
        "write_file" => json!({"path": "/tmp/report.csv", "bytes": rng.range(200, 90_000)}),
        "list_directory" => {
            json!({"path": rng.pick(&["/var/log/app", "/srv/app/releases", "/etc/nginx"])})
        }
        "post_message" => {
            json!({"channel": rng.pick(&["#support", "#ops", "#incidents"]), "text": format!("Update on {topic}: investigating")})
        }
        "search_messages" => json!({"query": topic, "channel": "#incidents", "limit": 20}),
        "get_secret" => {
            json!({"path": rng.pick(&["secret/data/prod/stripe", "secret/data/prod/postgres", "secret/data/prod/sendgrid"])})
        }
        "get_api_token" => {
            json!({"service": rng.pick(&["zendesk", "pagerduty", "github"]), "scope": "read"})
        }
        "web_search" => json!({"query": topic, "max_results": 5}),
        _ => json!({"url": format!("https://docs.example.org/{}", rng.hex(8))}),
    };
    v.to_string()
}

pub(super) fn tool_output(rng: &mut SimRng, spec: &ToolSpec) -> String {
    let v = match spec.server {
        "vault" => {
            json!({"value": "***redacted***", "version": rng.range(1, 12), "lease_duration": 3600})
        }
        "postgres" => {
            json!({"columns": ["plan", "count"], "rows": [["free", rng.range(100, 9000)], ["team", rng.range(10, 900)], ["enterprise", rng.range(1, 90)]], "row_count": 3})
        }
        "slack" => {
            json!({"ok": true, "ts": format!("{}.{:06}", rng.range(1_700_000_000, 1_800_000_000), rng.range(0, 999_999))})
        }
        _ => {
            let n = (rng.lognormal(600.0, 0.8) as usize).clamp(20, 6_000);
            json!({"content": "lorem ipsum dolor sit amet ".repeat(n / 27 + 1), "bytes": n})
        }
    };
    v.to_string()
}

/// A JSON document just over [`BIG_PAYLOAD_BYTES`] (a CSV export read whole).
pub(crate) fn big_payload() -> String {
    let mut csv = String::with_capacity(BIG_PAYLOAD_BYTES + 128);
    csv.push_str("id,name,email,plan,mrr_cents\\n");
    let mut i = 0u32;
    while csv.len() < BIG_PAYLOAD_BYTES {
        csv.push_str(&format!(
            "{i},Customer {i},customer{i}@example.org,team,{}\\n",
            4_900 + i % 50_000
        ));
        i += 1;
    }
    format!("{{\"path\":\"/data/exports/customers.csv\",\"content\":\"{csv}\"}}")
}
