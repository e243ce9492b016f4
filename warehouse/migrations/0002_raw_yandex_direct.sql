CREATE DATABASE IF NOT EXISTS raw_yandex_direct;

-- Campaigns.get snapshot per account (Client-Login).
CREATE TABLE IF NOT EXISTS raw_yandex_direct.campaigns
(
    tenant_id LowCardinality(String),
    account_id String,
    campaign_id UInt64,
    campaign_name String,
    campaign_type LowCardinality(String),
    state LowCardinality(String),
    status LowCardinality(String),
    currency LowCardinality(String),
    start_date Nullable(Date),
    end_date Nullable(Date),
    daily_budget Nullable(Decimal(18, 6)),
    timezone LowCardinality(String),
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (tenant_id, account_id, campaign_id);

-- CUSTOM_REPORT at ad x day grain (with campaign and ad group).
CREATE TABLE IF NOT EXISTS raw_yandex_direct.ad_stats_daily
(
    tenant_id LowCardinality(String),
    account_id String,
    date_day Date,
    campaign_id UInt64,
    campaign_name String,
    campaign_type LowCardinality(String),
    ad_group_id UInt64,
    ad_group_name String,
    ad_id UInt64,
    ad_network_type LowCardinality(String),
    impressions UInt64,
    clicks UInt64,
    cost Decimal(18, 6),
    cost_includes_vat UInt8,
    currency LowCardinality(String),
    conversions Nullable(Decimal(18, 6)),
    revenue Nullable(Decimal(18, 6)),
    -- Per-goal conversions: key "<goal_id>_<attribution model>", e.g. "20002_LSC".
    goal_conversions Map(String, Decimal(18, 6)),
    attribution_model LowCardinality(String),
    timezone LowCardinality(String),
    is_provisional UInt8,
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(date_day)
ORDER BY (tenant_id, account_id, date_day, campaign_id, ad_group_id, ad_id, ad_network_type);

-- REACH_AND_FREQUENCY_PERFORMANCE_REPORT (display campaigns): reach at the window it was measured.
CREATE TABLE IF NOT EXISTS raw_yandex_direct.reach_frequency
(
    tenant_id LowCardinality(String),
    account_id String,
    date_from Date,
    date_to Date,
    -- the load window key: one row set per (account, window end)
    date_day Date,
    campaign_id UInt64,
    campaign_name String,
    impressions UInt64,
    impression_reach UInt64,
    avg_impression_frequency Float64,
    cost Decimal(18, 6),
    currency LowCardinality(String),
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (tenant_id, account_id, date_day, campaign_id);
