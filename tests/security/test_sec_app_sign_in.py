"""Issue 21 findings 5 and 6: brute force, OIDC identity, stale sessions, and what sign-out leaves behind.

Everything runs against the real warehouse and the real app (Streamlit AppTest through the real log-in form).
Time is injected (`now=`) where the backoff is checked, so no test races the clock or sleeps.
"""

from __future__ import annotations

import time
import uuid

import pytest

from dashboards import auth
from mrm import i18n
from tests.security.conftest import PASSWORD, T1, logged_in_app, rendered_text

pytestmark = pytest.mark.usefixtures("sec_world")

ISSUER = "https://idp.example.test"


def _user(ch, role: str = "pm", **kw) -> str:
    login = f"sec-{role}-{uuid.uuid4().hex[:8]}@t1"
    auth.add_user(ch, tenant_id=T1, login=login, role=role, password=PASSWORD, **kw)
    return login


def _deactivate(ch, login: str) -> None:
    ch.command(
        "INSERT INTO app.users SELECT * REPLACE (0 AS is_active, now64(3) AS updated_at) "
        "FROM app.users FINAL WHERE login = {l:String}",
        parameters={"l": login},
    )


# ------------------------------------------------------------------------------------------ finding 5: brute force


def test_password_guessing_on_one_login_is_throttled_with_growing_waits(ch):
    login = _user(ch)
    t0 = time.time()
    for i in range(auth.LOGIN_FREE_FAILURES):
        with pytest.raises(auth.AuthError, match="wrong login or password"):
            auth.authenticate(ch, login, f"guess-{i}-xxxx", now=t0 + i * 0.01)
    # The next attempt, even with the right password, must wait: no scrypt runs, no hint whether it was right.
    with pytest.raises(auth.Throttled) as err:
        auth.authenticate(ch, login, PASSWORD, now=t0 + 0.1)
    first_wait = err.value.retry_after
    assert (
        0 < first_wait <= auth.BACKOFF_BASE_S
        and "try again" in str(err.value)
        and "повторите" in i18n.explain(err.value, "ru")
    )
    # After the wait one more guess is allowed; a failure doubles the wait.
    t1 = t0 + 0.1 + first_wait + 0.01
    with pytest.raises(auth.AuthError, match="wrong login or password"):
        auth.authenticate(ch, login, "guess-late-xxxx", now=t1)
    with pytest.raises(auth.Throttled) as err:
        auth.authenticate(ch, login, PASSWORD, now=t1 + 0.01)
    assert err.value.retry_after > first_wait * 1.5
    # The owner gets in after waiting, and a success resets the login's count.
    t2 = t1 + err.value.retry_after + 0.01
    assert auth.authenticate(ch, login, PASSWORD, now=t2).login == login
    with pytest.raises(auth.AuthError, match="wrong login or password"):
        auth.authenticate(ch, login, "one-typo-xxxx", now=t2 + 0.01)
    throttled = ch.query(
        "SELECT count() FROM app.audit_log WHERE login = {l:String} AND outcome = 'throttled'",
        parameters={"l": login},
    ).result_rows[0][0]
    assert throttled == 2


def test_guessing_many_logins_from_one_address_is_throttled_per_address(ch):
    victim = _user(ch)
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    t0 = time.time()
    for i in range(auth.ADDRESS_FREE_FAILURES):  # password spraying: one guess per login, many logins
        with pytest.raises(auth.AuthError, match="wrong login or password"):
            auth.authenticate(
                ch, f"nobody-{uuid.uuid4().hex[:6]}@t1", "spray-pass-1", address=address, now=t0 + i * 0.01
            )
    with pytest.raises(auth.Throttled):
        auth.authenticate(ch, victim, PASSWORD, address=address, now=t0 + 1)
    # Other addresses are not affected, and a success does not reset the address's count.
    assert auth.authenticate(ch, victim, PASSWORD, address="203.0.113.9", now=t0 + 1).login == victim
    with pytest.raises(auth.Throttled):
        auth.authenticate(ch, victim, PASSWORD, address=address, now=t0 + 1.1)


def test_the_sign_in_form_refuses_a_throttled_login_even_with_the_right_password(ch):
    login = _user(ch)
    now = time.time()
    for _ in range(auth.LOGIN_FREE_FAILURES + 5):  # recent failures: the wait is a minute or more
        auth.record_attempt(ch, login, "", False, now=now)
    at = logged_in_app(login)
    assert any("too many failed sign-ins" in e.value for e in at.error), [e.value for e in at.error]
    assert "principal" not in at.session_state and not at.metric


