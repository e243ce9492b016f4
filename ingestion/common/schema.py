"""Column conventions of the raw tables, declared once for every connector's `schema.py`.

Every raw table is keyed by tenant and account (the window loader replaces rows by them); column groups that
several tables share are declared here with their types.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from ingestion.common.errors import PayloadError
from ingestion.common.money import MONEY_TYPE

KEY_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (("tenant_id", pa.string()), ("account_id", pa.string()))

# Column groups that stand together, with these types, in several tables.
DELIVERY: tuple[tuple[str, pa.DataType], ...] = (
    ("impressions", pa.uint64()),
    ("clicks", pa.uint64()),
    ("cost", MONEY_TYPE),
    ("cost_includes_vat", pa.uint8()),
    ("currency", pa.string()),
    ("conversions", MONEY_TYPE),
)
UTM: tuple[tuple[str, pa.DataType], ...] = (
    ("traffic_source", pa.string()),
    ("utm_source", pa.string()),
    ("utm_medium", pa.string()),
    ("utm_campaign", pa.string()),
)


def raw_schema(*columns: tuple[str, pa.DataType]) -> pa.Schema:
    """The Arrow schema of a raw table: `KEY_COLUMNS`, then the table's `columns` in order (the loader adds
    the load metadata)."""
    return pa.schema([*KEY_COLUMNS, *columns])


def require_filled(
    batch: pa.RecordBatch,
    names: Iterable[str],
    *,
    platform: str,
    request_id: str | None,
    first_row: int,
    blank: str = "",
) -> None:
    """A PayloadError (not retried: the platform sent it so) naming the field and the row of the first empty value
    of the required columns `names`; the batch's first row is row `first_row` of the answer, and `blank` is how the
    platform writes an empty value, quoted in the message."""
    for name in names:
        values = batch.column(name)
        if values.null_count:
            idx = pc.index(pc.is_null(values), True).as_py()
            raise PayloadError(
                f"{name} is empty" + (f" ({blank!r})" if blank else ""),
                platform=platform,
                request_id=request_id,
                row=first_row + idx,
                field=name,
                retryable=False,
            )
