//! What is selected in the current view, as the keys that act on it see
//! it: the id `y` copies, the JSON `Y` copies and `e` pages.

use super::*;

impl App {
    // ----------------------------------------------------------- selection

    /// Display index of the selected feed row, and the viewport offset.
    pub fn live_selection(&self) -> (usize, usize) {
        self.live.selection(self.feed_page())
    }

    /// The selected feed row.
    pub fn selected_feed_row(&self) -> Option<&FeedRow> {
        self.live.selected_row(self.feed_page())
    }

    /// The id `y` copies in the current view.
    pub fn selected_id(&self) -> Option<String> {
        match self.view {
            ViewId::Live => self.selected_feed_row().and_then(|r| {
                if r.id.is_empty() {
                    r.trace_id.as_ref().map(|t| t.to_string())
                } else {
                    Some(r.id.clone())
                }
            }),
            ViewId::Trace => {
                let trace = self.trace.as_ref()?;
                trace
                    .selected_item_id()
                    .or_else(|| Some(trace.trace_id.to_string()))
            }
            ViewId::Audit => self.audit.subject.as_ref().map(|s| s.id.clone()),
            ViewId::Logs => self.logs.selected_line().map(|l| l.id.to_string()),
            ViewId::Leaderboards => self.leaders.selected_tool().map(|t| t.tool_name.clone()),
            ViewId::Costs => None,
        }
    }

    /// The selected item as pretty JSON, with what it is (`request X`).
    pub fn selected_json(&self) -> Option<(String, String)> {
        fn pretty<T: serde::Serialize>(what: String, value: &T) -> Option<(String, String)> {
            serde_json::to_string_pretty(value)
                .ok()
                .map(|json| (what, json))
        }
        match self.view {
            ViewId::Live => {
                let row = self.selected_feed_row()?;
                pretty(format!("{} {}", row.kind, row.id), row)
            }
            ViewId::Trace => {
                let trace = self.trace.as_ref()?;
                let detail = trace.detail.ready()?;
                let has_task = usize::from(detail.task.is_some());
                match (trace.selected < has_task, &detail.task) {
                    (true, Some(task)) => pretty(format!("task {}", task.task_id), task),
                    _ => {
                        let event = detail.events.get(trace.selected - has_task)?;
                        pretty(event.id().to_string(), event)
                    }
                }
            }
            ViewId::Audit => {
                let record = self.audit.record.ready()?;
                pretty(
                    format!("{} {}", record.matched_kind.as_str(), record.matched_id),
                    record,
                )
            }
            ViewId::Logs => {
                let line = self.logs.selected_line()?;
                pretty(format!("log {}", line.id), line)
            }
            ViewId::Leaderboards => {
                let tool = self.leaders.selected_tool()?;
                pretty(format!("tool {}", tool.tool_name), tool)
            }
            ViewId::Costs => pretty(
                format!("costs {}", self.costs.window.label()),
                self.costs.data.ready()?.as_ref(),
            ),
        }
    }

    /// Row of the selected queue item in the audit queue.
    pub fn audit_selected_row(&self) -> Option<usize> {
        self.audit.selected_row()
    }

    /// Requests the audit queue shows.
    pub fn audit_queue_items(&self) -> Vec<&AiRequestRecord> {
        self.audit.visible_items()
    }
}
