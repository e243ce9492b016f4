"""Google Ads and GA4 through the real connectors into the marts: Google Ads rows join the unified ad fact under
platform 'google_ads', and GA4 paid sessions whose UTM campaign names a Google Ads campaign (gads_<id>) sit on that
campaign's rows, with nothing created or lost by the attribution."""

from __future__ import annotations

import datetime as dt

import pytest

from dbt_project import run as dbt_run
from ingestion import cbr, ga4, google_ads
from ingestion.sandbox.testing import SANDBOX_TODAY, sandbox  # noqa: F401

pytestmark = pytest.mark.slow

FROM, TO = dt.date(2026, 1, 5), dt.date(2026, 1, 19)


@pytest.fixture(scope="module")
def marts(private_ch, sandbox, tmp_path_factory):  # noqa: F811
    ch = private_ch
    ads = next(a for a in sandbox.world.accounts_for("google_ads") if a.currency == "USD")
    prop = next(a for a in sandbox.world.accounts_for("ga4") if a.client_id == ads.client_id)
    ch.insert("app.tenants", [[ads.tenant_id, "Demo"]], column_names=["tenant_id", "name"])
    ch.insert(
        "app.clients",
        [[ads.tenant_id, ads.client_id, "Shoes", "RUB"]],
        column_names=["tenant_id", "client_id", "name", "currency"],
    )
    ch.insert(
        "app.accounts",
        [[a.tenant_id, a.client_id, a.platform, a.account_id, a.currency, 0] for a in (ads, prop)],
        column_names=["tenant_id", "client_id", "platform", "account_id", "currency", "spend_includes_vat"],
    )
    for module, account in ((google_ads, ads), (ga4, prop)):
        module.load(
            ch,
            module.Settings.for_sandbox(sandbox.url(account.platform)),
            tenant_id=account.tenant_id,
            account_id=account.account_id,
            date_from=FROM,
            date_to=TO,
            today=SANDBOX_TODAY,
        )
    cbr.load(
        ch, cbr.Settings.for_sandbox(sandbox.url("cbr")), date_from=FROM, date_to=TO, today=SANDBOX_TODAY
    )
    result = dbt_run.run(
        select=["+fct_ad_performance_daily"], target_path=tmp_path_factory.mktemp("dbt-google")
    )
    assert result.success, result.failures
    return ch, ads, prop


def test_google_ads_spend_is_in_the_unified_fact(marts) -> None:
    ch, ads, _prop = marts
    raw = ch.query(
        "SELECT sum(impressions), sum(clicks), sum(cost) FROM raw_google_ads.ad_stats_daily "
        "WHERE account_id = {a:String}",
        parameters={"a": ads.account_id},
    ).result_rows[0]
    fact = ch.query(
        "SELECT sum(impressions), sum(clicks), sum(spend_net), any(currency) FROM marts.fct_ad_performance_daily "
        "WHERE platform = 'google_ads' AND account_id = {a:String}",
        parameters={"a": ads.account_id},
    ).result_rows[0]
    assert fact[:3] == raw and fact[3] == "USD" and raw[0] > 0


def test_ga4_paid_sessions_land_on_their_google_ads_campaigns(marts) -> None:
    ch, ads, prop = marts
    campaigns = {
        str(r[0])
        for r in ch.query(
            "SELECT DISTINCT campaign_id FROM raw_google_ads.campaigns WHERE account_id = {a:String}",
            parameters={"a": ads.account_id},
        ).result_rows
    }
    expected = ch.query(
        "SELECT sum(sessions) FROM raw_ga4.traffic_daily WHERE account_id = {p:String} "
        "AND session_medium = 'cpc' AND extract(session_campaign_name, 'gads_([0-9]+)$') IN {c:Array(String)}",
        parameters={"p": prop.account_id, "c": sorted(campaigns)},
    ).result_rows[0][0]
    got = ch.query(
        "SELECT sum(sessions) FROM marts.fct_ad_performance_daily WHERE platform = 'google_ads' "
        "AND account_id = {a:String}",
        parameters={"a": ads.account_id},
    ).result_rows[0][0]
    assert expected > 0 and got == expected
    total, attributed = ch.query(
        "SELECT (SELECT sum(sessions) FROM staging.stg_ga4__traffic_daily), "
        "(SELECT sum(sessions) FROM intermediate.int_ga4_sessions_attributed)"
    ).result_rows[0]
    assert total == attributed, "attribution created or lost sessions"
