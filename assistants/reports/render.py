"""Render a frozen report snapshot to .xlsx (xlsxwriter) and .pdf (fpdf2 + DejaVu for Cyrillic).

Both files carry the same sections in the same order (`SECTIONS`): the PDF's headings are the workbook's sheet
names. Both read one column list per table (`_columns`) and the tenant's `Branding` (logo, colours, footer).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistants.llm.numbers import fmt_num, fmt_pct
from assistants.reports.branding import Branding
from dashboards.i18n import CURRENCY_SIGNS, TEXT, display_name, fmt_range
from dashboards.i18n import t as say

log = logging.getLogger(__name__)
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]

# The report's sections, in order: XLSX sheets and PDF headings alike (label keys without the `rep_` prefix).
SECTIONS = ("summary", "daily", "platforms", "campaigns", "channels", "plan", "reach", "insights")

# The cover's headline numbers: (metric, kind).
HEADLINE = (
    ("spend", "money"),
    ("clicks", "int"),
    ("conversions", "int"),
    ("cpa", "money"),
    ("impressions", "int"),
    ("ctr", "pct"),
    ("cpc", "money"),
    ("total_cost", "money"),
)


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


def change(cur: Any, prev: Any) -> float | None:
    """Relative change against the previous period; None when there is nothing to compare with."""
    if cur is None or prev is None or not float(prev):
        return None
    return float(cur) / float(prev) - 1.0


def fmt_change(v: float | None, lang: str) -> str:
    if v is None:
        return "—"
    arrow = "▲" if v > 0 else "▼" if v < 0 else "="
    sign = "+" if v > 0 else "−" if v < 0 else ""
    return f"{arrow} {sign}{fmt_pct(abs(v), lang, 1)}"


def short_day(d: dt.date, lang: str) -> str:
    """'5 дек' / '5 Dec': axis labels with the locale's month names."""
    return f"{d.day} {say('rep_months_short', lang).split()[d.month - 1]}"


def narrator_name(narrator: str, lang: str) -> str:
    """Who wrote the narrative, as a reader may see it: 'Claude' or 'from a template' (the stored provenance,
    provider:model:prompt@version, stays in the run record)."""
    return "Claude" if narrator.startswith("anthropic:") else say("rep_by_template", lang)


def period_words(snap: dict[str, Any], lang: str) -> str:
    p = snap["period"]
    return fmt_range(dt.date.fromisoformat(p["from"]), dt.date.fromisoformat(p["to"]), lang)


def comparison_words(snap: dict[str, Any], lang: str) -> str:
    """The comparison window as the cover states it."""
    prev = snap.get("previous") or {}
    if not prev.get("from"):
        return ""
    rng = fmt_range(dt.date.fromisoformat(prev["from"]), dt.date.fromisoformat(prev["to"]), lang)
    text = say("rep_compared_with", lang, range=rng)
    return text if prev.get("has_data") else f"{text}: {say('rep_no_previous', lang)}"


