"""Arrow schemas of the raw_garpun tables (every column except the load metadata filled by the loader)."""

from __future__ import annotations

import pyarrow as pa

AD_STATS_DAILY = pa.schema(
    [
        ("tenant_id", pa.string()),
        ("account_id", pa.string()),
        ("date_day", pa.date32()),
        ("source_platform", pa.string()),
        ("campaign_id", pa.string()),
        ("campaign_name", pa.string()),
        ("ad_group_id", pa.string()),
        ("ad_id", pa.string()),
        ("impressions", pa.uint64()),
        ("clicks", pa.uint64()),
        ("cost", pa.decimal128(18, 6)),
        ("cost_includes_vat", pa.uint8()),
        ("currency", pa.string()),
        ("conversions", pa.decimal128(18, 6)),
        ("is_provisional", pa.uint8()),
    ]
)

CAMPAIGNS = pa.schema(
    [
        ("tenant_id", pa.string()),
        ("account_id", pa.string()),
        ("source_platform", pa.string()),
        ("campaign_id", pa.string()),
        ("campaign_name", pa.string()),
        ("status", pa.string()),
    ]
)

TABLES = {"raw_garpun.ad_stats_daily": AD_STATS_DAILY, "raw_garpun.campaigns": CAMPAIGNS}
