"""Per-user API keys: `mrm_<key id>_<secret>`, shown once, stored as a SHA-256 of the secret.

A key acts as its user: one query reads the key, its user (role, client, active flag), the user's client
assignments and the clients of the tenant they allow, so the API sees what that user sees in the app. The answer
is kept per key for `MRM_API_KEY_CACHE_S` seconds (default 5, 0 turns the cache off): a key revoked through
`revoke` in this process stops at once, an expired key stops at its expiry, and `forget_user` drops a user's keys
after a suspension or a change of assignments made here. Changes made by another process (the app, the CLI)
reach this one within those seconds. Scope `read` may only read; `write` may also change things.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dashboards.auth import audit, check_id
from metrics.service import ScopedPrincipal
from mrm.i18n import refusal
from warehouse.rows import one_row

_KEY_RE = re.compile(r"^mrm_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
SCOPES = ("read", "write")


class KeyError_(PermissionError):
    """The key is missing, malformed, unknown, expired or revoked (one message, so keys cannot be probed)."""


@dataclass(frozen=True)
class KeyPrincipal:
    principal: ScopedPrincipal
    key_id: str
    scope: str
    digest: str
    expires_at: dt.datetime | None


class PrincipalCache:
    """Resolved keys for `ttl` seconds of `clock`; the secret is checked against the stored digest on every hit."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._items: dict[str, tuple[float, KeyPrincipal]] = {}
        self._lock = threading.Lock()
        self.generation = 0  # moves on every forget, so a read that began before one is not kept

    def get(self, key_id: str) -> KeyPrincipal | None:
        with self._lock:
            item = self._items.get(key_id)
            if item is None:
                return None
            if self.clock() - item[0] >= self.ttl:
                del self._items[key_id]
                return None
            return item[1]

    def put(self, kp: KeyPrincipal, generation: int) -> None:
        """Keep `kp`, read when the cache was at `generation`, unless something was forgotten since."""
        if self.ttl > 0:
            with self._lock:
                if generation == self.generation:
                    self._items[kp.key_id] = (self.clock(), kp)

    def forget(
        self, *, key_id: str | None = None, tenant_id: str | None = None, login: str | None = None
    ) -> None:
        """Drop one key, every key of a user (tenant_id and login), every key of a tenant, or (no argument) all."""
        with self._lock:
            self.generation += 1
            for k, (_, kp) in list(self._items.items()):
                p = kp.principal
                if (
                    (key_id is None or k == key_id)
                    and (tenant_id is None or p.tenant_id == tenant_id)
                    and (login is None or p.login == login)
                ):
                    del self._items[k]


CACHE = PrincipalCache(float(os.environ.get("MRM_API_KEY_CACHE_S", "5")))


def forget_user(tenant_id: str, login: str | None = None) -> None:
    """Make this process re-read a user's keys (or a whole tenant's) on their next request."""
    CACHE.forget(tenant_id=tenant_id, login=login)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(
    ch: Any, *, tenant_id: str, login: str, scope: str = "read", expires_days: int | None = None
) -> str:
    """A new key for an active user of `tenant_id`; the plaintext is returned once and never stored."""
    if scope not in SCOPES:
        raise refusal(ValueError, "api_bad_scope", scopes=", ".join(SCOPES))
    check_id("tenant", tenant_id)
    check_id("login", login)
    found = ch.query(
        "SELECT count() FROM app.users FINAL WHERE tenant_id = {t:String} AND login = {l:String} "
        "AND is_active = 1",
        parameters={"t": tenant_id, "l": login},
    ).result_rows[0][0]
    if not found:
        raise refusal(ValueError, "api_no_active_user", login=repr(login), tenant=repr(tenant_id))
    if expires_days is not None and not 1 <= expires_days <= 3650:
        raise refusal(ValueError, "api_bad_expiry", lo=1, hi=3650)
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
        refusal(ValueError, "api_no_key", key=repr(key_id), tenant=repr(tenant_id)),
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
    CACHE.forget(key_id=key_id)
    audit(ch, tenant_id, row[2], "api_key_revoke", "ok", target=key_id)


