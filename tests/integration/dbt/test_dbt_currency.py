"""Currency acceptance: a USD account's spend in roubles equals the hand-computed sum of day × Bank of Russia
rate over 30 days spanning weekends and the New Year holidays, and a day without a rate fails the build loudly.

Rates come through the real connector from the sandbox emulator; the dbt models run on a private warehouse.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa
import pytest

from dbt_project import run as dbt_run
from ingestion import cbr
from ingestion.garpun.schema import AD_STATS_DAILY
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


def usd_cost(day: dt.date) -> Decimal:
    return Decimal(100 + 7 * (day.toordinal() % 11)) + Decimal("0.25")


def stats(account_id: str, days: list[dt.date], currency: str = "USD") -> pa.Table:
    rows = [
        {
            "tenant_id": "tfx",
            "account_id": account_id,
            "date_day": d,
            "source_platform": "google_ads",
            "campaign_id": "c-1",
            "campaign_name": "Export brand",
            "ad_group_id": "g-1",
            "ad_id": "a-1",
            "impressions": 1000,
            "clicks": 10,
            "cost": usd_cost(d),
            "cost_includes_vat": 0,
            "currency": currency,
            "conversions": Decimal(1),
            "is_provisional": 0,
        }
        for d in days
    ]
    return pa.Table.from_pylist(rows, schema=AD_STATS_DAILY)


@pytest.fixture(scope="module")
def fx_wh(private_ch, sandbox, tmp_path_factory):  # noqa: F811
    ch = private_ch
    ch.insert("app.tenants", [["tfx", "FX Agency"]], column_names=["tenant_id", "name"])
    ch.insert(
        "app.clients",
        [["tfx", "cfx", "Export Client", "RUB"]],
        column_names=["tenant_id", "client_id", "name", "currency"],
    )
    ch.insert(
        "app.accounts",
        [["tfx", "cfx", "garpun", "gp-usd", "USD", 0], ["tfx", "cfx", "garpun", "gp-late", "USD", 0]],
        column_names=["tenant_id", "client_id", "platform", "account_id", "currency", "spend_includes_vat"],
    )
    replace_window(
        ch,
        "raw_garpun.ad_stats_daily",
        stats("gp-usd", DAYS),
        tenant_id="tfx",
        account_id="gp-usd",
        days=DAYS,
    )
    cbr.load(
        ch,
        cbr.Settings.for_sandbox(sandbox.url("cbr")),
        date_from=DAYS[0],
        date_to=DAYS[-1],
        today=SANDBOX_TODAY,
    )
    return ch, sandbox.world.seed, tmp_path_factory.mktemp("dbt-fx-target")


def hand_rate(seed: int, day: dt.date) -> Decimal:
    """The rate in force: the one set for the day, else the last one set before it (weekend, holiday)."""
    d = day
    while not is_rate_day(d):
        d -= dt.timedelta(days=1)
    return rate_value(seed, "USD", d)  # USD nominal is 1


def test_usd_spend_in_roubles_is_the_sum_of_day_times_rate(fx_wh) -> None:
    ch, seed, target = fx_wh
    result = dbt_run.build(select=SELECT, exclude=EXCLUDE, target_path=target)
    assert result.success, result.failures
    q = Decimal("0.000001")
    expected = sum(((usd_cost(d) * hand_rate(seed, d)).quantize(q, ROUND_HALF_UP) for d in DAYS), Decimal(0))
    weekend_or_holiday = [d for d in DAYS if not is_rate_day(d)]
    assert len(weekend_or_holiday) >= 10 and dt.date(2026, 1, 5) in weekend_or_holiday
    got, usd, days, rates = ch.query(
        "SELECT sum(spend_net_rub), sum(spend_net), count(), groupArray((date_day, fx_rate_rub)) "
        "FROM intermediate.int_ad_performance_unioned WHERE tenant_id = 'tfx' AND account_id = 'gp-usd'"
    ).result_rows[0]
    assert days == 30 and usd == sum((usd_cost(d) for d in DAYS), Decimal(0))
    assert got == expected
    by_day = dict(rates)
    # the 5 January (holiday) converts at the rate set for 31 December, never at 1
    assert by_day[dt.date(2026, 1, 5)] == rate_value(seed, "USD", dt.date(2025, 12, 31)) != 1


def test_a_day_without_a_rate_fails_the_build_and_is_never_converted_at_one(fx_wh) -> None:
    ch, _seed, target = fx_wh
    late = [dt.date(2026, 3, 2)]  # no rates load covered March
    replace_window(
        ch,
        "raw_garpun.ad_stats_daily",
        stats("gp-late", late),
        tenant_id="tfx",
        account_id="gp-late",
        days=late,
    )
    result = dbt_run.build(select=SELECT, exclude=EXCLUDE, target_path=target, raise_on_failure=False)
    assert not result.success
    assert any("assert_conformed_spend_has_rub_rate" in f.unique_id for f in result.failures), result.failures
    rate, rub = ch.query(
        "SELECT fx_rate_rub, spend_net_rub FROM intermediate.int_ad_performance_unioned "
        "WHERE account_id = 'gp-late'"
    ).result_rows[0]
    assert rate is None and rub is None
