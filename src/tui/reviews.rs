//! Review stores the console uses besides Postgres: an in-memory one for
//! `tracetop demo`, replays and tests (append-only, newest first on read,
//! same rules as `tracetop_reviews`), and one that refuses every verdict
//! with the reason when the source cannot keep them.

use crate::error::Result;
use crate::model::*;
use crate::query::{NewReview, ReviewFilter, ReviewStore};
use async_trait::async_trait;
use std::sync::Mutex;

/// Verdicts kept in memory for the life of the process.
#[derive(Debug, Default)]
pub struct MemoryReviewStore {
    records: Mutex<Vec<ReviewRecord>>,
}

impl MemoryReviewStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl ReviewStore for MemoryReviewStore {
    async fn record_review(&self, review: &NewReview) -> Result<ReviewRecord> {
        review.validate()?;
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let record = ReviewRecord {
            id: records.len() as i64 + 1,
            target_kind: review.target_kind,
            target_id: review.target_id.clone(),
            verdict: review.verdict,
            note: review.note.clone(),
            reviewer: review.reviewer.clone(),
            created_at: chrono::Utc::now(),
        };
        records.push(record.clone());
        Ok(record)
    }

    async fn reviews(&self, filter: &ReviewFilter) -> Result<Vec<ReviewRecord>> {
        let records = self
            .records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let limit = if filter.limit == 0 {
            usize::MAX
        } else {
            filter.limit
        };
        Ok(records
            .iter()
            .rev()
            .filter(|r| {
                filter
                    .target_kind
                    .as_ref()
                    .is_none_or(|k| &r.target_kind == k)
            })
            .filter(|r| filter.target_id.as_ref().is_none_or(|t| &r.target_id == t))
            .filter(|r| filter.window.is_none_or(|w| w.contains(r.created_at)))
            .take(limit)
            .cloned()
            .collect())
    }

    fn durability_note(&self) -> Option<String> {
        Some("verdicts kept in memory only, lost on exit".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn appends_and_reads_newest_first() {
        let store = MemoryReviewStore::new();
        for v in [Verdict::Ok, Verdict::Flag] {
            store
                .record_review(&NewReview {
                    target_kind: ReviewTarget::Request,
                    target_id: "req-1".into(),
                    verdict: v,
                    note: None,
                    reviewer: "me".into(),
                })
                .await
                .unwrap();
        }
        let all = store.reviews(&ReviewFilter::default()).await.unwrap();
        assert_eq!(
            all.iter().map(|r| r.verdict.as_str()).collect::<Vec<_>>(),
            ["flag", "ok"]
        );
        assert_eq!(all[0].id, 2);
        let none = store
            .reviews(&ReviewFilter {
                target_id: Some("req-2".into()),
                ..ReviewFilter::default()
            })
            .await
            .unwrap();
        assert!(none.is_empty());
    }
}

/// A review store that cannot keep verdicts (a database without the
/// `tracetop_reviews` table, a server without a review store): reading
/// gives nothing, recording fails with the reason.
#[derive(Debug)]
pub struct UnavailableReviews {
    reason: String,
}

impl UnavailableReviews {
    /// A store refusing verdicts for `reason` (one line, says what to do).
    pub fn new(reason: impl Into<String>) -> Self {
        UnavailableReviews {
            reason: reason.into(),
        }
    }
}

#[async_trait]
impl ReviewStore for UnavailableReviews {
    async fn record_review(&self, _review: &NewReview) -> Result<ReviewRecord> {
        Err(crate::error::Error::schema(self.reason.clone()))
    }

    async fn reviews(&self, _filter: &ReviewFilter) -> Result<Vec<ReviewRecord>> {
        Ok(Vec::new())
    }

    fn durability_note(&self) -> Option<String> {
        Some(format!("verdicts cannot be saved: {}", self.reason))
    }
}