# ------------------------------------------------------------------------------------------ finding 5: OIDC


def _claims(email: str, sub: str, **extra):
    return {
        "iss": ISSUER,
        "sub": sub,
        "email": email,
        "email_verified": True,
        "exp": time.time() + 600,
        **extra,
    }


def test_oidc_needs_a_verified_email_the_pinned_issuer_and_keys_users_by_subject(ch):
    email = f"sso-{uuid.uuid4().hex[:8]}@example.test"
    auth.add_user(ch, tenant_id=T1, login=email, role="analyst", password=None, auth_source="oidc")
    sub = uuid.uuid4().hex
    for bad, msg in (
        ({"email_verified": None}, "verified"),
        ({"email_verified": "true"}, "verified"),
        ({"email_verified": False}, "verified"),
        ({"iss": "https://evil.example"}, "issuer"),
        ({"sub": ""}, "subject"),
    ):
        claims = _claims(email, sub)
        claims.update(bad)
        if bad.get("email_verified", True) is None:
            del claims["email_verified"]
        with pytest.raises(auth.AuthError, match=msg):
            auth.principal_from_oidc(ch, claims, issuer=ISSUER)
    with pytest.raises(auth.AuthError, match="not configured"):  # no pinned issuer: nothing is accepted
        auth.principal_from_oidc(ch, _claims(email, sub), issuer="")
    # The first verified sign-in binds issuer + subject; later the e-mail may change, the subject decides.
    assert auth.principal_from_oidc(ch, _claims(email, sub), issuer=ISSUER).login == email
    assert auth.principal_from_oidc(ch, _claims("renamed@example.test", sub), issuer=ISSUER).login == email
    # Someone else who gets the same (verified) e-mail at the provider is a different subject: refused.
    with pytest.raises(auth.AuthError, match="no access"):
        auth.principal_from_oidc(ch, _claims(email, uuid.uuid4().hex), issuer=ISSUER)
    stored = ch.query(
        "SELECT oidc_issuer, oidc_subject FROM app.users FINAL WHERE login = {l:String}",
        parameters={"l": email},
    ).result_rows
    assert stored == [(ISSUER, sub)]


# ------------------------------------------------------------------------------------------ finding 5: stale session


def test_a_deactivated_users_open_session_is_signed_out_on_the_next_interaction(ch):
    login = _user(ch)
    at = logged_in_app(login, query={"client": "acme"})
    assert [t.value for t in at.title] == ["Overview"] and at.metric
    _deactivate(ch, login)
    at.run()
    assert "principal" not in at.session_state
    assert not at.metric and "Acme Ours" not in rendered_text(at)
    assert any("deactivated" in w.value for w in at.warning), [w.value for w in at.warning]


def test_a_role_change_applies_to_the_open_session_at_once(ch):
    login = _user(ch, role="pm")
    at = logged_in_app(login, query={"client": "acme"})
    assert at.session_state["principal"].can("ask")
    auth.add_user(ch, tenant_id=T1, login=login, role="client", password=PASSWORD, client_id="acme")
    at.run()
    assert at.session_state["principal"].role == "client" and not at.session_state["principal"].can("ask")
    with pytest.raises(
        ValueError, match="Could not find a navigation page"
    ):  # gone from the navigation at once
        at.switch_page("app_pages/assistant.py")


# ------------------------------------------------------------------------------------------ finding 6: sign-out


def test_sign_out_leaves_nothing_of_the_previous_user_in_the_tab(ch):
    first = _user(ch, role="pm")
    at = logged_in_app(first, query={"client": "acme"})
    at.switch_page("app_pages/assistant.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.radio(key="asst_agent").set_value("Knowledge base").run()  # the chat kept in the browser session
    at.chat_input(key="chat_q").set_value("What is the CPA target for acme?").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["chat_history"], "the chat did not record the question"
    at.session_state["report_files"] = object()  # what the reports page keeps after a build
    at.session_state["plan_fixes"] = {"B": "budget_net"}
    at.button(key="logout_btn").click().run()
    for key in ("principal", "chat_history", "report_files", "plan_fixes", "client_sel", "period_sel"):
        assert key not in at.session_state, key
    second = _user(ch, role="analyst")
    at.text_input(key="login_name").input(second)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert at.session_state["principal"].login == second
    at.switch_page("app_pages/assistant.py").run()
    at.radio(key="asst_agent").set_value("Knowledge base").run()
    assert "CPA target for acme" not in rendered_text(at) and not at.chat_message
