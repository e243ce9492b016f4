"""Fetch functions: VK Ads resources and day statistics → Arrow tables in the raw schema."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from ingestion.common import PayloadError, is_provisional, split_window
from ingestion.common.loading import prefetch
from ingestion.vk_ads import parse
from ingestion.vk_ads.client import Body, VkAdsClient, decode_json
from ingestion.vk_ads.settings import AD_GROUP_FIELDS, AD_PLAN_FIELDS, BANNER_FIELDS, STATS_METRICS, Settings

AD_PLANS_PATH = "/api/v2/ad_plans.json"
AD_GROUPS_PATH = "/api/v2/ad_groups.json"
BANNERS_PATH = "/api/v2/banners.json"
BANNER_DAY_PATH = "/api/v2/statistics/banners/day.json"


def list_all(
    client: VkAdsClient,
    path: str,
    fields: Sequence[str],
    filters: dict[str, str] | None = None,
    *,
    limit: int = 250,
) -> list[dict[str, Any]]:
    """Every item of a list resource, paging with limit/offset until ``count`` items are collected."""
    items: list[dict[str, Any]] = []
    offset = 0
    expected: int | None = None
    while True:
        params = {
            "fields": ",".join(fields),
            "limit": limit,
            "offset": offset,
            "sorting": "id",
            **(filters or {}),
        }
        ctx = f"GET {path} offset={offset}"
        count, page = parse.collection_items(client.get_json(path, params), ctx)
        if expected is None:
            expected = count
        elif count != expected:
            # Objects were created/deleted while paging: offsets shifted, so restart the whole listing.
            raise PayloadError(
                f"{ctx}: count changed from {expected} to {count} while paging", platform="vk_ads"
            )
        items.extend(dict(i) for i in page)
        offset += len(page)
        if offset >= count:
            return items
        if not page:
            raise PayloadError(f"{ctx}: empty page before all {count} items were returned", platform="vk_ads")


def _listing(
    client: VkAdsClient, settings: Settings, path: str, fields: Sequence[str]
) -> list[dict[str, Any]]:
    """Every object of a listing resource whose status is one of `settings.banner_statuses`, all pages."""
    statuses = settings.banner_statuses
    return list_all(
        client,
        path,
        fields,
        {"_status__in": ",".join(statuses)} if statuses else {},
        limit=settings.page_limit,
    )


def fetch_ad_plans(client: VkAdsClient, settings: Settings, *, tenant_id: str, account_id: str) -> pa.Table:
    items = _listing(client, settings, AD_PLANS_PATH, AD_PLAN_FIELDS)
    return parse.ad_plan_rows(items, tenant_id=tenant_id, account_id=account_id)


def fetch_ad_groups(client: VkAdsClient, settings: Settings, *, tenant_id: str, account_id: str) -> pa.Table:
    fields = tuple(settings.ad_group_plan_field if f == "ad_plan_id" else f for f in AD_GROUP_FIELDS)
    items = _listing(client, settings, AD_GROUPS_PATH, fields)
    return parse.ad_group_rows(
        items, tenant_id=tenant_id, account_id=account_id, ad_plan_field=settings.ad_group_plan_field
    )


def fetch_banners(client: VkAdsClient, settings: Settings, *, tenant_id: str, account_id: str) -> pa.Table:
    items = _listing(client, settings, BANNERS_PATH, BANNER_FIELDS)
    return parse.banner_rows(items, tenant_id=tenant_id, account_id=account_id)


def chunks(ids: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def stats_requests(
    banner_ids: Sequence[int], date_from: dt.date, date_to: dt.date, *, ids_per_request: int, max_days: int
) -> list[tuple[list[int], dt.date, dt.date]]:
    """The (ids, from, to) requests covering the window: ≤ ids_per_request ids and ≤ max_days days each."""
    ids = sorted(set(banner_ids))
    return [
        (chunk, start, end)
        for start, end in split_window(date_from, date_to, max_days)
        for chunk in chunks(ids, ids_per_request)
    ]


def fetch_banner_stats(
    client: VkAdsClient,
    settings: Settings,
    *,
    tenant_id: str,
    account_id: str,
    banner_ids: Sequence[int],
    date_from: dt.date,
    date_to: dt.date,
    today: dt.date,
) -> pa.Table:
    """``statistics/banners/day.json`` (metrics base,uniques) for the banners over the window, one row per
    banner per day with activity; days within the lookback window are flagged provisional."""
    tables: list[pa.Table] = []

    def answers() -> Iterator[tuple[list[int], dt.date, dt.date, Body]]:
        for ids, start, end in stats_requests(
            banner_ids,
            date_from,
            date_to,
            ids_per_request=settings.ids_per_request,
            max_days=settings.max_days_per_request,
        ):
            params = {
                "id": ",".join(map(str, ids)),
                "date_from": start.isoformat(),
                "date_to": end.isoformat(),
                "metrics": ",".join(STATS_METRICS),
                "attribution": settings.attribution,
            }
            yield ids, start, end, client.get_body(BANNER_DAY_PATH, params)

    def provisional(day: dt.date) -> bool:
        return is_provisional(day, today=today, lookback_days=settings.lookback_days)

    # The next answer is requested (and the platform renders it) while this one is parsed; requests stay
    # sequential, one at a time, as the API's rate limits expect.
    for ids, start, end, body in prefetch(answers(), depth=2):
        ctx = parse.DayRequest(
            tenant_id=tenant_id,
            account_id=account_id,
            requested_ids=ids,
            date_from=start,
            date_to=end,
            currency=settings.currency,
            spent_includes_vat=settings.spent_includes_vat,
            timezone=settings.timezone,
            is_provisional=provisional,
            skip_empty=settings.skip_empty_rows,
        )
        # Columnar first (straight from the bytes); anything it cannot vouch for takes the checked path, which
        # gives the same rows or the error naming banner, day and field.
        table = parse.banner_day_table(body.content, ctx)
        if table is None:
            request = f"GET {BANNER_DAY_PATH} {start}..{end}"
            table = parse.stats_table(parse.banner_day_rows(decode_json(body, request), ctx, request=request))
        tables.append(table)
    return pa.concat_tables(tables) if tables else parse.stats_table([])
