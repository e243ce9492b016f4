"""Users in the warehouse: `mrm users add/list`, log-in checks, OIDC mapping, demo users."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from dashboards import auth
from dashboards.cli import dashboards_cmd, users
from dashboards.demo import create_demo_users

pytestmark = pytest.mark.usefixtures("dash")
ISSUER = "https://idp.example.test"


def test_users_add_and_list_through_the_cli_store_only_a_salted_hash(ch, monkeypatch):
    monkeypatch.setenv("MRM_LANG", "en")  # the English messages are asserted
    runner = CliRunner()
    res = runner.invoke(
        users,
        [
            "add",
            "cli-client@t1",
            "--tenant",
            "dash_t1",
            "--role",
            "client",
            "--client",
            "romashka",
            "--password",
            "pa55-word-cli",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "role client, client romashka" in res.output
    stored = ch.query("SELECT password_hash FROM app.users FINAL WHERE login = 'cli-client@t1'").result_rows[
        0
    ][0]
    assert stored.startswith("scrypt$") and "pa55-word-cli" not in stored
    assert auth.authenticate(ch, "cli-client@t1", "pa55-word-cli") == auth.Principal(
        "dash_t1", "cli-client@t1", "client", "romashka", "cli-client@t1"
    )
    listed = runner.invoke(users, ["list", "--tenant", "dash_t1"])
    assert (
        "cli-client@t1" in listed.output and "scrypt" not in listed.output and "it-am@t2" not in listed.output
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x@t1", "--tenant", "dash_t1", "--role", "client", "--password", "long-enough"], "needs --client"),
        (
            [
                "x@t1",
                "--tenant",
                "dash_t1",
                "--role",
                "client",
                "--client",
                "globex",
                "--password",
                "long-enough",
            ],
            "does not exist in tenant",
        ),
        (
            ["x@t1", "--tenant", "dash_t1", "--role", "pm", "--client", "acme", "--password", "long-enough"],
            "only role 'client'",
        ),
        (["it-pm@t1", "--tenant", "dash_t2", "--role", "pm", "--password", "long-enough"], "another tenant"),
        (["x@t1", "--tenant", "dash_t1", "--role", "pm", "--password", "short"], "8 characters"),
    ],
)
def test_users_add_refuses_bad_requests_with_a_clear_message(args, message):
    res = CliRunner().invoke(users, ["add", *args])
    assert res.exit_code != 0 and message in res.output, res.output


def test_failed_logins_look_the_same_and_are_audited(ch):
    for login, pw in (("it-pm@t1", "wrong-password"), ("nobody@t1", "whatever-pass"), ("bad login", "x")):
        with pytest.raises(auth.AuthError, match="wrong login or password"):
            auth.authenticate(ch, login, pw)
    n = ch.query(
        "SELECT count() FROM app.audit_log WHERE action = 'login' AND outcome = 'failed' "
        "AND login IN ('it-pm@t1', 'nobody@t1')"
    ).result_rows[0][0]
    assert n >= 2


def test_oidc_identity_maps_to_its_app_user_only_while_the_token_is_valid(ch):
    auth.add_user(
        ch,
        tenant_id="dash_t2",
        login="sso.user@example.com",
        role="analyst",
        password=None,
        auth_source="oidc",
    )
    now = time.time()
    idp = {"iss": ISSUER, "email_verified": True}
    p = auth.principal_from_oidc(
        ch, {**idp, "sub": "s-1", "email": "sso.user@example.com", "exp": now + 300}, issuer=ISSUER
    )
    assert (p.tenant_id, p.role) == ("dash_t2", "analyst")
    with pytest.raises(auth.AuthError, match="expired"):
        auth.principal_from_oidc(
            ch, {**idp, "sub": "s-1", "email": "sso.user@example.com", "exp": now - 1}, issuer=ISSUER
        )
    with pytest.raises(auth.AuthError, match="no access"):
        auth.principal_from_oidc(
            ch, {**idp, "sub": "s-2", "email": "stranger@example.com", "exp": now + 300}, issuer=ISSUER
        )
    with pytest.raises(auth.AuthError, match="wrong login or password"):  # an OIDC user has no local password
        auth.authenticate(ch, "sso.user@example.com", "")


def test_expired_oidc_session_in_the_app_shows_an_error_and_no_data(ch, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("MRM_OIDC_ISSUER", ISSUER)
    idp = {"iss": ISSUER, "sub": "s-1", "email_verified": True}
    from tests.integration.dashboards.conftest import APP

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets["auth"] = {
        "client_id": "mrm",
        "client_secret": "x",
        "redirect_uri": "http://127.0.0.1/cb",
        "cookie_secret": "k" * 40,
        "server_metadata_url": "http://127.0.0.1/.well-known",
    }
    at.user = {**idp, "is_logged_in": True, "email": "sso.user@example.com", "exp": time.time() - 5}
    at.run()
    errors = [e.value for e in at.error]  # the start page speaks Russian
    assert any("сессия истекла, войдите снова" in e for e in errors), errors
    assert not at.metric and not at.dataframe
    at.user = {**idp, "is_logged_in": True, "email": "sso.user@example.com", "exp": time.time() + 600}
    at.query_params.update({"client": "globex", "lang": "en"})
    at.run()
    assert [t.value for t in at.title] == ["Overview"] and at.metric


def test_demo_users_are_created_for_each_tenant_and_can_sign_in(ch):
    created = create_demo_users(ch)
    tenants = {r[3] for r in created}
    assert {"dash_t1", "dash_t2"} <= tenants and "bench" not in tenants
    for login, password, role, tenant, client_id in created:
        assert (role == "client") == bool(client_id)
        assert auth.authenticate(ch, login, password).tenant_id == tenant


def test_dashboards_command_documents_itself():
    res = CliRunner().invoke(dashboards_cmd, ["--help"])
    assert res.exit_code == 0 and "127.0.0.1" in res.output and "--port" in res.output
