"""The generated corpus: every realistic plan maps right or fails with a precise report."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from planning.mediaplan import PlanFileError, analyse, read_workbook
from planning.mediaplan.reader import sniff_format


def _by_name(corpus: tuple[Path, list[Any]], name: str) -> Any:
    return next(e for e in corpus[1] if e.filename == name)


def _suggester(request: dict[str, Any]) -> list[dict[str, Any]]:
    """A deterministic stand-in for the LLM: knows two slang headers, ignores the rest."""
    slang = {"eyeballs": "planned_impressions", "hits": "planned_clicks"}
    return [
        {"column": c["column"], "field": slang[c["header"].lower()], "confidence": 0.8}
        for c in request["columns"]
        if c["header"].lower() in slang and slang[c["header"].lower()] in request["fields"]
    ]


def test_corpus_has_at_least_twelve_plans_in_both_languages(corpus: tuple[Path, list[Any]]) -> None:
    plans = [e for e in corpus[1] if not e.error_code]
    assert len(plans) >= 12
    names = " ".join(e.filename for e in plans)
    assert "ru_" in names and "en_" in names
    assert {".xlsx", ".xls", ".csv"} <= {Path(e.filename).suffix for e in plans}


def _values_equal(got: Any, want: Any) -> bool:
    if isinstance(want, float):
        return got is not None and float(got) == pytest.approx(want)
    if isinstance(want, int) and not isinstance(want, bool):
        return got is not None and Decimal(got) == want
    return bool(got == want)


@pytest.mark.parametrize(
    "name",
    [
        "ru_basic_mediaplan.xlsx",
        "en_agency_plan.xlsx",
        "ru_multisheet.xlsx",
        "ru_merged_subtotals.xlsx",
        "ru_plan_cp1251.csv",
        "en_plan_utf8.csv",
        "ru_sections_thousands.xlsx",
        "ru_legacy_plan.xls",
        "ru_stats_history.xlsx",
        "en_odd_headers.xlsx",
        "en_pasted_blocks.xlsx",
    ],
)
def test_good_plan_maps_and_parses(corpus: tuple[Path, list[Any]], name: str) -> None:
    exp = _by_name(corpus, name)
    _, mapping, report, lines, _ = analyse(
        corpus[0] / name, suggester=_suggester if exp.needs_suggester else None
    )
    assert report.ok, report.as_text()
    assert len(lines) == exp.lines
    headers = {c.header: c.field for s in mapping.sheets for c in s.columns}
    for header, fld in exp.fields.items():
        assert headers.get(header) == fld, (header, headers)
    assert sum(ln["budget_net"] for ln in lines) == exp.total_net
    for line_no, want in exp.sample.items():
        line = lines[line_no - 1]
        for key, value in want.items():
            assert _values_equal(line.get(key), value), (line_no, key, line.get(key), value)
    for ln in lines:
        assert ln["budget_gross"] >= ln["budget_net"]
        assert ln["source_row"] > 0 and ln["source_sheet"]
    assert len({ln["line_id"] for ln in lines}) == len(lines)
    if exp.channels:
        assert {ln["channel"] for ln in lines} == exp.channels


def test_suggester_only_fills_gaps_and_is_reported(corpus: tuple[Path, list[Any]]) -> None:
    path = corpus[0] / "en_odd_headers.xlsx"
    _, mapping, _, lines, _ = analyse(path)
    assert "planned_impressions" not in mapping.sheets[0].by_field()
    assert "Eyeballs" in lines[0]["extra"]  # unmapped columns are kept verbatim
    _, mapping, _, lines, notes = analyse(path, suggester=_suggester)
    cols = mapping.sheets[0].by_field()
    assert cols["planned_impressions"].source == "llm" and cols["planned_impressions"].confidence == 0.8
    assert cols["channel"].source == "header"
    assert any("Eyeballs" in n for n in notes)


def test_failing_suggester_does_not_break_detection(corpus: tuple[Path, list[Any]]) -> None:
    def broken(_: dict[str, Any]) -> list[dict[str, Any]]:
        raise TimeoutError("LLM down")

    _, mapping, report, lines, notes = analyse(corpus[0] / "en_odd_headers.xlsx", suggester=broken)
    assert report.ok and len(lines) == 2
    assert any("suggester failed" in n for n in notes)


def test_manual_mapping_overrides_by_letter_and_header(corpus: tuple[Path, list[Any]]) -> None:
    path = corpus[0] / "en_odd_headers.xlsx"
    _, mapping, _, lines, _ = analyse(
        path, manual={"columns": {"D": "planned_impressions", "Hits": "planned_clicks"}}
    )
    cols = mapping.sheets[0].by_field()
    assert cols["planned_impressions"].letter == "D" and cols["planned_impressions"].source == "manual"
    assert cols["planned_clicks"].header == "Hits"
    assert lines[1]["planned_clicks"] == 9000


@pytest.mark.parametrize("name", ["ru_invalid_values.xlsx", "en_injection.csv", "ru_injection_formula.xlsx"])
def test_bad_plan_reports_sheet_row_column_reason(corpus: tuple[Path, list[Any]], name: str) -> None:
    exp = _by_name(corpus, name)
    _, _, report, _, _ = analyse(corpus[0] / name)
    assert not report.ok
    got = [(i.sheet, i.row, i.column, i.reason) for i in report.errors]
    for sheet, row, col, fragment in exp.issues:
        assert any(s == sheet and r == row and c == col and fragment in reason for s, r, c, reason in got), (
            (sheet, row, col, fragment),
            got,
        )
    assert len(report.errors) == len(exp.issues)
    text, text_ru = report.as_text(), report.as_text(lang="ru")
    assert "ERROR" in text and "error(s)" in text and "ошибок" not in text
    assert "ОШИБКА" in text_ru and "ошибок" in text_ru and "error(s)" not in text_ru
    assert all(i.reason_ru in text_ru and i.reason in text for i in report.errors)


@pytest.mark.parametrize(
    "name",
    [
        "broken_truncated.xlsx",
        "broken_pdf_named.xlsx",
        "broken_png.csv",
        "broken_plain_zip.xlsx",
        "broken_too_big.csv",
    ],
)
def test_broken_file_gets_a_clear_error(corpus: tuple[Path, list[Any]], name: str) -> None:
    exp = _by_name(corpus, name)
    with pytest.raises(PlanFileError) as err:
        read_workbook(corpus[0] / name)
    assert err.value.code == exp.error_code
    assert name in str(err.value)
    # English in str() and in `.en`; the reader's language on the page: the Russian text is Russian, with the name.
    assert str(err.value) == err.value.en and name in err.value.ru and err.value.ru != err.value.en
    assert re.search("[а-я]", err.value.ru) and not re.search("[а-я]", err.value.en)


def test_size_limit_applies_to_bytes_too() -> None:
    with pytest.raises(PlanFileError) as err:
        read_workbook(b"a;b\n" * (13 * 1024 * 1024 + 1), "upload.csv")
    assert err.value.code == "too_big"


def test_sniff_ignores_the_extension(corpus: tuple[Path, list[Any]]) -> None:
    data = (corpus[0] / "ru_basic_mediaplan.xlsx").read_bytes()
    assert sniff_format(data, "plan.csv") == "xlsx"
    wb = read_workbook(data, "renamed.csv")
    assert wb.file_format == "xlsx"


def test_truncated_zip_at_many_lengths_never_crashes(corpus: tuple[Path, list[Any]]) -> None:
    data = (corpus[0] / "en_agency_plan.xlsx").read_bytes()
    for cut in (10, 100, 1000, len(data) // 3, len(data) - 50, len(data) - 1):
        with pytest.raises(PlanFileError) as err:
            read_workbook(data[:cut], "cut.xlsx")
        assert err.value.code in ("corrupt", "wrong_type")


def test_xls_dates_are_dates(corpus: tuple[Path, list[Any]]) -> None:
    wb = read_workbook(corpus[0] / "ru_legacy_plan.xls")
    assert wb.file_format == "xls"
    assert isinstance(wb.sheets[0].rows[3][3], dt.datetime)


def test_xlsx_formulas_keep_cached_values_and_text(corpus: tuple[Path, list[Any]]) -> None:
    wb = read_workbook(corpus[0] / "ru_basic_mediaplan.xlsx")
    sheet = wb.sheets[0]
    assert sheet.formulas[(7, 11)] == "=I8*J8/1000"
    assert sheet.rows[7][11] == pytest.approx(480000.0)
    assert sheet.rows[6][5] == dt.datetime(2025, 3, 1)  # formatted date cell
    assert sheet.rows[0][3] == sheet.rows[0][0]  # merged title filled across
