"""Plan maths (forecast, channel combination, budget for reach) and the formula-safe xlsx export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from planning import reach as R
from planning.export import export_plan_xlsx, safe_text
from planning.plan_math import (
    DEFAULT_CURVES,
    budget_for_reach,
    channel_budget_for_reach,
    channel_family,
    forecast_line,
    forecast_plan,
    line_trp,
)

LINES = [
    {"line_id": "1", "channel": "ТВ", "planned_trp": 300, "budget_net": Decimal(3_000_000)},
    {"line_id": "2", "channel": "ТВ", "planned_grp": 100, "budget_net": Decimal(1_000_000)},
    {
        "line_id": "3",
        "channel": "OLV",
        "planned_impressions": 4_000_000,
        "ta_size": 10_000_000,
        "budget_net": Decimal(500_000),
    },
    {
        "line_id": "4",
        "channel": "Display",
        "planned_trp": 80,
        "planned_reach": Decimal("0.3"),
        "budget_net": Decimal(200_000),
    },
    {"line_id": "5", "channel": "Поиск", "budget_net": Decimal(100_000)},
]


def test_channel_family() -> None:
    assert channel_family("ТВ") == "tv"
    assert channel_family("Видео 15с") == "olv"
    assert channel_family("РСЯ") == "display"
    assert channel_family("", "vk_ads") == "social"
    assert channel_family("Наружная реклама") == "ooh"
    assert channel_family("Радио Европа+") == "radio"
    assert channel_family("что-то") == "other"


def test_line_trp_sources() -> None:
    assert line_trp(LINES[0]) == 300
    assert line_trp(LINES[1]) == 100
    assert line_trp(LINES[2]) == pytest.approx(40.0)
    assert line_trp(LINES[4]) is None


def test_tv_line_uses_the_e1_curve_and_names_the_model() -> None:
    fc = forecast_line(LINES[0])
    assert fc.reach == pytest.approx(0.66033936, abs=1e-8)  # E1 of docs/reach_models.md
    assert fc.frequency == pytest.approx(300 / 66.033936, rel=1e-6)
    assert "negative exponential" in fc.model and "tv" in fc.model
    assert sum(fc.distribution) == pytest.approx(1.0)
    assert R.mean_contacts(fc.distribution) * 100 == pytest.approx(300, rel=1e-6)
    assert R.effective_reach(fc.distribution, 1) == pytest.approx(fc.reach, rel=1e-6)
    assert fc.reach_k(3) < fc.reach


def test_plan_reach_is_kept_and_marked() -> None:
    fc = forecast_line(LINES[3])
    assert fc.reach == pytest.approx(0.3) and fc.model.startswith("plan")
    assert fc.frequency == pytest.approx(80 / 30)


def test_line_without_audience_numbers_says_why() -> None:
    fc = forecast_line(LINES[4])
    assert fc.reach is None and "no TRP" in fc.note


def test_channels_combine_by_curve_then_sainsbury() -> None:
    fc = forecast_plan(LINES)
    by = {c.channel: c for c in fc.channels}
    assert by["ТВ"].trp == 400
    assert by["ТВ"].reach == pytest.approx(R.negative_exponential_reach(400, 0.85, 0.005))
    assert by["ТВ"].cpp == pytest.approx(10_000)
    assert by["Display"].model.startswith("Sainsbury")
    reaches = [c.reach for c in fc.channels]
    assert fc.reach == pytest.approx(R.sainsbury_reach(reaches))
    assert max(reaches) <= fc.reach <= min(1.0, sum(reaches))
    assert "Sainsbury" in fc.model


def test_metheringham_when_duplications_known() -> None:
    fc0 = forecast_plan(LINES)
    r = [c.reach for c in fc0.channels]
    # overlaps larger than independence: combined reach must come out below Sainsbury
    dup = [[r[0], r[0] * r[1] * 1.3, r[0] * r[2] * 1.3], [r[0] * r[1] * 1.3, r[1], r[1] * r[2] * 1.3],
           [r[0] * r[2] * 1.3, r[1] * r[2] * 1.3, r[2]]]  # fmt: skip
    fc = forecast_plan(LINES, duplications=dup)
    assert fc.model.startswith("Metheringham")
    assert fc.reach < fc0.reach
    assert sum(fc.distribution) == pytest.approx(1.0)


def test_budget_for_reach_inverts_the_curve() -> None:
    budget, trp = budget_for_reach(0.6, 10_000, "hyperbolic", a=1, b=1 / 85)
    assert trp == pytest.approx(204.0)  # H4
    assert budget == pytest.approx(2_040_000)
    fc = forecast_plan(LINES)
    tv = next(c for c in fc.channels if c.family == "tv")
    b2, t2 = channel_budget_for_reach(tv, 0.7)
    assert R.negative_exponential_reach(t2, **DEFAULT_CURVES["tv"]) == pytest.approx(0.7)
    assert b2 == pytest.approx(t2 * tv.cpp)
    with pytest.raises(ValueError, match="target"):
        budget_for_reach(0.9, 10_000, "negative_exponential", r_max=0.85, k=0.005)


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('=HYPERLINK("http://evil","x")', True),
        ("+cmd|' /C calc'!A0", True),
        ("@SUM(A1)", True),
        ("\t=1", True),
        ("Яндекс Директ", False),
        ("-", False),
        ("-5", False),
    ],
)
def test_safe_text(text: str, safe: bool) -> None:
    assert safe_text(text).startswith("'") is safe


def test_export_neutralises_injection_and_keeps_kpis(tmp_path: Path) -> None:
    lines = [
        {"line_id": "1", "channel": "ТВ", "platform": "tv", "campaign_name": '=HYPERLINK("http://evil.example","x")',
         "planned_trp": 300, "budget_net": Decimal(3_000_000), "budget_gross": Decimal(3_600_000),
         "flight_start": dt.date(2025, 3, 1), "flight_end": dt.date(2025, 3, 31)},
        {"line_id": "2", "channel": "OLV", "platform": "vk_ads", "campaign_name": "+cmd|' /C calc'!A0",
         "planned_impressions": 4_000_000, "planned_clicks": 4000, "ta_size": 10_000_000,
         "budget_net": Decimal(500_000), "budget_gross": Decimal(600_000), "target_audience": "@evil"},
    ]  # fmt: skip
    for lang in ("ru", "en"):
        path = export_plan_xlsx(
            {"plan_id": "p", "name": "=cmd|x", "plan_version": 2, "client_id": "c", "currency": "RUB"},
            lines, tmp_path / f"plan_{lang}.xlsx", language=lang,
        )  # fmt: skip
        wb = openpyxl.load_workbook(path)
        formulas = [
            c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"
        ]
        assert formulas and all(str(f).startswith("=SUM(") for f in formulas)
        texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "s"]
        assert '\'=HYPERLINK("http://evil.example","x")' in texts
        assert "'+cmd|' /C calc'!A0" in texts and "'@evil" in texts
        assert not any(t.startswith(("=", "+cmd", "@")) for t in texts)
        ws = wb.worksheets[0]
        header = [c.value for c in ws[7]]
        row = {h: c.value for h, c in zip(header, ws[9], strict=False)}
        if lang == "en":
            assert row["CPM"] == pytest.approx(125.0)
            assert row["CTR"] == pytest.approx(0.001)
            assert row["Reach model"].startswith("negative exponential")
        else:
            assert row["CPC"] == pytest.approx(125.0)
            assert row["Охват 1+ (прогноз)"] == pytest.approx(R.negative_exponential_reach(40, 0.7, 0.006))
        assert ws.cell(8, 6).value == dt.datetime(2025, 3, 1)
