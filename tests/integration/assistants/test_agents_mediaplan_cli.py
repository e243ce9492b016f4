"""Media-plan assistant over app.media_plans in the real warehouse, and the CLI (`ask --client`, `assist`)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from click.testing import CliRunner

from assistants import cli
from assistants.agents import mediaplan
from planning import plan_math

T1, T2 = "it_agents_mp", "it_agents_mp_other"
LINES = [
    # line_id, channel, budget, trp, planned reach
    ("L1", "OLV", 1_000_000, 200.0, 0.45),
    ("L2", "Social", 3_000_000, 600.0, 0.55),
    ("L3", "Display", 500_000, 150.0, None),
]


def _insert_plan(ch, tenant, client, plan_id, lines, version=1):
    imp = uuid.uuid4().hex
    ch.insert(
        "app.media_plan_lines",
        [
            [
                tenant,
                client,
                plan_id,
                version,
                imp,
                lid,
                n,
                ch_name,
                dt.date(2026, 12, 1),
                dt.date(2026, 12, 31),
                budget,
                trp,
                reach,
            ]
            for n, (lid, ch_name, budget, trp, reach) in enumerate(lines, start=1)
        ],
        column_names=[
            "tenant_id",
            "client_id",
            "plan_id",
            "plan_version",
            "import_id",
            "line_id",
            "line_no",
            "channel",
            "flight_start",
            "flight_end",
            "budget_net",
            "planned_trp",
            "planned_reach",
        ],
    )
    ch.insert(
        "app.media_plans",
        [[tenant, client, plan_id, version, imp, "Зима", len(lines)]],
        column_names=["tenant_id", "client_id", "plan_id", "plan_version", "import_id", "name", "line_count"],
    )


@pytest.fixture(scope="module")
def plans(ch):
    from warehouse.migrate import migrate as run_migrations

    run_migrations(ch)
    _insert_plan(ch, T1, "romashka", "winter", LINES)
    # Another tenant, same plan id, different lines: must never be read for T1.
    _insert_plan(ch, T2, "romashka", "winter", [("X1", "TV", 9_000_000, 900.0, 0.8)])
    return ch


def test_reallocation_improves_reach_and_keeps_budget(plans):
    adv = mediaplan.suggest(plans, T1, "winter")
    assert adv.client_id == "romashka" and adv.plan_version == 1
    assert {ln["line_id"] for ln in adv.lines} == {"L1", "L2", "L3"}  # never the other tenant's X1
    assert adv.budget_after == pytest.approx(adv.budget_before, abs=1) == 4_500_000
    assert adv.reach_after > adv.reach_before + 0.01
    # "before" is the plan as imported: plan_math's own forecast of the same lines agrees
    fc = plan_math.forecast_plan(
        [
            {"line_id": lid, "channel": c, "budget_net": b, "planned_trp": t, "planned_reach": r}
            for lid, c, b, t, r in LINES
        ]
    )
    assert adv.reach_before == pytest.approx(fc.reach, abs=0.002)
    assert "negative-exponential" in adv.model and "Sainsbury" in adv.model
    assert all(ln["model"].startswith("negative exponential") for ln in adv.lines)
    text = adv.text("ru")
    from assistants.llm.numbers import ungrounded_numbers

    assert ungrounded_numbers(text, adv.as_dict()) == []


def test_target_reach_reports_extra_budget(plans):
    adv = mediaplan.suggest(plans, T1, "winter", target_reach=0.9)
    assert adv.target_met and adv.extra_budget_needed and adv.extra_budget_needed > 0
    assert adv.budget_after == pytest.approx(adv.budget_before + adv.extra_budget_needed, abs=1)
    assert adv.reach_after >= 0.9
    low = mediaplan.suggest(plans, T1, "winter", target_reach=0.5)
    assert low.saving_possible and low.budget_after == pytest.approx(low.budget_before, abs=1)


def test_unknown_plan_or_foreign_tenant_is_an_error(plans):
    with pytest.raises(LookupError, match="not found"):
        mediaplan.suggest(plans, T1, "no-such-plan")
    with pytest.raises(LookupError, match="not found"):
        mediaplan.suggest(plans, "tenant-without-plans", "winter")


def test_cli_assist_plan_json(plans):
    res = CliRunner().invoke(
        cli.assist,
        ["plan", "--tenant", T1, "--plan-id", "winter", "--target-reach", "75", "--lang", "en", "--json"],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["goal"]["target_reach"] == 0.75 and out["reach_after"] >= out["reach_before"]
    assert "Plan winter (version 1)" in out["text"]


def test_cli_assist_project_writes_files(tmp_path):
    brief = tmp_path / "brief.md"
    brief.write_text("# Бриф\n## Каналы\nOLV и VK таргет\n## Креатив\nбаннеры\n", encoding="utf-8")
    res = CliRunner().invoke(cli.assist, ["project", "--brief", str(brief), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "| T01 |" in res.output
    import openpyxl

    ws = openpyxl.load_workbook(tmp_path / "out" / "project.xlsx")["RACI"]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["ID", "Задача"] and len(header) == 9
    data = json.loads((tmp_path / "out" / "project.json").read_text(encoding="utf-8"))
    assert len(data["raci"]) == ws.max_row - 1


def test_cli_ask_with_client_uses_analyst(plans, analyst_marts, warehouse_url):
    from tests.integration.assistants.conftest import AN_DB, AN_T1

    res = CliRunner().invoke(
        cli.ask,
        [
            "Какой расход за последние 7 дней?",
            "--tenant",
            AN_T1,
            "--client",
            "acme",
            "--marts-db",
            AN_DB,
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["tool_calls"][0]["tool"] == "performance_totals" and out["numbers"] and out["thread_id"]
    spend = plans.query(
        f"SELECT toFloat64(sum(spend_net)) FROM {AN_DB}.fct_campaign_daily WHERE tenant_id = "
        "{t:String} AND client_id = 'acme' AND date_day >= '2026-11-05'",
        parameters={"t": AN_T1},
    ).result_rows[0][0]
    assert out["tool_calls"][0]["result"]["totals"]["spend"] == pytest.approx(spend, abs=0.01)
    # without --client the knowledge-base answer is kept
    kb = CliRunner().invoke(cli.ask, ["Что такое CTR?", "--tenant", T1, "--json"])
    assert kb.exit_code == 0, kb.output
    assert set(json.loads(kb.output)) == {"answer", "provider", "citations"}
