import datetime as dt

import pytest

from assistants.reports.render import safe_cell
from assistants.reports.snapshot import parse_period


def test_period_forms():
    assert parse_period("2026-11-01:2026-11-30").kind == "monthly"
    assert parse_period("2026-11-16:2026-11-22").kind == "weekly"
    p = parse_period("week:2026-11-19")
    assert (p.date_from, p.date_to) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert parse_period("month:2026-02").date_to == dt.date(2026, 2, 28)
    assert parse_period("day:2026-11-19").kind == "daily"
    for bad in ("2026-11-30:2026-11-01", "yesterday", "month:2026-13"):
        with pytest.raises(ValueError, match="bad period"):
            parse_period(bad)


@pytest.mark.parametrize("v", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_formula_like_text_is_neutralised(v):
    assert safe_cell(v) == "'" + v


def test_plain_values_untouched():
    assert safe_cell("Brand search") == "Brand search" and safe_cell(-5) == -5


def test_plan_lines_without_a_line_number_sort_with_numbers_as_numbers():
    from assistants.reports.snapshot import natural_key

    ids = ["10", "2", "1", "11", "L10", "L2", "tv-3", "tv-12"]
    assert sorted(ids, key=natural_key) == ["1", "2", "10", "11", "L2", "L10", "tv-3", "tv-12"]


def test_a_first_period_says_there_is_nothing_to_compare_with(tmp_path):
    from pypdf import PdfReader

    from assistants.reports.render import ReportContent, write_pdf
    from tests.unit.assistants.test_report_labels import INSIGHTS, _snapshot

    snap = {**_snapshot(), "previous": {"from": "2026-01-29", "to": "2026-02-28", "has_data": False}}
    text = (
        PdfReader(write_pdf(ReportContent(snap, INSIGHTS, "Итоги.", "шаблон", "ru"), tmp_path / "r.pdf"))
        .pages[0]
        .extract_text()
    )
    assert "Сравнение с периодом 29 января – 28 февраля 2026: за прошлый период данных нет" in text
    assert "▲" not in text and "▼" not in text and text.count("—") >= 8  # no change on any of the eight tiles
