"""Plan versions compared line by line (matched on line_id) and field by field: what the approver reviews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# The fields a planner edits; bookkeeping columns (import_id, imported_at, line_no, source_row) are not changes.
DIFF_FIELDS: tuple[str, ...] = (
    "channel", "platform", "placement", "ad_format", "target_audience", "geo", "campaign_name",
    "platform_campaign_id", "account_id", "flight_start", "flight_end", "currency", "pricing_model", "unit_price",
    "budget_net", "budget_gross", "planned_impressions", "planned_clicks", "planned_conversions", "planned_reach",
    "planned_reach_persons", "planned_frequency", "planned_grp", "planned_trp", "ta_size", "comment",
)  # fmt: skip


@dataclass(frozen=True)
class LineChange:
    line_id: str
    change: str  # 'added' | 'removed' | 'changed'
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (old, new)


def _norm(v: Any) -> Any:
    # Decimal(…) from the warehouse and the editor's float are the same number; '' and None are both "empty".
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, dt.datetime):
        return v.date() if v.time() == dt.time() else v
    if v == "" or v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return float(v)
    return v


def _same(a: Any, b: Any) -> bool:
    a, b = _norm(a), _norm(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(float(b)))
    return bool(a == b)


def _line_fields(line: Mapping[str, Any]) -> dict[str, Any]:
    out = {f: line.get(f) for f in DIFF_FIELDS}
    for k, v in (line.get("extra") or {}).items():
        out[f"extra.{k}"] = v
    return out


def diff_lines(old: Iterable[Mapping[str, Any]], new: Iterable[Mapping[str, Any]]) -> list[LineChange]:
    """Changes from `old` to `new`: added and removed lines, and each changed field of a kept line, in line order."""
    before = {str(ln["line_id"]): ln for ln in old}
    after = {str(ln["line_id"]): ln for ln in new}
    out: list[LineChange] = []
    for lid, ln in before.items():
        if lid not in after:
            out.append(
                LineChange(lid, "removed", {k: (v, None) for k, v in _line_fields(ln).items() if _norm(v)})
            )
    for lid, ln in after.items():
        if lid not in before:
            out.append(
                LineChange(lid, "added", {k: (None, v) for k, v in _line_fields(ln).items() if _norm(v)})
            )
            continue
        a, b = _line_fields(before[lid]), _line_fields(ln)
        changed = {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if not _same(a.get(k), b.get(k))}
        if changed:
            out.append(LineChange(lid, "changed", changed))
    return out


def diff_rows(changes: Iterable[LineChange]) -> list[dict[str, Any]]:
    """One row per (line, field) for a table: line_id, change, field, old, new."""
    return [
        {"line_id": c.line_id, "change": c.change, "field": f, "old": o, "new": n}
        for c in changes
        for f, (o, n) in c.fields.items()
    ]
