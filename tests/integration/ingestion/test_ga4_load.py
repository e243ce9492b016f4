"""GA4 Data API end to end: runReport paged by offset/limit into raw_ga4.traffic_daily, the "(other)" row and the
sampling/thresholding metadata flagged, quota and token faults, idempotent loads. The official client's reports
against the same emulator are in test_ga4_official_client.py."""

from __future__ import annotations

from datetime import date

import pytest

from ingestion.common import ApiError, ConfigError
from ingestion.ga4 import Settings, load
from ingestion.ga4.client import make_client
from ingestion.ga4.fetch import report_body, run_report
from ingestion.sandbox.testing import SANDBOX_TODAY, clean_faults, sandbox  # noqa: F401
from tests.integration.ingestion import loadkit
from warehouse.loads import current_rows_sql

FROM, TO = date(2026, 1, 5), date(2026, 1, 19)
TABLE = "raw_ga4.traffic_daily"
SUMS = "count(), sum(sessions), sum(key_events), sum(total_revenue), max(is_other_row), max(is_sampled), max(is_thresholded)"


@pytest.fixture()
def ga(clean_faults):  # noqa: F811
    props = {a.currency: a for a in clean_faults.world.accounts_for("ga4")}
    return clean_faults, Settings.for_sandbox(clean_faults.url("ga4")), props


def run(ch, settings: Settings, prop) -> dict[str, int]:
    return loadkit.run_window(load, ch, settings, prop, (FROM, TO))


def sums(ch, prop) -> tuple:
    return ch.query(
        f"SELECT {SUMS} FROM ({current_rows_sql(TABLE)}) WHERE account_id = {{a:String}}",  # noqa: S608
        parameters={"a": prop.account_id},
    ).result_rows[0]


def test_load_pages_by_offset_and_is_idempotent(ch, ga) -> None:
    server, settings, props = ga
    prop = props["USD"]
    with make_client(settings) as api:
        pages = run_report(api, settings, prop.account_id, date_from=FROM, date_to=TO)
    assert len(pages) > 2 and sum(len(p.rows) for p in pages) == pages[0].row_count  # page_limit 50
    out = run(ch, settings, prop)
    assert out == {TABLE: pages[0].row_count}
    first = sums(ch, prop)
    assert first[4:] == (0, 0, 0), "no (other) row, sampling or thresholding on this property"
    campaigns = {
        r[0]
        for r in ch.query(
            f"SELECT DISTINCT session_campaign_name FROM ({current_rows_sql(TABLE)}) "  # noqa: S608
            "WHERE account_id = {a:String} AND session_medium = 'cpc'",
            parameters={"a": prop.account_id},
        ).result_rows
    }
    assert campaigns and all(c.startswith("gads_") for c in campaigns)  # the UTM campaign links to Google Ads
    run(ch, settings, prop)
    assert sums(ch, prop) == first


def test_the_other_row_sampling_and_thresholding_are_flagged_on_the_rows(ch, ga) -> None:
    server, settings, props = ga
    eur = props["EUR"]
    run(ch, settings, eur)
    other = ch.query(
        f"SELECT session_source, is_other_row FROM ({current_rows_sql(TABLE)}) "  # noqa: S608
        "WHERE account_id = {a:String} AND is_other_row = 1",
        parameters={"a": eur.account_id},
    ).result_rows
    assert other and {r[0] for r in other} == {"(other)"}
    server.faults.add("ga4", "ga4_sampled", count=1, share=0.25)
    server.faults.add("ga4", "ga4_thresholded", count=1)
    run(ch, settings, props["USD"])
    flags = ch.query(
        f"SELECT DISTINCT is_sampled, sampling_share, is_thresholded FROM ({current_rows_sql(TABLE)}) "  # noqa: S608
        "WHERE account_id = {a:String}",
        parameters={"a": props["USD"].account_id},
    ).result_rows
    assert flags == [(1, 0.25, 1)]


def test_quota_and_an_expired_token_are_retried_and_a_foreign_property_fails_loudly(ch, ga) -> None:
    server, settings, props = ga
    prop = props["USD"]
    run(ch, settings, prop)
    clean = sums(ch, prop)
    server.faults.add("ga4", "ga4_quota", count=2)
    server.faults.add("ga4", "expired_token", count=1)
    server.faults.add("ga4", "http_5xx", count=1)
    run(ch, settings, prop)
    assert server.faults.list() == [] and sums(ch, prop) == clean
    with pytest.raises(ApiError, match="PERMISSION_DENIED"):
        loadkit.run_window(load, ch, settings, prop, (FROM, TO), account_id="999")
    with pytest.raises(ConfigError, match="numeric GA4 property id"):
        loadkit.run_window(load, ch, settings, prop, (FROM, TO), account_id="properties/1")


def test_the_request_body_has_the_official_rest_shape() -> None:
    body = report_body(Settings.for_sandbox("http://127.0.0.1:1/ga4"), date_from=FROM, date_to=TO, offset=100)
    assert body["offset"] == "100" and body["limit"] == "50"  # int64 as JSON strings
    assert body["dateRanges"] == [{"startDate": "2026-01-05", "endDate": "2026-01-19"}]
