"""Export a plan with computed KPIs to a formatted .xlsx an agency would send to its client.

Every text cell is written as a string, and text that a spreadsheet would run as a formula is
prefixed with an apostrophe; the only formulas in the file are our own totals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from mrm.i18n import t
from planning.mediaplan.values import injection_reason
from planning.plan_math import PlanForecast, forecast_plan

# key, the header's catalogue key (mrm.i18n), format
COLUMNS: list[tuple[str, str, str]] = [
    ("line_id", "export_col_line_id", "text"),
    ("channel", "channel", "text"),
    ("platform", "pe_f_platform", "text"),
    ("campaign_name", "campaign", "text"),
    ("placement", "col_placement", "text"),
    ("flight_start", "export_col_start", "date"),
    ("flight_end", "export_col_end", "date"),
    ("pricing_model", "col_pricing_model", "text"),
    ("unit_price", "export_col_unit_price", "money"),
    ("planned_impressions", "impressions", "int"),
    ("planned_clicks", "clicks", "int"),
    ("ctr", "ctr", "pct"),
    ("cpm", "cpm", "money"),
    ("cpc", "cpc", "money"),
    ("planned_conversions", "conversions", "num"),
    ("cpa", "cpa", "money"),
    ("trp", "export_trp", "num"),
    ("reach", "export_col_reach", "pct"),
    ("reach3", "export_col_reach3", "pct"),
    ("frequency", "frequency", "num"),
    ("model", "export_col_reach_model", "text"),
    ("budget_net", "export_budget_net", "money"),
    ("budget_gross", "export_col_budget_gross", "money"),
    ("target_audience", "export_col_audience", "text"),
    ("geo", "export_col_geo", "text"),
]
_SUM_KEYS = {
    "planned_impressions",
    "planned_clicks",
    "planned_conversions",
    "budget_net",
    "budget_gross",
    "trp",
}

# The channels sheet's headers: catalogue keys (its reach column is `export_reach_k` with k=1).
CHANNEL_HEADS = (
    "rep_channels",
    "export_budget_net",
    "export_trp",
    "export_cpp",
    "export_reach_k",
    "frequency",
    "model",
)


def safe_text(value: Any) -> str:
    """Text for a cell, with an apostrophe in front of anything a spreadsheet would execute."""
    text = "" if value is None else str(value)
    if injection_reason(text) or text[:1] in ("=", "@", "\t", "\r"):
        return "'" + text
    return text


def _kpis(line: Mapping[str, Any]) -> dict[str, Any]:
    def f(k: str) -> float | None:
        v = line.get(k)
        return None if v is None else float(v)

    net, imps, clicks, conv = (
        f("budget_net"),
        f("planned_impressions"),
        f("planned_clicks"),
        f("planned_conversions"),
    )
    return {
        "ctr": clicks / imps if clicks is not None and imps else None,
        "cpm": net / imps * 1000 if net is not None and imps else None,
        "cpc": net / clicks if net is not None and clicks else None,
        "cpa": net / conv if net is not None and conv else None,
    }


def export_plan_xlsx(
    header: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    out: str | Path,
    *,
    language: str = "ru",
    forecast: PlanForecast | None = None,
    client_name: str = "",
) -> Path:
    """Write the plan, its KPIs and the reach forecast (with model names) to `out`."""
    lang = "en" if language == "en" else "ru"
    fc = forecast or forecast_plan(lines)
    by_line = {lf.line_id: lf for lf in fc.lines}
    path = Path(out)
    wb = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )
    fmt = {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "label": wb.add_format({"bold": True}),
        "head": wb.add_format(
            {
                "bold": True,
                "bg_color": "#1F4E78",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "valign": "vcenter",
                "border": 1,
            }
        ),  # fmt: skip
        "text": wb.add_format({"border": 1}),
        "date": wb.add_format({"num_format": "dd.mm.yyyy" if lang == "ru" else "yyyy-mm-dd", "border": 1}),
        "money": wb.add_format({"num_format": "#,##0.00", "border": 1}),
        "int": wb.add_format({"num_format": "#,##0", "border": 1}),
        "num": wb.add_format({"num_format": "#,##0.00", "border": 1}),
        "pct": wb.add_format({"num_format": "0.0%", "border": 1}),
        "total_label": wb.add_format({"bold": True, "top": 2}),
        "total_money": wb.add_format({"bold": True, "num_format": "#,##0.00", "top": 2}),
        "total_int": wb.add_format({"bold": True, "num_format": "#,##0", "top": 2}),
        "note": wb.add_format({"italic": True, "font_color": "#666666"}),
    }
    ws = wb.add_worksheet(t("plan", lang))
    ws.write_string(
        0, 0, safe_text(f"{t('plan', lang)}: {header.get('name') or header.get('plan_id', '')}"), fmt["title"]
    )
    ws.write_string(1, 0, t("export_version", lang, version=header.get("plan_version", "")), fmt["label"])
    ws.write_string(2, 0, t("client", lang), fmt["label"])
    ws.write_string(2, 1, safe_text(client_name or header.get("client_id", "")))
    ws.write_string(3, 0, t("period", lang), fmt["label"])
    ws.write_string(3, 1, f"{header.get('flight_start') or ''} — {header.get('flight_end') or ''}")
    ws.write_string(4, 0, t("col_currency", lang), fmt["label"])
    ws.write_string(4, 1, safe_text(header.get("currency", "RUB")))
    head_row = 6
    for c, (_, head, _) in enumerate(COLUMNS):
        ws.write_string(head_row, c, t(head, lang), fmt["head"])
    ws.set_row(head_row, 32)
    for i, line in enumerate(lines):
        r = head_row + 1 + i
        lf = by_line.get(str(line.get("line_id") or ""))
        values = {**line, **_kpis(line)}
        if lf is not None:
            values.update(
                trp=lf.trp,
                reach=lf.reach,
                reach3=lf.reach_k(3),
                frequency=lf.frequency,
                model=lf.model or lf.note,
            )
        for c, (key, _, kind) in enumerate(COLUMNS):
            v = values.get(key)
            if v is None or v == "":
                ws.write_blank(r, c, None, fmt["text"])
            elif kind == "text":
                ws.write_string(r, c, safe_text(v), fmt["text"])
            elif kind == "date":
                d = v if isinstance(v, dt.date) else None
                if d is not None:
                    ws.write_datetime(r, c, dt.datetime(d.year, d.month, d.day), fmt["date"])
                else:
                    ws.write_string(r, c, safe_text(v), fmt["text"])
            else:
                ws.write_number(r, c, float(v), fmt[kind])
    last = head_row + len(lines)
    total_row = last + 1
    ws.write_string(total_row, 0, t("total_row", lang), fmt["total_label"])
    for c, (key, _, kind) in enumerate(COLUMNS):
        if key in _SUM_KEYS and lines:
            col = xlsxwriter.utility.xl_col_to_name(c)
            total = (
                sum(float(ln.get(key) or 0) for ln in lines)
                if key != "trp"
                else sum(lf.trp or 0 for lf in fc.lines)
            )
            ws.write_formula(total_row, c, f"=SUM({col}{head_row + 2}:{col}{last + 1})",
                             fmt["total_int" if kind == "int" else "total_money"], total)  # fmt: skip
    ws.write_string(total_row + 2, 0, t("export_note", lang), fmt["note"])
    widths = {"text": 18, "date": 11, "money": 14, "int": 13, "num": 10, "pct": 9}
    for c, (key, _, kind) in enumerate(COLUMNS):
        ws.set_column(c, c, 44 if key == "model" else widths[kind])
    ws.freeze_panes(head_row + 1, 2)
    ws.autofilter(head_row, 0, max(last, head_row + 1), len(COLUMNS) - 1)

    cs = wb.add_worksheet(t("rep_channels", lang))
    for c, key in enumerate(CHANNEL_HEADS):
        cs.write_string(0, c, t(key, lang, k=1), fmt["head"])
    for i, ch in enumerate(fc.channels):
        r = 1 + i
        cs.write_string(r, 0, safe_text(ch.channel), fmt["text"])
        cs.write_number(r, 1, ch.budget_net, fmt["money"])
        cs.write_number(r, 2, ch.trp, fmt["num"])
        if ch.cpp is not None:
            cs.write_number(r, 3, ch.cpp, fmt["money"])
        cs.write_number(r, 4, ch.reach, fmt["pct"])
        if ch.frequency is not None:
            cs.write_number(r, 5, ch.frequency, fmt["num"])
        cs.write_string(r, 6, ch.model, fmt["text"])
    r = len(fc.channels) + 2
    cs.write_string(r, 0, t("export_combined_reach", lang), fmt["total_label"])
    cs.write_number(r, 4, fc.reach, fmt["pct"])
    if fc.frequency is not None:
        cs.write_number(r, 5, fc.frequency, fmt["num"])
    cs.write_string(r, 6, fc.model, fmt["label"])
    for k in range(1, min(len(fc.distribution), 11)):
        cs.write_string(r + 1 + k, 0, t("export_reach_k", lang, k=k))
        cs.write_number(r + 1 + k, 4, sum(fc.distribution[k:]), fmt["pct"])
    cs.set_column(0, 0, 24)
    cs.set_column(1, 5, 14)
    cs.set_column(6, 6, 48)
    wb.close()
    return path


def plan_xlsx_bytes(
    header: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    *,
    language: str = "ru",
    ta_size: float | None = None,
    client_name: str = "",
) -> bytes:
    """The same workbook as bytes (the app's download), its reach forecast over `ta_size` people."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="plan-xlsx-") as folder:
        path = export_plan_xlsx(
            header, lines, Path(folder) / "plan.xlsx", language=language,
            forecast=forecast_plan(lines, ta_size=ta_size), client_name=client_name,
        )  # fmt: skip
        return path.read_bytes()
