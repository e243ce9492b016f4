"""Money: Decimal everywhere, micros, and vectorised Arrow conversions to Decimal(18, 6)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.common.errors import PayloadError

# ClickHouse raw tables store money as Decimal(18, 6): exactly the precision of Direct micros.
MONEY_SCALE = 6
MONEY_TYPE = pa.decimal128(18, MONEY_SCALE)
MICROS = Decimal(1_000_000)
_QUANT = Decimal(1).scaleb(-MONEY_SCALE)
_NULL_MARKERS = frozenset({"", "--"})


def parse_decimal(
    text: str | None, *, field: str = "", row: int | None = None, platform: str = ""
) -> Decimal | None:
    """Parse a money/decimal string (`"23328.92"`, `"1 234,50"` never accepted); `--`/empty → None."""
    if text is None:
        return None
    text = text.strip()
    if text in _NULL_MARKERS:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise PayloadError(
            f"not a decimal: {text!r}", platform=platform, row=row, field=field, retryable=False
        ) from None
    if not value.is_finite():
        raise PayloadError(
            f"not a finite decimal: {text!r}", platform=platform, row=row, field=field, retryable=False
        )
    return value.quantize(_QUANT)


def micros_to_decimal(micros: int | str | None) -> Decimal | None:
    """Direct micros (amount × 1,000,000) → Decimal with 6 places."""
    if micros is None:
        return None
    if isinstance(micros, str):
        if micros.strip() in _NULL_MARKERS:
            return None
        micros = int(micros)
    return (Decimal(micros) / MICROS).quantize(_QUANT)


def micros_array_to_money(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """int64 micros → decimal128(18, 6) without any float step: the micros *are* the unscaled value."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_integer(arr.type):
        raise TypeError(f"micros column must be integer, got {arr.type}")
    arr = arr.cast(pa.int64())
    values = arr.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    # A decimal128 is a little-endian 128-bit two's complement integer: low word = value, high = sign.
    words = np.empty((len(values), 2), dtype=np.int64)
    words[:, 0] = values
    words[:, 1] = values >> 63
    validity = arr.buffers()[0] if arr.null_count else None
    if validity is not None and arr.offset:
        # Sliced arrays carry a bit offset; rebuild a compact bitmap.
        validity = pc.is_valid(arr).buffers()[1]
    return pa.Array.from_buffers(
        MONEY_TYPE, len(values), [validity, pa.py_buffer(words.tobytes())], null_count=arr.null_count
    )


def decimal_array_to_money(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Decimal strings / floats / decimals → decimal128(18, 6), rounding half-even at 6 places."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_floating(arr.type):
        arr = pc.round(arr, MONEY_SCALE)
        return pc.cast(arr, MONEY_TYPE, safe=False)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        arr = pc.if_else(pc.equal(arr, "--"), pa.scalar(None, arr.type), arr)
        return pc.cast(pc.cast(arr, pa.decimal128(38, 12)), MONEY_TYPE, safe=False)
    return pc.cast(arr, MONEY_TYPE, safe=False)
