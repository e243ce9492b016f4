"""Checks that raise: role x action (workspace.permissions) and which clients a user may see.

Every workspace function and the app's data layer call these; the CLI acts as a principal too (see `cli_principal`).
"""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Any

from dashboards.auth import AccessDenied, Principal, audit, check_id
from mrm.i18n import refusal
from warehouse.rows import one_row
from workspace.permissions import ACTIONS, ROLES, allowed


def require(ch: Any, p: Principal, action: str, target: str = "") -> None:
    """Raise AccessDenied (and write the denial to the audit log) unless p's role may perform `action`."""
    if not allowed(p.role, action):
        audit(ch, p.tenant_id, p.login, action, "denied", target=target)
        raise refusal(AccessDenied, "ws_denied_action", role=repr(p.role), action=ACTIONS[action])


def allowed_clients(ch: Any, p: Principal) -> frozenset[str] | None:
    """The client ids p may read, or None for every client of the tenant (admins, unrestricted staff)."""
    if p.role == "client":
        return frozenset({p.client_id}) if p.client_id else frozenset()
    if p.role == "admin":
        return None
    rows = ch.query(
        "SELECT all_clients, client_ids FROM app.user_client_scope FINAL "
        "WHERE tenant_id = {t:String} AND login = {l:String}",
        parameters={"t": p.tenant_id, "l": p.login},
    ).result_rows
    if not rows or rows[0][0]:
        return None
    return frozenset(rows[0][1])


def require_client(ch: Any, p: Principal, client_id: str) -> str:
    """Raise AccessDenied unless p may read `client_id` (a staff user limited to assigned clients, a client user)."""
    return require_client_in(ch, p, client_id, allowed_clients(ch, p))


def require_client_in(ch: Any, p: Principal, client_id: str, scope: frozenset[str] | None) -> str:
    """`require_client` against p's scope as `allowed_clients` returned it moments ago (the app reads it once per
    script run)."""
    check_id("client", client_id)
    if scope is not None and client_id not in scope:
        audit(ch, p.tenant_id, p.login, "read", "denied", target=client_id)
        raise refusal(AccessDenied, "ws_no_client_access", client=repr(client_id))
    return client_id


def set_client_scope(
    ch: Any, actor: Principal, login: str, *, all_clients: bool, client_ids: tuple[str, ...] = ()
) -> None:
    """Admins limit a staff user to `client_ids` (all_clients=False) or give back every client of the tenant."""
    require(ch, actor, "manage_users", target=login)
    check_id("login", login)
    ids = sorted({check_id("client", c) for c in client_ids})
    user = ch.query(
        "SELECT role FROM app.users FINAL WHERE tenant_id = {t:String} AND login = {l:String}",
        parameters={"t": actor.tenant_id, "l": login},
    ).result_rows
    if not user:
        raise refusal(LookupError, "ws_user_not_in_tenant", login=repr(login), tenant=repr(actor.tenant_id))
    if user[0][0] in ("client", "admin"):
        raise refusal(ValueError, "ws_fixed_scope", role=repr(user[0][0]))
    if all_clients and ids:
        raise refusal(ValueError, "ws_all_or_list")
    if ids:
        known = {
            r[0]
            for r in ch.query(
                "SELECT client_id FROM app.clients FINAL WHERE tenant_id = {t:String} AND client_id IN {ids:Array(String)}",
                parameters={"t": actor.tenant_id, "ids": ids},
            ).result_rows
        }
        missing = [c for c in ids if c not in known]
        if missing:
            raise refusal(LookupError, "ws_unknown_clients", clients=", ".join(missing))
    ch.insert(
        "app.user_client_scope",
        [[actor.tenant_id, login, int(all_clients), ids, actor.login, dt.datetime.now(dt.UTC)]],
        column_names=["tenant_id", "login", "all_clients", "client_ids", "updated_by", "updated_at"],
    )
    audit(
        ch,
        actor.tenant_id,
        actor.login,
        "assign_clients",
        "ok",
        target=login,
        detail="all" if all_clients else ",".join(ids),
    )


def cli_principal(ch: Any, tenant_id: str, as_login: str | None) -> Principal:
    """Who a `mrm` command acts as: the named app user (checked like in the app), else the shell's operator.

    Shell access to the deployment already means full control of its data and keys, so the operator acts as the
    tenant's admin; `--as LOGIN` runs the command with that user's role and scope instead.
    """
    check_id("tenant", tenant_id)
    if not as_login:
        return Principal(tenant_id, f"cli:{getpass.getuser()}", "admin")
    check_id("login", as_login)
    role, client_id, name = one_row(
        ch,
        "SELECT role, client_id, display_name FROM app.users FINAL "
        "WHERE tenant_id = {t:String} AND login = {l:String} AND is_active = 1",
        {"t": tenant_id, "l": as_login},
        refusal(AccessDenied, "ws_no_active_user", login=repr(as_login), tenant=repr(tenant_id)),
    )
    if role not in ROLES:
        raise refusal(AccessDenied, "ws_user_bad_role", login=repr(as_login), role=repr(role))
    return Principal(tenant_id, as_login, role, client_id, name)
