"""VK Ads raw assets: one step loads every active account's window into raw_vk_ads.* and checks it."""

from __future__ import annotations

from orchestration.raw import build_raw_assets
from orchestration.vk_ads.checks import DATABASE, TABLES
from orchestration.vk_ads.partitions import PLATFORM

vk_ads_raw = build_raw_assets(
    platform=PLATFORM, database=DATABASE, tables=TABLES,
    description="VK Ads statistics and entities for every active account in app.accounts, re-pulling the "
                "restatement window; loads are idempotent window replaces (warehouse.loads.replace_window).",
)
