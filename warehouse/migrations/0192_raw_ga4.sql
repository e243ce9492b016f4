-- Google Analytics 4 Data API (properties/{id}:runReport). account_id = property id. One row per day, session
-- source, medium and campaign (the UTM campaign that links to ad campaigns). total_users is distinct per row and
-- never summed across rows. Report-level quality flags are copied to every row of the report: is_other_row marks
-- the "(other)" bucket GA4 folds rare values into, is_sampled/sampling_share a sampled answer, is_thresholded
-- rows withheld for privacy (like the Metrika connector's sampling flag).
CREATE DATABASE IF NOT EXISTS raw_ga4;

CREATE TABLE IF NOT EXISTS raw_ga4.traffic_daily
(
    tenant_id LowCardinality(String),
    account_id String,
    date_day Date,
    session_source String,
    session_medium LowCardinality(String),
    session_campaign_name String,
    sessions UInt64,
    total_users UInt64,
    key_events Decimal(18, 6),
    total_revenue Decimal(18, 6),
    currency LowCardinality(String),
    is_other_row UInt8,
    is_sampled UInt8,
    sampling_share Nullable(Float64),
    is_thresholded UInt8,
    is_provisional UInt8,
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(date_day)
ORDER BY (tenant_id, account_id, date_day, session_source, session_medium, session_campaign_name);
