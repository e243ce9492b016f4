-- API keys for the REST API and the MCP server. Only a SHA-256 of the key's secret part is kept (the secret is
-- 256 random bits, so a fast hash is enough); the key acts as its user, with the user's role and client scope,
-- re-read on every request. Revoking writes a newer version of the row.
CREATE TABLE IF NOT EXISTS app.api_keys
(
    tenant_id LowCardinality(String),
    key_id String,
    login String,
    scope LowCardinality(String) DEFAULT 'read',
    secret_sha256 String,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3),
    expires_at Nullable(DateTime64(3, 'UTC')),
    revoked_at Nullable(DateTime64(3, 'UTC')),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY key_id;
