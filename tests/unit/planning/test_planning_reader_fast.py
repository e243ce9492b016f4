"""The plan reader's fast paths: its shared-string table equals openpyxl's own (plain, rich-text runs, phonetic
runs left out, escapes), and the same upload read twice is one Workbook (the page reads it, then Import does)."""

from __future__ import annotations

import io

import openpyxl
from openpyxl.reader.strings import read_string_table

from planning.mediaplan import read_workbook
from planning.mediaplan.reader import _shared_strings

SST = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5">'
    "<si><t>Канал</t></si>"
    '<si><t xml:space="preserve"> spaced  </t></si>'
    '<si><r><rPr><b/></rPr><t>Бюджет</t></r><r><t xml:space="preserve">, руб.</t></r></si>'
    '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>'
    "<si><t>a &amp; b _x005F_x000D_ &lt;c&gt;</t></si>"
    "<si><t/></si>"
    "</sst>"
)


def test_shared_strings_equal_openpyxls():
    ours = _shared_strings(io.BytesIO(SST.encode()))
    assert ours == read_string_table(io.BytesIO(SST.encode()))
    assert ours[2] == "Бюджет, руб." and ours[3] == "東京" and ours[5] == ""


def _xlsx(channel: str = "Поиск") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Канал", "Бюджет, руб.", "Начало"])
    ws.append([channel, 1000, "01.03.2026"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_workbook_read_twice_is_read_once_and_other_bytes_are_read_anew():
    data = _xlsx()
    first = read_workbook(data, "plan.xlsx")
    assert read_workbook(data, "plan.xlsx") is first
    assert first.sheets[0].rows[:2] == [["Канал", "Бюджет, руб.", "Начало"], ["Поиск", 1000, "01.03.2026"]]
    # Another file name is another upload (its name is part of what the page reports).
    assert read_workbook(data, "copy.xlsx") is not first
    # Changed bytes are read again, never answered from the kept copy.
    other = read_workbook(_xlsx("Видео"), "plan.xlsx")
    assert other is not first and other.sheets[0].rows[1][0] == "Видео"
