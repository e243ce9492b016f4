"""The column-wise searchStream reader (batches cut from the byte stream, ad rows read by Arrow's JSON reader) gives
exactly the rows of the row-by-row reader it replaced on the hot path: every field type, fields the API leaves out,
zero cost, unusual values it hands back, any chunking, and a stream that fails part-way."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pyarrow as pa
import pytest

from ingestion.common import ApiError, PayloadError
from ingestion.google_ads.fetch import _ad_batch, _arrow_ad_batch
from ingestion.google_ads.parse import iter_array, stream_runs
from ingestion.sandbox.google_ads import google_error

CTX: dict[str, Any] = {
    "tenant_id": "t1",
    "customer_id": "4015550101",
    "currency": "USD",
    "timezone": "America/New_York",
    "since": date(2026, 1, 18),
    "date_from": date(2026, 1, 10),
    "date_to": date(2026, 1, 19),
}


def row(n: int, day: str = "2026-01-15", **metrics: Any) -> dict[str, Any]:
    return {
        "campaign": {
            "resourceName": f"customers/1/campaigns/{n}",
            "id": str(n),
            "name": f'Кампания «{n}» "q"',
        },
        "adGroup": {"resourceName": f"customers/1/adGroups/{n}0", "id": f"{n}0", "name": f"Группа\\{n}\n"},
        "adGroupAd": {"resourceName": f"customers/1/adGroupAds/{n}0~{n}00", "ad": {"id": f"{n}00"}},
        "segments": {"date": day, "adNetworkType": "SEARCH"},
        "metrics": metrics,
    }


def every_kind() -> list[dict[str, Any]]:
    """Rows with every field type the ad query returns, and each way the API leaves a value out."""
    rows = [
        row(1, impressions="120", clicks="7", costMicros="4560000", conversions=2.0, conversionsValue=12.34),
        row(2, "2026-01-19", impressions="5"),  # zero clicks and cost left out (proto3)
        row(3, "2026-01-10", costMicros="1"),  # one micro
        row(4, impressions="0", clicks="0", costMicros="0", conversions=0.0),  # zeros spelled out
        row(5, conversions=0.5, conversionsValue=1e-7),  # fractional, below the money scale
        row(6, impressions="18446744073709551615", costMicros="9223372036854775807"),  # the integer limits
        row(7, conversions=1234567.891, conversionsValue=0.1),
    ]
    no_metrics = row(8)
    del no_metrics["metrics"]
    no_names = row(9, clicks="3")
    del no_names["campaign"]["name"], no_names["adGroup"]["name"], no_names["segments"]["adNetworkType"]
    content = row(10, impressions="9")
    content["segments"]["adNetworkType"] = "CONTENT"
    return [*rows, no_metrics, no_names, content]


def body(batches: list[dict[str, Any]], *, pretty: bool = False) -> bytes:
    return json.dumps(batches, ensure_ascii=False, indent=2 if pretty else None).encode()


def by_rows(data: bytes) -> pa.Table:
    """The reference: the element-by-element reader and the row-by-row columns."""
    batches, offset = [], 0
    for element in iter_array([data]):
        results = element.get("results", [])
        if results:
            batches.append(_ad_batch(results, **CTX, offset=offset))
            offset += len(results)
    return pa.Table.from_batches(batches)


def by_columns(chunks: list[bytes], fast_runs: list[int] | None = None, threads: int = 1) -> pa.Table:
    """The new reader (`threads` batches decoded at once), counting the runs the column path took."""

    def fast(run: bytes) -> pa.RecordBatch | None:
        made = _arrow_ad_batch(run, **CTX)
        if fast_runs is not None and made is not None:
            fast_runs.append(made.num_rows)
        return made

    batches, offset = [], 0
    for item in stream_runs(chunks, fast, threads=threads):
        if isinstance(item, pa.RecordBatch):
            batches.append(item)
            offset += item.num_rows
        elif item:
            batches.append(_ad_batch(item, **CTX, offset=offset))
            offset += len(item)
    return pa.Table.from_batches(batches)


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def test_every_field_type_reads_the_same_by_columns_as_by_rows() -> None:
    rows = every_kind()
    run = json.dumps({"results": rows, "fieldMask": "campaign.id,metrics.clicks", "requestId": "r"}).encode()
    fast = _arrow_ad_batch(run, **CTX)
    assert fast is not None, "the column path refused a clean batch"
    slow = _ad_batch(rows, **CTX, offset=0)
    assert fast.equals(slow), (fast.to_pylist(), slow.to_pylist())
    got = {r["ad_id"]: r for r in fast.to_pylist()}
    assert str(got[100]["cost"]) == "4.560000" and got[200]["clicks"] == 0 and got[200]["cost"] == 0
    assert got[800]["impressions"] == 0 and got[900]["ad_network_type"] == "UNSPECIFIED"
    assert got[900]["campaign_name"] == "" and got[100]["campaign_name"] == 'Кампания «1» "q"'
    assert [got[a]["is_provisional"] for a in (100, 200, 300)] == [0, 1, 0]


@pytest.mark.parametrize("size", [1, 7, 64, 4096, 1 << 30])
@pytest.mark.parametrize(("pretty", "threads"), [(False, 1), (True, 1), (False, 3)])
def test_any_chunking_and_layout_gives_the_rows_of_the_row_reader(
    size: int, pretty: bool, threads: int
) -> None:
    rows = every_kind()
    batches = [
        {"results": rows[:4], "requestId": "r1"},
        {"fieldMask": "x", "requestId": "r2"},  # a batch without rows
        {"results": rows[4:], "requestId": "r3"},
        {"results": [], "requestId": "r4"},
    ]
    data = body(batches, pretty=pretty)
    runs: list[int] = []
    assert by_columns(chunked(data, size), runs, threads).equals(by_rows(data))
    assert sum(runs) >= len(rows) - 4, "the column path was not taken"


def test_unusual_values_go_the_row_way_and_load_or_fail_as_before() -> None:
    ctx = dict(CTX)
    numbers = [row(1, impressions=5, costMicros=1500000)]  # JSON numbers where the API sends strings
    negative = [row(2, costMicros="-10000")]  # loaded as sent, as before
    for rows in (numbers, negative):
        run = json.dumps({"results": rows}).encode()
        assert _arrow_ad_batch(run, **ctx) is None
        data = body([{"results": rows}])
        assert by_columns([data]).equals(by_rows(data))
    late = [row(3, "2026-02-01")]
    assert _arrow_ad_batch(json.dumps({"results": late}).encode(), **ctx) is None
    with pytest.raises(PayloadError, match="outside") as err:
        by_columns([body([{"results": [row(4), row(5)]}, {"results": late}])])
    assert (err.value.row, err.value.field) == (3, "segments.date")
    missing = row(6)
    del missing["adGroupAd"]["ad"]["id"]
    with pytest.raises(PayloadError, match="missing") as err:
        by_columns([body([{"results": [missing]}])])
    assert err.value.field == "ad_group_ad.ad.id"


@pytest.mark.parametrize("threads", [1, 2])
def test_a_batch_key_inside_a_row_is_not_taken_for_a_batch(threads: int) -> None:
    rows = every_kind()
    rows[1]["extra"] = [1, {"results": [2]}]  # `,{"results"` deeper than the batches: the cut must not hold
    data = body([{"results": rows[:3]}, {"results": rows[3:6]}, {"results": rows[6:]}])
    for size in (5, 1 << 30):
        assert by_columns(chunked(data, size), threads=threads).equals(by_rows(data))


@pytest.mark.parametrize("threads", [1, 2])
def test_a_stream_failing_part_way_raises_after_the_rows_before_it(threads: int) -> None:
    rows = every_kind()
    internal = google_error(500, "INTERNAL", "boom", {"internalError": "INTERNAL_ERROR"}, request_id="r9")
    denied = google_error(
        403, "PERMISSION_DENIED", "no", {"authorizationError": "USER_PERMISSION_DENIED"}, request_id="r8"
    )
    seen: list[Any] = []
    with pytest.raises(PayloadError, match="failed part-way: INTERNAL") as err:
        batches = [{"results": rows[:5]}, {"results": rows[5:]}, internal]
        for item in stream_runs(chunked(body(batches), 100), _fast, threads=threads):
            seen.append(item)
    assert err.value.retryable and err.value.request_id == "r9"
    # The rows before the error element came out (the loader then discards them: the window is not switched).
    assert sum(len(i) if isinstance(i, list) else i.num_rows for i in seen) == len(rows)
    with pytest.raises(ApiError, match="USER_PERMISSION_DENIED"):
        list(stream_runs([body([{"results": rows}, denied])], _fast, threads=threads))
    for cut in (1, 40, 3000):
        with pytest.raises(PayloadError, match="cut or garbled|without"):
            list(stream_runs([body([{"results": rows}] * 3)[:-cut]], _fast, threads=threads))


def _fast(run: bytes) -> pa.RecordBatch | None:
    return _arrow_ad_batch(run, **CTX)
