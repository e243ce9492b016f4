-- Sign-in hardening (issue 21 finding 5).
-- OIDC users are keyed by the token's issuer + subject: the e-mail can change at the identity provider (or be
-- reassigned to someone else), the subject cannot. Both stay '' until the user's first verified sign-in binds them.
ALTER TABLE app.users ADD COLUMN IF NOT EXISTS oidc_issuer String DEFAULT '';
ALTER TABLE app.users ADD COLUMN IF NOT EXISTS oidc_subject String DEFAULT '';

-- Every password check (ok or failed), per login and per client address: the throttle reads it, so it holds
-- across all app processes that share the warehouse. Rows older than a day never matter to the backoff.
CREATE TABLE IF NOT EXISTS app.login_attempts
(
    kind LowCardinality(String),
    key String,
    ok UInt8,
    at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (kind, key, at)
TTL toDateTime(at) + INTERVAL 1 DAY;
