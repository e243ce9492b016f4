-- Past results imported from a statistics export (import kind 'history', issue 15): a table of their own, so they
-- are shown as what happened and can never be read as plan (no version, no status, nothing for plan vs fact).
CREATE TABLE IF NOT EXISTS app.history_results
(
    tenant_id LowCardinality(String),
    client_id String,
    import_id String,
    source_file String DEFAULT '',
    imported_by String DEFAULT '',
    imported_at DateTime64(3, 'UTC') DEFAULT now64(3),
    line_no UInt32,
    date_from Nullable(Date),
    date_to Nullable(Date),
    channel String DEFAULT '',
    platform String DEFAULT '',
    campaign_name String DEFAULT '',
    platform_campaign_id String DEFAULT '',
    spend_net Nullable(Decimal(18, 2)),
    impressions Nullable(UInt64),
    clicks Nullable(UInt64),
    conversions Nullable(Float64)
)
ENGINE = MergeTree
ORDER BY (tenant_id, client_id, import_id, line_no);
