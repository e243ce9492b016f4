"""The Projects page (AppTest, signed in through the real form): the project the assistant created, its tasks with
RACI, edited on the page; a client user reads its own client's projects without edit controls."""

from __future__ import annotations

import pytest

from tests.integration.dashboards.conftest import logged_in_app, principal

pytestmark = pytest.mark.usefixtures("dash")


def test_projects_page_shows_and_edits_the_assistants_project(ch):
    from assistants.agents import chat, project_store

    res = chat.ask(
        ch,
        principal("it-pm@t1"),
        "Launch a spring campaign on VK and Direct with a video.",
        agent="project",
        client_id="acme",
    )
    pid = res["project_id"]
    at = logged_in_app("it-pm@t1", page="app_pages/projects.py", query={"client": "acme"})
    label = next(o for o in at.selectbox(key="proj_sel").options if o.endswith(pid))
    at.selectbox(key="proj_sel").set_value(label).run()
    assert not at.exception, at.exception
    tasks = next(
        d.value for d in at.dataframe if "Project manager" in d.value.columns
    )  # role names as headers
    stored = project_store.get_project(ch, principal("it-pm@t1"), pid)
    assert list(tasks["Task ID"]) == [tk["task_id"] for tk in stored["tasks"]]
    assert list(tasks["Project manager"]) == [tk["raci"].get("pm", "") for tk in stored["tasks"]]
    assert list(map(str, tasks["Due date"])) == [
        str(tk["due_date"] or "—") for tk in stored["tasks"]
    ]  # none: '—'
    at.selectbox(key="proj_task_status").set_value("done").run()
    at.button(key="proj_task_save").click().run()
    assert not at.exception, at.exception
    first = project_store.get_project(ch, principal("it-pm@t1"), pid)["tasks"][0]
    assert first["status"] == "done"
    # a client user of acme reads it, without edit controls
    client = logged_in_app("it-client-acme@t1", page="app_pages/projects.py", query={"client": "acme"})
    assert any(o.endswith(pid) for o in client.selectbox(key="proj_sel").options)
    assert not [b for b in client.button if b.key == "proj_task_save"]
    other = logged_in_app("it-client-romashka@t1", page="app_pages/projects.py")
    assert not any(o.endswith(pid) for s in other.selectbox if s.key == "proj_sel" for o in s.options)
