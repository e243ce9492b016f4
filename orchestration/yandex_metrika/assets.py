"""Yandex Metrika raw assets: one step loads every active account's window into raw_yandex_metrika.* and checks it."""

from __future__ import annotations

from orchestration.raw import build_raw_assets
from orchestration.yandex_metrika.checks import DATABASE, TABLES
from orchestration.yandex_metrika.partitions import PLATFORM

yandex_metrika_raw = build_raw_assets(
    platform=PLATFORM, database=DATABASE, tables=TABLES,
    description="Yandex Metrika statistics and entities for every active account in app.accounts, re-pulling the "
                "restatement window; loads are idempotent window replaces (warehouse.loads.replace_window).",
)
