"""`load(...)`: one Direct advertiser's window into raw_yandex_direct.{campaigns, ads, ad_stats_daily,
reach_frequency}."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, Unpack

from ingestion.common import repull_window, with_registered_vat
from ingestion.common.loading import AccountLoad, LoadRequest, LoadSpec
from ingestion.yandex_direct import fetch
from ingestion.yandex_direct.client import make_client
from ingestion.yandex_direct.settings import PLATFORM, Settings


def load(
    client: Any,
    settings: Settings,
    *,
    sleep: Callable[[float], None] = time.sleep,
    tables: tuple[str, ...] = ("campaigns", "ads", "ad_stats", "reach"),
    **request: Unpack[LoadRequest],
) -> dict[str, int]:
    """Load campaigns and ads (snapshots), ad × day stats and reach for one Client-Login; returns rows per table.

    The stats window is widened to re-pull the provisional days (`repull_window`); reach is measured over
    exactly the requested window and stored under its end day.
    """
    ask = AccountLoad.of(request, PLATFORM)
    tenant_id, account_id, today = ask.tenant_id, ask.account_id, ask.today
    date_from, date_to = ask.date_from, ask.date_to
    window = repull_window(date_from, date_to, today=today, lookback_days=settings.lookback_days)
    # The account's registered VAT convention decides IncludeVAT, so the rows match app.accounts.
    settings = with_registered_vat(
        client, settings, "include_vat", tenant_id=tenant_id, platform=PLATFORM, account_id=account_id
    )
    with make_client(settings) as api:
        login: dict[str, Any] = {"tenant_id": tenant_id, "login": account_id}
        loads: list[LoadSpec] = []
        # One Campaigns.get per load: the ads snapshot takes its campaign ids from the campaigns snapshot.
        campaigns = functools.cache(lambda: fetch.fetch_campaigns(api, settings, **login))
        if "campaigns" in tables:
            loads.append(LoadSpec.snapshot("campaigns", "raw_yandex_direct.campaigns", campaigns))
        if "ads" in tables:
            ids = (
                (lambda: campaigns().column("campaign_id").to_pylist())
                if "campaigns" in tables
                else lambda: None
            )
            loads.append(
                LoadSpec.snapshot(
                    "ads",
                    "raw_yandex_direct.ads",
                    lambda: fetch.fetch_ads(api, settings, **login, campaign_ids=ids()),
                )
            )
        if window is not None:
            start, end = window
            r_from, r_to = date_from, min(date_to, end)
            if "ad_stats" in tables:
                loads.append(
                    LoadSpec.window(
                        "ad_stats_daily",
                        "raw_yandex_direct.ad_stats_daily",
                        start,
                        end,
                        lambda: fetch.fetch_ad_stats(
                            api, settings, **login, date_from=start, date_to=end, today=today, sleep=sleep
                        ),
                    )
                )
            if "reach" in tables and r_from <= r_to:
                loads.append(
                    LoadSpec.window(
                        "reach_frequency",
                        "raw_yandex_direct.reach_frequency",
                        r_from,
                        r_to,
                        lambda: fetch.fetch_reach(
                            api, settings, **login, date_from=r_from, date_to=r_to, sleep=sleep
                        ),
                        days=[r_to],
                    )
                )
        return ask.run(client, settings, api, loads)
