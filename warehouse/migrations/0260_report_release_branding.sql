-- Client reports worth sending (issue 20, part 4).
-- A release: an account manager (or PM) lets the client's users see one built run of a report. Keyed by the
-- run id, so a rebuild (a new run id) is hidden from the client again until someone releases it; `released = 0`
-- withdraws a release (the newest row wins).
CREATE TABLE IF NOT EXISTS app.report_releases
(
    tenant_id LowCardinality(String),
    client_id String,
    run_id String,
    content_hash String,
    released UInt8 DEFAULT 1,
    released_by String,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, client_id, run_id);

-- A tenant's branding for its client reports (PDF, XLSX, e-mail): the logo as checked bytes (PNG re-encoded,
-- SVG with scripts and outside references refused) in base64, two colours as #RRGGBB and a footer line.
CREATE TABLE IF NOT EXISTS app.tenant_branding
(
    tenant_id LowCardinality(String),
    logo_kind LowCardinality(String) DEFAULT '',
    logo_b64 String DEFAULT '',
    primary_color String DEFAULT '#1F4E79',
    accent_color String DEFAULT '#E07B39',
    footer String DEFAULT '',
    updated_by String DEFAULT '',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY tenant_id;
