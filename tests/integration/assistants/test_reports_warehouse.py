import datetime as dt
import shutil
import socket
import subprocess
from email import message_from_bytes
from email.policy import default

import pytest
from openpyxl import load_workbook

from assistants import reports

PERIOD_DAYS = 14


def _period(ai_marts):
    end = ai_marts["end"]
    return f"{(end - dt.timedelta(days=PERIOD_DAYS - 1)).isoformat()}:{end.isoformat()}"


def _from(ai_marts):
    return ai_marts["end"] - dt.timedelta(days=PERIOD_DAYS - 1)


def _marts_totals(ch, ai_marts, client_id):
    end = ai_marts["end"]
    r = ch.query(
        f"SELECT toFloat64(sum(spend_gross)), toFloat64(sum(spend_net)), sum(clicks), sum(impressions) "  # noqa: S608
        f"FROM {ai_marts['db']}.fct_ad_performance_daily WHERE tenant_id = {{t:String}} AND client_id = {{c:String}} "
        "AND date_day BETWEEN {f:Date} AND {to:Date}",
        parameters={
            "t": ai_marts["tenant"],
            "c": client_id,
            "f": end - dt.timedelta(days=PERIOD_DAYS - 1),
            "to": end,
        },
    )
    return r.result_rows[0]


@pytest.fixture(scope="module")
def built(ch, ai_marts, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    ch.command(
        f"ALTER TABLE {ai_marts['db']}.fct_ad_performance_daily UPDATE campaign_name = '=HYPERLINK(\"http://evil\")' "
        "WHERE tenant_id = {t:String} AND campaign_id = 'romashka-c4'",
        parameters={"t": ai_marts["tenant"]},
        settings={"mutations_sync": 2},
    )
    # The planner's names for the plan lines (the marts carry only line ids).
    lines = [
        r[0]
        for r in ch.query(
            f"SELECT DISTINCT line_id FROM {ai_marts['db']}.fct_plan_vs_fact_daily "  # noqa: S608
            "WHERE tenant_id = {t:String} AND client_id = 'romashka' ORDER BY 1",
            parameters={"t": ai_marts["tenant"]},
        ).result_rows
    ]
    ch.insert(
        "app.media_plan_lines",
        [
            [ai_marts["tenant"], "romashka", "romashka-plan", 1, "it", lid, n, f"Размещение {n}"]
            for n, lid in enumerate(lines, start=1)
        ],
        column_names=[
            "tenant_id",
            "client_id",
            "plan_id",
            "plan_version",
            "import_id",
            "line_id",
            "line_no",
            "placement",
        ],
    )
    ru = reports.build_report(
        ch,
        ai_marts["tenant"],
        "romashka",
        _period(ai_marts),
        "ru",
        out,
        include_commission=True,
        marts_db=ai_marts["db"],
    )
    en = reports.build_report(
        ch,
        ai_marts["tenant"],
        "romashka",
        _period(ai_marts),
        "en",
        out,
        include_vat=False,
        marts_db=ai_marts["db"],
    )
    return {"ru": ru, "en": en, "out": out}


def test_xlsx_totals_equal_the_marts_and_toggles_apply(ch, ai_marts, built):
    gross, net, clicks, impressions = _marts_totals(ch, ai_marts, "romashka")
    for lang, spend in (("ru", gross), ("en", net)):
        wb = load_workbook(built[lang].xlsx)
        assert wb.sheetnames == (
            ["Сводка", "По дням", "Площадки", "Кампании", "Каналы", "План-факт", "Охват", "Инсайты"]
            if lang == "ru"
            else [
                "Summary",
                "By day",
                "Platforms",
                "Campaigns",
                "Channels",
                "Plan vs fact",
                "Reach",
                "Insights",
            ]
        )
        summ = {r[0]: r[1] for r in wb.worksheets[0].iter_rows(min_row=7, max_row=17, values_only=True)}
        label = "Расход" if lang == "ru" else "Spend"
        assert summ[label] == pytest.approx(spend, abs=0.01)
        assert summ["Клики" if lang == "ru" else "Clicks"] == clicks
        camp = wb.worksheets[3]
        head = [c.value for c in camp[1]]
        col = head.index(label)
        assert sum(r[col] for r in camp.iter_rows(min_row=2, values_only=True)) == pytest.approx(
            spend, abs=0.05
        )
    ru_summ = {
        r[0]: r[1]
        for r in load_workbook(built["ru"].xlsx)
        .worksheets[0]
        .iter_rows(min_row=7, max_row=17, values_only=True)
    }
    assert ru_summ["Комиссия агентства"] == pytest.approx(net * 0.1, abs=0.01)
    assert ru_summ["Итого затраты"] == pytest.approx(gross + net * 0.1, abs=0.02)


def test_plan_lines_are_named_by_their_placement(built):
    for lang, head in (("ru", "Размещение"), ("en", "Placement")):
        sheet = load_workbook(built[lang].xlsx).worksheets[5]
        cols = [c.value for c in sheet[1]]
        names = [r[cols.index(head)] for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]]
        assert names and all(n.startswith("Размещение ") for n in names), names


