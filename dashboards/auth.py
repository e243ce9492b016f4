"""App users and roles: salted scrypt password hashes in app.users, the role → permission matrix, OIDC checks.

Nothing here imports Streamlit, so the CLI, the demo and the tests use the same code as the app.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mrm.i18n import carry, refusal, t

# Roles and the role x action matrix live in one table (workspace/permissions.py, rendered to docs/permissions.md).
from workspace.permissions import ROLES, allowed  # noqa: E402

# scrypt cost: 2**14 x 8 x 1 is ~50 ms and 16 MiB here — slow for guessing, fine for a log-in.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_ID_RE = re.compile(r"^[A-Za-z0-9_.:@+-]{1,128}$")


class AuthError(Exception):
    """Log-in failed or a user record is invalid; the message is safe to show."""


class AccessDenied(PermissionError):
    """The signed-in user may not see or do this (checked in the data layer, not only by hiding widgets)."""


@dataclass(frozen=True)
class Principal:
    """The signed-in user as every data function sees it; hashable so it can key caches."""

    tenant_id: str
    login: str
    role: str
    client_id: str = ""  # fixed for role `client`, '' otherwise
    display_name: str = ""

    @property
    def is_client(self) -> bool:
        return self.role == "client"

    def can(self, permission: str) -> bool:
        return allowed(self.role, permission)


def check_id(kind: str, value: str) -> str:
    """Identifiers (tenant, client, login, campaign…) are short and plain; anything else is rejected."""
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise refusal(ValueError, "dash_bad_id", kind=kind, value=repr(value))
    return value


MIN_PASSWORD = 8


def check_password(password: str) -> str:
    """The password rule every way of setting one applies (add, reset, invitation, own change): 8+ characters."""
    if not password or len(password) < MIN_PASSWORD:
        raise refusal(AuthError, "dash_password_short", n=MIN_PASSWORD)
    return password


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    check_password(password)
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, hash_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt_hex),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(hash_hex) // 2,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), hash_hex)


def add_user(
    ch: Any,
    *,
    tenant_id: str,
    login: str,
    role: str,
    password: str | None,
    client_id: str = "",
    display_name: str = "",
    auth_source: str = "local",
) -> Principal:
    """Create or replace a user. A `client` must name an existing client of the tenant; other roles must not."""
    check_id("tenant", tenant_id)
    check_id("login", login)
    if role not in ROLES:
        raise refusal(AuthError, "ws_unknown_role", role=repr(role), roles=", ".join(ROLES))
    if role == "client":
        if not client_id:
            raise refusal(AuthError, "dash_client_role_needs_client")
        check_id("client", client_id)
        found = ch.query(
            "SELECT count() FROM app.clients FINAL WHERE tenant_id = {t:String} AND client_id = {c:String}",
            parameters={"t": tenant_id, "c": client_id},
        ).result_rows[0][0]
        if not found:
            raise refusal(AuthError, "no_client_in_tenant", client=repr(client_id), tenant=repr(tenant_id))
    elif client_id:
        raise refusal(AuthError, "dash_only_client_role_bound", role=repr(role))
    taken = ch.query(
        "SELECT tenant_id FROM app.users FINAL WHERE login = {l:String} AND is_active = 1",
        parameters={"l": login},
    ).result_rows
    if taken and taken[0][0] != tenant_id:
        # Logins are global (the form has no tenant field), so one login can never move between tenants silently.
        raise refusal(AuthError, "dash_login_other_tenant", login=repr(login))
    if auth_source == "local":
        pw_hash = hash_password(password or "")
    elif auth_source == "oidc":
        pw_hash = ""
    else:
        raise AuthError(f"unknown auth source {auth_source!r}")
    ch.insert(
        "app.users",
        [
            [
                tenant_id,
                login,
                display_name or login,
                role,
                client_id,
                pw_hash,
                auth_source,
                1,
                dt.datetime.now(dt.UTC),
            ]
        ],
        column_names=[
            "tenant_id",
            "login",
            "display_name",
            "role",
            "client_id",
            "password_hash",
            "auth_source",
            "is_active",
            "updated_at",
        ],
    )
    return Principal(tenant_id, login, role, client_id, display_name or login)


def list_users(ch: Any, tenant_id: str | None = None) -> list[dict[str, Any]]:
    res = ch.query(
        "SELECT tenant_id, login, display_name, role, client_id, auth_source, is_active, updated_at "
        "FROM app.users FINAL WHERE ({t:String} = '' OR tenant_id = {t:String}) ORDER BY tenant_id, login",
        parameters={"t": tenant_id or ""},
    )
    return [dict(zip(res.column_names, r, strict=True)) for r in res.result_rows]


def _load(ch: Any, login: str) -> tuple[Any, ...] | None:
    rows = ch.query(
        "SELECT tenant_id, login, role, client_id, display_name, password_hash, auth_source "
        "FROM app.users FINAL WHERE login = {l:String} AND is_active = 1",
        parameters={"l": login},
    ).result_rows
    return rows[0] if rows else None


# A hash of a random password: unknown logins cost the same scrypt time, so timing does not reveal them.
_DUMMY_HASH = hash_password(secrets.token_hex(8))


# Throttling (issue 21 finding 5): failed password checks are counted per login and per client address in
# app.login_attempts, so every app process sharing the warehouse sees the same counts. Past a few free failures
# each further attempt must wait twice as long as the one before (capped); a throttled attempt runs no scrypt,
# so guessing can neither go fast nor burn the server's CPU. A success resets its login's count, never the
# address's (one valid account must not let an address keep guessing others).
LOGIN_FREE_FAILURES = 5
ADDRESS_FREE_FAILURES = 30
BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 900.0
THROTTLE_WINDOW_S = 3600.0


class Throttled(AuthError):
    """Too many failed sign-ins for this login or address: wait `retry_after` seconds (never says which key)."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        secs = max(1, int(retry_after + 0.999))
        super().__init__(t("dash_throttled", "en", secs=secs))
        carry(refusal(AuthError, "dash_throttled", secs=secs), self)


