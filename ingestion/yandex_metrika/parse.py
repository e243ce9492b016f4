"""Metrika payload parsing: Reporting API data items and Logs API TSV batches → raw_yandex_metrika rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.common import PayloadError
from ingestion.common.money import MONEY_TYPE
from ingestion.common.schema import require_filled
from ingestion.yandex_metrika import schema
from ingestion.yandex_metrika.settings import PLATFORM, Settings

METRICS = [
    "ym:s:visits",
    "ym:s:users",
    "ym:s:bounceRate",
    "ym:s:pageviews",
    "ym:s:sumGoalReachesAny",
    "ym:s:ecommerceRevenue",
]
_Q6 = Decimal("0.000001")


def traffic_row(item: dict[str, Any], row: int, rid: str | None) -> dict[str, Any]:
    """One Reporting API data item → the parsed columns of a traffic_daily row (a PayloadError names the row)."""
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
            "utm_source": d[2].get("name") or "",
            "utm_medium": d[3].get("name") or "",
            "utm_campaign": d[4].get("name") or "",
            "direct_campaign_id": int(direct["id"]) if direct.get("id") else None,
            "direct_campaign_name": direct.get("name") or "" if direct.get("id") else "",
            "visits": visits,
            "users": int(m[1] or 0),
            # bounceRate is a percentage of visits with ≥8 decimals: the count is recovered exactly.
            "bounces": int(round(visits * float(m[2] or 0) / 100)),
            "pageviews": int(m[3] or 0),
            "goal_reaches": int(m[4] or 0),
            "revenue": Decimal(repr(float(m[5] or 0))).quantize(_Q6),
        }
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PayloadError(
            f"bad data row {item!r}: {exc}", platform=PLATFORM, request_id=rid, row=row, retryable=False
        ) from exc


LOG_TYPES = {
    "ym:s:visitID": pa.uint64(),
    "ym:s:date": pa.date32(),
    "ym:s:dateTime": pa.timestamp("s"),
    "ym:s:clientID": pa.uint64(),
    "ym:s:isNewUser": pa.uint8(),
    "ym:s:pageViews": pa.uint32(),
    "ym:s:visitDuration": pa.uint32(),
    "ym:s:bounce": pa.uint8(),
    "ym:s:goalsID": pa.string(),
    "ym:s:purchaseRevenue": pa.string(),
    "ym:s:startURL": pa.string(),
    "ym:s:regionCity": pa.string(),
    "ym:s:deviceCategory": pa.string(),
}


def _list_values(arr: pa.Array, n: int) -> tuple[np.ndarray, pa.Array]:
    """`[a,b]` text per row → (row index of each element, element strings), empty lists skipped."""
    trimmed = pc.utf8_trim(pc.fill_null(arr, "[]"), "[] ")
    split = pc.split_pattern(trimmed, ",")
    parents = np.asarray(pc.list_parent_indices(split))
    flat = pc.utf8_trim(pc.list_flatten(split), "' ")
    keep = np.asarray(pc.not_equal(flat, "").to_numpy(zero_copy_only=False), dtype=bool)
    return parents[keep], flat.filter(pa.array(keep))


def _cast_list_items(
    items: pa.Array, to: pa.DataType, field: str, what: str, request_id: str | None
) -> pa.Array:
    """List elements cast to their type; a PayloadError naming the field when one does not parse."""
    try:
        return pc.cast(items, to)
    except pa.ArrowInvalid as exc:
        raise PayloadError(
            f"{field.removeprefix('ym:s:')} holds {what}: {exc}",
            platform=PLATFORM,
            request_id=request_id,
            field=field,
            retryable=False,
        ) from exc


def normalize_visits(
    batch: pa.RecordBatch,
    settings: Settings,
    *,
    tenant_id: str,
    counter: str,
    since: date,
    request_id: str | None = None,
    row_offset: int = 0,
) -> pa.RecordBatch:
    """Logs API TSV batch → raw_yandex_metrika.visits batch (clientID kept, arrays parsed, money Decimal)."""
    n = batch.num_rows
    c = batch.column
    a = settings.attribution
    required = ("ym:s:visitID", "ym:s:date", "ym:s:clientID", "ym:s:dateTime")
    # Row 1 of the TSV is its header.
    require_filled(batch, required, platform=PLATFORM, request_id=request_id, first_row=row_offset + 2)
    parents, goal_txt = _list_values(c("ym:s:goalsID"), n)
    goal_vals = _cast_list_items(goal_txt, pa.uint64(), "ym:s:goalsID", "a non-integer", request_id)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(parents, minlength=n), out=offsets[1:])
    goals = pa.ListArray.from_arrays(pa.array(offsets), goal_vals)
    rparents, rev_txt = _list_values(c("ym:s:purchaseRevenue"), n)
    rev = _cast_list_items(
        rev_txt, pa.float64(), "ym:s:purchaseRevenue", "a non-number", request_id
    ).to_numpy(zero_copy_only=False)
    # Purchase amounts are ≤ 2-decimal text; summing per visit in float then rounding to 6 places is exact.
    revenue = pc.cast(
        pa.array(np.round(np.bincount(rparents, weights=rev, minlength=n), 6)), MONEY_TYPE, safe=False
    )
    local = c("ym:s:dateTime")
    utc = pc.cast(
        pc.assume_timezone(local, settings.timezone, ambiguous="earliest", nonexistent="earliest"),
        pa.timestamp("s", tz="UTC"),
    )
    dco = c(f"ym:s:{a}DirectClickOrder")
    dco = pc.if_else(pc.equal(pc.fill_null(dco, 0), 0), pa.scalar(None, pa.uint64()), dco)
    dates = c("ym:s:date")

    def s(name: str) -> pa.Array:
        return pc.fill_null(c(name).cast(pa.string()), "")

    arrays = [
        pa.repeat(pa.scalar(tenant_id), n).cast(pa.string()),
        pa.repeat(pa.scalar(counter), n).cast(pa.string()),
        dates,
        c("ym:s:visitID"),
        c("ym:s:clientID"),
        utc,
        pc.fill_null(c("ym:s:isNewUser"), 0),
        s("ym:s:startURL"),
        pc.fill_null(c("ym:s:pageViews"), 0),
        pc.fill_null(c("ym:s:visitDuration"), 0),
        pc.fill_null(c("ym:s:bounce"), 0),
        s(f"ym:s:{a}TrafficSource"),
        s(f"ym:s:{a}UTMSource"),
        s(f"ym:s:{a}UTMMedium"),
        s(f"ym:s:{a}UTMCampaign"),
        dco,
        s("ym:s:deviceCategory"),
        s("ym:s:regionCity"),
        goals,
        revenue,
        pc.cast(pc.greater_equal(dates, pa.scalar(since, pa.date32())), pa.uint8()),
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema.VISITS)
