"""Invitations, suspension, password reset and the own profile against a real SMTP server (aiosmtpd) and the
embedded warehouse: the link comes out of the delivered e-mail, as a person would follow it."""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from email import message_from_bytes
from email.policy import default

import pytest
from click.testing import CliRunner

from dashboards.auth import AccessDenied, AuthError, Principal, add_user, authenticate, refresh_principal
from mrm import clock
from mrm.cli import cli
from tests.conftest import free_port
from tests.integration.delivery import test_delivery as _delivery
from tests.integration.workspace.conftest import TENANT
from workspace import access, invitations, users

smtp = _delivery.smtp  # the delivery tests' SMTP sink (a real aiosmtpd server on loopback)
CLIENTS = ("inv-acme", "inv-globex")
PASSWORD = "chosen-pass-123"
LINK = re.compile(r"(https?://\S+/\?invite=([A-Za-z0-9_-]+))")


@pytest.fixture(scope="module")
def tenant(ws):
    ws.insert(
        "app.clients",
        [[TENANT, c, c.title(), "RUB"] for c in CLIENTS],
        column_names=["tenant_id", "client_id", "name", "currency"],
    )
    return TENANT


def _email() -> str:
    return f"p{uuid.uuid4().hex[:8]}@agency.example"


def _delivered(sink, email: str) -> tuple[str, str, str]:
    """(link, token, text) of the last e-mail delivered to `email`."""
    content = next(c for to, c in reversed(sink.messages) if to == [email])
    msg = message_from_bytes(content, policy=default)
    text = msg.get_content()
    found = LINK.search(text)
    assert found, text
    return found.group(1), found.group(2), text


def _audit(ch, target: str) -> list[tuple[str, str, str]]:
    return [
        tuple(r)
        for r in ch.query(
            "SELECT login, action, outcome FROM app.audit_log WHERE target = {t:String} ORDER BY at",
            parameters={"t": target},
        ).result_rows
    ]


def test_cli_invitation_is_mailed_followed_once_and_signs_the_person_in_with_the_assigned_clients(
    ws, tenant, smtp, admin, monkeypatch
):
    monkeypatch.setenv("MRM_APP_URL", "https://mrm.agency.example/app")
    monkeypatch.setenv("MRM_LANG", "en")  # the English message is asserted
    email = _email()
    res = CliRunner().invoke(
        cli,
        ["users", "invite", email, "--tenant", tenant, "--role", "account_manager", "--client", CLIENTS[1]],
    )
    assert res.exit_code == 0, res.output
    until = clock.today() + dt.timedelta(days=invitations.INVITE_DAYS)
    assert f"valid through {until.isoformat()}" in res.output
    link, token, text = _delivered(smtp, email)
    assert token not in res.output  # the link goes to the person only
    assert link.startswith("https://mrm.agency.example/app/?invite=")
    assert until.isoformat() in text and "Аккаунт-менеджер" in text and "Account manager" in text
    # Stored hashed: the token itself is nowhere in the table, its SHA-256 is.
    stored = ws.query(
        "SELECT token_sha256 FROM app.invitations FINAL WHERE email = {e:String}", parameters={"e": email}
    ).result_rows
    assert stored == [(invitations.token_sha256(token),)]
    leaked = ws.query(
        "SELECT count() FROM app.invitations WHERE position(concat(token_sha256, email, invited_by), {t:String}) > 0",
        parameters={"t": token},
    ).result_rows[0][0]
    assert leaked == 0
    inv = invitations.lookup(ws, token)
    assert (inv.role, inv.client_ids, inv.all_clients) == ("account_manager", (CLIENTS[1],), False)

    p = invitations.accept(ws, token, login=email, password=PASSWORD, display_name="Анна", language="en")
    assert p == Principal(tenant, email, "account_manager", "", "Анна")
    assert authenticate(ws, email, PASSWORD).role == "account_manager"
    assert access.allowed_clients(ws, p) == frozenset({CLIENTS[1]})
    assert users.sign_in_preferences(ws, p) == ("en", "")
    with pytest.raises(invitations.InvitationError, match="already been used"):
        invitations.accept(ws, token, login="someone-else@x", password=PASSWORD)
    assert ("cli:" in _audit(ws, email)[0][0]) and _audit(ws, email)[0][1:] == ("invitation_sent", "ok")
    assert (email, "invitation_accepted", "ok") in _audit(ws, email)


