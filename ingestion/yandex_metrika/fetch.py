"""Metrika fetch functions: Reporting API traffic table (paged, sampling recorded) and Logs API visits."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ingestion.common import ApiClient, ApiError, PayloadError
from ingestion.common.money import MONEY_TYPE
from ingestion.common.windows import provisional_since, split_window
from ingestion.yandex_metrika.settings import PLATFORM, Settings

METRICS = ["ym:s:visits", "ym:s:users", "ym:s:bounceRate", "ym:s:pageviews", "ym:s:sumGoalReachesAny",
           "ym:s:ecommerceRevenue"]
_Q6 = Decimal("0.000001")


def traffic_dimensions(settings: Settings) -> list[str]:
    a = settings.attribution
    return ["ym:s:date", f"ym:s:{a}TrafficSource", f"ym:s:{a}UTMSource", f"ym:s:{a}UTMMedium",
            f"ym:s:{a}UTMCampaign", f"ym:s:{a}DirectClickOrder"]


def log_fields(settings: Settings) -> list[str]:
    a = settings.attribution
    return ["ym:s:visitID", "ym:s:date", "ym:s:dateTime", "ym:s:clientID", "ym:s:isNewUser", "ym:s:startURL",
            "ym:s:pageViews", "ym:s:visitDuration", "ym:s:bounce", f"ym:s:{a}TrafficSource", f"ym:s:{a}UTMSource",
            f"ym:s:{a}UTMMedium", f"ym:s:{a}UTMCampaign", f"ym:s:{a}DirectClickOrder", "ym:s:deviceCategory",
            "ym:s:regionCity", "ym:s:goalsID", "ym:s:purchaseRevenue"]


TRAFFIC_SCHEMA = pa.schema([
    ("tenant_id", pa.string()), ("account_id", pa.string()), ("date_day", pa.date32()),
    ("traffic_source", pa.string()), ("utm_source", pa.string()), ("utm_medium", pa.string()),
    ("utm_campaign", pa.string()), ("direct_campaign_id", pa.uint64()), ("direct_campaign_name", pa.string()),
    ("visits", pa.uint64()), ("users", pa.uint64()), ("bounces", pa.uint64()), ("pageviews", pa.uint64()),
    ("goal_reaches", pa.uint64()), ("revenue", MONEY_TYPE), ("currency", pa.string()), ("sampled", pa.uint8()),
    ("sample_share", pa.float64()), ("timezone", pa.string()), ("is_provisional", pa.uint8()),
])
VISITS_SCHEMA = pa.schema([
    ("tenant_id", pa.string()), ("account_id", pa.string()), ("date_day", pa.date32()), ("visit_id", pa.uint64()),
    ("client_id", pa.uint64()), ("visit_datetime", pa.timestamp("s", tz="UTC")), ("is_new_user", pa.uint8()),
    ("start_url", pa.string()), ("page_views", pa.uint32()), ("visit_duration", pa.uint32()), ("bounce", pa.uint8()),
    ("traffic_source", pa.string()), ("utm_source", pa.string()), ("utm_medium", pa.string()),
    ("utm_campaign", pa.string()), ("direct_click_order", pa.uint64()), ("device_category", pa.string()),
    ("region_city", pa.string()), ("goals_id", pa.list_(pa.uint64())), ("purchase_revenue", MONEY_TYPE),
    ("is_provisional", pa.uint8()),
])


# -- Reporting API -------------------------------------------------------------------------------------
def fetch_traffic(api: ApiClient, settings: Settings, *, tenant_id: str, counter: str, date_from: date,
                  date_to: date, today: date) -> pa.Table:
    """Visits by day × source × UTM × Direct campaign, all pages; sampling flags kept on every row."""
    dims = traffic_dimensions(settings)
    rows: list[dict[str, Any]] = []
    offset, total, sampled, share = 1, None, False, 1.0
    since = provisional_since(today, settings.lookback_days)
    while True:
        params = {"ids": counter, "metrics": ",".join(METRICS), "dimensions": ",".join(dims),
                  "date1": date_from.isoformat(), "date2": date_to.isoformat(), "limit": settings.page_limit,
                  "offset": offset, "accuracy": settings.accuracy, "sort": "ym:s:date", "include_undefined": "true"}
        resp = api.request("GET", "/stat/v1/data", params=params)
        rid = resp.headers.get("X-Request-Id")
        try:
            payload = resp.json()
            data = payload["data"]
            page_total = int(payload["total_rows"])
        except (ValueError, KeyError, TypeError) as exc:
            raise PayloadError(f"/stat/v1/data answer is not a data page: {resp.text[:200]!r}", platform=PLATFORM,
                               request_id=rid) from exc
        if total is not None and page_total != total:
            raise PayloadError(f"total_rows changed while paging ({total} → {page_total}); data moved under us",
                               platform=PLATFORM, request_id=rid)
        total = page_total
        sampled = sampled or bool(payload.get("sampled"))
        share = min(share, float(payload.get("sample_share") or 1.0))
        for i, item in enumerate(data):
            rows.append(_traffic_row(item, offset + i, rid))
        offset += len(data)
        if not data or offset > total:
            break
    if len(rows) != (total or 0):
        raise PayloadError(f"got {len(rows)} rows but total_rows is {total}", platform=PLATFORM)
    for r in rows:
        r.update(tenant_id=tenant_id, account_id=counter, currency=settings.currency, sampled=int(sampled),
                 sample_share=share, timezone=settings.timezone, is_provisional=int(r["date_day"] >= since))
    return pa.Table.from_pylist(rows, schema=TRAFFIC_SCHEMA)


def _traffic_row(item: dict[str, Any], row: int, rid: str | None) -> dict[str, Any]:
    try:
        d = item["dimensions"]
        m = item["metrics"]
        if len(d) != 6 or len(m) != len(METRICS):
            raise ValueError(f"expected 6 dimensions and {len(METRICS)} metrics, got {len(d)} and {len(m)}")
        visits = int(m[0] or 0)
        direct = d[5] or {}
        return {
            "date_day": date.fromisoformat(d[0]["name"]),
            "traffic_source": str(d[1].get("id") or d[1].get("name") or ""),
            "utm_source": d[2].get("name") or "", "utm_medium": d[3].get("name") or "",
            "utm_campaign": d[4].get("name") or "",
            "direct_campaign_id": int(direct["id"]) if direct.get("id") else None,
            "direct_campaign_name": direct.get("name") or "" if direct.get("id") else "",
            "visits": visits, "users": int(m[1] or 0),
            # bounceRate is a percentage of visits with ≥8 decimals: the count is recovered exactly.
            "bounces": int(round(visits * float(m[2] or 0) / 100)),
            "pageviews": int(m[3] or 0), "goal_reaches": int(m[4] or 0),
            "revenue": Decimal(repr(float(m[5] or 0))).quantize(_Q6),
        }
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PayloadError(f"bad data row {item!r}: {exc}", platform=PLATFORM, request_id=rid, row=row,
                           retryable=False) from exc


# -- Logs API --------------------------------------------------------------------------------------------
def _mgmt(counter: str) -> str:
    return f"/management/v1/counter/{counter}"


def plan_log_windows(api: ApiClient, settings: Settings, *, counter: str, date_from: date,
                     date_to: date) -> list[tuple[date, date]]:
    """Evaluate the request; when Metrika says it is too big, split into windows it says it can take."""
    params = {"date1": date_from.isoformat(), "date2": date_to.isoformat(), "fields": ",".join(log_fields(settings)),
              "source": "visits"}
    resp = api.request("GET", f"{_mgmt(counter)}/logrequests/evaluate", params=params)
    try:
        ev = resp.json()["log_request_evaluation"]
        possible, max_days = bool(ev["possible"]), int(ev.get("max_possible_day_quantity") or 0)
    except (ValueError, KeyError, TypeError) as exc:
        raise PayloadError(f"bad evaluate answer {resp.text[:200]!r}", platform=PLATFORM) from exc
    if possible:
        return [(date_from, date_to)]
    if date_from == date_to or max_days < 1:
        raise ApiError(f"Logs API cannot export counter {counter} for {date_from}..{date_to} even one day at a time "
                       f"(evaluate: possible=false, max_possible_day_quantity={max_days})", platform=PLATFORM)
    return list(split_window(date_from, date_to, max_days))


def fetch_visits(api: ApiClient, settings: Settings, *, tenant_id: str, counter: str, date_from: date,
                 date_to: date, today: date, sleep: Callable[[float], None] = time.sleep) -> Iterator[pa.RecordBatch]:
    """Visits through the Logs API: evaluate → create → poll → download parts → clean, per planned window."""
    if date_to >= today:
        raise ValueError(f"Logs API has no data for today or later (date_to={date_to}, today={today})")
    since = provisional_since(today, settings.lookback_days)
    for d1, d2 in plan_log_windows(api, settings, counter=counter, date_from=date_from, date_to=date_to):
        yield from _log_window(api, settings, tenant_id=tenant_id, counter=counter, d1=d1, d2=d2, since=since,
                               sleep=sleep)


def _log_window(api: ApiClient, settings: Settings, *, tenant_id: str, counter: str, d1: date, d2: date,
                since: date, sleep: Callable[[float], None]) -> Iterator[pa.RecordBatch]:
    fields = log_fields(settings)
    failures = []
    for _attempt in range(settings.log_recreate_attempts + 1):
        resp = api.request("POST", f"{_mgmt(counter)}/logrequests", params={
            "date1": d1.isoformat(), "date2": d2.isoformat(), "fields": ",".join(fields), "source": "visits"})
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
                raise ApiError(f"log request {rid} for {d1}..{d2} still {status!r} after {settings.max_log_polls} "
                               "polls; canceled", platform=PLATFORM, request_id=str(rid))
            for part in sorted(req.get("parts") or [], key=lambda p: int(p["part_number"])):
                yield from _download_part(api, settings, counter, rid, part, tenant_id=tenant_id, since=since)
        except BaseException:
            if status == "processed":
                _best_effort(api, f"{_mgmt(counter)}/logrequest/{rid}/clean")
            raise
        # Cleaning frees the counter's 10 GB log quota; a failure here is loud (quota would fill up).
        api.request("POST", f"{_mgmt(counter)}/logrequest/{rid}/clean")
        return
    raise ApiError(f"Logs API could not prepare {counter} {d1}..{d2}: {'; '.join(failures)}", platform=PLATFORM)


def _log_request(resp: Any) -> dict[str, Any]:
    try:
        req = resp.json()["log_request"]
        int(req["request_id"])
        return req
    except (ValueError, KeyError, TypeError) as exc:
        raise PayloadError(f"bad log_request answer {resp.text[:200]!r}", platform=PLATFORM) from exc


def _poll(api: ApiClient, settings: Settings, counter: str, rid: int,
          sleep: Callable[[float], None]) -> tuple[str, dict[str, Any]]:
    status, req = "created", {}
    for _ in range(settings.max_log_polls):
        req = _log_request(api.request("GET", f"{_mgmt(counter)}/logrequest/{rid}"))
        status = req.get("status", "")
        if status in ("processed", "processing_failed", "canceled", "cleaned_by_user",
                      "cleaned_automatically_as_too_old"):
            if status in ("canceled", "cleaned_by_user", "cleaned_automatically_as_too_old"):
                raise ApiError(f"log request {rid} became {status!r} before download", platform=PLATFORM,
                               request_id=str(rid))
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
        while (n < 0 or len(self._buf) < n):
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


LOG_TYPES = {"ym:s:visitID": pa.uint64(), "ym:s:date": pa.date32(), "ym:s:dateTime": pa.timestamp("s"),
             "ym:s:clientID": pa.uint64(), "ym:s:isNewUser": pa.uint8(), "ym:s:pageViews": pa.uint32(),
             "ym:s:visitDuration": pa.uint32(), "ym:s:bounce": pa.uint8(), "ym:s:goalsID": pa.string(),
             "ym:s:purchaseRevenue": pa.string(), "ym:s:startURL": pa.string(), "ym:s:regionCity": pa.string(),
             "ym:s:deviceCategory": pa.string()}


def _download_part(api: ApiClient, settings: Settings, counter: str, rid: int, part: dict[str, Any], *,
                   tenant_id: str, since: date) -> Iterator[pa.RecordBatch]:
    number, size = int(part["part_number"]), int(part.get("size") or -1)
    a = settings.attribution
    types = dict(LOG_TYPES)
    types.update({f"ym:s:{a}DirectClickOrder": pa.uint64(), f"ym:s:{a}TrafficSource": pa.string(),
                  f"ym:s:{a}UTMSource": pa.string(), f"ym:s:{a}UTMMedium": pa.string(),
                  f"ym:s:{a}UTMCampaign": pa.string()})
    path = f"{_mgmt(counter)}/logrequest/{rid}/part/{number}/download"
    with api.stream("GET", path) as resp:
        src = _Counting(resp.iter_bytes())
        rows = 0
        try:
            reader = pacsv.open_csv(src, read_options=pacsv.ReadOptions(block_size=settings.block_size),
                                    parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False),
                                    convert_options=pacsv.ConvertOptions(column_types=types, null_values=[""],
                                                                         strings_can_be_null=False))
            missing = [f for f in log_fields(settings) if f not in reader.schema.names]
            if missing:
                raise PayloadError(f"log part {number} lacks fields {missing}", platform=PLATFORM,
                                   request_id=str(rid), retryable=False)
            for batch in reader:
                out = normalize_visits(batch, settings, tenant_id=tenant_id, counter=counter, since=since,
                                       request_id=str(rid), row_offset=rows)
                rows += batch.num_rows
                yield out
        except pa.ArrowInvalid as exc:
            raise PayloadError(f"malformed log part {number} after {rows} rows: {str(exc)[:300]}", platform=PLATFORM,
                               request_id=str(rid), row=rows + 1) from exc
        except UnicodeDecodeError as exc:
            raise PayloadError(f"log part {number} is not UTF-8: {exc}", platform=PLATFORM,
                               request_id=str(rid)) from exc
    if size >= 0 and src.size != size:
        raise PayloadError(f"log part {number} of request {rid} has {src.size} bytes, Metrika announced {size}",
                           platform=PLATFORM, request_id=str(rid))


def _list_values(arr: pa.Array, n: int) -> tuple[np.ndarray, pa.Array]:
    """`[a,b]` text per row → (row index of each element, element strings), empty lists skipped."""
    trimmed = pc.utf8_trim(pc.fill_null(arr, "[]"), "[] ")
    split = pc.split_pattern(trimmed, ",")
    parents = np.asarray(pc.list_parent_indices(split))
    flat = pc.utf8_trim(pc.list_flatten(split), "' ")
    keep = np.asarray(pc.not_equal(flat, "").to_numpy(zero_copy_only=False), dtype=bool)
    return parents[keep], flat.filter(pa.array(keep))


def normalize_visits(batch: pa.RecordBatch, settings: Settings, *, tenant_id: str, counter: str, since: date,
                     request_id: str | None = None, row_offset: int = 0) -> pa.RecordBatch:
    """Logs API TSV batch → raw_yandex_metrika.visits batch (clientID kept, arrays parsed, money Decimal)."""
    n = batch.num_rows
    c = batch.column
    a = settings.attribution
    for req in ("ym:s:visitID", "ym:s:date", "ym:s:clientID", "ym:s:dateTime"):
        if c(req).null_count:
            idx = pc.index(pc.is_null(c(req)), True).as_py()
            raise PayloadError(f"{req} is empty", platform=PLATFORM, request_id=request_id,
                               row=row_offset + idx + 2, field=req, retryable=False)
    parents, goal_txt = _list_values(c("ym:s:goalsID"), n)
    try:
        goal_vals = pc.cast(goal_txt, pa.uint64())
    except pa.ArrowInvalid as exc:
        raise PayloadError(f"goalsID holds a non-integer: {exc}", platform=PLATFORM, request_id=request_id,
                           field="ym:s:goalsID", retryable=False) from exc
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(parents, minlength=n), out=offsets[1:])
    goals = pa.ListArray.from_arrays(pa.array(offsets), goal_vals)
    rparents, rev_txt = _list_values(c("ym:s:purchaseRevenue"), n)
    try:
        rev = pc.cast(rev_txt, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid as exc:
        raise PayloadError(f"purchaseRevenue holds a non-number: {exc}", platform=PLATFORM, request_id=request_id,
                           field="ym:s:purchaseRevenue", retryable=False) from exc
    # Purchase amounts are ≤ 2-decimal text; summing per visit in float then rounding to 6 places is exact.
    revenue = pc.cast(pa.array(np.round(np.bincount(rparents, weights=rev, minlength=n), 6)), MONEY_TYPE, safe=False)
    local = c("ym:s:dateTime")
    utc = pc.cast(pc.assume_timezone(local, settings.timezone, ambiguous="earliest", nonexistent="earliest"),
                  pa.timestamp("s", tz="UTC"))
    dco = c(f"ym:s:{a}DirectClickOrder")
    dco = pc.if_else(pc.equal(pc.fill_null(dco, 0), 0), pa.scalar(None, pa.uint64()), dco)
    dates = c("ym:s:date")

    def s(name: str) -> pa.Array:
        return pc.fill_null(c(name).cast(pa.string()), "")

    arrays = [
        pa.repeat(pa.scalar(tenant_id), n).cast(pa.string()), pa.repeat(pa.scalar(counter), n).cast(pa.string()),
        dates, c("ym:s:visitID"), c("ym:s:clientID"), utc, pc.fill_null(c("ym:s:isNewUser"), 0), s("ym:s:startURL"),
        pc.fill_null(c("ym:s:pageViews"), 0), pc.fill_null(c("ym:s:visitDuration"), 0), pc.fill_null(c("ym:s:bounce"), 0),
        s(f"ym:s:{a}TrafficSource"), s(f"ym:s:{a}UTMSource"), s(f"ym:s:{a}UTMMedium"), s(f"ym:s:{a}UTMCampaign"),
        dco, s("ym:s:deviceCategory"), s("ym:s:regionCity"), goals, revenue,
        pc.cast(pc.greater_equal(dates, pa.scalar(since, pa.date32())), pa.uint8()),
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=VISITS_SCHEMA)


def day_before(d: date) -> date:
    return d - timedelta(days=1)
