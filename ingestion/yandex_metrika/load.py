"""`load(...)`: one Metrika counter's window into raw_yandex_metrika.{traffic_daily, visits}."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Unpack

from ingestion.common import repull_window
from ingestion.common.loading import AccountLoad, BatchSource, LoadRequest, LoadSpec
from ingestion.yandex_metrika import fetch
from ingestion.yandex_metrika.client import make_client
from ingestion.yandex_metrika.settings import PLATFORM, Settings


def load(
    client: Any,
    settings: Settings,
    *,
    sleep: Callable[[float], None] = time.sleep,
    tables: tuple[str, ...] = ("traffic", "visits"),
    **request: Unpack[LoadRequest],
) -> dict[str, int]:
    """Load the traffic table (Reporting API) and visits (Logs API) of counter `account_id`; rows per table."""
    ask = AccountLoad.of(request, PLATFORM)
    tenant_id, account_id, today = ask.tenant_id, ask.account_id, ask.today
    window = repull_window(ask.date_from, ask.date_to, today=today, lookback_days=settings.lookback_days)
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
        return ask.run(client, settings, api, loads)
