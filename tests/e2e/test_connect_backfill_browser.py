"""Acceptance of issue 13's connections flow in a real browser (Debian chromium via Playwright): from an empty tenant
the admin creates a client, connects a sandbox Yandex Direct agency account through OAuth (the sandbox's authorize
page sends the browser back with code and state), discovers the agency's advertiser logins and connects two,
starts a 30-day backfill (a Dagster run through `dagster dev`), watches it finish on the page, and sees the
client's numbers on Overview — equal to what the run put in the marts.

Everything is real and local: a warehouse of this module's own, the sandbox APIs, `dagster dev` (webserver + daemon)
and the Streamlit app. Dates come from the injected today (mrm.clock; MRM_TODAY pins it for every process)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from dashboards import auth
from dashboards.ui import fmt_num
from ingestion.sandbox.generator import World
from ingestion.sandbox.server import SandboxServer
from mrm import clock
from tests.e2e.test_dashboards_browser import _settle, app_url, browser  # noqa: F401
from tests.e2e.test_workspace_browser import _login_empty_tenant, _open
from tests.integration.dashboards.conftest import PASSWORD
from tests.integration.workspace.test_sync_runs import announce_sandbox, running_dagster
from tests.machine import ui_timeout_ms

pytestmark = pytest.mark.browser
T = "e2e_sync"  # an empty tenant: the admin creates everything in the browser
ADMIN = "sync-admin@e2e"
CLIENT = "e2e-shoes"
TODAY = clock.today()
BACKFILL_DAYS = 30
# The app's MRM_SECRET_KEY (tests/e2e/test_dashboards_browser.app_url): the run decrypts the grant's token with it.
APP_SECRET_KEY = "e2e-session-cookie-key-0123456789abcdef"


@pytest.fixture(scope="module")
def stack(private_ch, tmp_path_factory) -> Iterator[dict[str, str]]:
    """Warehouse, sandbox (today = the injected today) and `dagster dev`; the app's environment set for app_url."""
    from warehouse.migrate import migrate

    migrate(private_ch)
    auth.add_user(private_ch, tenant_id=T, login=ADMIN, role="admin", password=PASSWORD)
    data = tmp_path_factory.mktemp("connect-backfill")
    warehouse = os.environ["CLICKHOUSE_URL"]
    with SandboxServer(World(today=TODAY)) as sandbox:
        announce_sandbox(data, sandbox)
        extra = {"MRM_SECRET_KEY": APP_SECRET_KEY, clock.ENV: TODAY.isoformat()}
        with (
            running_dagster(data, warehouse, platforms="yandex_direct", extra_env=extra) as dagster,
            pytest.MonkeyPatch.context() as env,
        ):
            # app_url starts Streamlit with this process's environment.
            for k, v in {
                "MRM_DATA_DIR": str(data),
                "MRM_DAGSTER_URL": dagster,
                clock.ENV: TODAY.isoformat(),
            }.items():
                env.setenv(k, v)
            yield {"warehouse": warehouse, "dagster": dagster}


@pytest.fixture(scope="module")
def warehouse_url(stack) -> str:
    """app_url's warehouse: this module's own (overrides the session one)."""
    return stack["warehouse"]


@pytest.fixture(scope="module")
def dash(stack) -> dict[str, str]:
    """app_url's marts: the dbt marts the sync run builds (overrides the sample marts)."""
    return {"db": "marts"}


