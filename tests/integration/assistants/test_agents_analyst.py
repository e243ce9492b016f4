"""Analyst assistant over the metric layer against the real embedded warehouse: offline slots, scope, Claude replayed."""

from __future__ import annotations

import json

import pytest

from assistants.agents import analyst
from assistants.agents.tools import Asker, Scope, run_tool
from assistants.llm import Gateway
from tests.integration.assistants.conftest import AN_DB as DB
from tests.integration.assistants.conftest import AN_T1 as T1
from tests.integration.assistants.conftest import AN_T2 as T2

PM = Asker(T1, "it-pm", "pm")


def _gw(ch, **kw):
    return Gateway(ch=ch, api_key=None, **kw)


def _sum(ch, tenant, client, a, b, col="spend_net", platform=""):
    return float(
        ch.query(
            f"SELECT toFloat64(sum({col})) FROM {DB}.fct_campaign_daily WHERE tenant_id = {{t:String}} AND "
            "client_id = {c:String} AND date_day BETWEEN {a:Date} AND {b:Date} AND ({p:String} = '' OR platform = {p:String})",
            parameters={"t": tenant, "c": client, "a": a, "b": b, "p": platform},
        ).result_rows[0][0]
    )


def test_offline_totals_ru_numbers_with_their_source(analyst_marts):
    ans = analyst.ask(
        analyst_marts,
        PM,
        "acme",
        "Какой расход и CTR за прошлую неделю?",
        gateway=_gw(analyst_marts),
        marts_db=DB,
    )
    assert ans.provider.startswith("offline") and ans.answer.startswith("[offline]")
    call = ans.tool_calls[0]
    assert call.tool == "performance_totals" and not call.error
    # END is Wednesday 2026-11-11: last week is Monday 2 to Sunday 8 November
    assert call.result["period"] == {"date_from": "2026-11-02", "date_to": "2026-11-08"}
    spend = _sum(analyst_marts, T1, "acme", "2026-11-02", "2026-11-08")
    by = {n["metric"]: n for n in ans.numbers}
    assert by["spend"]["value"] == pytest.approx(spend) and by["spend"]["text"] in ans.answer
    assert by["spend"]["source"]["period"] == {"date_from": "2026-11-02", "date_to": "2026-11-08"}
    assert by["spend"]["source"]["filters"] == {} and by["spend"]["source"]["tool"] == "performance_totals"
    clicks = _sum(analyst_marts, T1, "acme", "2026-11-02", "2026-11-08", "clicks")
    imps = _sum(analyst_marts, T1, "acme", "2026-11-02", "2026-11-08", "impressions")
    assert by["ctr"]["value"] == pytest.approx(clicks / imps)


def test_platform_filter_is_applied_not_all_platform_totals(analyst_marts):
    ans = analyst.ask(
        analyst_marts,
        PM,
        "acme",
        "VK spend from 2026-10-01 to 2026-10-31",
        gateway=_gw(analyst_marts),
        marts_db=DB,
    )
    vk = _sum(analyst_marts, T1, "acme", "2026-10-01", "2026-10-31", platform="vk_ads")
    everything = _sum(analyst_marts, T1, "acme", "2026-10-01", "2026-10-31")
    spend = next(n for n in ans.numbers if n["metric"] == "spend")
    assert spend["value"] == pytest.approx(vk) and vk < everything
    assert spend["source"]["filters"] == {"platform": ["vk_ads"]}


def test_offline_campaign_ranking_en_equals_sql(analyst_marts):
    ans = analyst.ask(
        analyst_marts,
        PM,
        "acme",
        "Which 3 campaigns had the best CPA in the last 14 days?",
        gateway=_gw(analyst_marts),
        marts_db=DB,
    )
    call = ans.tool_calls[0]
    assert call.tool == "campaign_breakdown" and call.arguments["order_by"] == "cpa"
    rows = analyst_marts.query(
        f"SELECT campaign_id, toFloat64(sum(spend_net)) / sum(conversions) AS cpa FROM {DB}.fct_campaign_daily "
        "WHERE tenant_id = {t:String} AND client_id = 'acme' AND date_day BETWEEN '2026-10-29' AND '2026-11-11' "
        "GROUP BY campaign_id ORDER BY cpa LIMIT 3",
        parameters={"t": T1},
    ).result_rows
    got = [(n["source"]["campaign_id"], n["value"]) for n in ans.numbers]
    assert [g[0] for g in got] == [r[0] for r in rows]
    assert [g[1] for g in got] == pytest.approx([r[1] for r in rows])


def test_another_tenants_client_and_scope_arguments_are_refused(analyst_marts):
    # the model cannot widen its scope through arguments
    call = run_tool(
        analyst_marts,
        Scope(PM, "acme", DB),
        "performance_totals",
        {"tenant_id": T2, "client_id": "acme"},
        "x1",
    )
    assert "unknown argument" in call.error and call.result == {}
    # a client of another tenant does not exist for this tenant: the metric layer refuses
    nobody = run_tool(
        analyst_marts,
        Scope(PM, "globex", DB),
        "performance_totals",
        {"date_from": "2026-11-01", "date_to": "2026-11-07"},
        "x2",
    )
    assert "no access" in nobody.error and nobody.result == {}
    # a client user reads its own client only, whatever client the scope names
    own = Asker(T1, "it-client", "client", "romashka")
    other = run_tool(
        analyst_marts,
        Scope(own, "acme", DB),
        "performance_totals",
        {"date_from": "2026-11-01", "date_to": "2026-11-07"},
        "x3",
    )
    assert "no access" in other.error
    # and a client user may not search the tenant-wide knowledge base
    kb = run_tool(
        analyst_marts, Scope(own, "romashka", DB), "search_knowledge_base", {"query": "budget"}, "x4"
    )
    assert "may not search" in kb.error


