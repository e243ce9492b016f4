"""GA4 quality rules: grain keys, required columns, non-negative metrics, 0/1 flags (see quality.py)."""

from __future__ import annotations

from orchestration.raw import RawTable, daily_table

TABLES: list[RawTable] = [
    daily_table(
        "traffic_daily",
        "properties/{id}:runReport (date, session source/medium/campaign)",
        ("session_source", "session_medium", "session_campaign_name"),
        measures=("sessions", "total_users", "key_events", "total_revenue"),
        flags=("is_other_row", "is_sampled", "is_thresholded", "is_provisional"),
    ),
]
