"""Projects: a client's projects with status, dates and budget; tasks with status, due date and a RACI letter per
role; the team (user and role) and the plans, reports and documents linked. The project assistant creates them;
people edit them here (a client user reads its own client's projects)."""

import pandas as pd
import streamlit as st

from assistants.agents import project_store as ps
from assistants.agents.project import ROLES
from dashboards import data, safe, ui
from dashboards.i18n import t

ctx = ui.context()
ch = data.client()
st.title(t("page_projects"))
projects = ps.list_projects(ch, ctx.principal)
if not projects:
    st.info(t("projects_none"))
    st.stop()
by_label = {f"{p['name'][:80]} · {p['project_id']}": p["project_id"] for p in projects}  # plain text options
pid = by_label[st.selectbox(t("project"), list(by_label), key="proj_sel", placeholder=t("pick_one"))]
with ui.guard():
    proj = ps.get_project(ch, ctx.principal, pid)
    st.subheader(safe.md(proj["name"]))
    safe.caption(
        " · ".join(
            str(x)
            for x in (proj["client_id"], proj["status"], proj["start_date"], proj["end_date"], proj["budget"])
            if x not in (None, "")
        )
    )
    st.markdown(f"**{t('project_tasks')}**")
    rows = [
        {
            "task_id": tk["task_id"],
            "title": tk["title"],
            "phase": tk["phase"],
            "task_status": tk["status"],
            "due_date": tk["due_date"],
            **{r: tk["raci"].get(r, "") for r in ROLES},
        }
        for tk in proj["tasks"]
    ]
    roles = {r: ui.role_label(r) for r in ROLES}
    heads = {"title": t("task"), "task_status": t("task_status"), "due_date": t("due_date"), **roles}
    ui.text_table(pd.DataFrame(rows), "proj_tasks", labels=heads)
    st.markdown(f"**{t('project_team')}**")
    team = [
        {"login": m["login"], "role": ui.role_label(m["role"]), **ps.raci_of_member(proj, m["login"])}
        for m in proj["team"]
    ]
    ui.text_table(pd.DataFrame(team or [{"login": "", "role": ""}]), "proj_team")
    st.markdown(f"**{t('project_artifacts')}**")
    ui.text_table(pd.DataFrame(proj["artifacts"] or [{"kind": "", "ref": "", "title": ""}]), "proj_arts")
    if ctx.principal.role != "client":
        tasks = {f"{tk['task_id']} {tk['title'][:60]}": tk for tk in proj["tasks"]}
        c1, c2, c3 = st.columns(3)
        chosen = tasks[c1.selectbox(t("task"), list(tasks), key="proj_task", placeholder=t("pick_one"))]
        status = c2.selectbox(
            t("task_status"),
            ps.TASK_STATUSES,
            key="proj_task_status",
            index=ps.TASK_STATUSES.index(chosen["status"]),
            placeholder=t("pick_one"),
        )
        due = c3.date_input(t("due_date"), value=chosen["due_date"], key="proj_task_due")
        if st.button(t("save"), key="proj_task_save"):
            ps.update_task(ch, ctx.principal, pid, chosen["task_id"], status=status, due_date=due or None)
            st.success(t("saved"))
            st.rerun()
        m1, m2 = st.columns(2)
        login = m1.text_input(t("member_login"), key="proj_member_login")
        role = m2.selectbox(t("member_role"), ROLES, key="proj_member_role", placeholder=t("pick_one"))
        if st.button(t("add_member"), key="proj_member_add") and login:
            ps.set_member(ch, ctx.principal, pid, login.strip(), role)
            st.rerun()
        pstatus = st.selectbox(
            t("project_status"),
            ps.STATUSES,
            index=ps.STATUSES.index(proj["status"]),
            key="proj_status",
            placeholder=t("pick_one"),
        )
        if st.button(t("save"), key="proj_status_save"):
            ps.set_status(ch, ctx.principal, pid, pstatus)
            st.rerun()
