"""Demo users for `mrm demo`: a PM, an account manager, an analyst and a client user per demo tenant."""

from __future__ import annotations

import secrets
from typing import Any

from dashboards.auth import add_user

DEMO_ROLES = ("pm", "account_manager", "analyst", "client")


def create_demo_users(client: Any) -> list[tuple[str, str, str, str, str]]:
    """Create (or reset) the demo users of every tenant except `bench`; returns (login, password, role, tenant,
    client). Passwords are random on each run, so a demo database never ships a guessable account."""
    rows = client.query(
        "SELECT tenant_id, min(client_id) FROM app.clients FINAL WHERE is_active = 1 AND tenant_id != 'bench' "
        "GROUP BY tenant_id ORDER BY tenant_id"
    ).result_rows
    if not rows:
        raise RuntimeError(
            "no tenants with clients in app.clients: load the demo data first / сначала загрузите демо-данные"
        )
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
