CREATE DATABASE IF NOT EXISTS raw_garpun;

-- Unified ad statistics through Garpun DataHub (METAQL); the query and column mapping are configuration.
CREATE TABLE IF NOT EXISTS raw_garpun.ad_stats_daily
(
    tenant_id LowCardinality(String),
    account_id String,
    date_day Date,
    source_platform LowCardinality(String),
    campaign_id String,
    campaign_name String,
    ad_group_id String,
    ad_id String,
    impressions UInt64,
    clicks UInt64,
    cost Decimal(18, 6),
    cost_includes_vat UInt8,
    currency LowCardinality(String),
    conversions Nullable(Decimal(18, 6)),
    is_provisional UInt8,
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(date_day)
ORDER BY (tenant_id, account_id, date_day, source_platform, campaign_id, ad_group_id, ad_id);

CREATE TABLE IF NOT EXISTS raw_garpun.campaigns
(
    tenant_id LowCardinality(String),
    account_id String,
    source_platform LowCardinality(String),
    campaign_id String,
    campaign_name String,
    status LowCardinality(String),
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (tenant_id, account_id, source_platform, campaign_id);
