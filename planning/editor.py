"""The plan editor's computed columns and cell checks, recomputed on every edit.

Per line: volume from budget and buying model (CPM / CPC / CPV / fixed), impressions, GRP (impressions over the
line's universe), reach 1+ and k+ by the line's negative-exponential curve, CPP. Per plan: totals and combined
reach by Sainsbury. The curve's 1+ reach is max_reach x P(Poisson(k x GRP) >= 1), so its k+ reach at a frequency
target is max_reach x P(Poisson(k x GRP) >= target): one audience model for both numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mrm.i18n import refusal, t
from planning import reach as R
from planning.mediaplan.fields import PRICING_VALUES
from planning.plan_math import DEFAULT_CURVES, channel_family

BUYING_MODELS = ("CPM", "CPC", "CPV", "fixed")
# Editable columns of a line as the grid shows them; curve and frequency target live in the line's `extra`.
EDIT_COLUMNS = (
    "line_id", "channel", "platform", "placement", "target_audience", "flight_start", "flight_end",
    "pricing_model", "unit_price", "budget_net", "planned_impressions", "ta_size", "curve_max_reach", "curve_k",
    "frequency_target",
)  # fmt: skip
EXTRA_FIELDS = ("curve_max_reach", "curve_k", "frequency_target")
COMPUTED_COLUMNS = ("volume", "impressions", "grp", "reach_1plus", "reach_kplus", "cpp")
# The per-line form: text fields (dates as YYYY-MM-DD), then number fields with their display format and step.
FORM_TEXT = ("line_id", "channel", "platform", "placement", "target_audience", "flight_start", "flight_end")
FORM_NUMBERS: tuple[tuple[str, str, float], ...] = (
    ("unit_price", "%.2f", 1.0), ("budget_net", "%.2f", 1000.0), ("planned_impressions", "%d", 1000),
    ("ta_size", "%d", 1000), ("curve_max_reach", "%.4f", 0.01), ("curve_k", "%.6f", 0.0005),
    ("frequency_target", "%d", 1),
)  # fmt: skip


@dataclass(frozen=True)
class CellIssue:
    row: int  # 0-based grid row
    field: str
    key: str  # the catalogue text of what is wrong with the cell
    values: Mapping[str, Any]

    def text(self, lang: str) -> str:
        """'row 2, line_id: …' in `lang`."""
        return t(
            "plan_edit_cell",
            lang,
            row=self.row + 1,
            field=self.field,
            reason=t(self.key, lang, **self.values),
        )

    @property
    def message(self) -> str:
        """The issue in English (logs, tests); a page shows `text(lang)`."""
        return self.text("en")


@dataclass
class EditorResult:
    rows: list[dict[str, Any]]  # the lines with the computed columns added
    issues: list[CellIssue] = field(default_factory=list)
    total_budget: float = 0.0
    total_impressions: float = 0.0
    total_grp: float = 0.0
    combined_reach: float = 0.0
    model: str = "Sainsbury (independent lines)"


def _num(v: Any) -> float | None:
    if v is None or v == "":
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return math.nan
    return x


def buying_model(raw: Any) -> str:
    """The conformed buying model of a cell ('' when empty), through the importer's synonyms (CPT -> CPM …)."""
    text = str(raw or "").strip()
    if not text:
        return ""
    return PRICING_VALUES.get(text.lower(), text if text in BUYING_MODELS else "?")


def curve_of(line: Mapping[str, Any]) -> tuple[float, float]:
    """The line's (max_reach, k): its own, else the channel family's default prior."""
    prior = DEFAULT_CURVES[channel_family(str(line.get("channel") or ""), str(line.get("platform") or ""))]
    m, k = _num(line.get("curve_max_reach")), _num(line.get("curve_k"))
    return (prior["r_max"] if m is None else m), (prior["k"] if k is None else k)


def _date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str) and v.strip():
        return dt.date.fromisoformat(v.strip()[:10])
    return None


def _check(i: int, line: Mapping[str, Any], seen: set[str], issues: list[CellIssue]) -> None:
    def bad(f: str, key: str, **values: Any) -> None:
        issues.append(CellIssue(i, f, key, values))

    lid = str(line.get("line_id") or "").strip()
    if not lid:
        bad("line_id", "plan_edit_empty")
    elif lid in seen:
        bad("line_id", "plan_edit_repeats", id=repr(lid))
    seen.add(lid)
    for f in ("unit_price", "budget_net", "planned_impressions", "ta_size", "curve_max_reach", "curve_k",
              "frequency_target"):  # fmt: skip
        x = _num(line.get(f))
        if x is not None and (math.isnan(x) or x < 0):
            bad(f, "plan_edit_non_negative")
    if buying_model(line.get("pricing_model")) == "?":
        bad("pricing_model", "plan_edit_one_of", allowed=", ".join(BUYING_MODELS))
    m = _num(line.get("curve_max_reach"))
    if m is not None and not math.isnan(m) and not 0 < m <= 1:
        bad("curve_max_reach", "plan_edit_fraction")
    f_target = _num(line.get("frequency_target"))
    if f_target is not None and not math.isnan(f_target) and (f_target < 1 or not f_target.is_integer()):
        bad("frequency_target", "plan_edit_whole")
    try:
        a, b = _date(line.get("flight_start")), _date(line.get("flight_end"))
    except ValueError:
        bad("flight_start", "plan_edit_date")
        return
    if a and b and b < a:
        bad("flight_end", "plan_edit_before_start")


