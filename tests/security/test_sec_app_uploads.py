"""Issue 21 finding 3: a few-KB spreadsheet must not exhaust memory, and uploads need a permission.

The bombs are hand-written xlsx parts (a 5 KB file can declare a merge over the whole sheet or a cell at the last
row), read through the app's data layer exactly as an upload is.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import psutil
import pytest

from planning.mediaplan import reader
from planning.mediaplan.reader import PlanFileError
from tests.security.conftest import principal

MAX_EXTRA_BYTES = 100 * 1024 * 1024
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _xlsx(sheet_data: str, merges: list[str] = ()) -> bytes:
    """A minimal valid workbook with one sheet whose XML we write ourselves (xlsxwriter refuses such bombs)."""
    merge_xml = (
        (
            f'<mergeCells count="{len(merges)}">'
            + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
            + "</mergeCells>"
        )
        if merges
        else ""
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{RNS}"><sheets>'
            '<sheet name="Plan" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><sheetData>{sheet_data}</sheetData>'
            f"{merge_xml}</worksheet>"
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return buf.getvalue()


HEADER = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Channel</t></is></c><c r="B1" t="inlineStr"><is><t>Budget</t>'
    '</is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Search</t></is></c><c r="B2"><v>100</v></c></row>'
)


def _refused_cheaply(blob: bytes, name: str) -> tuple[PlanFileError, float, int]:
    """Read through the data layer; the refusal, the seconds it took and the peak Python allocation."""
    from dashboards import data

    rss_before = psutil.Process().memory_info().rss
    tracemalloc.start()
    tracemalloc.reset_peak()
    t0 = time.perf_counter()
    try:
        with pytest.raises(PlanFileError) as err:
            data.analyse_plan(principal("sec-pm@t1"), blob, name)
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        rss_after = psutil.Process().memory_info().rss
    finally:
        tracemalloc.stop()
    print(
        f"{name}: refused in {elapsed * 1000:.0f} ms, peak {peak / 1024 / 1024:.1f} MiB traced, RSS "
        f"{(rss_after - rss_before) / 1024 / 1024:+.1f} MiB: {err.value.en}"
    )
    assert rss_after - rss_before < MAX_EXTRA_BYTES
    return err.value, elapsed, peak


@pytest.mark.parametrize(
    ("merge", "limit"),
    [("A1:XFD1048576", "MAX_CELLS"), ("A1:XFD1000", "MAX_CELLS"), ("A1:A1048576", "MAX_ROWS")],
)
def test_merged_cell_bomb_is_refused_before_allocating(merge, limit):
    reader.read_workbook(_xlsx(HEADER), "warm.xlsx")  # imports and first-use costs are not the bomb's
    blob = _xlsx(HEADER, [merge])
    assert len(blob) < 5 * 1024
    err, _elapsed, peak = _refused_cheaply(blob, "merge-bomb.xlsx")
    assert err.code == "too_big"
    # The limit is named (in both languages), so the user knows what to change.
    assert limit in err.en and limit in err.ru
    assert peak < MAX_EXTRA_BYTES, f"{peak / 1024 / 1024:.0f} MiB allocated for a {len(blob)}-byte file"


def test_many_small_merges_count_by_their_total_area():
    # 2,000 ranges of 3,000 cells each: every one is harmless alone, together 6 M cells.
    merges = [f"A{3 + i * 30}:DV{32 + i * 30}" for i in range(2_000)]
    err, _, peak = _refused_cheaply(_xlsx(HEADER, merges), "many-merges.xlsx")
    assert err.code == "too_big" and "MAX_CELLS" in err.en
    assert peak < MAX_EXTRA_BYTES


@pytest.mark.parametrize(("cell", "limit"), [("A1048576", "MAX_ROWS"), ("XFD1", "MAX_COLS")])
def test_one_far_cell_is_refused_not_sized_by(cell, limit):
    blob = _xlsx(HEADER + f'<row r="9"><c r="{cell}"><v>1</v></c></row>')
    err, _, peak = _refused_cheaply(blob, "far-cell.xlsx")
    assert err.code == "too_big" and limit in err.en and limit in err.ru and cell in err.en
    assert peak < MAX_EXTRA_BYTES


def test_empty_styled_cells_far_away_do_not_size_the_sheet():
    # Excel writes styled-but-empty cells for whole formatted columns: they are not data and must not count.
    blob = _xlsx(HEADER + '<row r="1048576"><c r="XFD1048576" s="0"/></row>', ["A1:B1"])
    wb = reader.read_workbook(blob, "styled.xlsx")
    assert len(wb.sheets[0].rows) == 2 and wb.sheets[0].rows[0][:2] == ["Channel", "Budget"]


def test_a_legitimate_merged_header_is_still_filled():
    blob = _xlsx(HEADER, ["A1:A2"])
    wb = reader.read_workbook(blob, "ok.xlsx")
    assert wb.sheets[0].rows[1][0] == "Search"  # the top-left value fills only empty cells
    blob = _xlsx(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Q3</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row>',
        ["A1:D1"],
    )
    assert reader.read_workbook(blob, "ok.xlsx").sheets[0].rows[0] == ["Q3", "Q3", "Q3", "Q3"]


def test_csv_of_bare_delimiters_is_refused_by_cell_count():
    blob = b"a;b\n" + b";" * (reader.MAX_CELLS + 10)
    err, _, _ = _refused_cheaply(blob, "delims.csv")
    assert err.code == "too_big" and "MAX_CELLS" in err.en
    # A quoted first cell does not hide the bare delimiters after it.
    err, _, _ = _refused_cheaply(b'"a;b";c\n' + b";" * (reader.MAX_CELLS + 10), "quoted-delims.csv")
    assert err.code == "too_big" and "MAX_CELLS" in err.en


def test_delimiters_inside_quotes_are_not_cells():
    # 100 comments of 60,000 semicolons each: 6 M delimiters, 202 cells.
    text = b"Channel;Comment\n" + b"".join(b'Search;"' + b";" * 60_000 + b'"\n' for _ in range(100))
    sheet = reader.read_workbook(text, "long-comments.csv").sheets[0]
    assert len(sheet.rows) == 101 and {len(r) for r in sheet.rows} == {2}


def test_client_role_cannot_upload_a_plan():
    from dashboards import data
    from dashboards.auth import AccessDenied

    with pytest.raises(AccessDenied):
        data.analyse_plan(principal("sec-client-acme@t1"), _xlsx(HEADER), "plan.xlsx")


def test_the_csv_cell_limit_counts_each_cell_once(monkeypatch):
    # 10 rows of 10 cells: exactly the limit is read, one cell more is refused naming the count.
    monkeypatch.setattr(reader, "MAX_CELLS", 100)
    rows = [";".join(f"v{r}{c}" for c in range(10)) for r in range(10)]
    sheet = reader.read_workbook("\n".join(rows).encode(), "at-limit.csv").sheets[0]
    assert len(sheet.rows) == 10 and {len(r) for r in sheet.rows} == {10}
    with pytest.raises(PlanFileError) as err:
        reader.read_workbook(("\n".join(rows) + ";extra").encode(), "over-limit.csv")
    assert err.value.code == "too_big" and "101" in err.value.en
