"""Google payload handling without a network: searchStream read element by element across any chunking, an error
element part-way, the API's error bodies classified (retryDelay honoured, token refresh, loud refusals), and GA4
report pages with their quality flags."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import httpx
import pytest

from ingestion.common import ApiError, ConfigError, PayloadError
from ingestion.common.windows import load_window
from ingestion.ga4.parse import parse_page
from ingestion.google_ads.client import classify
from ingestion.google_ads.parse import get, iter_array, stream_results
from ingestion.sandbox.google_ads import google_error

BATCHES = [
    {"results": [{"campaign": {"id": str(i), "name": "Кампания «ё»"}} for i in range(3)]},
    {"results": []},
]


@pytest.mark.parametrize("size", [1, 2, 7, 64, 10_000])
def test_search_stream_elements_survive_any_chunking(size: int) -> None:
    body = json.dumps(BATCHES, ensure_ascii=False).encode()
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    assert list(iter_array(chunks)) == BATCHES
    assert get(BATCHES[0]["results"][0], "campaign.name") == "Кампания «ё»"


def test_a_cut_stream_and_an_error_element_fail_and_say_so() -> None:
    body = json.dumps(BATCHES).encode()
    with pytest.raises(PayloadError, match="cut or garbled|without"):
        list(iter_array([body[:-5]]))
    internal = google_error(500, "INTERNAL", "boom", {"internalError": "INTERNAL_ERROR"}, request_id="r1")
    denied = google_error(
        403, "PERMISSION_DENIED", "no", {"authorizationError": "USER_PERMISSION_DENIED"}, request_id="r2"
    )
    with pytest.raises(PayloadError, match="failed part-way: INTERNAL") as err:
        list(stream_results([json.dumps([BATCHES[0], internal]).encode()]))
    assert err.value.retryable and err.value.request_id == "r1"
    with pytest.raises(ApiError, match="USER_PERMISSION_DENIED"):
        list(stream_results([json.dumps([denied]).encode()]))


def response(status: int, payload: dict) -> httpx.Response:
    return httpx.Response(status, json=payload, headers={"request-id": "abc"})


def test_errors_are_classified_with_the_servers_retry_delay() -> None:
    quota = google_error(
        429,
        "RESOURCE_EXHAUSTED",
        "slow down",
        {"quotaError": "RESOURCE_EXHAUSTED"},
        request_id="q",
        details={"quotaErrorDetails": {"retryDelay": "37s"}},
    )
    v = classify(response(429, quota))
    assert (v.action, v.delay, v.request_id) == ("retry", 37.0, "abc")
    expired = google_error(
        401, "UNAUTHENTICATED", "x", {"authenticationError": "OAUTH_TOKEN_EXPIRED"}, request_id="e"
    )
    assert classify(response(401, expired)).action == "refresh"
    dev = google_error(
        401, "UNAUTHENTICATED", "x", {"authenticationError": "DEVELOPER_TOKEN_INVALID"}, request_id="d"
    )
    assert classify(response(401, dev)).action == "fatal"
    assert (
        classify(response(503, {"error": {"code": 503, "status": "UNAVAILABLE", "message": "m"}})).action
        == "retry"
    )


def test_ga4_pages_carry_the_other_row_sampling_and_threshold_flags() -> None:
    payload = {
        "dimensionHeaders": [{"name": "date"}, {"name": "sessionSource"}],
        "metricHeaders": [{"name": "sessions", "type": "TYPE_INTEGER"}],
        "rows": [
            {
                "dimensionValues": [{"value": "20260105"}, {"value": "(other)"}],
                "metricValues": [{"value": "12"}],
            }
        ],
        "rowCount": 40,
        "metadata": {
            "dataLossFromOtherRow": True,
            "subjectToThresholding": True,
            "currencyCode": "USD",
            "samplingMetadatas": [{"samplesReadCount": "250", "samplingSpaceSize": "1000"}],
        },
    }
    page = parse_page(payload, dimensions=["date", "sessionSource"], metrics=["sessions"], offset=10)
    assert page.rows == [{"date": date(2026, 1, 5), "sessionSource": "(other)", "sessions": 12}]
    assert (page.row_count, page.flags.has_other_row, page.flags.sampling_share, page.flags.thresholded) == (
        40,
        True,
        0.25,
        True,
    )
    payload["rows"][0]["dimensionValues"][0]["value"] = "2026-01-05"
    with pytest.raises(PayloadError, match="not YYYYMMDD") as err:
        parse_page(payload, dimensions=["date", "sessionSource"], metrics=["sessions"], offset=10)
    assert err.value.row == 11 and err.value.field == "date"


def test_load_window_names_the_platform_when_nothing_is_fetchable() -> None:
    assert load_window(
        date(2026, 1, 1),
        date(2026, 1, 31),
        today=date(2026, 1, 20),
        lookback_days=0,
        platform="cbr",
        include_today=True,
    ) == (date(2026, 1, 1), date(2026, 1, 20))
    with pytest.raises(ConfigError, match=r"\[ga4\] nothing to fetch"):
        load_window(
            date(2026, 2, 1), date(2026, 2, 2), today=date(2026, 1, 20), lookback_days=3, platform="ga4"
        )


def test_a_bad_ad_row_is_named_by_row_and_field() -> None:
    from ingestion.google_ads.fetch import _ad_batch

    good = {
        "campaign": {"id": "5", "name": "c"},
        "adGroup": {"id": "7", "name": "g"},
        "adGroupAd": {"ad": {"id": "9"}},
        "segments": {"date": "2026-01-05", "adNetworkType": "SEARCH"},
        "metrics": {"impressions": "10", "costMicros": "1500000", "conversions": 0.5},
    }
    kw = {
        "tenant_id": "t",
        "customer_id": "1",
        "currency": "USD",
        "timezone": "UTC",
        "since": date(2026, 1, 20),
        "date_from": date(2026, 1, 1),
        "date_to": date(2026, 1, 19),
        "offset": 100,
    }
    batch = _ad_batch([good, {**good, "metrics": {}}], **kw)
    assert batch.column("cost").to_pylist()[0] == Decimal("1.5") and batch.column("clicks").to_pylist() == [
        0,
        0,
    ]
    bad = {**good, "metrics": {"costMicros": "1.5e6"}}
    with pytest.raises(PayloadError, match="not an integer") as err:
        _ad_batch([good, bad], **kw)
    assert (err.value.row, err.value.field) == (102, "metrics.cost_micros")
    with pytest.raises(PayloadError, match="outside") as err:
        _ad_batch([{**good, "segments": {"date": "2026-02-01"}}], **kw)
    assert err.value.field == "segments.date"
