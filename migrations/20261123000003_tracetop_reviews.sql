-- tracetop's own state: append-only audit verdicts. Never touches audited
-- rows; a verdict is changed by appending a newer one.

CREATE TABLE IF NOT EXISTS tracetop_reviews (
    id BIGSERIAL PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('request', 'task', 'trace', 'mcp_execution', 'log', 'anomaly')),
    target_id TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('ok', 'flag', 'escalate')),
    note TEXT,
    reviewer TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX IF NOT EXISTS idx_tracetop_reviews_target ON tracetop_reviews (target_kind, target_id, created_at DESC);

-- Append-only: refuse UPDATE and DELETE.
CREATE OR REPLACE FUNCTION tracetop_reviews_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'tracetop_reviews is append-only';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS tracetop_reviews_no_update ON tracetop_reviews;
CREATE TRIGGER tracetop_reviews_no_update BEFORE UPDATE OR DELETE ON tracetop_reviews
    FOR EACH ROW EXECUTE FUNCTION tracetop_reviews_append_only();
