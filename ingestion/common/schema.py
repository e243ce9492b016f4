"""Column conventions of the raw tables, declared once for every connector's `schema.py`.

Every raw table is keyed by tenant and account (the window loader replaces rows by them), and a column name
that several connectors use means the same thing, with the same type, wherever it appears.
"""

from __future__ import annotations

import pyarrow as pa

from ingestion.common.money import MONEY_TYPE

KEY_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (("tenant_id", pa.string()), ("account_id", pa.string()))

# Name → type of the columns shared across connectors. A table whose column of one of these names holds
# something else (Garpun's text ids of the platforms it mirrors) declares its own type.
SHARED_COLUMNS: dict[str, pa.DataType] = {
    "date_day": pa.date32(),
    "campaign_id": pa.uint64(),
    "campaign_name": pa.string(),
    "ad_group_id": pa.uint64(),
    "ad_id": pa.uint64(),
    "name": pa.string(),
    "status": pa.string(),
    "impressions": pa.uint64(),
    "clicks": pa.uint64(),
    "cost": MONEY_TYPE,
    "cost_includes_vat": pa.uint8(),
    "conversions": MONEY_TYPE,
    "revenue": MONEY_TYPE,
    "currency": pa.string(),
    "traffic_source": pa.string(),
    "utm_source": pa.string(),
    "utm_medium": pa.string(),
    "utm_campaign": pa.string(),
    "timezone": pa.string(),
    "is_provisional": pa.uint8(),
}


# Column groups that stand together in several tables, in this order.
DELIVERY = ("impressions", "clicks", "cost", "cost_includes_vat", "currency", "conversions")
UTM = ("traffic_source", "utm_source", "utm_medium", "utm_campaign")


def raw_schema(*columns: str | tuple[str, pa.DataType]) -> pa.Schema:
    """The Arrow schema of a raw table: `KEY_COLUMNS`, then `columns` in order (the loader adds the load
    metadata). A bare name takes its `SHARED_COLUMNS` type; a (name, type) pair is the table's own column."""
    fields = list(KEY_COLUMNS)
    for column in columns:
        if isinstance(column, str):
            if column not in SHARED_COLUMNS:
                raise KeyError(f"raw column {column!r} has no shared type: declare it as (name, type)")
            fields.append((column, SHARED_COLUMNS[column]))
        else:
            fields.append(column)
    return pa.schema(fields)
