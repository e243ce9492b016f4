"""The Campaigns drill-down in a real browser (Debian chromium), in Russian and English: down to an ad by its
name and back by the breadcrumbs, a reload that keeps the level, the column picker, a saved view applied again
after signing out and in, and the ad level's CSV/XLSX totals equal to the page's."""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import pandas as pd
import pytest

from dashboards.i18n import t
from tests.e2e.test_dashboards_browser import (  # noqa: F401 - app_url and browser are fixtures
    _download,
    _settle,
    app_url,
    browser,
)
from tests.integration.dashboards.conftest import PASSWORD, dash, principal  # noqa: F401 - `dash` is a fixture
from tests.machine import ui_timeout_ms

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dash")]
LOGIN = "it-pm@t1"


def _sign_in(page, app_url: str, lang: str) -> None:  # noqa: F811 - the fixture's value
    page.goto(f"{app_url}/campaigns?lang={lang}&client=acme")
    page.get_by_role("textbox", name=t("login", lang)).fill(LOGIN)
    page.get_by_role("textbox", name=t("password", lang)).fill(PASSWORD)
    page.get_by_role("button", name=t("sign_in", lang)).click()
    page.get_by_role("heading", name=t("page_campaigns", lang)).wait_for()
    _settle(page)


def _pick(page, label: str, option: str | re.Pattern) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option).first.click()


def _grid_rows(page) -> list[list[str]]:
    """The rows of the page's table as its accessible grid gives them (the columns in view: the grid renders
    only those)."""
    grid = page.locator("[data-testid=stDataFrame]").first
    rows = grid.locator("table tbody tr")
    rows.first.locator("td").first.wait_for(state="attached")  # filled after the element appears (hidden)
    return [r.locator("td").all_inner_texts() for r in rows.all()]


def _grid_header(page) -> list[str]:
    heads = page.locator("[data-testid=stDataFrame]").first.locator("table thead th")
    heads.first.wait_for(state="attached")
    return [h.strip() for h in heads.all_inner_texts()]


def _csv(page, lang: str, target: Path) -> str:
    return _download(page, t("download_csv", lang), target).read_text(encoding="utf-8-sig")


def _csv_header_once(page, lang: str, target: Path, done) -> list[str]:
    """The CSV's header once `done(header)` holds: the rerun that applies a pick may start after the click
    returns, so the download is the state waited for (bounded by the UI timeout, no fixed pause)."""
    deadline = time.monotonic() + ui_timeout_ms() / 1000
    while True:
        _settle(page)
        header = next(csv.reader(io.StringIO(_csv(page, lang, target))))
        if done(header) or time.monotonic() > deadline:
            return header


