"""VK Ads quality rules: grain keys, required columns, non-negative metrics, 0/1 flags (see quality.py)."""

from __future__ import annotations

from orchestration.raw import RawTable, daily_table, snapshot_table

TABLES: list[RawTable] = [
    snapshot_table(
        "ad_plans", "api/v2/ad_plans.json", ("ad_plan_id",), measures=("budget_limit", "budget_limit_day")
    ),
    snapshot_table(
        "ad_groups",
        "api/v2/ad_groups.json",
        ("ad_group_id",),
        required=("ad_group_id", "ad_plan_id"),
        measures=("budget_limit_day",),
    ),
    snapshot_table("banners", "api/v2/banners.json", ("banner_id",), required=("banner_id", "ad_group_id")),
    daily_table(
        "banner_stats_daily",
        "api/v2/statistics/banners/day.json",
        ("banner_id",),
        required=("banner_id", "currency"),
        measures=("shows", "clicks", "goals", "spent", "uniques_total"),
        flags=("is_provisional", "spent_includes_vat"),
    ),
]
