-- Delivery and alerts (issue 17): per-client report schedules, linked Telegram chats, what was delivered (so a
-- rerun sends only what was not), and alert states (one alert per condition per period, re-alert on worsening).

CREATE TABLE IF NOT EXISTS app.report_schedules
(
    tenant_id LowCardinality(String),
    schedule_id String,
    client_id String,
    -- daily | weekly | monthly | end_of_flight
    report_type LowCardinality(String),
    -- performance | analytical_notes | channel_comparison | plan_vs_fact
    layout LowCardinality(String) DEFAULT 'performance',
    local_time String DEFAULT '09:00',
    weekday UInt8 DEFAULT 1,
    month_day UInt8 DEFAULT 1,
    channels Array(LowCardinality(String)) DEFAULT ['email'],
    language LowCardinality(String) DEFAULT 'ru',
    vat LowCardinality(String) DEFAULT 'net',
    show_commission UInt8 DEFAULT 0,
    recipients Array(String) DEFAULT [],
    is_deleted UInt8 DEFAULT 0,
    updated_by String DEFAULT '',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, schedule_id);

CREATE TABLE IF NOT EXISTS app.telegram_links
(
    tenant_id LowCardinality(String),
    -- a client (its reports and alerts) or a user (their alerts)
    target_kind LowCardinality(String),
    target_id String,
    chat_id Int64 DEFAULT 0,
    -- one-time /start code, cleared when used
    link_code String DEFAULT '',
    code_expires_at Nullable(DateTime64(3, 'UTC')),
    status LowCardinality(String) DEFAULT 'pending',
    broken_reason String DEFAULT '',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, target_kind, target_id);

CREATE TABLE IF NOT EXISTS app.deliveries
(
    tenant_id LowCardinality(String),
    run_key String,
    channel LowCardinality(String),
    destination String,
    -- sent | failed | broken
    status LowCardinality(String),
    detail String DEFAULT '',
    at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(at)
ORDER BY (tenant_id, run_key, channel, destination);

CREATE TABLE IF NOT EXISTS app.alerts
(
    tenant_id LowCardinality(String),
    client_id String,
    -- rule:subject (e.g. pacing:plan-1/L2), stable across runs, so one condition is one alert
    alert_key String,
    rule LowCardinality(String),
    period String,
    severity Float64,
    -- open | resolved
    state LowCardinality(String),
    message_ru String,
    message_en String,
    acked_by String DEFAULT '',
    acked_at Nullable(DateTime64(3, 'UTC')),
    notified_severity Float64 DEFAULT 0,
    opened_at DateTime64(3, 'UTC') DEFAULT now64(3),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, client_id, alert_key);
