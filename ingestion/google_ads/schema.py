"""Arrow schemas of the raw_google_ads tables (every column except the load metadata filled by the loader)."""

from __future__ import annotations

import pyarrow as pa

from ingestion.common.money import MONEY_TYPE
from ingestion.common.schema import DELIVERY, raw_schema

AD_STATS_DAILY = raw_schema(
    ("date_day", pa.date32()),
    ("campaign_id", pa.uint64()),
    ("campaign_name", pa.string()),
    ("ad_group_id", pa.uint64()),
    ("ad_group_name", pa.string()),
    ("ad_id", pa.uint64()),
    ("ad_network_type", pa.string()),
    *DELIVERY,
    ("conversions_value", MONEY_TYPE),
    ("timezone", pa.string()),
    ("is_provisional", pa.uint8()),
)
CAMPAIGNS = raw_schema(
    ("campaign_id", pa.uint64()),
    ("campaign_name", pa.string()),
    ("status", pa.string()),
    ("channel_type", pa.string()),
    ("start_date", pa.date32()),
    ("end_date", pa.date32()),
    ("currency", pa.string()),
)

TABLES = {"raw_google_ads.campaigns": CAMPAIGNS, "raw_google_ads.ad_stats_daily": AD_STATS_DAILY}
