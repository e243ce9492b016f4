"""Per-user API keys: `mrm_<key id>_<secret>`, shown once, stored as a SHA-256 of the secret.

A key acts as its user: every request re-reads the user, so a suspended user or a changed role or client
takes effect at once, exactly as in the app. Scope `read` may only read; `write` may also change things.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from dashboards.auth import Principal, audit, check_id
from warehouse.rows import one_row

_KEY_RE = re.compile(r"^mrm_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
SCOPES = ("read", "write")


class KeyError_(PermissionError):
    """The key is missing, malformed, unknown, expired or revoked (one message, so keys cannot be probed)."""


@dataclass(frozen=True)
class KeyPrincipal:
    principal: Principal
    key_id: str
    scope: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(
    ch: Any, *, tenant_id: str, login: str, scope: str = "read", expires_days: int | None = None
) -> str:
    """A new key for an active user of `tenant_id`; the plaintext is returned once and never stored."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)} / неизвестная область ключа")
    check_id("tenant", tenant_id)
    check_id("login", login)
    found = ch.query(
        "SELECT count() FROM app.users FINAL WHERE tenant_id = {t:String} AND login = {l:String} "
        "AND is_active = 1",
        parameters={"t": tenant_id, "l": login},
    ).result_rows[0][0]
    if not found:
        raise ValueError(
            f"no active user {login!r} in tenant {tenant_id!r} / нет такого активного пользователя"
        )
    if expires_days is not None and not 1 <= expires_days <= 3650:
        raise ValueError("expires must be 1..3650 days / срок действия 1..3650 дней")
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_days)) if expires_days else None
    ch.insert(
        "app.api_keys",
        [[tenant_id, key_id, login, scope, _digest(secret), expires]],
        column_names=["tenant_id", "key_id", "login", "scope", "secret_sha256", "expires_at"],
    )
    audit(ch, tenant_id, login, "api_key_create", "ok", target=key_id)
    return f"mrm_{key_id}_{secret}"


def list_keys(ch: Any, tenant_id: str) -> list[dict[str, Any]]:
    res = ch.query(
        "SELECT key_id, login, scope, created_at, expires_at, revoked_at FROM app.api_keys FINAL "
        "WHERE tenant_id = {t:String} ORDER BY created_at",
        parameters={"t": tenant_id},
    )
    return [dict(zip(res.column_names, r, strict=True)) for r in res.result_rows]


def revoke(ch: Any, tenant_id: str, key_id: str) -> None:
    row = one_row(
        ch,
        "SELECT tenant_id, key_id, login, scope, secret_sha256, created_at, expires_at "
        "FROM app.api_keys FINAL WHERE tenant_id = {t:String} AND key_id = {k:String}",
        {"t": tenant_id, "k": key_id},
        ValueError(f"no key {key_id!r} in tenant {tenant_id!r} / ключ не найден"),
    )
    ch.insert(
        "app.api_keys",
        [[*row, dt.datetime.now(dt.UTC)]],
        column_names=[
            "tenant_id",
            "key_id",
            "login",
            "scope",
            "secret_sha256",
            "created_at",
            "expires_at",
            "revoked_at",
        ],
    )
    audit(ch, tenant_id, row[2], "api_key_revoke", "ok", target=key_id)


def resolve(ch: Any, key: str | None) -> KeyPrincipal:
    """The principal a key stands for, re-reading the user now; KeyError_ otherwise."""
    bad = KeyError_("invalid, expired or revoked API key / недействительный ключ API")
    m = _KEY_RE.match(key or "")
    if not m:
        raise bad
    key_id, secret = m.groups()
    rows = ch.query(
        "SELECT k.tenant_id, k.login, k.scope, k.secret_sha256, k.expires_at, k.revoked_at, u.role, u.client_id, "
        "u.display_name, u.is_active FROM (SELECT * FROM app.api_keys FINAL WHERE key_id = {k:String}) AS k "
        "INNER JOIN (SELECT tenant_id, login, role, client_id, display_name, is_active FROM app.users FINAL "
        # The key's own user only: joining every user of every tenant made this the costliest query of a request.
        "WHERE (tenant_id, login) IN (SELECT tenant_id, login FROM app.api_keys FINAL WHERE key_id = {k:String})) "
        "AS u ON u.login = k.login AND u.tenant_id = k.tenant_id",
        parameters={"k": key_id},
    ).result_rows
    if not rows:
        raise bad
    tenant, login, scope, digest, expires, revoked, role, client_id, name, active = rows[0]
    if not hmac.compare_digest(digest, _digest(secret)):
        raise bad
    now = dt.datetime.now(dt.UTC)
    if revoked is not None or not active or (expires is not None and _aware(expires) <= now):
        raise bad
    return KeyPrincipal(Principal(tenant, login, role, client_id, name), key_id, scope)


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)