def _clean_views() -> None:
    from dashboards import data, views

    p = principal(LOGIN)
    for v in views.list_views(data.client(), p, "campaigns"):
        views.delete_view(data.client(), p, "campaigns", v["view_id"])


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_drill_to_an_ad_by_name_reload_views_and_exports(browser, app_url, artifacts_dir, lang):  # noqa: F811
    _clean_views()
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    page = ctx.new_page()
    page.set_default_timeout(ui_timeout_ms())
    _sign_in(page, app_url, lang)
    vk = t("platform_vk_ads", lang)

    # down: a VK campaign (its ad groups), then a group (its ads, by their names)
    _pick(page, t("open_campaign", lang), re.compile(re.escape(vk)))
    page.wait_for_url(re.compile(r"campaign="))
    page.get_by_role(
        "heading", name=re.compile("^" + re.escape(t("ads_of", lang, name="").strip()))
    ).wait_for()
    _settle(page)
    _pick(page, t("open_ad_group", lang), re.compile(".+"))
    page.wait_for_url(re.compile(r"group="))
    page.get_by_role(
        "heading", name=re.compile("^" + re.escape(t("ads_of_group", lang, name="").strip()))
    ).wait_for()
    _settle(page)
    rows = _grid_rows(page)
    names = [r[0] for r in rows[:-1]]
    assert names and all(" · banner " in n for n in names), rows  # VK banners by name, never by id
    assert rows[-1][0] == t("total_row", lang)
    page.screenshot(path=artifacts_dir / f"drill_{lang}_ads.png", full_page=True)

    # a reload keeps the level (the path is in the URL; the sign-in in the cookie)
    url = page.url
    page.reload()
    page.get_by_role(
        "heading", name=re.compile("^" + re.escape(t("ads_of_group", lang, name="").strip()))
    ).wait_for()
    _settle(page)
    assert page.url == url and [r[0] for r in _grid_rows(page)[:-1]] == names

    # the downloads at the ad level carry the page's totals
    header = _grid_header(page)
    total = dict(zip(header, _grid_rows(page)[-1], strict=True))
    clicks, impressions = t("clicks", lang), t("impressions", lang)
    text = _download(page, t("download_csv", lang), artifacts_dir / f"ads_{lang}.csv").read_text(
        encoding="utf-8-sig"
    )
    csv_rows = list(csv.DictReader(io.StringIO(text)))
    assert csv_rows[-1][t("ad_name", lang)] == t("total_row", lang)
    xlsx = pd.read_excel(_download(page, t("download_xlsx", lang), artifacts_dir / f"ads_{lang}.xlsx"))
    for col in (clicks, impressions):
        shown = float(re.sub(r"[^\d.,-]", "", total[col]).replace(",", ""))
        assert float(csv_rows[-1][col]) == pytest.approx(shown), (col, total[col])
        assert float(xlsx[col].iloc[-1]) == pytest.approx(shown), col
    spend = next(c for c in header if c.startswith(t("spend_net", lang)))
    assert float(csv_rows[-1][spend]) == pytest.approx(sum(float(r[spend]) for r in csv_rows[:-1]))
    assert float(xlsx[spend].iloc[-1]) == pytest.approx(float(csv_rows[-1][spend]))

    # back up by the breadcrumbs: the campaign (its groups), then the client (every campaign)
    crumb = page.locator("[data-testid=stButton]").filter(has=page.locator("button[kind=tertiary]"))
    crumb.nth(2).click()  # client › platform › campaign
    page.wait_for_url(lambda u: "group=" not in u and "campaign=" in u)
    page.get_by_role(
        "heading", name=re.compile("^" + re.escape(t("ads_of", lang, name="").strip()))
    ).wait_for()
    _settle(page)
    crumb.nth(0).click()
    page.wait_for_url(lambda u: "campaign=" not in u and "platform=" not in u)
    _settle(page)
    assert t("campaign_name", lang) in _grid_header(page)

    # the column picker: CPM added, the table shows it (with its change column)
    _pick(page, t("columns_pick", lang), "CPM")
    page.keyboard.press("Escape")
    _settle(page)
    # the grid renders the columns in view only: the download says which columns the table has
    header = _csv_header_once(page, lang, artifacts_dir / "columns.csv", lambda h: "CPM, ₽" in h)
    assert "CPM, ₽" in header and "Δ CPM" in header, header

    # save the view at the ad group level, sign out, sign in again, apply it
    _pick(page, t("open_campaign", lang), re.compile(re.escape(vk)))
    page.wait_for_url(re.compile(r"campaign="))
    _settle(page)
    saved_url = page.url
    page.get_by_text(t("views_title", lang)).click()
    name = f"VK {lang}"
    page.get_by_role("textbox", name=t("view_name", lang)).fill(name)
    page.get_by_role("button", name=t("view_save", lang)).click()
    page.get_by_text(t("view_saved", lang, name=name)).wait_for()
    page.get_by_role("button", name=t("logout", lang)).click()
    page.get_by_role("button", name=t("sign_in", lang)).wait_for()
    _sign_in(page, app_url, lang)
    assert "campaign=" not in page.url
    assert "CPM, ₽" not in next(csv.reader(io.StringIO(_csv(page, lang, artifacts_dir / "before_view.csv"))))
    page.get_by_text(t("views_title", lang)).click()
    page.get_by_role("combobox", name=t("view_pick", lang)).wait_for()
    page.screenshot(path=artifacts_dir / f"drill_{lang}_views_open.png", full_page=True)
    _pick(page, t("view_pick", lang), name)
    page.get_by_role("button", name=t("view_apply", lang)).click()
    page.get_by_text(t("view_applied", lang, name=name)).wait_for()
    page.wait_for_url(re.compile(r"campaign="))
    _settle(page)
    for k in ("platform", "account", "campaign"):
        want = re.search(rf"{k}=([^&]+)", saved_url)
        assert want and f"{k}={want.group(1)}" in page.url, (k, saved_url, page.url)
    assert "CPM, ₽" in _csv_header_once(page, lang, artifacts_dir / "after_view.csv", lambda h: "CPM, ₽" in h)
    page.screenshot(path=artifacts_dir / f"drill_{lang}_view_applied.png", full_page=True)
    ctx.close()
    _clean_views()
