-- Per-person settings the app remembers (issue 15): the language a person last used the plan pages in, so the
-- e-mail telling an approver about a submitted plan is in that person's language (RU until they choose).
CREATE TABLE IF NOT EXISTS app.user_settings
(
    tenant_id LowCardinality(String),
    login String,
    -- ru | en
    language LowCardinality(String) DEFAULT 'ru',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, login);
