"""Field detection: find the header row of each sheet and map its columns to plan fields.

Order of evidence: a remembered template or a user mapping, then header synonyms (RU/EN), then value
patterns, then (optionally) a suggester callable, e.g. one backed by Claude, for what is left.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .fields import (
    CHANNEL_VALUES,
    FIELDS,
    PLATFORM_VALUES,
    PRICING_VALUES,
    SUMMARY_SHEET_RE,
    TOTAL_RE,
    field_descriptions,
    header_units,
    score_header,
)
from .reader import Sheet, Workbook, column_letter
from .values import ValueParseError, normalise_header, parse_date, parse_number, parse_period

HEADER_SCAN_ROWS = 40
MIN_FIELDS = 3
ACCEPT_SCORE = 0.7
# Fields that make a sheet a plan (or a statistics export) rather than a cover or a dictionary.
_QUANTITY_FIELDS = {
    "budget",
    "budget_net",
    "budget_gross",
    "planned_impressions",
    "planned_clicks",
    "planned_grp",
}

Suggester = Callable[[dict[str, Any]], Sequence[dict[str, Any]]]


@dataclass
class ColumnMap:
    column: int
    header: str
    field: str | None
    source: str  # header | pattern | template | manual | llm | unmapped
    confidence: float
    scale: int = 1
    percent: bool = False

    @property
    def letter(self) -> str:
        return column_letter(self.column)


@dataclass
class SheetMapping:
    sheet: str
    header_row: int  # 0-based row of the (last) header line
    header_rows: int
    columns: list[ColumnMap]
    score: float = 0.0

    def by_field(self) -> dict[str, ColumnMap]:
        return {c.field: c for c in self.columns if c.field}

    @property
    def data_start(self) -> int:
        return self.header_row + 1


@dataclass
class PlanMapping:
    sheets: list[SheetMapping]
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)  # (sheet, catalogue key of why)
    template_id: str = ""
    plan_defaults: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "sheets": [
                    {
                        "sheet": s.sheet,
                        "header_row": s.header_row + 1,
                        "header_rows": s.header_rows,
                        "columns": {c.header or c.letter: c.field for c in s.columns if c.field},
                        "sources": {
                            c.header or c.letter: [c.source, round(c.confidence, 3)]
                            for c in s.columns
                            if c.field
                        },
                    }
                    for s in self.sheets
                ],
                "skipped_sheets": self.skipped_sheets,
                "template_id": self.template_id,
            },
            ensure_ascii=False,
            default=str,
        )

    def header_template(self) -> dict[str, str]:
        """{normalised header: field} over all mapped sheets: what a remembered template stores."""
        out: dict[str, str] = {}
        for s in self.sheets:
            for c in s.columns:
                if c.field and c.header:
                    out[normalise_header(c.header)] = c.field
        return out

    def signature(self) -> str:
        return header_signature([c.header for s in self.sheets for c in s.columns if c.header])

    def describe(self) -> list[dict[str, Any]]:
        rows = []
        for s in self.sheets:
            for c in s.columns:
                rows.append(
                    {
                        "sheet": s.sheet,
                        "column": c.letter,
                        "header": c.header,
                        "field": c.field or "",
                        "source": c.source,
                        "confidence": round(c.confidence, 2),
                    }
                )
        return rows


def header_signature(headers: Sequence[str]) -> str:
    norm = sorted({normalise_header(h) for h in headers if normalise_header(h)})
    return hashlib.sha256("\x1f".join(norm).encode()).hexdigest()


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _candidate_headers(rows: list[list[Any]], r: int) -> list[tuple[int, list[str]]]:
    """Header readings for row r: the row alone, and the row under a group label above it."""
    this = [_cell_text(v) for v in rows[r]]
    out = [(1, this)]
    if r > 0:
        above = [_cell_text(v) for v in rows[r - 1]]
        if any(above):
            combined = []
            for c, text in enumerate(this):
                top = above[c] if c < len(above) else ""
                combined.append(f"{top} {text}".strip() if top and top != text and text else (text or top))
            out.append((2, combined))
    return out


def _score_headers(headers: list[str], template: dict[str, str] | None) -> tuple[float, int, list[Any]]:
    seen: dict[str, float] = {}
    per_col: list[Any] = []
    for h in headers:
        cands = score_header(h) if h else []
        if template and normalise_header(h) in template:
            cands = [(1.0, template[normalise_header(h)])]
        per_col.append(cands)
        if cands and cands[0][0] >= ACCEPT_SCORE:
            s, f = cands[0]
            seen[f] = max(seen.get(f, 0.0), s)
    has_qty = any(f in _QUANTITY_FIELDS for f in seen)
    return sum(seen.values()) + (1.0 if has_qty else 0.0), len(seen), per_col


def detect_sheet(
    sheet: Sheet, template: dict[str, str] | None = None, forced_header_row: int | None = None
) -> SheetMapping | None:
    """Best header reading of a sheet mapped to fields, or None when no plan table is found."""
    rows = sheet.rows
    best: tuple[float, int, int, list[str], list[Any]] | None = None
    scan = [forced_header_row] if forced_header_row is not None else range(min(HEADER_SCAN_ROWS, len(rows)))
    for r in scan:
        if r >= len(rows):
            continue
        for nrows, headers in _candidate_headers(rows, r):
            score, n_fields, per_col = _score_headers(headers, template)
            if nrows == 2:
                score -= 0.25  # prefer the simpler reading unless the group labels add fields
            if n_fields >= MIN_FIELDS and (best is None or score > best[0] + 1e-9):
                best = (score, r, nrows, headers, per_col)
    if best is None:
        return None
    score, r, nrows, headers, per_col = best
    if not any(c and c[0][1] in _QUANTITY_FIELDS and c[0][0] >= ACCEPT_SCORE for c in per_col):
        return None
    columns = _assign(headers, per_col, template)
    mapping = SheetMapping(sheet.name, r, nrows, columns, score)
    _resolve_generic(mapping, sheet)
    _value_patterns(mapping, sheet)
    return mapping


def _assign(headers: list[str], per_col: list[Any], template: dict[str, str] | None) -> list[ColumnMap]:
    """Greedy one-column-per-field assignment, strongest evidence first."""
    claims = []
    for c, cands in enumerate(per_col):
        for s, f in cands:
            if s >= ACCEPT_SCORE:
                claims.append((s, c, f))
    claims.sort(key=lambda x: (-x[0], x[1]))
    taken_fields: set[str] = set()
    taken_cols: dict[int, tuple[str, float]] = {}
    for s, c, f in claims:
        if c in taken_cols or f in taken_fields:
            continue
        taken_cols[c] = (f, s)
        taken_fields.add(f)
    out = []
    for c, h in enumerate(headers):
        scale, pct = header_units(h) if h else (1, False)
        if c in taken_cols:
            f, s = taken_cols[c]
            src = "template" if template and normalise_header(h) in template else "header"
            out.append(ColumnMap(c, h, f, src, s, scale, pct))
        else:
            out.append(ColumnMap(c, h, None, "unmapped", 0.0, scale, pct))
    return out


def _samples(sheet: Sheet, mapping: SheetMapping, col: int, limit: int = 200) -> list[Any]:
    out = []
    for row in sheet.rows[mapping.data_start :]:
        if col < len(row) and row[col] is not None and _cell_text(row[col]):
            first = next((_cell_text(v) for v in row if _cell_text(v)), "")
            if TOTAL_RE.match(first):
                continue
            out.append(row[col])
            if len(out) >= limit:
                break
    return out


def _resolve_generic(mapping: SheetMapping, sheet: Sheet) -> None:
    by = mapping.by_field()
    # A generic 'Бюджет' next to an explicit gross column is the net one; alone it is read as net
    # (Russian agency plans quote media costs without VAT unless they say otherwise).
    if "budget" in by:
        col = by["budget"]
        if "budget_net" not in by:
            col.field, col.confidence = "budget_net", col.confidence * 0.9
        else:
            col.field, col.source, col.confidence = None, "unmapped", 0.0
    # Reach: a share when the header says % or values look like shares, persons otherwise.
    if "reach" in by:
        col = by["reach"]
        vals = _samples(sheet, mapping, col.column, 50)
        nums = []
        for v in vals:
            try:
                n = parse_number(v)
            except ValueParseError:
                continue
            if n is not None:
                nums.append(float(n))
        is_share = col.percent or any(isinstance(v, str) and v.strip().endswith("%") for v in vals)
        is_share = is_share or (bool(nums) and max(nums) <= 100)
        if is_share and "planned_reach" not in by:
            col.field = "planned_reach"
        elif not is_share and "planned_reach_persons" not in by:
            col.field = "planned_reach_persons"
        else:
            col.field, col.source = None, "unmapped"


def _share(values: list[Any], pred: Callable[[Any], bool]) -> float:
    if not values:
        return 0.0
    return sum(1 for v in values if pred(v)) / len(values)


def _is_date(v: Any) -> bool:
    if isinstance(v, (int, float)):
        return False
    try:
        return parse_date(v) is not None
    except ValueParseError:
        return False


def _is_period(v: Any) -> bool:
    if not isinstance(v, str):
        return False
    try:
        return parse_period(v) is not None
    except ValueParseError:
        return False


def _norm(v: Any) -> str:
    return normalise_header(v).replace(" ", " ")


def _value_patterns(mapping: SheetMapping, sheet: Sheet) -> None:
    by = mapping.by_field()
    for col in mapping.columns:
        if col.field:
            continue
        vals = _samples(sheet, mapping, col.column, 100)
        if len(vals) < 2:
            continue
        guess: str | None = None
        if _share(vals, _is_date) >= 0.8:
            guess = (
                "flight_start"
                if "flight_start" not in by
                else ("flight_end" if "flight_end" not in by else None)
            )
        elif _share(vals, _is_period) >= 0.8:
            guess = "period"
        elif _share(vals, lambda v: _norm(v) in PRICING_VALUES) >= 0.8:
            guess = "pricing_model"
        elif _share(vals, lambda v: _norm(v) in PLATFORM_VALUES) >= 0.8:
            guess = "platform"
        elif _share(vals, lambda v: _norm(v) in CHANNEL_VALUES) >= 0.8:
            guess = "channel"
        elif _share(vals, lambda v: _norm(v).upper() in {"RUB", "USD", "EUR", "KZT", "BYN", "RUR"}) >= 0.8:
            guess = "currency"
        elif (
            _share(vals, lambda v: isinstance(v, str) and re.fullmatch(r"\d{6,12}", v.strip()) is not None)
            >= 0.9
        ):
            guess = "platform_campaign_id"
        if guess and guess not in by:
            col.field, col.source, col.confidence = guess, "pattern", 0.6
            by[guess] = col


def apply_suggester(
    mapping: SheetMapping, sheet: Sheet, suggester: Suggester, min_confidence: float = 0.5
) -> list[str]:
    """Ask the suggester about unmapped, non-empty columns; returns notes about what it placed."""
    by = mapping.by_field()
    todo = [c for c in mapping.columns if not c.field and (c.header or _samples(sheet, mapping, c.column, 1))]
    if not todo:
        return []
    request = {
        "sheet": sheet.name,
        "columns": [
            {
                "column": c.letter,
                "header": c.header,
                "samples": [_cell_text(v) for v in _samples(sheet, mapping, c.column, 5)],
            }
            for c in todo
        ],
        "mapped": {f: c.header for f, c in by.items()},
        "fields": {
            k: v for k, v in field_descriptions().items() if k not in by and k not in ("budget", "reach")
        },
    }
    notes = []
    try:
        answer = list(suggester(request))
    except Exception as exc:  # the suggester is advisory: its failure must not stop the rules' mapping
        return [f"mapping suggester failed: {type(exc).__name__}: {exc}"]
    letters = {c.letter: c for c in todo}
    for item in answer:
        col = letters.get(str(item.get("column", "")).upper())
        fld = item.get("field")
        conf = float(item.get("confidence", 0.0) or 0.0)
        if col is None or not fld or fld not in FIELDS or fld in by or conf < min_confidence:
            continue
        col.field, col.source, col.confidence = str(fld), "llm", conf
        by[str(fld)] = col
        notes.append(f"{sheet.name}!{col.letter} '{col.header}' -> {fld} (suggested, confidence {conf:.2f})")
    return notes


def suggestion_prompt(request: dict[str, Any]) -> str:
    """A prompt that asks an LLM for a JSON list of {column, field, confidence}; for the suggester's author."""
    return (
        "You map columns of an advertising media plan (Russian or English) to target fields.\n"
        f"Sheet: {request['sheet']}\nAlready mapped: {json.dumps(request['mapped'], ensure_ascii=False)}\n"
        f"Target fields: {json.dumps(request['fields'], ensure_ascii=False)}\n"
        f"Columns to place: {json.dumps(request['columns'], ensure_ascii=False)}\n"
        'Answer with JSON only: [{"column": "C", "field": "<field or null>", "confidence": 0.0-1.0}]. '
        "Use null when no field fits."
    )


