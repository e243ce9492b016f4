-- Saved views of the analyst app (issue 20): a person's named set of page, filters, period preset, drill level and
-- columns. Only its owner reads it (tenant and login in every query); a delete writes a newer version marked deleted.
CREATE TABLE IF NOT EXISTS app.saved_views
(
    tenant_id LowCardinality(String),
    login String,
    view_id String,
    page LowCardinality(String),
    name String,
    -- the view's settings as JSON: client, preset or dates, filters, drill path, columns
    state String,
    is_deleted UInt8 DEFAULT 0,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, login, page, view_id);
