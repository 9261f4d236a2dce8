//! Cost answers: window summary, breakdowns by model / provider / agent, the
//! cost trend and the rolling cost overview.

use super::*;

impl Store {
    pub(in crate::live) fn cost_summary(
        &self,
        window: &TimeWindow,
        counting: Counting,
    ) -> CostSummary {
        let mut sums = Sums::default();
        let (mut synthetic, mut no_model) = (0, 0);
        for r in self.requests_in(window) {
            if !has_model_and_provider(r) {
                no_model += 1;
            } else if counted_request(r, counting) {
                sums.add(r);
            } else {
                synthetic += 1;
            }
        }
        CostSummary {
            request_count: sums.count,
            input_tokens: sums.input,
            output_tokens: sums.output,
            total_tokens: sums.tokens,
            total_cost_microdollars: Microdollars(sums.cost),
            avg_cost_per_request_microdollars: Microdollars(int_avg(sums.cost, sums.count)),
            cache_read_tokens: sums.cache_read,
            cache_creation_tokens: sums.cache_write,
            cached_input_share: cached_share(sums.cache_read, sums.input),
            synthetic_requests_excluded: synthetic,
            no_model_requests_excluded: no_model,
        }
    }

    pub(in crate::live) fn cost_breakdown(
        &self,
        window: &TimeWindow,
        by: CostDimension,
        counting: Counting,
    ) -> Vec<CostBreakdownRow> {
        let mut groups: BTreeMap<&str, Sums> = BTreeMap::new();
        let mut total = 0i64;
        for r in self
            .requests_in(window)
            .filter(|r| counted_request(r, counting))
        {
            let key = match by {
                CostDimension::Model => r.model.as_str(),
                CostDimension::Provider => r.provider.as_str(),
                CostDimension::Agent => self.agent_of(r).unwrap_or(NO_AGENT),
                CostDimension::User => r.user_id.as_str(),
            };
            groups.entry(key).or_default().add(r);
            total = total.saturating_add(r.cost_microdollars.get());
        }
        let mut rows: Vec<CostBreakdownRow> = groups
            .into_iter()
            .map(|(key, s)| CostBreakdownRow {
                dimension: by,
                key: key.to_string(),
                request_count: s.count,
                input_tokens: s.input,
                output_tokens: s.output,
                total_tokens: s.tokens,
                total_cost_microdollars: Microdollars(s.cost),
                cost_share: rate(s.cost, total),
                cache_read_tokens: s.cache_read,
                cache_creation_tokens: s.cache_write,
                cached_input_share: cached_share(s.cache_read, s.input),
            })
            .collect();
        rows.sort_by(|a, b| {
            b.total_cost_microdollars
                .cmp(&a.total_cost_microdollars)
                .then_with(|| a.key.cmp(&b.key))
        });
        rows
    }

    pub(in crate::live) fn cost_trend(
        &self,
        window: &TimeWindow,
        bucket: Bucket,
        counting: Counting,
    ) -> Vec<CostTrendBucket> {
        let mut buckets: BTreeMap<Timestamp, CostTrendBucket> = bucket
            .starts(window)
            .into_iter()
            .map(|t| {
                (
                    t,
                    CostTrendBucket {
                        bucket_start: t,
                        request_count: 0,
                        total_tokens: 0,
                        total_cost_microdollars: Microdollars::ZERO,
                    },
                )
            })
            .collect();
        for r in self
            .requests_in(window)
            .filter(|r| counted_request(r, counting))
        {
            if let Some(b) = buckets.get_mut(&bucket.truncate(r.created_at)) {
                b.request_count += 1;
                b.total_tokens += tok(r.tokens_used);
                b.total_cost_microdollars = Microdollars(
                    b.total_cost_microdollars
                        .get()
                        .saturating_add(r.cost_microdollars.get()),
                );
            }
        }
        buckets.into_values().collect()
    }

    /// 24h / 7d / 30d are `TimeWindow::last(span, now)`; "total" and the
    /// average cover `TimeWindow::all_time(now)` (created before `now`);
    /// synthetic rows are left out.
    pub(in crate::live) fn cost_overview(&self, now: Timestamp) -> CostOverview {
        let cost = |span: Duration| {
            self.cost_summary(&TimeWindow::last(span, now), Counting::PLATFORM)
                .total_cost_microdollars
        };
        let all = self.cost_summary(&TimeWindow::all_time(now), Counting::PLATFORM);
        CostOverview {
            cost_24h_microdollars: cost(Duration::hours(24)),
            cost_7d_microdollars: cost(Duration::days(7)),
            cost_30d_microdollars: cost(Duration::days(30)),
            total_cost_microdollars: all.total_cost_microdollars,
            total_requests: all.request_count,
            avg_cost_per_request_microdollars: all.avg_cost_per_request_microdollars,
        }
    }
}
