-- Columns a real systemprompt gateway fills (cache read/write tokens,
-- requested vs served model, streaming, actor, synthetic traffic, gateway
-- and provider ids, the AI-crawler flag), so tracetop's own schema stays a
-- compatible superset of a real deployment's and both carry them.
--
-- Only tables this migration set created are altered: a real deployment's
-- audited tables are never changed by `tracetop migrate`, even an older one
-- that lacks some of these columns (the console then reads them as absent).
-- Our first migration is recognised by ai_request_messages.id being bigint
-- (a systemprompt database has text UUIDs there).

DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM pg_attribute
        WHERE attrelid = to_regclass('ai_request_messages')
          AND attname = 'id' AND atttypid = 'bigint'::regtype AND NOT attisdropped
    ) THEN
        ALTER TABLE ai_requests
            ADD COLUMN IF NOT EXISTS requested_model TEXT,
            ADD COLUMN IF NOT EXISTS cache_read_tokens INTEGER,
            ADD COLUMN IF NOT EXISTS cache_creation_tokens INTEGER,
            ADD COLUMN IF NOT EXISTS is_streaming BOOLEAN NOT NULL DEFAULT FALSE,
            ADD COLUMN IF NOT EXISTS actor_kind TEXT,
            ADD COLUMN IF NOT EXISTS actor_id TEXT,
            ADD COLUMN IF NOT EXISTS synthetic BOOLEAN NOT NULL DEFAULT FALSE,
            ADD COLUMN IF NOT EXISTS gateway_conversation_id TEXT,
            ADD COLUMN IF NOT EXISTS provider_request_id TEXT;
        -- A rejected request has no provider or model on a real deployment.
        ALTER TABLE ai_requests ALTER COLUMN provider DROP NOT NULL;
        ALTER TABLE ai_requests ALTER COLUMN model DROP NOT NULL;
        ALTER TABLE user_sessions
            ADD COLUMN IF NOT EXISTS is_ai_crawler BOOLEAN NOT NULL DEFAULT FALSE;
        ALTER TABLE logs
            ADD COLUMN IF NOT EXISTS gateway_conversation_id TEXT,
            ADD COLUMN IF NOT EXISTS provider_request_id TEXT;
    END IF;
END
$$;