def test_formula_injection_is_neutralised(built):
    wb = load_workbook(built["ru"].xlsx)
    cells = [
        c
        for row in wb.worksheets[3].iter_rows()
        for c in row
        if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert cells and all(c.data_type == "s" and c.value.startswith("'=") for c in cells)


def test_pdf_renders_with_cyrillic(built, tmp_path):
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(str(built["ru"].pdf)).pages)
    assert "Отчёт по рекламе" in text and "Ромашка" in text
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed: cannot rasterise the PDF")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(built["ru"].pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages
    from PIL import Image

    img = Image.open(pages[0]).convert("L")
    dark = sum(1 for px in img.getdata() if px < 128)
    assert dark > 0.01 * img.width * img.height  # text, tiles and bars were drawn, not a blank page


def test_runs_are_recorded_idempotently_with_frozen_numbers(ch, ai_marts, built, tmp_path):
    again = reports.build_report(
        ch,
        ai_marts["tenant"],
        "romashka",
        _period(ai_marts),
        "ru",
        tmp_path,
        include_commission=True,
        marts_db=ai_marts["db"],
    )
    assert again.content_hash == built["ru"].content_hash
    rows = ch.query(
        "SELECT count(), any(marts_state_json) FROM app.report_runs FINAL WHERE tenant_id = {t:String} "
        "AND client_id = 'romashka' AND lang = 'ru' AND date_from = {f:Date}",
        parameters={"t": ai_marts["tenant"], "f": _from(ai_marts)},
    ).result_rows
    assert rows[0][0] == 1 and "fct_ad_performance_daily" in rows[0][1]


