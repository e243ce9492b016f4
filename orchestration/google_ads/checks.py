"""Google Ads quality rules: grain keys, required columns, non-negative metrics, 0/1 flags (see quality.py)."""

from __future__ import annotations

from orchestration.quality import TableRules
from orchestration.raw import RawTable

TABLES: list[RawTable] = [
    RawTable(
        name="ad_stats_daily",
        endpoint="googleAds:searchStream FROM ad_group_ad",
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
            non_negative=("impressions", "clicks", "cost", "conversions", "conversions_value"),
            flags=("is_provisional", "cost_includes_vat"),
            daily=True,
        ),
    ),
    RawTable(
        name="campaigns",
        endpoint="googleAds:searchStream FROM campaign",
        rules=TableRules(
            grain=("tenant_id", "account_id", "campaign_id"),
            not_null=("tenant_id", "account_id", "campaign_id"),
            non_negative=(),
            flags=(),
            daily=False,
        ),
    ),
]
