"""Every period preset in a real browser (Debian chromium), in Russian and English: the sidebar states the period
and the window it is compared with, both ending no later than yesterday; the Overview's money tiles carry the
currency sign, nothing reads `None` or a raw platform id, and the daily chart's time axis speaks the page's
language (month names)."""

from __future__ import annotations

import re

import pytest

from dashboards import data
from dashboards.i18n import MONTHS, fmt_range, t
from mrm import clock
from tests.e2e.test_dashboards_browser import _settle, app_url, browser  # noqa: F401 - fixtures
from tests.integration.dashboards.conftest import PASSWORD, dash  # noqa: F401 - `dash` is a fixture
from tests.machine import ui_timeout_ms

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dash")]
RAW_IDS = ("yandex_direct", "yandex_metrika", "vk_ads", "google_ads", "None", "nan", "NaT")


def _caption(page) -> str:
    return page.locator("[data-testid=stSidebar]").inner_text()


def _axis_text(page) -> str:
    """The text the charts draw (Vega's SVG text nodes: tick labels and titles)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid=stVegaLiteChart] svg text'))
               .map(t => t.textContent).join(' ')"""
    )


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_each_preset_states_its_period_and_comparison(browser, app_url, artifacts_dir, lang):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(ui_timeout_ms())
    page.goto(f"{app_url}/?lang={lang}&client=acme")  # Overview is the default page, at /
    page.get_by_role("textbox", name=t("login", lang)).fill("it-pm@t1")
    page.get_by_role("textbox", name=t("password", lang)).fill(PASSWORD)
    page.get_by_role("button", name=t("sign_in", lang)).click()
    page.get_by_role("heading", name=t("page_overview", lang)).wait_for()
    _settle(page)
    yesterday = clock.yesterday()
    for name in data.PRESETS[:-1]:
        page.get_by_role("combobox", name=t("preset", lang)).click()
        page.get_by_role("option", name=t(f"preset_{name}", lang), exact=True).click()
        per = data.preset_period(name, yesterday)
        prev = per.previous()
        said = t("period_is", lang, range=fmt_range(per.date_from, per.date_to, lang))
        compared = t("compared_with", lang, range=fmt_range(prev.date_from, prev.date_to, lang))
        page.locator("[data-testid=stSidebar]").get_by_text(said, exact=False).wait_for()
        _settle(page)
        sidebar = _caption(page)
        assert said in sidebar and compared in sidebar, (name, sidebar)
        assert per.date_to <= yesterday and prev.date_to < per.date_from
        main = page.locator("[data-testid=stMain]").inner_text()
        bad = [w for w in RAW_IDS if re.search(rf"\b{w}\b", main)]
        assert not bad, (name, bad)
        assert "₽" in main, (name, "money without its currency sign")
    # The daily chart's day ticks carry their month: in the page's language, never the other one.
    page.get_by_role("combobox", name=t("preset", lang)).click()
    page.get_by_role("option", name=t("preset_last_30", lang), exact=True).click()
    page.locator("[data-testid=stVegaLiteChart]").first.wait_for()
    _settle(page)
    page.screenshot(path=artifacts_dir / f"presets_{lang}.png", full_page=True)
    axis = _axis_text(page).lower()
    assert any(m.lower()[:3] in axis for m in MONTHS[lang]), axis[:500]
    if lang == "en":
        assert not re.search("[а-я]", axis), axis[:500]
    else:
        english = [m.lower() for m in MONTHS["en"]] + [m.lower()[:3] for m in MONTHS["en"]]
        assert not [m for m in english if re.search(rf"\b{m}\b", axis)], axis[:500]
    ctx.close()
