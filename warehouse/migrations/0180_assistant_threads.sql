-- Assistant conversations (issue 16): threads per user, their turns, and feedback on answers.
-- Every table carries tenant_id and the user's login; deleting a thread deletes its rows (not a flag).

-- One row per thread; a new turn re-inserts the row with a later updated_at (the newest version wins).
CREATE TABLE IF NOT EXISTS app.assistant_threads
(
    tenant_id LowCardinality(String),
    login String,
    thread_id String,
    agent LowCardinality(String),
    client_id String DEFAULT '',
    title String,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, login, thread_id);

-- One row per turn: the question, the answer, the understood query (slots, for follow-ups), tool calls, numbers.
CREATE TABLE IF NOT EXISTS app.assistant_messages
(
    tenant_id LowCardinality(String),
    login String,
    thread_id String,
    message_id String,
    seq UInt32,
    agent LowCardinality(String),
    client_id String DEFAULT '',
    question String,
    answer String,
    slots_json String DEFAULT '{}',
    tool_calls_json String DEFAULT '[]',
    numbers_json String DEFAULT '[]',
    provider LowCardinality(String) DEFAULT '',
    latency_ms UInt32 DEFAULT 0,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (tenant_id, login, thread_id, seq);

-- Thumbs up/down and a comment on one answer, stored with what was asked and answered (an evaluation case).
CREATE TABLE IF NOT EXISTS app.assistant_feedback
(
    tenant_id LowCardinality(String),
    login String,
    message_id String,
    thread_id String,
    agent LowCardinality(String),
    client_id String DEFAULT '',
    rating Int8,
    comment String DEFAULT '',
    question String,
    answer String,
    tool_calls_json String DEFAULT '[]',
    numbers_json String DEFAULT '[]',
    created_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(created_at)
ORDER BY (tenant_id, login, message_id);
