"""Yandex Direct quality rules: grain keys, required columns, non-negative metrics, 0/1 flags (see quality.py)."""

from __future__ import annotations

from orchestration.quality import TableRules
from orchestration.raw import RawTable

TABLES: list[RawTable] = [
    RawTable(
        name="campaigns",
        endpoint="Campaigns.get (json/v5/campaigns)",
        rules=TableRules(
            grain=("tenant_id", "account_id", "campaign_id"),
            not_null=("tenant_id", "account_id", "campaign_id"),
            non_negative=(),
            flags=(),
            daily=False,
        ),
    ),
    RawTable(
        name="ad_stats_daily",
        endpoint="Reports CUSTOM_REPORT (json/v5/reports)",
        rules=TableRules(
            grain=(
                "tenant_id",
                "account_id",
                "date_day",
                "campaign_id",
                "ad_group_id",
                "ad_id",
                "ad_network_type",
            ),
            not_null=("tenant_id", "account_id", "date_day", "campaign_id", "currency"),
            non_negative=("impressions", "clicks", "cost", "conversions", "revenue"),
            flags=("is_provisional", "cost_includes_vat"),
            daily=True,
        ),
    ),
    RawTable(
        name="reach_frequency",
        endpoint="Reports REACH_AND_FREQUENCY_PERFORMANCE_REPORT",
        rules=TableRules(
            grain=("tenant_id", "account_id", "date_day", "campaign_id"),
            not_null=("tenant_id", "account_id", "date_day", "campaign_id"),
            non_negative=("impressions", "impression_reach", "avg_impression_frequency", "cost"),
            flags=(),
            daily=True,
            version_per_day=False,
        ),
    ),
]
