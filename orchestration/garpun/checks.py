"""Garpun DataHub quality rules: grain keys, required columns, non-negative metrics, 0/1 flags (see quality.py)."""

from __future__ import annotations

from orchestration.quality import TableRules
from orchestration.raw import RawTable

TABLES: list[RawTable] = [
    RawTable(
        name="ad_stats_daily",
        endpoint="DataHub METAQL statistics query",
        rules=TableRules(
            grain=(
                "tenant_id",
                "account_id",
                "date_day",
                "source_platform",
                "campaign_id",
                "ad_group_id",
                "ad_id",
            ),
            not_null=("tenant_id", "account_id", "date_day", "campaign_id", "currency"),
            non_negative=("impressions", "clicks", "cost", "conversions"),
            flags=("is_provisional", "cost_includes_vat"),
            daily=True,
        ),
    ),
    RawTable(
        name="campaigns",
        endpoint="DataHub METAQL campaigns query",
        rules=TableRules(
            grain=("tenant_id", "account_id", "source_platform", "campaign_id"),
            not_null=("tenant_id", "account_id", "campaign_id"),
            non_negative=(),
            flags=(),
            daily=False,
        ),
    ),
]
