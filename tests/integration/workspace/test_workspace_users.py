"""User lifecycle (suspend, reactivate, reset password) and the `mrm clients|secrets|users` commands end to end."""

from __future__ import annotations

import uuid

import pytest
from click.testing import CliRunner

from dashboards.auth import AccessDenied, AuthError, Principal, add_user, authenticate, refresh_principal
from mrm.cli import cli
from tests.integration.workspace.conftest import KEY, TENANT
from workspace import users

PASSWORD = "first-pass-123"


@pytest.fixture
def login(ws):
    name = f"u-{uuid.uuid4().hex[:8]}@it"
    add_user(ws, tenant_id=TENANT, login=name, role="analyst", password=PASSWORD, display_name="Аналитик")
    return name


def test_suspended_user_cannot_sign_in_and_open_sessions_end_then_reactivation_restores(ws, admin, login):
    p = authenticate(ws, login, PASSWORD)
    assert refresh_principal(ws, p) == p
    assert users.set_active(ws, admin, login, False)
    assert not users.set_active(ws, admin, login, False)  # already suspended: no change, no error
    with pytest.raises(AuthError, match="wrong login or password"):
        authenticate(ws, login, PASSWORD)
    assert refresh_principal(ws, p) is None  # the open app session ends at its next rerun
    assert users.set_active(ws, admin, login, True)
    assert authenticate(ws, login, PASSWORD).display_name == "Аналитик"  # the rest of the row survived
    actions = [
        r[0]
        for r in ws.query(
            "SELECT action FROM app.audit_log WHERE target = {l:String} ORDER BY at", parameters={"l": login}
        ).result_rows
    ]
    assert actions == ["user_suspend", "user_reactivate"]


def test_reset_password_replaces_the_old_one_and_is_refused_for_identity_provider_users(ws, admin, login):
    users.reset_password(ws, admin, login, "second-pass-456")
    with pytest.raises(AuthError):
        authenticate(ws, login, PASSWORD)
    assert authenticate(ws, login, "second-pass-456").role == "analyst"
    with pytest.raises(AuthError, match="8 characters"):
        users.reset_password(ws, admin, login, "short")
    oidc = f"o-{uuid.uuid4().hex[:8]}@it"
    add_user(ws, tenant_id=TENANT, login=oidc, role="pm", password=None, auth_source="oidc")
    with pytest.raises(AuthError, match="identity provider"):
        users.reset_password(ws, admin, oidc, "whatever-123")


def test_only_admins_manage_users_not_themselves_and_only_in_their_tenant(ws, admin, login):
    for role in ("pm", "account_manager", "analyst", "client"):
        with pytest.raises(AccessDenied):
            users.set_active(
                ws, Principal(TENANT, "x@it", role, "c" if role == "client" else ""), login, False
            )
    with pytest.raises(AuthError, match="yourself"):
        users.set_active(ws, Principal(TENANT, login, "admin"), login, False)
    with pytest.raises(LookupError, match="not found in tenant 'elsewhere'"):
        users.set_active(ws, Principal("elsewhere", "adm", "admin"), login, False)
    assert authenticate(ws, login, PASSWORD).login == login


def test_cli_adds_edits_lists_archives_clients_and_acts_as_a_checked_user(ws, login):
    run = CliRunner(env={"MRM_LANG": "en"}).invoke  # the English messages are asserted
    cid = f"cli-{uuid.uuid4().hex[:6]}"
    base = ["--tenant", TENANT]
    res = run(
        cli,
        [
            "clients",
            "add",
            cid,
            *base,
            "--name",
            "Ромашка",
            "--inn",
            "7707083893",
            "--commission",
            "10",
            "--recipient",
            "a@r.ru",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Ромашка" in res.output and "10.00%" in res.output
    res = run(cli, ["clients", "add", cid, *base, "--name", "Again"])
    assert res.exit_code == 1 and "already exists" in res.output
    res = run(cli, ["clients", "add", f"{cid}x", *base, "--name", "Bad", "--inn", "7707083894"])
    assert res.exit_code == 1 and "inn:" in res.output
    res = run(cli, ["clients", "edit", cid, *base, "--vat-mode", "exempt"])
    assert res.exit_code == 0 and "VAT exempt" in res.output
    # An analyst may read but not manage clients; the denial is the data layer's, through the CLI.
    res = run(cli, ["clients", "add", f"{cid}y", *base, "--name", "N", "--as", login])
    assert res.exit_code == 1 and "may not" in res.output
    res = run(cli, ["clients", "list", *base, "--as", login])
    assert res.exit_code == 0 and cid in res.output
    res = run(cli, ["users", "assign", login, *base, "--client", cid])
    assert res.exit_code == 0, res.output
    res = run(cli, ["clients", "list", *base, "--as", login])
    assert [line.split()[0] for line in res.output.splitlines()] == [cid]
    res = run(cli, ["clients", "archive", cid, *base, "--yes"])
    assert res.exit_code == 0 and "archived" in res.output
    res = run(cli, ["clients", "list", *base])
    assert cid not in res.output


def test_cli_user_lifecycle_and_secrets_never_echo_a_secret(ws, login, monkeypatch):
    run = CliRunner(env={"MRM_LANG": "en"}).invoke  # the English messages are asserted
    base = ["--tenant", TENANT]
    assert run(cli, ["users", "suspend", login, *base]).exit_code == 0
    assert run(cli, ["users", "reactivate", login, *base]).output.startswith(f"{login}: active")
    res = run(cli, ["users", "reset-password", login, *base], input="third-pass-789\nthird-pass-789\n")
    assert res.exit_code == 0 and "third-pass-789" not in res.output
    assert authenticate(ws, login, "third-pass-789").login == login
    acc = f"acc-{uuid.uuid4().hex[:6]}"
    ws.insert(
        "app.accounts",
        [[TENANT, "cl", "yandex_metrika", acc]],
        column_names=["tenant_id", "client_id", "platform", "account_id"],
    )
    monkeypatch.delenv("MRM_SECRET_KEY", raising=False)
    secret = f"y0_CLI-{uuid.uuid4().hex}"
    res = run(cli, ["secrets", "set", "yandex_metrika", acc, *base], input=f"{secret}\n")
    assert res.exit_code == 1 and "MRM_SECRET_KEY is not set" in res.output and secret not in res.output
    monkeypatch.setenv("MRM_SECRET_KEY", KEY)
    res = run(cli, ["secrets", "set", "yandex_metrika", acc, *base], input=f"{secret}\n")
    assert res.exit_code == 0 and secret not in res.output
    res = run(cli, ["secrets", "list", *base])
    assert acc in res.output and secret not in res.output
    res = run(cli, ["secrets", "set", "yandex_metrika", acc, *base, "--as", login], input=f"{secret}\n")
    assert res.exit_code == 1 and "may not" in res.output and secret not in res.output
    assert run(cli, ["secrets", "delete", "yandex_metrika", acc, *base]).output.startswith("deleted")
