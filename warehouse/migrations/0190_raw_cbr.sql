-- Bank of Russia daily exchange rates (XML_daily.asp), one row per currency and day the rate is in force.
-- Reference data of every tenant: loaded under tenant_id '_shared', account_id 'cbr' so the window loader and the
-- current-load filter work as for every raw table. Weekends and holidays have no rows: the rate in force is the
-- last one set (dbt int_fx_rates_daily carries it over the days a load covered).
CREATE DATABASE IF NOT EXISTS raw_cbr;

CREATE TABLE IF NOT EXISTS raw_cbr.fx_daily
(
    tenant_id LowCardinality(String),
    account_id String,
    date_day Date,
    valute_id String,
    num_code String,
    char_code LowCardinality(String),
    nominal UInt32,
    name String,
    -- roubles per `nominal` units, exactly as published (4 decimals)
    value Decimal(18, 6),
    _load_id String,
    _loaded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (tenant_id, account_id, date_day, char_code);
