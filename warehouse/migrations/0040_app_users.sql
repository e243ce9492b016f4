-- Users of the analyst app (dashboards/). Passwords are stored only as salted scrypt hashes
-- ("scrypt$n$r$p$salt_hex$hash_hex"); OIDC users have an empty hash and log in through the identity provider.
CREATE TABLE IF NOT EXISTS app.users
(
    tenant_id LowCardinality(String),
    login String,
    display_name String DEFAULT '',
    role LowCardinality(String),
    -- Set for role 'client': the only client whose data this user may see.
    client_id String DEFAULT '',
    password_hash String DEFAULT '',
    auth_source LowCardinality(String) DEFAULT 'local',
    is_active UInt8 DEFAULT 1,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY login;

-- Who did what in the app: log-ins (ok and failed), denied requests, report sends, plan imports.
CREATE TABLE IF NOT EXISTS app.audit_log
(
    tenant_id LowCardinality(String),
    login String,
    action LowCardinality(String),
    target String DEFAULT '',
    outcome LowCardinality(String),
    detail String DEFAULT '',
    at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (tenant_id, at);
