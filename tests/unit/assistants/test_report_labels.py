"""The client report in Russian: statuses, severities, platforms and insight kinds from the one RU/EN catalogue,
counts as counts, money with its sign; the XLSX keeps real number formats (read back)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

# Every id that used to leak into a Russian report as English.
ENGLISH_IDS = (
    "on_track",
    "on track",
    "under",
    "over",
    "not_linked",
    "high",
    "critical",
    "medium",
    "top_mover",
    "pacing",
    "anomaly",
    "vk_ads",
    "yandex_direct",
)


def _snapshot() -> dict:
    camp = {
        "platform": "vk_ads",
        "campaign_id": "c1",
        "campaign_name": "Бренд",
        "impressions": 120000,
        "clicks": 3100,
        "spend": 288191.78,
        "commission": 0.0,
        "total_cost": 288191.78,
        "conversions": 768.0,
        "ctr": 0.0258,
        "cpc": 92.97,
        "cpa": 1500.9989,
        "cr": 0.2477,
    }
    plan = [
        {
            "plan_id": "p1",
            "line_id": f"L{i}",
            "line_name": f"Размещение {i}",
            "channel": "yandex_direct",
            "budget_net": 100000.0,
            "planned_to_date": 50000.0,
            "actual_to_date": 40000.0,
            "pacing_ratio": 0.8,
            "forecast_net": 80000.0,
            "pacing_status": status,
            "flight_end": "2026-03-31",
        }
        for i, status in enumerate(("on_track", "under", "over", "not_linked"), start=1)
    ]
    return {
        "client_name": "ООО «Акме»",
        "period": {"from": "2026-03-01", "to": "2026-03-31"},
        "currency": "RUB",
        "include_vat": False,
        "include_commission": False,
        "totals": {
            **{
                k: camp[k]
                for k in ("impressions", "clicks", "spend", "commission", "total_cost", "conversions")
            },
            **{k: camp[k] for k in ("ctr", "cpc", "cpa", "cr")},
            "conversions_value": None,
            "is_provisional": False,
        },
        "campaigns": [camp],
        "channels": [{**camp, "channel": "vk_ads"}],
        "plan_vs_fact": plan,
        "reach": [
            {
                "platform": "vk_ads",
                "campaign_id": "c1",
                "window_start": "2026-03-01",
                "window_end": "2026-03-31",
                "window_grain": "month",
                "reach": 50000,
                "contacts": 120000,
                "avg_frequency": 2.4,
            }
        ],
        "daily": [
            {"date": f"2026-03-{d:02d}", "spend": 9000.0 + d, "is_provisional": False} for d in range(1, 32)
        ],
    }


INSIGHTS = [
    {"type": "top_mover", "severity": "high", "text": "Расход VK Рекламы вырос на 12 %."},
    {"type": "pacing", "severity": "critical", "text": "Строка L3 идёт с перерасходом."},
]


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z_]+(?: track)?", text)}


@pytest.fixture
def pdf_text(tmp_path: Path) -> str:
    from pypdf import PdfReader

    from assistants.reports.render import ReportContent, write_pdf

    path = write_pdf(ReportContent(_snapshot(), INSIGHTS, "Итоги марта.", "шаблон", "ru"), tmp_path / "r.pdf")
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_russian_pdf_has_no_english_status_word(pdf_text: str) -> None:
    found = _words(pdf_text)
    leaked = [w for w in ENGLISH_IDS if w in found or w in pdf_text]
    assert not leaked, f"English ids in the Russian report: {leaked}"
    for name in (
        "в графике",
        "недорасход",
        "перерасход",
        "не связана",
        "[важно]",
        "[критично]",
        "VK Реклама",
    ):
        assert name in pdf_text, name


def test_counts_are_counts_and_money_has_its_sign(pdf_text: str) -> None:
    flat = pdf_text.replace("\u00a0", " ").replace("\u202f", " ")
    assert "768,00" not in flat and re.search(r"\b768\b", flat)
    assert re.search(r"288 191,78 ₽", flat), "money with grouping, decimal comma and the rouble sign"


def test_xlsx_number_formats_and_names_read_back(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from assistants.reports.render import ReportContent, write_xlsx

    path = write_xlsx(
        ReportContent(_snapshot(), INSIGHTS, "Итоги марта.", "шаблон", "ru"), tmp_path / "r.xlsx"
    )
    wb = load_workbook(path)
    camp = wb["Кампании"]
    header = [c.value for c in camp[1]]
    row = {h: c for h, c in zip(header, camp[2], strict=True)}
    assert row["Площадка"].value == "VK Реклама"
    assert row["Расход"].value == pytest.approx(288191.78) and row["Расход"].number_format == '#,##0.00 "₽"'
    assert row["Конверсии"].value == 768 and row["Конверсии"].number_format == "#,##0"
    assert row["CTR"].number_format == "0.00%"
    assert camp.freeze_panes == "A2"
    plan = wb["План-факт"]
    statuses = [r[9].value for r in plan.iter_rows(min_row=2)]
    assert statuses == ["в графике", "недорасход", "перерасход", "не связана с кампанией"]
    ins = wb["Инсайты"]
    assert [(r[0].value, r[1].value) for r in ins.iter_rows(min_row=2)] == [
        ("главное изменение", "важно"),
        ("темп расхода", "критично"),
    ]
    assert wb["Охват"]["F2"].number_format == "#,##0.00"


def test_english_report_keeps_english_names(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from assistants.reports.render import ReportContent, write_xlsx

    wb = load_workbook(
        write_xlsx(ReportContent(_snapshot(), INSIGHTS, "March.", "template", "en"), tmp_path / "r.xlsx")
    )
    assert wb["Campaigns"]["A2"].value == "VK Ads"
    assert [r[9].value for r in wb["Plan vs fact"].iter_rows(min_row=2)][:3] == ["on track", "under", "over"]
