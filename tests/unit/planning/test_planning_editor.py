"""The plan editor's computed columns, totals, combined reach and cell issues."""

from __future__ import annotations

import math

import pytest

from planning.editor import compute, from_store, to_store

U = 1_000_000


def test_cpm_line_by_hand():
    res = compute(
        [{"line_id": "tv", "channel": "TV", "pricing_model": "CPT", "unit_price": 300, "budget_net": 900_000,
          "curve_max_reach": 0.8, "curve_k": 0.004, "frequency_target": 3}],
        universe=U,
    )  # fmt: skip
    row = res.rows[0]
    assert res.issues == []
    assert row["volume"] == pytest.approx(3_000_000) and row["impressions"] == pytest.approx(3_000_000)
    assert row["grp"] == pytest.approx(300.0)  # 3 M impressions over 1 M people
    assert row["reach_1plus"] == pytest.approx(0.8 * (1 - math.exp(-1.2)))
    lam = 1.2  # k x GRP: mean contacts within the reachable pool
    assert row["reach_kplus"] == pytest.approx(0.8 * (1 - math.exp(-lam) * (1 + lam + lam**2 / 2)))
    assert row["cpp"] == pytest.approx(3000.0)
    assert res.combined_reach == pytest.approx(row["reach_1plus"])


def test_lines_combine_by_sainsbury_and_defaults_come_from_the_channel():
    lines = [
        {"line_id": "a", "channel": "OLV", "pricing_model": "CPV", "unit_price": 2.0, "budget_net": 200_000},
        {"line_id": "b", "channel": "Display", "planned_impressions": 500_000, "ta_size": 2_000_000},
        {"line_id": "c", "channel": "Search", "pricing_model": "CPC", "unit_price": 20, "budget_net": 1000},
    ]
    res = compute(lines, universe=U)
    a, b, c = res.rows
    assert a["impressions"] == pytest.approx(100_000) and a["grp"] == pytest.approx(10.0)
    assert a["reach_1plus"] == pytest.approx(0.70 * (1 - math.exp(-0.006 * 10)))  # OLV prior
    assert b["grp"] == pytest.approx(25.0)  # its own universe
    assert c["volume"] == pytest.approx(50) and c["grp"] is None  # clicks are not impressions
    assert res.combined_reach == pytest.approx(1 - (1 - a["reach_1plus"]) * (1 - b["reach_1plus"]))
    assert res.total_budget == pytest.approx(201_000) and res.total_grp == pytest.approx(35.0)


def test_bad_cells_are_marked_and_not_computed():
    lines = [
        {"line_id": "a", "pricing_model": "barter", "unit_price": 1, "budget_net": 10},
        {"line_id": "a", "budget_net": -5},
        {"line_id": "", "curve_max_reach": 1.5, "planned_impressions": 10},
        {"line_id": "d", "flight_start": "2026-03-10", "flight_end": "2026-03-01", "frequency_target": 2.5},
        {"line_id": "e", "unit_price": "abc"},
    ]
    res = compute(lines, universe=U)
    got = {(i.row, i.field) for i in res.issues}
    assert got == {
        (0, "pricing_model"), (1, "line_id"), (1, "budget_net"), (2, "line_id"), (2, "curve_max_reach"),
        (3, "frequency_target"), (3, "flight_end"), (4, "unit_price"),
    }  # fmt: skip
    assert all(r["grp"] is None for r in res.rows)
    assert any(i.message.startswith("row 2, line_id: 'a' repeats") for i in res.issues)


def test_store_round_trip_keeps_curve_in_extra():
    row = {"line_id": "x", "channel": "TV", "pricing_model": "cpm", "unit_price": 250.0, "budget_net": 1000.0,
           "flight_start": "2026-03-01", "flight_end": "2026-03-02", "curve_max_reach": 0.7, "curve_k": 0.01,
           "frequency_target": None, "planned_impressions": None, "ta_size": 5e5, "extra": {"utm_campaign": "s"}}  # fmt: skip
    line = to_store({**row, "grp": 3.0})
    assert line["extra"] == {"utm_campaign": "s", "curve_max_reach": "0.7", "curve_k": "0.01"}
    assert line["pricing_model"] == "CPM" and line["ta_size"] == 500_000 and "grp" not in line
    back = from_store(line)
    assert back["curve_max_reach"] == 0.7 and back["extra"] == {"utm_campaign": "s"}
