//! Leaderboards: top users, agents and tools.

use super::*;

/// A user on the leaderboard. Each figure is counted on its own table (no
/// join multiplication): requests/tokens/cost from `ai_requests`, sessions
/// from `user_sessions` (started in window), tasks from `agent_tasks`.
/// Listed: every user with a request, session or task in the window,
/// ordered by cost desc, request count desc, then user id. `user_name` is
/// `users.name` (None without a `users` row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserLeader {
    pub user_id: UserId,
    pub user_name: Option<String>,
    pub request_count: i64,
    pub total_tokens: i64,
    pub total_cost_microdollars: Microdollars,
    pub session_count: i64,
    pub task_count: i64,
}

/// An agent on the leaderboard (tasks created in the window; requests and
/// cost of those requests in the window whose task has this agent).
/// Tasks without `agent_name` are left out. Listed: agents with a task or
/// a request in the window, by task count desc, then name.
/// `completed_count` / `failed_count`: `TASK_STATE_COMPLETED` /
/// `TASK_STATE_FAILED`; `success_rate` = completed / tasks;
/// `avg_execution_time_ms` over tasks with `execution_time_ms` set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentLeader {
    pub agent_name: String,
    pub task_count: i64,
    pub completed_count: i64,
    pub failed_count: i64,
    pub success_rate: f64,
    pub avg_execution_time_ms: i64,
    pub request_count: i64,
    pub total_cost_microdollars: Microdollars,
}

/// Sort orders for the tools table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum ToolSort {
    Executions,
    SuccessRate,
    AvgTime,
    LastUsed,
    Name,
}

/// One tool (grouped by server and tool name) with execution statistics
/// over `mcp_tool_executions.started_at` in the window.
/// `success_rate` = success / all executions; `avg_time_ms` over rows with
/// `failure_count` = status `failed` or `timeout`; `last_used` = latest
/// `started_at` in the window. Sorts: the key descending (`Name`
/// ascending), ties by tool name then server name.
/// `execution_time_ms` set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolStats {
    pub tool_name: String,
    pub server_name: String,
    pub execution_count: i64,
    pub success_count: i64,
    pub failure_count: i64,
    pub success_rate: f64,
    pub avg_time_ms: i64,
    pub last_used: Timestamp,
}
