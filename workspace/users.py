"""User lifecycle beyond `add`: suspend, reactivate, reset a password — admin actions, checked and audited.

A suspended user cannot sign in (auth reads only active users), and the app's per-rerun check
(`dashboards.auth.refresh_principal`) signs an open session out at its next rerun.
"""

from __future__ import annotations

from typing import Any

from dashboards.auth import AuthError, Principal, audit, check_id, hash_password
from warehouse.rows import one_row
from workspace.access import require


def _user(ch: Any, tenant_id: str, login: str) -> tuple[Any, ...]:
    check_id("login", login)
    return one_row(
        ch,
        "SELECT login, role, auth_source, is_active FROM app.users FINAL "
        "WHERE tenant_id = {t:String} AND login = {l:String}",
        {"t": tenant_id, "l": login},
        LookupError(f"user {login!r} not found in tenant {tenant_id!r} / пользователь не найден"),
    )


def _rewrite(ch: Any, tenant_id: str, login: str, replace_sql: str, params: dict[str, Any]) -> None:
    # Copy the current row server-side with a few columns replaced, so columns other engineers add to app.users
    # survive. replace_sql is a constant of this module; values are bound. The filter is in a subquery because an
    # outer alias (`0 AS is_active`) would shadow the column in WHERE.
    ch.command(
        f"INSERT INTO app.users SELECT * REPLACE ({replace_sql}, now64(3) AS updated_at) "  # noqa: S608
        "FROM (SELECT * FROM app.users FINAL WHERE tenant_id = {t:String} AND login = {l:String})",
        parameters={"t": tenant_id, "l": login, **params},
    )


def set_active(ch: Any, actor: Principal, login: str, active: bool) -> bool:
    """Suspend (active=False) or reactivate a user of the actor's tenant; returns whether anything changed."""
    action = "user_reactivate" if active else "user_suspend"
    require(ch, actor, "manage_users", target=login)
    _, _, _, is_active = _user(ch, actor.tenant_id, login)
    if not active and login == actor.login:
        raise AuthError("you cannot suspend yourself / нельзя заблокировать самого себя")
    if bool(is_active) == active:
        return False
    if active:
        taken = ch.query(
            "SELECT count() FROM app.users FINAL WHERE login = {l:String} AND is_active = 1 "
            "AND tenant_id != {t:String}",
            parameters={"l": login, "t": actor.tenant_id},
        ).result_rows
        if taken[0][0]:
            raise AuthError(f"login {login!r} is now used by another tenant / логин занят другим арендатором")
    _rewrite(ch, actor.tenant_id, login, "{a:UInt8} AS is_active", {"a": int(active)})
    audit(ch, actor.tenant_id, actor.login, action, "ok", target=login)
    return True


def reset_password(ch: Any, actor: Principal, login: str, new_password: str) -> None:
    """Set a new password for a local user (the admin hands it over; the user should change it)."""
    require(ch, actor, "manage_users", target=login)
    _, _, source, _ = _user(ch, actor.tenant_id, login)
    if source != "local":
        raise AuthError(
            f"{login!r} signs in through the identity provider; no password to reset / "
            "пользователь входит через провайдера, пароля нет"
        )
    _rewrite(ch, actor.tenant_id, login, "{h:String} AS password_hash", {"h": hash_password(new_password)})
    audit(ch, actor.tenant_id, actor.login, "user_reset_password", "ok", target=login)
