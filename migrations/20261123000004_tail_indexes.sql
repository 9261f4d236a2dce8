-- Keyset indexes for the live tail (src/pg/tail.rs): each polled table is
-- read on (time column, id) > (watermark - lookback, ''), which must be an
-- index range scan, not a scan of the table, every 500 ms.

CREATE INDEX IF NOT EXISTS idx_steps_started_at_id ON task_execution_steps (started_at, step_id);
CREATE INDEX IF NOT EXISTS idx_sessions_last_activity_id ON user_sessions (last_activity_at, session_id);
CREATE INDEX IF NOT EXISTS idx_contexts_created_at_id ON user_contexts (created_at, context_id);
CREATE INDEX IF NOT EXISTS idx_users_created_at_id ON users (created_at, id);
