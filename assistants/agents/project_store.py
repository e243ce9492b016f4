"""Projects kept in the warehouse: the project assistant's draft (tasks with a RACI letter per role) stored for a
client, then edited by people and the assistant alike: task status and due date, RACI, team, linked artifacts.

Every read and write is bound to the asker's tenant; a client user sees its own client's projects only and edits
nothing; staff edit the projects of clients they may read (metrics.service.check_scope).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

from assistants.agents.project import LETTERS, ROLES, ProjectDraft
from metrics import service
from mrm.i18n import refusal

STATUSES = ("planned", "active", "on_hold", "done", "cancelled")
TASK_STATUSES = ("todo", "in_progress", "blocked", "done")
ARTIFACT_KINDS = ("plan", "report", "document")
_ID = re.compile(r"^[A-Za-z0-9_.:@+-]{1,128}$")


_PROJECT_COLUMNS = (
    "project_id",
    "client_id",
    "name",
    "status",
    "start_date",
    "end_date",
    "budget",
    "brief",
    "language",
    "created_by",
)
_TASK_COLUMNS = (
    "project_id",
    "task_id",
    "seq",
    "title",
    "phase",
    "status",
    "due_date",
    "raci_json",
    "depends_on",
)


class ProjectError(LookupError):
    """A project or task that does not exist for this user."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _insert_rows(
    ch: Any, table: str, tenant_id: str, columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """Write rows given as column -> value, in the tenant, with exactly the columns named."""
    ch.insert(
        table,
        [[tenant_id, *(row[c] for c in columns)] for row in rows],
        column_names=["tenant_id", *columns],
    )


def _insert_project(ch: Any, tenant_id: str, project: dict[str, Any]) -> None:
    """One version of a project's header (with `updated_at` when it replaces an earlier one)."""
    extra = ("updated_at",) if "updated_at" in project else ()
    _insert_rows(ch, "app.projects", tenant_id, (*_PROJECT_COLUMNS, *extra), [project])


def _editor(p: Any) -> None:
    if p.role == "client":
        raise refusal(PermissionError, "asst_client_cannot_edit_projects")


def create_from_draft(
    ch: Any,
    p: Any,
    draft: ProjectDraft,
    *,
    client_id: str = "",
    brief: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
    budget: float | None = None,
) -> str:
    """Store the draft as a new project with its tasks and RACI; links the client's plans the brief names."""
    _editor(p)
    if client_id:
        service.check_scope(ch, p, client_id)
    pid = uuid.uuid4().hex[:12]
    _insert_project(
        ch,
        p.tenant_id,
        {
            "project_id": pid,
            "client_id": client_id,
            "name": draft.title[:200],
            "status": "planned",
            "start_date": start,
            "end_date": end,
            "budget": budget,
            "brief": brief[:20000],
            "language": draft.language,
            "created_by": p.login,
        },
    )
    _insert_rows(
        ch,
        "app.project_tasks",
        p.tenant_id,
        _TASK_COLUMNS,
        [
            {
                "project_id": pid,
                "task_id": t.id,
                "seq": i,
                "title": t.title,
                "phase": t.phase,
                "status": "todo",
                "due_date": None,
                "raci_json": json.dumps(t.raci),
                "depends_on": list(t.depends_on),
            }
            for i, t in enumerate(draft.tasks, 1)
        ],
    )
    if client_id:
        plans = ch.query(
            "SELECT DISTINCT plan_id, name FROM app.media_plans WHERE tenant_id = {t:String} "
            "AND client_id = {c:String}",
            parameters={"t": p.tenant_id, "c": client_id},
        ).result_rows
        for plan_id, name in plans:
            if plan_id.lower() in brief.lower() or (name and name.lower() in brief.lower()):
                link(ch, p, pid, "plan", plan_id, name or plan_id)
    return pid


def _header(ch: Any, p: Any, project_id: str) -> dict[str, Any]:
    if not _ID.match(str(project_id)):
        raise refusal(ProjectError, "asst_project_bad_id", project=repr(project_id))
    rows = ch.query(
        f"SELECT {', '.join(_PROJECT_COLUMNS)} "  # noqa: S608 - the column names are this module's constants
        "FROM app.projects FINAL WHERE tenant_id = {t:String} AND project_id = {id:String}",
        parameters={"t": p.tenant_id, "id": project_id},
    ).result_rows
    if not rows or (p.role == "client" and rows[0][1] != p.client_id):
        raise refusal(ProjectError, "asst_project_not_found", project=repr(project_id))
    r = rows[0]
    if r[1]:
        service.check_scope(ch, p, r[1])
    return dict(zip(_PROJECT_COLUMNS, r, strict=True))


def list_projects(ch: Any, p: Any) -> list[dict[str, Any]]:
    """The projects this user may read, newest first."""
    readable = {c["client_id"] for c in service.readable_clients(ch, p)}
    rows = ch.query(
        "SELECT project_id, client_id, name, status, start_date, end_date, budget FROM app.projects FINAL "
        "WHERE tenant_id = {t:String} ORDER BY created_at DESC, project_id",
        parameters={"t": p.tenant_id},
    ).result_rows
    keys = ("project_id", "client_id", "name", "status", "start_date", "end_date", "budget")
    return [
        dict(zip(keys, r, strict=True))
        for r in rows
        if (r[1] in readable) or (not r[1] and p.role != "client")
    ]


