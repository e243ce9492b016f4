"""Invitations, suspension and the Profile page in the app (AppTest, signed in through the real forms) with a real
SMTP server: the admin invites from the Users page, the link from the delivered e-mail opens the sign-in page in
"accept invitation" mode, the person chooses a login and password and is signed in; a used or expired link is
refused; a suspended user is signed out at the next rerun; language and default client apply at the next sign-in."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes
from email.policy import default

import pytest
from streamlit.testing.v1 import AppTest

from mrm import clock, i18n
from tests.integration.dashboards.conftest import APP, END, MARTS, PASSWORD, logged_in_app
from tests.integration.delivery import test_delivery as _delivery

smtp = _delivery.smtp  # the delivery tests' SMTP sink (a real aiosmtpd server on loopback)
pytestmark = pytest.mark.usefixtures("dash")
T = "dash_inv"
ADMIN = "inv-admin@tinv"
MEMBER = "inv-member@tinv"
LINK = re.compile(r"/\?invite=([A-Za-z0-9_-]+)")
CLIENTS = [("inv-alpha", "Альфа", 21), ("inv-beta", "Beta Ltd", 22)]


@pytest.fixture(scope="module")
def tinv(ch, dash):
    from dashboards import auth, sample_marts

    specs = [sample_marts.ClientSpec(T, cid, name, seed=seed) for cid, name, seed in CLIENTS]
    sample_marts.add_clients(ch, MARTS, specs, end=END, days=dash["days"])
    auth.add_user(ch, tenant_id=T, login=ADMIN, role="admin", password=PASSWORD)
    auth.add_user(ch, tenant_id=T, login=MEMBER, role="analyst", password=PASSWORD)
    return T


def _token(sink, email: str) -> str:
    content = next(c for to, c in reversed(sink.messages) if to == [email])
    found = LINK.search(message_from_bytes(content, policy=default).get_content())
    assert found
    return found.group(1)


def _open_link(token: str, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    at.query_params["invite"] = token
    at.run()
    assert not at.exception, at.exception
    return at


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _submit(at: AppTest, button: str, *, texts=None, picks=None, multi=None) -> AppTest:
    """Fill a form's text inputs, select boxes and multiselects (by key), press its button, run the app."""
    for key, value in (texts or {}).items():
        at.text_input(key=key).input(value)
    for key, value in (picks or {}).items():
        at.selectbox(key=key).set_value(value)
    for key, values in (multi or {}).items():
        for v in values:
            at.multiselect(key=key).select(v)
    _button(at, button).click()
    at.run()
    assert not at.exception, at.exception
    return at


def _signed_in_as(at: AppTest) -> str:
    return next((c.value for c in at.sidebar.caption if "Signed in as" in c.value), "")


def test_admin_invites_from_the_users_page_and_the_link_signs_the_person_in_once(ch, tinv, smtp):
    from dashboards import auth
    from workspace import access

    at = logged_in_app(ADMIN, page="app_pages/users.py")
    _submit(at, "Send invitation", texts={"inv_email": "not an address"})
    assert any("E-mail" in e.value and "not an e-mail address" in e.value for e in at.error), at.error
    _submit(
        at,
        "Send invitation",
        texts={"inv_email": "new.person@tinv.example"},
        picks={"inv_role": "strategist"},
        multi={"inv_clients": ["inv-beta"]},
    )
    assert any("Invitation sent to new.person@tinv.example" in s.value for s in at.success)
    table = next(d.value for d in at.dataframe if "Valid through" in d.value.columns)
    assert table.set_index("E-mail").at["new.person@tinv.example", "State"] == "pending"
    token = _token(smtp, "new.person@tinv.example")

    invited = _open_link(token)
    assert any("invited to MRM as Strategist" in i.value for i in invited.info), invited.info
    assert invited.text_input(key="inv_login").value == "new.person@tinv.example"
    accept = "Create the account and sign in"
    typed = {"inv_name": "Новый Стратег", "inv_password": "strategist-pass-1"}
    _submit(invited, accept, texts={**typed, "inv_password_again": "strategist-pass-2"})
    assert any("do not match" in e.value for e in invited.error)
    _submit(invited, accept, texts={**typed, "inv_password_again": "strategist-pass-1"})
    assert "Новый Стратег" in _signed_in_as(invited)
    assert "invite" not in invited.query_params  # the used link leaves the address bar
    assert invited.sidebar.selectbox(key="client_sel").options == ["Beta Ltd"]  # only the assigned client
    p = auth.authenticate(ch, "new.person@tinv.example", "strategist-pass-1")
    assert p.role == "strategist" and access.allowed_clients(ch, p) == frozenset({"inv-beta"})

    again = _open_link(token)
    assert any("already been used" in e.value for e in again.error), again.error
    assert not again.text_input  # no form for a used link

    at.switch_page("app_pages/users.py")
    at.run()
    at.selectbox(key="au_action").set_value("invitation_accepted").run()
    log = next(d.value for d in at.dataframe if "Outcome" in d.value.columns)
    # once (the browser test accepts its own invitation in this tenant too)
    assert list(log["Login"]).count("new.person@tinv.example") == 1, log


