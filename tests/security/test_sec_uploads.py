"""Malicious media-plan uploads through the app's data layer: traversal names, bombs, formulas, wrong bytes."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
import xlsxwriter

from planning.mediaplan.reader import MAX_FILE_BYTES, PlanFileError
from tests.security.conftest import T1, fingerprint, principal

pytestmark = pytest.mark.usefixtures("sec_world")

PLAN_CSV = (
    b"Channel,Platform,Campaign,Flight,Budget (net),Impressions,Clicks,Reach,Frequency,Pricing\n"
    b'Search,Yandex Direct,sec_search,July 2025,"15,250.50",,"30,000",,,CPC\n'
    b'OLV,VK Ads,sec_video,07/01/2025 - 08/15/2025,"42,000.00","3,500,000",,45%,2.8,CPM\n'
)


def _xlsx(rows: list[list], formulas: dict[tuple[int, int], str] | None = None) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Plan")
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    for (r, c), f in (formulas or {}).items():
        ws.write_formula(r, c, f, None, "x")
    wb.close()
    return buf.getvalue()


def _plan_rows() -> list[list]:
    return [
        ["Channel", "Platform", "Campaign", "Budget (net)", "Impressions"],
        ["Search", "Yandex Direct", "a", 1000, 100],
        ["Display", "VK Ads", "b", 2000, 200],
    ]


def test_traversal_file_names_never_become_paths_or_ids(ch):
    from dashboards import data

    pm = principal("sec-pm@t1")
    for name in (
        "../../etc/passwd.csv",
        "..\\..\\windows\\win.ini.csv",
        "/etc/cron.d/x.csv",
        "plan\x00.csv.exe",
        "a/../../../../tmp/owned.csv",
    ):
        res = data.import_plan(pm, "acme", PLAN_CSV, name)
        assert res.imported, (name, res.report.as_text(5))
        assert "/" not in res.plan_id and "\\" not in res.plan_id and ".." not in res.plan_id, res.plan_id
        stored = ch.query(
            "SELECT count() FROM app.media_plans WHERE tenant_id = {t:String} AND plan_id = {p:String}",
            parameters={"t": T1, "p": res.plan_id},
        ).result_rows[0][0]
        assert stored >= 1
    import os

    assert not os.path.exists("/tmp/owned.csv")


@pytest.mark.parametrize(
    ("blob", "name", "code"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "plan.xlsx", "wrong_type"),
        (b"%PDF-1.7\n" + b"x" * 100, "plan.csv", "wrong_type"),
        (b"\x7fELF\x02\x01\x01" + b"\0" * 100, "plan.xls", "wrong_type"),
        (b"MZ\x90\x00" + b"\0" * 100, "plan.csv", "wrong_type"),
        (b"Channel,Budget\nSearch,100\n", "plan.xlsx", "wrong_type"),  # text named as Excel
        (b"PK\x03\x04" + b"\0" * 200, "plan.xlsx", "corrupt"),
    ],
)
def test_wrong_magic_bytes_are_refused_by_content_not_name(blob, name, code):
    from dashboards import data

    with pytest.raises(PlanFileError) as err:
        data.analyse_plan(principal("sec-pm@t1"), blob, name)
    assert err.value.code == code


def test_oversized_upload_is_refused_before_parsing():
    from dashboards import data

    blob = PLAN_CSV + b"x" * (MAX_FILE_BYTES - len(PLAN_CSV) + 1)
    t0 = time.perf_counter()
    with pytest.raises(PlanFileError) as err:
        data.analyse_plan(principal("sec-pm@t1"), blob, "big.csv")
    assert err.value.code == "too_big" and time.perf_counter() - t0 < 2


def test_zip_bomb_is_refused_without_inflating_it():
    from dashboards import data

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        chunk = b"\0" * (1 << 20)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for _ in range(512):  # 512 MiB of zeros (over the 400 MB limit), ~0.5 MB compressed
                fh.write(chunk)
    blob = buf.getvalue()
    assert len(blob) < 5 * (1 << 20)
    t0 = time.perf_counter()
    with pytest.raises(PlanFileError) as err:
        data.analyse_plan(principal("sec-pm@t1"), blob, "bomb.xlsx")
    elapsed = time.perf_counter() - t0
    assert err.value.code == "too_big", err.value
    assert elapsed < 1.5, f"the bomb was inflated before the size check ({elapsed:.1f}s)"


def test_xml_entity_expansion_in_an_xlsx_part_is_refused():
    from dashboards import data

    good = _xlsx(_plan_rows())
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
        + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        "<si><t>&lol9;</t></si></sst>"
    )
    src, out = zipfile.ZipFile(io.BytesIO(good)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            dst.writestr(item, laughs.encode() if item.filename == "xl/sharedStrings.xml" else body)
    t0 = time.perf_counter()
    try:
        _, _, report, lines, _ = data.analyse_plan(principal("sec-pm@t1"), out.getvalue(), "laughs.xlsx")
    except PlanFileError:
        pass
    else:
        text = " ".join(str(v) for line in lines for v in line.values())
        assert "lollollol" not in text  # never expanded into the plan
        assert not report.ok or not lines
    assert time.perf_counter() - t0 < 5


@pytest.mark.parametrize(
    "formula",
    [
        '=HYPERLINK("http://evil.example/x","click")',
        '=WEBSERVICE("http://127.0.0.1:8123/?query=SELECT+1")',
        "='[1]External'!A1",
        "=cmd|' /C calc'!A0",
        '=IMPORTXML("http://evil.example","//a")',
    ],
)
def test_xlsx_with_formulas_or_external_links_is_not_imported(ch, formula):
    from dashboards import data

    before = fingerprint(ch)
    res = data.import_plan(principal("sec-pm@t1"), "acme", _xlsx(_plan_rows(), {(2, 2): formula}), "f.xlsx")
    assert not res.imported and not res.report.ok
    assert any("formula" in i.reason for i in res.report.errors), res.report.as_text(5)
    assert {k: v for k, v in fingerprint(ch).items() if k.startswith("app.media")} == {
        k: v for k, v in before.items() if k.startswith("app.media")
    }


@pytest.mark.parametrize("text", ["=1+1", "+cmd|'/c calc'!A0", "-2+3+cmd|' /C notepad'!'A1'", "@SUM(A1:A2)"])
def test_csv_formula_injection_cells_are_refused(text):
    from dashboards import data

    blob = PLAN_CSV.replace(b"sec_search", f'"{text}"'.encode())
    _, _, report, _, _ = data.analyse_plan(principal("sec-pm@t1"), blob, "inj.csv")
    assert not report.ok and any("formula" in i.reason for i in report.errors), report.as_text(5)


def test_client_users_and_other_tenants_cannot_import(ch):
    from dashboards import data
    from dashboards.auth import AccessDenied

    before = fingerprint(ch)
    with pytest.raises(AccessDenied):
        data.import_plan(principal("sec-client-acme@t1"), "acme", PLAN_CSV, "p.csv")
    with pytest.raises((data.DataError, AccessDenied)):
        data.import_plan(principal("sec-pm@t1"), "globex", PLAN_CSV, "p.csv")  # sec_t2's client
    assert fingerprint(ch) == before
