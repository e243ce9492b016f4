"""Garpun DataHub raw assets: one step loads every active account's window into raw_garpun.* and checks it."""

from __future__ import annotations

from orchestration.garpun.checks import DATABASE, TABLES
from orchestration.garpun.partitions import PLATFORM
from orchestration.raw import build_raw_assets

garpun_raw = build_raw_assets(
    platform=PLATFORM, database=DATABASE, tables=TABLES,
    description="Garpun DataHub statistics and entities for every active account in app.accounts, re-pulling the "
                "restatement window; loads are idempotent window replaces (warehouse.loads.replace_window).",
)