# The key, its user, the user's assignments and the tenant's active clients, in one round trip. Each part reads
# only the key's own tenant and user (found by the key id), never every tenant's rows.
_RESOLVE_SQL = """
WITH own AS (SELECT tenant_id, login FROM app.api_keys FINAL WHERE key_id = {k:String})
SELECT k.tenant_id, k.login, k.scope, k.secret_sha256, k.expires_at, k.revoked_at,
       u.role, u.client_id, u.display_name, u.is_active,
       s.login != '' AS assigned, s.all_clients, s.client_ids,
       c.client_id, c.name, c.currency
FROM (SELECT * FROM app.api_keys FINAL WHERE key_id = {k:String}) AS k
INNER JOIN (
    SELECT tenant_id, login, role, client_id, display_name, is_active FROM app.users FINAL
    WHERE (tenant_id, login) IN own
) AS u ON u.login = k.login AND u.tenant_id = k.tenant_id
LEFT JOIN (
    SELECT tenant_id, login, all_clients, client_ids FROM app.user_client_scope FINAL
    WHERE (tenant_id, login) IN own
) AS s ON s.login = k.login AND s.tenant_id = k.tenant_id
LEFT JOIN (
    SELECT tenant_id, client_id, any(name) AS name, any(currency) AS currency FROM app.clients FINAL
    WHERE tenant_id IN (SELECT tenant_id FROM own) AND is_active = 1 GROUP BY tenant_id, client_id
) AS c ON c.tenant_id = k.tenant_id
ORDER BY c.name, c.client_id
"""


def resolve(ch: Any, key: str | None, cache: PrincipalCache | None = None) -> KeyPrincipal:
    """The principal a key stands for (from `cache` while fresh, else read now); KeyError_ otherwise."""
    cache = CACHE if cache is None else cache
    kp = from_cache(key, cache)
    if kp is None:
        key_id, secret = _parts(key)
        generation = cache.generation
        kp = _read(ch, key_id)
        if kp is None:
            raise _bad()
        cache.put(kp, generation)
        _check(kp, secret, cache)
    return kp


def from_cache(key: str | None, cache: PrincipalCache | None = None) -> KeyPrincipal | None:
    """The principal of a key resolved a moment ago (no warehouse needed), None when it must be read."""
    cache = CACHE if cache is None else cache
    key_id, secret = _parts(key)
    kp = cache.get(key_id)
    if kp is not None:
        _check(kp, secret, cache)
    return kp


def _bad() -> KeyError_:
    """The one refusal of any bad key (so keys cannot be probed)."""
    return refusal(KeyError_, "api_bad_key")


def _parts(key: str | None) -> tuple[str, str]:
    m = _KEY_RE.match(key or "")
    if not m:
        raise _bad()
    return m.group(1), m.group(2)


def _check(kp: KeyPrincipal, secret: str, cache: PrincipalCache) -> None:
    if not hmac.compare_digest(kp.digest, _digest(secret)):
        raise _bad()
    if kp.expires_at is not None and _aware(kp.expires_at) <= dt.datetime.now(dt.UTC):
        cache.forget(key_id=kp.key_id)
        raise _bad()


def _read(ch: Any, key_id: str) -> KeyPrincipal | None:
    """The key's principal with the clients it may read, or None for an unknown, revoked or suspended one."""
    rows = ch.query(_RESOLVE_SQL, parameters={"k": key_id}).result_rows
    if not rows:
        return None
    tenant, login, scope, digest, expires, revoked, role, own, name, active, assigned, every, ids = rows[0][
        :13
    ]
    if revoked is not None or not active:
        return None
    # The app's rule (workspace.access.allowed_clients): a client user reads its own client, an admin or a
    # staff user without assignments every client of the tenant, an assigned staff user only the listed ones.
    only: set[str] | None = None
    if role == "client":
        only = {own} if own else set()
    elif role != "admin" and assigned and not every:
        only = set(ids)
    readable = tuple(
        (r[13], r[14], r[15] or "RUB") for r in rows if r[13] and (only is None or r[13] in only)
    )
    return KeyPrincipal(
        ScopedPrincipal(tenant, login, role, own, name, readable=readable), key_id, scope, digest, expires
    )


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)
