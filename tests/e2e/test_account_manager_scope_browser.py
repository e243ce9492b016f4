"""An account manager limited to one client, in a real browser (Debian chromium) against the real Streamlit server:
the client selector offers only the assigned client, a tampered `?client=` link to the tenant's other client shows
an error and no numbers on every page that takes a client, the Campaigns downloads hold only the assigned client's
rows, and once the admin assigns the second client it is offered at the next rerun.

The app, the browser and the sample marts are the dashboards suite's fixtures (dash_t1: acme and romashka)."""

from __future__ import annotations

import csv
import io
import uuid

import pandas as pd
import pytest

from dashboards.auth import Principal, add_user
from tests.e2e import test_dashboards_browser as app
from tests.e2e.test_dashboards_browser import app_url, browser  # noqa: F401 - fixtures by name
from tests.integration.dashboards.conftest import PASSWORD, dash  # noqa: F401 - `dash` is a fixture
from workspace import access

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dash")]
TENANT = "dash_t1"
DENIED = "Access denied: no access to client 'romashka'"
# Every page of the AM's navigation that shows one client's data (url paths; Overview is the root).
CLIENT_PAGES = [
    "",
    "campaigns",
    "channels",
    "plan-fact",
    "reach",
    "insights",
    "reports",
    "media-plans",
    "projects",
    "assistant",
]


@pytest.fixture
def am(ch) -> str:
    """An account manager of dash_t1 assigned to acme only (a login of its own)."""
    login = f"it-am-scope-{uuid.uuid4().hex[:6]}@t1"
    add_user(ch, tenant_id=TENANT, login=login, role="account_manager", password=PASSWORD)
    access.set_client_scope(ch, _admin(), login, all_clients=False, client_ids=("acme",))
    return login


def _admin() -> Principal:
    return Principal(TENANT, "it-admin-scope@t1", "admin")


def _offered_clients(page) -> list[str]:
    page.get_by_role("combobox", name="Client").click()
    options = page.get_by_role("option")
    options.first.wait_for()
    names = [o.strip() for o in options.all_inner_texts()]
    page.keyboard.press("Escape")
    return names


def test_an_account_manager_sees_downloads_and_links_only_their_client(
    browser, app_url, am, ch, artifacts_dir
):  # noqa: F811
    page = app._login(browser, app_url, am, query="lang=en&client=acme")
    app._settle(page)
    assert _offered_clients(page) == ["ООО «Акме»"]

    # Downloads of the Campaigns page: only acme's campaigns, in the CSV and in the XLSX.
    app._go(page, "Campaigns")
    path = app._download(page, "Download CSV", artifacts_dir / "am_scope.csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    names = [r["Campaign name"] for r in rows if r["Platform"] != "Total"]
    assert names and all(n.startswith(f"{TENANT}/acme: ") for n in names), names
    xlsx = pd.read_excel(app._download(page, "Download XLSX", artifacts_dir / "am_scope.xlsx"))
    in_xlsx = [str(n) for n in xlsx["Campaign name"].dropna() if str(n).startswith(f"{TENANT}/")]
    assert sorted(in_xlsx) == sorted(names)

    # A tampered link to the other client, on every page that takes a client: the error, no numbers.
    for url in CLIENT_PAGES:
        page.goto(f"{app_url}/{url}?lang=en&client=romashka")
        page.get_by_text(DENIED).first.wait_for()
        app._settle(page)
        assert page.locator("[data-testid=stMetric]").count() == 0, url
        assert page.locator("[data-testid=stDataFrame]").count() == 0, url
        assert page.get_by_text("Ромашка").count() == 0 and page.get_by_text("romashka:").count() == 0, url
        page.screenshot(path=artifacts_dir / f"am_scope_denied_{url or 'overview'}.png", full_page=True)
        assert page.url.startswith(f"{app_url}/{url}?")  # the page asked for, refused

    # The admin assigns romashka as well: the next rerun offers it, and its numbers open.
    page.goto(f"{app_url}/?lang=en&client=acme")
    page.get_by_role("heading", name="Overview").wait_for()
    app._settle(page)
    access.set_client_scope(ch, _admin(), am, all_clients=False, client_ids=("acme", "romashka"))
    app._go(page, "Channels")
    page.screenshot(path=artifacts_dir / "am_scope_after_rerun.png", full_page=True)
    assert sorted(_offered_clients(page)) == ["ООО «Акме»", "Ромашка"]
    page.goto(f"{app_url}/?lang=en&client=romashka")
    page.get_by_role("heading", name="Overview").wait_for()
    page.locator("[data-testid=stMetric]").first.wait_for()
    assert page.get_by_text(DENIED).count() == 0
    page.context.close()
