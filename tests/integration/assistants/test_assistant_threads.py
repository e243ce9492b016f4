"""Threads, follow-ups, feedback and `mrm ask --agent … --json` against the embedded warehouse."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistants.agents import chat, memory
from assistants.agents.tools import Asker
from assistants.llm import Gateway
from tests.integration.assistants.conftest import AN_DB as DB
from tests.integration.assistants.conftest import AN_T1 as T1
from tests.integration.assistants.conftest import AN_T2 as T2

ANNA = Asker(T1, "anna@it", "analyst")
BORIS = Asker(T1, "boris@it", "pm")


def _count(ch, table, thread_id):
    return ch.query(
        f"SELECT count() FROM app.{table} WHERE thread_id = {{id:String}}", parameters={"id": thread_id}
    ).result_rows[0][0]


def _vk_spend(ch, a, b):
    return ch.query(
        f"SELECT toFloat64(sum(spend_net)) FROM {DB}.fct_campaign_daily WHERE tenant_id = {{t:String}} AND "
        "client_id = 'acme' AND platform = 'vk_ads' AND date_day BETWEEN {a:Date} AND {b:Date}",
        parameters={"t": T1, "a": a, "b": b},
    ).result_rows[0][0]


def test_thread_follow_up_feedback_and_real_delete(analyst_marts):
    ch, gw = analyst_marts, Gateway(ch=analyst_marts, api_key=None)
    first = chat.ask(ch, ANNA, "Какой расход за прошлую неделю?", client_id="acme", gateway=gw, marts_db=DB)
    tid = first["thread_id"]
    follow = chat.ask(ch, ANNA, "а по VK?", thread_id=tid, gateway=gw, marts_db=DB)
    assert follow["thread_id"] == tid and follow["client_id"] == "acme"
    spend = next(n for n in follow["numbers"] if n["metric"] == "spend")
    assert spend["value"] == pytest.approx(_vk_spend(ch, "2026-11-02", "2026-11-08"))
    assert spend["source"]["filters"] == {"platform": ["vk_ads"]}
    assert [t["question"] for t in memory.turns(ch, ANNA, tid)] == [
        "Какой расход за прошлую неделю?",
        "а по VK?",
    ]
    assert tid in [t["thread_id"] for t in memory.list_threads(ch, ANNA)]
    # another user of the same tenant neither sees nor continues nor deletes it
    assert tid not in [t["thread_id"] for t in memory.list_threads(ch, BORIS)]
    with pytest.raises(memory.ThreadError):
        chat.ask(ch, BORIS, "and last month?", thread_id=tid, gateway=gw, marts_db=DB)
    with pytest.raises(memory.ThreadError):
        memory.delete_thread(ch, BORIS, tid)
    # feedback is stored with the question, the tool calls and the answer, and exported by the CLI
    memory.record_feedback(ch, ANNA, follow["message_id"], -1, "wanted gross spend")
    with pytest.raises(ValueError, match="rating"):
        memory.record_feedback(ch, ANNA, follow["message_id"], 5)
    with pytest.raises(memory.ThreadError):
        memory.record_feedback(ch, BORIS, follow["message_id"], 1)
    r = CliRunner().invoke(
        __import__("mrm.cli", fromlist=["cli"]).cli, ["ai", "feedback", "export", "--tenant", T1]
    )
    assert r.exit_code == 0, r.output
    cases = [json.loads(x) for x in r.output.splitlines() if x.startswith("{")]
    mine = [c for c in cases if c["message_id"] == follow["message_id"]]
    assert mine and mine[0]["rating"] == -1 and mine[0]["comment"] == "wanted gross spend"
    assert mine[0]["question"] == "а по VK?" and mine[0]["tool_calls"][0]["tool"] == "performance_totals"
    assert mine[0]["answer"] == follow["answer"] and mine[0]["numbers"]
    # delete really deletes: no row of the thread is left in any table
    memory.delete_thread(ch, ANNA, tid)
    assert [
        _count(ch, t, tid) for t in ("assistant_threads", "assistant_messages", "assistant_feedback")
    ] == [0, 0, 0]
    with pytest.raises(memory.ThreadError):
        memory.turns(ch, ANNA, tid) or memory.get_thread(ch, ANNA, tid)


def test_chat_refuses_politely(analyst_marts):
    ch = analyst_marts
    with pytest.raises(ValueError, match="longer than 2000"):
        chat.ask(ch, ANNA, "x" * 2001, client_id="acme")
    with pytest.raises(ValueError, match="needs a client"):
        chat.ask(ch, ANNA, "spend last week")
    with pytest.raises(PermissionError, match="no access"):
        chat.ask(ch, ANNA, "spend last week", client_id="globex")
    with pytest.raises(memory.ThreadError):
        chat.ask(ch, ANNA, "spend", thread_id="../../etc")


def _mrm(*args):
    from mrm.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=True)


def test_mrm_ask_agent_json_and_thread(analyst_marts, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    r = _mrm(
        "ask",
        "--agent",
        "analyst",
        "--tenant",
        T1,
        "--client",
        "acme",
        "--marts-db",
        DB,
        "--user",
        "cli-it",
        "--json",
        "Spend last week vs the previous week",
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert {"answer", "numbers", "thread_id"} <= set(out)
    spend = next(n for n in out["numbers"] if n["metric"] == "spend")
    assert spend["source"]["period"] == {"date_from": "2026-11-02", "date_to": "2026-11-08"}
    assert spend["text"] in out["answer"]
    r2 = _mrm(
        "ask",
        "--tenant",
        T1,
        "--thread",
        out["thread_id"],
        "--marts-db",
        DB,
        "--user",
        "cli-it",
        "--json",
        "and on VK?",
    )
    assert r2.exit_code == 0, r2.output
    out2 = json.loads(r2.output)
    assert out2["thread_id"] == out["thread_id"]
    vk = next(n for n in out2["numbers"] if n["metric"] == "spend")
    assert vk["value"] == pytest.approx(_vk_spend(analyst_marts, "2026-11-02", "2026-11-08"))
    assert any(n["metric"] == "spend_change" for n in out2["numbers"])  # the comparison carried over too
    # another tenant's client: refused, nothing of it printed
    r3 = _mrm(
        "ask", "--agent", "analyst", "--tenant", T1, "--client", "globex", "--marts-db", DB, "--json", "spend"
    )
    assert r3.exit_code != 0 and "no access" in r3.output and "Traceback" not in r3.output
    r4 = _mrm(
        "ask", "--agent", "project", "--tenant", T2, "--json", "Launch a spring campaign on VK and Direct."
    )
    assert r4.exit_code == 0, r4.output
    proj = json.loads(r4.output)
    assert proj["agent"] == "project" and proj["tool_calls"][0]["result"]["raci"] and proj["thread_id"]


def test_plan_advisor_in_the_chat_answers_on_the_clients_newest_plan(analyst_marts):
    from tests.integration.assistants.test_agents_mediaplan_cli import LINES, _insert_plan

    ch = analyst_marts
    _insert_plan(ch, T1, "acme", "chat-winter", LINES)
    _insert_plan(ch, T2, "acme", "chat-winter", [("X1", "TV", 9_000_000, 900.0, 0.8)])  # never read for T1
    res = chat.ask(ch, ANNA, "Как перераспределить бюджет для охвата 60%?", agent="plan", client_id="acme")
    call = res["tool_calls"][0]
    # the optimizer's least budget for the target, on the client's newest plan (never the other tenant's)
    assert call["tool"] == "plan_optimize" and call["arguments"] == {"target_reach": 0.6}
    assert call["result"]["plan_id"] == "chat-winter"
    assert {ln["line_id"] for ln in call["result"]["lines"]} == {"L1", "L2", "L3"}
    by = {n["metric"]: n for n in res["numbers"] if "line_id" not in n["source"]}
    assert by["budget_before"]["value"] == pytest.approx(4_500_000)
    assert by["reach_after"]["value"] == pytest.approx(0.6, abs=1e-4)
    assert all(n["text"] in res["answer"] and n["source"]["plan_id"] == "chat-winter" for n in res["numbers"])
    assert memory.turns(ch, ANNA, res["thread_id"])[0]["agent"] == "plan"
