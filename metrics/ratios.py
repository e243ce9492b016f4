"""The catalogue's ratio formulas applied to sums already fetched (a DataFrame or a dict of sums), for code that
aggregates in Python: the app's tables, report snapshots. Same `RATIOS`, so the numbers match the SQL layer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from metrics.catalogue import RATIOS

# The marts' summable measures (none may be negative): the sums the ratios are computed from, and the only
# columns a totals row may add up.
ADDITIVE = (
    "impressions",
    "clicks",
    "spend_gross",
    "spend_net",
    "conversions",
    "conversions_value",
    "sessions",
)


def _operand(expr: str, spend: str, get: Any) -> Any:
    expr = expr.replace("{spend}", spend)
    if expr.startswith("(") and " - " in expr:  # the one compound numerator: (conversions_value - spend)
        left, right = expr.strip("()").split(" - ")
        return get(left) - get(right)
    return get(expr)


def ratio_of_sums(sums: Mapping[str, Any], name: str, *, vat: str = "net") -> float | None:
    """One ratio from a mapping of sums; None when the denominator is zero or missing."""
    num, den, mult = RATIOS[name]

    def get(col: str) -> float:
        return float(sums.get(col) or 0)

    d = _operand(den, f"spend_{vat}", get)
    return None if not d else _operand(num, f"spend_{vat}", get) * mult / d


def add_ratios(df: Any, *, vat: str = "net") -> Any:
    """Every ratio as a column of a pandas DataFrame of sums (NaN on a zero denominator). Each sum is read as
    floats once and the ratios go in together (the app calls this on every table it draws)."""
    import numpy as np

    floats: dict[str, Any] = {}

    def get(col: str) -> Any:
        if col not in floats:
            floats[col] = df[col].to_numpy(dtype=float, na_value=np.nan)
        return floats[col]

    ratios = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, (num, den, mult) in RATIOS.items():
            d = _operand(den, f"spend_{vat}", get)
            ratios[name] = np.where(d != 0, _operand(num, f"spend_{vat}", get) * mult / d, np.nan)
    return df.assign(**ratios)
