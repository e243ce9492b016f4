"""Arrow schema of raw_cbr.fx_daily (every column except the load metadata filled by the loader)."""

from __future__ import annotations

import pyarrow as pa

from ingestion.common.money import MONEY_TYPE
from ingestion.common.schema import raw_schema

FX_DAILY = raw_schema(
    ("date_day", pa.date32()),
    ("valute_id", pa.string()),
    ("num_code", pa.string()),
    ("char_code", pa.string()),
    ("nominal", pa.uint32()),
    ("name", pa.string()),
    ("value", MONEY_TYPE),
)

TABLES = {"raw_cbr.fx_daily": FX_DAILY}
