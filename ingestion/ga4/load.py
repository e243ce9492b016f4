"""``load``: one GA4 property's window into raw_ga4.traffic_daily through ``run_load`` (idempotent)."""

from __future__ import annotations

from typing import Any, Unpack

from ingestion.common import ConfigError, days_between, run_load
from ingestion.common.loading import AccountLoad, LoadRequest
from ingestion.ga4 import fetch
from ingestion.ga4.client import make_client
from ingestion.ga4.settings import PLATFORM, Settings


def load(client: Any, settings: Settings, **request: Unpack[LoadRequest]) -> dict[str, int]:
    """Replace the property's traffic rows for the re-pull window; returns {table: rows}."""
    ask = AccountLoad.of(request, PLATFORM)
    tenant_id, account_id, today = ask.tenant_id, ask.account_id, ask.today
    if not tenant_id or not account_id.isdigit():
        raise ConfigError(
            f"tenant_id and a numeric GA4 property id are required (got {account_id!r})", platform=PLATFORM
        )
    start, end = ask.window(settings.lookback_days)
    with make_client(settings) as api:
        res = run_load(
            client,
            tenant_id=tenant_id,
            platform=PLATFORM,
            report="traffic_daily",
            table="raw_ga4.traffic_daily",
            account_id=account_id,
            date_from=start,
            date_to=end,
            days=days_between(start, end),
            api=api,
            payload_attempts=settings.payload_attempts,
            on_rows=ask.progress,
            produce=lambda: fetch.fetch_traffic(
                api,
                settings,
                tenant_id=tenant_id,
                property_id=account_id,
                date_from=start,
                date_to=end,
                today=today,
            ),
        )
    return {res.table: res.rows}
