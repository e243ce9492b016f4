"""One AppTest per page, signed in through the real form, checked against the warehouse's own numbers."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.integration.dashboards.conftest import END, MARTS, logged_in_app

pytestmark = pytest.mark.usefixtures("dash")


def _charts(at) -> list[dict]:
    """The Vega-Lite specs of the page's charts, in page order."""
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def _texts(at) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.title]
    parts += [e.value for e in at.success] + [e.value for e in at.info] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


def _period_sums(ch, tenant: str, client: str, a: dt.date, b: dt.date) -> tuple[float, int]:
    return ch.query(
        f"SELECT toFloat64(sum(spend_net)), sum(clicks) FROM {MARTS}.fct_ad_performance_daily "  # noqa: S608
        "WHERE tenant_id = {t:String} AND client_id = {c:String} AND date_day BETWEEN {a:Date} AND {b:Date}",
        parameters={"t": tenant, "c": client, "a": a, "b": b},
    ).result_rows[0]


def test_login_page_rejects_a_wrong_password_and_shows_no_data():
    from streamlit.testing.v1 import AppTest

    from tests.integration.dashboards.conftest import APP

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert [t.value for t in at.title] == ["MRM: аналитика рекламы"]
    at.text_input(key="login_name").input("it-pm@t1")
    at.text_input(key="login_password").input("wrong-password")
    at.button[0].click()
    at.run()
    assert "неверный логин или пароль" in at.error[0].value
    assert not at.metric and not at.dataframe


def test_overview_kpis_equal_the_warehouse_sums_with_deltas(ch):
    at = logged_in_app(
        "it-pm@t1", query={"client": "romashka", "from": str(END - dt.timedelta(days=13)), "to": str(END)}
    )
    assert [t.value for t in at.title] == ["Overview"]
    spend, clicks = _period_sums(ch, "dash_t1", "romashka", END - dt.timedelta(days=13), END)
    prev_spend, _ = _period_sums(
        ch, "dash_t1", "romashka", END - dt.timedelta(days=27), END - dt.timedelta(days=14)
    )
    metrics = {m.label: m for m in at.metric}
    assert metrics["Spend (net)"].value == f"{spend:,.2f}\u00a0₽"  # money carries the client's currency sign
    assert metrics["Clicks"].value == f"{clicks:,.0f}"
    assert metrics["Spend (net)"].delta == f"{(spend - prev_spend) / prev_spend * 100:+.1f} %"
    assert "provisional" in _texts(at)  # the last 3 days are provisional in the sample marts
    (daily,) = _charts(at)
    assert daily["encoding"]["color"]["field"] == "platform" and daily["encoding"]["x"]["type"] == "temporal"
    assert daily["encoding"]["opacity"]["condition"]["test"] == {"not": {"field": "provisional", "equal": ""}}
    top = at.dataframe[0].value  # top campaigns by spend, biggest first, this client's only
    assert 0 < len(top) <= 10 and top["Spend (net), ₽"].is_monotonic_decreasing
    assert top["Campaign name"].str.startswith("dash_t1/romashka: ").all()
    assert top["Spend (net), ₽"].sum() <= spend + 0.01


def test_campaigns_table_filters_and_drills_down_to_ads():
    at = logged_in_app("it-analyst@t1", page="app_pages/campaigns.py", query={"client": "acme"})
    table = at.dataframe[0].value
    # Six campaigns and the totals row under them.
    assert len(table) == 7 and table["Campaign name"][:6].str.startswith("dash_t1/acme: ").all()
    at.multiselect(key="camp_platforms").select("vk_ads").run()
    table = at.dataframe[0].value
    assert (
        set(table["Platform"]) == {"VK Ads", "Total"} and len(table) == 3
    )  # the stored id shown by its name
    at.selectbox(key="camp_open").select_index(0).run()
    groups = at.dataframe[0].value  # the campaign opens on its ad groups (drill-down), the totals row last
    assert len(groups) == 3 and groups["Ad group ID"][:2].str.startswith("grp-").all()
    at.selectbox(key="drill_open_group").select_index(0).run()
    ads = at.dataframe[0].value
    assert len(ads) == 3 and ads["Ad ID"][:2].str.startswith("ad-").all() and ads["Ad"].iloc[-1] == "Total"
    assert {d.proto.label for d in at.get("download_button")} == {"Download CSV", "Download XLSX"}


