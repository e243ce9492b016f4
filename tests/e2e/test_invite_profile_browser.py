"""Invitation to sign-in in a real browser (Debian chromium) against a real Streamlit server, the embedded warehouse
and a real SMTP server: the admin invites from the Users page, the link from the delivered e-mail opens the
"accept invitation" form, the person chooses a password and lands signed in, changes it on the Profile page, the
link does not work twice, and a suspension signs the person out at their next rerun."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.policy import default
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.test_dashboards_browser import _login, _settle, app_url, browser  # noqa: F401 - fixtures
from tests.e2e.test_workspace_browser import _open
from tests.integration.dashboards.conftest import dash  # noqa: F401 - `dash` is a fixture
from tests.integration.dashboards.test_invite_profile_pages import ADMIN, T, tinv  # noqa: F401 - `tinv` is a fixture
from tests.integration.delivery.test_delivery import smtp  # noqa: F401 - the SMTP sink fixture
from tests.machine import ui_timeout_ms

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dash")]
EMAIL = "browser.invitee@tinv.example"


def _link_path(sink, email: str) -> str:
    """Path and query of the invitation link in the e-mail delivered to `email` (the host is the test server's)."""
    content = next(c for to, c in reversed(sink.messages) if to == [email])
    link = re.search(
        r"https?://\S+/\?invite=[A-Za-z0-9_-]+", message_from_bytes(content, policy=default).get_content()
    )
    assert link, "no invitation link in the e-mail"
    parts = urlsplit(link.group(0))
    return f"/?{parts.query}"


def _fresh_page(browser, url: str):  # noqa: F811 - the fixture's value
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(ui_timeout_ms())
    page.goto(url)
    return page


# smtp comes before app_url: the app's server process takes the SMTP settings from the environment it starts with.
def test_invite_accept_profile_password_reuse_and_suspension(smtp, tinv, browser, app_url, ch, artifacts_dir):  # noqa: F811
    from dashboards.auth import Principal, authenticate
    from workspace import users

    admin = _login(browser, app_url, ADMIN)
    _open(admin, "Users")
    admin.get_by_role("textbox", name="E-mail", exact=True).fill(EMAIL)
    admin.get_by_role("button", name="Send invitation").click()
    admin.get_by_text(f"Invitation sent to {EMAIL}").wait_for()
    admin.screenshot(path=artifacts_dir / "invite_sent.png", full_page=True)

    link = _link_path(smtp, EMAIL)
    page = _fresh_page(browser, f"{app_url}{link}&lang=en")
    page.get_by_role("button", name="Create the account and sign in").wait_for()
    _settle(page)
    # The form is prefilled with the invited address (waited for: the field is drawn before its value arrives).
    expect(page.get_by_role("textbox", name="Login", exact=True)).to_have_value(
        EMAIL, timeout=ui_timeout_ms()
    )
    page.get_by_role("textbox", name="Your name").fill("Браузерный Гость")
    page.get_by_role("textbox", name="Password", exact=True).fill("browser-pass-1")
    page.get_by_role("textbox", name="Password again").fill("browser-pass-1")
    page.screenshot(path=artifacts_dir / "invite_accept_form.png", full_page=True)
    page.get_by_role("button", name="Create the account and sign in").click()
    page.get_by_role("heading", name="Overview").wait_for()
    _settle(page)
    assert "Браузерный Гость" in page.locator("[data-testid=stSidebar]").inner_text()
    assert "invite=" not in page.url
    assert authenticate(ch, EMAIL, "browser-pass-1").role == "analyst"

    _open(page, "Profile")
    page.get_by_role("textbox", name="Current password").fill("browser-pass-1")
    page.get_by_role("textbox", name="New password").fill("browser-pass-2")
    page.get_by_role("textbox", name="Password again").fill("browser-pass-2")
    page.get_by_role("button", name="Change password").click()
    page.get_by_text("Password changed").wait_for()
    assert authenticate(ch, EMAIL, "browser-pass-2").login == EMAIL

    again = _fresh_page(browser, f"{app_url}{link}&lang=en")
    again.get_by_text("this invitation has already been used").wait_for()
    assert again.get_by_role("button", name="Create the account and sign in").count() == 0
    again.context.close()

    users.set_active(ch, Principal(T, ADMIN, "admin"), EMAIL, False)
    _settle(page)
    page.get_by_role("link", name="Overview").click()  # the next rerun
    page.get_by_role("button", name="Sign in").wait_for()
    page.get_by_text("your account was deactivated or removed").wait_for()
    page.screenshot(path=artifacts_dir / "invite_suspended_signed_out.png", full_page=True)
    page.context.close()
    admin.context.close()
