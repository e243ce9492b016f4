"""``load``: one VK Ads account's window into every raw_vk_ads table, each through ``run_load``."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Any, Unpack

import pyarrow as pa

from ingestion.common import with_registered_vat
from ingestion.common.loading import AccountLoad, LoadRequest, LoadSpec
from ingestion.vk_ads import fetch
from ingestion.vk_ads.client import VkAdsClient
from ingestion.vk_ads.settings import Settings

PLATFORM = "vk_ads"


def load(
    client: Any, settings: Settings, *, vk: VkAdsClient | None = None, **request: Unpack[LoadRequest]
) -> dict[str, int]:
    """Replace the account's ad plans, ad groups and banners (snapshots) and its banner statistics for the
    re-pull window; returns rows per table. ``vk`` lets a caller reuse one API session (and its token)."""
    ask = AccountLoad.of(request, PLATFORM, require_ids=True)
    tenant_id, account_id, today = ask.tenant_id, ask.account_id, ask.today
    start, end = ask.window(settings.lookback_days)
    # VK does not say whether `spent` includes VAT: the account's registration in app.accounts does.
    settings = with_registered_vat(
        client, settings, "spent_includes_vat", tenant_id=tenant_id, platform=PLATFORM, account_id=account_id
    )
    banners: dict[str, pa.Table] = {}
    # A client the caller passed stays open for the caller; one made here is closed here.
    with nullcontext(vk) if vk is not None else VkAdsClient(settings, account_id=account_id) as api:

        def produce_banners() -> pa.Table:
            banners["table"] = fetch.fetch_banners(api, settings, tenant_id=tenant_id, account_id=account_id)
            return banners["table"]

        def produce_stats() -> pa.Table:
            return fetch.fetch_banner_stats(
                api,
                settings,
                tenant_id=tenant_id,
                account_id=account_id,
                banner_ids=banners["table"].column("banner_id").to_pylist(),
                date_from=start,
                date_to=end,
                today=today,
            )

        def snapshot(report: str, produce: Callable[[], pa.Table]) -> LoadSpec:
            return LoadSpec.snapshot(report, f"raw_vk_ads.{report}", produce)

        # One batch: the four tables of the account switch together (banners and their statistics come
        # from the same run), with one load-log write, one switch and one clean-up check for all of them.
        loads = [
            snapshot(
                "ad_plans",
                lambda: fetch.fetch_ad_plans(api, settings, tenant_id=tenant_id, account_id=account_id),
            ),
            snapshot(
                "ad_groups",
                lambda: fetch.fetch_ad_groups(api, settings, tenant_id=tenant_id, account_id=account_id),
            ),
            snapshot("banners", produce_banners),
            LoadSpec.window("banner_stats_daily", "raw_vk_ads.banner_stats_daily", start, end, produce_stats),
        ]
        return ask.run(client, settings, api.api, loads, together=True)
