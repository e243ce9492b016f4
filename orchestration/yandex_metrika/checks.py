"""Yandex Metrika quality rules: grain keys, required columns, non-negative metrics, 0/1 flags (see quality.py)."""

from __future__ import annotations

from orchestration.quality import TableRules
from orchestration.raw import RawTable

TABLES: list[RawTable] = [
    RawTable(
        name="traffic_daily",
        endpoint="Reporting API stat/v1/data",
        rules=TableRules(
            grain=(
                "tenant_id",
                "account_id",
                "date_day",
                "traffic_source",
                "utm_source",
                "utm_medium",
                "utm_campaign",
                "direct_campaign_id",
            ),
            not_null=("tenant_id", "account_id", "date_day", "traffic_source"),
            non_negative=(
                "visits",
                "users",
                "bounces",
                "pageviews",
                "goal_reaches",
                "revenue",
                "sample_share",
            ),
            flags=("is_provisional", "sampled"),
            daily=True,
        ),
    ),
    RawTable(
        name="visits",
        endpoint="Logs API management/v1/counter/{id}/logrequests",
        rules=TableRules(
            grain=("tenant_id", "account_id", "date_day", "visit_id"),
            not_null=("tenant_id", "account_id", "date_day", "visit_id", "client_id"),
            non_negative=("page_views", "visit_duration", "purchase_revenue"),
            flags=("is_provisional", "bounce", "is_new_user"),
            daily=True,
        ),
    ),
]