def test_admin_connects_direct_through_oauth_backfills_30_days_and_sees_the_numbers(
    browser,  # noqa: F811
    app_url,  # noqa: F811
    private_ch,
    stack,
    artifacts_dir,
) -> None:
    ch = private_ch
    page = _login_empty_tenant(browser, app_url, ADMIN)
    _open(page, "Clients")
    page.get_by_role("textbox", name="Client id").fill(CLIENT)
    page.get_by_role("textbox", name="Name", exact=True).fill("Обувь (e2e)")
    page.get_by_role("button", name="Add client").click()
    page.get_by_text(f"Client {CLIENT} added").wait_for()
    _settle(page)

    # Connect through OAuth: the consent link opens the sandbox's authorize page in a new tab, which redirects back
    # to the Connections page with code and state.
    _open(page, "Connections")
    page.get_by_text("This client has no ad accounts").wait_for()
    page.get_by_role("button", name="Connect Yandex Direct").click()
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Continue to Yandex Direct").click()
    cb = opened.value
    cb.set_default_timeout(ui_timeout_ms())
    cb.wait_for_url("**/connections?**")
    # The callback's new session speaks the language the connection began in (English, from the state: the
    # redirect names none, and the admin's profile names none either, whose default would be Russian) and opens the
    # grant's account list.
    cb.get_by_text("Yandex Direct access granted").wait_for()
    cb.get_by_text("shoes-direct").first.wait_for()
    _settle(cb)
    assert "code=" not in cb.url and "state=" not in cb.url, cb.url  # a reload cannot replay the callback
    cb.screenshot(path=artifacts_dir / "01_callback.png", full_page=True)
    grants = ch.query(
        "SELECT platform, client_id, status FROM app.oauth_grants FINAL WHERE tenant_id = {t:String}",
        parameters={"t": T},
    ).result_rows
    assert grants == [("yandex_direct", CLIENT, "active")]
    page.close()

    # Opened again: the grant stays listed; discovery finds the agency's advertisers, two are connected.
    cb.goto(f"{app_url}/connections?lang=en&client={CLIENT}")
    cb.get_by_role("heading", name="Connections").wait_for()
    _settle(cb)
    cb.get_by_role("button", name="Find accounts").click()
    cb.get_by_text("account(s) found").wait_for()
    _settle(cb)
    for login in ("shoes-direct", "auto-direct"):
        # Streamlit draws its own box over a hidden input: a person (and the test) clicks the label.
        cb.get_by_test_id("stCheckbox").filter(has_text=login).locator("label").first.click()
        expect(cb.get_by_role("checkbox", name=login)).to_be_checked()
    cb.get_by_role("button", name="Connect selected").click()
    cb.get_by_text("2 account(s) connected: shoes-direct, auto-direct").wait_for()
    _settle(cb)
    accounts = ch.query(
        "SELECT account_id, client_id FROM app.accounts FINAL WHERE tenant_id = {t:String} ORDER BY account_id",
        parameters={"t": T},
    ).result_rows
    assert accounts == [("auto-direct", CLIENT), ("shoes-direct", CLIENT)]

    # A 30-day backfill of both accounts (the form's default start), followed on the page until it succeeds.
    first, last = TODAY - dt.timedelta(days=BACKFILL_DAYS), TODAY - dt.timedelta(days=1)
    cb.get_by_role("button", name="Backfill from the date").click()
    try:
        cb.get_by_text(f"days {first} to {last}").wait_for()
    except Exception:
        cb.screenshot(path=artifacts_dir / "02_run_not_started.png", full_page=True)
        (artifacts_dir / "02_run_not_started.txt").write_text(cb.inner_text("body"))
        raise
    link = cb.get_by_role("link", name="open in Dagster")
    assert link.get_attribute("href").startswith(f"{stack['dagster']}/runs/")
    cb.screenshot(path=artifacts_dir / "02_run_started.png", full_page=True)
    cb.get_by_text("finished successfully").wait_for(timeout=ui_timeout_ms() * 20)
    _settle(cb)
    cb.screenshot(path=artifacts_dir / "03_run_finished.png", full_page=True)
    runs = ch.query(
        "SELECT account_id, status, date_from, date_to FROM app.sync_runs FINAL WHERE tenant_id = {t:String} "
        "ORDER BY account_id",
        parameters={"t": T},
    ).result_rows
    assert runs == [("auto-direct", "SUCCESS", first, last), ("shoes-direct", "SUCCESS", first, last)]

    # Overview: the client's impressions over the default period (the last 30 days) are the marts' numbers.
    expected = ch.query(
        "SELECT sum(impressions) FROM marts.fct_campaign_daily WHERE tenant_id = {t:String} "
        "AND client_id = {c:String} AND date_day BETWEEN {f:Date} AND {l:Date}",
        parameters={"t": T, "c": CLIENT, "f": first, "l": last},
    ).result_rows[0][0]
    assert expected and expected > 0
    _open(cb, "Overview")
    tile = cb.locator("[data-testid=stMetric]").filter(has_text="Impressions")
    expect(tile).to_contain_text(fmt_num(expected, 0, "en"), timeout=ui_timeout_ms())
    cb.screenshot(path=artifacts_dir / "04_overview.png", full_page=True)
    cb.context.close()
