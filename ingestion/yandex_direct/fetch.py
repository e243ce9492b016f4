"""Direct fetch functions: Campaigns.get and Ads.get snapshots, CUSTOM_REPORT ad × day stats, REACH_AND_FREQUENCY
report.

Each returns Arrow data in the column order of its raw table (without `_load_id`/`_loaded_at`).
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypedDict, Unpack

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.common import ApiClient, ApiError, PayloadError
from ingestion.common.money import (
    MONEY_TYPE,
    decimal_array_to_money,
    micros_array_to_money,
    micros_to_decimal,
)
from ingestion.common.schema import require_filled
from ingestion.common.windows import halving, provisional_since
from ingestion.yandex_direct import schema
from ingestion.yandex_direct.parse import parse_report
from ingestion.yandex_direct.settings import PLATFORM, Settings

CAMPAIGN_FIELDS = [
    "Id",
    "Name",
    "Type",
    "State",
    "Status",
    "Currency",
    "StartDate",
    "EndDate",
    "DailyBudget",
    "TimeZone",
]
AD_FIELDS = ["Id", "AdGroupId", "CampaignId", "Type"]
TEXT_AD_FIELDS = ["Title", "Title2"]
# Ads.get takes at most 10 campaign ids per request (SelectionCriteria.CampaignIds).
ADS_CAMPAIGNS_PER_REQUEST = 10
STAT_DIMENSIONS = [
    "Date",
    "CampaignId",
    "CampaignName",
    "CampaignType",
    "AdGroupId",
    "AdGroupName",
    "AdId",
    "AdNetworkType",
]
STAT_METRICS = ["Impressions", "Clicks", "Cost"]
REACH_FIELDS = [
    "CampaignId",
    "CampaignName",
    "Impressions",
    "ImpressionReach",
    "AvgImpressionFrequency",
    "Cost",
]


def _service(settings: Settings, name: str) -> str:
    return f"/json/{settings.api_version}/{name}"


# -- Campaigns.get / Ads.get ------------------------------------------------------------------------------
def get_pages(
    api: ApiClient, settings: Settings, service: str, key: str, params: dict[str, Any], *, login: str
) -> Iterator[tuple[int, list[dict[str, Any]], str | None]]:
    """(offset of the first item, items, RequestId) of each page of a JSON `get`, following `LimitedBy`."""
    offset = 0
    for _page in range(100_000):
        body = {
            "method": "get",
            "params": {**params, "Page": {"Limit": settings.campaigns_page_limit, "Offset": offset}},
        }
        resp = api.request("POST", _service(settings, service), json=body, headers={"Client-Login": login})
        rid = resp.headers.get("RequestId")
        try:
            result = resp.json()["result"]
            items = result[key]
            if not isinstance(items, list):
                raise TypeError(f"{key} is not an array")
        except (ValueError, KeyError, TypeError) as exc:
            raise PayloadError(
                f"{service}.get answer has no result.{key}: {resp.text[:200]!r}",
                platform=PLATFORM,
                request_id=rid,
            ) from exc
        yield offset, items, rid
        limited = result.get("LimitedBy")
        if limited is None:
            return
        if int(limited) <= offset:
            raise PayloadError(
                f"LimitedBy {limited} does not advance past offset {offset}",
                platform=PLATFORM,
                request_id=rid,
            )
        offset = int(limited)


def fetch_campaigns(api: ApiClient, settings: Settings, *, tenant_id: str, login: str) -> pa.Table:
    """All campaigns of an advertiser, following `LimitedBy` pages."""
    params = {"SelectionCriteria": {}, "FieldNames": CAMPAIGN_FIELDS}
    rows = [
        _campaign_row(c, tenant_id, login, settings, offset + i, rid)
        for offset, items, rid in get_pages(api, settings, "campaigns", "Campaigns", params, login=login)
        for i, c in enumerate(items)
    ]
    return pa.Table.from_pylist(rows, schema=schema.CAMPAIGNS)


def fetch_ads(
    api: ApiClient, settings: Settings, *, tenant_id: str, login: str, campaign_ids: list[int] | None = None
) -> pa.Table:
    """Every ad of an advertiser's campaigns with its Id, group, type and text-ad titles ('' when the ad type
    has none): the campaign ids (given, from the campaigns snapshot of the same load, else from Campaigns.get),
    then Ads.get per 10 of them, each paged."""
    if campaign_ids is None:
        ids_only = {"SelectionCriteria": {}, "FieldNames": ["Id"]}
        campaign_ids = [
            int(c["Id"])
            for _o, items, _r in get_pages(api, settings, "campaigns", "Campaigns", ids_only, login=login)
            for c in items
        ]
    rows: list[dict[str, Any]] = []
    for start in range(0, len(campaign_ids), ADS_CAMPAIGNS_PER_REQUEST):
        params = {
            "SelectionCriteria": {"CampaignIds": campaign_ids[start : start + ADS_CAMPAIGNS_PER_REQUEST]},
            "FieldNames": AD_FIELDS,
            "TextAdFieldNames": TEXT_AD_FIELDS,
        }
        for _offset, items, rid in get_pages(api, settings, "ads", "Ads", params, login=login):
            first = len(rows)
            rows.extend(_ad_row(a, tenant_id, login, first + i, rid) for i, a in enumerate(items))
    return pa.Table.from_pylist(rows, schema=schema.ADS)


def _ad_row(a: dict[str, Any], tenant_id: str, login: str, row: int, rid: str | None) -> dict[str, Any]:
    try:
        text_ad = a.get("TextAd") or {}
        return {
            "tenant_id": tenant_id,
            "account_id": login,
            "campaign_id": int(a["CampaignId"]),
            "ad_group_id": int(a["AdGroupId"]),
            "ad_id": int(a["Id"]),
            "ad_type": a.get("Type") or "",
            "title": text_ad.get("Title") or "",
            "title2": text_ad.get("Title2") or "",
        }
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise PayloadError(f"bad ad object {a!r}: {exc}", platform=PLATFORM, request_id=rid, row=row) from exc


def _campaign_row(
    c: dict[str, Any], tenant_id: str, login: str, settings: Settings, row: int, rid: str | None
) -> dict[str, Any]:
    try:
        budget = (c.get("DailyBudget") or {}).get("Amount")
        return {
            "tenant_id": tenant_id,
            "account_id": login,
            "campaign_id": int(c["Id"]),
            "campaign_name": c["Name"],
            "campaign_type": c.get("Type") or "",
            "state": c.get("State") or "",
            "status": c.get("Status") or "",
            "currency": c.get("Currency") or settings.currency,
            "start_date": date.fromisoformat(c["StartDate"]) if c.get("StartDate") else None,
            "end_date": date.fromisoformat(c["EndDate"]) if c.get("EndDate") else None,
            # Campaigns service money is micros (fact sheet §1.4).
            "daily_budget": micros_to_decimal(int(budget)) if budget is not None else None,
            "timezone": c.get("TimeZone") or settings.timezone,
        }
    except (KeyError, ValueError, TypeError) as exc:
        raise PayloadError(
            f"bad campaign object {c!r}: {exc}", platform=PLATFORM, request_id=rid, row=row
        ) from exc


# -- Reports ---------------------------------------------------------------------------------------------
@contextlib.contextmanager
def report(
    api: ApiClient,
    settings: Settings,
    *,
    login: str,
    body: dict[str, Any],
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Any]:
    """POST a report and wait through 201/202 (offline queue) until 200; yields the streaming response."""
    headers = {
        "Client-Login": login,
        "processingMode": settings.processing_mode,
        "returnMoneyInMicros": "true",
        "skipReportHeader": "false",
        "skipColumnHeader": "false",
        "skipReportSummary": "false",
    }
    for _poll in range(settings.max_report_polls):
        with api.stream("POST", _service(settings, "reports"), json=body, headers=headers) as resp:
            if resp.status_code == 200:
                yield resp
                return
            retry_in = resp.headers.get("retryIn")
            try:
                wait = float(retry_in) if retry_in is not None else 10.0  # no hint: Yandex's clients use 10 s
            except ValueError:
                wait = 10.0
        sleep(min(max(wait, 0.0), settings.max_retry_in_s))
    raise ApiError(
        f"report {body['params']['ReportName']!r} for {login} not ready after {settings.max_report_polls} "
        "polls (201/202)",
        platform=PLATFORM,
        request_id=api.request_ids[-1] if api.request_ids else None,
    )


def report_body(
    settings: Settings, *, name: str, report_type: str, fields: list[str], date_from: date, date_to: date
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "SelectionCriteria": {"DateFrom": date_from.isoformat(), "DateTo": date_to.isoformat()},
        "FieldNames": fields,
        "ReportName": name,
        "ReportType": report_type,
        "DateRangeType": "CUSTOM_DATE",
        "Format": "TSV",
        "IncludeVAT": "YES" if settings.include_vat else "NO",
    }
    if report_type == "CUSTOM_REPORT":
        params["OrderBy"] = [{"Field": "Date", "SortOrder": "ASCENDING"}]
        if settings.goals:
            params["Goals"] = list(settings.goals)
            params["AttributionModels"] = list(settings.attribution_models)
    return {"params": params}


def stat_fields(settings: Settings) -> list[str]:
    return STAT_DIMENSIONS + STAT_METRICS + ["Conversions", "Revenue"]


def goal_columns(settings: Settings, field: str) -> list[tuple[str, str, str]]:
    """(column, goal, model) of the per-goal columns the report will contain for `field`."""
    return [(f"{field}_{g}_{m}", g, m) for g in settings.goals for m in settings.attribution_models]


class LoginDays(TypedDict):
    """What a Client-Login's stats and reach reports are asked for (keyword arguments of both fetches):
    the days [date_from, date_to] of `login`, for `tenant_id`."""

    tenant_id: str
    login: str
    date_from: date
    date_to: date


def fetch_ad_stats(
    api: ApiClient,
    settings: Settings,
    *,
    today: date,
    sleep: Callable[[float], None] = time.sleep,
    **asked: Unpack[LoginDays],
) -> Iterator[pa.RecordBatch]:
    """Ad × day stats for [from, to], streamed as raw-table batches. HTTP 502 (too long) halves the period."""
    tenant_id, login = asked["tenant_id"], asked["login"]
    date_from, date_to = asked["date_from"], asked["date_to"]
    window = functools.partial(
        _ad_stats_window, api, settings, tenant_id=tenant_id, login=login, today=today, sleep=sleep
    )
    return halving(window, date_from, date_to, too_long=lambda exc: exc.status == 502)


def _ad_stats_window(
    api: ApiClient,
    settings: Settings,
    date_from: date,
    date_to: date,
    *,
    tenant_id: str,
    login: str,
    today: date,
    sleep: Callable[[float], None],
) -> Iterator[pa.RecordBatch]:
    # ReportName must be unique per advertiser while queued: encode everything that changes the report.
    name = f"mrm_ad_day_{date_from:%Y%m%d}_{date_to:%Y%m%d}_{'vat' if settings.include_vat else 'novat'}"
    body = report_body(
        settings,
        name=name,
        report_type="CUSTOM_REPORT",
        fields=stat_fields(settings),
        date_from=date_from,
        date_to=date_to,
    )
    types: dict[str, pa.DataType] = {
        "Date": pa.date32(),
        "CampaignId": pa.uint64(),
        "AdGroupId": pa.uint64(),
        "AdId": pa.uint64(),
        "Impressions": pa.uint64(),
        "Clicks": pa.uint64(),
        "Cost": pa.int64(),
        "CampaignName": pa.string(),
        "AdGroupName": pa.string(),
    }
    # Conversions may be fractional under some attribution models: float text, turned into exact micros
    # below; Revenue is money and therefore integer micros like Cost.
    for f, typ in (("Conversions", pa.float64()), ("Revenue", pa.int64())):
        for col, _g, _m in goal_columns(settings, f):
            types[col] = typ
        types[f] = typ
    expected = (
        STAT_DIMENSIONS
        + STAT_METRICS
        + [c for f in ("Conversions", "Revenue") for c in ([x[0] for x in goal_columns(settings, f)] or [f])]
    )
    since = provisional_since(today, settings.lookback_days)
    with report(api, settings, login=login, body=body, sleep=sleep) as resp:
        rid = resp.headers.get("RequestId")
        offset = 0
        for batch in parse_report(
            resp.iter_bytes(),
            column_types=types,
            block_size=settings.block_size,
            request_id=rid,
            expect_columns=expected,
        ):
            yield normalize_ad_stats(
                batch,
                settings,
                tenant_id=tenant_id,
                login=login,
                provisional_since=since,
                request_id=rid,
                row_offset=offset,
            )
            offset += batch.num_rows


def normalize_ad_stats(
    batch: pa.RecordBatch,
    settings: Settings,
    *,
    tenant_id: str,
    login: str,
    provisional_since: date,
    request_id: str | None = None,
    row_offset: int = 0,
) -> pa.RecordBatch:
    """Typed report batch → raw_yandex_direct.ad_stats_daily batch (micros → Decimal, `--` → null)."""
    n = batch.num_rows
    col = batch.column
    required = ("Date", "CampaignId", "Impressions", "Clicks", "Cost")
    # Data rows are numbered from 1.
    require_filled(
        batch, required, platform=PLATFORM, request_id=request_id, first_row=row_offset + 1, blank="--"
    )
    model = settings.attribution_models[0]
    if settings.goals:
        conv_cols = goal_columns(settings, "Conversions")
        conv_vals = [_money_col(batch, c, request_id, row_offset) for c, _g, _m in conv_cols]
        goal_map = _goal_map(conv_vals, [f"{g}_{m}" for _c, g, m in conv_cols], n)
        primary = [v for v, (_c, _g, m) in zip(conv_vals, conv_cols, strict=True) if m == model]
        conversions = _sum_nullable(primary)
        rev_cols = [c for c, _g, m in goal_columns(settings, "Revenue") if m == model]
        revenue = _sum_nullable([_money_col(batch, c, request_id, row_offset) for c in rev_cols])
    else:
        conversions = _money_col(batch, "Conversions", request_id, row_offset)
        revenue = _money_col(batch, "Revenue", request_id, row_offset)
        goal_map = _goal_map([], [], n)
    dates = col("Date")
    provisional = pc.cast(pc.greater_equal(dates, pa.scalar(provisional_since, pa.date32())), pa.uint8())
    arrays = [
        pa.repeat(pa.scalar(tenant_id), n).cast(pa.string()),
        pa.repeat(pa.scalar(login), n).cast(pa.string()),
        dates,
        col("CampaignId"),
        _str(col("CampaignName")),
        _str(col("CampaignType")),
        pc.fill_null(col("AdGroupId"), 0),
        _str(col("AdGroupName")),
        pc.fill_null(col("AdId"), 0),
        _str(col("AdNetworkType")),
        col("Impressions"),
        col("Clicks"),
        micros_array_to_money(col("Cost")),
        pa.repeat(pa.scalar(int(settings.include_vat), pa.uint8()), n),
        pa.repeat(pa.scalar(settings.currency), n).cast(pa.string()),
        conversions,
        revenue,
        goal_map,
        pa.repeat(pa.scalar(model), n).cast(pa.string()),
        pa.repeat(pa.scalar(settings.timezone), n).cast(pa.string()),
        provisional,
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema.AD_STATS_DAILY)


def _str(arr: pa.Array) -> pa.Array:
    return pc.fill_null(arr.cast(pa.string()), "")


def _money_col(batch: pa.RecordBatch, name: str, request_id: str | None, row_offset: int) -> pa.Array:
    """A parsed numeric column → Decimal(18, 6): int64 columns are micros, float columns counts (6 places)."""
    arr = batch.column(name)
    if pa.types.is_integer(arr.type):
        return micros_array_to_money(arr)
    if pa.types.is_floating(arr.type):
        # Round to whole micros first: exact for any count below 9e12.
        micros = pc.cast(pc.round(pc.multiply(arr, 1_000_000.0)), pa.int64())
        return micros_array_to_money(micros)
    try:
        return decimal_array_to_money(arr)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise PayloadError(
            f"cannot convert column: {exc}",
            platform=PLATFORM,
            request_id=request_id,
            field=name,
            retryable=False,
        ) from exc


def _sum_nullable(arrays: list[pa.Array]) -> pa.Array:
    """Σ of decimal arrays, null only where every input is null."""
    if not arrays:
        raise ValueError("nothing to sum")
    acc = arrays[0]
    all_null = pc.is_null(acc)
    for a in arrays[1:]:
        acc = pc.add(pc.fill_null(acc, pa.scalar(0, acc.type)), pc.fill_null(a, pa.scalar(0, a.type)))
        all_null = pc.and_(all_null, pc.is_null(a))
    acc = pc.cast(acc, MONEY_TYPE)
    return pc.if_else(all_null, pa.scalar(None, MONEY_TYPE), acc)


def _goal_map(values: list[pa.Array], keys: list[str], n: int) -> pa.Array:
    """Per-goal values → Map(String, Decimal) per row, skipping `--` entries (no data ≠ zero)."""
    map_type = pa.map_(pa.string(), MONEY_TYPE)
    if not values:
        return pa.MapArray.from_arrays(
            pa.array(np.zeros(n + 1, dtype=np.int32)), pa.array([], pa.string()), pa.array([], MONEY_TYPE)
        ).cast(map_type)
    valid = np.stack([np.asarray(pc.is_valid(v).to_numpy(zero_copy_only=False)) for v in values], axis=1)
    counts = valid.sum(axis=1)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    rows, goals = np.nonzero(valid)  # row-major: entries of row i stay together, in key order
    items = pa.concat_arrays([pc.cast(v, MONEY_TYPE) for v in values]).take(pa.array(goals * n + rows))
    key_arr = pa.array(keys, pa.string()).take(pa.array(goals))
    return pa.MapArray.from_arrays(pa.array(offsets), key_arr, items).cast(map_type)


def fetch_reach(
    api: ApiClient,
    settings: Settings,
    *,
    sleep: Callable[[float], None] = time.sleep,
    **asked: Unpack[LoginDays],
) -> pa.Table:
    """Reach and frequency of display campaigns over [from, to] (non-additive: kept at that window)."""
    tenant_id, login = asked["tenant_id"], asked["login"]
    date_from, date_to = asked["date_from"], asked["date_to"]
    name = f"mrm_reach_{date_from:%Y%m%d}_{date_to:%Y%m%d}_{'vat' if settings.include_vat else 'novat'}"
    body = report_body(
        settings,
        name=name,
        report_type="REACH_AND_FREQUENCY_PERFORMANCE_REPORT",
        fields=REACH_FIELDS,
        date_from=date_from,
        date_to=date_to,
    )
    types = {
        "CampaignId": pa.uint64(),
        "CampaignName": pa.string(),
        "Impressions": pa.uint64(),
        "ImpressionReach": pa.uint64(),
        "AvgImpressionFrequency": pa.float64(),
        "Cost": pa.int64(),
    }
    with report(api, settings, login=login, body=body, sleep=sleep) as resp:
        rid = resp.headers.get("RequestId")
        batches = list(
            parse_report(resp.iter_bytes(), column_types=types, request_id=rid, expect_columns=REACH_FIELDS)
        )
    table = pa.Table.from_batches(batches, schema=batches[0].schema) if batches else None
    n = table.num_rows if table is not None else 0
    if table is None or n == 0:
        return schema.REACH_FREQUENCY.empty_table()
    c = table.combine_chunks().column
    return pa.table(
        [
            pa.repeat(pa.scalar(tenant_id), n).cast(pa.string()),
            pa.repeat(pa.scalar(login), n).cast(pa.string()),
            pa.repeat(pa.scalar(date_from, pa.date32()), n),
            pa.repeat(pa.scalar(date_to, pa.date32()), n),
            pa.repeat(pa.scalar(date_to, pa.date32()), n),
            c("CampaignId").chunk(0),
            _str(c("CampaignName").chunk(0)),
            pc.fill_null(c("Impressions").chunk(0), 0),
            pc.fill_null(c("ImpressionReach").chunk(0), 0),
            pc.fill_null(c("AvgImpressionFrequency").chunk(0), 0.0),
            micros_array_to_money(c("Cost").chunk(0)),
            pa.repeat(pa.scalar(settings.currency), n).cast(pa.string()),
        ],
        schema=schema.REACH_FREQUENCY,
    )
