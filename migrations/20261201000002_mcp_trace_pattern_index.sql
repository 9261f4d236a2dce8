-- A prefix lookup of a trace id (`tracetop audit PREFIX`) also searches
-- mcp_tool_executions.trace_id with LIKE 'prefix%'. Under a non-C collation
-- (en_US.UTF-8, C.UTF-8: what real deployments run) the plain index on that
-- column cannot serve LIKE, and the lookup scanned the whole index (110 ms
-- of a 140 ms audit at 140k executions); text_pattern_ops makes it a range
-- scan, as on the other id columns.

CREATE INDEX IF NOT EXISTS idx_mcp_trace_id_pattern ON mcp_tool_executions (trace_id text_pattern_ops);
