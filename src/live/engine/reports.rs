//! The remaining analytics reports: tool executions, AI request list and
//! stats, sessions, traffic, content and conversations.

use super::*;

impl Store {
    /// Window on `started_at`; newest `started_at` first, then id desc.
    pub(in crate::live) fn tool_executions(
        &self,
        filter: &ToolExecutionFilter,
    ) -> Vec<McpExecutionRecord> {
        let keep = |m: &&McpExecutionRecord| {
            in_window(&filter.window, m.started_at)
                && filter.tool_name.as_deref().is_none_or(|t| m.tool_name == t)
                && filter
                    .server_name
                    .as_deref()
                    .is_none_or(|s| m.server_name == s)
                && filter.status.as_deref().is_none_or(|s| m.status == s)
        };
        let mut rows: Vec<McpExecutionRecord> = match &filter.tool_name {
            Some(t) => self
                .mcp
                .lookup(mcp_ix::TOOL, t)
                .filter(keep)
                .cloned()
                .collect(),
            None => self.mcp.iter().filter(keep).cloned().collect(),
        };
        rows.sort_by(|a, b| {
            b.started_at
                .cmp(&a.started_at)
                .then_with(|| b.mcp_execution_id.cmp(&a.mcp_execution_id))
        });
        take(rows, filter.limit)
    }

