CREATE DATABASE IF NOT EXISTS raw_yandex_metrika;

-- Reporting API (/stat/v1/data): traffic by day, source, UTM and Direct campaign. account_id = counter id.
CREATE TABLE IF NOT EXISTS raw_yandex_metrika.traffic_daily
(
    tenant_id LowCardinality(String),
    account_id String,
    date_day Date,
    traffic_source LowCardinality(String),
    utm_source String,
    utm_medium String,
    utm_campaign String,
    direct_campaign_id Nullable(UInt64),
    direct_campaign_name String,
    visits UInt64,
    users UInt64,
    bounces UInt64,
    pageviews UInt64,
    goal_reaches UInt64,
    revenue Decimal(18, 6),
    currency LowCardinality(String),
    sampled UInt8,
    sample_share Float64,
    timezone LowCardinality(String),
    is_provisional UInt8,
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(date_day)
ORDER BY (tenant_id, account_id, date_day, traffic_source, utm_source, utm_campaign);

-- Logs API visits: user level (ym:s:clientID kept for deduplicated reach).
CREATE TABLE IF NOT EXISTS raw_yandex_metrika.visits
(
    tenant_id LowCardinality(String),
    account_id String,
    date_day Date,
    visit_id UInt64,
    client_id UInt64,
    visit_datetime DateTime('Europe/Moscow'),
    is_new_user UInt8,
    start_url String,
    page_views UInt32,
    visit_duration UInt32,
    bounce UInt8,
    traffic_source LowCardinality(String),
    utm_source String,
    utm_medium String,
    utm_campaign String,
    direct_click_order Nullable(UInt64),
    device_category LowCardinality(String),
    region_city String,
    goals_id Array(UInt64),
    purchase_revenue Decimal(18, 6),
    is_provisional UInt8,
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(date_day)
ORDER BY (tenant_id, account_id, date_day, visit_id);
