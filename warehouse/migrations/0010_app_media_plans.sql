-- Media plans (issue 6). Versioned: every import of a plan writes a NEW (plan_id, plan_version)
-- and never touches earlier versions. A version exists only once its header row is in
-- app.media_plans: lines are written first under a fresh import_id, the header last, so a
-- failed import leaves no visible version (readers join lines to headers on import_id).

-- One row per plan version (the commit marker of an import).
CREATE TABLE IF NOT EXISTS app.media_plans
(
    tenant_id LowCardinality(String),
    client_id String,
    plan_id String,
    plan_version UInt32,
    import_id String,
    name String,
    -- 'plan' for a media plan, 'history' for historical campaign statistics (migration assistant).
    kind LowCardinality(String) DEFAULT 'plan',
    status LowCardinality(String) DEFAULT 'draft',
    currency LowCardinality(String) DEFAULT 'RUB',
    flight_start Nullable(Date),
    flight_end Nullable(Date),
    total_budget_net Nullable(Decimal(18, 2)),
    total_budget_gross Nullable(Decimal(18, 2)),
    line_count UInt32,
    source_file String DEFAULT '',
    source_format LowCardinality(String) DEFAULT '',
    source_sha256 String DEFAULT '',
    source_sheets Array(String) DEFAULT [],
    -- JSON: the confirmed mapping {"sheet": ..., "header_row": ..., "columns": {source header: field}}.
    mapping_json String DEFAULT '',
    mapping_template_id String DEFAULT '',
    imported_by String DEFAULT '',
    note String DEFAULT '',
    imported_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (tenant_id, client_id, plan_id, plan_version, import_id);

-- One row per media-plan line per plan version. Grain: (tenant_id, client_id, plan_id, plan_version, line_id).
-- Money is in `currency`; budget_net excludes VAT, budget_gross includes it (agency-facing cost).
-- Reach is a fraction of the target audience in [0, 1]; GRP/TRP are rating points.
CREATE TABLE IF NOT EXISTS app.media_plan_lines
(
    tenant_id LowCardinality(String),
    client_id String,
    plan_id String,
    plan_version UInt32,
    import_id String,
    line_id String,
    line_no UInt32,
    source_sheet String DEFAULT '',
    source_row UInt32 DEFAULT 0,
    -- Channel as planned (e.g. 'OLV', 'Search', 'TV', 'Display'); platform in the conformed
    -- vocabulary ('yandex_direct', 'vk_ads', 'yandex_metrika', 'tv', 'other', ...).
    channel LowCardinality(String) DEFAULT '',
    platform LowCardinality(String) DEFAULT '',
    -- Mapping to platform campaigns: by id when the plan has one, otherwise by name.
    campaign_name String DEFAULT '',
    platform_campaign_id String DEFAULT '',
    account_id String DEFAULT '',
    placement String DEFAULT '',
    ad_format String DEFAULT '',
    flight_start Nullable(Date),
    flight_end Nullable(Date),
    currency LowCardinality(String) DEFAULT 'RUB',
    budget_net Nullable(Decimal(18, 2)),
    budget_gross Nullable(Decimal(18, 2)),
    -- 'CPM' | 'CPC' | 'CPA' | 'CPV' | 'fixed' | '' (unknown).
    pricing_model LowCardinality(String) DEFAULT '',
    unit_price Nullable(Decimal(18, 4)),
    planned_impressions Nullable(UInt64),
    planned_clicks Nullable(UInt64),
    planned_conversions Nullable(Float64),
    planned_reach Nullable(Float64),
    planned_reach_persons Nullable(UInt64),
    planned_frequency Nullable(Float64),
    planned_grp Nullable(Float64),
    planned_trp Nullable(Float64),
    target_audience String DEFAULT '',
    ta_size Nullable(UInt64),
    geo String DEFAULT '',
    comment String DEFAULT '',
    -- Source columns the mapping did not place, kept verbatim.
    extra Map(String, String) DEFAULT map(),
    imported_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (tenant_id, client_id, plan_id, plan_version, line_id);

-- Latest committed version of every plan (use this, not the raw tables, for plan-vs-fact).
CREATE VIEW IF NOT EXISTS app.media_plan_lines_current AS
SELECT l.*
FROM app.media_plan_lines AS l
INNER JOIN
(
    SELECT tenant_id, client_id, plan_id, argMax(import_id, (plan_version, imported_at)) AS import_id
    FROM app.media_plans
    GROUP BY tenant_id, client_id, plan_id
) AS h
    ON l.tenant_id = h.tenant_id AND l.client_id = h.client_id AND l.plan_id = h.plan_id AND l.import_id = h.import_id;

-- Extra or manual links from a plan line to platform campaigns (a line may map to several).
-- Lines already carry campaign_name / platform_campaign_id from the file; rows here add to them.
CREATE TABLE IF NOT EXISTS app.campaign_mappings
(
    tenant_id LowCardinality(String),
    client_id String,
    plan_id String,
    line_id String,
    platform LowCardinality(String),
    account_id String DEFAULT '',
    campaign_id String,
    campaign_name String DEFAULT '',
    -- 'id' | 'name' | 'manual' | 'llm'
    match_method LowCardinality(String) DEFAULT 'manual',
    confidence Float32 DEFAULT 1,
    is_deleted UInt8 DEFAULT 0,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, client_id, plan_id, line_id, platform, campaign_id);

-- Confirmed column mappings remembered per client and reused on the next upload with the same headers.
CREATE TABLE IF NOT EXISTS app.mapping_templates
(
    tenant_id LowCardinality(String),
    client_id String,
    template_id String,
    name String DEFAULT '',
    -- 'plan' | 'history'
    kind LowCardinality(String) DEFAULT 'plan',
    -- sha256 of the normalised header cells; equal signatures reuse the template.
    header_signature String,
    headers Array(String) DEFAULT [],
    -- JSON {normalised source header: target field}.
    mapping_json String,
    is_deleted UInt8 DEFAULT 0,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, client_id, template_id);
