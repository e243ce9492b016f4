"""The one partitioning every daily asset shares: calendar days in Europe/Moscow.

Platforms report in the account's time zone, and Russian agencies' accounts are on Moscow time, so a partition is
a Moscow calendar day. One shared definition lets a single job (raw → dbt → AI) and a single-run backfill span
every platform; tenants and accounts are the loop inside a run (see docs/decisions.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import dagster as dg

MOSCOW = "Europe/Moscow"
# First partition: the sandbox keeps ~400 days of history and production backfills start from a contract date;
# earlier days can still be loaded with `mrm ingest` outside Dagster.
PARTITIONS_START = "2025-01-01"

daily_partitions = dg.DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone=MOSCOW, end_offset=0)

PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def days_of_time_window(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    """[first day, last day] of a partition time window (end is exclusive midnight in Moscow)."""
    first = start.date()
    last = (end - dt.timedelta(days=1)).date()
    if last < first:
        raise ValueError(f"empty partition window {start} .. {end}")
    return first, last


def days_from_tags(tags: Mapping[str, str]) -> tuple[dt.date, dt.date] | None:
    """The day range a run targets, from its partition tags (single key or single-run range); None if unpartitioned."""
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        first, last = dt.date.fromisoformat(tags[RANGE_START_TAG]), dt.date.fromisoformat(tags[RANGE_END_TAG])
    elif PARTITION_TAG in tags:
        first = last = dt.date.fromisoformat(tags[PARTITION_TAG])
    else:
        return None
    if last < first:
        raise ValueError(f"partition range ends before it starts: {first} .. {last}")
    return first, last


def context_days(
    context: dg.AssetExecutionContext | dg.OpExecutionContext | dg.AssetCheckExecutionContext,
) -> tuple[dt.date, dt.date]:
    """The days a partitioned step covers (one day, or the whole range of a single-run backfill)."""
    tags = context.run.tags
    days = days_from_tags(tags)
    if days is None:
        raise dg.Failure(
            "this step needs a daily partition (or a partition range): none was given", allow_retries=False
        )
    return days


def yesterday_in_moscow(now: dt.datetime | None = None) -> dt.date:
    """The newest complete Moscow day."""
    from zoneinfo import ZoneInfo

    now = now or dt.datetime.now(dt.UTC)
    return (now.astimezone(ZoneInfo(MOSCOW)) - dt.timedelta(days=1)).date()
