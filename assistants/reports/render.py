"""Render a frozen report snapshot to .xlsx (xlsxwriter) and .pdf (fpdf2 + DejaVu for Cyrillic)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistants.llm.numbers import fmt_num, fmt_pct
from dashboards.i18n import CURRENCY_SIGNS, TEXT, display_name
from dashboards.i18n import t as say

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]


def labels(lang: str) -> dict[str, str]:
    """The report's labels in `lang`, from the one RU/EN catalogue (its `rep_` keys)."""
    return {k[4:]: say(k, lang) for k in TEXT if k.startswith("rep_")}


_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(v: Any) -> Any:
    """Neutralise spreadsheet formula injection: text that a spreadsheet would evaluate gets a leading quote."""
    if isinstance(v, str) and v.startswith(_DANGEROUS):
        return "'" + v
    return v


# Stored ids in the report's columns and what the one RU/EN catalogue (dashboards.i18n) calls them.
_NAMED = {
    "platform": "platform",
    "channel": "platform",
    "pacing_status": "status",
    "severity": "severity",
    "type": "insight",
}


def named_rows(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Rows with platform, channel, status, severity and insight-kind ids replaced by their names in `lang`."""
    return [
        {k: display_name(_NAMED[k], v, lang) if k in _NAMED and v is not None else v for k, v in r.items()}
        for r in rows
    ]


def write_xlsx(
    snap: dict[str, Any], insights: list[dict[str, Any]], narrative: str, lang: str, path: Path
) -> Path:
    import xlsxwriter

    t = labels(lang)
    sign = CURRENCY_SIGNS.get(snap["currency"], snap["currency"])
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    bold = wb.add_format({"bold": True})
    head = wb.add_format(
        {"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF", "border": 1, "text_wrap": True}
    )
    money = wb.add_format({"num_format": f'#,##0.00 "{sign}"'})
    integer = wb.add_format({"num_format": "#,##0"})
    pct = wb.add_format({"num_format": "0.00%"})
    decimal = wb.add_format({"num_format": "#,##0.00"})
    title = wb.add_format({"bold": True, "font_size": 14})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    fmts = {"money": money, "int": integer, "pct": pct, "num": decimal}

    def table(ws: Any, row0: int, cols: list[tuple[str, str, str | None]], rows: list[dict[str, Any]]) -> int:
        for j, (_key, label, _f) in enumerate(cols):
            ws.write_string(row0, j, label, head)
            ws.set_column(j, j, max(12, min(40, len(label) + 4)))
        for i, r in enumerate(rows, start=row0 + 1):
            for j, (key, _label, f) in enumerate(cols):
                v = r.get(key)
                if v is None:
                    ws.write_blank(i, j, None)
                elif isinstance(v, int | float) and not isinstance(v, bool):
                    ws.write_number(i, j, v, fmts.get(f or "", None))
                else:
                    ws.write_string(i, j, str(safe_cell(str(v))))
        ws.freeze_panes(row0 + 1, 0)
        return row0 + 1 + len(rows)

    tot = snap["totals"]
    ws = wb.add_worksheet(t["summary"])
    ws.write_string(0, 0, f"{t['title']}: {safe_cell(snap['client_name'])}", title)
    ws.write_string(1, 0, f"{t['period']}: {snap['period']['from']} – {snap['period']['to']}")
    spend_label = t["vat_on"] if snap["include_vat"] else t["vat_off"]
    ws.write_string(2, 0, spend_label + (f", {t['comm_on']}" if snap["include_commission"] else ""))
    ws.write_string(3, 0, f"{t['currency']}: {snap['currency']}")
    items = [
        ("impressions", "int"),
        ("clicks", "int"),
        ("spend", "money"),
        ("commission", "money"),
        ("total_cost", "money"),
        ("conversions", "int"),
        ("conversions_value", "money"),
        ("ctr", "pct"),
        ("cpc", "money"),
        ("cpa", "money"),
        ("cr", "pct"),
    ]
    ws.write_string(5, 0, t["metric"], head)
    ws.write_string(5, 1, t["value"], head)
    for k, (key, f) in enumerate(items, start=6):
        ws.write_string(k, 0, t[key])
        if tot.get(key) is None:
            ws.write_blank(k, 1, None)
        else:
            ws.write_number(k, 1, tot[key], fmts[f])
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 18)
    r = 6 + len(items) + 1
    if tot["is_provisional"]:
        ws.write_string(r, 0, t["provisional"], bold)
        r += 1
    ws.write_string(r + 1, 0, t["narrative"], bold)
    ws.merge_range(r + 2, 0, r + 8, 5, safe_cell(narrative), wrap)

    cols_c: list[tuple[str, str, str | None]] = [
        ("platform", t["platform"], None),
        ("campaign_id", t["campaign_id"], None),
        ("campaign_name", t["campaign"], None),
        ("impressions", t["impressions"], "int"),
        ("clicks", t["clicks"], "int"),
        ("spend", t["spend"], "money"),
        ("commission", t["commission"], "money"),
        ("total_cost", t["total_cost"], "money"),
        ("conversions", t["conversions"], "int"),
        ("ctr", t["ctr"], "pct"),
        ("cpc", t["cpc"], "money"),
        ("cpa", t["cpa"], "money"),
        ("cr", t["cr"], "pct"),
    ]
    table(wb.add_worksheet(t["campaigns"]), 0, cols_c, named_rows(snap["campaigns"], lang))
    cols_ch: list[tuple[str, str, str | None]] = [("channel", t["channel"], None), *cols_c[3:]]
    table(wb.add_worksheet(t["channels"]), 0, cols_ch, named_rows(snap["channels"], lang))
    cols_p: list[tuple[str, str, str | None]] = [
        ("plan_id", t["plan_id"], None),
        ("line_id", t["line_id"], None),
        ("line_name", t["line_name"], None),
        ("channel", t["channel"], None),
        ("budget_net", t["budget_net"], "money"),
        ("planned_to_date", t["planned_to_date"], "money"),
        ("actual_to_date", t["actual_to_date"], "money"),
        ("pacing_ratio", t["pacing_ratio"], "pct"),
        ("forecast_net", t["forecast_net"], "money"),
        ("pacing_status", t["pacing_status"], None),
        ("flight_end", t["flight_end"], None),
    ]
    table(wb.add_worksheet(t["plan"]), 0, cols_p, named_rows(snap["plan_vs_fact"], lang))
    rr = [
        {**x, "window": f"{x['window_start']} – {x['window_end']} ({x['window_grain']})"}
        for x in snap["reach"]
    ]
    cols_r: list[tuple[str, str, str | None]] = [
        ("platform", t["platform"], None),
        ("campaign_id", t["campaign_id"], None),
        ("window", t["window"], None),
        ("reach", t["reach_v"], "int"),
        ("contacts", t["contacts"], "int"),
        ("avg_frequency", t["avg_frequency"], "num"),
    ]
    table(wb.add_worksheet(t["reach"]), 0, cols_r, named_rows(rr, lang))
    cols_i: list[tuple[str, str, str | None]] = [
        ("type", t["type"], None),
        ("severity", t["severity"], None),
        ("text", t["text"], None),
    ]
    wsi = wb.add_worksheet(t["insights"])
    table(wsi, 0, cols_i, named_rows(insights, lang))
    wsi.set_column(2, 2, 110, wrap)
    wb.close()
    return path


def _font_dir() -> Path:
    for d in FONT_DIRS:
        if (d / "DejaVuSans.ttf").is_file():
            return d
    raise FileNotFoundError(
        "DejaVu fonts not found (needed for Cyrillic PDFs): install the Debian package fonts-dejavu-core "
        "(apt-get install -y fonts-dejavu-core)"
    )


def _num(v: Any, lang: str, kind: str, currency: str = "") -> str:
    """A number as the report prints it: shares in percent, counts whole, money with the currency sign."""
    if v is None:
        return "—"
    if kind == "pct":
        return fmt_pct(float(v), lang, 2)
    if kind == "int":
        return fmt_num(float(v), lang, 0)
    if kind == "money" and currency:
        return f"{fmt_num(float(v), lang, 2)}\u00a0{CURRENCY_SIGNS.get(currency, currency)}"
    return fmt_num(float(v), lang, 2)


def write_pdf(
    snap: dict[str, Any], insights: list[dict[str, Any]], narrative: str, narrator: str, lang: str, path: Path
) -> Path:
    from fpdf import FPDF

    t = labels(lang)
    fd = _font_dir()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(fd / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fd / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"{t['title']}: {snap['client_name']} {snap['period']['from']} – {snap['period']['to']}")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 10, f"{t['title']}: {snap['client_name']}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    spend_label = t["vat_on"] if snap["include_vat"] else t["vat_off"]
    pdf.cell(
        0,
        6,
        f"{t['period']}: {snap['period']['from']} – {snap['period']['to']}  ·  {spend_label}"
        + (f", {t['comm_on']}" if snap["include_commission"] else "")
        + f"  ·  {snap['currency']}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    tot = snap["totals"]
    if tot["is_provisional"]:
        pdf.set_text_color(180, 60, 0)
        pdf.cell(0, 6, t["provisional"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    # KPI tiles
    kpis = [
        ("spend", "money"),
        ("total_cost", "money"),
        ("impressions", "int"),
        ("clicks", "int"),
        ("conversions", "int"),
        ("ctr", "pct"),
        ("cpc", "money"),
        ("cpa", "money"),
    ]
    w = (pdf.w - pdf.l_margin - pdf.r_margin) / 4
    for k, (key, kind) in enumerate(kpis):
        if k % 4 == 0 and k:
            pdf.ln(16)
        x, y = pdf.l_margin + (k % 4) * w, pdf.get_y()
        pdf.set_fill_color(234, 241, 248)
        pdf.rect(x + 1, y, w - 2, 14, style="F")
        pdf.set_xy(x + 2, y + 1)
        pdf.set_font("DejaVu", "", 8)
        pdf.cell(w - 4, 4, t[key])
        pdf.set_xy(x + 2, y + 6)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(w - 4, 6, _num(tot.get(key), lang, kind, snap["currency"]))
        pdf.set_xy(pdf.l_margin, y)
    pdf.ln(18)
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, t["narrative"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 5, narrative, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7)
    pdf.set_text_color(110, 110, 110)
    pdf.cell(0, 5, f"{t['generated_by']}: {narrator}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    _bar_chart(pdf, snap["daily"], t["daily_spend"], lang)
    _pdf_table(
        pdf,
        t["campaigns"],
        [
            ("campaign_name", t["campaign"], None, 60),
            ("platform", t["platform"], None, 26),
            ("spend", t["spend"], "money", 26),
            ("clicks", t["clicks"], "int", 20),
            ("conversions", t["conversions"], "int", 20),
            ("cpa", t["cpa"], "money", 20),
        ],
        named_rows(snap["campaigns"][:20], lang),
        lang,
        snap["currency"],
    )
    _pdf_table(
        pdf,
        t["channels"],
        [
            ("channel", t["channel"], None, 40),
            ("impressions", t["impressions"], "int", 30),
            ("clicks", t["clicks"], "int", 25),
            ("spend", t["spend"], "money", 30),
            ("ctr", t["ctr"], "pct", 20),
            ("cpa", t["cpa"], "money", 25),
        ],
        named_rows(snap["channels"], lang),
        lang,
        snap["currency"],
    )
    if snap["plan_vs_fact"]:
        # A line is named by its id and placement (snapshots frozen before line names were added have no name).
        lines = [
            {**x, "line": " · ".join(v for v in (x["line_id"], x.get("line_name") or "") if v)}
            for x in named_rows(snap["plan_vs_fact"], lang)
        ]
        _pdf_table(
            pdf,
            t["plan"],
            [
                ("line", t["line_id"], None, 38),
                ("budget_net", t["budget_net"], "money", 30),
                ("actual_to_date", t["actual_to_date"], "money", 30),
                ("pacing_ratio", t["pacing_ratio"], "pct", 22),
                ("forecast_net", t["forecast_net"], "money", 30),
                ("pacing_status", t["pacing_status"], None, 38),
            ],
            lines,
            lang,
            snap["currency"],
        )
    if insights:
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(0, 8, t["insights"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        for ins in named_rows(insights[:15], lang):
            pdf.multi_cell(0, 5, f"• [{ins['severity']}] {ins['text']}", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def _bar_chart(pdf: Any, daily: list[dict[str, Any]], title: str, lang: str) -> None:
    """Daily spend bars drawn with fpdf2 primitives (no image toolchain needed); provisional days are hatched lighter."""
    if not daily:
        return
    if pdf.get_y() > pdf.h - 80:
        pdf.add_page()
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    x0, y0 = pdf.l_margin + 18, pdf.get_y() + 2
    width, height = pdf.w - pdf.l_margin - pdf.r_margin - 20, 45
    top = max(d["spend"] for d in daily) or 1.0
    pdf.set_draw_color(150, 150, 150)
    pdf.line(x0, y0 + height, x0 + width, y0 + height)
    pdf.set_font("DejaVu", "", 6)
    pdf.set_xy(pdf.l_margin, y0 - 2)
    pdf.cell(17, 4, fmt_num(top, lang, 0), align="R")
    bw = width / len(daily)
    for k, d in enumerate(daily):
        h = height * d["spend"] / top
        pdf.set_fill_color(*((160, 190, 225) if d["is_provisional"] else (31, 78, 121)))
        pdf.rect(x0 + k * bw + bw * 0.15, y0 + height - h, bw * 0.7, h, style="F")
        if len(daily) <= 16 or k % max(1, len(daily) // 8) == 0:
            pdf.set_xy(x0 + k * bw - 2, y0 + height + 1)
            pdf.cell(bw + 4, 3, d["date"][5:], align="C")
    pdf.set_xy(pdf.l_margin, y0 + height + 6)


def _pdf_table(
    pdf: Any,
    title: str,
    cols: list[tuple[str, str, str | None, float]],
    rows: list[dict[str, Any]],
    lang: str,
    currency: str = "",
) -> None:
    if pdf.get_y() > pdf.h - 50:
        pdf.add_page()
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 8)
    pdf.set_fill_color(31, 78, 121)
    pdf.set_text_color(255, 255, 255)
    for _k, label, _f, w in cols:
        pdf.cell(w, 6, label, border=1, fill=True)
    pdf.ln()
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "", 8)
    for r in rows:
        if pdf.get_y() > pdf.h - 20:
            pdf.add_page()
        for key, _label, kind, w in cols:
            v = r.get(key)
            txt = _num(v, lang, kind, currency) if kind else str(v if v is not None else "—")
            while pdf.get_string_width(txt) > w - 2 and len(txt) > 3:
                txt = txt[:-2] + "…"
            pdf.cell(w, 5, txt, border=1, align="R" if kind else "L")
        pdf.ln()
    pdf.ln(3)
