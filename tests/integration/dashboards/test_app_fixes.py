"""Issue 20's misleading-state fixes, each checked through the real app (AppTest) on the sample marts."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.integration.dashboards.conftest import PASSWORD, logged_in_app

pytestmark = pytest.mark.usefixtures("dash")


def _campaign_names(at) -> list[str]:
    table = at.dataframe[0].value
    return list(table.loc[table["Platform"] != "Total", "Campaign name"])  # the totals row has no name


def test_picking_another_client_keeps_it_across_runs_and_pages():
    at = logged_in_app("it-pm@t1", page="app_pages/campaigns.py", query={"client": "acme"})
    assert all(n.startswith("dash_t1/acme: ") for n in _campaign_names(at))
    at.selectbox(key="client_sel").select("romashka").run()
    assert at.selectbox(key="client_sel").value == "romashka"
    assert all(n.startswith("dash_t1/romashka: ") for n in _campaign_names(at))
    assert at.query_params["client"] in ("romashka", ["romashka"])
    # Another widget's run (not the selector's) must not bring the first client back.
    at.text_input(key="camp_search").input("Search").run()
    assert at.selectbox(key="client_sel").value == "romashka"
    assert _campaign_names(at) and all(n.startswith("dash_t1/romashka: ") for n in _campaign_names(at))
    at.switch_page("app_pages/overview.py").run()
    assert at.selectbox(key="client_sel").value == "romashka"


def test_data_health_lists_each_load_once_with_its_final_status(ch):
    from dashboards import data
    from warehouse.loads import load_logged

    # The real logger writes `running` at the start and `ok` at the end: two rows of one load.
    with load_logged(
        ch, tenant_id="dash_t1", platform="vk_ads", report="c-collapse-check", account_id="acme-acc-2"
    ) as log:
        log.rows += 42
    data.clear_caches()
    at = logged_in_app("it-pm@t1", page="app_pages/data_health.py", query={"client": "acme"})
    loads = at.dataframe[-1].value
    mine = loads[loads["Report"] == "c-collapse-check"]
    assert len(mine) == 1, mine
    assert list(mine["Status"]) == ["ok"] and list(mine["Rows"]) == [42]
    assert not (loads["Status"] == "running").any()


def test_presets_end_yesterday_and_the_comparison_window_is_stated():
    from dashboards import data
    from dashboards.i18n import fmt_range
    from mrm import clock

    y = clock.yesterday()
    at = logged_in_app("it-pm@t1", query={"client": "acme"})
    assert at.selectbox(key="period_preset").value == "last_30"  # the default period is a preset too
    at.selectbox(key="period_preset").select_index(data.PRESETS.index("last_7")).run()
    assert at.date_input(key="period_sel").value == (y - dt.timedelta(days=6), y)
    assert at.query_params["to"] in (str(y), [str(y)])
    shown = "\n".join(c.value for c in at.sidebar.caption)
    prev = data.Period(y - dt.timedelta(days=6), y).previous()
    assert f"Compared with: {fmt_range(prev.date_from, prev.date_to, 'en')}" in shown
    assert prev.date_to == y - dt.timedelta(days=7)
    at.selectbox(key="period_preset").select_index(data.PRESETS.index("yesterday")).run()
    assert at.date_input(key="period_sel").value == (y, y)
    # A typed range that is no preset (8 days, ending before yesterday) reads "custom".
    at.date_input(key="period_sel").set_value((y - dt.timedelta(days=9), y - dt.timedelta(days=2))).run()
    assert at.selectbox(key="period_preset").value == "custom"


def test_a_link_into_today_is_cut_at_yesterday():
    from mrm import clock

    at = logged_in_app(
        "it-pm@t1",
        query={
            "client": "acme",
            "from": str(clock.today() - dt.timedelta(days=3)),
            "to": str(clock.today()),
        },
    )
    assert at.date_input(key="period_sel").value[1] == clock.yesterday()


def test_preset_periods():
    from dashboards.data import preset_of, preset_period

    # yesterday is the 1st: "this month" is that one day, "last month" all of February
    # yesterday is the 1st: "this month" is that one day, "last month" all of February
    y = dt.date(2026, 3, 1)
    assert preset_period("this_month", y) == preset_period("yesterday", y)
    lm = preset_period("last_month", y)
    assert (lm.date_from, lm.date_to) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    w = preset_period("last_7", y)
    assert (w.date_from, w.date_to, w.days) == (dt.date(2026, 2, 23), y, 7)
    assert preset_of(w, y) == "last_7" and preset_of(w, y + dt.timedelta(days=1)) == "custom"


@pytest.fixture(scope="module")
def untracked(ch, dash):
    """A tenant of its own with two clients: one tracks goals but no revenue, one tracks neither."""
    from dashboards import auth, sample_marts

    specs = [
        sample_marts.ClientSpec("dash_t3", "norev", "Без дохода", seed=7, revenue_per_conversion=0),
        sample_marts.ClientSpec("dash_t3", "nogoals", "Без целей", seed=8, conversions=False),
    ]
    sample_marts.add_clients(ch, dash["db"], specs, end=dash["end"], days=dash["days"])
    auth.add_user(ch, tenant_id="dash_t3", login="it-pm@t3", role="pm", password=PASSWORD)
    return specs


def test_romi_and_cpa_say_not_applicable_with_the_reason_when_nothing_is_tracked(untracked):
    at = logged_in_app("it-pm@t3", query={"client": "norev"})
    tiles = {m.label: m for m in at.metric}
    assert tiles["ROMI"].value == "n/a" and "no revenue is tracked" in tiles["ROMI"].help
    assert tiles["CPA"].value.endswith("₽") and tiles["Conversions"].value != "n/a"  # goals are tracked here
    assert "−100" not in tiles["ROMI"].value and "-100" not in tiles["ROMI"].value
    top = at.dataframe[0].value
    assert "ROMI" not in top.columns and any("Not shown: ROMI" in c.value for c in at.caption)
    at.selectbox(key="client_sel").select("nogoals").run()
    tiles = {m.label: m for m in at.metric}
    for label in ("Conversions", "CPA", "ROMI"):
        assert tiles[label].value == "n/a", label
    assert "goals are not configured" in tiles["CPA"].help
    assert "None" not in {m.value for m in at.metric}


def test_ctr_and_romi_are_percent_on_every_table():
    from streamlit import dataframe_util

    for page in ("app_pages/channels.py", "app_pages/campaigns.py", "app_pages/overview.py"):
        at = logged_in_app("it-pm@t1", page=page, query={"client": "acme"})
        table = at.dataframe[0]
        raw = table.proto.arrow_data.styler.display_values  # the cells as drawn, when the table formats them
        drawn = dataframe_util.convert_arrow_bytes_to_pandas_df(raw) if raw else table.value
        shares = [lbl for lbl in ("CTR", "ROMI") if lbl in table.value.columns]
        assert shares, (page, list(table.value.columns))
        for label in shares:
            bad = [
                x
                for x in drawn[label]
                if not (str(x).endswith("\u00a0%") or str(x).endswith(" %") or x == "—")
            ]
            assert not bad, (page, label, bad[:3])


def test_frequency_chart_is_titled_with_the_selected_period():
    from dashboards.i18n import fmt_range
    from tests.integration.dashboards.conftest import END

    a, b = END - dt.timedelta(days=40), END - dt.timedelta(days=5)  # always touches two calendar months
    at = logged_in_app(
        "it-pm@t1", page="app_pages/reach.py", query={"client": "acme", "from": str(a), "to": str(b)}
    )
    (freq,) = [
        c
        for c in map(lambda e: json.loads(e.proto.spec), at.get("vega_lite_chart"))
        if c["encoding"]["x"]["field"] == "frequency"
    ]
    assert freq["title"] == f"Frequency distribution: {fmt_range(a, b, 'en')}"
    # months side by side, never stacked into a sum
    assert freq["encoding"]["xOffset"]["field"] == "window"
    assert any("per calendar month" in c.value for c in at.caption)


def test_a_client_user_sees_no_pacing_forecast_and_no_uploader():
    at = logged_in_app("it-client-acme@t1", page="app_pages/plan_fact.py", query={"client": "acme"})
    lines = at.dataframe[0].value
    forecast = [c for c in lines.columns if c.startswith("Forecast at end of flight")]
    assert not forecast and "Status" in lines.columns
    (curve,) = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert [layer["mark"]["type"] for layer in curve["layer"]] == ["line"]  # no forecast marker
    staff = logged_in_app("it-pm@t1", page="app_pages/plan_fact.py", query={"client": "acme"})
    assert "Forecast at end of flight, ₽" in staff.dataframe[0].value.columns  # money names its currency
    at.switch_page("app_pages/media_plans.py").run()
    assert not at.get("file_uploader")


def test_reports_default_to_net_of_vat_with_the_choice_shown():
    at = logged_in_app("it-am@t2", page="app_pages/reports.py", query={"client": "globex"})
    toggle = at.toggle(key="rep_vat")
    assert toggle.value is False and "net of VAT" in toggle.help


def test_charts_speak_the_ui_language():
    ru = logged_in_app("it-pm@t1", query={"client": "acme"}, lang="ru")
    (daily,) = [json.loads(c.proto.spec) for c in ru.get("vega_lite_chart")]
    locale = daily["config"]["locale"]
    assert locale["time"]["shortMonths"][11] == "дек" and locale["number"]["decimal"] == ","
    en = logged_in_app("it-pm@t1", query={"client": "acme"}, lang="en")
    (daily,) = [json.loads(c.proto.spec) for c in en.get("vega_lite_chart")]
    assert "locale" not in daily.get("config", {})


def test_a_client_user_sees_insights_without_their_sql_evidence():
    staff = logged_in_app("it-pm@t1", page="app_pages/insights.py", query={"client": "acme"})
    staff.button(key="ins_generate").click().run()
    assert staff.get("code"), "the staff view keeps the evidence"
    client = logged_in_app("it-client-acme@t1", page="app_pages/insights.py", query={"client": "acme"})
    assert not client.exception
    shown = (
        [e.value for e in client.error] + [e.value for e in client.warning] + [e.value for e in client.info]
    )
    assert shown and not client.get("code") and not client.get("json")


def test_pacing_colours_are_fixed_per_series_in_both_languages():
    ranges = {}
    for lang in ("ru", "en"):
        at = logged_in_app("it-pm@t1", page="app_pages/plan_fact.py", query={"client": "acme"}, lang=lang)
        (curve,) = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
        scale = curve["layer"][0]["encoding"]["color"]["scale"]
        assert len(scale["domain"]) == 3 and curve["layer"][0]["encoding"]["color"]["legend"]
        ranges[lang] = scale["range"]
    assert ranges["ru"] == ranges["en"] == ["#9e9e9e", "#1565c0", "#c62828"]
