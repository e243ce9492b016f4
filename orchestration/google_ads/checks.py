"""Google Ads quality rules: grain keys, required columns, non-negative metrics, 0/1 flags (see quality.py)."""

from __future__ import annotations

from orchestration.raw import RawTable, ad_stats_table, snapshot_table

TABLES: list[RawTable] = [
    ad_stats_table(
        "googleAds:searchStream FROM ad_group_ad",
        ("impressions", "clicks", "cost", "conversions", "conversions_value"),
    ),
    snapshot_table("campaigns", "googleAds:searchStream FROM campaign", ("campaign_id",)),
]
