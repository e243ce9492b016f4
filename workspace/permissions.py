"""The one role x action permission matrix of the workspace; docs/permissions.md is rendered from it.

Pure data and lookups: no warehouse, no Streamlit, so auth, the data layer, the CLI and the docs test share it.
"""

from __future__ import annotations

from mrm.i18n import t

# `admin` administers the tenant; the other seven do the agency's work. Order is the docs' column order.
ROLES: tuple[str, ...] = (
    "admin",
    "pm",
    "account_manager",
    "specialist",
    "strategist",
    "analyst",
    "creative",
    "client",
)
STAFF_ROLES: tuple[str, ...] = tuple(r for r in ROLES if r != "client")


def role_name(role: str, lang: str) -> str:
    """The role's name in `lang` (ru|en) from the catalogue (`role_<role>`; a client's is `client`); an unknown
    role as it is stored."""
    if role not in ROLES:
        return role
    return t("client" if role == "client" else f"role_{role}", lang)


# Every action of the matrix, in the docs' row order; its description is the catalogue's `action_<action>`.
# Existing action names (build_report, import_plan…) are kept, because the app's pages and data functions already
# check them.
ACTION_NAMES: tuple[str, ...] = (
    "read",
    "ask",
    "data_health",
    "generate_insights",
    "build_report",
    "send_report",
    "analyse_plan",
    "import_plan",
    "submit_plan",
    "approve_plan",
    "manage_clients",
    "manage_connections",
    "manage_users",
    "view_audit",
    "manage_delivery",
    "manage_alerts",
    "release_report",
    "manage_branding",
)


def action_text(action: str, lang: str) -> str:
    """What `action` allows, in `lang` (ru|en), from the catalogue."""
    return t(f"action_{action}", lang)


# action -> (English, Russian) description, read from the catalogue (refusals format it in: ws_denied_action).
ACTIONS: dict[str, tuple[str, str]] = {a: (action_text(a, "en"), action_text(a, "ru")) for a in ACTION_NAMES}

_PLAN_MAKERS = {"specialist", "strategist"}
_APPROVERS = {"pm", "account_manager"}
_REPORTERS = {"pm", "account_manager", "analyst"}
_ANALYTIC_STAFF = {"pm", "account_manager", "specialist", "strategist", "analyst"}

# Who does the work: strategists and specialists make and submit plans; PM/AM approve them and send reports (and may
# still import a plan themselves); analysts build and send reports; creatives read and ask; a client only reads its
# own client (the knowledge base and the load log are tenant-wide, so no `ask`/`data_health` for a client).
_GRANTS: dict[str, set[str]] = {
    "read": set(ROLES),
    "ask": set(STAFF_ROLES),
    "data_health": _ANALYTIC_STAFF,
    "generate_insights": _ANALYTIC_STAFF,
    "build_report": _ANALYTIC_STAFF,
    "send_report": _REPORTERS,
    # Parsing an upload costs server memory and CPU, so it is a staff action, not a client's.
    "analyse_plan": set(STAFF_ROLES),
    "import_plan": _PLAN_MAKERS | _APPROVERS,
    "submit_plan": _PLAN_MAKERS,
    "approve_plan": _APPROVERS,
    "manage_clients": set(),
    "manage_connections": set(),
    "manage_users": set(),
    "view_audit": set(),
    # Whoever sends a client's reports sets when and where they go and hears about the client's problems.
    "manage_delivery": _REPORTERS,
    "manage_alerts": _REPORTERS,
    # What the client sees is the account side's word: a PM or an account manager releases a built report.
    "release_report": _APPROVERS,
    "manage_branding": set(),
}

# role -> the actions it may perform; the admin may do everything.
MATRIX: dict[str, frozenset[str]] = {
    role: frozenset(ACTIONS) if role == "admin" else frozenset(a for a, who in _GRANTS.items() if role in who)
    for role in ROLES
}


def allowed(role: str, action: str) -> bool:
    """Whether `role` may perform `action`; an unknown action is a programming error, not a silent False."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}; actions: {', '.join(ACTIONS)}")
    return action in MATRIX.get(role, frozenset())


def render_markdown() -> str:
    """docs/permissions.md: the matrix as a table, RU and EN (a test keeps the file equal to this)."""
    head = "| Action / Действие | " + " | ".join(f"`{r}`" for r in ROLES) + " |"
    rule = "|---|" + "---|" * len(ROLES)
    rows = [
        f"| {en} / {ru} (`{a}`) | " + " | ".join("✔" if a in MATRIX[r] else "—" for r in ROLES) + " |"
        for a, (en, ru) in ACTIONS.items()
    ]
    roles = [f"- `{r}`: {role_name(r, 'en')} / {role_name(r, 'ru')}" for r in ROLES]
    return "\n".join(
        [
            "# Permissions / Права доступа",
            "",
            "Generated from `workspace/permissions.py` (`python -m workspace.permissions > docs/permissions.md`); a test "
            "fails when the two differ. Сгенерировано из `workspace/permissions.py`; тест проверяет совпадение.",
            "",
            "The data layer checks every action (the app's data functions and the `mrm` commands raise on a denied "
            "action; hiding a button is only cosmetic). Staff see every client of their tenant unless an admin limits "
            "them to assigned clients (`mrm users assign`); a `client` user sees only its own client.",
            "",
            "Проверка выполняется в слое данных: функции приложения и команды `mrm` отказывают в запрещённом действии. "
            "Сотрудники видят всех клиентов арендатора, если администратор не ограничил их назначенными клиентами; "
            "пользователь с ролью `client` видит только своего клиента.",
            "",
            "## Roles / Роли",
            "",
            *roles,
            "",
            "## Matrix / Матрица",
            "",
            head,
            rule,
            *rows,
            "",
        ]
    )


if __name__ == "__main__":
    import argparse

    argparse.ArgumentParser(
        description="Print the role x action matrix as docs/permissions.md holds it "
        "(python -m workspace.permissions > docs/permissions.md)."
    ).parse_args()
    print(render_markdown(), end="")
