"""The plan workspace in a real browser (Debian chromium via Playwright, real Streamlit server) over a warehouse whose
marts dbt built: a strategist creates a plan, edits a budget and sees the reach change, saves and submits it; a PM
approves it; an account manager links its line, which no campaign id or name matches, to a campaign; Plan vs Fact
then shows the approved version's pacing with that line delivered.

The warehouse is this module's own (dbt builds over every tenant's rows), loaded with the dbt tests' hand-built raw
data; the approval and the link each rebuild the plan models in the app, as an import does.
"""

from __future__ import annotations

import os
import re
from email import message_from_bytes
from email.policy import default

import pytest
from playwright.sync_api import expect

from tests.conftest import isolated_warehouse
from tests.e2e.test_dashboards_browser import _login, _settle, app_url, browser  # noqa: F401
from tests.e2e.test_workspace_browser import _open
from tests.integration.dashboards.conftest import PASSWORD
from tests.integration.delivery.test_delivery import smtp  # noqa: F401 - a real SMTP server on loopback
from tests.machine import ui_timeout_ms

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PLAN = "e2e-jan"
# The dbt build after an approval or a link runs while the page waits: allow it several page-loads' time.
REBUILD_MS = ui_timeout_ms() * 4


@pytest.fixture(scope="module")
def ch(tmp_path_factory):
    """A warehouse of this module (the session one's `ch` is overridden here): hand-built raw data, dbt's marts."""
    from dashboards import auth, data
    from dbt_project import run as dbt_run
    from tests.integration.dbt import handbuilt

    with (
        pytest.MonkeyPatch.context() as env,
        isolated_warehouse(tmp_path_factory.mktemp("plan-wh")) as client,
    ):
        # The app's server inherits these: its plan rebuilds record on a Dagster home and build in a target here.
        env.setenv("DAGSTER_HOME", str(tmp_path_factory.mktemp("dagster")))
        env.setenv("MRM_APP_DBT_TARGET", str(tmp_path_factory.mktemp("app-dbt-target")))
        env.delenv("MRM_MARTS_DB", raising=False)
        data.drop_clients()  # pooled clients of earlier suites point at the session warehouse
        handbuilt.load_all(client)
        built = dbt_run.build(target_path=tmp_path_factory.mktemp("dbt-target"))
        assert built.success, built.failures
        for login, role in (
            ("pw-strategist@t1.example", "strategist"),
            ("pw-pm@t1.example", "pm"),
            ("pw-am@t1.example", "account_manager"),
        ):
            auth.add_user(client, tenant_id="t1", login=login, role=role, password=PASSWORD)
        try:
            yield client
        finally:
            data.drop_clients()


@pytest.fixture(scope="module")
def warehouse_url(ch):
    return os.environ["CLICKHOUSE_URL"]  # this module's warehouse, set while `ch` lives


@pytest.fixture(scope="module")
def dash(ch, smtp):  # noqa: F811 - the SMTP sink is up (and MRM_SMTP_* set) before the app starts
    """What the shared app fixture reads: the app reads dbt's own marts here (so its plan rebuilds count)."""
    return {"db": "marts"}


def _metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def _row(page, line: str):
    """The Plan vs Fact table's row of a line (the grid draws on a canvas; the table inside it carries the texts)."""
    return page.get_by_test_id("stDataFrame").last.locator("tr").filter(has_text=line)


def _pick(page, box: str, option: str) -> None:
    """Choose in a select box: open it once no run is under way, type to filter the options and take the match with
    the keyboard. (A click scrolls the page to an option below the fold, and a scroll closes the list: the CI
    failure of a click that waited for an option gone from the page.) The box then shows the choice."""
    _settle(page)
    combo = page.get_by_role("combobox", name=box)
    combo.scroll_into_view_if_needed()
    combo.click()
    page.keyboard.type(option)
    expect(page.get_by_role("option", name=option)).to_have_count(1)
    page.keyboard.press("Enter")
    expect(combo).to_have_value(re.compile(re.escape(option)))  # an option's name may go on (a plan's dates)


def _apply(page, fields: dict[str, str]) -> None:
    """Fill the per-line form and apply it; the grid and the totals are redrawn from the applied line."""
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Apply to the line").click()


