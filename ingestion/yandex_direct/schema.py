"""Arrow schemas of the raw_yandex_direct tables (every column except the load metadata filled by the loader)."""

from __future__ import annotations

import pyarrow as pa

from ingestion.common.money import MONEY_TYPE
from ingestion.common.schema import DELIVERY, raw_schema

AD_STATS_DAILY = raw_schema(
    ("date_day", pa.date32()),
    ("campaign_id", pa.uint64()),
    ("campaign_name", pa.string()),
    ("campaign_type", pa.string()),
    ("ad_group_id", pa.uint64()),
    ("ad_group_name", pa.string()),
    ("ad_id", pa.uint64()),
    ("ad_network_type", pa.string()),
    *DELIVERY,
    ("revenue", MONEY_TYPE),
    ("goal_conversions", pa.map_(pa.string(), MONEY_TYPE)),
    ("attribution_model", pa.string()),
    ("timezone", pa.string()),
    ("is_provisional", pa.uint8()),
)
CAMPAIGNS = raw_schema(
    ("campaign_id", pa.uint64()),
    ("campaign_name", pa.string()),
    ("campaign_type", pa.string()),
    ("state", pa.string()),
    ("status", pa.string()),
    ("currency", pa.string()),
    ("start_date", pa.date32()),
    ("end_date", pa.date32()),
    ("daily_budget", MONEY_TYPE),
    ("timezone", pa.string()),
)
# Ads.get snapshot: the ad's title lives only here (the statistics reports carry ids).
ADS = raw_schema(
    ("campaign_id", pa.uint64()),
    ("ad_group_id", pa.uint64()),
    ("ad_id", pa.uint64()),
    ("ad_type", pa.string()),
    ("title", pa.string()),
    ("title2", pa.string()),
)
REACH_FREQUENCY = raw_schema(
    ("date_from", pa.date32()),
    ("date_to", pa.date32()),
    ("date_day", pa.date32()),
    ("campaign_id", pa.uint64()),
    ("campaign_name", pa.string()),
    ("impressions", pa.uint64()),
    ("impression_reach", pa.uint64()),
    ("avg_impression_frequency", pa.float64()),
    ("cost", MONEY_TYPE),
    ("currency", pa.string()),
)

TABLES = {
    "raw_yandex_direct.campaigns": CAMPAIGNS,
    "raw_yandex_direct.ads": ADS,
    "raw_yandex_direct.ad_stats_daily": AD_STATS_DAILY,
    "raw_yandex_direct.reach_frequency": REACH_FREQUENCY,
}
