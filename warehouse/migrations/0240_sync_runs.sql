-- Sync runs started from the Connections page (issue 13, workspace/sync.py): one row per Dagster run of an
-- account's "load now" or "backfill from <date>", so the page finds the run again after a reload and shows the
-- last outcome without asking Dagster. The run's state lives in Dagster; `status`/`error` are the last state the
-- app saw (a newer row of the same run replaces the older one).
CREATE TABLE IF NOT EXISTS app.sync_runs
(
    tenant_id LowCardinality(String),
    client_id String,
    platform LowCardinality(String),
    account_id String,
    run_id String,
    kind LowCardinality(String),
    date_from Date,
    date_to Date,
    run_url String DEFAULT '',
    started_by String DEFAULT '',
    started_at DateTime64(3, 'UTC') DEFAULT now64(3),
    status LowCardinality(String) DEFAULT 'QUEUED',
    error String DEFAULT '',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, client_id, platform, account_id, run_id);
