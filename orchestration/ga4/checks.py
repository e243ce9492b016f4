"""GA4 quality rules: grain keys, required columns, non-negative metrics, 0/1 flags (see quality.py)."""

from __future__ import annotations

from orchestration.quality import TableRules
from orchestration.raw import RawTable

TABLES: list[RawTable] = [
    RawTable(
        name="traffic_daily",
        endpoint="properties/{id}:runReport (date, session source/medium/campaign)",
        rules=TableRules(
            grain=(
                "tenant_id",
                "account_id",
                "date_day",
                "session_source",
                "session_medium",
                "session_campaign_name",
            ),
            not_null=("tenant_id", "account_id", "date_day"),
            non_negative=("sessions", "total_users", "key_events", "total_revenue"),
            flags=("is_other_row", "is_sampled", "is_thresholded", "is_provisional"),
            daily=True,
        ),
    ),
]
