"""The role x action matrix: every role against every action, and docs/permissions.md equal to the module."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboards.auth import ROLES, Principal
from workspace import permissions

# Written out by hand from the issue (who does the work), not derived from the module, so a wrong grant fails here.
# What the roles that work on the numbers share: read, ask, data health, insights, building reports.
_INSIGHT = {"read", "ask", "data_health", "generate_insights", "build_report"}
# Who talks to the client: sends reports, runs scheduled delivery and alerts.
_DELIVER = {"send_report", "manage_delivery", "manage_alerts"}
# Who runs the client: owns plans through approval and releases reports.
_RUN = _INSIGHT | _DELIVER | {"analyse_plan", "import_plan", "approve_plan", "release_report"}
# Who makes plans: drafts them and submits them for approval.
_PLAN = _INSIGHT | {"analyse_plan", "import_plan", "submit_plan"}
EXPECTED: dict[str, set[str]] = {
    "admin": set(permissions.ACTIONS),
    "pm": _RUN,
    "account_manager": _RUN,
    "specialist": _PLAN,
    "strategist": _PLAN,
    "analyst": _INSIGHT | _DELIVER | {"analyse_plan"},
    "creative": {"read", "ask", "analyse_plan"},
    "client": {"read"},
}
ALL_ACTIONS = (
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


def test_roles_are_admin_plus_the_seven_and_auth_uses_the_same_tuple():
    assert ROLES == permissions.ROLES
    # The eight roles, each once: EXPECTED names them by hand.
    assert sorted(ROLES) == sorted(EXPECTED) and len(EXPECTED) == 8
    assert set(permissions.ACTIONS) == set(ALL_ACTIONS)


@pytest.mark.parametrize("role", sorted(EXPECTED))
@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_every_role_against_every_action(role, action):
    p = Principal("t", "u", role, "c" if role == "client" else "")
    assert p.can(action) is (action in EXPECTED[role])
    assert permissions.allowed(role, action) is (action in EXPECTED[role])


def test_unknown_role_may_do_nothing_and_unknown_action_is_a_loud_error():
    assert not any(permissions.allowed("intern", a) for a in ALL_ACTIONS)
    with pytest.raises(KeyError, match="unknown action"):
        Principal("t", "u", "pm").can("delete_everything")


def test_docs_permissions_md_is_the_rendered_matrix():
    doc = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"
    assert doc.read_text(encoding="utf-8") == permissions.render_markdown(), (
        "docs/permissions.md is stale: run `python -m workspace.permissions > docs/permissions.md`"
    )
    # Each role column of each action row carries the matrix's mark.
    for action in ALL_ACTIONS:
        row = next(line for line in doc.read_text(encoding="utf-8").splitlines() if f"(`{action}`)" in line)
        marks = [c.strip() for c in row.strip("|").split("|")[1:]]
        assert marks == ["✔" if action in EXPECTED[r] else "—" for r in permissions.ROLES]
