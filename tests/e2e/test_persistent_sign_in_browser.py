"""Persistent sign-in in a real browser: a reload and a new tab keep the user on the page asked for; signing out
ends it for good (a reload shows the sign-in form again)."""

from __future__ import annotations

import pytest

from tests.e2e.test_dashboards_browser import _login, _settle, app_url, browser  # noqa: F401 - fixtures
from tests.integration.dashboards.conftest import dash  # noqa: F401 - `dash` is a fixture
from tests.machine import ui_timeout_ms

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dash")]


def _cookie(page) -> str | None:
    return next((c["value"] for c in page.context.cookies() if c["name"] == "mrm_session"), None)


def test_reload_new_tab_and_sign_out(browser, app_url, artifacts_dir):  # noqa: F811 - fixtures by name
    page = _login(browser, app_url, "it-pm@t1", query="lang=en&client=acme")
    # The cookie is handed over by the first run after the sign-in: wait for that state, not for time.
    page.wait_for_function("document.cookie.includes('mrm_session=')")
    assert _cookie(page)
    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("heading", name="Campaigns").wait_for()
    _settle(page)
    assert "/campaigns" in page.url

    page.reload()  # F5: same page, still signed in, no sign-in form
    page.get_by_role("heading", name="Campaigns").wait_for()
    _settle(page)
    assert page.get_by_role("button", name="Sign in").count() == 0
    assert "it-pm@t1" in page.locator("[data-testid=stSidebar]").inner_text()

    tab = page.context.new_page()  # a new tab with a shared link opens that page signed in
    tab.goto(f"{app_url}/channels?lang=en&client=acme")
    tab.get_by_role("heading", name="Channels").wait_for()
    _settle(tab)
    assert tab.get_by_role("button", name="Sign in").count() == 0
    # The navigation is labelled in the link's language from the tab's first run (it was Russian before).
    nav = tab.locator("[data-testid=stSidebarNav]").inner_text()
    assert "Campaigns" in nav and "Кампании" not in nav, nav
    tab.screenshot(path=artifacts_dir / "persistent_sign_in_new_tab.png", full_page=True)
    tab.close()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for()
    page.wait_for_function("!document.cookie.includes('mrm_session=')")
    page.reload()
    page.get_by_role("button", name="Sign in").wait_for()
    assert page.get_by_role("heading", name="Campaigns").count() == 0
    page.context.close()


def test_a_shared_link_shows_the_sign_in_form_then_the_page_asked_for(browser, app_url):  # noqa: F811
    from tests.integration.dashboards.conftest import PASSWORD

    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(ui_timeout_ms())
    page.goto(f"{app_url}/channels?lang=en&client=acme")
    page.get_by_role("button", name="Sign in").wait_for()
    _settle(page)
    assert page.get_by_text("Page not found").count() == 0
    page.get_by_role("textbox", name="Login").fill("it-pm@t1")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Channels").wait_for()
    _settle(page)
    assert "/channels" in page.url
    ctx.close()
