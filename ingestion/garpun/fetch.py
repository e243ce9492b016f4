"""Fetch functions: METAQL results mapped onto raw_garpun.* Arrow record batches (streamed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import pyarrow as pa

from ingestion.common import PayloadError, is_provisional
from ingestion.garpun import schema
from ingestion.garpun.client import GarpunClient, render_query
from ingestion.garpun.settings import Settings

PLATFORM = "garpun"
_SIX = Decimal("0.000001")


def _bad(line: int, column: str, source: str, message: str) -> PayloadError:
    return PayloadError(
        f"METAQL row {line}: raw column {column!r} (from {source!r}) {message}",
        platform=PLATFORM,
        row=line,
        field=source,
        retryable=False,
    )


class _Mapper:
    """Reads raw columns out of a typed record through the configured mapping, with loud type checks."""

    def __init__(self, mapping: Mapping[str, str], record: Mapping[str, Any], line: int) -> None:
        self.mapping, self.record, self.line = mapping, record, line

    def raw(self, column: str) -> tuple[bool, Any]:
        source = self.mapping.get(column)
        if not source:
            return False, None
        if source not in self.record:
            raise _bad(
                self.line, column, source, "is missing from the result row (check the query/column mapping)"
            )
        return True, self.record[source]

    def text(self, column: str, default: str = "") -> str:
        present, value = self.raw(column)
        if not present or value is None:
            return default
        if isinstance(value, bool | dict | list):
            raise _bad(self.line, column, self.mapping[column], f"is {value!r}, expected text or an id")
        return str(value)

    def count(self, column: str) -> int:
        present, value = self.raw(column)
        if value is None:
            return 0
        if (
            isinstance(value, bool)
            or not isinstance(value, int | Decimal)
            or value < 0
            or value != int(value)
        ):
            raise _bad(
                self.line, column, self.mapping[column], f"is {value!r}, expected a non-negative integer"
            )
        return int(value)

    def money(self, column: str, *, required: bool) -> Decimal | None:
        present, value = self.raw(column)
        if value is None:
            if required:
                raise _bad(self.line, column, self.mapping.get(column, "?"), "is null")
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise _bad(self.line, column, self.mapping[column], f"is {value!r}, expected DECIMAL")
        return Decimal(value).quantize(_SIX)

    def day(self, column: str) -> dt.date:
        present, value = self.raw(column)
        if isinstance(value, dt.datetime):
            return value.date()
        if not isinstance(value, dt.date):
            raise _bad(self.line, column, self.mapping[column], f"is {value!r}, expected a DATE")
        return value

    def flag(self, column: str, default: bool) -> int:
        present, value = self.raw(column)
        if not present or value is None:
            return int(default)
        if not isinstance(value, bool):
            raise _bad(self.line, column, self.mapping[column], f"is {value!r}, expected BOOLEAN")
        return int(value)


def _batches(rows: Iterable[dict[str, Any]], arrow_schema: pa.Schema, size: int) -> Iterator[pa.RecordBatch]:
    buf: list[dict[str, Any]] = []
    for row in rows:
        buf.append(row)
        if len(buf) >= size:
            yield pa.RecordBatch.from_pylist(buf, schema=arrow_schema)
            buf = []
    if buf:
        yield pa.RecordBatch.from_pylist(buf, schema=arrow_schema)


def stats_rows(
    records: Iterable[Mapping[str, Any]],
    settings: Settings,
    *,
    tenant_id: str,
    account_id: str,
    date_from: dt.date,
    date_to: dt.date,
    provisional: Callable[[dt.date], bool],
) -> Iterator[dict[str, Any]]:
    """Map typed METAQL records onto raw_garpun.ad_stats_daily rows (pure; raises naming row and column)."""
    m = settings.stats_columns
    for line, record in enumerate(records, start=1):
        r = _Mapper(m, record, line)
        day = r.day("date_day")
        if not date_from <= day <= date_to:
            raise _bad(
                line, "date_day", m["date_day"], f"is {day}, outside the requested {date_from}..{date_to}"
            )
        cost = r.money("cost", required=True)
        yield {
            "tenant_id": tenant_id,
            "account_id": account_id,
            "date_day": day,
            "source_platform": r.text("source_platform"),
            "campaign_id": r.text("campaign_id"),
            "campaign_name": r.text("campaign_name"),
            "ad_group_id": r.text("ad_group_id"),
            "ad_id": r.text("ad_id"),
            "impressions": r.count("impressions"),
            "clicks": r.count("clicks"),
            "cost": cost,
            "cost_includes_vat": r.flag("cost_includes_vat", settings.cost_includes_vat),
            "currency": r.text("currency", settings.currency) or settings.currency,
            "conversions": r.money("conversions", required=False),
            "is_provisional": int(provisional(day)),
        }


def campaign_rows(
    records: Iterable[Mapping[str, Any]], settings: Settings, *, tenant_id: str, account_id: str
) -> Iterator[dict[str, Any]]:
    m = settings.campaign_columns
    seen: set[tuple[str, str]] = set()
    for line, record in enumerate(records, start=1):
        r = _Mapper(m, record, line)
        row = {
            "tenant_id": tenant_id,
            "account_id": account_id,
            "source_platform": r.text("source_platform"),
            "campaign_id": r.text("campaign_id"),
            "campaign_name": r.text("campaign_name"),
            "status": r.text("status"),
        }
        key = (row["source_platform"], row["campaign_id"])
        if key in seen:
            raise _bad(line, "campaign_id", m["campaign_id"], f"repeats campaign {key}")
        seen.add(key)
        yield row


def fetch_ad_stats(
    client: GarpunClient,
    settings: Settings,
    *,
    tenant_id: str,
    account_id: str,
    date_from: dt.date,
    date_to: dt.date,
    today: dt.date,
) -> Iterator[pa.RecordBatch]:
    """Stream the statistics query for the window as record batches of raw_garpun.ad_stats_daily."""
    query = render_query(
        settings.stats_query, {"account_id": account_id, "date_from": date_from, "date_to": date_to}
    )
    records = client.query(query, settings.shard_key)
    rows = stats_rows(
        records,
        settings,
        tenant_id=tenant_id,
        account_id=account_id,
        date_from=date_from,
        date_to=date_to,
        provisional=lambda d: is_provisional(d, today=today, lookback_days=settings.lookback_days),
    )
    return _batches(rows, schema.AD_STATS_DAILY, settings.batch_rows)


def fetch_campaigns(
    client: GarpunClient, settings: Settings, *, tenant_id: str, account_id: str
) -> Iterator[pa.RecordBatch]:
    query = render_query(settings.campaigns_query, {"account_id": account_id})
    rows = campaign_rows(
        client.query(query, settings.shard_key), settings, tenant_id=tenant_id, account_id=account_id
    )
    return _batches(rows, schema.CAMPAIGNS, settings.batch_rows)