def test_expiry_follows_the_platforms_today_and_unknown_links_get_their_own_message(
    ws, tenant, smtp, admin, monkeypatch
):
    email = _email()
    inv = invitations.invite(ws, admin, email, "analyst", days=1)
    _, token, _ = _delivered(smtp, email)
    monkeypatch.setenv(clock.ENV, inv.expires_on.isoformat())  # the last valid day
    assert invitations.lookup(ws, token).email == email
    monkeypatch.setenv(clock.ENV, (inv.expires_on + dt.timedelta(days=1)).isoformat())
    with pytest.raises(invitations.InvitationError, match=f"expired on {inv.expires_on.isoformat()}"):
        invitations.accept(ws, token, login=email, password=PASSWORD)
    assert not ws.query(
        "SELECT count() FROM app.users WHERE login = {l:String}", parameters={"l": email}
    ).result_rows[0][0]
    for bad in ("", "x" * 43, token[:-1], token + "'; DROP TABLE app.users"):
        with pytest.raises(invitations.InvitationError, match="not valid"):
            invitations.lookup(ws, bad)


def test_a_refused_form_leaves_the_link_usable_and_two_racing_accepts_create_one_account(
    ws, tenant, smtp, admin, warehouse_url
):
    import clickhouse_connect

    email = _email()
    invitations.invite(ws, admin, email, "client", client_ids=(CLIENTS[0],))
    _, token, _ = _delivered(smtp, email)
    with pytest.raises(AuthError, match="8 characters"):
        invitations.accept(ws, token, login=email, password="short")
    with pytest.raises(ValueError, match="invalid login"):
        invitations.accept(ws, token, login="no spaces allowed", password=PASSWORD)
    with pytest.raises(AuthError, match="is taken"):
        invitations.accept(ws, token, login=admin_login(ws), password=PASSWORD)
    results: dict[str, object] = {}
    start = threading.Barrier(2)

    def run(login: str) -> None:
        own = clickhouse_connect.get_client(dsn=warehouse_url)  # two browsers: two app processes' clients
        start.wait()
        try:
            results[login] = invitations.accept(own, token, login=login, password=PASSWORD)
        except AuthError as exc:
            results[login] = exc
        finally:
            own.close()

    racers = [threading.Thread(target=run, args=(f"{email}.{i}",)) for i in (1, 2)]
    for th in racers:
        th.start()
    for th in racers:
        th.join()
    won = [v for v in results.values() if isinstance(v, Principal)]
    lost = [v for v in results.values() if isinstance(v, AuthError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "already been used" in str(lost[0])
    assert won[0].role == "client" and won[0].client_id == CLIENTS[0]
    created = ws.query(
        "SELECT count() FROM app.users FINAL WHERE login LIKE {l:String}", parameters={"l": f"{email}.%"}
    ).result_rows[0][0]
    assert created == 1


def admin_login(ws) -> str:
    """A login in e-mail form that exists already, in another tenant (logins are unique across tenants)."""
    login = f"existing-{uuid.uuid4().hex[:8]}@other.example"
    add_user(ws, tenant_id="ws_other", login=login, role="analyst", password=PASSWORD)
    return login


def test_a_new_invitation_withdraws_the_old_one_and_bad_requests_are_refused(
    ws, tenant, smtp, admin, monkeypatch
):
    email = _email()
    invitations.invite(ws, admin, email, "analyst")
    _, first, _ = _delivered(smtp, email)
    invitations.invite(ws, admin, email, "strategist")
    _, second, _ = _delivered(smtp, email)
    with pytest.raises(invitations.InvitationError, match="withdrawn"):
        invitations.lookup(ws, first)
    assert invitations.lookup(ws, second).role == "strategist"
    res = CliRunner(env={"MRM_LANG": "en"}).invoke(cli, ["users", "revoke-invite", email, "--tenant", TENANT])
    assert res.exit_code == 0 and "1 invitation(s) withdrawn" in res.output, res.output
    with pytest.raises(invitations.InvitationError, match="withdrawn"):
        invitations.accept(ws, second, login=email, password=PASSWORD)
    assert _audit(ws, email)[-1][1:] == ("invitation_revoked", "ok")
    with pytest.raises(AccessDenied):
        invitations.revoke(ws, Principal(TENANT, "a@it", "analyst"), email)
    with pytest.raises(AccessDenied):
        invitations.invite(ws, Principal(TENANT, "a@it", "account_manager"), _email(), "analyst")
    with pytest.raises(ValueError, match="exactly one client"):
        invitations.invite(ws, admin, _email(), "client")
    with pytest.raises(LookupError, match="nope"):
        invitations.invite(ws, admin, _email(), "analyst", client_ids=("nope",))
    with pytest.raises(ValueError, match="not an e-mail"):
        invitations.invite(ws, admin, "not-an-address", "analyst")
    with pytest.raises(AuthError, match="already has an account"):
        invitations.invite(ws, admin, admin_login(ws), "analyst")
    # A mail server that does not answer: nothing usable is kept, and the admin is told.
    monkeypatch.setenv("MRM_SMTP_PORT", str(free_port()))
    lost = _email()
    with pytest.raises(RuntimeError, match="could not be sent"):
        invitations.invite(ws, admin, lost, "analyst")
    states = [r["state"] for r in invitations.list_invitations(ws, admin) if r["email"] == lost]
    assert states == ["revoked"]
    assert _audit(ws, lost)[-1][1:] == ("invitation_sent", "failed")


def test_suspension_and_password_reset_of_an_invited_user_then_the_own_profile(ws, tenant, smtp, admin):
    email = _email()
    invitations.invite(ws, admin, email, "analyst", client_ids=CLIENTS)
    _, token, _ = _delivered(smtp, email)
    p = invitations.accept(ws, token, login=email, password=PASSWORD)
    assert users.set_active(ws, admin, email, False)
    assert refresh_principal(ws, p) is None  # the open session ends at its next rerun
    with pytest.raises(AuthError, match="wrong login or password"):
        authenticate(ws, email, PASSWORD)
    assert users.set_active(ws, admin, email, True)
    users.reset_password(ws, admin, email, "admin-set-pass-1")
    with pytest.raises(AuthError):
        authenticate(ws, email, PASSWORD)
    p = authenticate(ws, email, "admin-set-pass-1")
    # own password: the current one is required, the rules apply
    with pytest.raises(AuthError, match="wrong password"):
        users.change_password(ws, p, "not-the-password", "my-own-pass-2")
    with pytest.raises(AuthError, match="8 characters"):
        users.change_password(ws, p, "admin-set-pass-1", "short")
    users.change_password(ws, p, "admin-set-pass-1", "my-own-pass-2")
    assert authenticate(ws, email, "my-own-pass-2").login == email
    # own profile: the default client must be one the person may see
    with pytest.raises(ValueError, match="not a client you may see"):
        users.update_profile(ws, p, display_name="Иван", language="en", default_client="inv-nowhere")
    users.update_profile(ws, p, display_name="Иван", language="en", default_client=CLIENTS[1])
    assert users.profile(ws, p)["display_name"] == "Иван"
    assert users.sign_in_preferences(ws, p) == ("en", CLIENTS[1])
    assert refresh_principal(ws, p).display_name == "Иван"
    assert authenticate(ws, email, "my-own-pass-2").role == "analyst"  # the rest of the row kept
    # an admin narrows the person's clients: the default no longer applies at sign-in
    access.set_client_scope(ws, admin, email, all_clients=False, client_ids=(CLIENTS[0],))
    assert users.sign_in_preferences(ws, p) == ("en", "")
    actions = [a for _, a, _ in _audit(ws, email)]
    assert actions[:2] == ["invitation_sent", "invitation_accepted"]
    for a in ("user_suspend", "user_reactivate", "user_reset_password", "password_change", "profile_update"):
        assert a in actions, (a, actions)


def test_a_claim_is_kept_once_per_generation_and_a_released_claim_opens_the_link_again(ws, warehouse_url):
    import clickhouse_connect

    digest = invitations.token_sha256(uuid.uuid4().hex)
    other = clickhouse_connect.get_client(dsn=warehouse_url)
    try:
        first = invitations._claim(ws, digest)
        with pytest.raises(invitations.InvitationError, match="already been used"):
            invitations._claim(other, digest)  # another process: its insert is dropped as a duplicate
        rows = ws.query(
            "SELECT claim_id FROM app.invitation_claims WHERE token_sha256 = {h:String}",
            parameters={"h": digest},
        ).result_rows
        assert rows == [(first[1],)]  # one claim kept: the first claimer still holds the link
        invitations._release(ws, digest, first)
        second = invitations._claim(other, digest)
        assert second[0] == first[0] + 1 and second[1] != first[1]
        with pytest.raises(invitations.InvitationError):
            invitations._claim(ws, digest)
    finally:
        other.close()