def test_email_arrives_with_both_attachments(ch, ai_marts, built):
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
            self.messages.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    sink = Sink()
    with socket.socket() as s:  # aiosmtpd cannot self-test a port-0 server: pick a free port first
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctl = Controller(sink, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        to = reports.send_report(ch, built["ru"], smtp_host="127.0.0.1", smtp_port=port)
    finally:
        ctl.stop()
    assert to == ["ivan@romashka.example", "olga@romashka.example"]
    rcpts, raw = sink.messages[0]
    assert sorted(rcpts) == sorted(to)
    msg = message_from_bytes(raw, policy=default)
    assert "Ромашка" in msg["Subject"]
    names = sorted(p.get_filename() for p in msg.iter_attachments())
    assert names == sorted([built["ru"].xlsx.name, built["ru"].pdf.name])
    status = ch.query(
        "SELECT status, sent_at IS NOT NULL FROM app.report_runs FINAL WHERE tenant_id = {t:String} "
        "AND client_id = 'romashka' AND lang = 'ru' AND date_from = {f:Date}",
        parameters={"t": ai_marts["tenant"], "f": _from(ai_marts)},
    ).result_rows
    assert status == [("sent", True)]


def test_send_failure_is_loud_and_recorded(ch, ai_marts, built):
    with pytest.raises(RuntimeError, match="failed"):
        reports.send_report(ch, built["en"], smtp_host="127.0.0.1", smtp_port=1, timeout=2)
    st = ch.query(
        "SELECT status FROM app.report_runs FINAL WHERE tenant_id = {t:String} AND client_id = 'romashka' "
        "AND lang = 'en' AND date_from = {f:Date}",
        parameters={"t": ai_marts["tenant"], "f": _from(ai_marts)},
    ).result_rows
    assert st == [("send_failed",)]


def test_no_data_is_a_clear_error(ch, ai_marts, tmp_path):
    with pytest.raises(LookupError, match="no data"):
        reports.build_report(
            ch, ai_marts["tenant"], "nobody", _period(ai_marts), "ru", tmp_path, marts_db=ai_marts["db"]
        )


def _sums(ch, ai_marts, date_from, date_to, group=""):
    cols = f"{group}, " if group else ""
    r = ch.query(
        f"SELECT {cols}toFloat64(sum(spend_gross)), sum(clicks), sum(conversions) "  # noqa: S608
        f"FROM {ai_marts['db']}.fct_ad_performance_daily WHERE tenant_id = {{t:String}} AND client_id = 'romashka' "
        f"AND date_day BETWEEN {{f:Date}} AND {{to:Date}} {'GROUP BY ' + group if group else ''}",
        parameters={"t": ai_marts["tenant"], "f": date_from, "to": date_to},
    )
    return r.result_rows


def test_cover_states_the_comparison_window_and_the_change_from_the_marts(ch, ai_marts, built):
    start = _from(ai_marts)
    prev_from, prev_to = start - dt.timedelta(days=PERIOD_DAYS), start - dt.timedelta(days=1)
    (spend, clicks, _conv), (p_spend, p_clicks, _pc) = (
        _sums(ch, ai_marts, start, ai_marts["end"])[0],
        _sums(ch, ai_marts, prev_from, prev_to)[0],
    )
    assert p_spend > 0  # the synthetic marts reach back far enough: a real comparison
    ws = load_workbook(built["ru"].xlsx)["Сводка"]
    assert ws["A5"].value == (
        f"Сравнение с периодом {prev_from.day} {_MONTHS_RU[prev_from.month - 1]} – "
        f"{prev_to.day} {_MONTHS_RU[prev_to.month - 1]} {prev_to.year}"
        if prev_from.month != prev_to.month
        else f"Сравнение с периодом {prev_from.day}–{prev_to.day} {_MONTHS_RU[prev_to.month - 1]} {prev_to.year}"
    )
    rows = {r[0].value: r for r in ws.iter_rows(min_row=7, max_row=17)}
    assert [c.value for c in ws[6]][:4] == ["Показатель", "Значение", "Прошлый период", "Изменение"]
    assert rows["Расход"][2].value == pytest.approx(p_spend, abs=0.01)
    assert rows["Расход"][3].value == pytest.approx(spend / p_spend - 1, abs=1e-4)
    assert rows["Клики"][3].value == pytest.approx(clicks / p_clicks - 1, abs=1e-6)
    assert rows["Расход"][2].number_format == '#,##0.00 "₽"' and rows["Расход"][3].number_format.startswith(
        "+0.0%"
    )
    assert ws.freeze_panes == "B7"


def test_daily_and_platform_sheets_equal_the_marts_with_real_formats(ch, ai_marts, built):
    start, end = _from(ai_marts), ai_marts["end"]
    by_platform = {p: (s, c) for p, s, c, _v in _sums(ch, ai_marts, start, end, "platform")}
    wb = load_workbook(built["en"].xlsx)
    daily = wb["By day"]
    assert [c.value for c in daily[1]] == ["Date", "Impressions", "Clicks", "Spend", "Conversions"]
    days = list(daily.iter_rows(min_row=2))
    assert len(days) == PERIOD_DAYS and days[0][0].value.date() == start and days[-1][0].value.date() == end
    assert days[0][0].number_format == "yyyy-mm-dd" and days[0][3].number_format == '#,##0.00 "₽"'
    assert days[0][2].number_format == "#,##0" and daily.freeze_panes == "A2"
    plat = wb["Platforms"]
    head = [c.value for c in plat[1]]
    shown = {r[0].value: r for r in plat.iter_rows(min_row=2)}
    from dashboards.i18n import display_name

    assert set(shown) == {display_name("platform", p, "en") for p in by_platform}
    for p, (_gross, clicks) in by_platform.items():
        row = shown[display_name("platform", p, "en")]
        assert row[head.index("Clicks")].value == clicks
        assert row[head.index("CTR")].number_format == "0.00%"
    assert sum(r[head.index("Spend")].value for r in shown.values()) == pytest.approx(
        _marts_totals(ch, ai_marts, "romashka")[1], abs=0.05
    )  # the English report is net of VAT


def test_pdf_sections_are_the_workbooks_sheets_in_order(built):
    from pypdf import PdfReader

    for lang in ("ru", "en"):
        text = "\n".join(p.extract_text() for p in PdfReader(str(built[lang].pdf)).pages)
        lines = [ln.strip() for ln in text.splitlines()]
        sheets = load_workbook(built[lang].xlsx).sheetnames
        at = [lines.index(name) for name in sheets[1:]]  # the summary is the cover
        assert at == sorted(at), (lang, sheets)
        for axis in ("Дата", "Расход, ₽", "Площадка") if lang == "ru" else ("Date", "Spend, ₽", "Platform"):
            assert axis in lines, (lang, axis)


_MONTHS_RU = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()


def test_narrative_is_grounded_in_the_report_language_with_the_change(built):
    for lang, words in (
        ("ru", ("К периоду", "расход изменился на")),
        ("en", ("Against", "spend changed by")),
    ):
        files = built[lang]
        text = files.snapshot["narrative"]["text"]
        assert "ungrounded" not in files.narrator, files.narrator  # every number in it is in the snapshot
        assert all(w in text for w in words), text
        assert "yandex_direct" not in text and "vk_ads" not in text and "None" not in text, text
        assert "₽" in text and "RUB" not in text, text