def backoff_s(failures: int, free: int) -> float:
    """Seconds to wait after the last failure: none for the first `free` failures, then doubling up to the cap."""
    if failures < free:
        return 0.0
    return float(min(BACKOFF_BASE_S * 2 ** min(failures - free, 30), BACKOFF_MAX_S))


def _attempt_keys(login: str, address: str) -> list[tuple[str, str]]:
    # No address (local development, tests, the CLI) means no address key; the login key always applies.
    return [("login", login)] + ([("address", address)] if address else [])


def check_throttle(ch: Any, login: str, address: str = "", *, now: float | None = None) -> None:
    """Raise Throttled if the login or the address must still wait; the query itself is bound and bounded."""
    now = time.time() if now is None else now
    since_ms = int((now - THROTTLE_WINDOW_S) * 1000)
    rows = ch.query(
        "SELECT kind, countIf(ok = 0 AND at > last_ok) AS fails, toUnixTimestamp64Milli(maxIf(at, ok = 0)) "
        "FROM (SELECT kind, ok, at, if(kind = 'login', max(if(ok = 1, at, fromUnixTimestamp64Milli(0, 'UTC'))) "
        "      OVER (PARTITION BY kind), fromUnixTimestamp64Milli(0, 'UTC')) AS last_ok "
        "      FROM app.login_attempts "
        "      WHERE ((kind = 'login' AND key = {l:String}) OR (kind = 'address' AND key = {a:String})) "
        "        AND at > fromUnixTimestamp64Milli({since:Int64}, 'UTC')) "
        "GROUP BY kind",
        parameters={"l": login, "a": address, "since": since_ms},
    ).result_rows
    wait = 0.0
    for kind, fails, last_fail_ms in rows:
        free = LOGIN_FREE_FAILURES if kind == "login" else ADDRESS_FREE_FAILURES
        wait = max(wait, last_fail_ms / 1000 + backoff_s(int(fails), free) - now)
    if wait > 0:
        raise Throttled(wait)


