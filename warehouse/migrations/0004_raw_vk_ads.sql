CREATE DATABASE IF NOT EXISTS raw_vk_ads;

CREATE TABLE IF NOT EXISTS raw_vk_ads.ad_plans
(
    tenant_id LowCardinality(String),
    account_id String,
    ad_plan_id UInt64,
    name String,
    status LowCardinality(String),
    objective LowCardinality(String),
    budget_limit Nullable(Decimal(18, 6)),
    budget_limit_day Nullable(Decimal(18, 6)),
    date_start Nullable(Date),
    date_end Nullable(Date),
    created Nullable(DateTime('Europe/Moscow')),
    updated Nullable(DateTime('Europe/Moscow')),
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (tenant_id, account_id, ad_plan_id);

CREATE TABLE IF NOT EXISTS raw_vk_ads.ad_groups
(
    tenant_id LowCardinality(String),
    account_id String,
    ad_group_id UInt64,
    ad_plan_id UInt64,
    name String,
    status LowCardinality(String),
    package_id UInt64,
    budget_limit_day Nullable(Decimal(18, 6)),
    updated Nullable(DateTime('Europe/Moscow')),
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (tenant_id, account_id, ad_group_id);

CREATE TABLE IF NOT EXISTS raw_vk_ads.banners
(
    tenant_id LowCardinality(String),
    account_id String,
    banner_id UInt64,
    ad_group_id UInt64,
    name String,
    status LowCardinality(String),
    moderation_status LowCardinality(String),
    url String,
    updated Nullable(DateTime('Europe/Moscow')),
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (tenant_id, account_id, banner_id);

-- statistics/banners/day.json with metrics base,uniques.
CREATE TABLE IF NOT EXISTS raw_vk_ads.banner_stats_daily
(
    tenant_id LowCardinality(String),
    account_id String,
    date_day Date,
    banner_id UInt64,
    shows UInt64,
    clicks UInt64,
    goals UInt64,
    vk_goals UInt64,
    spent Decimal(18, 6),
    spent_includes_vat UInt8,
    currency LowCardinality(String),
    uniques_total UInt64,
    uniques_increment UInt64,
    uniques_initial_total UInt64,
    uniques_frequency Float64,
    timezone LowCardinality(String),
    is_provisional UInt8,
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(date_day)
ORDER BY (tenant_id, account_id, date_day, banner_id);
