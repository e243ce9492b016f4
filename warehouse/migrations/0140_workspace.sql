-- Agency workspace (issue 13): client master data, per-user client scope, encrypted ad-account credentials.

-- Client master data beyond name/currency/commission/recipients/language (0001).
ALTER TABLE app.clients ADD COLUMN IF NOT EXISTS legal_name String DEFAULT '';
ALTER TABLE app.clients ADD COLUMN IF NOT EXISTS inn String DEFAULT '';
-- How the client's budgets and reports treat VAT: included | excluded | exempt (simplified taxation, no VAT).
ALTER TABLE app.clients ADD COLUMN IF NOT EXISTS vat_mode LowCardinality(String) DEFAULT 'included';
ALTER TABLE app.clients ADD COLUMN IF NOT EXISTS timezone LowCardinality(String) DEFAULT 'Europe/Moscow';
ALTER TABLE app.clients ADD COLUMN IF NOT EXISTS updated_by String DEFAULT '';

-- Which clients a staff user may see. No row = all clients of the tenant (the behaviour before assignments);
-- all_clients = 0 limits the user to client_ids. One row per user, so a change is one atomic insert.
CREATE TABLE IF NOT EXISTS app.user_client_scope
(
    tenant_id LowCardinality(String),
    login String,
    all_clients UInt8 DEFAULT 1,
    client_ids Array(String) DEFAULT [],
    updated_by String DEFAULT '',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, login);

-- Ad-account credentials, AES-GCM encrypted with a key derived from MRM_SECRET_KEY (workspace/credentials.py).
-- `ciphertext` is base64(nonce || ciphertext+tag); the associated data binds it to (tenant, platform, account, kind),
-- so a row copied onto another account does not decrypt. key_id names the key without revealing it.
CREATE TABLE IF NOT EXISTS app.account_credentials
(
    tenant_id LowCardinality(String),
    platform LowCardinality(String),
    account_id String,
    kind LowCardinality(String),
    ciphertext String,
    key_id String,
    is_deleted UInt8 DEFAULT 0,
    updated_by String DEFAULT '',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, platform, account_id, kind);
