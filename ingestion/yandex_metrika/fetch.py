"""Metrika fetch functions: Reporting API traffic table (paged, sampling recorded) and Logs API visits."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypedDict, Unpack

import pyarrow as pa
import pyarrow.csv as pacsv

from ingestion.common import ApiClient, ApiError, PayloadError
from ingestion.common.windows import provisional_since, split_window
from ingestion.yandex_metrika import parse, schema
from ingestion.yandex_metrika.settings import PLATFORM, Settings


def traffic_dimensions(settings: Settings) -> list[str]:
    a = settings.attribution
    return [
        "ym:s:date",
        f"ym:s:{a}TrafficSource",
        f"ym:s:{a}UTMSource",
        f"ym:s:{a}UTMMedium",
        f"ym:s:{a}UTMCampaign",
        f"ym:s:{a}DirectClickOrder",
    ]


def log_fields(settings: Settings) -> list[str]:
    a = settings.attribution
    return [
        "ym:s:visitID",
        "ym:s:date",
        "ym:s:dateTime",
        "ym:s:clientID",
        "ym:s:isNewUser",
        "ym:s:startURL",
        "ym:s:pageViews",
        "ym:s:visitDuration",
        "ym:s:bounce",
        f"ym:s:{a}TrafficSource",
        f"ym:s:{a}UTMSource",
        f"ym:s:{a}UTMMedium",
        f"ym:s:{a}UTMCampaign",
        f"ym:s:{a}DirectClickOrder",
        "ym:s:deviceCategory",
        "ym:s:regionCity",
        "ym:s:goalsID",
        "ym:s:purchaseRevenue",
    ]


class CounterDays(TypedDict):
    """What each report of a counter is asked for (keyword arguments of both fetches): its days
    [date_from, date_to] as they stand on `today`, for `tenant_id`."""

    tenant_id: str
    counter: str
    date_from: date
    date_to: date
    today: date


# -- Reporting API -------------------------------------------------------------------------------------
def fetch_traffic(api: ApiClient, settings: Settings, **asked: Unpack[CounterDays]) -> pa.Table:
    """Visits by day × source × UTM × Direct campaign, all pages; sampling flags kept on every row."""
    tenant_id, counter, today = asked["tenant_id"], asked["counter"], asked["today"]
    date_from, date_to = asked["date_from"], asked["date_to"]
    dims = traffic_dimensions(settings)
    rows: list[dict[str, Any]] = []
    offset, total, sampled, share = 1, None, False, 1.0
    since = provisional_since(today, settings.lookback_days)
    while True:
        params = {
            "ids": counter,
            "metrics": ",".join(parse.METRICS),
            "dimensions": ",".join(dims),
            "date1": date_from.isoformat(),
            "date2": date_to.isoformat(),
            "limit": settings.page_limit,
            "offset": offset,
            "accuracy": settings.accuracy,
            "sort": "ym:s:date",
            "include_undefined": "true",
        }
        resp = api.request("GET", "/stat/v1/data", params=params)
        rid = resp.headers.get("X-Request-Id")
        try:
            payload = resp.json()
            data = payload["data"]
            page_total = int(payload["total_rows"])
        except (ValueError, KeyError, TypeError) as exc:
            raise PayloadError(
                f"/stat/v1/data answer is not a data page: {resp.text[:200]!r}",
                platform=PLATFORM,
                request_id=rid,
            ) from exc
        if total is not None and page_total != total:
            raise PayloadError(
                f"total_rows changed while paging ({total} → {page_total}); data moved under us",
                platform=PLATFORM,
                request_id=rid,
            )
        total = page_total
        sampled = sampled or bool(payload.get("sampled"))
        share = min(share, float(payload.get("sample_share") or 1.0))
        for i, item in enumerate(data):
            rows.append(parse.traffic_row(item, offset + i, rid))
        offset += len(data)
        if not data or offset > total:
            break
    if len(rows) != (total or 0):
        raise PayloadError(f"got {len(rows)} rows but total_rows is {total}", platform=PLATFORM)
    for r in rows:
        r.update(
            tenant_id=tenant_id,
            account_id=counter,
            currency=settings.currency,
            sampled=int(sampled),
            sample_share=share,
            timezone=settings.timezone,
            is_provisional=int(r["date_day"] >= since),
        )
    return pa.Table.from_pylist(rows, schema=schema.TRAFFIC_DAILY)


# -- Logs API --------------------------------------------------------------------------------------------
def _mgmt(counter: str) -> str:
    return f"/management/v1/counter/{counter}"


def plan_log_windows(
    api: ApiClient, settings: Settings, *, counter: str, date_from: date, date_to: date
) -> list[tuple[date, date]]:
    """Evaluate the request; when Metrika says it is too big, split into windows it says it can take."""
    params = {
        "date1": date_from.isoformat(),
        "date2": date_to.isoformat(),
        "fields": ",".join(log_fields(settings)),
        "source": "visits",
    }
    resp = api.request("GET", f"{_mgmt(counter)}/logrequests/evaluate", params=params)
    try:
        ev = resp.json()["log_request_evaluation"]
        possible, max_days = bool(ev["possible"]), int(ev.get("max_possible_day_quantity") or 0)
    except (ValueError, KeyError, TypeError) as exc:
        raise PayloadError(f"bad evaluate answer {resp.text[:200]!r}", platform=PLATFORM) from exc
    if possible:
        return [(date_from, date_to)]
    if date_from == date_to or max_days < 1:
        raise ApiError(
            f"Logs API cannot export counter {counter} for {date_from}..{date_to} even one day at a time "
            f"(evaluate: possible=false, max_possible_day_quantity={max_days})",
            platform=PLATFORM,
        )
    return list(split_window(date_from, date_to, max_days))


def fetch_visits(
    api: ApiClient,
    settings: Settings,
    *,
    sleep: Callable[[float], None] = time.sleep,
    **asked: Unpack[CounterDays],
) -> Iterator[pa.RecordBatch]:
    """Visits through the Logs API: evaluate → create → poll → download parts → clean, per planned window."""
    tenant_id, counter, today = asked["tenant_id"], asked["counter"], asked["today"]
    date_from, date_to = asked["date_from"], asked["date_to"]
    if date_to >= today:
        raise ValueError(f"Logs API has no data for today or later (date_to={date_to}, today={today})")
    since = provisional_since(today, settings.lookback_days)
    for d1, d2 in plan_log_windows(api, settings, counter=counter, date_from=date_from, date_to=date_to):
        yield from _log_window(
            api, settings, tenant_id=tenant_id, counter=counter, d1=d1, d2=d2, since=since, sleep=sleep
        )


def _log_window(
    api: ApiClient,
    settings: Settings,
    *,
    tenant_id: str,
    counter: str,
    d1: date,
    d2: date,
    since: date,
    sleep: Callable[[float], None],
) -> Iterator[pa.RecordBatch]:
    fields = log_fields(settings)
    failures = []
    for _attempt in range(settings.log_recreate_attempts + 1):
        resp = api.request(
            "POST",
            f"{_mgmt(counter)}/logrequests",
            params={
                "date1": d1.isoformat(),
                "date2": d2.isoformat(),
                "fields": ",".join(fields),
                "source": "visits",
            },
        )
        req = _log_request(resp)
        rid = req["request_id"]
        api.request_ids.append(f"logrequest:{rid}")
        status = "created"
        try:
            status, req = _poll(api, settings, counter, rid, sleep)
            if status == "processing_failed":
                failures.append(f"log request {rid}: processing_failed")
                continue
            if status != "processed":
                _best_effort(api, f"{_mgmt(counter)}/logrequest/{rid}/cancel")
                raise ApiError(
                    f"log request {rid} for {d1}..{d2} still {status!r} after {settings.max_log_polls} "
                    "polls; canceled",
                    platform=PLATFORM,
                    request_id=str(rid),
                )
            for part in sorted(req.get("parts") or [], key=lambda p: int(p["part_number"])):
                yield from _download_part(api, settings, counter, rid, part, tenant_id=tenant_id, since=since)
        except BaseException:
            if status == "processed":
                _best_effort(api, f"{_mgmt(counter)}/logrequest/{rid}/clean")
            raise
        # Cleaning frees the counter's 10 GB log quota; a failure here is loud (quota would fill up).
        api.request("POST", f"{_mgmt(counter)}/logrequest/{rid}/clean")
        return
    raise ApiError(
        f"Logs API could not prepare {counter} {d1}..{d2}: {'; '.join(failures)}", platform=PLATFORM
    )


def _log_request(resp: Any) -> dict[str, Any]:
    try:
        req = resp.json()["log_request"]
        int(req["request_id"])
        return req
    except (ValueError, KeyError, TypeError) as exc:
        raise PayloadError(f"bad log_request answer {resp.text[:200]!r}", platform=PLATFORM) from exc


def _poll(
    api: ApiClient, settings: Settings, counter: str, rid: int, sleep: Callable[[float], None]
) -> tuple[str, dict[str, Any]]:
    status, req = "created", {}
    for _ in range(settings.max_log_polls):
        req = _log_request(api.request("GET", f"{_mgmt(counter)}/logrequest/{rid}"))
        status = req.get("status", "")
        if status in (
            "processed",
            "processing_failed",
            "canceled",
            "cleaned_by_user",
            "cleaned_automatically_as_too_old",
        ):
            if status in ("canceled", "cleaned_by_user", "cleaned_automatically_as_too_old"):
                raise ApiError(
                    f"log request {rid} became {status!r} before download",
                    platform=PLATFORM,
                    request_id=str(rid),
                )
            return status, req
        sleep(settings.log_poll_interval_s)
    return status, req


def _best_effort(api: ApiClient, path: str) -> None:
    try:
        api.request("POST", path)
    except Exception:  # noqa: S110 - hygiene after a failure; the original error is what matters
        pass


class _Counting:
    """File-like over a byte iterator that counts what passed through (to check the part size)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buf = b""
        self.size = 0
        self.closed = False

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self._buf) < n:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self.size += len(chunk)
            self._buf += chunk
        if n < 0:
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:n], self._buf[n:]
        return out


