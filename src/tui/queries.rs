//! Turning the app's [`Query`] effects into [`Reply`] messages by asking the
//! history engine (and the review store). Run by the event loop in spawned
//! tasks, so a slow query never blocks input or drawing.

use super::msg::{CostsData, Failure, LeadersData, LogsData, Query, QueueData, Reply};
use crate::error::Error;
use crate::query::*;
use std::sync::Arc;

/// Most tools listed in the tools table.
const TOOLS_LIMIT: usize = 200;
/// Rows in each top-N list.
const TOP_LIMIT: usize = 20;
/// Verdicts loaded to mark the queue.
const REVIEWS_LIMIT: usize = 10_000;

fn text(e: Error) -> Failure {
    Failure::from(e)
}

/// Answer one query.
pub async fn execute(
    query: Query,
    history: Arc<dyn QueryEngine>,
    reviews: Arc<dyn ReviewStore>,
) -> Reply {
    match query {
        Query::Users => Reply::Users(
            history
                .users(crate::tui::users::MAX_USERS)
                .await
                .map_err(text),
        ),
        Query::Overview { generation, now } => {
            Reply::Overview(generation, history.overview(now).await.map_err(text))
        }
        Query::Trace {
            generation,
            trace_id,
        } => {
            let answer = history
                .trace_detail(&trace_id)
                .await
                .map(Box::new)
                .map_err(text);
            Reply::Trace(generation, trace_id, answer)
        }
        Query::TraceAudit {
            generation,
            trace_id,
        } => {
            let answer = history.audit_lookup(trace_id.as_str()).await.map_err(text);
            Reply::TraceAudit(generation, trace_id, answer)
        }
        Query::Costs {
            generation,
            window,
            bucket,
            now,
        } => {
            let previous_window = window.previous();
            let answer = futures::try_join!(
                history.cost_summary(&window),
                history.cost_summary(&previous_window),
                history.cost_overview(now),
                history.cost_breakdown(&window, CostDimension::Model),
                history.cost_breakdown(&window, CostDimension::Provider),
                history.cost_breakdown(&window, CostDimension::Agent),
                history.cost_trend(&window, bucket),
            )
            .map(
                |(summary, previous, overview, by_model, by_provider, by_agent, trend)| {
                    Box::new(CostsData {
                        summary,
                        previous,
                        overview,
                        by_model,
                        by_provider,
                        by_agent,
                        trend,
                    })
                },
            )
            .map_err(text);
            Reply::Costs(generation, answer)
        }
        Query::Leaders {
            generation,
            window,
            sort,
        } => {
            let bucket = Bucket::for_span(window.span());
            let answer = futures::try_join!(
                history.top_users(&window, TOP_LIMIT),
                history.top_agents(&window, TOP_LIMIT),
                history.top_tools(&window, TOP_LIMIT),
                history.tools(&window, sort, TOOLS_LIMIT),
                history.activity_trend(&window, bucket),
                activity_change(history.as_ref(), &window),
            )
            .map(|(users, agents, top_tools, tools, activity, change)| {
                Box::new(LeadersData {
                    users,
                    agents,
                    top_tools,
                    tools,
                    activity,
                    activity_change: Some(change),
                })
            })
            .map_err(text);
            Reply::Leaders(generation, answer)
        }
        Query::Traces { generation, filter } => {
            Reply::Traces(generation, history.traces(&filter).await.map_err(text))
        }
        Query::ResolveTrace { generation, prefix } => {
            let answer = history.audit_lookup(&prefix).await.map_err(text);
            Reply::TraceResolved(generation, prefix, answer)
        }
        Query::AuditLookup { generation, prefix } => Reply::AuditLookup(
            generation,
            history.audit_lookup(&prefix).await.map_err(text),
        ),
        Query::AuditQueue { generation, window } => {
            let request_filter = AiRequestFilter {
                window: Some(window),
                limit: super::screens::audit::AUDIT_QUEUE_LIMIT,
                ..AiRequestFilter::default()
            };
            let review_filter = ReviewFilter {
                target_kind: None,
                target_id: None,
                limit: REVIEWS_LIMIT,
                // a verdict counts whenever it was given
                window: None,
            };
            let requests = history.ai_requests(&request_filter);
            let verdicts = reviews.reviews(&review_filter);
            let answer = futures::try_join!(requests, verdicts)
                .map(|(requests, reviews)| QueueData { requests, reviews })
                .map_err(text);
            Reply::AuditQueue(generation, answer)
        }
        Query::AuditRecord { generation, id } => {
            let answer = history.audit_lookup(&id).await.map_err(text);
            Reply::AuditRecord(generation, id, answer)
        }
        Query::Spend {
            generation,
            now,
            budgets,
            zone,
        } => {
            let answer = super::spend::answer(history.as_ref(), &budgets, zone, now)
                .await
                .map(Box::new)
                .map_err(text);
            Reply::Spend(generation, answer)
        }
        Query::Logs { generation, filter } => {
            // the summary counts what the filter matches, not only the lines shown
            let answer = futures::try_join!(
                history.log_search(&filter),
                history.log_summary_filtered(&filter)
            )
            .map(|(lines, summary)| LogsData { lines, summary })
            .map_err(text);
            Reply::Logs(generation, answer)
        }
    }
}

/// Store one verdict.
pub async fn record_review(review: NewReview, reviews: Arc<dyn ReviewStore>) -> Reply {
    let target = review.target_id.clone();
    Reply::Review(target, reviews.record_review(&review).await.map_err(text))
}