def test_admin_withdraws_a_pending_invitation_and_its_link_stops_working(ch, tinv, smtp):
    at = logged_in_app(ADMIN, page="app_pages/users.py")
    _submit(at, "Send invitation", texts={"inv_email": "withdrawn@tinv.example"})
    token = _token(smtp, "withdrawn@tinv.example")
    at.selectbox(key="inv_pick").set_value("withdrawn@tinv.example")
    at.button(key="inv_revoke").click().run()
    assert not at.exception, at.exception
    assert any("Invitation of withdrawn@tinv.example withdrawn" in s.value for s in at.success)
    table = next(d.value for d in at.dataframe if "Valid through" in d.value.columns)
    assert table.set_index("E-mail").at["withdrawn@tinv.example", "State"] == "withdrawn"
    link = _open_link(token)
    assert any("was withdrawn" in e.value for e in link.error), link.error


def test_expired_and_unknown_links_get_a_clear_message_and_no_form(ch, tinv, smtp, monkeypatch):
    from dashboards.auth import Principal
    from workspace import invitations

    inv = invitations.invite(ch, Principal(T, ADMIN, "admin"), "late@tinv.example", "analyst", days=2)
    token = _token(smtp, "late@tinv.example")
    monkeypatch.setenv(clock.ENV, (inv.expires_on + dt.timedelta(days=1)).isoformat())
    at = _open_link(token)
    assert any(f"expired on {inv.expires_on.isoformat()}" in e.value for e in at.error), at.error
    assert not at.text_input
    _button(at, "Go to the sign-in form").click()
    at.run()
    assert at.text_input(key="login_name") is not None  # the ordinary sign-in form
    unknown = _open_link("A" * 43, lang="ru")
    assert any("ссылка-приглашение недействительна" in e.value for e in unknown.error), unknown.error


def test_a_suspended_user_is_signed_out_at_the_next_rerun(ch, tinv):
    from dashboards import auth
    from dashboards.auth import Principal
    from workspace import users

    at = logged_in_app(MEMBER)
    assert MEMBER in _signed_in_as(at)
    users.set_active(ch, Principal(T, ADMIN, "admin"), MEMBER, False)
    try:
        at.run()
        assert not at.exception, at.exception
        assert not _signed_in_as(at)
        ended = i18n.t(auth.SESSION_ENDED, "en")  # the catalogue's notice, in the member's language (English)
        assert ended.startswith("your account was deactivated or removed"), ended
        assert any(ended in w.value for w in at.warning), [w.value for w in at.warning]
        assert at.text_input(key="login_name") is not None
    finally:
        users.set_active(ch, Principal(T, ADMIN, "admin"), MEMBER, True)


def test_profile_page_changes_name_language_default_client_and_password(ch, tinv):
    from dashboards import auth

    login = "inv-profile@tinv"
    auth.add_user(ch, tenant_id=T, login=login, role="pm", password=PASSWORD)
    at = logged_in_app(login, page="app_pages/profile.py")
    assert not at.exception, at.exception
    _submit(at, "Save profile", texts={"pr_name": "Мария"}, picks={"pr_lang": "ru", "pr_client": "inv-beta"})
    assert at.title[0].value == "Профиль"  # the language applies at once
    assert any("Профиль сохранён" in s.value for s in at.success)
    # own password: the current one is required
    new_pw = {"pr_new": "brand-new-pass-7", "pr_again": "brand-new-pass-7"}
    _submit(at, "Сменить пароль", texts={"pr_current": "not-my-password", **new_pw})
    assert any("Текущий пароль" in e.value and "неверный пароль" in e.value for e in at.error), at.error
    _submit(at, "Сменить пароль", texts={"pr_current": PASSWORD, **new_pw})
    assert any("Пароль изменён" in s.value for s in at.success), at.success
    assert auth.authenticate(ch, login, "brand-new-pass-7").display_name == "Мария"

    # A new sign-in opens in the profile's language on its default client; a link naming them wins.
    for query, lang, client in (
        ({}, "ru", "inv-beta"),
        ({"lang": "en", "client": "inv-alpha"}, "en", "inv-alpha"),
    ):
        fresh = AppTest.from_file(str(APP), default_timeout=60)
        for k, v in query.items():
            fresh.query_params[k] = v
        fresh.run()
        _submit(
            fresh,
            "Войти" if not query else "Sign in",
            texts={"login_name": login, "login_password": "brand-new-pass-7"},
        )
        assert fresh.session_state["ui_lang"] == lang, query
        assert fresh.sidebar.selectbox(key="client_sel").value == client, query
