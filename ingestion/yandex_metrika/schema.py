"""Arrow schemas of the raw_yandex_metrika tables (every column except the load metadata filled by the loader)."""

from __future__ import annotations

import pyarrow as pa

from ingestion.common.money import MONEY_TYPE
from ingestion.common.schema import UTM, raw_schema

TRAFFIC_DAILY = raw_schema(
    ("date_day", pa.date32()),
    *UTM,
    ("direct_campaign_id", pa.uint64()),
    ("direct_campaign_name", pa.string()),
    ("visits", pa.uint64()),
    ("users", pa.uint64()),
    ("bounces", pa.uint64()),
    ("pageviews", pa.uint64()),
    ("goal_reaches", pa.uint64()),
    ("revenue", MONEY_TYPE),
    ("currency", pa.string()),
    ("sampled", pa.uint8()),
    ("sample_share", pa.float64()),
    ("timezone", pa.string()),
    ("is_provisional", pa.uint8()),
)
VISITS = raw_schema(
    ("date_day", pa.date32()),
    ("visit_id", pa.uint64()),
    ("client_id", pa.uint64()),
    ("visit_datetime", pa.timestamp("s", tz="UTC")),
    ("is_new_user", pa.uint8()),
    ("start_url", pa.string()),
    ("page_views", pa.uint32()),
    ("visit_duration", pa.uint32()),
    ("bounce", pa.uint8()),
    *UTM,
    ("direct_click_order", pa.uint64()),
    ("device_category", pa.string()),
    ("region_city", pa.string()),
    ("goals_id", pa.list_(pa.uint64())),
    ("purchase_revenue", MONEY_TYPE),
    ("is_provisional", pa.uint8()),
)

TABLES = {"raw_yandex_metrika.traffic_daily": TRAFFIC_DAILY, "raw_yandex_metrika.visits": VISITS}
