"""The plan editor's Excel download of a saved version (embedded warehouse): the planner's layout, one row per
line in the stored order, totals as SUM formulas over the line rows whose cached values are the stored sums."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import openpyxl
import pytest

from dashboards.auth import Principal
from planning.export import plan_xlsx_bytes
from workspace import plan_versions as pv
from workspace.clients import Client, add_client

TENANT = "px_it"


@pytest.fixture(scope="module")
def wh(ch):
    from warehouse.migrate import migrate

    migrate(ch)
    return ch


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_saved_version_downloads_with_formula_totals(wh, lang):
    cid, pid = f"c{uuid.uuid4().hex[:6]}", f"p{uuid.uuid4().hex[:6]}"
    add_client(wh, Principal(TENANT, "admin@px", "admin"), Client(cid, "Export client"))
    who = Principal(TENANT, "strategist@px", "strategist")
    lines = [
        {"line_id": "tv", "channel": "TV", "platform": "tv", "pricing_model": "CPM", "unit_price": 300.0,
         "budget_net": 900_000.0, "planned_impressions": 3_000_000, "flight_start": dt.date(2026, 3, 1),
         "flight_end": dt.date(2026, 3, 31)},
        {"line_id": "olv", "channel": "OLV", "platform": "vk_ads", "pricing_model": "CPM", "unit_price": 450.0,
         "budget_net": 300_000.55, "planned_impressions": 666_668, "flight_start": dt.date(2026, 3, 5),
         "flight_end": dt.date(2026, 3, 20)},
    ]  # fmt: skip
    version = pv.save_version(wh, who, cid, pid, lines, name="Весна")
    header, stored = pv.read_version(wh, who, cid, pid, version)
    data = plan_xlsx_bytes({**header, "plan_version": version}, stored, language=lang, ta_size=1_000_000)
    formulas = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True).worksheets[0]
    heads = [c.value for c in formulas[7]]
    budget_col = heads.index("Бюджет без НДС" if lang == "ru" else "Budget net of VAT") + 1
    imps_col = heads.index("Показы" if lang == "ru" else "Impressions") + 1
    assert [formulas.cell(8 + i, 1).value for i in range(2)] == [ln["line_id"] for ln in stored]
    total = 8 + len(stored)
    assert formulas.cell(total, 1).value == ("Итого" if lang == "ru" else "Total")
    letter = openpyxl.utils.get_column_letter(budget_col)
    assert formulas.cell(total, budget_col).value == f"=SUM({letter}8:{letter}9)"
    assert values.cell(total, budget_col).value == pytest.approx(
        sum(float(ln["budget_net"]) for ln in stored)
    )
    assert values.cell(total, imps_col).value == sum(int(ln["planned_impressions"]) for ln in stored)
    assert str(formulas.cell(1, 1).value).endswith("Весна")
