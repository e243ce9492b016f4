-- Invitations by e-mail (issue 13): an admin invites a person with a role (and, for staff, the clients they will
-- serve); the e-mail carries a one-time link whose token is kept here only as its SHA-256 (the link is the secret).
-- Valid through `expires_on` (the platform's today, mrm/clock); a revoked or accepted invitation is a newer row.
CREATE TABLE IF NOT EXISTS app.invitations
(
    tenant_id LowCardinality(String),
    token_sha256 String,
    email String,
    role LowCardinality(String),
    -- role 'client': the one client; staff: the assigned clients ([] with all_clients = 1 means every client)
    client_id String DEFAULT '',
    all_clients UInt8 DEFAULT 1,
    client_ids Array(String) DEFAULT [],
    invited_by String,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3),
    expires_on Date,
    -- '' pending | 'accepted' | 'revoked'
    state LowCardinality(String) DEFAULT '',
    accepted_login String DEFAULT '',
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY token_sha256;

-- Single use: accepting inserts a claim with the insert deduplication token "<sha256>/<generation>", so of two
-- browsers racing on one link the server keeps exactly one claim (the other insert is dropped as a duplicate) and
-- only its owner creates the account. A claim released after a failed sign-up (released = 1) opens the next
-- generation, so the link can be used again.
CREATE TABLE IF NOT EXISTS app.invitation_claims
(
    token_sha256 String,
    generation UInt32,
    claim_id String,
    released UInt8 DEFAULT 0,
    at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (token_sha256, generation)
SETTINGS non_replicated_deduplication_window = 100000;

-- Own profile: the client a person's session opens on (one they may see; '' = the first one).
ALTER TABLE app.users ADD COLUMN IF NOT EXISTS default_client String DEFAULT '';