def test_strategist_plans_pm_approves_am_links_and_plan_vs_fact_shows_the_line_delivered(
    browser,  # noqa: F811
    app_url,  # noqa: F811
    artifacts_dir,
    ch,
    smtp,  # noqa: F811
):
    s = _login(browser, app_url, "pw-strategist@t1.example", query="lang=en&client=c1")
    _open(s, "Plan editor")
    s.get_by_role("textbox", name="Plan name").fill("January, search")
    s.get_by_role("textbox", name="Plan name").press("Tab")
    s.get_by_role("textbox", name="Plan id (letters, digits, - _)").fill(PLAN)
    s.get_by_role("textbox", name="Plan id (letters, digits, - _)").press("Enter")
    expect(s.get_by_role("button", name="Save as a new version")).to_be_enabled()
    _settle(s)
    # One search line on Direct with no campaign id or name: nothing in the plan links it to a campaign.
    _apply(
        s,
        {
            "Channel": "Search",
            "Platform": "yandex_direct",
            "Flight start (YYYY-MM-DD)": "2025-12-31",
            "Flight end (YYYY-MM-DD)": "2026-01-01",
            "Unit price, ₽": "100",
            "Budget (net), ₽": "500",
            "Line's audience size, people": "10000",
        },
    )
    expect(_metric(s, "GRP")).to_have_text("50.0")  # 5,000 impressions over 10,000 people
    _settle(s)
    reach = _metric(s, "Combined reach 1+").inner_text()
    _apply(s, {"Budget (net), ₽": "800"})
    expect(_metric(s, "GRP")).to_have_text("80.0")
    expect(_metric(s, "Combined reach 1+")).not_to_have_text(reach)
    _settle(s)
    s.screenshot(path=artifacts_dir / "01_budget_edited.png", full_page=True)
    s.get_by_role("button", name="Save as a new version").click()
    s.get_by_text("Saved version 1").wait_for()
    _settle(s)
    mails = len(smtp.messages)
    s.get_by_role("button", name="Submit for approval").click()
    # The approvers were e-mailed (neither has chosen a language on their profile: the notice is in Russian).
    s.get_by_text(
        "Status: Pending approval. Approvers e-mailed: pw-am@t1.example, pw-pm@t1.example"
    ).wait_for()
    told = {tuple(to): message_from_bytes(raw, policy=default) for to, raw in smtp.messages[mails:]}
    assert sorted(told) == [("pw-am@t1.example",), ("pw-pm@t1.example",)], sorted(told)
    assert told[("pw-pm@t1.example",)]["Subject"] == f"На согласование: медиаплан {PLAN}, версия 1 (c1)"
    s.context.close()

    pm = _login(browser, app_url, "pw-pm@t1.example", query="lang=en&client=c1")
    _open(pm, "Plan editor")
    _pick(pm, "Plan", PLAN)
    pm.get_by_text("Status: Pending approval").wait_for()
    _settle(pm)
    pm.get_by_role("button", name="Approve").click()
    pm.get_by_text("Status: Approved. Plan vs Fact updated").wait_for(timeout=REBUILD_MS)
    # Approved, so it is plan now; no campaign is linked to its line yet, and the page says so (not "under").
    _open(pm, "Plan vs Fact")
    _pick(pm, "Media plan", f"{PLAN} v1")
    expect(_row(pm, "L1")).to_contain_text("not linked to a campaign", timeout=ui_timeout_ms())
    pm.context.close()
    assert ch.query(
        "SELECT plan_version FROM app.media_plan_lines_approved WHERE tenant_id = 't1' AND plan_id = {p:String}",
        parameters={"p": PLAN},
    ).result_rows == [(1,)]

    am = _login(browser, app_url, "pw-am@t1.example", query="lang=en&client=c1")
    _open(am, "Plan editor")
    _pick(am, "Plan", PLAN)
    am.get_by_text("Status: Approved").first.wait_for()
    _pick(am, "Campaign", "Yandex Direct · Search RU (101)")
    am.get_by_role("button", name="Link", exact=True).click()
    am.get_by_text("Line L1 linked to Yandex Direct · Search RU (101). Plan vs Fact updated").wait_for(
        timeout=REBUILD_MS
    )
    _settle(am)
    am.screenshot(path=artifacts_dir / "02_linked.png", full_page=True)
    _open(am, "Plan vs Fact")
    _pick(am, "Media plan", f"{PLAN} v1")
    delivered = ch.query(
        "SELECT line_id, is_linked, sum(actual_spend_net), argMax(pacing_status, date_day) "
        "FROM marts.fct_plan_vs_fact_daily WHERE tenant_id = 't1' AND plan_id = {p:String} AND plan_version = 1 "
        "GROUP BY line_id, is_linked",
        parameters={"p": PLAN},
    ).result_rows
    assert len(delivered) == 1 and delivered[0][:2] == ("L1", 1) and delivered[0][2] > 0, delivered
    spent, status = (
        f"{float(delivered[0][2]):,.0f}",
        {"under": "under", "over": "over", "on_track": "on track"},
    )
    expect(_row(am, "L1")).to_contain_text(spent, timeout=ui_timeout_ms())
    expect(_row(am, "L1")).to_contain_text(status[delivered[0][3]], timeout=ui_timeout_ms())
    expect(_row(am, "L1")).not_to_contain_text("not linked", timeout=ui_timeout_ms())
    am.screenshot(path=artifacts_dir / "03_plan_vs_fact.png", full_page=True)
    am.context.close()
