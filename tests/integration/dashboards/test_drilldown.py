"""Campaigns drill-down (client → platform → campaign → ad group → ad) by name with breadcrumbs and the level in
the URL, Δ columns against the previous period, the column picker and saved views per user — AppTest over the
sample marts in the embedded warehouse."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.integration.dashboards.conftest import MARTS, logged_in_app, principal

pytestmark = pytest.mark.usefixtures("dash")
PAGE = "app_pages/campaigns.py"


def _sums(ch, where: str, a, b, **params) -> dict[str, float]:
    row = ch.query(
        f"SELECT sum(impressions), sum(clicks), toFloat64(sum(spend_net)) FROM {MARTS}.fct_ad_performance_daily "  # noqa: S608 - our own test database
        f"WHERE tenant_id = 'dash_t1' AND client_id = 'acme' AND date_day BETWEEN {{a:Date}} AND {{b:Date}} AND {where}",
        parameters={"a": a, "b": b, **params},
    ).result_rows[0]
    return {"impressions": float(row[0]), "clicks": float(row[1]), "spend": float(row[2])}


def _period(at) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(str(at.query_params["from"])), dt.date.fromisoformat(
        str(at.query_params["to"])
    )


def _qp(at, name: str) -> str | None:
    v = at.query_params.get(name)
    return v[-1] if isinstance(v, list) else v


def _open_vk_campaign(at):
    box = at.selectbox(key="camp_open")
    label = next(o for o in box.options if "VK Ads" in o)
    box.select(label).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert not at.info, [e.value for e in at.info]
    return label


def test_drill_to_an_ad_by_name_and_back_by_breadcrumbs(ch):
    at = logged_in_app("it-analyst@t1", page=PAGE, query={"client": "acme"})
    label = _open_vk_campaign(at)
    platform, account, campaign = _qp(at, "platform"), _qp(at, "account"), _qp(at, "campaign")
    assert platform == "vk_ads" and account and campaign, dict(at.query_params)
    groups = at.dataframe[0].value
    # ad groups by name (the campaign's name is in the sample's group names), the totals row last
    assert groups["Ad group"].iloc[:-1].str.startswith(label.split(" · ")[0]).all(), groups[
        "Ad group"
    ].tolist()
    assert groups["Ad group"].iloc[-1] == "Total"
    a, b = _period(at)
    want = _sums(
        ch,
        "platform = 'vk_ads' AND account_id = {acc:String} AND campaign_id = {cmp:String}",
        a,
        b,
        acc=account,
        cmp=campaign,
    )
    assert float(groups["Impressions"].iloc[-1]) == pytest.approx(want["impressions"])

    box = at.selectbox(key="drill_open_group")
    group_name = box.options[0]
    box.select(group_name).run()
    group = _qp(at, "group")
    assert group, dict(at.query_params)
    ads = at.dataframe[0].value
    names = ads["Ad"].iloc[:-1].tolist()
    assert names and all(" · banner " in n for n in names), names  # VK banners by their names, not ids
    want = _sums(
        ch,
        "platform = 'vk_ads' AND account_id = {acc:String} AND campaign_id = {cmp:String} AND ad_group_id = {g:String}",
        a,
        b,
        acc=account,
        cmp=campaign,
        g=group,
    )
    spend_col = next(c for c in ads.columns if c.startswith("Spend"))
    assert float(ads[spend_col].iloc[-1]) == pytest.approx(want["spend"], rel=1e-9)
    assert float(ads["Clicks"].iloc[-1]) == pytest.approx(want["clicks"])

    at.button(key="crumb_campaign").click().run()  # back to the campaign: its ad groups
    assert _qp(at, "group") is None and _qp(at, "campaign") == campaign
    assert at.dataframe[0].value["Ad group"].iloc[:-1].tolist() == groups["Ad group"].iloc[:-1].tolist()
    at.button(key="crumb_platform").click().run()  # the platform: its campaigns only
    table = at.dataframe[0].value
    assert set(table["Platform"].iloc[:-1]) == {"VK Ads"} and _qp(at, "campaign") is None
    at.button(key="crumb_client").click().run()
    assert _qp(at, "platform") is None
    assert len(set(at.dataframe[0].value["Platform"].iloc[:-1])) == 3


def test_a_link_with_the_level_opens_that_level(ch):
    first = logged_in_app("it-analyst@t1", page=PAGE, query={"client": "acme"})
    _open_vk_campaign(first)
    first.selectbox(key="drill_open_group").select_index(0).run()
    query = {k: _qp(first, k) for k in ("client", "platform", "account", "campaign", "group")}
    shown = first.dataframe[0].value["Ad"].tolist()
    # a reload or a shared link: a new session opened with the same query
    again = logged_in_app("it-analyst@t1", page=PAGE, query=query)
    assert again.dataframe[0].value["Ad"].tolist() == shown
    assert {k: _qp(again, k) for k in query} == query


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"group": "grp-1-1"}, "without its campaign"),
        ({"platform": "vk_ads", "campaign": "cmp-2"}, "without its platform and account"),
        ({"platform": "vk_ads'; DROP TABLE x", "account": "acc-2", "campaign": "cmp-2"}, "invalid platform"),
    ],
)
def test_a_wrong_level_in_the_link_says_so_and_opens_the_top(query, message):
    at = logged_in_app("it-analyst@t1", page=PAGE, query={"client": "acme", **query})
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert "Campaign name" in at.dataframe[0].value.columns


def test_another_clients_campaign_in_the_link_shows_nothing_of_it():
    # romashka has the same campaign ids as acme (sample): a link of acme's campaign opened with romashka shows
    # romashka's rows only — the client of the session scopes every query.
    at = logged_in_app(
        "it-client-romashka@t1",
        page=PAGE,
        query={
            "client": "romashka",
            "platform": "vk_ads",
            "account": "acc-2",
            "campaign": "cmp-2",
            "group": "grp-2-1",
        },
    )
    ads = at.dataframe[0].value["Ad"].iloc[:-1].tolist()
    assert ads and all(n.startswith("dash_t1/romashka: ") for n in ads), ads


def test_change_columns_against_the_previous_period(ch):
    at = logged_in_app("it-analyst@t1", page=PAGE, query={"client": "acme"})
    table = at.dataframe[0].value
    a, b = _period(at)
    days = (b - a).days + 1
    pa, pb = a - dt.timedelta(days=days), a - dt.timedelta(days=1)
    row = table.iloc[0]
    where = "platform = {p:String} AND account_id = {acc:String} AND campaign_id = {cmp:String}"
    ids = {"acc": row["Account"], "cmp": row["Campaign ID"]}
    plat = {"Yandex Direct": "yandex_direct", "VK Ads": "vk_ads", "Garpun": "garpun"}[row["Platform"]]
    now, before = _sums(ch, where, a, b, p=plat, **ids), _sums(ch, where, pa, pb, p=plat, **ids)
    if before["spend"] == 0:
        pytest.fail(f"the sample has no spend before {a} for {ids}: widen the sample (conftest DAYS)")
    want = (now["spend"] - before["spend"]) / before["spend"]
    spend_change = next(c for c in table.columns if c.startswith("Δ Spend"))
    assert float(row[spend_change]) == pytest.approx(want, rel=1e-9)
    total = _sums(ch, "1", a, b), _sums(ch, "1", pa, pb)
    assert float(table[spend_change].iloc[-1]) == pytest.approx(
        (total[0]["spend"] - total[1]["spend"]) / total[1]["spend"], rel=1e-9
    )
    # The campaign's name stays in view while the wide table scrolls to its Δ columns.
    config = json.loads(at.dataframe[0].proto.columns)
    assert {label for label, c in config.items() if c.get("pinned")} == {"Campaign name"}, config
    at.toggle(key="camp_compare").set_value(False).run()
    assert not any(c.startswith("Δ") for c in at.dataframe[0].value.columns)


def test_column_picker_shows_the_picked_catalogue_metrics():
    from metrics.catalogue import METRICS

    at = logged_in_app("it-analyst@t1", page=PAGE, query={"client": "acme"}, lang="ru")
    at.multiselect(key="camp_columns").set_value(["spend", "cpm", "sessions"]).run()
    cols = list(at.dataframe[0].value.columns)
    metric_cols = [
        c
        for c in cols
        if c not in ("Платформа", "Аккаунт", "ID кампании", "Название кампании", "Предварительно")
    ]
    assert [c for c in metric_cols if not c.startswith("Δ")] == ["Расход без НДС, ₽", "CPM, ₽", "Визиты"], (
        cols
    )
    assert [c for c in metric_cols if c.startswith("Δ")] == ["Δ Расход без НДС", "Δ CPM", "Δ Визиты"], cols
    labels = {o for o in at.multiselect(key="camp_columns").options}
    assert {METRICS[m].label_ru for m in ("spend", "cpm", "sessions", "ctr")} <= labels


def test_saved_views_are_per_user_and_bring_back_level_filters_and_columns():
    from dashboards import data, views

    login = "it-pm@t1"
    for v in views.list_views(data.client(), principal(login), "campaigns"):
        views.delete_view(data.client(), principal(login), "campaigns", v["view_id"])
    at = logged_in_app(login, page=PAGE, query={"client": "acme"})
    at.selectbox(key="period_preset").select("last_7").run()
    at.multiselect(key="camp_columns").set_value(["clicks", "cpc"]).run()
    label = _open_vk_campaign(at)
    at.text_input(key="view_name_in").input("VK by group").run()
    at.button(key="view_save").click().run()
    assert any("VK by group" in s.value for s in at.success), [s.value for s in at.success]
    saved = views.list_views(data.client(), principal(login), "campaigns")
    assert [v["name"] for v in saved] == ["VK by group"]
    assert saved[0]["state"]["preset"] == "last_7" and saved[0]["state"]["columns"] == ["clicks", "cpc"]
    # another person of the same tenant sees none of it, and cannot delete it by its id
    other = principal("it-analyst@t1")
    assert views.list_views(data.client(), other, "campaigns") == []
    assert views.delete_view(data.client(), other, "campaigns", saved[0]["view_id"]) is False

    # signed in again (a new session): the view brings the level, preset and columns back
    again = logged_in_app(login, page=PAGE, query={"client": "acme"})
    assert _qp(again, "campaign") is None
    again.selectbox(key="view_sel").select(saved[0]["view_id"]).run()
    again.button(key="view_apply").click().run()
    assert not again.exception, [e.value for e in again.exception]
    assert again.selectbox(key="period_preset").value == "last_7"
    assert _qp(again, "platform") == "vk_ads" and _qp(again, "campaign")
    heading = again.get("subheader")[0].value.replace("\\", "")  # markdown escapes in the campaign's name
    assert heading.startswith("Ads of campaign " + label.split(" · ")[0]), heading
    cols = list(again.dataframe[0].value.columns)
    assert "Clicks" in cols and "CPC, ₽" in cols and "Impressions" not in cols, cols
    again.selectbox(key="view_sel").select(saved[0]["view_id"]).run()
    again.button(key="view_delete").click().run()
    assert views.list_views(data.client(), principal(login), "campaigns") == []


def test_view_names_are_checked():
    from dashboards import data, views

    p = principal("it-pm@t1")
    with pytest.raises(views.ViewError, match="needs a name"):
        views.save_view(data.client(), p, "campaigns", "   ", {})
    with pytest.raises(views.ViewError, match="longer than"):
        views.save_view(data.client(), p, "campaigns", "x" * 101, {})


def test_platform_level_and_ads_without_names():
    at = logged_in_app("it-analyst@t1", page=PAGE, query={"client": "acme"})
    at.selectbox(key="drill_open_platform").select("yandex_direct").run()
    assert _qp(at, "platform") == "yandex_direct" and _qp(at, "campaign") is None
    table = at.dataframe[0].value
    assert set(table["Platform"].iloc[:-1]) == {"Yandex Direct"}
    at.selectbox(key="camp_open").select_index(0).run()
    at.selectbox(key="drill_open_group").select_index(0).run()
    ads = at.dataframe[0].value
    # Direct's statistics reports carry no ad titles: the ad is named by its id, and the page says why
    assert all(
        n == f"no name · ID {i}" for n, i in zip(ads["Ad"].iloc[:-1], ads["Ad ID"].iloc[:-1], strict=True)
    )
    assert any("send no ad names" in c.value for c in at.caption)
