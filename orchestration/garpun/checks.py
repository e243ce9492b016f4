"""Garpun DataHub quality rules: grain keys, required columns, non-negative metrics, 0/1 flags (see quality.py)."""

from __future__ import annotations

from orchestration.raw import AD_KEY, RawTable, ad_stats_table, snapshot_table

TABLES: list[RawTable] = [
    ad_stats_table(
        "DataHub METAQL statistics query",
        ("impressions", "clicks", "cost", "conversions"),
        ("source_platform", *AD_KEY),
    ),
    snapshot_table(
        "campaigns",
        "DataHub METAQL campaigns query",
        ("source_platform", "campaign_id"),
        required=("campaign_id",),
    ),
]
