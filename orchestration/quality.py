"""Data-quality suites (great-expectations, ephemeral context, pandas) turned into Dagster check results.

Each table gets the same five checks: grain keys unique, key columns not null, value ranges, volume against a
trailing baseline, freshness of the loaded window. The first three are ERROR (blocking: bad rows must not reach
the marts or a client report); volume and freshness are WARN, because a quiet day or a paused account is real.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

from orchestration.freshness import DAILY

CHECK_NAMES = ("grain_unique", "not_null", "value_ranges", "volume_vs_baseline", "freshness")
BLOCKING = {
    "grain_unique": True,
    "not_null": True,
    "value_ranges": True,
    "volume_vs_baseline": False,
    "freshness": False,
}
CHECK_DESCRIPTIONS = {
    "grain_unique": "No two current rows share the grain key (duplicates would double spend in every report).",
    "not_null": "Key columns are never null.",
    "value_ranges": "Counters and money are non-negative; flags are 0/1.",
    "volume_vs_baseline": "Rows per day in the window are within a factor of the trailing 28-day average.",
    "freshness": "Every account-day of the window has a current load younger than the freshness limit.",
}
# Volume band around the trailing daily average: wide, because weekends and paused campaigns swing volume a lot;
# the check is there to catch an empty or doubled load, not a quiet Sunday.
VOLUME_LOW, VOLUME_HIGH = 0.2, 5.0
BASELINE_DAYS = 28
FRESHNESS_HOURS = float(DAILY.fail_hours)  # the one freshness policy: orchestration.freshness


@dataclass(frozen=True)
class TableRules:
    """What a table's rows must satisfy. `daily` tables have date_day; snapshots are whole-account."""

    grain: tuple[str, ...]
    not_null: tuple[str, ...] = ()
    non_negative: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    daily: bool = True
    # Loads register a window version per day; a report measured over the whole window (reach) registers only
    # the window's last day.
    version_per_day: bool = True


@dataclass
class Outcome:
    """One check's verdict with what GX observed."""

    name: str
    passed: bool
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return BLOCKING[self.name]


_GX_LOCK = threading.Lock()
_GX: dict[str, Any] = {}


def _gx() -> tuple[Any, Any]:
    """The GX module and one ephemeral context per process (creating either is the slow part)."""
    with _GX_LOCK:
        if "ctx" not in _GX:
            os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
            import great_expectations as gx

            _GX["gx"] = gx
            ctx = gx.get_context(mode="ephemeral")
            try:  # tqdm bars per validation would flood the run logs
                from great_expectations.data_context.types.base import ProgressBarsConfig

                ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
            except (ImportError, AttributeError):
                pass
            _GX["ctx"] = ctx
            _GX["n"] = 0
        _GX["n"] += 1
        return _GX["gx"], _GX["ctx"]


def _validate(df: Any, expectations: list[Any], name: str) -> list[Any]:
    """Run expectations over a DataFrame; returns GX's per-expectation results in order."""
    gx, ctx = _gx()
    with _GX_LOCK:
        uid = f"{name}_{_GX['n']}"
        source = ctx.data_sources.add_pandas(f"src_{uid}")
        batch_def = source.add_dataframe_asset(f"df_{uid}").add_batch_definition_whole_dataframe("all")
    suite = gx.ExpectationSuite(name=f"suite_{uid}")
    for e in expectations:
        suite.add_expectation(e)
    result = batch_def.get_batch(batch_parameters={"dataframe": df}).validate(suite, result_format="SUMMARY")
    return list(result.results)


def _observed(res: Any) -> dict[str, Any]:
    r = res.result or {}
    out: dict[str, Any] = {}
    for key in ("observed_value", "unexpected_count", "element_count"):
        if key in r and r[key] is not None:
            out[key] = r[key] if isinstance(r[key], int | float | str) else str(r[key])
    if r.get("partial_unexpected_list"):
        out["unexpected_sample"] = str(r["partial_unexpected_list"][:5])[:500]
    return out


