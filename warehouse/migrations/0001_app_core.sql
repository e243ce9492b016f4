-- Core application tables. Every table carries tenant_id; every statement is idempotent.
CREATE DATABASE IF NOT EXISTS app;

CREATE TABLE IF NOT EXISTS app.schema_migrations
(
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(applied_at)
ORDER BY version;

CREATE TABLE IF NOT EXISTS app.tenants
(
    tenant_id LowCardinality(String),
    name String,
    timezone LowCardinality(String) DEFAULT 'Europe/Moscow',
    default_currency LowCardinality(String) DEFAULT 'RUB',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY tenant_id;

-- An advertiser served by the agency (tenant).
CREATE TABLE IF NOT EXISTS app.clients
(
    tenant_id LowCardinality(String),
    client_id String,
    name String,
    currency LowCardinality(String) DEFAULT 'RUB',
    -- Agency commission as a fraction of net spend (0.10 = 10 %); per client, never hard-coded.
    agency_commission Decimal(9, 6) DEFAULT 0,
    report_recipients Array(String) DEFAULT [],
    report_language LowCardinality(String) DEFAULT 'ru',
    is_active UInt8 DEFAULT 1,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, client_id);

-- Ad-platform accounts (Direct Client-Login, Metrika counter, VK agency client, Garpun project) per client.
CREATE TABLE IF NOT EXISTS app.accounts
(
    tenant_id LowCardinality(String),
    client_id String,
    platform LowCardinality(String),
    account_id String,
    account_name String DEFAULT '',
    timezone LowCardinality(String) DEFAULT 'Europe/Moscow',
    currency LowCardinality(String) DEFAULT 'RUB',
    -- Whether the platform reports spend with VAT included (Direct IncludeVAT=YES: 1; Metrika Direct costs: 0).
    spend_includes_vat UInt8 DEFAULT 1,
    via_garpun UInt8 DEFAULT 0,
    is_active UInt8 DEFAULT 1,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, platform, account_id);

-- Effective-dated VAT rates (RU: 20 % until 2025-12-31, 22 % from 2026-01-01).
CREATE TABLE IF NOT EXISTS app.vat_rates
(
    country LowCardinality(String),
    valid_from Date,
    rate Decimal(9, 6),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (country, valid_from);

INSERT INTO app.vat_rates (country, valid_from, rate, updated_at)
SELECT * FROM values('country String, valid_from Date, rate Decimal(9, 6), updated_at DateTime64(3, \'UTC\')',
    ('RU', '2019-01-01', 0.20, '2026-01-01 00:00:00'), ('RU', '2026-01-01', 0.22, '2026-01-01 00:00:00'));

-- Every ingestion load: one row when it starts (status running) and one when it ends.
CREATE TABLE IF NOT EXISTS app.load_log
(
    run_id String,
    tenant_id LowCardinality(String),
    platform LowCardinality(String),
    report LowCardinality(String),
    account_id String,
    date_from Nullable(Date),
    date_to Nullable(Date),
    status LowCardinality(String),
    rows UInt64 DEFAULT 0,
    request_ids Array(String) DEFAULT [],
    started_at DateTime64(3, 'UTC'),
    finished_at Nullable(DateTime64(3, 'UTC')),
    duration_s Float64 DEFAULT 0,
    error String DEFAULT ''
)
ENGINE = MergeTree
ORDER BY (tenant_id, platform, report, account_id, started_at);

-- Which load currently owns each (table, tenant, account, day): the atomic switch of window replaces.
-- date_day = 1970-01-01 marks a whole-account snapshot (dimension tables).
CREATE TABLE IF NOT EXISTS app.raw_window_versions
(
    table_name LowCardinality(String),
    tenant_id LowCardinality(String),
    account_id String,
    date_day Date,
    load_id String,
    loaded_at DateTime64(6, 'UTC')
)
ENGINE = ReplacingMergeTree(loaded_at)
ORDER BY (table_name, tenant_id, account_id, date_day);
