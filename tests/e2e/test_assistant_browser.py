"""The Assistant and Projects pages in a real browser: ask the analyst, follow up in the thread, give feedback, have
the project assistant create a project and open it on the Projects page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_dashboards_browser import _go, _login, _settle, app_url, browser  # noqa: F401 - fixtures
from tests.integration.dashboards.conftest import END, dash  # noqa: F401 - `dash` is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dash")]
ASK = "For example: “VK spend last week”, then “and on Direct?”"


def _ask(page, text: str) -> None:
    page.get_by_placeholder(ASK).fill(text)
    page.get_by_placeholder(ASK).press("Enter")


@pytest.mark.timeout(1800)  # a real browser on a loaded 2-core machine; the waits themselves are on states
def test_ask_follow_up_and_give_feedback(browser, app_url, artifacts_dir, ch):  # noqa: F811
    page = _login(browser, app_url, "it-pm@t1", query="lang=en&client=acme")
    _go(page, "Assistant")
    _ask(page, "What was the spend yesterday?")
    page.get_by_text(f"Totals on {END} (all platforms)").first.wait_for()
    _settle(page)
    _ask(page, "and on VK?")
    page.get_by_text(f"Totals on {END} (vk_ads)").first.wait_for()
    _settle(page)
    page.get_by_role("button", name="Helpful", exact=True).last.click()
    page.get_by_text("Thank you, feedback saved").first.wait_for()
    rows = ch.query(
        "SELECT question, rating FROM app.assistant_feedback FINAL WHERE tenant_id = 'dash_t1' "
        "AND login = 'it-pm@t1' ORDER BY created_at DESC LIMIT 1"
    ).result_rows
    assert rows == [("and on VK?", 1)]
    page.screenshot(path=artifacts_dir / "assistant_chat.png", full_page=True)
    page.context.close()


@pytest.mark.timeout(1800)  # a real browser on a loaded 2-core machine; the waits themselves are on states
def test_the_project_assistant_creates_a_project_on_the_projects_page(browser, app_url, artifacts_dir, ch):  # noqa: F811
    page = _login(browser, app_url, "it-pm@t1", query="lang=en&client=acme")
    _go(page, "Assistant")
    page.get_by_text("Project assistant", exact=True).click()
    expect(page.get_by_role("radio", name="Project assistant")).to_be_checked()
    _settle(page)
    _ask(page, "Launch a spring campaign for Acme on VK and Direct with a video.")
    page.get_by_text("Project saved:").first.wait_for()
    pid, name = ch.query(
        "SELECT project_id, name FROM app.projects FINAL WHERE tenant_id = 'dash_t1' AND "
        "created_by = 'it-pm@t1' ORDER BY created_at DESC LIMIT 1"
    ).result_rows[0]
    _go(page, "Projects")
    page.get_by_role("heading", name=name).wait_for()  # the newest project is the one selected
    tasks = ch.query(
        "SELECT count() FROM app.project_tasks FINAL WHERE tenant_id = 'dash_t1' AND project_id = {p:String}",
        parameters={"p": pid},
    ).result_rows[0][0]
    assert tasks >= 3
    page.screenshot(path=artifacts_dir / "projects_page.png", full_page=True)
    page.context.close()