def test_channels_page_splits_spend_by_channel():
    at = logged_in_app("it-pm@t1", page="app_pages/channels.py", query={"client": "acme"})
    table = at.dataframe[0].value
    assert set(table["Channel"]) == {"Yandex Direct", "VK Ads", "myTarget"}
    share, cpa, trend = _charts(at)
    assert share["mark"]["type"] == "arc" and share["encoding"]["theta"]["field"] == "spend_net"
    assert cpa["encoding"]["y"]["field"] == "cpa" and cpa["encoding"]["x"]["title"] == "Channel"
    assert trend["mark"]["type"] == "line" and trend["encoding"]["color"]["field"] == "channel"


def test_plan_vs_fact_shows_every_pacing_status():
    at = logged_in_app("it-pm@t1", page="app_pages/plan_fact.py", query={"client": "acme"})
    lines = at.dataframe[0].value
    assert dict(zip(lines["Plan line"], lines["Status"], strict=True)) == {
        "L1": "under",
        "L2": "on track",
        "L3": "over",
    }
    (curve,) = _charts(at)
    assert [layer["mark"]["type"] for layer in curve["layer"]] == [
        "line",
        "point",
    ]  # planned/actual + forecast
    assert curve["layer"][0]["encoding"]["strokeDash"]["scale"]["domain"] == [
        "Planned (cumulative)",
        "Actual (cumulative)",
    ]


def test_reach_page_deduplicates_across_platforms_and_names_the_model(ch):
    at = logged_in_app("it-pm@t1", page="app_pages/reach.py", query={"client": "acme"})
    metrics = {m.label: m.value for m in at.metric}
    dedup = int(metrics["Deduplicated reach (across platforms)"].replace(",", ""))
    summed = int(metrics["Sum of platform reaches (with duplicates)"].replace(",", ""))
    assert 0 < dedup < summed
    assert "Negative exponential" in _texts(at) and "Sainsbury" in _texts(at)
    at.selectbox(key="calc_model").select("poisson").run()
    assert "Poisson R = 1 − e^(−GRP/100)" in _texts(at) and "86.47 %" in _texts(at)  # 1 - e^-2 at GRP 200


def test_insights_page_detects_and_lists_insights():
    from dashboards import data
    from tests.integration.dashboards.conftest import principal

    at = logged_in_app("it-pm@t1", page="app_pages/insights.py", query={"client": "acme"})
    at.button(key="ins_generate").click().run()
    assert not at.exception, at.exception
    shown = [e.value for e in at.error] + [e.value for e in at.warning] + [e.value for e in at.info]
    # Insights are the only messages: an error box (a failed query, denied access) fails the test.
    assert shown and all(s.startswith("**") for s in shown), shown
    stored = data.insights(principal("it-pm@t1"), "acme", END)
    assert len(shown) == len(stored) >= 1
    # Each kind by its catalogue name (md-escaped), never its stored id.
    from dashboards.i18n import display_name

    assert {s.split("**")[1].replace("\\", "") for s in shown} == {
        display_name("insight", i["type"], "en") for i in stored
    }


