"""runReport with offset/limit paging: sessions, users, key events and revenue by date, session source, medium and
campaign, in raw_ga4.traffic_daily's column order, with the report's quality flags on every row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa

from ingestion.common import ApiClient, PayloadError
from ingestion.common.http import request_id_of
from ingestion.common.windows import provisional_since
from ingestion.ga4 import schema
from ingestion.ga4.parse import OTHER, ReportPage, parse_page
from ingestion.ga4.settings import PLATFORM, Settings

_Q = Decimal("0.000001")  # the raw tables' money scale
DIMENSIONS = ["date", "sessionSource", "sessionMedium", "sessionCampaignName"]


def metrics(settings: Settings) -> list[str]:
    return ["sessions", "totalUsers", settings.key_event_metric, "totalRevenue"]


def report_body(settings: Settings, *, date_from: date, date_to: date, offset: int) -> dict[str, Any]:
    """The RunReportRequest, as the official client sends it over REST (int64 fields as strings)."""
    return {
        "dateRanges": [{"startDate": date_from.isoformat(), "endDate": date_to.isoformat()}],
        "dimensions": [{"name": d} for d in DIMENSIONS],
        "metrics": [{"name": m} for m in metrics(settings)],
        "orderBys": [{"dimension": {"dimensionName": "date"}}],
        "limit": str(settings.page_limit),
        "offset": str(offset),
        "keepEmptyRows": False,
    }


def run_report(
    api: ApiClient, settings: Settings, property_id: str, *, date_from: date, date_to: date
) -> list[ReportPage]:
    """Every page of the report: offset advances by the rows received until `rowCount` is reached."""
    pages: list[ReportPage] = []
    offset = 0
    path = f"/{settings.api_version}/properties/{property_id}:runReport"
    for _page in range(100_000):
        resp = api.request(
            "POST", path, json=report_body(settings, date_from=date_from, date_to=date_to, offset=offset)
        )
        rid = request_id_of(resp)
        try:
            payload = resp.json()
        except ValueError as exc:
            raise PayloadError(
                f"runReport answer is not JSON ({len(resp.content)} bytes)", platform=PLATFORM, request_id=rid
            ) from exc
        page = parse_page(
            payload, dimensions=DIMENSIONS, metrics=metrics(settings), offset=offset, request_id=rid
        )
        pages.append(page)
        offset += len(page.rows)
        if offset >= page.row_count:
            return pages
        if not page.rows:
            raise PayloadError(
                f"runReport page at offset {offset} is empty but rowCount is {page.row_count}",
                platform=PLATFORM,
                request_id=rid,
            )
    raise PayloadError("runReport paging did not end", platform=PLATFORM)


def fetch_traffic(
    api: ApiClient,
    settings: Settings,
    *,
    tenant_id: str,
    property_id: str,
    date_from: date,
    date_to: date,
    today: date,
) -> pa.Table:
    pages = run_report(api, settings, property_id, date_from=date_from, date_to=date_to)
    # A flag of any page is a flag of the report: every row carries it.
    other = any(p.flags.has_other_row for p in pages)
    shares = [p.flags.sampling_share for p in pages if p.flags.sampling_share is not None]
    share = min(shares) if shares else None
    thresholded = any(p.flags.thresholded for p in pages)
    currency = next((p.flags.currency for p in pages if p.flags.currency), "")
    since = provisional_since(today, settings.lookback_days)
    key = settings.key_event_metric
    rows = []
    for page in pages:
        for r in page.rows:
            if not date_from <= r["date"] <= date_to:
                raise PayloadError(
                    f"date {r['date']} outside {date_from}..{date_to}",
                    platform=PLATFORM,
                    field="date",
                    retryable=False,
                )
            dims = (r["sessionSource"], r["sessionMedium"], r["sessionCampaignName"])
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "account_id": property_id,
                    "date_day": r["date"],
                    "session_source": dims[0],
                    "session_medium": dims[1],
                    "session_campaign_name": dims[2],
                    "sessions": int(r["sessions"]),
                    "total_users": int(r["totalUsers"]),
                    "key_events": r[key].quantize(_Q),
                    "total_revenue": r["totalRevenue"].quantize(_Q),
                    "currency": currency,
                    "is_other_row": int(other and OTHER in dims),
                    "is_sampled": int(share is not None),
                    "sampling_share": share,
                    "is_thresholded": int(thresholded),
                    "is_provisional": int(r["date"] >= since),
                }
            )
    return pa.Table.from_pylist(rows, schema=schema.TRAFFIC_DAILY)
