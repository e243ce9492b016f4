"""``load``: one Garpun account's window into raw_garpun.{campaigns, ad_stats_daily}, each through ``run_load``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ingestion.common import ConfigError, days_between, repull_window, run_load, with_registered_vat
from ingestion.garpun import fetch
from ingestion.garpun.client import GarpunClient
from ingestion.garpun.settings import Settings
from mrm import clock

PLATFORM = "garpun"


def load(
    client: Any,
    settings: Settings,
    *,
    tenant_id: str,
    account_id: str,
    date_from: dt.date,
    date_to: dt.date,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    garpun: GarpunClient | None = None,
) -> dict[str, int]:
    """Replace the account's campaigns (snapshot) and ad statistics for the re-pull window; rows per table."""
    if not tenant_id or not account_id:
        raise ConfigError("tenant_id and account_id are required", platform=PLATFORM)
    today = today or clock.today()
    window = repull_window(date_from, date_to, today=today, lookback_days=settings.lookback_days)
    if window is None:
        raise ConfigError(
            f"nothing to fetch: {date_from}..{date_to} has no complete day before {today}", platform=PLATFORM
        )
    start, end = window
    # Rows without DataHub's own `vat_included` take the account's registered convention.
    settings = with_registered_vat(
        client, settings, "cost_includes_vat", tenant_id=tenant_id, platform=PLATFORM, account_id=account_id
    )
    own = garpun is None
    gp = garpun or GarpunClient(settings)
    result: dict[str, int] = {}
    try:
        done = run_load(
            client,
            tenant_id=tenant_id,
            platform=PLATFORM,
            report="campaigns",
            table="raw_garpun.campaigns",
            account_id=account_id,
            date_from=None,
            date_to=None,
            days=None,
            produce=lambda: fetch.fetch_campaigns(gp, settings, tenant_id=tenant_id, account_id=account_id),
            api=gp.api,
            payload_attempts=settings.payload_attempts,
            on_rows=progress,
        )
        result[done.table] = done.rows
        done = run_load(
            client,
            tenant_id=tenant_id,
            platform=PLATFORM,
            report="ad_stats_daily",
            table="raw_garpun.ad_stats_daily",
            account_id=account_id,
            date_from=start,
            date_to=end,
            days=days_between(start, end),
            api=gp.api,
            payload_attempts=settings.payload_attempts,
            on_rows=progress,
            produce=lambda: fetch.fetch_ad_stats(
                gp,
                settings,
                tenant_id=tenant_id,
                account_id=account_id,
                date_from=start,
                date_to=end,
                today=today,
            ),
        )
        result[done.table] = done.rows
    finally:
        if own:
            gp.close()
    return result
