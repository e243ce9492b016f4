"""The CLI paths that act as an app user keep an account manager to the clients assigned to them.

`mrm ask --user LOGIN` (the analyst and the plan advisor read the client's marts) and the workspace commands
with `--as LOGIN`: a tenant with two clients (acme, romashka — the analyst's sample marts), an account manager
assigned to acme only. Each refusal names the client and prints none of its numbers; the same command about the
assigned client, or run by the operator, answers (so the refusal is the scope, not a broken command)."""

from __future__ import annotations

import json
import uuid

import pytest
from click.testing import CliRunner

from dashboards.auth import Principal, add_user
from tests.integration.assistants.conftest import AN_DB as DB
from tests.integration.assistants.conftest import AN_T1 as T1
from tests.integration.assistants.conftest import analyst_marts  # noqa: F401
from workspace import access

QUESTION = "Spend last week vs the previous week"


def _mrm(*args: str):
    from mrm.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=True)


@pytest.fixture
def am(analyst_marts, monkeypatch) -> str:  # noqa: F811
    """An account manager of T1 assigned to acme only (a login of its own per test)."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("MRM_ACT_AS", raising=False)
    login = f"am-{uuid.uuid4().hex[:8]}@it"
    add_user(analyst_marts, tenant_id=T1, login=login, role="account_manager", password="am-pass-1234")
    admin = Principal(T1, "admin@cli-scope", "admin")
    access.set_client_scope(analyst_marts, admin, login, all_clients=False, client_ids=("acme",))
    return login


def _ask(login: str, client_id: str, *extra: str):
    return _mrm(
        "ask", "--agent", "analyst", "--tenant", T1, "--client", client_id, "--marts-db", DB,
        "--user", login, "--json", *extra, QUESTION,
    )  # fmt: skip


def test_mrm_ask_as_an_account_manager_answers_only_about_the_assigned_client(am):
    mine = _ask(am, "acme")
    assert mine.exit_code == 0, mine.output
    assert any(n["metric"] == "spend" for n in json.loads(mine.output)["numbers"])

    other = _ask(am, "romashka")
    assert other.exit_code != 0
    assert "no access to client 'romashka'" in other.output
    assert '"numbers"' not in other.output and "spend" not in other.output.lower()
    # The plan advisor reads the client's data too: the same refusal.
    plan = _mrm("ask", "--agent", "plan", "--tenant", T1, "--client", "romashka", "--marts-db", DB,
                "--user", am, QUESTION)  # fmt: skip
    assert plan.exit_code != 0 and "no access to client 'romashka'" in plan.output

    # The shell operator (a name that is no app user) still answers about romashka: the refusal is the scope.
    operator = _ask(f"cli-{uuid.uuid4().hex[:6]}", "romashka")
    assert operator.exit_code == 0, operator.output
    assert any(n["metric"] == "spend" for n in json.loads(operator.output)["numbers"])


def test_after_the_admin_assigns_the_second_client_the_same_command_answers(am, analyst_marts):  # noqa: F811
    assert _ask(am, "romashka").exit_code != 0
    admin = Principal(T1, "admin@cli-scope", "admin")
    access.set_client_scope(analyst_marts, admin, am, all_clients=False, client_ids=("acme", "romashka"))
    again = _ask(am, "romashka")
    assert again.exit_code == 0, again.output
    assert any(n["metric"] == "spend" for n in json.loads(again.output)["numbers"])


def test_a_suspended_user_named_by_mrm_ask_is_refused_not_lifted_to_admin(am):
    assert _mrm("users", "suspend", am, "--tenant", T1).exit_code == 0
    r = _ask(am, "acme")
    assert r.exit_code != 0 and f"no active user {am!r}" in r.output and '"numbers"' not in r.output


def test_workspace_commands_with_as_keep_the_account_manager_to_the_assigned_client(am):
    listed = _mrm("clients", "list", "--tenant", T1, "--as", am)
    assert listed.exit_code == 0, listed.output
    ids = [line.split()[0] for line in listed.output.splitlines() if line.strip()]
    assert ids == ["acme"]
    everyone = _mrm("clients", "list", "--tenant", T1)  # the operator sees both
    assert {"acme", "romashka"} <= {line.split()[0] for line in everyone.output.splitlines() if line.strip()}

    for args in (
        ("clients", "edit", "romashka", "--name", "Renamed"),
        ("clients", "archive", "romashka", "--yes"),
        ("secrets", "list"),
    ):
        r = _mrm(*args, "--tenant", T1, "--as", am)
        assert r.exit_code != 0, (args, r.output)
        assert "role 'account_manager' may not" in r.output, (args, r.output)
        assert "Traceback" not in r.output
