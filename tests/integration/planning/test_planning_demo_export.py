"""Demo plans seeded through the real import path, and export of a stored plan."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner

from planning.cli import plan
from planning.demo import seed_demo_plans
from planning.mediaplan import list_plans, load_plan

CAMPAIGNS = {
    "shop": [
        {
            "platform": "yandex_direct",
            "campaign_id": "1001",
            "campaign_name": "shop_search",
            "account_id": "shop-login",
        },
        {"platform": "vk_ads", "campaign_id": "2001", "campaign_name": "shop_target", "daily_budget": 5000},
    ],
    "bank": [{"platform": "yandex_direct", "campaign_id": "1101", "campaign_name": "bank_search"}],
}


def test_seed_demo_plans_maps_lines_to_campaigns(ch: Any, tmp_path: Path) -> None:
    t = f"demo_{uuid.uuid4().hex[:6]}"
    ch.insert("app.clients", [[t, "shop", "Shop"], [t, "bank", "Bank"], [t, "idle", "Idle"]],
              column_names=["tenant_id", "client_id", "name"])  # fmt: skip
    start, end = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
    res = seed_demo_plans(ch, t, ["shop", "bank", "idle"], CAMPAIGNS, flight_start=start, flight_end=end)
    assert res["idle"] is None
    assert res["shop"] is not None and res["shop"].plan_version == 1
    header, lines = load_plan(ch, t, "demo-shop")
    assert {(ln["platform"], ln["platform_campaign_id"], ln["campaign_name"]) for ln in lines} == {
        ("yandex_direct", "1001", "shop_search"),
        ("vk_ads", "2001", "shop_target"),
    }
    vk = next(ln for ln in lines if ln["platform"] == "vk_ads")
    assert float(vk["budget_net"]) == 5000 * 31
    assert vk["flight_start"] == start and vk["flight_end"] == end and vk["pricing_model"] == "CPM"
    assert next(ln for ln in lines if ln["platform"] == "yandex_direct")["account_id"] == "shop-login"
    assert res["bank"] is not None and load_plan(ch, t, "demo-bank")[1][0]["campaign_name"] == "bank_search"
    # Re-running the demo leaves existing plans alone.
    again = seed_demo_plans(ch, t, ["shop"], CAMPAIGNS, flight_start=start, flight_end=end)
    assert again["shop"] is None
    assert [p["plan_version"] for p in list_plans(ch, t, "shop")] == [1]

    # Export through the CLI against the same warehouse.
    out = tmp_path / "shop.xlsx"
    result = CliRunner().invoke(plan, ["export", "demo-shop", str(out), "--tenant", t, "--lang", "en"])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out).worksheets[0]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "shop_search" in values and "Total" in values
    assert header["total_budget_net"] > 0
