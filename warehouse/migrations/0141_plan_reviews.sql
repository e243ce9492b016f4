-- Media-plan approval (issue 13): planners submit a plan version, PM/AM approve or reject it. Append-only events;
-- a version's status is its latest event (no event = draft).
CREATE TABLE IF NOT EXISTS app.plan_reviews
(
    tenant_id LowCardinality(String),
    client_id String,
    plan_id String,
    plan_version UInt32,
    status LowCardinality(String),
    login String,
    note String DEFAULT '',
    at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (tenant_id, client_id, plan_id, plan_version, at);
