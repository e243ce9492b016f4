"""Arrow schemas of the raw_yandex_direct tables (every column except the load metadata filled by the loader)."""

from __future__ import annotations

import pyarrow as pa

from ingestion.common.money import MONEY_TYPE
from ingestion.common.schema import DELIVERY, raw_schema

AD_STATS_DAILY = raw_schema(
    "date_day",
    "campaign_id",
    "campaign_name",
    ("campaign_type", pa.string()),
    "ad_group_id",
    ("ad_group_name", pa.string()),
    "ad_id",
    ("ad_network_type", pa.string()),
    *DELIVERY,
    "revenue",
    ("goal_conversions", pa.map_(pa.string(), MONEY_TYPE)),
    ("attribution_model", pa.string()),
    "timezone",
    "is_provisional",
)
CAMPAIGNS = raw_schema(
    "campaign_id",
    "campaign_name",
    ("campaign_type", pa.string()),
    ("state", pa.string()),
    "status",
    "currency",
    ("start_date", pa.date32()),
    ("end_date", pa.date32()),
    ("daily_budget", MONEY_TYPE),
    "timezone",
)
REACH_FREQUENCY = raw_schema(
    ("date_from", pa.date32()),
    ("date_to", pa.date32()),
    "date_day",
    "campaign_id",
    "campaign_name",
    "impressions",
    ("impression_reach", pa.uint64()),
    ("avg_impression_frequency", pa.float64()),
    "cost",
    "currency",
)

TABLES = {
    "raw_yandex_direct.campaigns": CAMPAIGNS,
    "raw_yandex_direct.ad_stats_daily": AD_STATS_DAILY,
    "raw_yandex_direct.reach_frequency": REACH_FREQUENCY,
}
