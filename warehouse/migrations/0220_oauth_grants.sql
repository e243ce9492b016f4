-- Connecting ad accounts through OAuth (issue 13, workspace/oauth.py and workspace/discovery.py).

-- One-time `state` values of authorization requests under way. Only a SHA-256 of the state is kept; the row binds
-- it to the tenant, client, platform, user and redirect URI that started the flow, and expires. used_at is set
-- when a callback presents it (a second presentation is a replay and is refused).
CREATE TABLE IF NOT EXISTS app.oauth_states
(
    state_hash String,
    tenant_id LowCardinality(String),
    client_id String,
    platform LowCardinality(String),
    login String,
    redirect_uri String,
    created_at DateTime64(3, 'UTC'),
    expires_at DateTime64(3, 'UTC'),
    used_at Nullable(DateTime64(3, 'UTC')),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY state_hash
TTL toDateTime(expires_at) + INTERVAL 30 DAY;

-- What an agency granted through OAuth: never the tokens themselves (they are rows of app.account_credentials
-- under the account id '~grant~<grant_id>', encrypted like every credential), but their health: when the access
-- token expires, when it was last refreshed, and whether the grant still works (active | failed | revoked).
CREATE TABLE IF NOT EXISTS app.oauth_grants
(
    tenant_id LowCardinality(String),
    grant_id String,
    platform LowCardinality(String),
    client_id String,
    -- The granting user as the platform names it (VK Ads: the agency's username; '' where not asked).
    agency_login String DEFAULT '',
    connected_by String DEFAULT '',
    status LowCardinality(String) DEFAULT 'active',
    token_expires_at Nullable(DateTime64(3, 'UTC')),
    last_refresh_at Nullable(DateTime64(3, 'UTC')),
    last_error String DEFAULT '',
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, grant_id);

-- Which grant an ad account loads with (an account connected through discovery uses its agency's token; Direct
-- adds the account id as Client-Login). is_deleted = 1 unlinks it.
CREATE TABLE IF NOT EXISTS app.account_grants
(
    tenant_id LowCardinality(String),
    platform LowCardinality(String),
    account_id String,
    grant_id String,
    grant_platform LowCardinality(String),
    is_deleted UInt8 DEFAULT 0,
    updated_by String DEFAULT '',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, platform, account_id);
