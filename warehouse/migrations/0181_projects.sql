-- Projects (issue 16): a project of a client with dates, status and budget; its team (user, role); its tasks with
-- status, due date and a RACI letter per role; and the plans, reports and documents it is linked to.
-- Edits re-insert a row with a later updated_at (the newest version wins); every table carries tenant_id.

CREATE TABLE IF NOT EXISTS app.projects
(
    tenant_id LowCardinality(String),
    project_id String,
    client_id String DEFAULT '',
    name String,
    status LowCardinality(String) DEFAULT 'planned',
    start_date Nullable(Date),
    end_date Nullable(Date),
    budget Nullable(Float64),
    brief String DEFAULT '',
    language LowCardinality(String) DEFAULT 'ru',
    created_by String DEFAULT '',
    created_at DateTime64(3, 'UTC') DEFAULT now64(3),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, project_id);

CREATE TABLE IF NOT EXISTS app.project_team
(
    tenant_id LowCardinality(String),
    project_id String,
    login String,
    role LowCardinality(String),
    is_removed UInt8 DEFAULT 0,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, project_id, login);

CREATE TABLE IF NOT EXISTS app.project_tasks
(
    tenant_id LowCardinality(String),
    project_id String,
    task_id String,
    seq UInt32,
    title String,
    phase String DEFAULT '',
    status LowCardinality(String) DEFAULT 'todo',
    due_date Nullable(Date),
    raci_json String DEFAULT '{}',
    depends_on Array(String),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, project_id, task_id);

CREATE TABLE IF NOT EXISTS app.project_artifacts
(
    tenant_id LowCardinality(String),
    project_id String,
    kind LowCardinality(String),
    ref String,
    title String DEFAULT '',
    added_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(added_at)
ORDER BY (tenant_id, project_id, kind, ref);