def validate_rows(df: Any, rules: TableRules, *, name: str) -> list[Outcome]:
    """grain_unique, not_null and value_ranges over the current rows of a window."""
    gx, _ = _gx()
    E = gx.expectations
    groups: dict[str, list[Any]] = {"grain_unique": [], "not_null": [], "value_ranges": []}
    if len(rules.grain) > 1:
        groups["grain_unique"].append(E.ExpectCompoundColumnsToBeUnique(column_list=list(rules.grain)))
    else:
        groups["grain_unique"].append(E.ExpectColumnValuesToBeUnique(column=rules.grain[0]))
    for col in rules.not_null:
        groups["not_null"].append(E.ExpectColumnValuesToNotBeNull(column=col))
    for col in rules.non_negative:
        groups["value_ranges"].append(E.ExpectColumnValuesToBeBetween(column=col, min_value=0))
    for col in rules.flags:
        groups["value_ranges"].append(E.ExpectColumnValuesToBeInSet(column=col, value_set=[0, 1]))
    flat = [(g, e) for g, es in groups.items() for e in es]
    results = _validate(df, [e for _, e in flat], name)
    outcomes: dict[str, Outcome] = {g: Outcome(g, True, {"rows": len(df)}) for g in groups}
    for (group, exp), res in zip(flat, results, strict=True):
        column = getattr(exp, "column", None) or ",".join(getattr(exp, "column_list", []) or [])
        if not res.success:
            outcomes[group].passed = False
            outcomes[group].metadata[f"failed:{exp.expectation_type}:{column}"] = str(_observed(res))[:500]
        elif group == "grain_unique":
            outcomes[group].metadata["grain"] = column
    return list(outcomes.values())


def volume_bounds(baseline_rows_per_day: float | None, days: int) -> tuple[int, int] | None:
    """Allowed row count for a window of `days` given the trailing daily average; None = no baseline yet."""
    if baseline_rows_per_day is None or baseline_rows_per_day <= 0:
        return None
    expected = baseline_rows_per_day * days
    # An empty window is never "within the band" once at least one row is expected.
    low = max(1, int(expected * VOLUME_LOW)) if expected >= 1 else 0
    return low, max(1, int(expected * VOLUME_HIGH + 0.999))


def validate_volume(df: Any, bounds: tuple[int, int] | None, *, name: str, baseline: float | None) -> Outcome:
    """Row count of the window inside the baseline band (passes with a note when there is no history yet)."""
    if bounds is None:
        return Outcome("volume_vs_baseline", True, {"rows": len(df), "baseline": "none yet (first load)"})
    gx, _ = _gx()
    [res] = _validate(
        df, [gx.expectations.ExpectTableRowCountToBeBetween(min_value=bounds[0], max_value=bounds[1])], name
    )
    return Outcome(
        "volume_vs_baseline",
        bool(res.success),
        {
            "rows": len(df),
            "baseline_rows_per_day": round(baseline or 0, 2),
            "allowed_min": bounds[0],
            "allowed_max": bounds[1],
        },
    )


def validate_freshness(
    frame: Any,
    expected_rows: int,
    *,
    name: str,
    column: str = "age_hours",
    max_value: float = FRESHNESS_HOURS,
) -> Outcome:
    """`frame` has one row per expected unit (account-day window, tenant…) with an age in `column`; every unit
    must be present and no older than `max_value`."""
    gx, _ = _gx()
    E = gx.expectations
    exps = [
        E.ExpectTableRowCountToEqual(value=expected_rows),
        E.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=max_value),
    ]
    results = _validate(frame, exps, name)
    meta: dict[str, Any] = {"units": len(frame), "expected_units": expected_rows, f"max_{column}": max_value}
    if len(frame):
        meta[f"oldest_{column}"] = round(float(frame[column].max()), 2)
    return Outcome("freshness", all(r.success for r in results), meta)
