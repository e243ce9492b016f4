"""Persistent sign-in: a signed, expiring cookie that brings a user back after a reload, in a new tab or a link.

The cookie holds tenant, login, issue and expiry times, signed with HMAC-SHA256 under a key derived from the
app's secret (MRM_SECRET_KEY; without it sign-in lasts for the browser session only). A cookie is honoured only
while the user is still active (refresh_principal) and only if it was issued after the user's last sign-out,
so signing out ends every copy of it, even one the browser failed to delete. Nothing here imports Streamlit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import Mapping
from typing import Any

from dashboards.auth import Principal, check_id, refresh_principal
from mrm.i18n import refusal

COOKIE = "mrm_session"
KEY_ENV = "MRM_SECRET_KEY"
MIN_KEY_CHARS = 32
SIGN_OUT_ACTION = "logout"


def signing_key(env: Mapping[str, str] | None = None) -> bytes | None:
    """The cookie key, derived (not reused) from the app secret; None when no secret is configured."""
    material = (os.environ if env is None else env).get(KEY_ENV, "")
    if not material:
        return None
    if len(material) < MIN_KEY_CHARS:
        raise refusal(ValueError, "dash_cookie_key_short", var=KEY_ENV, n=MIN_KEY_CHARS)
    return hmac.new(material.encode("utf-8"), b"mrm-session-cookie-v1", hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(p: Principal, key: bytes, *, hours: float, now: float | None = None) -> str:
    """A cookie value for `p`, valid for `hours` from `now` (cookie-safe characters only)."""
    now = time.time() if now is None else now
    body = _b64(
        json.dumps(
            {"t": p.tenant_id, "l": p.login, "iat": int(now * 1000), "exp": int((now + hours * 3600) * 1000)},
            separators=(",", ":"),
        ).encode("utf-8")
    )
    return f"{body}.{_b64(hmac.new(key, body.encode('ascii'), hashlib.sha256).digest())}"


def read(token: str, key: bytes, *, now: float | None = None) -> tuple[str, str, int] | None:
    """(tenant, login, issued-at ms) of a genuine, unexpired cookie; None for anything else."""
    now = time.time() if now is None else now
    if not isinstance(token, str):  # a cookie jar may hand over anything (Streamlit's AppTest gives a mock)
        return None
    body, _, sig = token.partition(".")
    if not body or not sig or len(token) > 2048:
        return None
    expected = _b64(hmac.new(key, body.encode("ascii", "replace"), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, sig):
        return None
    try:
        claims = json.loads(_unb64(body))
        tenant, login = check_id("tenant", claims["t"]), check_id("login", claims["l"])
        iat, exp = int(claims["iat"]), int(claims["exp"])
    except (ValueError, KeyError, TypeError):
        return None
    if exp <= now * 1000:
        return None
    return tenant, login, iat


def last_sign_out_ms(ch: Any, tenant_id: str, login: str) -> int:
    rows = ch.query(
        "SELECT toUnixTimestamp64Milli(max(at)) FROM app.audit_log "
        "WHERE tenant_id = {t:String} AND login = {l:String} AND action = {a:String}",
        parameters={"t": tenant_id, "l": login, "a": SIGN_OUT_ACTION},
    ).result_rows
    return int(rows[0][0] or 0) if rows else 0


def restore(ch: Any, token: str, key: bytes, *, now: float | None = None) -> tuple[Principal, float] | None:
    """The user a cookie stands for and its issue time (s), or None: forged, expired, signed out or suspended."""
    found = read(token, key, now=now)
    if found is None:
        return None
    tenant, login, iat = found
    if iat <= last_sign_out_ms(ch, tenant, login):
        return None
    p = refresh_principal(ch, Principal(tenant, login, "viewer"))
    return (p, iat / 1000) if p is not None else None


def sign_out(ch: Any, p: Principal) -> None:
    """Record the sign-out: every cookie issued to this user before now stops working.

    Written directly (not through the best-effort audit helper): a sign-out that was not recorded must fail loudly.
    """
    ch.insert(
        "app.audit_log",
        [[p.tenant_id, p.login, SIGN_OUT_ACTION, "", "ok", ""]],
        column_names=["tenant_id", "login", "action", "target", "outcome", "detail"],
    )