    /// Window on `created_at`; newest first, then id desc.
    pub(in crate::live) fn ai_requests(&self, filter: &AiRequestFilter) -> Vec<AiRequestRecord> {
        let keep = |r: &&AiRequestRecord| {
            in_window(&filter.window, r.created_at)
                && filter.model.as_deref().is_none_or(|m| r.model == m)
                && filter.provider.as_deref().is_none_or(|p| r.provider == p)
                && filter.status.as_deref().is_none_or(|s| r.status == s)
                && filter.user_id.as_ref().is_none_or(|u| &r.user_id == u)
        };
        let source: Box<dyn Iterator<Item = &RequestRow>> = match (&filter.user_id, &filter.model) {
            (Some(u), _) => Box::new(self.requests.lookup(request_ix::USER, u.as_str())),
            (None, Some(m)) => Box::new(self.requests.lookup(request_ix::MODEL, m)),
            (None, None) => Box::new(self.requests.iter()),
        };
        let mut rows: Vec<AiRequestRecord> =
            source.map(|r| &r.record).filter(keep).cloned().collect();
        rows.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.id.cmp(&a.id))
        });
        take(rows, filter.limit)
    }

    /// Per-model rows group by (model, provider), by request count desc,
    /// then model, then provider.
    pub(in crate::live) fn request_stats(&self, window: &TimeWindow) -> RequestStats {
        #[derive(Default)]
        struct Acc {
            count: i64,
            completed: i64,
            failed: i64,
            pending: i64,
            cache: i64,
            latencies: Vec<i64>,
            tokens: i64,
            cost: i64,
        }
        impl Acc {
            fn add(&mut self, r: &AiRequestRecord) {
                self.count += 1;
                match r.status.as_str() {
                    request_status::COMPLETED => self.completed += 1,
                    request_status::FAILED => self.failed += 1,
                    request_status::PENDING => self.pending += 1,
                    _ => {}
                }
                if r.cache_hit {
                    self.cache += 1;
                }
                if let Some(ms) = r.latency_ms {
                    self.latencies.push(i64::from(ms));
                }
                self.tokens += tok(r.tokens_used);
                self.cost = self.cost.saturating_add(r.cost_microdollars.get());
            }
            fn latency(&mut self) -> (i64, Option<i64>, Option<i64>, Option<i64>) {
                self.latencies.sort_unstable();
                let sum: i64 = self.latencies.iter().sum();
                (
                    int_avg(sum, self.latencies.len() as i64),
                    percentile_disc(&self.latencies, 0.50),
                    percentile_disc(&self.latencies, 0.95),
                    percentile_disc(&self.latencies, 0.99),
                )
            }
        }
        let mut all = Acc::default();
        let mut models: BTreeMap<(&str, &str), Acc> = BTreeMap::new();
        let (mut cache_read, mut cache_write, mut input, mut rerouted) = (0, 0, 0, 0);
        for r in self.requests_in(window) {
            all.add(r);
            cache_read += tok(r.cache_read_tokens);
            cache_write += tok(r.cache_creation_tokens);
            input += tok(r.input_tokens);
            rerouted += i64::from(r.requested_model.as_ref().is_some_and(|m| *m != r.model));
            models
                .entry((r.model.as_str(), r.provider.as_str()))
                .or_default()
                .add(r);
        }
        let mut by_model: Vec<ModelRequestStats> = models
            .into_iter()
            .map(|((model, provider), mut a)| {
                let (avg, p50, p95, p99) = a.latency();
                ModelRequestStats {
                    model: model.to_string(),
                    provider: provider.to_string(),
                    request_count: a.count,
                    failed_count: a.failed,
                    cache_hit_count: a.cache,
                    error_rate: rate(a.failed, a.count),
                    cache_hit_rate: rate(a.cache, a.count),
                    avg_latency_ms: avg,
                    p50_latency_ms: p50,
                    p95_latency_ms: p95,
                    p99_latency_ms: p99,
                    total_tokens: a.tokens,
                    total_cost_microdollars: Microdollars(a.cost),
                }
            })
            .collect();
        by_model.sort_by(|a, b| {
            b.request_count
                .cmp(&a.request_count)
                .then_with(|| a.model.cmp(&b.model))
                .then_with(|| a.provider.cmp(&b.provider))
        });
        let (avg, p50, p95, p99) = all.latency();
        RequestStats {
            request_count: all.count,
            completed_count: all.completed,
            failed_count: all.failed,
            pending_count: all.pending,
            cache_hit_count: all.cache,
            error_rate: rate(all.failed, all.count),
            cache_hit_rate: rate(all.cache, all.count),
            avg_latency_ms: avg,
            p50_latency_ms: p50,
            p95_latency_ms: p95,
            p99_latency_ms: p99,
            total_tokens: all.tokens,
            total_cost_microdollars: Microdollars(all.cost),
            cache_read_tokens: cache_read,
            cache_creation_tokens: cache_write,
            cached_input_share: cached_share(cache_read, input),
            rerouted_request_count: rerouted,
            by_model,
        }
    }

    /// `avg_duration_seconds`: the exact mean of the capped durations
    /// (microseconds) over counted ended sessions, rounded to whole
    /// seconds; the bot figures cover every session in the window.
    pub(in crate::live) fn session_stats(
        &self,
        window: &TimeWindow,
        counting: Counting,
    ) -> SessionStats {
        let mut out = SessionStats {
            bots_included: counting.include_bots,
            ..SessionStats::default()
        };
        let mut users = HashSet::new();
        let mut duration_micros: i64 = 0;
        let mut all = 0;
        for s in self.sessions_in(window) {
            all += 1;
            out.bot_sessions += i64::from(is_bot_session(s));
            out.scanner_sessions += i64::from(s.is_scanner);
            out.behavioral_bot_sessions += i64::from(s.is_behavioral_bot);
            out.ai_crawler_sessions += i64::from(s.is_ai_crawler.unwrap_or(false));
            if !counted_session(s, counting) {
                continue;
            }
            out.session_count += 1;
            if let Some(u) = &s.user_id {
                users.insert(u.as_str());
            }
            if let Some(end) = s.ended_at {
                out.ended_count += 1;
                duration_micros += capped_duration_micros(s, end);
            }
            out.total_requests += i64::from(s.request_count);
            out.total_ai_requests += i64::from(s.ai_request_count);
        }
        out.unique_users = users.len() as i64;
        out.avg_duration_seconds =
            int_avg(duration_micros, out.ended_count.saturating_mul(1_000_000));
        out.bot_share = rate(out.bot_sessions, all);
        out
    }

    pub(in crate::live) fn traffic(
        &self,
        window: &TimeWindow,
        limit: usize,
        counting: Counting,
    ) -> TrafficReport {
        let sessions: Vec<&SessionRecord> = self.sessions_in(window).collect();
        let all = sessions.len() as i64;
        let total = sessions
            .iter()
            .filter(|s| counted_session(s, counting))
            .count() as i64;
        let group = |key: fn(&SessionRecord) -> Option<&str>| -> Vec<TrafficRow> {
            let mut map: BTreeMap<&str, (i64, i64, i64)> = BTreeMap::new();
            for s in &sessions {
                let e = map.entry(key(s).unwrap_or(UNKNOWN_KEY)).or_default();
                e.0 += i64::from(counted_session(s, counting));
                e.1 += i64::from(is_bot_session(s));
                e.2 += i64::from(s.is_scanner);
            }
            let mut rows: Vec<TrafficRow> = map
                .into_iter()
                .map(|(k, (n, bots, scanners))| TrafficRow {
                    key: k.to_string(),
                    session_count: n,
                    bot_count: bots,
                    scanner_count: scanners,
                    share: rate(n, total),
                })
                .collect();
            sort_traffic_rows(&mut rows);
            take(rows, limit)
        };
        let bots = sessions.iter().filter(|s| is_bot_session(s)).count() as i64;
        let scanners = sessions.iter().filter(|s| s.is_scanner).count() as i64;
        TrafficReport {
            bots_included: counting.include_bots,
            total_sessions: total,
            bot_sessions: bots,
            scanner_sessions: scanners,
            bot_share: rate(bots, all),
            scanner_share: rate(scanners, all),
            by_source: group(|s| s.session_source.as_deref()),
            by_client: group(|s| s.client_id.as_ref().map(|c| c.as_str())),
            by_device: group(|s| s.device_type.as_deref()),
            by_country: group(|s| s.country.as_deref()),
        }
    }

    pub(in crate::live) fn content(
        &self,
        window: &TimeWindow,
        limit: usize,
        counting: Counting,
    ) -> ContentReport {
        let bot_sessions = self
            .sessions_in(window)
            .filter(|s| is_bot_session(s))
            .count() as i64;
        let sessions: Vec<&SessionRecord> = self
            .sessions_in(window)
            .filter(|s| counted_session(s, counting))
            .collect();
        let total = sessions.len() as i64;
        let group = |key: &dyn Fn(&SessionRecord) -> &str| -> Vec<ContentRow> {
            let mut map: BTreeMap<&str, (i64, HashSet<&str>)> = BTreeMap::new();
            for s in &sessions {
                let e = map.entry(key(s)).or_default();
                e.0 += 1;
                if let Some(u) = &s.user_id {
                    e.1.insert(u.as_str());
                }
            }
            let mut rows: Vec<ContentRow> = map
                .into_iter()
                .map(|(k, (n, users))| ContentRow {
                    key: k.to_string(),
                    session_count: n,
                    unique_users: users.len() as i64,
                    share: rate(n, total),
                })
                .collect();
            rows.sort_by(|a, b| {
                b.session_count
                    .cmp(&a.session_count)
                    .then_with(|| a.key.cmp(&b.key))
            });
            take(rows, limit)
        };
        ContentReport {
            bots_included: counting.include_bots,
            total_sessions: total,
            bot_sessions,
            landing_pages: group(&|s| s.landing_page.as_deref().unwrap_or(UNKNOWN_KEY)),
            referrers: group(&|s| s.referrer_source.as_deref().unwrap_or(DIRECT_KEY)),
        }
    }

    /// Contexts with `updated_at` in the window, most recently updated
    /// first (then context id ascending); totals over all the context's AI
    /// requests (any time).
    pub(in crate::live) fn conversations(
        &self,
        window: &TimeWindow,
        limit: usize,
    ) -> Vec<ConversationRow> {
        let mut contexts: Vec<&ContextRecord> = self
            .contexts
            .iter()
            .filter(|c| window.contains(c.updated_at))
            .collect();
        contexts.sort_by_key(|c| (Reverse(c.updated_at), c.context_id.as_str()));
        take(contexts, limit)
            .into_iter()
            .map(|c| {
                let mut sums = Sums::default();
                let mut messages = 0i64;
                for r in self
                    .requests
                    .lookup(request_ix::CONTEXT, c.context_id.as_str())
                {
                    sums.add(&r.record);
                    messages += r.messages.len() as i64;
                }
                ConversationRow {
                    context_id: c.context_id.clone(),
                    name: c.name.clone(),
                    user_id: c.user_id.clone(),
                    created_at: c.created_at,
                    updated_at: c.updated_at,
                    message_count: messages,
                    request_count: sums.count,
                    total_tokens: sums.tokens,
                    total_cost_microdollars: Microdollars(sums.cost),
                }
            })
            .collect()
    }
}
