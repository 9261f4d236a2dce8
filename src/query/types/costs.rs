//! Cost figures: the window's summary, breakdowns by model, provider and agent, the cost trend.

use super::*;

/// AI spend over a window (every `ai_requests` row with `created_at` in
/// it and a model and provider, synthetic rows left out unless
/// [`Counting::include_synthetic`]). Tokens are `coalesce(tokens_used, 0)`
/// etc.; `cached_input_share` is [`cached_share`] of the sums.
/// `no_model_requests_excluded` counts the rows in the window without a
/// model or provider (NULL or empty: the platform's rejected requests),
/// which no cost figure counts, as the platform's own reports skip them;
/// `synthetic_requests_excluded` counts the other, synthetic rows that were
/// left out (0 when included).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CostSummary {
    pub request_count: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
    pub avg_cost_per_request_microdollars: Microdollars,
    #[serde(default)]
    pub cache_read_tokens: i64,
    #[serde(default)]
    pub cache_creation_tokens: i64,
    #[serde(default)]
    pub cached_input_share: f64,
    #[serde(default)]
    pub synthetic_requests_excluded: i64,
    #[serde(default)]
    pub no_model_requests_excluded: i64,
}

/// Whether a request can carry spend: the platform's cost reports skip
/// rows without a model or provider (only a rejected request has none).
pub fn has_model_and_provider(r: &AiRequestRecord) -> bool {
    !r.model.is_empty() && !r.provider.is_empty()
}

/// Share of input tokens read from the provider's prompt cache: cache read
/// tokens over input tokens (a gateway counts cache reads inside the
/// input), at most 1, zero without input.
pub fn cached_share(cache_read_tokens: i64, input_tokens: i64) -> f64 {
    rate(cache_read_tokens.min(input_tokens), input_tokens)
}

/// What a cost breakdown is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum CostDimension {
    Model,
    Provider,
    /// `ai_requests` joined to `agent_tasks` on `task_id`; requests without
    /// a task (or a task without agent name) fall under [`NO_AGENT`].
    Agent,
    /// `ai_requests.user_id`.
    User,
}

impl CostDimension {
    /// The JSON/CSV column name of the group key.
    pub fn column(self) -> &'static str {
        match self {
            CostDimension::Model => "model",
            CostDimension::Provider => "provider",
            CostDimension::Agent => "agent",
            CostDimension::User => "user_id",
        }
    }
}

/// Group key for AI requests that belong to no agent.
pub const NO_AGENT: &str = "(none)";

/// One group of a cost breakdown (synthetic rows as in [`CostSummary`]);
/// rows are ordered by cost descending, then key. Serializes its key under the dimension's
/// name: `{"model": "gpt-4o", "request_count": …}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CostBreakdownRow {
    pub dimension: CostDimension,
    pub key: String,
    pub request_count: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
    /// This group's share of the window's total cost, `[0, 1]`.
    pub cost_share: f64,
    #[serde(default)]
    pub cache_read_tokens: i64,
    #[serde(default)]
    pub cache_creation_tokens: i64,
    /// [`cached_share`] of this group's sums.
    #[serde(default)]
    pub cached_input_share: f64,
}

impl Serialize for CostBreakdownRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(10))?;
        map.serialize_entry(self.dimension.column(), &self.key)?;
        map.serialize_entry("request_count", &self.request_count)?;
        map.serialize_entry("input_tokens", &self.input_tokens)?;
        map.serialize_entry("output_tokens", &self.output_tokens)?;
        map.serialize_entry("total_tokens", &self.total_tokens)?;
        map.serialize_entry("total_cost_microdollars", &self.total_cost_microdollars)?;
        map.serialize_entry("cost_share", &self.cost_share)?;
        map.serialize_entry("cache_read_tokens", &self.cache_read_tokens)?;
        map.serialize_entry("cache_creation_tokens", &self.cache_creation_tokens)?;
        map.serialize_entry("cached_input_share", &self.cached_input_share)?;
        map.end()
    }
}

/// Cost in one trend bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostTrendBucket {
    pub bucket_start: Timestamp,
    pub request_count: i64,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
}

/// Spend at a glance, relative to `now`.
///
/// `cost_24h/7d/30d` cover `[now - span, now)`; `total_cost` and
/// `total_requests` every request with `created_at < now`; the average is
/// `total_cost / total_requests`, rounded. Synthetic rows are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostOverview {
    pub cost_24h_microdollars: Microdollars,
    pub cost_7d_microdollars: Microdollars,
    pub cost_30d_microdollars: Microdollars,
    pub total_cost_microdollars: Microdollars,
    pub total_requests: i64,
    pub avg_cost_per_request_microdollars: Microdollars,
}
