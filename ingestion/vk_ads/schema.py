"""Arrow schemas of the raw_vk_ads tables (every column except the load metadata filled by the loader)."""

from __future__ import annotations

import pyarrow as pa

from ingestion.common.schema import raw_schema

_MSK = pa.timestamp("s", tz="Europe/Moscow")
_MONEY = pa.decimal128(18, 6)

AD_PLANS = raw_schema(
    ("ad_plan_id", pa.uint64()),
    ("name", pa.string()),
    ("status", pa.string()),
    ("objective", pa.string()),
    ("budget_limit", _MONEY),
    ("budget_limit_day", _MONEY),
    ("date_start", pa.date32()),
    ("date_end", pa.date32()),
    ("created", _MSK),
    ("updated", _MSK),
)

AD_GROUPS = raw_schema(
    ("ad_group_id", pa.uint64()),
    ("ad_plan_id", pa.uint64()),
    ("name", pa.string()),
    ("status", pa.string()),
    ("package_id", pa.uint64()),
    ("budget_limit_day", _MONEY),
    ("updated", _MSK),
)

BANNERS = raw_schema(
    ("banner_id", pa.uint64()),
    ("ad_group_id", pa.uint64()),
    ("name", pa.string()),
    ("status", pa.string()),
    ("moderation_status", pa.string()),
    ("url", pa.string()),
    ("updated", _MSK),
)

BANNER_STATS_DAILY = raw_schema(
    ("date_day", pa.date32()),
    ("banner_id", pa.uint64()),
    ("shows", pa.uint64()),
    ("clicks", pa.uint64()),
    ("goals", pa.uint64()),
    ("vk_goals", pa.uint64()),
    ("spent", _MONEY),
    ("spent_includes_vat", pa.uint8()),
    ("currency", pa.string()),
    ("uniques_total", pa.uint64()),
    ("uniques_increment", pa.uint64()),
    ("uniques_initial_total", pa.uint64()),
    ("uniques_frequency", pa.float64()),
    ("timezone", pa.string()),
    ("is_provisional", pa.uint8()),
)

TABLES = {
    "raw_vk_ads.ad_plans": AD_PLANS,
    "raw_vk_ads.ad_groups": AD_GROUPS,
    "raw_vk_ads.banners": BANNERS,
    "raw_vk_ads.banner_stats_daily": BANNER_STATS_DAILY,
}