def parse_suggestion_response(text: str) -> list[dict[str, Any]]:
    """Extract the JSON list from an LLM answer; [] when there is none."""
    m = re.search(r"\[.*\]", text, re.S)
    if not m:
        return []
    try:
        data = json.loads(m.group(0))
    except json.JSONDecodeError:
        return []
    return [d for d in data if isinstance(d, dict)]


def _plan_defaults(sheet: Sheet, upto: int) -> dict[str, Any]:
    """Plan-wide facts written above the table: a period, a currency, a VAT note."""
    out: dict[str, Any] = {}
    for row in sheet.rows[: max(0, upto)]:
        texts = [_cell_text(v) for v in row if _cell_text(v)]
        line = " ".join(texts)
        low = line.lower()
        if "period" not in out and re.search(r"(период|period|flight|сроки)", low):
            for t in texts:
                try:
                    p = parse_period(re.sub(r"^.*?(период|period|flight|сроки)[^:]*:\s*", "", t, flags=re.I))
                except ValueParseError:
                    continue
                if p:
                    out["period"] = p
                    break
        if "currency" not in out:
            m = re.search(r"(валюта|currency)\s*:?\s*([A-Za-z]{3})", line, re.I)
            if m:
                out["currency"] = m[2].upper()
        if re.search(r"(без ндс|excl\.? vat|without vat|net of vat)", low):
            out["vat"] = "net"
        elif re.search(r"(с ндс|включая ндс|incl\.? vat|including vat)", low):
            out["vat"] = "gross"
    return out


