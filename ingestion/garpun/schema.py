"""Arrow schemas of the raw_garpun tables (every column except the load metadata filled by the loader)."""

from __future__ import annotations

import pyarrow as pa

from ingestion.common.schema import DELIVERY, raw_schema

AD_STATS_DAILY = raw_schema(
    ("date_day", pa.date32()),
    ("source_platform", pa.string()),
    ("campaign_id", pa.string()),
    ("campaign_name", pa.string()),
    ("ad_group_id", pa.string()),
    ("ad_id", pa.string()),
    *DELIVERY,
    ("is_provisional", pa.uint8()),
)

CAMPAIGNS = raw_schema(
    ("source_platform", pa.string()),
    ("campaign_id", pa.string()),
    ("campaign_name", pa.string()),
    ("status", pa.string()),
)

TABLES = {"raw_garpun.ad_stats_daily": AD_STATS_DAILY, "raw_garpun.campaigns": CAMPAIGNS}
