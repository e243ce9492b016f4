"""Yandex Direct quality rules: grain keys, required columns, non-negative metrics, 0/1 flags (see quality.py)."""

from __future__ import annotations

from orchestration.raw import RawTable, ad_stats_table, daily_table, snapshot_table

TABLES: list[RawTable] = [
    snapshot_table("campaigns", "Campaigns.get (json/v5/campaigns)", ("campaign_id",)),
    snapshot_table("ads", "Ads.get (json/v5/ads)", ("ad_id",), required=("ad_id", "campaign_id")),
    ad_stats_table(
        "Reports CUSTOM_REPORT (json/v5/reports)",
        ("impressions", "clicks", "cost", "conversions", "revenue"),
    ),
    daily_table(
        "reach_frequency",
        "Reports REACH_AND_FREQUENCY_PERFORMANCE_REPORT",
        ("campaign_id",),
        required=("campaign_id",),
        measures=("impressions", "impression_reach", "avg_impression_frequency", "cost"),
        flags=(),
        version_per_day=False,
    ),
]
