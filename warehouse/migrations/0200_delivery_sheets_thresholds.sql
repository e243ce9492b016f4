-- Delivery and alerts, second part (issue 17): Google Sheets as a schedule channel (the spreadsheet id is its
-- target), the state of each delivery channel (broken until fixed), ad-account token health (expiry, revocation)
-- and the alert thresholds set per client.

ALTER TABLE app.report_schedules ADD COLUMN IF NOT EXISTS spreadsheet_id String DEFAULT '';

-- One row per client channel and destination: ok, or broken with the reason (SMTP refusal, Sheets quota, deleted
-- chat). A broken channel is skipped by later runs until it is fixed (a successful send, or reset in the app).
CREATE TABLE IF NOT EXISTS app.channel_status
(
    tenant_id LowCardinality(String),
    client_id String,
    -- email | telegram | sheets
    channel LowCardinality(String),
    destination String,
    -- ok | broken
    status LowCardinality(String),
    reason String DEFAULT '',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, client_id, channel, destination);

-- What the platforms' OAuth said about an ad account's credential: when it expires, or that it was revoked.
-- Written whenever a token answer is seen; a credential saved after the revocation counts as reconnected.
CREATE TABLE IF NOT EXISTS app.credential_status
(
    tenant_id LowCardinality(String),
    platform LowCardinality(String),
    account_id String,
    expires_at Nullable(DateTime64(3, 'UTC')),
    revoked UInt8 DEFAULT 0,
    reason String DEFAULT '',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, platform, account_id);

-- Alert rule thresholds of one client (rows absent: the defaults of delivery/thresholds.py).
CREATE TABLE IF NOT EXISTS app.alert_thresholds
(
    tenant_id LowCardinality(String),
    client_id String,
    pacing_off_pct Float64,
    pacing_from_day UInt16,
    stale_hours Float64,
    token_days UInt16,
    updated_by String DEFAULT '',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, client_id);