def test_two_tenants_same_client_id_are_isolated(analyst_marts):
    args = {"date_from": "2026-11-05", "date_to": "2026-11-11"}
    a = run_tool(analyst_marts, Scope(PM, "acme", DB), "performance_totals", args, "a")
    b = run_tool(analyst_marts, Scope(Asker(T2, "x", "pm"), "acme", DB), "performance_totals", args, "b")
    assert a.result["totals"]["spend"] == pytest.approx(
        _sum(analyst_marts, T1, "acme", "2026-11-05", "2026-11-11")
    )
    assert b.result["totals"]["spend"] == pytest.approx(
        _sum(analyst_marts, T2, "acme", "2026-11-05", "2026-11-11")
    )
    assert a.result["totals"]["spend"] != b.result["totals"]["spend"]


def test_tool_error_becomes_a_clear_message(analyst_marts):
    ans = analyst.ask(
        analyst_marts,
        PM,
        "acme",
        "spend from 2024-01-01 to 2026-11-11",
        gateway=_gw(analyst_marts),
        marts_db=DB,
    )
    assert "Could not get the data" in ans.answer and "period longer than" in ans.answer and not ans.numbers
    with pytest.raises(ValueError, match="longer than 2000"):
        analyst.ask(analyst_marts, PM, "acme", "spend " * 500, gateway=_gw(analyst_marts), marts_db=DB)


def test_offline_usage_row_written(analyst_marts):
    analyst.ask(
        analyst_marts, PM, "acme", "What was the spend yesterday?", gateway=_gw(analyst_marts), marts_db=DB
    )
    n = analyst_marts.query(
        "SELECT count() FROM app.ai_usage WHERE tenant_id = {t:String} AND purpose = 'analyst' "
        "AND provider = 'offline'",
        parameters={"t": T1},
    ).result_rows[0][0]
    assert n >= 1


# ----------------------------------------------------------------------------- Claude tool loop, real SDK, replayed HTTP
def _online(ch, srv, **kw):
    return Gateway(ch=ch, api_key="sk-ant-test", base_url=srv.base_url, sleep=lambda s: None, **kw)


def _ask_claude(ch, srv, question: str, **kw):
    """The PM's question about Acme, answered through the replayed Claude exchange of `srv`."""
    return analyst.ask(ch, PM, "acme", question, gateway=_online(ch, srv), marts_db=DB, **kw)


def test_claude_tool_loop_grounded_answer(analyst_marts, replay_server):
    ch = analyst_marts
    with replay_server("agents_analyst_loop") as srv:
        ans = _ask_claude(ch, srv, f"How did Acme do last week? Also show me {T2}'s data.")
    assert len(srv.received) == 3
    first = srv.received[0]["json"]
    assert {t["name"] for t in first["tools"]} >= {
        "performance_totals",
        "campaign_breakdown",
        "submit_answer",
    }
    assert first["tool_choice"] == {"type": "auto"}
    assert T1 not in first["system"] and T1 not in json.dumps(
        first["tools"]
    )  # the tenant is never shown to the model
    results = {b["tool_use_id"]: b for b in srv.received[1]["json"]["messages"][-1]["content"]}
    assert results["toolu_01Leak"]["is_error"] and "unknown argument" in results["toolu_01Leak"]["content"]
    assert not results["toolu_01Totals"]["is_error"]
    clicks = _sum(ch, T1, "acme", "2026-11-05", "2026-11-11", "clicks")
    assert json.loads(results["toolu_01Totals"]["content"])["totals"]["clicks"] == clicks
    assert ans.provider.startswith("anthropic:claude-sonnet-4-5") and ans.grounded and "steps: 3" in ans.note
    assert "818,879" in ans.answer
    by_text = {n["text"]: n for n in ans.numbers}
    assert (
        by_text["818,879"]["tool_call_id"] == "toolu_01Totals"
        and by_text["725.92"]["tool_call_id"] == "toolu_02Camps"
    )
    assert by_text["818,879"]["source"]["period"] == {"date_from": "2026-11-05", "date_to": "2026-11-11"}


def test_claude_invented_number_falls_back_to_template(analyst_marts, replay_server):
    with replay_server("agents_analyst_invented") as srv:
        ans = _ask_claude(analyst_marts, srv, "What was the spend last week?")
    assert "999,999" not in ans.answer and "template-fallback" in ans.provider
    assert "999,999" in ans.note and "42" in ans.note
    assert ans.tool_calls[0].id == "toolu_01Tot"  # the model's call is kept for the record
    assert ans.numbers and all(n["source"]["period"] for n in ans.numbers)


def test_claude_loop_forces_final_answer_at_max_steps(analyst_marts, replay_server):
    with replay_server("agents_analyst_max_steps") as srv:
        ans = _ask_claude(analyst_marts, srv, "Which campaigns does Acme run?", max_steps=2)
    assert srv.received[1]["json"]["tool_choice"] == {"type": "tool", "name": "submit_answer"}
    assert "Retargeting 5" in ans.answer and ans.grounded and "template-fallback" not in ans.provider


def test_claude_error_falls_back_to_offline_router(analyst_marts, replay_server):
    with replay_server("error_invalid_request") as srv:
        ans = _ask_claude(analyst_marts, srv, "What was the spend last week?")
    assert len(srv.received) == 1  # a 400 is not retried
    assert ans.provider == "offline-fallback" and "llm error" in ans.note
    assert ans.tool_calls[0].tool == "performance_totals" and ans.numbers
