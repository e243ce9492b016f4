"""VK Ads quality rules: grain keys, required columns, non-negative metrics, 0/1 flags (see quality.py)."""

from __future__ import annotations

from orchestration.quality import TableRules
from orchestration.raw import RawTable

TABLES: list[RawTable] = [
    RawTable(
        name="ad_plans",
        endpoint="api/v2/ad_plans.json",
        rules=TableRules(
            grain=("tenant_id", "account_id", "ad_plan_id"),
            not_null=("tenant_id", "account_id", "ad_plan_id"),
            non_negative=("budget_limit", "budget_limit_day"),
            flags=(),
            daily=False,
        ),
    ),
    RawTable(
        name="ad_groups",
        endpoint="api/v2/ad_groups.json",
        rules=TableRules(
            grain=("tenant_id", "account_id", "ad_group_id"),
            not_null=("tenant_id", "account_id", "ad_group_id", "ad_plan_id"),
            non_negative=("budget_limit_day",),
            flags=(),
            daily=False,
        ),
    ),
    RawTable(
        name="banners",
        endpoint="api/v2/banners.json",
        rules=TableRules(
            grain=("tenant_id", "account_id", "banner_id"),
            not_null=("tenant_id", "account_id", "banner_id", "ad_group_id"),
            non_negative=(),
            flags=(),
            daily=False,
        ),
    ),
    RawTable(
        name="banner_stats_daily",
        endpoint="api/v2/statistics/banners/day.json",
        rules=TableRules(
            grain=("tenant_id", "account_id", "date_day", "banner_id"),
            not_null=("tenant_id", "account_id", "date_day", "banner_id", "currency"),
            non_negative=("shows", "clicks", "goals", "spent", "uniques_total"),
            flags=("is_provisional", "spent_includes_vat"),
            daily=True,
        ),
    ),
]