def test_reports_page_builds_previews_and_offers_downloads(tmp_path, monkeypatch):
    monkeypatch.setenv("MRM_REPORTS_DIR", str(tmp_path))
    # a period no other suite builds a report for (the browser suite builds the default one)
    at = logged_in_app(
        "it-am@t2",
        page="app_pages/reports.py",
        query={
            "client": "globex",
            "from": str(END - dt.timedelta(days=20)),
            "to": str(END - dt.timedelta(days=14)),
        },
    )
    assert "No report built for this period yet" in _texts(at)
    at.button(key="rep_build").click().run()
    assert not at.exception, at.exception
    assert any("Report ready" in s.value for s in at.success)
    labels = {d.proto.label for d in at.get("download_button")}
    assert labels == {"Download XLSX", "Download PDF"}
    assert list(tmp_path.glob("dash_t2/globex/*.pdf"))
    assert at.button(key="rep_send")  # an account manager may send


def test_assistant_answers_with_citations(ch):
    from assistants import kb
    from assistants.kb.loaders import Document

    kb.index_documents(
        ch,
        "dash_t1",
        [
            Document(
                source_path="docs/glossary.md",
                title="Glossary",
                doc_type="doc",
                language="en",
                text="# ROMI\n\nROMI is revenue minus spend divided by spend. It is computed from sums of the period.\n",
            )
        ],
    )
    at = logged_in_app("it-analyst@t1", page="app_pages/assistant.py")
    at.radio(key="asst_agent").set_value("Knowledge base").run()
    at.chat_input(key="chat_q").set_value("What is ROMI?").run()
    assert not at.exception, at.exception
    answer = at.chat_message[1]
    assert "revenue minus spend" in answer.markdown[0].value
    # the document's title is cited, never its path on the server
    assert any("Glossary" in c.value for c in answer.caption)
    assert not any("docs/glossary" in c.value for c in answer.caption)


def test_media_plans_page_uploads_maps_validates_and_imports():
    from dashboards import data
    from tests.integration.dashboards.conftest import principal

    # AppTest cannot feed a file uploader (the browser test uploads through the page): import through the same
    # data-layer call the page's Import button makes, then the page must list that exact plan version.
    plan = (
        "Канал;Площадка;Кампания;Начало;Окончание;Бюджет, руб.\r\n"
        "Поиск;Яндекс.Директ;pages_search;01.04.2026;30.04.2026;45 000,00\r\n"
        "Медийка;ВКонтакте;pages_reach;01.04.2026;20.04.2026;15 500,00\r\n"
    )
    res = data.import_plan(principal("it-pm@t1"), "acme", plan.encode("cp1251"), "pages_april.csv")
    assert res.imported, res.report.as_text(20)
    at = logged_in_app("it-pm@t1", page="app_pages/media_plans.py", query={"client": "acme"})
    assert not at.exception, at.exception
    assert at.get("file_uploader")
    assert "Plan versions" in [s.value for s in at.subheader]
    versions = next(d.value for d in at.dataframe if "Plan" in d.value.columns)  # headers by name
    mine = versions[(versions["Plan"] == res.plan_id) & (versions["Version"] == res.plan_version)]
    assert len(mine) == 1, versions
    assert int(mine["Lines"].iloc[0]) == 2 and float(mine["Budget (net), ₽"].iloc[0]) == 60_500.0
    others = set(data.media_plans(principal("it-pm@t1"), "romashka").get("plan_id", []))
    assert not others & set(versions["Plan"])  # only the selected client's plans


def test_data_health_shows_freshness_and_failed_loads():
    at = logged_in_app("it-pm@t1", page="app_pages/data_health.py", query={"client": "acme"})
    fresh, failed = at.dataframe[0].value, at.dataframe[1].value
    assert set(fresh["Platform"]) == {"Yandex Direct", "VK Ads", "Garpun"}  # display names, not stored ids
    assert str(fresh["Last day"].max())[:10] == str(END)
    assert list(failed["Status"]) == ["failed"] and "HTTP 500" in failed["Error"].iloc[0]


def test_russian_is_the_default_and_english_a_switch():
    at = logged_in_app("it-pm@t1", lang="ru")
    assert [t.value for t in at.title] == ["Обзор"]
    at.radio(key="lang_radio").set_value("en").run()
    assert [t.value for t in at.title] == ["Overview"]
