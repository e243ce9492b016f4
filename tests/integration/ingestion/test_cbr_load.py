"""Bank of Russia rates end to end: emulator → connector → raw_cbr.fx_daily; idempotent, faults retried, the
window registered as covered day by day (weekends and holidays included, without rows)."""

from __future__ import annotations

import importlib
from datetime import date, timedelta

import pytest

from ingestion.cbr import Settings, load
from ingestion.cbr.schema import TABLES
from ingestion.cbr.settings import RAW_TABLE, SHARED_TENANT, SOURCE_ACCOUNT
from ingestion.common import RetryExhausted
from ingestion.sandbox.cbr import CURRENCIES, is_rate_day, rate_value
from ingestion.sandbox.testing import SANDBOX_TODAY, clean_faults, sandbox  # noqa: F401
from warehouse.loads import current_rows_sql

FROM, TO = date(2025, 12, 22), date(2026, 1, 19)
shape = importlib.import_module("tests.integration.ingestion.test_connector_shape")


@pytest.fixture()
def cbr(clean_faults) -> tuple:  # noqa: F811
    return clean_faults, Settings.for_sandbox(clean_faults.url("cbr"))


def visible(ch) -> list[tuple]:
    return ch.query(
        f"SELECT date_day, char_code, nominal, value FROM ({current_rows_sql(RAW_TABLE)}) "  # noqa: S608
        "ORDER BY date_day, char_code"
    ).result_rows


def covered(ch) -> set[date]:
    return {
        r[0]
        for r in ch.query(
            "SELECT DISTINCT date_day FROM app.raw_window_versions WHERE table_name = {t:String} "
            "AND tenant_id = {ten:String} AND account_id = {a:String}",
            parameters={"t": RAW_TABLE, "ten": SHARED_TENANT, "a": SOURCE_ACCOUNT},
        ).result_rows
    }


def test_schema_matches_the_migration(ch) -> None:
    rows = ch.query(
        "SELECT name, type FROM system.columns WHERE database = 'raw_cbr' AND table = 'fx_daily' "
        "ORDER BY position"
    ).result_rows
    got = [(n, shape.normalise(t)) for n, t in rows if n not in shape.LOAD_METADATA]
    assert got == [(f.name, shape.clickhouse_family(f.type)) for f in TABLES[RAW_TABLE]]


def test_load_keeps_business_days_covers_every_day_and_is_idempotent(ch, cbr) -> None:
    server, settings = cbr
    out = load(ch, settings, date_from=FROM, date_to=TO, today=SANDBOX_TODAY)
    business = [d for d in (FROM + timedelta(days=i) for i in range((TO - FROM).days + 1)) if is_rate_day(d)]
    assert out == {RAW_TABLE: len(business) * len(CURRENCIES)}
    first = visible(ch)
    assert {r[0] for r in first} == set(business)
    assert date(2026, 1, 5) not in {r[0] for r in first}  # New Year holidays: nothing set
    assert all(r[3] == rate_value(server.world.seed, r[1], r[0]) for r in first)
    assert {r[2] for r in first if r[1] == "KZT"} == {100}
    assert {FROM + timedelta(days=i) for i in range((TO - FROM).days + 1)} <= covered(ch)
    load(ch, settings, date_from=FROM, date_to=TO, today=SANDBOX_TODAY)
    assert visible(ch) == first
    stored = ch.query(f"SELECT count() FROM {RAW_TABLE}").result_rows[0][0]  # noqa: S608
    assert stored == len(first), "a superseded load left rows behind"


def test_a_window_opening_on_a_holiday_reaches_back_to_the_rates_in_force(ch, cbr) -> None:
    _server, settings = cbr
    load(ch, settings, date_from=date(2026, 1, 4), date_to=date(2026, 1, 12), today=SANDBOX_TODAY)
    # 31 Dec set the rates in force over the whole New Year break: the load widened back to it.
    assert date(2025, 12, 31) in covered(ch)
    assert date(2025, 12, 31) in {r[0] for r in visible(ch)}


def test_currency_filter_and_a_future_end_is_clipped_to_today(ch, cbr) -> None:
    _server, settings = cbr
    only = Settings.for_sandbox(settings.base_url, currencies=["usd"])
    out = load(ch, only, date_from=date(2026, 1, 19), date_to=date(2026, 2, 28), today=SANDBOX_TODAY)
    assert out == {RAW_TABLE: 2}  # 19 and 20 January (today's rates are in force today)
    assert {r[1] for r in visible(ch) if r[0] >= date(2026, 1, 19)} == {"USD"}


def test_server_errors_and_a_cut_body_are_retried(ch, cbr) -> None:
    server, settings = cbr
    server.faults.add("cbr", "http_5xx", count=2)
    server.faults.add("cbr", "truncate", count=1, fraction=0.4)
    out = load(ch, settings, date_from=FROM, date_to=TO, today=SANDBOX_TODAY)
    assert server.faults.list() == [], "every fault fired"
    rows = [r for r in visible(ch) if FROM <= r[0] <= TO]
    assert len(rows) == out[RAW_TABLE] and all(
        r[3] == rate_value(server.world.seed, r[1], r[0]) for r in rows
    )


def test_a_persistent_outage_fails_loudly_and_keeps_the_previous_rates(ch, cbr) -> None:
    server, settings = cbr
    load(ch, settings, date_from=FROM, date_to=TO, today=SANDBOX_TODAY)
    before = visible(ch)
    server.faults.add("cbr", "http_5xx", count=None, path=r"XML_daily")
    with pytest.raises(RetryExhausted, match=r"\[cbr\]"):
        load(ch, settings, date_from=FROM, date_to=TO, today=SANDBOX_TODAY)
    assert visible(ch) == before
