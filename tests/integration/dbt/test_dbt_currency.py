"""Currency acceptance: a USD Google Ads account's spend in roubles equals the hand-computed sum of day × Bank of
Russia rate over 30 days spanning weekends and the New Year holidays; a day without a rate fails the build loudly.

Rates come through the real connector from the sandbox emulator, and so does a second USD account's Google Ads
statistics; the dbt models run on a private warehouse.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa
import pytest

from dbt_project import run as dbt_run
from ingestion import cbr, google_ads
from ingestion.google_ads.schema import AD_STATS_DAILY
from ingestion.sandbox.cbr import is_rate_day, rate_value
from ingestion.sandbox.testing import SANDBOX_TODAY, sandbox  # noqa: F401
from warehouse.loads import replace_window

pytestmark = pytest.mark.slow

START = dt.date(2025, 12, 20)  # a Saturday; the window runs through the New Year holidays (1-8 January)
DAYS = [START + dt.timedelta(days=i) for i in range(30)]
SELECT = [
    "+int_ad_performance_unioned",
    "+int_fx_rates_daily",
    "stg_app__clients",
    "assert_conformed_spend_has_rub_rate",
]
EXCLUDE = ["path:models/marts"]  # the marts' tests on the union would need the marts built
HAND, LATE = "1110001111", "1110002222"
Q6 = Decimal("0.000001")


def usd_cost(day: dt.date) -> Decimal:
    return Decimal(100 + 7 * (day.toordinal() % 11)) + Decimal("0.25")


def stats(account_id: str, days: list[dt.date]) -> pa.Table:
    rows = [
        {
            "tenant_id": "tfx",
            "account_id": account_id,
            "date_day": d,
            "campaign_id": 1,
            "campaign_name": "Export",
            "ad_group_id": 2,
            "ad_group_name": "Brand",
            "ad_id": 3,
            "ad_network_type": "SEARCH",
            "impressions": 1000,
            "clicks": 10,
            "cost": usd_cost(d),
            "cost_includes_vat": 0,
            "currency": "USD",
            "conversions": Decimal(1),
            "conversions_value": Decimal(0),
            "timezone": "Europe/Moscow",
            "is_provisional": 0,
        }
        for d in days
    ]
    return pa.Table.from_pylist(rows, schema=AD_STATS_DAILY)


@pytest.fixture(scope="module")
def fx_wh(private_ch, sandbox, tmp_path_factory):  # noqa: F811
    ch = private_ch
    usd = next(a for a in sandbox.world.accounts_for("google_ads") if a.currency == "USD")
    ch.insert(
        "app.tenants", [["tfx", "FX Agency"], [usd.tenant_id, "Demo"]], column_names=["tenant_id", "name"]
    )
    ch.insert(
        "app.clients",
        [["tfx", "cfx", "Export Client", "EUR"], [usd.tenant_id, usd.client_id, "Shoes", "RUB"]],
        column_names=["tenant_id", "client_id", "name", "currency"],
    )
    ch.insert(
        "app.accounts",
        [
            ["tfx", "cfx", "google_ads", HAND, "USD", 0],
            ["tfx", "cfx", "google_ads", LATE, "USD", 0],
            [usd.tenant_id, usd.client_id, "google_ads", usd.account_id, "USD", 0],
        ],
        column_names=["tenant_id", "client_id", "platform", "account_id", "currency", "spend_includes_vat"],
    )
    replace_window(
        ch, "raw_google_ads.ad_stats_daily", stats(HAND, DAYS), tenant_id="tfx", account_id=HAND, days=DAYS
    )
    google_ads.load(
        ch,
        google_ads.Settings.for_sandbox(sandbox.url("google_ads")),
        tenant_id=usd.tenant_id,
        account_id=usd.account_id,
        date_from=DAYS[0],
        date_to=DAYS[-1],
        today=SANDBOX_TODAY,
    )
    cbr.load(
        ch,
        cbr.Settings.for_sandbox(sandbox.url("cbr")),
        date_from=DAYS[0],
        date_to=DAYS[-1],
        today=SANDBOX_TODAY,
    )
    return ch, sandbox.world.seed, usd, tmp_path_factory.mktemp("dbt-fx-target")


def hand_rate(seed: int, day: dt.date, currency: str = "USD") -> Decimal:
    """The rate in force: the one set for the day, else the last one set before it (weekend, holiday)."""
    d = day
    while not is_rate_day(d):
        d -= dt.timedelta(days=1)
    return rate_value(seed, currency, d)  # USD and EUR nominal is 1


@pytest.fixture(scope="module")
def built(fx_wh):
    ch, _seed, _usd, target = fx_wh
    result = dbt_run.build(select=SELECT, exclude=EXCLUDE, target_path=target)
    assert result.success, result.failures
    return fx_wh


def test_usd_spend_in_roubles_is_the_sum_of_day_times_rate(built) -> None:
    ch, seed, _usd, _target = built
    expected = sum(((usd_cost(d) * hand_rate(seed, d)).quantize(Q6, ROUND_HALF_UP) for d in DAYS), Decimal(0))
    weekend_or_holiday = [d for d in DAYS if not is_rate_day(d)]
    assert len(weekend_or_holiday) >= 10 and dt.date(2026, 1, 5) in weekend_or_holiday
    got, usd, days, rates = ch.query(
        "SELECT sum(spend_net_rub), sum(spend_net), count(), groupArray((date_day, fx_rate_rub)) "
        "FROM intermediate.int_ad_performance_unioned WHERE tenant_id = 'tfx' AND account_id = {a:String}",
        parameters={"a": HAND},
    ).result_rows[0]
    assert days == 30 and usd == sum((usd_cost(d) for d in DAYS), Decimal(0))
    assert got == expected
    # the 5 January (holiday) converts at the rate set for 31 December, never at 1
    assert dict(rates)[dt.date(2026, 1, 5)] == rate_value(seed, "USD", dt.date(2025, 12, 31)) != 1


def test_the_clients_reporting_currency_goes_on_from_roubles_at_its_own_rate(built) -> None:
    ch, seed, _usd, _target = built
    expected = Decimal(0)
    for d in DAYS:
        rub = (usd_cost(d) * hand_rate(seed, d)).quantize(Q6, ROUND_HALF_UP)
        expected += (rub / hand_rate(seed, d, "EUR")).quantize(Q6, ROUND_HALF_UP)
    currency, got = ch.query(
        "SELECT any(client_currency), sum(spend_net_client) FROM intermediate.int_ad_performance_unioned "
        "WHERE tenant_id = 'tfx' AND account_id = {a:String}",
        parameters={"a": HAND},
    ).result_rows[0]
    assert currency == "EUR" and got == expected


def test_a_usd_account_loaded_from_the_emulator_converts_row_by_row_at_the_days_rate(built) -> None:
    ch, seed, usd, _target = built
    raw = ch.query(
        "SELECT date_day, ad_id, sum(cost) FROM raw_google_ads.ad_stats_daily WHERE account_id = {a:String} "
        "GROUP BY date_day, ad_id",
        parameters={"a": usd.account_id},
    ).result_rows
    assert {r[0] for r in raw} >= {dt.date(2026, 1, 3), dt.date(2026, 1, 5)}  # weekend and holiday spend
    expected = sum(
        ((cost * hand_rate(seed, day)).quantize(Q6, ROUND_HALF_UP) for day, _ad, cost in raw), Decimal(0)
    )
    got = ch.query(
        "SELECT sum(spend_net_rub) FROM intermediate.int_ad_performance_unioned "
        "WHERE platform = 'google_ads' AND account_id = {a:String}",
        parameters={"a": usd.account_id},
    ).result_rows[0][0]
    assert got == expected and got > 0


def test_a_day_without_a_rate_fails_the_build_and_is_never_converted_at_one(built) -> None:
    ch, _seed, _usd, target = built
    late = [dt.date(2026, 3, 2)]  # no rates load covered March
    replace_window(
        ch, "raw_google_ads.ad_stats_daily", stats(LATE, late), tenant_id="tfx", account_id=LATE, days=late
    )
    result = dbt_run.build(select=SELECT, exclude=EXCLUDE, target_path=target, raise_on_failure=False)
    assert not result.success
    assert any("assert_conformed_spend_has_rub_rate" in f.unique_id for f in result.failures), result.failures
    rate, rub = ch.query(
        "SELECT fx_rate_rub, spend_net_rub FROM intermediate.int_ad_performance_unioned "
        "WHERE account_id = {a:String}",
        parameters={"a": LATE},
    ).result_rows[0]
    assert rate is None and rub is None