def _plan_rows(snap: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    # A line is shown by the planner's name (placement), its id after it (older snapshots have no name).
    return [
        {**x, "line": " · ".join(v for v in (x.get("line_name") or "", x["line_id"]) if v)}
        for x in named_rows(snap.get("plan_vs_fact", []), lang)
    ]


_PDF_ONLY = {"line"}  # a column the workbook holds as separate ones (line id and placement)
Column = tuple[str, str, str | None, float]


def _columns(section: str, t: dict[str, str]) -> list[Column]:
    """(key, label, kind, PDF width in mm) of a section's table; the XLSX shows every column, the PDF the ones
    with a width."""
    perf: list[Column] = [
        ("impressions", t["impressions"], "int", 24),
        ("clicks", t["clicks"], "int", 18),
        ("spend", t["spend"], "money", 28),
        ("commission", t["commission"], "money", 0),
        ("total_cost", t["total_cost"], "money", 0),
        ("conversions", t["conversions"], "int", 22),
        ("ctr", t["ctr"], "pct", 16),
        ("cpc", t["cpc"], "money", 0),
        ("cpa", t["cpa"], "money", 24),
        ("cr", t["cr"], "pct", 0),
    ]
    tables: dict[str, list[Column]] = {
        "daily": [
            ("date", t["date"], "date", 30),
            ("impressions", t["impressions"], "int", 30),
            ("clicks", t["clicks"], "int", 25),
            ("spend", t["spend"], "money", 35),
            ("conversions", t["conversions"], "int", 25),
        ],
        "platforms": [("platform", t["platform"], None, 40), *perf],
        "campaigns": [
            ("platform", t["platform"], None, 26),
            ("campaign_id", t["campaign_id"], None, 0),
            ("campaign_name", t["campaign"], None, 58),
            *[c if c[0] in ("spend", "clicks", "conversions", "cpa") else (*c[:3], 0) for c in perf],
        ],
        "channels": [("channel", t["channel"], None, 40), *perf],
        "plan": [
            ("plan_id", t["plan_id"], None, 0),
            ("line_id", t["line_id"], None, 0),
            ("line_name", t["line_name"], None, 0),
            ("line", t["line_name"], None, 44),  # the PDF's one column for both
            ("channel", t["channel"], None, 0),
            ("budget_net", t["budget_net"], "money", 28),
            ("planned_to_date", t["planned_to_date"], "money", 0),
            ("actual_to_date", t["actual_to_date"], "money", 28),
            ("pacing_ratio", t["pacing_ratio"], "pct", 16),
            ("forecast_net", t["forecast_net"], "money", 28),
            ("pacing_status", t["pacing_status"], None, 36),
            ("flight_end", t["flight_end"], "date", 0),
        ],
        "reach": [
            ("platform", t["platform"], None, 28),
            ("campaign_id", t["campaign_id"], None, 40),
            ("window", t["window"], None, 44),
            ("reach", t["reach_v"], "int", 22),
            ("contacts", t["contacts"], "int", 22),
            ("avg_frequency", t["avg_frequency"], "num", 20),
        ],
        "insights": [
            ("type", t["type"], None, 0),
            ("severity", t["severity"], None, 0),
            ("text", t["text"], None, 0),
        ],
    }
    return tables[section]


def _section_rows(
    section: str, snap: dict[str, Any], insights: list[dict[str, Any]], lang: str
) -> list[dict[str, Any]]:
    if section == "plan":
        return _plan_rows(snap, lang)
    if section == "reach":
        day = dt.date.fromisoformat
        rows = [
            {**x, "window": fmt_range(day(x["window_start"]), day(x["window_end"]), lang)}
            for x in snap.get("reach", [])
        ]
        return named_rows(rows, lang)
    if section == "insights":
        return named_rows(insights, lang)
    return named_rows(snap.get(section, []), lang)


def _sign(snap: dict[str, Any]) -> str:
    return CURRENCY_SIGNS.get(snap["currency"], snap["currency"])


def _spend_basis(snap: dict[str, Any], t: dict[str, str]) -> str:
    basis = t["vat_on"] if snap["include_vat"] else t["vat_off"]
    return basis + (f", {t['comm_on']}" if snap["include_commission"] else "")


@dataclass(frozen=True)
class ReportContent:
    """What both files of one report show: the frozen snapshot, its insight rows, the summary text and who
    wrote it (`narrator`: the model's label or the template), the language and the tenant's branding."""

    snap: dict[str, Any]
    insights: list[dict[str, Any]]
    narrative: str
    narrator: str
    lang: str
    branding: Branding = field(default_factory=Branding)


# ---------------------------------------------------------------------------------------------------- XLSX


def write_xlsx(content: ReportContent, path: Path) -> Path:
    """The report as a workbook at `path`: a summary sheet, then one sheet per section."""
    import xlsxwriter

    snap, insights, narrative, lang = content.snap, content.insights, content.narrative, content.lang
    brand = content.branding
    t = labels(lang)
    sign = _sign(snap)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    bold = wb.add_format({"bold": True})
    head = wb.add_format(
        {"bold": True, "bg_color": brand.primary, "font_color": "#FFFFFF", "border": 1, "text_wrap": True}
    )
    fmts = {
        "money": wb.add_format({"num_format": f'#,##0.00 "{sign}"'}),
        "int": wb.add_format({"num_format": "#,##0"}),
        "pct": wb.add_format({"num_format": "0.00%"}),
        "num": wb.add_format({"num_format": "#,##0.00"}),
        "date": wb.add_format({"num_format": "dd.mm.yyyy" if lang == "ru" else "yyyy-mm-dd"}),
        "change": wb.add_format({"num_format": "+0.0%;-0.0%;0.0%"}),
    }
    title = wb.add_format({"bold": True, "font_size": 14, "font_color": brand.primary})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    footer = brand.footer.replace("&", "&&")

    def sheet(section: str) -> Any:
        ws = wb.add_worksheet(t[section])
        ws.set_footer(f"&L{footer}&R&P / &N" if footer else "&R&P / &N")
        return ws

    def table(ws: Any, section: str, rows: list[dict[str, Any]]) -> None:
        cols = [c for c in _columns(section, t) if c[0] not in _PDF_ONLY]
        for j, (_key, label, _f, _w) in enumerate(cols):
            ws.write_string(0, j, label, head)
            ws.set_column(j, j, max(12, min(40, len(label) + 4)))
        for i, r in enumerate(rows, start=1):
            for j, (key, _label, f, _w) in enumerate(cols):
                v = r.get(key)
                if v is None:
                    ws.write_blank(i, j, None)
                elif f == "date" and isinstance(v, str):
                    ws.write_datetime(i, j, dt.datetime.fromisoformat(v), fmts["date"])
                elif isinstance(v, int | float) and not isinstance(v, bool):
                    ws.write_number(i, j, v, fmts.get(f or "", None))
                else:
                    ws.write_string(i, j, str(safe_cell(str(v))))
        ws.freeze_panes(1, 0)

    # Summary: the cover's numbers with the previous period and the change.
    tot, prev = snap["totals"], snap.get("previous") or {}
    ws = sheet("summary")
    ws.write_string(0, 0, f"{t['title']}: {safe_cell(snap['client_name'])}", title)
    ws.write_string(1, 0, f"{t['period']}: {period_words(snap, lang)}")
    ws.write_string(2, 0, _spend_basis(snap, t))
    ws.write_string(3, 0, f"{t['currency']}: {snap['currency']}")
    ws.write_string(4, 0, comparison_words(snap, lang))
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
    for j, label in enumerate((t["metric"], t["value"], t["previous"], t["change"])):
        ws.write_string(5, j, label, head)
    for k, (key, f) in enumerate(items, start=6):
        ws.write_string(k, 0, t[key])
        for j, v in ((1, tot.get(key)), (2, prev.get(key)), (3, change(tot.get(key), prev.get(key)))):
            if v is None:
                ws.write_blank(k, j, None)
            else:
                ws.write_number(k, j, v, fmts["change"] if j == 3 else fmts[f])
    ws.freeze_panes(6, 1)
    ws.set_column(0, 0, 28)
    ws.set_column(1, 3, 18)
    if brand.logo_kind == "png":
        ws.insert_image(
            0, 5, "logo.png", {"image_data": io.BytesIO(brand.logo), "x_scale": 0.5, "y_scale": 0.5}
        )
    r = 6 + len(items) + 1
    if tot["is_provisional"]:
        ws.write_string(r, 0, t["provisional"], bold)
        r += 1
    ws.write_string(r + 1, 0, t["narrative"], bold)
    ws.merge_range(r + 2, 0, r + 8, 5, safe_cell(narrative), wrap)
    if brand.footer:
        ws.write_string(r + 10, 0, safe_cell(brand.footer))

    for section in SECTIONS[1:]:
        ws = sheet(section)
        rows = _section_rows(section, snap, insights, lang)
        table(ws, section, rows)
        if section == "insights":
            ws.set_column(2, 2, 110, wrap)
        if section in ("daily", "platforms") and rows:
            _xlsx_chart(wb, ws, section, len(rows), lang, sign, brand)
    wb.close()
    return path


def _xlsx_chart(wb: Any, ws: Any, section: str, n: int, lang: str, sign: str, brand: Branding) -> None:
    """A native chart of spend beside the table, both axes titled."""
    t = labels(lang)
    spend_col = 3  # date or platform, impressions, clicks, spend: the same place in both tables
    chart = wb.add_chart({"type": "column" if section == "daily" else "bar"})
    chart.add_series(
        {
            "name": t["spend"],
            "categories": [ws.name, 1, 0, n, 0],
            "values": [ws.name, 1, spend_col, n, spend_col],
            "fill": {"color": brand.primary},
        }
    )
    chart.set_title({"name": t["daily_spend"] if section == "daily" else t["spend_by_platform"]})
    money_axis = {"name": say("rep_axis_money", lang, metric=t["spend"], sign=sign)}
    cat_axis = {"name": t["date"] if section == "daily" else t["platform"]}
    chart.set_x_axis(cat_axis if section == "daily" else money_axis)
    chart.set_y_axis(money_axis if section == "daily" else cat_axis)
    chart.set_legend({"none": True})
    ws.insert_chart(1, 11, chart, {"x_scale": 1.4, "y_scale": 1.2})


# ---------------------------------------------------------------------------------------------------- PDF


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
    if kind == "date":
        return short_day(dt.date.fromisoformat(str(v)), lang) + f" {str(v)[:4]}"
    if kind == "pct":
        return fmt_pct(float(v), lang, 2)
    if kind == "int":
        return fmt_num(float(v), lang, 0)
    if kind == "money" and currency:
        return f"{fmt_num(float(v), lang, 2)}\u00a0{CURRENCY_SIGNS.get(currency, currency)}"
    return fmt_num(float(v), lang, 2)


def _money_tick(v: float, lang: str, sign: str, top: float) -> str:
    """Axis ticks: whole amounts, in thousands ('тыс.'/'k') on an axis reaching 10,000, always with the sign."""
    if top >= 10_000 and v:
        return f"{fmt_num(v / 1000, lang, 0)}\u00a0{say('asst_thousands', lang)}\u00a0{sign}"
    return f"{fmt_num(v, lang, 0)}\u00a0{sign}"


def _nice_top(v: float) -> float:
    """The axis' top: 1, 2, 2.5 or 5 times a power of ten, at or above `v`."""
    if v <= 0:
        return 1.0
    p = 10 ** len(str(int(v))) / 10
    for m in (1, 2, 2.5, 5, 10):
        if m * p >= v:
            return m * p
    return 10 * p


def write_pdf(content: ReportContent, path: Path) -> Path:
    """The report as an A4 PDF at `path`: the cover, then one heading per section with its charts and tables."""
    from fpdf import FPDF

    snap, insights, lang, brand = content.snap, content.insights, content.lang, content.branding
    t = labels(lang)
    fd = _font_dir()

    class Report(FPDF):  # type: ignore[misc]
        def footer(self) -> None:  # every page: the tenant's line on the left, the page number on the right
            self.set_y(-12)
            self.set_font("DejaVu", "", 7)
            self.set_text_color(110, 110, 110)
            self.cell(0, 5, brand.footer, align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, say("rep_page", lang, n=self.page_no()), align="R")
            self.set_text_color(0, 0, 0)

    pdf = Report(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font("DejaVu", "", str(fd / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fd / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"{t['title']}: {snap['client_name']} {snap['period']['from']} – {snap['period']['to']}")
    pdf.set_creation_date(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))  # the same snapshot renders the same bytes
    _cover(pdf, snap, content.narrative, content.narrator, lang, brand)
    for section in SECTIONS[1:]:
        rows = _section_rows(section, snap, insights, lang)
        if section == "daily":
            _daily_chart(pdf, snap, t[section], lang, brand)
        elif section == "platforms":
            _platform_chart(pdf, snap, rows, t[section], lang, brand)
        if section in ("daily", "platforms"):  # their tables follow their charts
            continue
        if section == "insights":
            _heading(pdf, t[section], brand)
            pdf.set_font("DejaVu", "", 9)
            for ins in rows[:15]:
                pdf.multi_cell(0, 5, f"• [{ins['severity']}] {ins['text']}", new_x="LMARGIN", new_y="NEXT")
            if not rows:
                pdf.cell(0, 5, "—", new_x="LMARGIN", new_y="NEXT")
            continue
        cols = [c for c in _columns(section, t) if c[3]]
        if section == "plan" and rows:
            _plan_chart(pdf, snap, rows, lang, brand)
            _pdf_table(pdf, "", cols, rows[:25], lang, snap["currency"], brand)
            continue
        _pdf_table(pdf, t[section], cols, rows[:25], lang, snap["currency"], brand)
    pdf.output(str(path))
    return path


def _heading(pdf: Any, title: str, brand: Branding, room: float = 50) -> None:
    if pdf.get_y() > pdf.h - room:
        pdf.add_page()
    pdf.set_font("DejaVu", "B", 12)
    pdf.set_text_color(*brand.rgb())
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _caption(pdf: Any, text: str) -> None:
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")


def _cover(pdf: Any, snap: dict[str, Any], narrative: str, narrator: str, lang: str, brand: Branding) -> None:
    """Page one: the brand bar with the logo, client and period, the headline numbers with their change against
    the stated comparison window, and the narrative."""
    t = labels(lang)
    pdf.add_page()
    pdf.set_fill_color(*brand.rgb())
    pdf.rect(0, 0, pdf.w, 28, style="F")
    if brand.logo:
        try:
            pdf.image(io.BytesIO(brand.logo), x=pdf.l_margin, y=4, h=20)
        except Exception as exc:  # a stored logo fpdf cannot draw must not stop the report; the bar stays
            log.warning("report logo (%s) not drawn: %s", brand.logo_kind, exc)
    pdf.set_xy(pdf.l_margin + 60, 8)
    pdf.set_font("DejaVu", "B", 16)
    pdf.set_text_color(255, 255, 255)
    pdf.cell(pdf.w - pdf.l_margin - pdf.r_margin - 60, 12, t["title"], align="R")
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, 36)
    pdf.set_font("DejaVu", "B", 20)
    pdf.multi_cell(0, 10, snap["client_name"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(0, 7, f"{t['period']}: {period_words(snap, lang)}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(0, 5, f"{_spend_basis(snap, t)}  ·  {snap['currency']}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, comparison_words(snap, lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    tot, prev = snap["totals"], snap.get("previous") or {}
    if tot["is_provisional"]:
        pdf.set_text_color(180, 60, 0)
        pdf.cell(0, 6, t["provisional"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    w = (pdf.w - pdf.l_margin - pdf.r_margin) / 4
    y0 = pdf.get_y()
    for k, (key, kind) in enumerate(HEADLINE):
        x, y = pdf.l_margin + (k % 4) * w, y0 + (k // 4) * 22
        pdf.set_fill_color(244, 246, 249)
        pdf.rect(x + 1, y, w - 2, 20, style="F")
        pdf.set_fill_color(*brand.rgb("accent"))
        pdf.rect(x + 1, y, 1.2, 20, style="F")
        pdf.set_xy(x + 3, y + 1)
        pdf.set_font("DejaVu", "", 8)
        pdf.cell(w - 5, 4, t[key])
        pdf.set_xy(x + 3, y + 6)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(w - 5, 6, _num(tot.get(key), lang, kind, snap["currency"]))
        pdf.set_xy(x + 3, y + 13)
        pdf.set_font("DejaVu", "", 7)
        pdf.set_text_color(90, 90, 90)
        pdf.cell(w - 5, 4, f"{fmt_change(change(tot.get(key), prev.get(key)), lang)}")
        pdf.set_text_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, y0 + 2 * 22 + 4)
    _heading(pdf, t["narrative"], brand)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 5, narrative, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7)
    pdf.set_text_color(110, 110, 110)
    pdf.cell(0, 5, f"{t['generated_by']}: {narrator_name(narrator, lang)}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _axes(
    pdf: Any, x0: float, y0: float, width: float, height: float, x_title: str, y_title: str, gap: float = 23
) -> None:
    """Both axis lines and both axis titles (the y title turned upright along the axis)."""
    pdf.set_draw_color(120, 120, 120)
    pdf.line(x0, y0, x0, y0 + height)
    pdf.line(x0, y0 + height, x0 + width, y0 + height)
    pdf.set_font("DejaVu", "", 7)
    pdf.set_text_color(60, 60, 60)
    pdf.set_xy(x0, y0 + height + 6)
    pdf.cell(width, 4, x_title, align="C")
    with pdf.rotation(90, x0 - gap, y0 + height):  # drawn along the bottom-up line from the axis' foot
        pdf.set_xy(x0 - gap, y0 + height)
        pdf.cell(height, 4, y_title, align="C")
    pdf.set_text_color(0, 0, 0)


def _daily_chart(pdf: Any, snap: dict[str, Any], title: str, lang: str, brand: Branding) -> None:
    """Spend per day: money ticks on the y axis, days with the locale's month names on the x axis; provisional
    days lighter."""
    daily = snap.get("daily", [])
    t = labels(lang)
    pdf.add_page()
    _heading(pdf, title, brand)
    _caption(pdf, t["daily_spend"])
    if not daily:
        pdf.cell(0, 5, "—", new_x="LMARGIN", new_y="NEXT")
        return
    sign = _sign(snap)
    x0, y0 = pdf.l_margin + 24, pdf.get_y() + 4
    width, height = pdf.w - pdf.r_margin - x0, 60
    top = _nice_top(max(d["spend"] for d in daily))
    pdf.set_font("DejaVu", "", 6)
    pdf.set_draw_color(225, 225, 225)
    for i in range(5):  # gridlines and ticks at 0, 1/4 … top
        v = top * i / 4
        y = y0 + height - height * i / 4
        pdf.line(x0, y, x0 + width, y)
        pdf.set_xy(x0 - 18, y - 2)
        pdf.cell(17, 4, _money_tick(v, lang, sign, top), align="R")
    bw = width / len(daily)
    light = tuple(min(255, c + (255 - c) * 2 // 3) for c in brand.rgb())
    step = max(1, len(daily) // 8)
    for k, d in enumerate(daily):
        h = height * d["spend"] / top
        pdf.set_fill_color(*(light if d["is_provisional"] else brand.rgb()))
        pdf.rect(x0 + k * bw + bw * 0.15, y0 + height - h, bw * 0.7, h, style="F")
        if k % step == 0:
            pdf.set_xy(x0 + k * bw + bw / 2 - 8, y0 + height + 1)
            pdf.cell(16, 4, short_day(dt.date.fromisoformat(d["date"]), lang), align="C")
    _axes(pdf, x0, y0, width, height, t["date"], say("rep_axis_money", lang, metric=t["spend"], sign=sign))
    pdf.set_xy(pdf.l_margin, y0 + height + 14)
    cols = [c for c in _columns("daily", t) if c[3]]
    _pdf_table(pdf, "", cols, named_rows(daily, lang), lang, snap["currency"], brand)


def _platform_chart(
    pdf: Any, snap: dict[str, Any], rows: list[dict[str, Any]], title: str, lang: str, brand: Branding
) -> None:
    """Spend per platform as horizontal bars: platform names on the y axis, money on the x axis."""
    t = labels(lang)
    _heading(pdf, title, brand, room=110)
    _caption(pdf, t["spend_by_platform"])
    if not rows:
        pdf.cell(0, 5, "—", new_x="LMARGIN", new_y="NEXT")
        return
    _hbars(pdf, snap, rows, "platform", [("spend", t["spend"], "primary")], t["platform"], lang, brand)
    cols = [c for c in _columns("platforms", t) if c[3]]
    _pdf_table(pdf, "", cols, rows, lang, snap["currency"], brand)


def _plan_chart(
    pdf: Any, snap: dict[str, Any], rows: list[dict[str, Any]], lang: str, brand: Branding
) -> None:
    """Plan against fact per plan line, by the planner's names: planned and actual spend to date side by side,
    with a legend (the same colour means the same series in both languages)."""
    t = labels(lang)
    _heading(pdf, t["plan"], brand, room=60 + 10 * len(rows[:12]))
    series = [
        ("planned_to_date", t["planned_to_date"], "accent"),
        ("actual_to_date", t["actual_to_date"], "primary"),
    ]
    _hbars(pdf, snap, rows[:12], "line", series, t["line_name"], lang, brand)


def _hbars(
    pdf: Any,
    snap: dict[str, Any],
    rows: list[dict[str, Any]],
    label_key: str,
    series: list[tuple[str, str, str]],
    y_title: str,
    lang: str,
    brand: Branding,
) -> None:
    """Horizontal bars, one group per row and one bar per series (key, legend label, brand colour): row labels
    on the y axis, money ticks on the x axis, both axes titled; a legend when there is more than one series."""
    t = labels(lang)
    sign = _sign(snap)
    x0, y0 = pdf.l_margin + 52, pdf.get_y() + 4
    width, group = pdf.w - pdf.r_margin - x0 - 4, 4 + 4 * len(series)
    height = group * max(3, len(rows))
    top = _nice_top(max(float(r.get(k) or 0) for r in rows for k, _l, _c in series))
    pdf.set_font("DejaVu", "", 6)
    pdf.set_draw_color(225, 225, 225)
    for i in range(5):
        x = x0 + width * i / 4
        pdf.line(x, y0, x, y0 + height)
        pdf.set_xy(x - 12, y0 + height + 1)
        pdf.cell(24, 4, _money_tick(top * i / 4, lang, sign, top), align="C")
    for k, r in enumerate(rows):
        y = y0 + k * group
        for n, (key, _label, colour) in enumerate(series):
            shade = colour if len(series) > 1 else ("primary" if k % 2 == 0 else "accent")
            pdf.set_fill_color(*brand.rgb(shade))
            pdf.rect(x0, y + 2 + 4 * n, width * float(r.get(key) or 0) / top, 3.4, style="F")
        pdf.set_font("DejaVu", "", 8)
        pdf.set_xy(pdf.l_margin + 8, y + group / 2 - 2)
        label = str(r[label_key])
        while pdf.get_string_width(label) > x0 - pdf.l_margin - 12 and len(label) > 3:
            label = label[:-2] + "…"
        pdf.cell(x0 - pdf.l_margin - 10, 4, label, align="R")
    money = say("rep_axis_money", lang, metric=t["spend"], sign=sign)
    _axes(pdf, x0, y0, width, height, money, y_title, gap=x0 - pdf.l_margin - 3)
    pdf.set_xy(pdf.l_margin, y0 + height + 11)
    if len(series) > 1:
        pdf.set_x(x0)
        pdf.set_font("DejaVu", "", 7)
        for _key, label, colour in series:
            pdf.set_fill_color(*brand.rgb(colour))
            pdf.rect(pdf.get_x(), pdf.get_y() + 1, 3, 3, style="F")
            pdf.set_x(pdf.get_x() + 4)
            pdf.cell(pdf.get_string_width(label) + 6, 5, label)
        pdf.ln(6)
    else:
        pdf.ln(3)


def _pdf_table(
    pdf: Any,
    title: str,
    cols: list[tuple[str, str, str | None, float]],
    rows: list[dict[str, Any]],
    lang: str,
    currency: str,
    brand: Branding,
) -> None:
    if title:
        _heading(pdf, title, brand)
    pdf.set_font("DejaVu", "B", 8)
    pdf.set_fill_color(*brand.rgb())
    pdf.set_text_color(255, 255, 255)
    for _k, label, _f, w in cols:
        size = 8.0
        while pdf.get_string_width(label) > w - 2 and size > 5.5:  # a long label in a narrow column: smaller
            size -= 0.5
            pdf.set_font_size(size)
        pdf.cell(w, 6, label, border=1, fill=True)
        pdf.set_font_size(8)
    pdf.ln()
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "", 8)
    for r in rows:
        if pdf.get_y() > pdf.h - 24:
            pdf.add_page()
        for key, _label, kind, w in cols:
            v = r.get(key)
            txt = _num(v, lang, kind, currency) if kind else str(v if v is not None else "—")
            while pdf.get_string_width(txt) > w - 2 and len(txt) > 3:
                txt = txt[:-2] + "…"
            pdf.cell(w, 5, txt, border=1, align="R" if kind else "L")
        pdf.ln()
    if not rows:
        pdf.cell(0, 5, "—", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
