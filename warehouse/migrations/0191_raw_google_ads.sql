-- Google Ads API (googleAds:searchStream, GAQL). account_id = customer id, ten digits without dashes.
CREATE DATABASE IF NOT EXISTS raw_google_ads;

CREATE TABLE IF NOT EXISTS raw_google_ads.campaigns
(
    tenant_id LowCardinality(String),
    account_id String,
    campaign_id UInt64,
    campaign_name String,
    status LowCardinality(String),
    channel_type LowCardinality(String),
    start_date Nullable(Date),
    end_date Nullable(Date),
    currency LowCardinality(String),
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (tenant_id, account_id, campaign_id);

-- ad_group_ad x segments.date x segments.ad_network_type; money in the account currency (cost_micros / 1e6).
CREATE TABLE IF NOT EXISTS raw_google_ads.ad_stats_daily
(
    tenant_id LowCardinality(String),
    account_id String,
    date_day Date,
    campaign_id UInt64,
    campaign_name String,
    ad_group_id UInt64,
    ad_group_name String,
    ad_id UInt64,
    ad_network_type LowCardinality(String),
    impressions UInt64,
    clicks UInt64,
    cost Decimal(18, 6),
    cost_includes_vat UInt8,
    currency LowCardinality(String),
    conversions Decimal(18, 6),
    conversions_value Decimal(18, 6),
    timezone LowCardinality(String),
    is_provisional UInt8,
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(date_day)
ORDER BY (tenant_id, account_id, date_day, campaign_id, ad_group_id, ad_id);