def get_project(ch: Any, p: Any, project_id: str) -> dict[str, Any]:
    """Header, tasks (with RACI), team and artifacts of one project."""
    head = _header(ch, p, project_id)
    params = {"t": p.tenant_id, "id": project_id}
    tasks = ch.query(
        "SELECT task_id, seq, title, phase, status, due_date, raci_json, depends_on FROM app.project_tasks FINAL "
        "WHERE tenant_id = {t:String} AND project_id = {id:String} ORDER BY seq, task_id",
        parameters=params,
    ).result_rows
    team = ch.query(
        "SELECT login, role FROM app.project_team FINAL WHERE tenant_id = {t:String} AND project_id = {id:String} "
        "AND is_removed = 0 ORDER BY login",
        parameters=params,
    ).result_rows
    arts = ch.query(
        "SELECT kind, ref, title FROM app.project_artifacts FINAL WHERE tenant_id = {t:String} "
        "AND project_id = {id:String} ORDER BY kind, ref",
        parameters=params,
    ).result_rows
    return head | {
        "tasks": [
            {
                "task_id": r[0],
                "seq": r[1],
                "title": r[2],
                "phase": r[3],
                "status": r[4],
                "due_date": r[5],
                "raci": json.loads(r[6] or "{}"),
                "depends_on": list(r[7]),
            }
            for r in tasks
        ],
        "team": [{"login": r[0], "role": r[1]} for r in team],
        "artifacts": [{"kind": r[0], "ref": r[1], "title": r[2]} for r in arts],
    }


def raci_of_member(project: dict[str, Any], login: str) -> dict[str, str]:
    """task id -> the RACI letter the member holds through their role ('' when none)."""
    role = next((m["role"] for m in project["team"] if m["login"] == login), "")
    return {t["task_id"]: t["raci"].get(role, "") for t in project["tasks"]}


def update_task(
    ch: Any,
    p: Any,
    project_id: str,
    task_id: str,
    *,
    status: str | None = None,
    due_date: dt.date | None = None,
    raci: dict[str, str] | None = None,
) -> None:
    """Change a task's status, due date or RACI (exactly one A, at least one R, known roles and letters)."""
    _editor(p)
    project = get_project(ch, p, project_id)
    task = next((t for t in project["tasks"] if t["task_id"] == task_id), None)
    if task is None:
        raise refusal(ProjectError, "asst_task_not_found", task=repr(task_id), project=repr(project_id))
    if status is not None and status not in TASK_STATUSES:
        raise ValueError(f"status: {status!r} is not one of {', '.join(TASK_STATUSES)}")
    new_raci = dict(task["raci"] if raci is None else raci)
    bad = [r for r, v in new_raci.items() if r not in ROLES or v not in LETTERS]
    if bad or list(new_raci.values()).count("A") != 1 or "R" not in new_raci.values():
        raise refusal(ValueError, "asst_raci_rules", field=f"raci of {task_id}", roles=", ".join(ROLES))
    row = {k: task[k] for k in ("task_id", "seq", "title", "phase", "depends_on")}
    row |= {
        "project_id": project_id,
        "status": status or task["status"],
        "due_date": due_date if due_date is not None else task["due_date"],
        "raci_json": json.dumps(new_raci),
        "updated_at": _now(),
    }
    _insert_rows(ch, "app.project_tasks", p.tenant_id, (*_TASK_COLUMNS, "updated_at"), [row])


def set_member(ch: Any, p: Any, project_id: str, login: str, role: str, *, remove: bool = False) -> None:
    """Add a user to the team in a role (or remove them); their RACI letters follow from the role."""
    _editor(p)
    _header(ch, p, project_id)
    if role not in ROLES:
        raise ValueError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    if not _ID.match(login):
        raise ValueError(f"login: {login!r} is not a login")
    ch.insert(
        "app.project_team",
        [[p.tenant_id, project_id, login, role, int(remove), _now()]],
        column_names=["tenant_id", "project_id", "login", "role", "is_removed", "updated_at"],
    )


def link(ch: Any, p: Any, project_id: str, kind: str, ref: str, title: str = "") -> None:
    """Link a plan, report run or document to the project."""
    _editor(p)
    _header(ch, p, project_id)
    if kind not in ARTIFACT_KINDS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(ARTIFACT_KINDS)}")
    if not _ID.match(ref):
        raise ValueError(f"ref: {ref!r} is not an id")
    ch.insert(
        "app.project_artifacts",
        [[p.tenant_id, project_id, kind, ref, title[:200]]],
        column_names=["tenant_id", "project_id", "kind", "ref", "title"],
    )


def set_status(ch: Any, p: Any, project_id: str, status: str) -> None:
    _editor(p)
    head = _header(ch, p, project_id)
    if status not in STATUSES:
        raise ValueError(f"status: {status!r} is not one of {', '.join(STATUSES)}")
    _insert_project(ch, p.tenant_id, head | {"status": status, "updated_at": _now()})
