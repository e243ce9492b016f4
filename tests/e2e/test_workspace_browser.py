"""The workspace and delivery pages in a real browser (Debian chromium via Playwright, real Streamlit server,
embedded warehouse): an admin of an empty tenant adds a client (a wrong INN is refused first) and its ad account;
a PM sets a weekly e-mail and Telegram report schedule, links the client's chat with the page's one-time code (Bot
API emulator), runs the alert rules after a failed load, acknowledges the alert and sets the client's alert
thresholds."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from playwright.sync_api import expect

from delivery import telegram as tg
from ingestion.sandbox.server import SandboxServer
from ingestion.sandbox.telegram import BOT_TOKEN
from tests.e2e.test_dashboards_browser import _go, _login, _settle, app_url, browser  # noqa: F401
from tests.integration.dashboards.conftest import END, PASSWORD, dash  # noqa: F401 - `dash` is a fixture
from tests.machine import ui_timeout_ms

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dash")]
T = "dash_lb"  # a tenant of its own, empty until the admin adds a client in the browser


@pytest.fixture(scope="module")
def team(ch):
    from dashboards import auth

    for login, role in (("lb-admin@tl", "admin"), ("lb-pm@tl", "pm")):
        auth.add_user(ch, tenant_id=T, login=login, role=role, password=PASSWORD)
    return T


def _open(page, name: str) -> None:
    """Go to a page by its sidebar link; a long navigation is folded behind "View N more" first."""
    _settle(page)
    more = page.get_by_test_id("stSidebarNavViewButton")
    if more.count() and "more" in more.inner_text():
        more.click()
    _go(page, name)


def _login_empty_tenant(browser, app_url, login: str):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = ctx.new_page()
    page.set_default_timeout(ui_timeout_ms())
    page.goto(f"{app_url}/?lang=en")
    page.get_by_role("textbox", name="Login").fill(login)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("No clients yet: add the first one on the Clients page").first.wait_for()
    _settle(page)
    return page


def test_admin_adds_a_client_and_a_pm_schedules_a_weekly_report_and_acknowledges_an_alert(
    browser,  # noqa: F811
    app_url,  # noqa: F811
    artifacts_dir,
    ch,
    team,
):
    admin = _login_empty_tenant(browser, app_url, "lb-admin@tl")
    _open(admin, "Clients")
    admin.get_by_text("No clients yet: add the first one below").wait_for()
    admin.get_by_role("textbox", name="Client id").fill("lb-acme")
    admin.get_by_role("textbox", name="Name", exact=True).fill("Эл Би Акме")
    admin.get_by_role("textbox", name="INN (tax id)").fill("7707083894")
    admin.get_by_role("button", name="Add client").click()
    admin.get_by_text("Field “INN (tax id)”").wait_for()
    _settle(admin)
    assert (
        ch.query(
            "SELECT count() FROM app.clients WHERE tenant_id = {t:String}", parameters={"t": T}
        ).result_rows[0][0]
        == 0
    )
    admin.get_by_role("textbox", name="INN (tax id)").fill("7707083893")
    admin.get_by_role("button", name="Add client").click()
    admin.get_by_text("Client lb-acme added").wait_for()
    _settle(admin)
    admin.screenshot(path=artifacts_dir / "01_client_added.png", full_page=True)
    rows = ch.query(
        "SELECT name, inn, updated_by FROM app.clients FINAL WHERE tenant_id = {t:String}",
        parameters={"t": T},
    ).result_rows
    assert rows == [("Эл Би Акме", "7707083893", "lb-admin@tl")]
    _open(admin, "Connections")
    admin.screenshot(path=artifacts_dir / "02_connections.png", full_page=True)
    admin.get_by_text("This client has no ad accounts").wait_for()
    admin.get_by_role("textbox", name="Account", exact=True).fill("lb-direct-1")
    admin.get_by_role("button", name="Add account").click()
    admin.get_by_text("Account lb-direct-1 added").wait_for()
    admin.context.close()

    pm = _login(browser, app_url, "lb-pm@tl")
    _open(pm, "Report delivery")
    pm.get_by_text("No schedules yet").wait_for()
    pm.get_by_role("combobox", name="Report type").click()
    pm.get_by_role("option", name="Weekly", exact=True).click()
    pm.get_by_role("combobox", name="Weekday").click()
    pm.get_by_role("option", name="Friday").click()
    pm.get_by_role("combobox", name="Channels").click()
    pm.get_by_role("option", name="Telegram").click()
    pm.keyboard.press("Escape")
    pm.get_by_role("textbox", name="Recipients (e-mail)").fill("cfo@lb.example")
    pm.get_by_role("button", name="Add schedule").click()
    pm.get_by_text("Schedule added: Weekly · Friday · 09:00").wait_for()
    _settle(pm)
    pm.screenshot(path=artifacts_dir / "03_schedule_added.png", full_page=True)
    stored = ch.query(
        "SELECT report_type, weekday, local_time, channels, recipients, updated_by FROM app.report_schedules "
        "FINAL WHERE tenant_id = {t:String} AND is_deleted = 0",
        parameters={"t": T},
    ).result_rows
    assert stored == [("weekly", 5, "09:00", ["email", "telegram"], ["cfo@lb.example"], "lb-pm@tl")]
    # Link the client's chat: the page gives a one-time code, the chat sends it to the bot (the Bot API emulator),
    # the bot's poll links it, and the page's warning about a missing chat goes away.
    pm.get_by_text("no chat is linked").wait_for()
    pm.get_by_role("button", name="Get a chat link code").click()
    code = pm.get_by_test_id("stCode").filter(has_text="/start ").inner_text().strip()
    assert code.startswith("/start ")
    with SandboxServer(apis=["telegram"]) as sbx:
        base = sbx.url("telegram")
        httpx.post(f"{base}/_user/4242/message", json={"text": code}, timeout=60).raise_for_status()
        assert tg.process_updates(ch, tg.TelegramBot(BOT_TOKEN, base), on_ack=lambda *a: None)["linked"] == 1
    _open(pm, "Alerts")
    _open(pm, "Report delivery")
    expect(pm.get_by_text("no chat is linked")).to_have_count(0, timeout=ui_timeout_ms())

    # The loader's failure, as the load log records it: the alert rules pick it up.
    now = dt.datetime.now(dt.UTC)
    ch.insert(
        "app.load_log",
        [
            [
                "lb-failed-1",
                T,
                "yandex_direct",
                "stats",
                "lb-direct-1",
                END,
                END,
                "failed",
                0,
                now,
                now,
                1.0,
                "HTTP 401 token revoked",
            ]
        ],
        column_names="run_id tenant_id platform report account_id date_from date_to status rows started_at "
        "finished_at duration_s error".split(),
    )
    _open(pm, "Alerts")
    pm.get_by_text("No open alerts").wait_for()
    pm.get_by_role("button", name="Run rules now").click()
    pm.get_by_text("the last load of yandex_direct:lb-direct-1 failed").first.wait_for()
    _settle(pm)
    pm.get_by_role("button", name="Acknowledge").click()
    pm.get_by_text("Alert acknowledged").wait_for()
    _settle(pm)
    pm.screenshot(path=artifacts_dir / "04_alert_acknowledged.png", full_page=True)
    acked = ch.query(
        "SELECT acked_by FROM app.alerts FINAL WHERE tenant_id = {t:String} AND client_id = 'lb-acme' "
        "AND alert_key = 'load_failed:yandex_direct:lb-direct-1'",
        parameters={"t": T},
    ).result_rows
    assert acked == [("lb-pm@tl",)]
    # The client's own thresholds: a refused value is named by its field, a good one is stored for the rules.
    pm.get_by_role("textbox", name="Data is stale after, hours").fill("never")
    pm.get_by_role("button", name="Save thresholds").click()
    pm.get_by_text("Field “Data is stale after, hours”").wait_for()
    pm.get_by_role("textbox", name="Data is stale after, hours").fill("12")
    pm.get_by_role("button", name="Save thresholds").click()
    pm.get_by_text("Thresholds saved").wait_for()
    _settle(pm)
    pm.screenshot(path=artifacts_dir / "05_thresholds_saved.png", full_page=True)
    stored = ch.query(
        "SELECT stale_hours, updated_by FROM app.alert_thresholds FINAL WHERE tenant_id = {t:String} "
        "AND client_id = 'lb-acme'",
        parameters={"t": T},
    ).result_rows
    assert stored == [(12.0, "lb-pm@tl")]
    pm.context.close()
