"""Turn mapped sheets into plan lines and a validation report (sheet, row, column, reason)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ingestion.common.vat import VAT_RATES
from ingestion.common.vat import vat_rate as vat_rate_on
from mrm.i18n import t

from .detect import PlanMapping, SheetMapping, _cell_text
from .fields import FIELDS, PLATFORM_VALUES, PRICING_VALUES, TOTAL_RE
from .reader import Sheet, Workbook, column_letter
from .values import (
    CURRENCY_CODES,
    ValueParseError,
    formula_reason,
    injection_reason,
    normalise_header,
    parse_date,
    parse_number,
    parse_percent,
    parse_period,
)

MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)


def vat_rate(day: dt.date | None) -> Decimal:
    """RU VAT to derive a missing gross (or net) budget: the platform's rate table (ingestion.common.vat), the
    latest rate for an undated line and the first one for a line dated before the table starts."""
    rates = sorted(VAT_RATES["RU"])
    if day is None:
        return rates[-1][1]
    return vat_rate_on("RU", max(day, rates[0][0]))


@dataclass
class Issue:
    severity: str  # error | warning
    sheet: str
    row: int  # 1-based as Excel shows it; 0 = the whole sheet/file
    column: str  # letter, '' for the whole row
    header: str
    key: str  # the catalogue text of the reason, filled with `values`
    values: dict[str, Any] = field(default_factory=dict)
    value: str = ""

    def text(self, lang: str) -> str:
        """The reason in `lang`."""
        return t(self.key, lang, **self.values)

    @property
    def reason(self) -> str:
        return self.text("en")

    @property
    def reason_ru(self) -> str:
        return self.text("ru")

    def where(self, lang: str = "en") -> str:
        cell = (
            f"{self.column}{self.row}"
            if self.column and self.row
            else (t("plan_report_row", lang, row=self.row) if self.row else "")
        )
        return f"{self.sheet}!{cell}" if cell else self.sheet


@dataclass
class Report:
    issues: list[Issue] = field(default_factory=list)
    lines_read: int = 0
    rows_skipped: dict[str, int] = field(default_factory=dict)
    totals_checked: int = 0

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(
        self,
        severity: str,
        sheet: str,
        row: int,
        column: str,
        header: str,
        key: str,
        value: Any = "",
        /,
        **values: Any,
    ) -> None:
        """An issue at sheet/row/column saying the catalogue text `key` (filled with `values`); `value` is the cell."""
        self.issues.append(Issue(severity, sheet, row, column, header, key, values, _cell_text(value)[:80]))

    def skip(self, kind: str) -> None:
        self.rows_skipped[kind] = self.rows_skipped.get(kind, 0) + 1

    def as_text(self, limit: int = 200, lang: str = "en") -> str:
        """The report in `lang`: counts, then each issue with its sheet, row, column, header and cell value."""
        lines = [
            t(
                "plan_report_head",
                lang,
                errors=len(self.errors),
                warnings=len(self.warnings),
                lines=self.lines_read,
            )
        ]
        for i in self.issues[:limit]:
            hdr = f" [{i.header}]" if i.header else ""
            val = " " + t("plan_report_value", lang, value=repr(i.value)) if i.value else ""
            severity = t(f"plan_report_{i.severity}", lang)
            lines.append(f"  {severity:7} {i.where(lang)}{hdr}: {i.text(lang)}{val}")
        if len(self.issues) > limit:
            lines.append("  " + t("plan_report_more", lang, n=len(self.issues) - limit))
        return "\n".join(lines)


_TRIGGERS = frozenset("=+-@ \t\r\n")

TEXT_FIELDS = (
    "line_id channel platform campaign_name platform_campaign_id account_id placement ad_format "
    "target_audience geo comment currency pricing_model"
).split()


def _q2(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def check_injection(wb: Workbook, mapping: PlanMapping | None, report: Report) -> None:
    """Every text cell and formula of the sheets being imported must be inert."""
    names = {m.sheet for m in mapping.sheets} if mapping and mapping.sheets else {s.name for s in wb.sheets}
    for sheet in wb.sheets:
        if sheet.name not in names:
            continue
        for (r, c), text in sheet.formulas.items():
            why = formula_reason(text)
            if why:
                report.add("error", sheet.name, r + 1, column_letter(c), "", why[0], text, **why[1])
        for r, row in enumerate(sheet.rows):
            for c, v in enumerate(row):
                # Cheap pre-filter: only text that starts with a trigger character or carries a DDE pipe can run.
                if (
                    isinstance(v, str)
                    and v
                    and (v[0] in _TRIGGERS or "|" in v)
                    and (r, c) not in sheet.formulas
                ):
                    why = injection_reason(v)
                    if why:
                        report.add("error", sheet.name, r + 1, column_letter(c), "", why[0], v, **why[1])


def _row_kind(row: list[Any], sm: SheetMapping) -> str:
    texts = [_cell_text(v) for v in row]
    non_empty = [t for t in texts if t]
    if not non_empty:
        return "empty"
    for col in sm.columns:
        if col.field in TEXT_FIELDS or col.field is None:
            t = texts[col.column] if col.column < len(texts) else ""
            if t and TOTAL_RE.match(t):
                return "total"
    if TOTAL_RE.match(non_empty[0]):
        return "total"
    numeric_fields = [c for c in sm.columns if c.field and FIELDS[c.field].kind in ("money", "int", "number")]
    has_number = any(c.column < len(row) and isinstance(row[c.column], (int, float)) for c in numeric_fields)
    if len(set(non_empty)) == 1 and not has_number:
        return "section"
    # A repeated header (plans pasted one under another).
    if sum(1 for c in sm.columns if c.header and c.column < len(texts) and texts[c.column] == c.header) >= 3:
        return "header"
    return "line"


def parse_lines(
    wb: Workbook, mapping: PlanMapping, report: Report, *, default_currency: str = "RUB"
) -> list[dict[str, Any]]:
    """Lines of every mapped sheet as dicts of app.media_plan_lines columns; problems go to the report."""
    lines: list[dict[str, Any]] = []
    defaults = mapping.plan_defaults
    decimal_comma = _decimal_comma(wb)
    for sm in mapping.sheets:
        sheet = next(s for s in wb.sheets if s.name == sm.sheet)
        by = sm.by_field()
        _check_required(sm, by, defaults, report)
        section = ""
        day_first = _day_first(sheet, sm, by)
        total_rows: list[tuple[int, Decimal]] = []
        sheet_lines: list[dict[str, Any]] = []
        for r in range(sm.data_start, len(sheet.rows)):
            row = sheet.rows[r]
            kind = _row_kind(row, sm)
            if kind == "section":
                section = next(_cell_text(v) for v in row if _cell_text(v))
                report.skip(kind)
                continue
            if kind == "total":
                amount = _budget_of(row, by, decimal_comma)
                if amount is not None:
                    total_rows.append((r, amount))
                report.skip(kind)
                continue
            if kind != "line":
                report.skip(kind)
                continue
            line = _parse_row(
                sheet, sm, by, r, row, report, decimal_comma, day_first, defaults, default_currency
            )
            if line is None:
                continue
            if section and not line.get("channel"):
                line["channel"] = section
            line["line_no"] = len(lines) + len(sheet_lines) + 1
            sheet_lines.append(line)
        _check_totals(sheet, sm, sheet_lines, total_rows, report)
        if len(mapping.sheets) > 1:
            # '№' restarts on every sheet: qualify ids so lines of different sheets stay distinct.
            for ln in sheet_lines:
                own = str(ln.get("line_id") or "").removesuffix(".0") or f"{ln['source_row']}"
                ln["line_id"] = f"{sheet.name}/{own}"
        lines.extend(sheet_lines)
    _assign_line_ids(lines, report)
    report.lines_read = len(lines)
    if not lines and mapping.sheets:
        report.add("error", mapping.sheets[0].sheet, 0, "", "", "plan_issue_no_lines")
    return lines


def _decimal_comma(wb: Workbook) -> bool:
    """Whether text numbers use a decimal comma: vote over cells like '12,5' vs '12.5'."""
    comma = dot = 0
    for sheet in wb.sheets:
        for row in sheet.rows[:500]:
            for v in row:
                if isinstance(v, str):
                    if re.fullmatch(r"\s*-?[\d\s\u00a0]*\d,\d{1,2}\s*%?", v):
                        comma += 1
                    elif re.fullmatch(r"\s*-?[\d,]*\d\.\d{1,2}\s*%?", v):
                        dot += 1
    return comma >= dot


def _day_first(sheet: Sheet, sm: SheetMapping, by: dict[str, Any]) -> bool:
    """'03/15/2025' settles a column as month-first; anything else stays day-first (RU default)."""
    for f in ("flight_start", "flight_end", "period"):
        col = by.get(f)
        if not col:
            continue
        for row in sheet.rows[sm.data_start : sm.data_start + 300]:
            v = row[col.column] if col.column < len(row) else None
            if isinstance(v, str):
                for a, b in re.findall(r"\b(\d{1,2})/(\d{1,2})/\d{2,4}", v):
                    if int(a) > 12:
                        return True
                    if int(b) > 12:
                        return False
    return True


def _check_required(sm: SheetMapping, by: dict[str, Any], defaults: dict[str, Any], report: Report) -> None:
    if not ({"budget_net", "budget_gross"} & set(by)) and not (
        {"planned_impressions", "planned_grp"} & set(by)
    ):
        report.add("error", sm.sheet, sm.header_row + 1, "", "", "plan_issue_no_budget_column")
    if not ({"channel", "platform", "campaign_name", "placement", "platform_campaign_id"} & set(by)):
        report.add("error", sm.sheet, sm.header_row + 1, "", "", "plan_issue_no_ident_column")
    if not ({"flight_start", "period"} & set(by)) and "period" not in defaults:
        report.add("warning", sm.sheet, sm.header_row + 1, "", "", "plan_issue_no_dates")


def _budget_of(row: list[Any], by: dict[str, Any], decimal_comma: bool) -> Decimal | None:
    for f in ("budget_net", "budget_gross"):
        col = by.get(f)
        if col and col.column < len(row):
            try:
                n = parse_number(row[col.column], decimal_comma=decimal_comma)
            except ValueParseError:
                return None
            if n is not None:
                return n * col.scale
    return None


def _parse_row(
    sheet: Sheet,
    sm: SheetMapping,
    by: dict[str, Any],
    r: int,
    row: list[Any],
    report: Report,
    decimal_comma: bool,
    day_first: bool,
    defaults: dict[str, Any],
    default_currency: str,
) -> dict[str, Any] | None:
    line: dict[str, Any] = {"source_sheet": sheet.name, "source_row": r + 1, "extra": {}}
    bad = False

    def err(col: Any, key: str, value: Any, values: dict[str, Any] | None = None) -> None:
        nonlocal bad
        bad = True
        report.add("error", sheet.name, r + 1, col.letter, col.header, key, value, **(values or {}))

    for col in sm.columns:
        v = row[col.column] if col.column < len(row) else None
        if not col.field:
            if v is not None and _cell_text(v) and col.header:
                line["extra"][col.header] = _cell_text(v)[:500]
            continue
        f = FIELDS[col.field]
        try:
            if f.kind == "text":
                line[col.field] = _cell_text(v)
            elif f.kind in ("money", "number", "int"):
                n = parse_number(v, decimal_comma=decimal_comma)
                if n is not None:
                    n = n * col.scale
                    if n < 0:
                        err(col, "plan_issue_negative", v)
                        continue
                    if f.kind == "int":
                        if n != n.to_integral_value() and abs(n - n.to_integral_value()) > Decimal("0.5"):
                            pass
                        n = n.to_integral_value(rounding=ROUND_HALF_UP)
                line[col.field] = n
            elif f.kind == "percent":
                p = parse_percent(v, decimal_comma=decimal_comma, header_says_percent=col.percent)
                if p is not None and not (0 <= p <= 1):
                    err(col, "plan_issue_share_range", v)
                    continue
                line[col.field] = p
            elif f.kind == "date":
                line[col.field] = parse_date(v, day_first=day_first)
            elif f.kind == "period":
                p2 = parse_period(v, day_first=day_first)
                if p2:
                    line["flight_start"], line["flight_end"] = p2
            elif f.kind == "pricing":
                t = normalise_header(v)
                if t:
                    model = PRICING_VALUES.get(t) or PRICING_VALUES.get(t.split(" ")[0])
                    if model is None:
                        err(col, "plan_issue_buying_model", v)
                        continue
                    line[col.field] = model
            elif f.kind == "currency":
                t = _cell_text(v)
                if t:
                    code = CURRENCY_CODES.get(t.lower().rstrip("."), t.upper())
                    if not re.fullmatch(r"[A-Z]{3}", code):
                        err(col, "plan_issue_currency", v)
                        continue
                    line[col.field] = code
        except ValueParseError as exc:
            err(col, exc.key, v, exc.values)
    if bad:
        return None
    ident = any(
        line.get(k) for k in ("channel", "platform", "campaign_name", "placement", "platform_campaign_id")
    )
    has_qty = any(
        line.get(k) is not None for k in ("budget_net", "budget_gross", "planned_impressions", "planned_grp")
    )
    if not has_qty and not ident:
        report.skip("note")
        return None
    if not has_qty:
        report.add("error", sheet.name, r + 1, "", "", "plan_issue_no_quantity")
        return None
    if not ident:
        report.add("error", sheet.name, r + 1, "", "", "plan_issue_no_ident")
        return None
    return _finish_line(line, sheet.name, r, by, report, defaults, default_currency)


def _finish_line(
    line: dict[str, Any],
    sheet: str,
    r: int,
    by: dict[str, Any],
    report: Report,
    defaults: dict[str, Any],
    default_currency: str,
) -> dict[str, Any] | None:
    if line.get("flight_start") is None and "period" in defaults:
        line["flight_start"], line["flight_end"] = defaults["period"]
    start, end = line.get("flight_start"), line.get("flight_end")
    if start and not end:
        line["flight_end"] = end = start
    if end and not start:
        line["flight_start"] = start = end
    for key in ("flight_start", "flight_end"):
        d = line.get(key)
        if d is not None and not (MIN_DATE <= d <= MAX_DATE):
            col = by.get(key) or by.get("period")
            report.add("error", sheet, r + 1, col.letter if col else "", col.header if col else "",
                       "plan_issue_date_range", d, date=d)  # fmt: skip
            return None
    if start and end and end < start:
        col = by.get("flight_end") or by.get("period")
        report.add("error", sheet, r + 1, col.letter if col else "", col.header if col else "",
                   "plan_issue_ends_before_start", end, start=start, end=end)  # fmt: skip
        return None
    net, gross = line.get("budget_net"), line.get("budget_gross")
    rate = vat_rate(start)
    if net is not None and gross is not None and net > gross * Decimal("1.0001"):
        col = by["budget_gross"]
        report.add("error", sheet, r + 1, col.letter, col.header, "plan_issue_gross_below_net", gross)
        return None
    if net is None and gross is not None:
        line["budget_net"] = _q2(gross / (1 + rate))
        line["extra"]["budget_net_derived"] = f"gross / (1 + VAT {rate})"
    elif gross is None and net is not None:
        line["budget_gross"] = _q2(net * (1 + rate))
        line["extra"]["budget_gross_derived"] = f"net x (1 + VAT {rate})"
    for key in ("budget_net", "budget_gross"):
        if line.get(key) is not None:
            line[key] = _q2(line[key])
    cur = line.get("currency") or defaults.get("currency") or default_currency
    line["currency"] = cur
    platform_raw = line.get("platform", "")
    line["platform"] = _platform_code(platform_raw, line.get("channel", ""))
    if platform_raw and line["platform"] != platform_raw:
        line.setdefault("placement", "")
        line["extra"]["platform_as_planned"] = platform_raw
    # Unit price: the buying model's own KPI column when the plan has no explicit price.
    model = line.get("pricing_model")
    if line.get("unit_price") is None and model in ("CPM", "CPC", "CPA"):
        kpi = line.get(model.lower())
        if kpi is not None:
            line["unit_price"] = kpi
    for k in ("cpm", "cpc", "cpa", "ctr", "cr"):
        if line.get(k) is not None:
            line["extra"][k] = str(line.pop(k))
        else:
            line.pop(k, None)
    if line.get("planned_frequency") is not None and line["planned_frequency"] < 1:
        report.add("warning", sheet, r + 1, by["planned_frequency"].letter, by["planned_frequency"].header,
                   "plan_issue_frequency_below_1", line["planned_frequency"])  # fmt: skip
    return line


def _platform_code(raw: str, channel: str) -> str:
    for text in (raw, channel):
        t = normalise_header(text)
        if not t:
            continue
        if t in PLATFORM_VALUES:
            return PLATFORM_VALUES[t]
        for key in sorted(PLATFORM_VALUES, key=len, reverse=True):
            if len(key) >= 4 and key in t:
                return PLATFORM_VALUES[key]
    return "other" if raw else ""


def _check_totals(
    sheet: Sheet,
    sm: SheetMapping,
    lines: list[dict[str, Any]],
    totals: list[tuple[int, Decimal]],
    report: Report,
) -> None:
    """The last total row that carries a budget must equal the sum of the lines (grand total)."""
    if not totals or not lines:
        return
    col = sm.by_field().get("budget_net") or sm.by_field().get("budget_gross")
    key = col.field if col else None
    if key is None:
        return
    r, amount = totals[-1]
    got = sum((ln.get(key) or Decimal(0) for ln in lines), Decimal(0))
    report.totals_checked += 1
    # Subtotals: a total equal to a subset is fine; only the grand total (last one) is compared.
    if abs(got - amount) > max(Decimal("1.00"), abs(amount) * Decimal("0.0005")):
        subtotal_sum = sum((a for _, a in totals[:-1]), Decimal(0))
        if totals[:-1] and abs(subtotal_sum - amount) <= Decimal("1.00"):
            return
        report.add(
            "warning", sheet.name, r + 1, col.letter if col else "", col.header if col else "",
            "plan_issue_total_mismatch", amount, amount=amount, got=got,
        )  # fmt: skip


def _assign_line_ids(lines: list[dict[str, Any]], report: Report) -> None:
    seen: dict[str, int] = {}
    for ln in lines:
        lid = str(ln.get("line_id") or "").strip()
        if lid.endswith(".0"):
            lid = lid[:-2]
        if not lid:
            lid = f"L{ln['line_no']:05d}"
        if lid in seen:
            seen[lid] += 1
            new = f"{lid}-{seen[lid]}"
            report.add("warning", ln["source_sheet"], ln["source_row"], "", "", "plan_issue_duplicate_id", lid,
                       id=repr(lid), new=repr(new))  # fmt: skip
            lid = new
        else:
            seen[lid] = 1
        ln["line_id"] = lid
