-- Ads.get snapshot per account (Client-Login): the ad titles the statistics reports do not carry, for the
-- app's drill-down (marts.dim_ads). Replaced whole per account by each load, like raw_yandex_direct.campaigns.
CREATE TABLE IF NOT EXISTS raw_yandex_direct.ads
(
    tenant_id LowCardinality(String),
    account_id String,
    campaign_id UInt64,
    ad_group_id UInt64,
    ad_id UInt64,
    ad_type LowCardinality(String),
    title String,
    title2 String,
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (tenant_id, account_id, ad_id);
