"""Demo users for `mrm demo`: a PM, an account manager, an analyst and a client user per demo tenant. The reports the
demo built for the client user's client are released to it by the demo PM, so the client user has reports to read."""

from __future__ import annotations

import secrets
from typing import Any

from dashboards.auth import Principal, add_user
from mrm.i18n import refusal

DEMO_ROLES = ("pm", "account_manager", "analyst", "client")


def create_demo_users(client: Any) -> list[tuple[str, str, str, str, str]]:
    """Create (or reset) the demo users of every tenant except `bench`; returns (login, password, role, tenant,
    client). Passwords are random on each run, so a demo database never ships a guessable account."""
    rows = client.query(
        "SELECT tenant_id, min(client_id) FROM app.clients FINAL WHERE is_active = 1 AND tenant_id != 'bench' "
        "GROUP BY tenant_id ORDER BY tenant_id"
    ).result_rows
    if not rows:
        raise refusal(RuntimeError, "dash_demo_no_tenants")
    out = []
    for tenant_id, first_client in rows:
        for role in DEMO_ROLES:
            login = f"{role.replace('_', '-')}@{tenant_id}"
            password = secrets.token_urlsafe(9)
            client_id = first_client if role == "client" else ""
            add_user(
                client,
                tenant_id=tenant_id,
                login=login,
                role=role,
                password=password,
                client_id=client_id,
                display_name=f"Demo {role} ({tenant_id})",
            )
            out.append((login, password, role, tenant_id, client_id))
    return out


def release_demo_reports(client: Any, users: list[tuple[str, str, str, str, str]]) -> int:
    """The demo PM of each tenant releases the reports built for its demo client user's client."""
    return sum(
        release_built_reports(client, Principal(tenant, f"pm@{tenant}", "pm"), client_id)
        for _login, _password, role, tenant, client_id in users
        if role == "client"
    )


def release_built_reports(client: Any, pm: Principal, client_id: str) -> int:
    """Release the newest build of each of the client's reports (period and language) as `pm`; returns how many."""
    from assistants.reports import load_run
    from assistants.reports.release import release
    from assistants.reports.snapshot import REPORT_VERSION

    built = client.query(
        "SELECT DISTINCT date_from, date_to, lang FROM app.report_runs FINAL "
        "WHERE tenant_id = {t:String} AND client_id = {c:String} AND version = {v:String}",
        parameters={"t": pm.tenant_id, "c": client_id, "v": REPORT_VERSION},
    ).result_rows
    for date_from, date_to, lang in built:
        release(client, pm, load_run(client, pm.tenant_id, client_id, f"{date_from}:{date_to}", lang))
    return len(built)
