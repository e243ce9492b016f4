"""Releasing a client report, in a real browser: the account manager builds it, the client's user cannot see it,
the account manager releases it, the client's user downloads it and finds the cover with the change."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.test_dashboards_browser import (  # noqa: F401 - fixtures by name
    _download,
    _go,
    _login,
    _settle,
    app_url,
    browser,
)
from tests.integration.dashboards.conftest import END, dash  # noqa: F401 - `dash` is a fixture
from tests.machine import ui_timeout_ms

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dash")]
FROM, TO = END - dt.timedelta(days=40), END - dt.timedelta(days=34)  # a period no other suite builds
QUERY = f"lang=en&client=acme&from={FROM}&to={TO}"


def test_the_client_downloads_a_report_only_after_the_account_manager_released_it(
    browser,  # noqa: F811
    app_url,  # noqa: F811
    artifacts_dir,
):
    from pypdf import PdfReader

    am = _login(browser, app_url, "it-am@t2", query=QUERY)
    _go(am, "Reports")
    am.get_by_role("button", name="Build report").click()
    am.get_by_text("Report ready").wait_for(timeout=ui_timeout_ms() * 3)
    am.get_by_text("The client cannot see this report yet").wait_for()

    client = _login(browser, app_url, "it-client-acme@t2", query=QUERY)
    client.get_by_role("link", name="Reports").click()  # its page also has "Reports released to you"
    client.get_by_role("heading", name="Reports", exact=True).wait_for()
    _settle(client)
    client.get_by_text("has not been released to you yet").wait_for()
    client.screenshot(path=artifacts_dir / "01_client_before_release.png", full_page=True)
    assert client.get_by_role("button", name="Download PDF").count() == 0

    am.get_by_role("button", name="Release to the client").click()
    am.get_by_text("Released to the client (it-am@t2)").wait_for()
    _settle(am)
    am.screenshot(path=artifacts_dir / "02_released.png", full_page=True)

    client.reload()
    client.get_by_role("heading", name="Reports", exact=True).wait_for()
    _settle(client)
    client.get_by_role("button", name="Download PDF").wait_for()
    client.screenshot(path=artifacts_dir / "03_client_after_release.png", full_page=True)
    pdf = _download(client, "Download PDF", artifacts_dir / "report.pdf")
    cover = PdfReader(str(pdf)).pages[0].extract_text()
    assert "Advertising report" in cover and "Compared with" in cover, cover
    am.context.close()
    client.context.close()
