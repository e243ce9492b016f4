"""GAQL requests: account discovery (listAccessibleCustomers + the manager's customer_client, paged search), the
customer's currency and time zone, the campaign snapshot and ad × day × network statistics (searchStream).

Each table-producing function returns Arrow data in the column order of its raw table."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.common import ApiClient, PayloadError
from ingestion.common.money import decimal_array_to_money, micros_array_to_money
from ingestion.common.windows import provisional_since
from ingestion.google_ads import schema
from ingestion.google_ads.parse import arrow_results, get, int_field, stream_runs
from ingestion.google_ads.settings import PLATFORM, Settings, customer_digits

CUSTOMER_QUERY = "SELECT customer.id, customer.currency_code, customer.time_zone FROM customer"
CLIENTS_QUERY = (
    "SELECT customer_client.client_customer, customer_client.id, customer_client.descriptive_name, "
    "customer_client.currency_code, customer_client.manager, customer_client.level, "
    "customer_client.status FROM customer_client WHERE customer_client.level <= 1"
)
CAMPAIGNS_QUERY = (
    "SELECT campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type, "
    "campaign.start_date, campaign.end_date FROM campaign"
)
T = TypeVar("T")
AD_STATS_QUERY = (
    "SELECT campaign.id, campaign.name, ad_group.id, ad_group.name, ad_group_ad.ad.id, segments.date, "
    "segments.ad_network_type, metrics.impressions, metrics.clicks, metrics.cost_micros, "
    "metrics.conversions, metrics.conversions_value FROM ad_group_ad "
    "WHERE segments.date BETWEEN '{start}' AND '{end}'"
)


def _path(settings: Settings, customer_id: str, method: str) -> str:
    return f"/{settings.api_version}/customers/{customer_digits(customer_id)}/googleAds:{method}"


def search(api: ApiClient, settings: Settings, customer_id: str, query: str) -> Iterator[dict[str, Any]]:
    """googleAds:search rows, following next_page_token."""
    token: str | None = None
    for _page in range(100_000):
        body: dict[str, Any] = {"query": query, **({"pageToken": token} if token else {})}
        resp = api.request("POST", _path(settings, customer_id, "search"), json=body)
        try:
            payload = resp.json()
            rows = payload.get("results", [])
        except (ValueError, AttributeError) as exc:
            raise PayloadError(
                f"search answer is not a JSON object: {resp.text[:200]!r}",
                platform=PLATFORM,
                request_id=resp.headers.get("request-id"),
            ) from exc
        yield from rows
        nxt = payload.get("nextPageToken")
        if not nxt:
            return
        if nxt == token:
            raise PayloadError(
                f"next_page_token {nxt!r} repeats",
                platform=PLATFORM,
                request_id=resp.headers.get("request-id"),
            )
        token = nxt


def stream(
    api: ApiClient,
    settings: Settings,
    customer_id: str,
    query: str,
    fast: Callable[[bytes], T | None] | None = None,
    threads: int = 1,
) -> Iterator[T | list[dict[str, Any]]]:
    """googleAds:searchStream batches read from the HTTP stream as they arrive: `fast(batch text)` where it gives
    something, else each batch's `results` (dicts); `threads` batches decoded at once."""
    # the answer is the data (errors in it are stream elements, which stream_runs reports): read it as it comes
    with api.stream(
        "POST", _path(settings, customer_id, "searchStream"), json={"query": query}, read_ok_json=False
    ) as resp:
        rid = resp.headers.get("request-id")
        yield from stream_runs(resp.iter_bytes(), fast, request_id=rid, threads=threads)


def discover_accounts(api: ApiClient, settings: Settings) -> list[dict[str, Any]]:
    """Client accounts the credentials reach: each accessible customer, and for managers their direct clients."""
    resp = api.request("GET", f"/{settings.api_version}/customers:listAccessibleCustomers")
    names = resp.json().get("resourceNames", [])
    found: dict[str, dict[str, Any]] = {}
    for name in names:
        root = str(name).rsplit("/", 1)[-1]
        for row in search(api, settings, root, CLIENTS_QUERY):
            cc = row.get("customerClient") or {}
            if cc.get("manager"):
                continue
            cid = str(cc.get("id") or "")
            found.setdefault(
                cid,
                {
                    "customer_id": cid,
                    "name": cc.get("descriptiveName", ""),
                    "manager_id": root,
                    "currency": cc.get("currencyCode", ""),
                    "status": cc.get("status", ""),
                },
            )
    return list(found.values())


