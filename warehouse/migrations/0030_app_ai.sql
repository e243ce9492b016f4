-- AI layer (issue 7): LLM usage and cache, insights, report runs, knowledge base.
-- Every table carries tenant_id; every statement is idempotent.

-- One row per LLM call (live, cached or offline) with tokens and cost, for per-tenant billing.
CREATE TABLE IF NOT EXISTS app.ai_usage
(
    tenant_id LowCardinality(String),
    call_id String,
    purpose LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    prompt_name LowCardinality(String),
    prompt_version String,
    request_hash String,
    input_tokens UInt32 DEFAULT 0,
    output_tokens UInt32 DEFAULT 0,
    cache_read_tokens UInt32 DEFAULT 0,
    cost_usd Float64 DEFAULT 0,
    latency_ms UInt32 DEFAULT 0,
    attempts UInt8 DEFAULT 1,
    cached UInt8 DEFAULT 0,
    status LowCardinality(String),
    error String DEFAULT '',
    created_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (tenant_id, created_at, call_id);

-- Identical requests (same model, prompt version, messages, tools) are answered from here.
CREATE TABLE IF NOT EXISTS app.ai_cache
(
    tenant_id LowCardinality(String),
    request_hash String,
    model LowCardinality(String),
    response_json String,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(created_at)
ORDER BY (tenant_id, request_hash);

-- One row per insight per client and as-of day; re-running the same day replaces it.
CREATE TABLE IF NOT EXISTS app.insights
(
    tenant_id LowCardinality(String),
    client_id String,
    as_of Date,
    insight_id String,
    type LowCardinality(String),
    severity LowCardinality(String),
    entity String,
    metric LowCardinality(String),
    value Float64,
    baseline Float64,
    delta Float64,
    evidence_sql String,
    evidence_params String,
    evidence_rows String,
    narrative_ru String,
    narrative_en String,
    narrator LowCardinality(String),
    prompt_version String,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(created_at)
ORDER BY (tenant_id, client_id, as_of, insight_id);

-- Every report build/send. Idempotent per (tenant, client, period, lang, version): a rerun replaces the row.
-- snapshot_json freezes the numbers that went out; marts_state_json records the marts' state at that time.
CREATE TABLE IF NOT EXISTS app.report_runs
(
    tenant_id LowCardinality(String),
    client_id String,
    period_kind LowCardinality(String),
    date_from Date,
    date_to Date,
    lang LowCardinality(String),
    version String,
    run_id String,
    include_vat UInt8,
    include_commission UInt8,
    status LowCardinality(String),
    files Array(String),
    content_hash String,
    snapshot_json String,
    marts_state_json String,
    recipients Array(String) DEFAULT [],
    sent_at Nullable(DateTime64(3, 'UTC')),
    error String DEFAULT '',
    build_seconds Float64 DEFAULT 0,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, client_id, period_kind, date_from, date_to, lang, version);

-- Knowledge-base documents; doc_id is a content hash, so re-ingesting an unchanged file is a no-op.
CREATE TABLE IF NOT EXISTS app.kb_documents
(
    tenant_id LowCardinality(String),
    doc_id String,
    source_path String,
    title String,
    doc_type LowCardinality(String),
    language LowCardinality(String),
    meta_json String,
    repair_json String,
    n_chunks UInt32,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(ingested_at)
ORDER BY (tenant_id, source_path, doc_id);

-- Chunks with embeddings of the offline hashed embedder (1024 dims, L2-normalised).
CREATE TABLE IF NOT EXISTS app.kb_chunks
(
    tenant_id LowCardinality(String),
    chunk_id String,
    doc_id String,
    source_path String,
    title String,
    heading String,
    line_start UInt32,
    line_end UInt32,
    text String,
    embedder LowCardinality(String),
    embedding Array(Float32),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX emb_idx embedding TYPE vector_similarity('hnsw', 'cosineDistance', 1024) GRANULARITY 100000000
)
ENGINE = ReplacingMergeTree(ingested_at)
ORDER BY (tenant_id, source_path, chunk_id);
