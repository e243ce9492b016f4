"""`load(...)`: one Direct advertiser's window into raw_yandex_direct.{campaigns, ad_stats_daily, reach_frequency}."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

from ingestion.common import days_between, repull_window, run_load, with_registered_vat
from ingestion.yandex_direct import fetch
from ingestion.yandex_direct.client import make_client
from ingestion.yandex_direct.settings import PLATFORM, Settings
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
    tables: tuple[str, ...] = ("campaigns", "ad_stats", "reach"),
) -> dict[str, int]:
    """Load campaigns (snapshot), ad × day stats and reach for one Client-Login; returns rows per table.

    The stats window is widened to re-pull the provisional days (`repull_window`); reach is measured over
    exactly the requested window and stored under its end day.
    """
    today = today or clock.today()
    window = repull_window(date_from, date_to, today=today, lookback_days=settings.lookback_days)
    # The account's registered VAT convention decides IncludeVAT, so the rows match app.accounts.
    settings = with_registered_vat(
        client, settings, "include_vat", tenant_id=tenant_id, platform=PLATFORM, account_id=account_id
    )
    out: dict[str, int] = {}
    with make_client(settings) as api:
        if "campaigns" in tables:
            res = run_load(
                client,
                tenant_id=tenant_id,
                platform=PLATFORM,
                report="campaigns",
                table="raw_yandex_direct.campaigns",
                account_id=account_id,
                date_from=None,
                date_to=None,
                days=None,
                api=api,
                payload_attempts=settings.payload_attempts,
                on_rows=progress,
                produce=lambda: fetch.fetch_campaigns(api, settings, tenant_id=tenant_id, login=account_id),
            )
            out["raw_yandex_direct.campaigns"] = res.rows
        if window is None:
            return out
        start, end = window
        if "ad_stats" in tables:
            res = run_load(
                client,
                tenant_id=tenant_id,
                platform=PLATFORM,
                report="ad_stats_daily",
                table="raw_yandex_direct.ad_stats_daily",
                account_id=account_id,
                date_from=start,
                date_to=end,
                days=days_between(start, end),
                api=api,
                payload_attempts=settings.payload_attempts,
                on_rows=progress,
                produce=lambda: fetch.fetch_ad_stats(
                    api,
                    settings,
                    tenant_id=tenant_id,
                    login=account_id,
                    date_from=start,
                    date_to=end,
                    today=today,
                    sleep=sleep,
                ),
            )
            out["raw_yandex_direct.ad_stats_daily"] = res.rows
        if "reach" in tables:
            r_from, r_to = date_from, min(date_to, end)
            if r_from <= r_to:
                res = run_load(
                    client,
                    tenant_id=tenant_id,
                    platform=PLATFORM,
                    report="reach_frequency",
                    table="raw_yandex_direct.reach_frequency",
                    account_id=account_id,
                    date_from=r_from,
                    date_to=r_to,
                    days=[r_to],
                    api=api,
                    payload_attempts=settings.payload_attempts,
                    on_rows=progress,
                    produce=lambda: fetch.fetch_reach(
                        api,
                        settings,
                        tenant_id=tenant_id,
                        login=account_id,
                        date_from=r_from,
                        date_to=r_to,
                        sleep=sleep,
                    ),
                )
                out["raw_yandex_direct.reach_frequency"] = res.rows
    return out