def record_attempt(ch: Any, login: str, address: str, ok: bool, *, now: float | None = None) -> None:
    at = dt.datetime.fromtimestamp(time.time() if now is None else now, dt.UTC)
    ch.insert(
        "app.login_attempts",
        [[kind, key, int(ok), at] for kind, key in _attempt_keys(login, address)],
        column_names=["kind", "key", "ok", "at"],
    )


def authenticate(
    ch: Any, login: str, password: str, *, address: str = "", now: float | None = None
) -> Principal:
    """A local log-in; every failure gets the same message so it does not reveal which logins exist.

    `address` is the client's network address (throttled like the login); `now` is injectable for tests.
    """
    fail = refusal(AuthError, "dash_wrong_login")
    try:
        check_id("login", login)
    except ValueError:
        raise fail from None
    try:
        check_throttle(ch, login, address, now=now)
    except Throttled:
        audit(ch, "", login, "login", "throttled", detail=address)
        raise
    row = _load(ch, login)
    if row is None or row[6] != "local":
        verify_password(password, _DUMMY_HASH)
        record_attempt(ch, login, address, False, now=now)
        audit(ch, "", login, "login", "failed", detail=address)
        raise fail
    tenant_id, login, role, client_id, name, pw_hash, _ = row
    if not verify_password(password, pw_hash):
        record_attempt(ch, login, address, False, now=now)
        audit(ch, tenant_id, login, "login", "failed", detail=address)
        raise fail
    record_attempt(ch, login, address, True, now=now)
    audit(ch, tenant_id, login, "login", "ok", detail=address)
    return Principal(tenant_id, login, role, client_id, name)


SESSION_ENDED = "dash_session_ended"  # the catalogue key of the notice the sign-in page shows


def refresh_principal(ch: Any, p: Principal) -> Principal | None:
    """The session's user as stored now: None once deactivated or removed, a changed role or client at once.

    Called on every rerun, so an admin's change needs no sign-out of the user (a session is never trusted for 12 h).
    """
    rows = ch.query(
        "SELECT role, client_id, display_name FROM app.users FINAL "
        "WHERE tenant_id = {t:String} AND login = {l:String} AND is_active = 1",
        parameters={"t": p.tenant_id, "l": p.login},
    ).result_rows
    if not rows:
        return None
    role, client_id, name = rows[0]
    if role not in ROLES:
        return None
    return Principal(p.tenant_id, p.login, role, client_id, name or p.display_name)


def oidc_issuer() -> str:
    """The one identity provider whose tokens are accepted (MRM_OIDC_ISSUER, the `iss` claim exactly)."""
    import os

    return os.environ.get("MRM_OIDC_ISSUER", "").strip()


_EXAMPLE_SECRETS = Path(__file__).resolve().parents[1] / ".streamlit" / "secrets.toml.example"
MIN_COOKIE_SECRET = 32


def check_oidc_secrets(section: Mapping[str, Any]) -> None:
    """Refuse the [auth] section when it still holds the example's placeholders or a short cookie secret.

    The cookie secret signs the identity cookie: with a published value anyone could forge a signed-in user.
    """
    placeholders: set[str] = set()
    if _EXAMPLE_SECRETS.is_file():
        import tomllib

        example = tomllib.loads(_EXAMPLE_SECRETS.read_text(encoding="utf-8")).get("auth", {})
        placeholders = {str(example.get(k)) for k in ("cookie_secret", "client_secret") if example.get(k)}
    for key in ("cookie_secret", "client_secret"):
        value = str(section.get(key) or "")
        if value in placeholders or "CHANGE-ME" in value.upper():
            raise refusal(AuthError, "dash_secret_placeholder", key=key)
    if len(str(section.get("cookie_secret") or "")) < MIN_COOKIE_SECRET:
        raise refusal(AuthError, "dash_cookie_secret_short", n=MIN_COOKIE_SECRET)


