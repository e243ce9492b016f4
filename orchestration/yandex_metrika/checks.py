"""Yandex Metrika quality rules: grain keys, required columns, non-negative metrics, 0/1 flags (see quality.py)."""

from __future__ import annotations

from orchestration.raw import RawTable, daily_table

TABLES: list[RawTable] = [
    daily_table(
        "traffic_daily",
        "Reporting API stat/v1/data",
        ("traffic_source", "utm_source", "utm_medium", "utm_campaign", "direct_campaign_id"),
        required=("traffic_source",),
        measures=("visits", "users", "bounces", "pageviews", "goal_reaches", "revenue", "sample_share"),
        flags=("is_provisional", "sampled"),
    ),
    daily_table(
        "visits",
        "Logs API management/v1/counter/{id}/logrequests",
        ("visit_id",),
        required=("visit_id", "client_id"),
        measures=("page_views", "visit_duration", "purchase_revenue"),
        flags=("is_provisional", "bounce", "is_new_user"),
    ),
]