def customer_info(api: ApiClient, settings: Settings, customer_id: str) -> tuple[str, str]:
    """(currency_code, time_zone) of a customer: every money value it reports is in that currency."""
    for batch in stream(api, settings, customer_id, CUSTOMER_QUERY):
        for row in batch:
            currency, tz = get(row, "customer.currency_code"), get(row, "customer.time_zone")
            if currency and tz:
                return str(currency), str(tz)
    raise PayloadError(
        f"customer {customer_id} answered without currency_code/time_zone", platform=PLATFORM, retryable=False
    )


def fetch_campaigns(
    api: ApiClient, settings: Settings, *, tenant_id: str, customer_id: str, currency: str
) -> pa.Table:
    rows: list[dict[str, Any]] = []
    for batch in stream(api, settings, customer_id, CAMPAIGNS_QUERY):
        for row in batch:
            n = len(rows) + 1
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "account_id": customer_id,
                    "campaign_id": int_field(row, "campaign.id", n=n, request_id=None, default=None),
                    "campaign_name": get(row, "campaign.name") or "",
                    "status": get(row, "campaign.status") or "",
                    "channel_type": get(row, "campaign.advertising_channel_type") or "",
                    "start_date": _day(get(row, "campaign.start_date"), n, "campaign.start_date"),
                    "end_date": _day(get(row, "campaign.end_date"), n, "campaign.end_date"),
                    "currency": currency,
                }
            )
    return pa.Table.from_pylist(rows, schema=schema.CAMPAIGNS)


