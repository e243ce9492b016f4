"""``load``: the Bank of Russia rates of a window into raw_cbr.fx_daily through ``run_load`` (idempotent)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ingestion.cbr import fetch
from ingestion.cbr.client import make_client
from ingestion.cbr.settings import PLATFORM, RAW_TABLE, SHARED_TENANT, SOURCE_ACCOUNT, Settings
from ingestion.common import days_between
from ingestion.common.loading import LoadSpec, load_account
from ingestion.common.windows import load_window
from mrm import clock


def load(
    client: Any,
    settings: Settings,
    *,
    date_from: date,
    date_to: date,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Replace the rates of [date_from, date_to] (clipped to today); returns {table: rows}.

    Every day of the window is registered as covered, published or not: the dbt rate model carries the last
    publication over exactly the covered days, so a day no load asked about has no rate (and fails loudly).
    When the window opens on a day without a publication, it is widened back to the publication in force then.
    """
    today = today or clock.today()
    # Today's rates were set the business day before: today is complete for this source.
    start, end = load_window(
        date_from,
        date_to,
        today=today,
        lookback_days=settings.lookback_days,
        platform=PLATFORM,
        include_today=True,
    )
    with make_client(settings) as api:
        in_force = fetch.fetch_day(api, settings, start).date
        if in_force < start:
            start = in_force
        days = days_between(start, end)
        fx_daily = LoadSpec.window(
            "fx_daily", RAW_TABLE, start, end, lambda: fetch.fetch_rates(api, settings, days=days)
        )
        return load_account(
            client,
            settings,
            api,
            tenant_id=SHARED_TENANT,
            account_id=SOURCE_ACCOUNT,
            progress=progress,
            loads=[fx_daily],
        )
