"""GAQL requests: account discovery (listAccessibleCustomers + the manager's customer_client, paged search), the
customer's currency and time zone, the campaign snapshot and ad × day × network statistics (searchStream).

Each table-producing function returns Arrow data in the column order of its raw table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa

from ingestion.common import ApiClient, PayloadError
from ingestion.common.money import decimal_array_to_money, micros_array_to_money
from ingestion.common.windows import provisional_since
from ingestion.google_ads import schema
from ingestion.google_ads.parse import get, int_field, stream_results
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
    api: ApiClient, settings: Settings, customer_id: str, query: str
) -> Iterator[list[dict[str, Any]]]:
    """googleAds:searchStream result batches, read from the HTTP stream as they arrive."""
    with api.stream("POST", _path(settings, customer_id, "searchStream"), json={"query": query}) as resp:
        yield from stream_results(resp.iter_bytes(), request_id=resp.headers.get("request-id"))


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
    since = provisional_since(today, settings.lookback_days)
    query = AD_STATS_QUERY.format(start=date_from.isoformat(), end=date_to.isoformat())
    offset = 0
    for batch in stream(api, settings, customer_id, query):
        if batch:
            yield _ad_batch(
                batch,
                tenant_id=tenant_id,
                customer_id=customer_id,
                currency=currency,
                timezone=timezone,
                since=since,
                date_from=date_from,
                date_to=date_to,
                offset=offset,
            )
            offset += len(batch)


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
    n = len(results)
    days, cols, cost, conv, value = _fast_columns(results, date_from, date_to) or _checked_columns(
        results, date_from, date_to, offset
    )
    arrays = {
        "tenant_id": pa.array([tenant_id] * n),
        "account_id": pa.array([customer_id] * n),
        "date_day": pa.array(days, pa.date32()),
        "campaign_id": pa.array(cols["campaign_id"], pa.uint64()),
        "campaign_name": pa.array(cols["campaign_name"]),
        "ad_group_id": pa.array(cols["ad_group_id"], pa.uint64()),
        "ad_group_name": pa.array(cols["ad_group_name"]),
        "ad_id": pa.array(cols["ad_id"], pa.uint64()),
        "ad_network_type": pa.array(cols["ad_network_type"]),
        "impressions": pa.array(cols["impressions"], pa.uint64()),
        "clicks": pa.array(cols["clicks"], pa.uint64()),
        "cost": micros_array_to_money(pa.array(cost)),
        # Google bills foreign accounts without Russian VAT: the reported cost is net.
        "cost_includes_vat": pa.array([0] * n, pa.uint8()),
        "currency": pa.array([currency] * n),
        "conversions": decimal_array_to_money(pa.array(conv, pa.float64())),
        "conversions_value": decimal_array_to_money(pa.array(value, pa.float64())),
        "timezone": pa.array([timezone] * n),
        "is_provisional": pa.array([int(d >= since) for d in days], pa.uint8()),
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
