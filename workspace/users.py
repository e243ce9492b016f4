"""User lifecycle beyond `add`: suspend, reactivate, reset a password — admin actions, checked and audited —
and every user's own profile: password (the current one required), display name, language and default client.

A suspended user cannot sign in (auth reads only active users), and the app's per-rerun check
(`dashboards.auth.refresh_principal`) signs an open session out at its next rerun.
"""

from __future__ import annotations

from typing import Any

from dashboards.auth import (
    AuthError,
    Principal,
    Throttled,
    audit,
    check_id,
    check_throttle,
    hash_password,
    record_attempt,
    verify_password,
)
from dashboards.i18n import LANGS
from mrm.i18n import refusal
from warehouse.rows import one_row
from workspace.access import allowed_clients, require


def _user(ch: Any, tenant_id: str, login: str) -> tuple[Any, ...]:
    check_id("login", login)
    return one_row(
        ch,
        "SELECT login, role, auth_source, is_active FROM app.users FINAL "
        "WHERE tenant_id = {t:String} AND login = {l:String}",
        {"t": tenant_id, "l": login},
        refusal(LookupError, "ws_user_not_in_tenant", login=repr(login), tenant=repr(tenant_id)),
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
        raise refusal(AuthError, "ws_user_self_suspend")
    if bool(is_active) == active:
        return False
    if active:
        taken = ch.query(
            "SELECT count() FROM app.users FINAL WHERE login = {l:String} AND is_active = 1 "
            "AND tenant_id != {t:String}",
            parameters={"l": login, "t": actor.tenant_id},
        ).result_rows
        if taken[0][0]:
            raise refusal(AuthError, "ws_user_login_elsewhere", login=repr(login))
    _rewrite(ch, actor.tenant_id, login, "{a:UInt8} AS is_active", {"a": int(active)})
    audit(ch, actor.tenant_id, actor.login, action, "ok", target=login)
    return True


def reset_password(ch: Any, actor: Principal, login: str, new_password: str) -> None:
    """Set a new password for a local user (the admin hands it over; the user should change it)."""
    require(ch, actor, "manage_users", target=login)
    _, _, source, _ = _user(ch, actor.tenant_id, login)
    if source != "local":
        raise refusal(AuthError, "ws_user_idp_reset", login=repr(login))
    _rewrite(ch, actor.tenant_id, login, "{h:String} AS password_hash", {"h": hash_password(new_password)})
    audit(ch, actor.tenant_id, actor.login, "user_reset_password", "ok", target=login)


# ---------------------------------------------------------------- own profile (every signed-in user)


def set_language(ch: Any, p: Principal, language: str) -> None:
    """The person's language (app.user_settings, which the plan e-mails also read)."""
    from planning.notify import remember_language

    remember_language(ch, p, language)


def profile(ch: Any, p: Principal) -> dict[str, str]:
    """display_name, language ('' until chosen), default_client ('' = the first client) and auth_source."""
    name, default_client, source = one_row(
        ch,
        "SELECT display_name, default_client, auth_source FROM app.users FINAL "
        "WHERE tenant_id = {t:String} AND login = {l:String} AND is_active = 1",
        {"t": p.tenant_id, "l": p.login},
        refusal(LookupError, "ws_user_not_found", login=repr(p.login)),
    )
    lang = ch.query(
        "SELECT language FROM app.user_settings FINAL WHERE tenant_id = {t:String} AND login = {l:String}",
        parameters={"t": p.tenant_id, "l": p.login},
    ).result_rows
    return {
        "display_name": str(name),
        "language": str(lang[0][0]) if lang else "",
        "default_client": str(default_client),
        "auth_source": str(source),
    }


def visible_clients(ch: Any, p: Principal) -> list[str]:
    """Active clients of p's tenant that p may see (what a default client can be chosen from)."""
    scope = allowed_clients(ch, p)
    rows = ch.query(
        "SELECT client_id FROM app.clients FINAL WHERE tenant_id = {t:String} AND is_active = 1 ORDER BY client_id",
        parameters={"t": p.tenant_id},
    ).result_rows
    return [r[0] for r in rows if scope is None or r[0] in scope]


def update_profile(
    ch: Any, p: Principal, *, display_name: str, language: str, default_client: str = ""
) -> None:
    """Change one's own display name, language and default client (one of the clients one may see, or '')."""
    name = display_name.strip()
    if not name or len(name) > 200:
        raise refusal(ValueError, "ws_name_length", field="display_name")
    if language not in LANGS:
        raise refusal(ValueError, "ws_one_of", field="language", allowed=", ".join(LANGS))
    if default_client and default_client not in visible_clients(ch, p):
        raise refusal(
            ValueError, "ws_user_client_hidden", field="default_client", client=repr(default_client)
        )
    _user(ch, p.tenant_id, p.login)
    _rewrite(
        ch,
        p.tenant_id,
        p.login,
        "{n:String} AS display_name, {c:String} AS default_client",
        {"n": name, "c": default_client},
    )
    set_language(ch, p, language)
    audit(ch, p.tenant_id, p.login, "profile_update", "ok", target=p.login)


def change_password(ch: Any, p: Principal, current: str, new: str, *, address: str = "") -> None:
    """Change one's own password: the current one is required (checked and throttled like a sign-in)."""
    fail = refusal(AuthError, "ws_wrong_password", field="current_password")
    rows = ch.query(
        "SELECT password_hash, auth_source FROM app.users FINAL "
        "WHERE tenant_id = {t:String} AND login = {l:String} AND is_active = 1",
        parameters={"t": p.tenant_id, "l": p.login},
    ).result_rows
    if not rows or rows[0][1] != "local":
        raise refusal(AuthError, "ws_user_idp_password")
    try:
        check_throttle(ch, p.login, address)
    except Throttled:
        audit(ch, p.tenant_id, p.login, "password_change", "throttled", detail=address)
        raise
    if not verify_password(current or "", rows[0][0]):
        record_attempt(ch, p.login, address, False)
        audit(ch, p.tenant_id, p.login, "password_change", "failed", detail=address)
        raise fail
    record_attempt(ch, p.login, address, True)
    if new == current:
        raise refusal(AuthError, "ws_password_same", field="new_password")
    _rewrite(ch, p.tenant_id, p.login, "{h:String} AS password_hash", {"h": hash_password(new)})
    audit(ch, p.tenant_id, p.login, "password_change", "ok", target=p.login)


def sign_in_preferences(ch: Any, p: Principal) -> tuple[str, str]:
    """(language, default client) to open a new session with; '' where the person has chosen none, and the
    default client only while they may still see it."""
    prefs = profile(ch, p)
    client = prefs["default_client"]
    if client and client not in visible_clients(ch, p):
        client = ""
    return prefs["language"], client
