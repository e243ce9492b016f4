"""Projects: the project assistant's draft stored for a client with tasks and RACI, edited by people, read in scope."""

from __future__ import annotations

import datetime as dt

import pytest

from assistants.agents import chat, project_store
from assistants.agents.project import ROLES
from assistants.agents.tools import Asker
from tests.integration.assistants.conftest import AN_T1 as T1
from tests.integration.assistants.conftest import AN_T2 as T2
from tests.integration.assistants.test_agents_mediaplan_cli import LINES, _insert_plan

PM = Asker(T1, "proj-pm", "pm")
BRIEF = "# Бриф\n## Цели\nОхват 60 % ЦА\n## Каналы\nOLV, Директ по плану spring-olv\n## Креатив\nролик\n"


def test_project_assistant_creates_an_editable_project_with_raci(analyst_marts):
    ch = analyst_marts
    _insert_plan(ch, T1, "acme", "spring-olv", LINES)
    res = chat.ask(ch, PM, BRIEF, agent="project", client_id="acme")
    pid = res["project_id"]
    assert pid in res["answer"] and res["tool_calls"][0]["result"]["project_id"] == pid
    proj = project_store.get_project(ch, PM, pid)
    assert proj["client_id"] == "acme" and proj["status"] == "planned" and proj["tasks"]
    for task in proj["tasks"]:
        assert list(task["raci"].values()).count("A") == 1 and "R" in task["raci"].values()
    assert {r for tk in proj["tasks"] for r in tk["raci"]} == set(ROLES)
    assert {"kind": "plan", "ref": "spring-olv", "title": "Зима"} in proj[
        "artifacts"
    ]  # the plan the brief names
    # people edit it: task status and due date, the team, the project status
    first = proj["tasks"][0]["task_id"]
    project_store.update_task(ch, PM, pid, first, status="in_progress", due_date=dt.date(2026, 12, 1))
    project_store.set_member(ch, PM, pid, "olga", "strategist")
    project_store.set_status(ch, PM, pid, "active")
    again = project_store.get_project(ch, PM, pid)
    task = next(tk for tk in again["tasks"] if tk["task_id"] == first)
    assert (task["status"], task["due_date"]) == ("in_progress", dt.date(2026, 12, 1)) and again[
        "status"
    ] == "active"
    assert again["team"] == [{"login": "olga", "role": "strategist"}]
    assert project_store.raci_of_member(again, "olga")[first] == task["raci"].get("strategist", "")
    with pytest.raises(ValueError, match="exactly one A"):
        project_store.update_task(ch, PM, pid, first, raci={"pm": "A", "analyst": "A", "specialist": "R"})
    with pytest.raises(ValueError, match="status"):
        project_store.update_task(ch, PM, pid, first, status="finished")
    # scope: a client user of the client reads it but cannot edit; another client's user and tenant see nothing
    mine = Asker(T1, "c-acme", "client", "acme")
    assert pid in [p["project_id"] for p in project_store.list_projects(ch, mine)]
    with pytest.raises(PermissionError):
        project_store.set_status(ch, mine, pid, "done")
    other = Asker(T1, "c-rom", "client", "romashka")
    assert pid not in [p["project_id"] for p in project_store.list_projects(ch, other)]
    with pytest.raises(project_store.ProjectError):
        project_store.get_project(ch, other, pid)
    with pytest.raises(project_store.ProjectError):
        project_store.get_project(ch, Asker(T2, "proj-pm", "pm"), pid)
