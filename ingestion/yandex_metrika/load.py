"""`load(...)`: one Metrika counter's window into raw_yandex_metrika.{traffic_daily, visits}."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

from ingestion.common import repull_window
from ingestion.common.loading import BatchSource, LoadSpec, load_account
from ingestion.yandex_metrika import fetch
from ingestion.yandex_metrika.client import make_client
from ingestion.yandex_metrika.settings import Settings
from mrm import clock


def load(
    client: Any,
    settings: Settings,
    *,
    tenant_id: str,
    account_id: str,
    date_from: date,
    date_to: date,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    tables: tuple[str, ...] = ("traffic", "visits"),
) -> dict[str, int]:
    """Load the traffic table (Reporting API) and visits (Logs API) of counter `account_id`; rows per table."""
    today = today or clock.today()
    window = repull_window(date_from, date_to, today=today, lookback_days=settings.lookback_days)
    if window is None:
        return {}
    start, end = window
    # What both reports are asked for: this counter's days of the window.
    asked: dict[str, Any] = {
        "tenant_id": tenant_id,
        "counter": account_id,
        "date_from": start,
        "date_to": end,
        "today": today,
    }
    with make_client(settings) as api:
        # tables= name → (report and raw table, what produces it)
        reports: dict[str, tuple[str, BatchSource]] = {
            "traffic": ("traffic_daily", lambda: fetch.fetch_traffic(api, settings, **asked)),
            "visits": ("visits", lambda: fetch.fetch_visits(api, settings, **asked, sleep=sleep)),
        }
        loads = [
            LoadSpec.window(report, f"raw_yandex_metrika.{report}", start, end, produce)
            for name, (report, produce) in reports.items()
            if name in tables
        ]
        return load_account(
            client, settings, api, tenant_id=tenant_id, account_id=account_id, progress=progress, loads=loads
        )