def _day(value: Any, n: int, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PayloadError(
            f"not a date: {value!r}", platform=PLATFORM, row=n, field=field, retryable=False
        ) from None


def fetch_ad_stats(
    api: ApiClient,
    settings: Settings,
    *,
    tenant_id: str,
    customer_id: str,
    date_from: date,
    date_to: date,
    today: date,
    currency: str,
    timezone: str,
) -> Iterator[pa.RecordBatch]:
    """Ad × day × network rows of [from, to] as raw-table batches; cost_micros → Decimal exactly."""
    ctx: dict[str, Any] = {
        "tenant_id": tenant_id,
        "customer_id": customer_id,
        "currency": currency,
        "timezone": timezone,
        "since": provisional_since(today, settings.lookback_days),
        "date_from": date_from,
        "date_to": date_to,
    }
    query = AD_STATS_QUERY.format(start=date_from.isoformat(), end=date_to.isoformat())
    offset = 0
    fast = functools.partial(_arrow_ad_batch, **ctx)
    for batch in stream(api, settings, customer_id, query, fast, settings.decode_threads):
        if isinstance(batch, pa.RecordBatch):
            n = batch.num_rows
            if n:
                yield batch
        elif n := len(batch):
            yield _ad_batch(batch, **ctx, offset=offset)
        offset += n


# An ad row as Arrow's JSON reader takes it: exactly these JSON types (int64 metrics are strings in the REST
# mapping, doubles numbers); resource names and any other field are skipped.
AD_ROW_JSON = pa.struct(
    [
        ("campaign", pa.struct([("id", pa.string()), ("name", pa.string())])),
        ("adGroup", pa.struct([("id", pa.string()), ("name", pa.string())])),
        ("adGroupAd", pa.struct([("ad", pa.struct([("id", pa.string())]))])),
        ("segments", pa.struct([("date", pa.string()), ("adNetworkType", pa.string())])),
        (
            "metrics",
            pa.struct(
                [
                    ("impressions", pa.string()),
                    ("clicks", pa.string()),
                    ("costMicros", pa.string()),
                    ("conversions", pa.float64()),
                    ("conversionsValue", pa.float64()),
                ]
            ),
        ),
    ]
)


def _arrow_ad_batch(run: bytes, *, date_from: date, date_to: date, **ctx: Any) -> pa.RecordBatch | None:
    """A run of searchStream batches straight to the raw table, column-wise (no Python object per value), or None
    for anything unusual — a missing id or date, a value that is not a plain number, a negative or NaN metric, a
    day outside the window, text that is not JSON — which the `json` path and `_ad_batch` then read row by row,
    giving the same rows or the error naming the row and field."""
    rows = arrow_results(run, AD_ROW_JSON)
    if rows is None:
        return None
    campaign, group, ad_group_ad, segments, metrics = rows.flatten()
    if campaign.null_count or group.null_count or ad_group_ad.null_count or segments.null_count:
        return None
    campaign_id, campaign_name = campaign.flatten()
    group_id, group_name = group.flatten()
    (ad,) = ad_group_ad.flatten()
    (ad_id,) = ad.flatten()
    day_text, network = segments.flatten()
    impressions, clicks, cost, conversions, value = metrics.flatten()  # null where the API left a zero out
    if campaign_id.null_count or group_id.null_count or ad_id.null_count or day_text.null_count:
        return None
    try:
        ids = [pc.cast(a, pa.uint64()) for a in (campaign_id, group_id, ad_id)]
        counts = [pc.cast(pc.fill_null(a, "0"), pa.uint64()) for a in (impressions, clicks)]
        micros = pc.cast(pc.fill_null(cost, "0"), pa.int64())
    except pa.ArrowInvalid:
        return None
    floats = [pc.fill_null(a, 0.0) for a in (conversions, value)]
    if len(rows) and (
        pc.min(micros).as_py() < 0
        or any(pc.min(a).as_py() < 0 or pc.any(pc.is_nan(a)).as_py() for a in floats)
    ):
        return None
    # A window has few distinct days: each is read by date.fromisoformat, as row by row.
    coded = pc.dictionary_encode(day_text)
    try:
        distinct = [date.fromisoformat(d) for d in coded.dictionary.to_pylist()]
    except ValueError:
        return None
    if any(not date_from <= d <= date_to for d in distinct):
        return None
    columns = {
        "date_day": pa.array(distinct, pa.date32()).take(coded.indices),
        "campaign_id": ids[0],
        "campaign_name": pc.fill_null(campaign_name, ""),
        "ad_group_id": ids[1],
        "ad_group_name": pc.fill_null(group_name, ""),
        "ad_id": ids[2],
        "ad_network_type": pc.fill_null(network, "UNSPECIFIED"),
        "impressions": counts[0],
        "clicks": counts[1],
        "cost": micros,
        "conversions": floats[0],
        "conversions_value": floats[1],
    }
    return _record_batch(columns, **ctx)


def _ad_batch(
    results: list[dict[str, Any]],
    *,
    tenant_id: str,
    customer_id: str,
    currency: str,
    timezone: str,
    since: date,
    date_from: date,
    date_to: date,
    offset: int,
) -> pa.RecordBatch:
    """Rows decoded by `json` to the raw table; an unusual row is checked field by field (`_checked_columns`)."""
    days, cols, cost, conv, value = _fast_columns(results, date_from, date_to) or _checked_columns(
        results, date_from, date_to, offset
    )
    columns = {
        "date_day": pa.array(days, pa.date32()),
        "campaign_id": pa.array(cols["campaign_id"], pa.uint64()),
        "campaign_name": pa.array(cols["campaign_name"], pa.string()),
        "ad_group_id": pa.array(cols["ad_group_id"], pa.uint64()),
        "ad_group_name": pa.array(cols["ad_group_name"], pa.string()),
        "ad_id": pa.array(cols["ad_id"], pa.uint64()),
        "ad_network_type": pa.array(cols["ad_network_type"], pa.string()),
        "impressions": pa.array(cols["impressions"], pa.uint64()),
        "clicks": pa.array(cols["clicks"], pa.uint64()),
        "cost": pa.array(cost, pa.int64()),
        "conversions": pa.array(conv, pa.float64()),
        "conversions_value": pa.array(value, pa.float64()),
    }
    return _record_batch(
        columns,
        tenant_id=tenant_id,
        customer_id=customer_id,
        currency=currency,
        timezone=timezone,
        since=since,
    )


def _record_batch(
    columns: dict[str, pa.Array],
    *,
    tenant_id: str,
    customer_id: str,
    currency: str,
    timezone: str,
    since: date,
) -> pa.RecordBatch:
    """The raw-table batch of parsed columns (cost in int64 micros, conversions and value as floats)."""
    n = len(columns["date_day"])

    def const(value: Any, kind: pa.DataType) -> pa.Array:
        return pa.repeat(pa.scalar(value, kind), n)

    arrays = {
        "tenant_id": const(tenant_id, pa.string()),
        "account_id": const(customer_id, pa.string()),
        **{
            k: columns[k]
            for k in ("date_day", "campaign_id", "campaign_name", "ad_group_id", "ad_group_name")
        },
        **{k: columns[k] for k in ("ad_id", "ad_network_type", "impressions", "clicks")},
        "cost": micros_array_to_money(columns["cost"]),
        # Google bills foreign accounts without Russian VAT: the reported cost is net.
        "cost_includes_vat": const(0, pa.uint8()),
        "currency": const(currency, pa.string()),
        "conversions": decimal_array_to_money(columns["conversions"]),
        "conversions_value": decimal_array_to_money(columns["conversions_value"]),
        "timezone": const(timezone, pa.string()),
        "is_provisional": pc.cast(
            pc.greater_equal(columns["date_day"], pa.scalar(since, pa.date32())), pa.uint8()
        ),
    }
    return pa.RecordBatch.from_pydict(arrays, schema=schema.AD_STATS_DAILY)


def _number(value: Any, row: int, field: str) -> float:
    if value is None:
        return 0.0
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise PayloadError(
            f"not a number: {value!r}", platform=PLATFORM, row=row, field=field, retryable=False
        ) from None
    if out < 0 or out != out:
        raise PayloadError(
            f"negative or NaN: {value!r}", platform=PLATFORM, row=row, field=field, retryable=False
        )
    return out


# Columns gathered as Python lists row by row (cost is a numpy array, conversions/value float lists).
_LIST_COLUMNS = (
    "campaign_id",
    "campaign_name",
    "ad_group_id",
    "ad_group_name",
    "ad_id",
    "ad_network_type",
    "impressions",
    "clicks",
)


def _fast_columns(results: list[dict[str, Any]], date_from: date, date_to: date) -> tuple | None:
    """The batch's columns by direct access (the common case); None when any row is unusual, so that
    `_checked_columns` can name the row and field."""
    days: list[date] = []
    seen: dict[str, date] = {}
    cols: dict[str, list[Any]] = {k: [] for k in _LIST_COLUMNS}
    cost = np.empty(len(results), dtype=np.int64)
    conv: list[float] = []
    value: list[float] = []
    try:
        for i, row in enumerate(results):
            camp, group, seg = row["campaign"], row["adGroup"], row["segments"]
            met = row.get("metrics") or {}
            raw_day = seg["date"]
            day = seen.get(raw_day)
            if day is None:
                day = seen[raw_day] = date.fromisoformat(raw_day)
                if not date_from <= day <= date_to:
                    return None
            days.append(day)
            cols["campaign_id"].append(int(camp["id"]))
            cols["campaign_name"].append(camp.get("name", ""))
            cols["ad_group_id"].append(int(group["id"]))
            cols["ad_group_name"].append(group.get("name", ""))
            cols["ad_id"].append(int(row["adGroupAd"]["ad"]["id"]))
            cols["ad_network_type"].append(seg.get("adNetworkType", "UNSPECIFIED"))
            cols["impressions"].append(int(met.get("impressions", 0)))
            cols["clicks"].append(int(met.get("clicks", 0)))
            cost[i] = int(met.get("costMicros", 0))
            c, v = float(met.get("conversions", 0.0)), float(met.get("conversionsValue", 0.0))
            if c < 0 or v < 0 or c != c or v != v or cost[i] < 0:
                return None
            conv.append(c)
            value.append(v)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return days, cols, cost, conv, value


def _checked_columns(results: list[dict[str, Any]], date_from: date, date_to: date, offset: int) -> tuple:
    """Row by row with every field checked: raises a PayloadError naming the row and field."""
    n = len(results)
    days: list[date] = []
    cols: dict[str, list[Any]] = {k: [] for k in _LIST_COLUMNS}
    cost = np.empty(n, dtype=np.int64)
    conv, value = [], []
    for i, row in enumerate(results):
        r = offset + i + 1
        day = _day(get(row, "segments.date"), r, "segments.date")
        if day is None or not date_from <= day <= date_to:
            raise PayloadError(
                f"segments.date {day} outside {date_from}..{date_to}",
                platform=PLATFORM,
                row=r,
                field="segments.date",
                retryable=False,
            )
        days.append(day)
        for key, path in (
            ("campaign_id", "campaign.id"),
            ("ad_group_id", "ad_group.id"),
            ("ad_id", "ad_group_ad.ad.id"),
        ):
            cols[key].append(int_field(row, path, n=r, request_id=None, default=None))
        cols["campaign_name"].append(get(row, "campaign.name") or "")
        cols["ad_group_name"].append(get(row, "ad_group.name") or "")
        cols["ad_network_type"].append(get(row, "segments.ad_network_type") or "UNSPECIFIED")
        cols["impressions"].append(int_field(row, "metrics.impressions", n=r, request_id=None))
        cols["clicks"].append(int_field(row, "metrics.clicks", n=r, request_id=None))
        cost[i] = int_field(row, "metrics.cost_micros", n=r, request_id=None)
        conv.append(_number(get(row, "metrics.conversions"), r, "metrics.conversions"))
        value.append(_number(get(row, "metrics.conversions_value"), r, "metrics.conversions_value"))
    return days, cols, cost, conv, value
