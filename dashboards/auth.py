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
from typing import Any

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
        raise ValueError(f"invalid {kind}: {value!r} (allowed: letters, digits, _ . : @ + -, up to 128) / "
                         f"недопустимый {kind}")
    return value


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    if not password or len(password) < 8:
        raise AuthError("password must have at least 8 characters / пароль должен быть не короче 8 символов")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, hash_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r),
                                p=int(p), dklen=len(hash_hex) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), hash_hex)


def add_user(ch: Any, *, tenant_id: str, login: str, role: str, password: str | None, client_id: str = "",
             display_name: str = "", auth_source: str = "local") -> Principal:
    """Create or replace a user. A `client` must name an existing client of the tenant; other roles must not."""
    check_id("tenant", tenant_id)
    check_id("login", login)
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r}; roles: {', '.join(ROLES)} / неизвестная роль")
    if role == "client":
        if not client_id:
            raise AuthError("role 'client' needs --client / для роли client нужен --client")
        check_id("client", client_id)
        found = ch.query("SELECT count() FROM app.clients FINAL WHERE tenant_id = {t:String} AND client_id = {c:String}",
                         parameters={"t": tenant_id, "c": client_id}).result_rows[0][0]
        if not found:
            raise AuthError(f"client {client_id!r} does not exist in tenant {tenant_id!r} / клиент не найден")
    elif client_id:
        raise AuthError(f"only role 'client' is bound to a client, not {role!r} / только роль client "
                        "привязывается к клиенту")
    taken = ch.query("SELECT tenant_id FROM app.users FINAL WHERE login = {l:String} AND is_active = 1",
                     parameters={"l": login}).result_rows
    if taken and taken[0][0] != tenant_id:
        # Logins are global (the form has no tenant field), so one login can never move between tenants silently.
        raise AuthError(f"login {login!r} belongs to another tenant / логин занят другим арендатором")
    if auth_source == "local":
        pw_hash = hash_password(password or "")
    elif auth_source == "oidc":
        pw_hash = ""
    else:
        raise AuthError(f"unknown auth source {auth_source!r}")
    ch.insert("app.users", [[tenant_id, login, display_name or login, role, client_id, pw_hash, auth_source, 1,
                             dt.datetime.now(dt.UTC)]],
              column_names=["tenant_id", "login", "display_name", "role", "client_id", "password_hash",
                            "auth_source", "is_active", "updated_at"])
    return Principal(tenant_id, login, role, client_id, display_name or login)


def list_users(ch: Any, tenant_id: str | None = None) -> list[dict[str, Any]]:
    res = ch.query(
        "SELECT tenant_id, login, display_name, role, client_id, auth_source, is_active, updated_at "
        "FROM app.users FINAL WHERE ({t:String} = '' OR tenant_id = {t:String}) ORDER BY tenant_id, login",
        parameters={"t": tenant_id or ""})
    return [dict(zip(res.column_names, r, strict=True)) for r in res.result_rows]


def _load(ch: Any, login: str) -> tuple[Any, ...] | None:
    rows = ch.query(
        "SELECT tenant_id, login, role, client_id, display_name, password_hash, auth_source "
        "FROM app.users FINAL WHERE login = {l:String} AND is_active = 1",
        parameters={"l": login}).result_rows
    return rows[0] if rows else None


# A hash of a random password: unknown logins cost the same scrypt time, so timing does not reveal them.
_DUMMY_HASH = hash_password(secrets.token_hex(8))


def authenticate(ch: Any, login: str, password: str) -> Principal:
    """A local log-in; every failure gets the same message so it does not reveal which logins exist."""
    fail = AuthError("wrong login or password / неверный логин или пароль")
    try:
        check_id("login", login)
    except ValueError:
        raise fail from None
    row = _load(ch, login)
    if row is None or row[6] != "local":
        verify_password(password, _DUMMY_HASH)
        audit(ch, "", login, "login", "failed")
        raise fail
    tenant_id, login, role, client_id, name, pw_hash, _ = row
    if not verify_password(password, pw_hash):
        audit(ch, tenant_id, login, "login", "failed")
        raise fail
    audit(ch, tenant_id, login, "login", "ok")
    return Principal(tenant_id, login, role, client_id, name)


def principal_from_oidc(ch: Any, claims: Mapping[str, Any], *, now: float | None = None) -> Principal:
    """Map an OIDC identity (st.user) to an app user; expired tokens and unknown e-mails are refused.

    st.login keeps the identity cookie after the ID token's `exp`, so the expiry is checked here on every run.
    """
    now = time.time() if now is None else now
    exp = claims.get("exp")
    if exp is None:
        raise AuthError("identity token has no expiry (exp) / в токене нет срока действия")
    try:
        expired = float(exp) <= now
    except (TypeError, ValueError):
        raise AuthError("identity token expiry is not a number / неверный срок действия токена") from None
    if expired:
        raise AuthError("session expired, sign in again / сессия истекла, войдите снова")
    email = str(claims.get("email") or "")
    if not email or claims.get("email_verified") is False:
        raise AuthError("identity has no verified e-mail / у учётной записи нет подтверждённого e-mail")
    row = _load(ch, email)
    if row is None or row[6] != "oidc":
        audit(ch, "", email, "login_oidc", "failed")
        raise AuthError(f"{email} has no access to this app; ask an admin (`mrm users add`) / нет доступа")
    tenant_id, login, role, client_id, name, _, _ = row
    return Principal(tenant_id, login, role, client_id, name or str(claims.get("name") or login))


def audit(ch: Any, tenant_id: str, login: str, action: str, outcome: str, target: str = "", detail: str = "") -> None:
    """Best effort: an audit write failure must not lock users out, but it is never silent in the server log."""
    try:
        ch.insert("app.audit_log", [[tenant_id, login[:200], action, target[:500], outcome, detail[:2000]]],
                  column_names=["tenant_id", "login", "action", "target", "outcome", "detail"])
    except Exception:  # noqa: BLE001 - reported, not raised
        import logging

        logging.getLogger("mrm.dashboards").exception("audit write failed: %s %s %s", login, action, outcome)
