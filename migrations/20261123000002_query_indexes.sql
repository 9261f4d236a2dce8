-- Indexes tracetop's queries need: trace_id on every table, the time
-- columns windows filter on, and text_pattern_ops on ids so a prefix lookup
-- (LIKE 'prefix%') is an index range scan whatever the collation.

CREATE INDEX IF NOT EXISTS idx_ai_requests_trace_id ON ai_requests (trace_id);
CREATE INDEX IF NOT EXISTS idx_ai_requests_task_id ON ai_requests (task_id);
CREATE INDEX IF NOT EXISTS idx_ai_requests_context_id ON ai_requests (context_id);
CREATE INDEX IF NOT EXISTS idx_ai_requests_user_id ON ai_requests (user_id);
CREATE INDEX IF NOT EXISTS idx_ai_requests_created_at ON ai_requests (created_at);
CREATE INDEX IF NOT EXISTS idx_ai_requests_updated_at_id ON ai_requests (updated_at, id);
CREATE INDEX IF NOT EXISTS idx_ai_requests_id_pattern ON ai_requests (id text_pattern_ops);
CREATE INDEX IF NOT EXISTS idx_ai_requests_request_id_pattern ON ai_requests (request_id text_pattern_ops);
CREATE INDEX IF NOT EXISTS idx_ai_requests_task_id_pattern ON ai_requests (task_id text_pattern_ops);
CREATE INDEX IF NOT EXISTS idx_ai_requests_trace_id_pattern ON ai_requests (trace_id text_pattern_ops);

CREATE INDEX IF NOT EXISTS idx_ai_request_messages_request_id ON ai_request_messages (request_id, sequence_number);
CREATE INDEX IF NOT EXISTS idx_ai_request_tool_calls_request_id ON ai_request_tool_calls (request_id, sequence_number);
CREATE INDEX IF NOT EXISTS idx_ai_request_tool_calls_mcp ON ai_request_tool_calls (mcp_execution_id);

CREATE INDEX IF NOT EXISTS idx_mcp_trace_id ON mcp_tool_executions (trace_id);
CREATE INDEX IF NOT EXISTS idx_mcp_started_at ON mcp_tool_executions (started_at);
CREATE INDEX IF NOT EXISTS idx_mcp_created_at_id ON mcp_tool_executions (created_at, mcp_execution_id);
CREATE INDEX IF NOT EXISTS idx_mcp_tool_name ON mcp_tool_executions (tool_name, started_at);

CREATE INDEX IF NOT EXISTS idx_agent_tasks_trace_id ON agent_tasks (trace_id);
CREATE INDEX IF NOT EXISTS idx_agent_tasks_created_at ON agent_tasks (created_at);
CREATE INDEX IF NOT EXISTS idx_agent_tasks_updated_at_id ON agent_tasks (updated_at, task_id);
CREATE INDEX IF NOT EXISTS idx_agent_tasks_task_id_pattern ON agent_tasks (task_id text_pattern_ops);
CREATE INDEX IF NOT EXISTS idx_agent_tasks_trace_id_pattern ON agent_tasks (trace_id text_pattern_ops);

CREATE INDEX IF NOT EXISTS idx_steps_task_id ON task_execution_steps (task_id, started_at);

CREATE INDEX IF NOT EXISTS idx_logs_trace_id ON logs (trace_id);
CREATE INDEX IF NOT EXISTS idx_logs_timestamp_id ON logs (timestamp, id);
CREATE INDEX IF NOT EXISTS idx_logs_level_timestamp ON logs (level, timestamp);

CREATE INDEX IF NOT EXISTS idx_sessions_started_at ON user_sessions (started_at);
CREATE INDEX IF NOT EXISTS idx_sessions_last_activity ON user_sessions (last_activity_at);
CREATE INDEX IF NOT EXISTS idx_contexts_updated_at ON user_contexts (updated_at);
CREATE INDEX IF NOT EXISTS idx_contexts_created_at ON user_contexts (created_at);
