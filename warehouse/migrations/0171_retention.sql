-- Per-tenant retention overrides (months) by table class: raw_events (default 12), daily_stats (default 24).
-- warehouse/lifecycle.py turns them into the tables' TTL rules (`mrm retention apply`).
CREATE TABLE IF NOT EXISTS app.retention_overrides
(
    tenant_id LowCardinality(String),
    table_class LowCardinality(String),
    months UInt16,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, table_class);