def _ok(x: float | None) -> bool:
    return x is not None and not math.isnan(x) and x >= 0


def compute(lines: Sequence[Mapping[str, Any]], universe: float | None = None) -> EditorResult:
    """Computed columns, totals, combined reach and cell issues for the grid's lines (nothing is rounded)."""
    issues: list[CellIssue] = []
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    reaches: list[float] = []
    for i, line in enumerate(lines):
        before = len(issues)
        _check(i, line, seen, issues)
        row = dict(line)
        row.update({c: None for c in COMPUTED_COLUMNS})
        rows.append(row)
        if any(iss.field != "line_id" for iss in issues[before:]):
            continue  # a bad cell: show the issue, compute nothing from it
        budget, price = _num(line.get("budget_net")), _num(line.get("unit_price"))
        model = buying_model(line.get("pricing_model"))
        imps = _num(line.get("planned_impressions"))
        if _ok(budget) and _ok(price) and price:
            row["volume"] = budget / price * (1000.0 if model == "CPM" else 1.0)  # type: ignore[operator]
            if model in ("CPM", "CPV"):
                imps = row["volume"]
        row["impressions"] = imps
        size = _num(line.get("ta_size")) or universe
        if not _ok(imps) or not size:
            continue
        grp = float(R.grp_from_impressions(imps, size))
        m, k = curve_of(line)
        row["grp"] = grp
        row["reach_1plus"] = float(R.negative_exponential_reach(grp, m, k))
        freq = int(_num(line.get("frequency_target")) or 1)
        row["reach_kplus"] = m * float(R.poisson_reach(100.0 * k * grp, freq))
        row["cpp"] = float(R.cpp(budget, grp)) if _ok(budget) and grp > 0 else None
        reaches.append(row["reach_1plus"])
    return EditorResult(
        rows=rows,
        issues=issues,
        total_budget=sum(b for ln in lines if _ok(b := _num(ln.get("budget_net")))),  # type: ignore[misc]
        total_impressions=sum(float(r["impressions"]) for r in rows if _ok(r["impressions"])),
        total_grp=sum(float(r["grp"]) for r in rows if r["grp"] is not None),
        combined_reach=R.sainsbury_reach(reaches) if reaches else 0.0,
    )


def to_store(row: Mapping[str, Any]) -> dict[str, Any]:
    """A grid row as a plan line for the store: curve and frequency target go into `extra` as text."""
    line = {k: v for k, v in row.items() if k not in COMPUTED_COLUMNS and k not in EXTRA_FIELDS}
    extra = dict(line.get("extra") or {})
    for f in EXTRA_FIELDS:
        x = _num(row.get(f))
        if x is None or math.isnan(x):
            extra.pop(f, None)
        else:
            extra[f] = repr(x)
    line["extra"] = extra
    line["pricing_model"] = buying_model(row.get("pricing_model"))
    for f in ("flight_start", "flight_end"):
        line[f] = _date(row.get(f))
    for f in ("planned_impressions", "ta_size"):
        x = _num(row.get(f))
        line[f] = None if x is None or math.isnan(x) else int(x)
    return line


def from_store(line: Mapping[str, Any]) -> dict[str, Any]:
    """A stored plan line as a grid row (curve and frequency target out of `extra`)."""
    extra = line.get("extra") or {}
    row = {c: line.get(c) for c in EDIT_COLUMNS if c not in EXTRA_FIELDS}
    for f in EXTRA_FIELDS:
        row[f] = _num(extra.get(f))
    for f in ("unit_price", "budget_net"):
        row[f] = _num(row.get(f))
    row["extra"] = {k: v for k, v in extra.items() if k not in EXTRA_FIELDS}
    return row


def cell_text(v: Any) -> str:
    """A cell as the form's text field shows it ('' when empty, dates as YYYY-MM-DD)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    return v.isoformat() if isinstance(v, dt.date) else str(v)


def cell_number(v: Any, fmt: str) -> float | int | None:
    """A cell as the form's number field holds it: whole for '%d' fields, None when empty or not a number."""
    x = _num(v)
    if x is None or math.isnan(x):
        return None
    return int(round(x)) if fmt == "%d" else x


def form_line(current: Mapping[str, Any], entered: Mapping[str, Any]) -> dict[str, Any]:
    """The line after the form's Apply: entered values over the current ones, '' as empty, dates parsed (a bad
    date raises ValueError naming the field)."""
    line = {**current, **{k: (None if v == "" else v) for k, v in entered.items()}}
    for f in ("flight_start", "flight_end"):
        try:
            line[f] = _date(line.get(f))
        except ValueError:
            raise refusal(ValueError, "plan_edit_not_date", field=f, value=repr(line.get(f))) from None
    return {c: line.get(c) for c in (*EDIT_COLUMNS, "extra")}