def principal_from_oidc(
    ch: Any, claims: Mapping[str, Any], *, issuer: str | None = None, now: float | None = None
) -> Principal:
    """Map an OIDC identity (st.user) to an app user by issuer + subject; unverified, foreign or expired refused.

    st.login keeps the identity cookie after the ID token's `exp`, so the expiry is checked here on every run. An
    admin creates the user by e-mail (`mrm users add --auth oidc`); the first sign-in with that e-mail *verified*
    binds the token's issuer and subject to it, and from then on only that subject signs in as that user (an
    e-mail changed or reassigned at the provider does not carry the account with it).
    """
    now = time.time() if now is None else now
    exp = claims.get("exp")
    if exp is None:
        raise refusal(AuthError, "dash_token_no_exp")
    try:
        expired = float(exp) <= now
    except (TypeError, ValueError):
        raise refusal(AuthError, "dash_token_bad_exp") from None
    if expired:
        raise refusal(AuthError, "dash_session_expired")
    email = str(claims.get("email") or "")
    if not email or claims.get("email_verified") is not True:
        raise refusal(AuthError, "dash_oidc_email_unverified")
    issuer = oidc_issuer() if issuer is None else issuer
    if not issuer:
        raise refusal(AuthError, "dash_oidc_not_configured")
    if claims.get("iss") != issuer:
        audit(ch, "", email, "login_oidc", "failed", detail=f"issuer {str(claims.get('iss'))[:200]!r}")
        raise refusal(AuthError, "dash_token_bad_issuer")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > 255:
        raise refusal(AuthError, "dash_token_no_sub")
    rows = ch.query(
        "SELECT tenant_id, login, role, client_id, display_name FROM app.users FINAL "
        "WHERE oidc_issuer = {i:String} AND oidc_subject = {s:String} AND auth_source = 'oidc' AND is_active = 1",
        parameters={"i": issuer, "s": sub},
    ).result_rows
    if not rows:
        rows = _bind_oidc(ch, email, issuer, sub)
    if not rows:
        audit(ch, "", email, "login_oidc", "failed")
        raise refusal(AuthError, "dash_oidc_no_user", email=email)
    tenant_id, login, role, client_id, name = rows[0]
    return Principal(tenant_id, login, role, client_id, name or str(claims.get("name") or login))


def _bind_oidc(ch: Any, email: str, issuer: str, sub: str) -> list[tuple[Any, ...]]:
    """First sign-in: the admin-created OIDC user with this e-mail and no subject yet takes the token's subject."""
    params = {"l": email, "i": issuer, "s": sub}
    # A new version of the same row (ReplacingMergeTree by updated_at) with every other column kept as it is.
    # The filter sits in a subquery: ClickHouse resolves WHERE names to SELECT aliases, so next to the REPLACE
    # `oidc_subject = ''` would test the new subject and match nothing. No unbound row: nothing is inserted.
    ch.command(
        "INSERT INTO app.users SELECT * REPLACE ({i:String} AS oidc_issuer, {s:String} AS oidc_subject, "
        "now64(3) AS updated_at) FROM (SELECT * FROM app.users FINAL WHERE login = {l:String} "
        "AND auth_source = 'oidc' AND is_active = 1 AND oidc_subject = '')",
        parameters=params,
    )
    rows = list(
        ch.query(
            "SELECT tenant_id, login, role, client_id, display_name FROM app.users FINAL "
            "WHERE login = {l:String} AND oidc_issuer = {i:String} AND oidc_subject = {s:String} AND is_active = 1",
            parameters=params,
        ).result_rows
    )
    if rows:
        audit(ch, rows[0][0], email, "login_oidc", "bound", detail=f"{issuer} {sub}"[:500])
    return rows


def audit(
    ch: Any, tenant_id: str, login: str, action: str, outcome: str, target: str = "", detail: str = ""
) -> None:
    """Best effort: an audit write failure must not lock users out, but it is never silent in the server log."""
    try:
        ch.insert(
            "app.audit_log",
            [[tenant_id, login[:200], action, target[:500], outcome, detail[:2000]]],
            column_names=["tenant_id", "login", "action", "target", "outcome", "detail"],
        )
    except Exception:  # noqa: BLE001 - reported, not raised
        import logging

        logging.getLogger("mrm.dashboards").exception("audit write failed: %s %s %s", login, action, outcome)