def detect_workbook(
    wb: Workbook,
    *,
    template: dict[str, str] | None = None,
    manual: dict[str, Any] | None = None,
    suggester: Suggester | None = None,
) -> tuple[PlanMapping, list[str]]:
    """Map every plan sheet of a workbook; returns the mapping and human-readable notes."""
    notes: list[str] = []
    manual = manual or {}
    only_sheets = manual.get("sheets") or ([manual["sheet"]] if manual.get("sheet") else None)
    forced_row = int(manual["header_row"]) - 1 if manual.get("header_row") else None
    manual_cols: dict[str, str] = {str(k): v for k, v in (manual.get("columns") or {}).items()}
    tmpl = dict(template or {})
    tmpl.update(
        {normalise_header(k): v for k, v in manual_cols.items() if not re.fullmatch(r"[A-Z]{1,3}", k)}
    )
    found: list[SheetMapping] = []
    skipped: list[tuple[str, str]] = []
    for sheet in wb.sheets:
        if only_sheets and sheet.name not in only_sheets:
            skipped.append((sheet.name, "plan_skip_not_selected"))
            continue
        m = detect_sheet(sheet, tmpl or None, forced_row)
        if m is None:
            skipped.append((sheet.name, "plan_skip_no_table"))
            continue
        for letter, fld in manual_cols.items():
            if re.fullmatch(r"[A-Z]{1,3}", letter):
                for c in m.columns:
                    if c.letter == letter:
                        c.field, c.source, c.confidence = (fld or None), "manual", 1.0
        for c in m.columns:
            if (
                c.field
                and c.source == "template"
                and manual_cols
                and normalise_header(c.header) in {normalise_header(k) for k in manual_cols}
            ):
                c.source = "manual"
        found.append(m)
    if len(found) > 1 and not only_sheets:
        keep = [m for m in found if not SUMMARY_SHEET_RE.search(m.sheet)]
        if keep:
            for m in found:
                if m not in keep:
                    skipped.append((m.sheet, "plan_skip_summary"))
            found = keep
    defaults: dict[str, Any] = {}
    for m in found:
        sheet = next(s for s in wb.sheets if s.name == m.sheet)
        if suggester is not None:
            notes.extend(apply_suggester(m, sheet, suggester))
        for k, v in _plan_defaults(sheet, m.header_row - m.header_rows + 1).items():
            defaults.setdefault(k, v)
    return PlanMapping(found, skipped, plan_defaults=defaults), notes


def mapping_from_json(text: str) -> dict[str, Any]:
    """A user mapping file: {"sheet"?, "header_row"? (1-based), "columns": {header or letter: field}}."""
    data = json.loads(text)
    if isinstance(data, dict) and "sheets" in data and data["sheets"]:
        return {
            "sheets": [s["sheet"] for s in data["sheets"]],
            "columns": {k: v for s in data["sheets"] for k, v in s.get("columns", {}).items()},
        }
    if not isinstance(data, dict) or not isinstance(data.get("columns", {}), dict):
        raise ValueError('mapping must be a JSON object like {"columns": {"Header": "field"}}')
    for k, v in data.get("columns", {}).items():
        if v is not None and v not in FIELDS:
            raise ValueError(f"mapping: unknown field {v!r} for column {k!r}; known: {', '.join(FIELDS)}")
    return data


__all__ = [
    "ColumnMap",
    "PlanMapping",
    "SheetMapping",
    "Suggester",
    "apply_suggester",
    "asdict",
    "detect_sheet",
    "detect_workbook",
    "header_signature",
    "mapping_from_json",
    "parse_suggestion_response",
    "suggestion_prompt",
]
