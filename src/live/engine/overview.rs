//! The platform overview and the daily activity trend (five dimensions).

use super::*;

impl Store {
    pub(in crate::live) fn overview(&self, now: Timestamp, counting: Counting) -> PlatformOverview {
        let since_24h = now - Duration::hours(24);
        let since_7d = now - Duration::days(7);
        let since_active = now - Duration::minutes(ACTIVE_SESSION_MINUTES);
        let mut users_24h = HashSet::new();
        let mut users_7d = HashSet::new();
        let mut active_sessions = 0;
        let mut total_sessions = 0;
        for s in self
            .sessions
            .iter()
            .filter(|s| counted_session(s, counting))
        {
            total_sessions += 1;
            if let Some(user) = &s.user_id {
                if s.last_activity_at >= since_24h {
                    users_24h.insert(user.as_str());
                }
                if s.last_activity_at >= since_7d {
                    users_7d.insert(user.as_str());
                }
            }
            if s.ended_at.is_none() && s.last_activity_at >= since_active {
                active_sessions += 1;
            }
        }
        PlatformOverview {
            total_users: self
                .users
                .iter()
                .filter(|u| u.status != DELETED_USER)
                .count() as i64,
            active_users_24h: users_24h.len() as i64,
            active_users_7d: users_7d.len() as i64,
            total_sessions,
            active_sessions,
            total_contexts: self.contexts.len() as i64,
            total_tasks: self.tasks.len() as i64,
            total_ai_requests: self.requests.len() as i64,
        }
    }

    pub(in crate::live) fn activity_trend(
        &self,
        window: &TimeWindow,
        bucket: Bucket,
    ) -> Vec<ActivityBucket> {
        let mut buckets: BTreeMap<Timestamp, ActivityBucket> = bucket
            .starts(window)
            .into_iter()
            .map(|t| {
                (
                    t,
                    ActivityBucket {
                        bucket_start: t,
                        sessions: 0,
                        contexts: 0,
                        tasks: 0,
                        ai_requests: 0,
                        tool_executions: 0,
                    },
                )
            })
            .collect();
        let mut bump = |t: Timestamp, field: fn(&mut ActivityBucket) -> &mut i64| {
            if window.contains(t)
                && let Some(b) = buckets.get_mut(&bucket.truncate(t))
            {
                *field(b) += 1;
            }
        };
        for s in self.sessions.iter() {
            bump(s.started_at, |b| &mut b.sessions);
        }
        for c in self.contexts.iter() {
            bump(c.created_at, |b| &mut b.contexts);
        }
        for t in self.tasks.iter() {
            bump(t.created_at, |b| &mut b.tasks);
        }
        for r in self.requests.iter() {
            bump(r.record.created_at, |b| &mut b.ai_requests);
        }
        for m in self.mcp.iter() {
            bump(m.created_at, |b| &mut b.tool_executions);
        }
        buckets.into_values().collect()
    }
}
