"""Arrow schema of raw_ga4.traffic_daily (every column except the load metadata filled by the loader)."""

from __future__ import annotations

import pyarrow as pa

from ingestion.common.money import MONEY_TYPE

TRAFFIC_DAILY = pa.schema(
    [
        ("tenant_id", pa.string()),
        ("account_id", pa.string()),
        ("date_day", pa.date32()),
        ("session_source", pa.string()),
        ("session_medium", pa.string()),
        ("session_campaign_name", pa.string()),
        ("sessions", pa.uint64()),
        ("total_users", pa.uint64()),
        ("key_events", MONEY_TYPE),
        ("total_revenue", MONEY_TYPE),
        ("currency", pa.string()),
        ("is_other_row", pa.uint8()),
        ("is_sampled", pa.uint8()),
        ("sampling_share", pa.float64()),
        ("is_thresholded", pa.uint8()),
        ("is_provisional", pa.uint8()),
    ]
)

TABLES = {"raw_ga4.traffic_daily": TRAFFIC_DAILY}
