"""Yandex Direct raw assets: one step loads every active account's window into raw_yandex_direct.* and checks it."""

from __future__ import annotations

from orchestration.raw import build_raw_assets
from orchestration.yandex_direct.checks import DATABASE, TABLES
from orchestration.yandex_direct.partitions import PLATFORM

yandex_direct_raw = build_raw_assets(
    platform=PLATFORM, database=DATABASE, tables=TABLES,
    description="Yandex Direct statistics and entities for every active account in app.accounts, re-pulling the "
                "restatement window; loads are idempotent window replaces (warehouse.loads.replace_window).",
)
