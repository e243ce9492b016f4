"""Direct ad titles over real HTTP: the sandbox's Ads.get (selection limits, paging by LimitedBy, Client-Login
of the token's agency) and the connector's snapshot of them into raw_yandex_direct.ads, whose ads are the very
ads the statistics report counts."""

from __future__ import annotations

import os
from datetime import date

import httpx

from ingestion import yandex_direct
from ingestion.sandbox.server import SANDBOX_TOKENS
from ingestion.sandbox.testing import SANDBOX_TODAY, clean_faults, sandbox  # noqa: F401
from tests.integration.ingestion.test_sandbox_oauth import accounts, yandex_token
from warehouse.loads import current_rows_sql

LOGIN = "shoes-direct"
MANY = "bank-direct"  # 13 campaigns: two Ads.get chunks of at most 10
ADS = "raw_yandex_direct.ads"
STATIC = {"Authorization": f"Bearer {SANDBOX_TOKENS['direct']}"}


def ads_get(sandbox, criteria: dict, headers: dict, limit: int = 10000, offset: int = 0, **extra) -> dict:  # noqa: F811
    params = {
        "SelectionCriteria": criteria,
        "FieldNames": ["Id", "AdGroupId", "CampaignId", "Type"],
        "TextAdFieldNames": ["Title", "Title2"],
        "Page": {"Limit": limit, "Offset": offset},
        **extra,
    }
    resp = httpx.post(
        f"{sandbox.url('direct')}/json/v5/ads", headers=headers, json={"method": "get", "params": params}
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_ads_get_pages_by_limited_by_and_returns_the_worlds_ads_with_stable_titles(sandbox):  # noqa: F811
    headers = {**STATIC, "Client-Login": LOGIN}
    camps = sandbox.world.campaigns(LOGIN)[:10]
    wanted = [c.campaign_id for c in camps]
    expected = [a.ad_id for a in sandbox.world.ads(LOGIN) if a.campaign_id in wanted]
    assert len(expected) > 3
    seen: list[dict] = []
    offset, pages = 0, 0
    while True:
        result = ads_get(sandbox, {"CampaignIds": wanted}, headers, limit=3, offset=offset)["result"]
        seen += result["Ads"]
        pages += 1
        if "LimitedBy" not in result:
            break
        assert result["LimitedBy"] == offset + 3
        offset = result["LimitedBy"]
    assert pages == -(-len(expected) // 3)
    assert [a["Id"] for a in seen] == expected
    names = {c.campaign_id: c.name for c in camps}
    text = [a for a in seen if a["Type"] == "TEXT_AD"]
    assert text, "no text ads among the first campaigns"
    for ad in text:
        assert ad["TextAd"]["Title"].startswith(names[ad["CampaignId"]][:20]), ad
        assert 0 < len(ad["TextAd"]["Title"]) <= 56 and 0 < len(ad["TextAd"]["Title2"]) <= 30
    assert all("TextAd" not in a for a in seen if a["Type"] != "TEXT_AD")
    # The same ad asked by its id (or its group) carries the same title: generated, but stable.
    first = text[0]
    by_id = ads_get(sandbox, {"Ids": [first["Id"]]}, headers)["result"]["Ads"]
    by_group = ads_get(sandbox, {"AdGroupIds": [first["AdGroupId"]]}, headers)["result"]["Ads"]
    assert by_id == [first] and first in by_group


def test_ads_get_checks_its_request_and_the_client_login(sandbox):  # noqa: F811
    headers = {**STATIC, "Client-Login": LOGIN}
    eleven = [c.campaign_id for c in sandbox.world.campaigns(LOGIN)][:1] * 11
    for criteria, extra, code, words in (
        ({"CampaignIds": eleven}, {}, 4000, "CampaignIds"),
        ({}, {}, 4000, "SelectionCriteria"),
        ({"CampaignIds": eleven[:1]}, {"TextAdFieldNames": ["Nope"]}, 4000, "Nope"),
    ):
        err = ads_get(sandbox, criteria, headers, **extra)["error"]
        assert (err["error_code"], words in err["error_detail"]) == (code, True), err
    no_login = ads_get(sandbox, {"CampaignIds": eleven[:1]}, STATIC)["error"]
    assert no_login["error_code"] == 8000
    # An agency's token reads its own advertisers only.
    token = yandex_token(sandbox, "north-media")["access_token"]
    foreign = accounts(sandbox, "yandex_direct", "demo-agency")[0]
    refused = ads_get(
        sandbox, {"CampaignIds": eleven[:1]}, {"Authorization": f"Bearer {token}", "Client-Login": foreign}
    )["error"]
    assert refused["error_code"] == 54 and "north-media" in refused["error_detail"]
    own = accounts(sandbox, "yandex_direct", "north-media")[0]
    camp = sandbox.world.campaigns(own)[0].campaign_id
    mine = ads_get(
        sandbox, {"CampaignIds": [camp]}, {"Authorization": f"Bearer {token}", "Client-Login": own}
    )
    assert [a["Id"] for a in mine["result"]["Ads"]] == [
        a.ad_id for a in sandbox.world.ads(own) if a.campaign_id == camp
    ]


def _current(ch, tenant: str) -> list[tuple]:
    return ch.query(
        f"SELECT campaign_id, ad_group_id, ad_id, ad_type, title, title2 FROM ({current_rows_sql(ADS, True)}) "  # noqa: S608
        "WHERE tenant_id = {t:String} ORDER BY ad_id",
        parameters={"t": tenant},
    ).result_rows


def test_load_snapshots_the_ads_of_the_stats_and_a_second_load_changes_nothing(ch, clean_faults):  # noqa: F811
    tenant = f"it-direct-ads-{os.getpid()}"
    # Small pages: the campaign list and every 10-campaign Ads.get chunk are read over several pages.
    settings = yandex_direct.Settings.for_sandbox(clean_faults.url("direct"), campaigns_page_limit=4)
    day = date(2026, 1, 12)

    def load() -> dict[str, int]:
        return yandex_direct.load(
            ch,
            settings,
            tenant_id=tenant,
            account_id=MANY,
            date_from=day,
            date_to=day,
            today=SANDBOX_TODAY,
            tables=("ads", "ad_stats"),
        )

    result = load()
    rows = _current(ch, tenant)
    world = clean_faults.world
    assert len(world.campaigns(MANY)) > 10  # more than one Ads.get chunk
    assert result[ADS] == len(rows) == len(world.ads(MANY))
    assert [r[2] for r in rows] == sorted(a.ad_id for a in world.ads(MANY))
    stats = set(
        ch.query(
            "SELECT DISTINCT campaign_id, ad_group_id, ad_id FROM raw_yandex_direct.ad_stats_daily "
            "WHERE tenant_id = {t:String}",
            parameters={"t": tenant},
        ).result_rows
    )
    assert stats and stats <= {r[:3] for r in rows}  # every ad the report counts has its row, same ids
    titled = [r for r in rows if r[3] == "TEXT_AD"]
    assert titled and all(r[4] and r[5] for r in titled)
    assert all(r[4] == "" for r in rows if r[3] != "TEXT_AD")
    load()
    assert _current(ch, tenant) == rows


def test_one_campaigns_get_serves_the_campaigns_and_the_ads_snapshots(ch, clean_faults, monkeypatch):  # noqa: F811
    from ingestion.yandex_direct import fetch

    listings: list[list[str]] = []
    real = fetch.get_pages

    def counted(api, settings, service, key, params, **kw):
        if key == "Campaigns":
            listings.append(params["FieldNames"])
        return real(api, settings, service, key, params, **kw)

    monkeypatch.setattr(fetch, "get_pages", counted)
    tenant = f"it-direct-one-listing-{os.getpid()}"
    settings = yandex_direct.Settings.for_sandbox(clean_faults.url("direct"))
    day = date(2026, 1, 12)
    result = yandex_direct.load(
        ch, settings, tenant_id=tenant, account_id=MANY, date_from=day, date_to=day, today=SANDBOX_TODAY,
        tables=("campaigns", "ads"),
    )  # fmt: skip
    world = clean_faults.world
    assert result["raw_yandex_direct.campaigns"] == len(world.campaigns(MANY))
    assert result[ADS] == len(_current(ch, tenant)) == len(world.ads(MANY))
    assert len(listings) == 1 and "Name" in listings[0]  # the full listing, not a second one of ids only
    # Asked for the ads alone, the load lists the campaign ids itself.
    listings.clear()
    yandex_direct.load(
        ch, settings, tenant_id=tenant, account_id=MANY, date_from=day, date_to=day, today=SANDBOX_TODAY,
        tables=("ads",),
    )  # fmt: skip
    assert listings == [["Id"]]
