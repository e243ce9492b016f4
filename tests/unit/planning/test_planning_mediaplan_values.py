"""Cell parsing: numbers as text, percents, dates, periods, formula injection, header synonyms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from mrm.i18n import explain
from planning.mediaplan.fields import score_header
from planning.mediaplan.values import (
    ValueParseError,
    formula_reason,
    injection_reason,
    neutralise,
    parse_date,
    parse_number,
    parse_percent,
    parse_period,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234 567,89", "1234567.89"),
        ("1\u00a0234\u00a0567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("1.234.567,89", "1234567.89"),
        ("12%", "0.12"),
        ("12,5%", "0.125"),
        ("(1 000)", "-1000"),
        ("1,5 млн", "1500000"),
        ("250 тыс.", "250000"),
        ("₽ 300", "300"),
        ("300 руб.", "300"),
        ("$1,200.50", "1200.50"),
        ("0,5", "0.5"),
        ("−7", "-7"),
        (1500, "1500"),
        (0.25, "0.25"),
    ],
)
def test_parse_number(text: object, expected: str) -> None:
    assert parse_number(text) == Decimal(expected)


def test_parse_number_ambiguous_comma_follows_the_locale() -> None:
    assert parse_number("1,234", decimal_comma=True) == Decimal("1.234")
    assert parse_number("1,234", decimal_comma=False) == Decimal("1234")


@pytest.mark.parametrize("text", ["", "-", "—", "н/д", None, "#Н/Д"])
def test_empty_markers(text: object) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize("text", ["abc", "12 abc", "1-2", dt.date(2025, 1, 1)])
def test_not_a_number(text: object) -> None:
    with pytest.raises(ValueParseError) as err:
        parse_number(text)
    said = str(err.value), explain(err.value, "ru")
    assert said[0].startswith(("not a number: ", "a date where")), said
    assert said[1].startswith(("не число: ", "дата там, где нужно число")), said


def test_parse_percent() -> None:
    assert parse_percent("45%") == Decimal("0.45")
    assert parse_percent(0.45) == Decimal("0.45")
    assert parse_percent(45) == Decimal("0.45")
    assert parse_percent(0.5, header_says_percent=True) == Decimal("0.005")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01.03.2025", dt.date(2025, 3, 1)),
        ("1.3.25", dt.date(2025, 3, 1)),
        ("2025-03-01", dt.date(2025, 3, 1)),
        ("2025-03-01 00:00:00", dt.date(2025, 3, 1)),
        ("1 марта 2025", dt.date(2025, 3, 1)),
        ("1 мая 2025 г.", dt.date(2025, 5, 1)),
        ("March 1, 2025", dt.date(2025, 3, 1)),
        ("15/03/2025", dt.date(2025, 3, 15)),
        ("03/15/2025", dt.date(2025, 3, 15)),
        (45717, dt.date(2025, 3, 1)),
        (dt.datetime(2025, 3, 1, 10, 0), dt.date(2025, 3, 1)),
    ],
)
def test_parse_date(text: object, expected: dt.date) -> None:
    assert parse_date(text) == expected


def test_parse_date_month_first_when_told() -> None:
    assert parse_date("03/04/2025", day_first=False) == dt.date(2025, 3, 4)
    assert parse_date("03/04/2025", day_first=True) == dt.date(2025, 4, 3)


@pytest.mark.parametrize("text", ["32.13.2025", "завтра", 12])
def test_not_a_date(text: object) -> None:
    with pytest.raises(ValueParseError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("01.03.2025 - 31.03.2025", dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
        ("01.03-31.03.2025", dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
        ("15.12-15.01.2026", dt.date(2025, 12, 15), dt.date(2026, 1, 15)),
        ("2025-06-01 – 2025-06-30", dt.date(2025, 6, 1), dt.date(2025, 6, 30)),
        ("с 1 по 31 марта 2025", dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
        ("Март 2025", dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
        ("февраль 2024", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("Dec 2025", dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
        ("01.03.2025", dt.date(2025, 3, 1), dt.date(2025, 3, 1)),
    ],
)
def test_parse_period(text: str, start: dt.date, end: dt.date) -> None:
    assert parse_period(text) == (start, end)


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","x")',
        "=1+2",
        "@SUM(A1:A2)",
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        ' =WEBSERVICE("http://x")',
        "\t=1",
    ],
)
def test_injection_detected(text: str) -> None:
    assert injection_reason(text)
    assert neutralise(text).startswith("'")


@pytest.mark.parametrize(
    "text", ["-", "-5", "+7 (495) 123-45-67", "Яндекс Директ", "- охват", "50/50", "A=B"]
)
def test_harmless_text_passes(text: str) -> None:
    assert injection_reason(text) is None


def test_formula_whitelist() -> None:
    assert formula_reason("=SUM(A1:A5)") is None
    assert formula_reason("=IFERROR(B2/C2,0)*1.2") is None
    assert formula_reason('=HYPERLINK("x","y")')
    assert formula_reason("=[1]Sheet1!A1")
    assert formula_reason('=WEBSERVICE("http://e")')
    assert formula_reason("=cmd|' /C calc'!A0")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Бюджет, руб. без НДС", "budget_net"),
        ("Бюджет с НДС", "budget_gross"),
        ("Стоимость размещения (net)", "budget_net"),
        ("Total cost incl. VAT", "budget_gross"),
        ("Кол-во показов", "planned_impressions"),
        ("Плановые показы", "planned_impressions"),
        ("Охват, %", "planned_reach"),
        ("Охват, тыс. чел.", "planned_reach_persons"),
        ("Целевая аудитория", "target_audience"),
        ("Модель закупки", "pricing_model"),
        ("Buying model", "pricing_model"),
        ("Период размещения", "period"),
        ("ID кампании", "platform_campaign_id"),
        ("Прогноз конверсий", "planned_conversions"),
        ("GRP", "planned_grp"),
        ("TRP", "planned_trp"),
        ("Частота", "planned_frequency"),
    ],
)
def test_header_synonyms(header: str, field: str) -> None:
    assert score_header(header)[0][1] == field
