//! Typed identifiers. Every id in the audit schema is TEXT; wrapping each in
//! its own type keeps a `TaskId` from being passed where a `TraceId` belongs.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type)]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// Wrap any string as this id.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }
            /// The raw text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_string())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    };
}

text_id!(
    /// `users.id`.
    UserId
);
text_id!(
    /// `user_sessions.session_id` (`sess_…`).
    SessionId
);
text_id!(
    /// `user_contexts.context_id` (`ctx_…`).
    ContextId
);
text_id!(
    /// `agent_tasks.task_id`.
    TaskId
);
text_id!(
    /// The correlation id shared by every row of one trace.
    TraceId
);
text_id!(
    /// OAuth client id (`user_sessions.client_id`, `logs.client_id`).
    ClientId
);
text_id!(
    /// `ai_requests.id`.
    AiRequestId
);
text_id!(
    /// `mcp_tool_executions.mcp_execution_id`.
    McpExecutionId
);
text_id!(
    /// `task_execution_steps.step_id`.
    StepId
);
text_id!(
    /// `logs.id`.
    LogId
);