def _download_part(
    api: ApiClient,
    settings: Settings,
    counter: str,
    rid: int,
    part: dict[str, Any],
    *,
    tenant_id: str,
    since: date,
) -> Iterator[pa.RecordBatch]:
    number, size = int(part["part_number"]), int(part.get("size") or -1)
    a = settings.attribution
    types = dict(parse.LOG_TYPES)
    types.update(
        {
            f"ym:s:{a}DirectClickOrder": pa.uint64(),
            f"ym:s:{a}TrafficSource": pa.string(),
            f"ym:s:{a}UTMSource": pa.string(),
            f"ym:s:{a}UTMMedium": pa.string(),
            f"ym:s:{a}UTMCampaign": pa.string(),
        }
    )
    path = f"{_mgmt(counter)}/logrequest/{rid}/part/{number}/download"
    with api.stream("GET", path) as resp:
        src = _Counting(resp.iter_bytes())
        rows = 0
        try:
            reader = pacsv.open_csv(
                src,
                read_options=pacsv.ReadOptions(block_size=settings.block_size),
                parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False),
                convert_options=pacsv.ConvertOptions(
                    column_types=types, null_values=[""], strings_can_be_null=False
                ),
            )
            missing = [f for f in log_fields(settings) if f not in reader.schema.names]
            if missing:
                raise PayloadError(
                    f"log part {number} lacks fields {missing}",
                    platform=PLATFORM,
                    request_id=str(rid),
                    retryable=False,
                )
            for batch in reader:
                out = parse.normalize_visits(
                    batch,
                    settings,
                    tenant_id=tenant_id,
                    counter=counter,
                    since=since,
                    request_id=str(rid),
                    row_offset=rows,
                )
                rows += batch.num_rows
                yield out
        except pa.ArrowInvalid as exc:
            raise PayloadError(
                f"malformed log part {number} after {rows} rows: {str(exc)[:300]}",
                platform=PLATFORM,
                request_id=str(rid),
                row=rows + 1,
            ) from exc
        except UnicodeDecodeError as exc:
            raise PayloadError(
                f"log part {number} is not UTF-8: {exc}", platform=PLATFORM, request_id=str(rid)
            ) from exc
    if size >= 0 and src.size != size:
        raise PayloadError(
            f"log part {number} of request {rid} has {src.size} bytes, Metrika announced {size}",
            platform=PLATFORM,
            request_id=str(rid),
        )
