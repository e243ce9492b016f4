"""Who may see a built report: staff of the client always, the client's own users only a released run.

A release names one run id (one build). Rebuilding a report writes a new run id, so the client sees the new
numbers only after an account manager (or PM) has looked at them and released that run again.
"""

from __future__ import annotations

from typing import Any

from mrm.i18n import refusal
from workspace import access

__all__ = ["is_released", "job_visible", "release", "released_runs", "state", "visible_to"]


def state(ch: Any, tenant_id: str, client_id: str, run_id: str) -> tuple[bool, str]:
    """(released now, by whom): the newest release row of this run decides."""
    rows = ch.query(
        "SELECT argMax(released, updated_at), argMax(released_by, updated_at), count() FROM app.report_releases "
        "WHERE tenant_id = {t:String} AND client_id = {c:String} AND run_id = {r:String}",
        parameters={"t": tenant_id, "c": client_id, "r": run_id},
    ).result_rows
    if not rows or not rows[0][2]:
        return False, ""
    return bool(rows[0][0]), str(rows[0][1])


def is_released(ch: Any, tenant_id: str, client_id: str, run_id: str) -> bool:
    """Whether this run is released to the client's users now."""
    return state(ch, tenant_id, client_id, run_id)[0]


def release(ch: Any, p: Any, files: Any, *, released: bool = True) -> None:
    """Release a built run to the client's users (or withdraw it): PM and account managers only, audited."""
    from dashboards.auth import AccessDenied, audit

    access.require(ch, p, "release_report", target=files.run_id)
    if files.tenant_id != p.tenant_id:
        raise refusal(AccessDenied, "dash_report_other_tenant")
    access.require_client(ch, p, files.client_id)
    ch.insert(
        "app.report_releases",
        [[files.tenant_id, files.client_id, files.run_id, files.content_hash, int(released), p.login]],
        column_names=["tenant_id", "client_id", "run_id", "content_hash", "released", "released_by"],
    )
    audit(
        ch,
        p.tenant_id,
        p.login,
        "release_report",
        "ok" if released else "withdrawn",
        target=f"{files.client_id} {files.run_id}",
    )


def visible_to(ch: Any, p: Any, tenant_id: str, client_id: str, run_id: str) -> bool:
    """Whether principal `p` may see this run: a client user only when released, staff of the tenant always
    (the client scope is the caller's to check, as for every other read)."""
    if p.tenant_id != tenant_id:
        return False
    if p.role != "client":
        return True
    return p.client_id == client_id and is_released(ch, tenant_id, client_id, run_id)


def job_visible(ch: Any, p: Any, job: dict[str, Any]) -> bool:
    """Whether `p` may see a report job of the API: for a client user the job's run must be finished, still the
    current build of its report (a rebuild writes over the same files) and released."""
    if p.role != "client":
        return p.tenant_id == job["tenant_id"]
    if job["status"] != "done":
        return False
    from assistants.reports import load_run

    try:
        current = load_run(ch, job["tenant_id"], job["client_id"], job["period"], job["lang"]).run_id
    except LookupError:
        return False
    return current == job["run_id"] and visible_to(ch, p, job["tenant_id"], job["client_id"], job["run_id"])


def released_runs(ch: Any, p: Any, client_id: str, limit: int = 12) -> list[dict[str, Any]]:
    """The client's reports released now (each the current build of its period and language), newest first."""
    from pathlib import Path

    from assistants.reports.snapshot import REPORT_VERSION

    access.require_client(ch, p, client_id)
    r = ch.query(
        "SELECT date_from, date_to, lang, run_id, files FROM app.report_runs FINAL "
        "WHERE tenant_id = {t:String} AND client_id = {c:String} AND version = {v:String} AND run_id IN ("
        "SELECT run_id FROM app.report_releases WHERE tenant_id = {t:String} AND client_id = {c:String} "
        "GROUP BY run_id HAVING argMax(released, updated_at) = 1) "
        "ORDER BY date_to DESC, date_from DESC, lang LIMIT {n:UInt32}",
        parameters={"t": p.tenant_id, "c": client_id, "v": REPORT_VERSION, "n": limit},
    )
    return [
        {"date_from": a, "date_to": b, "lang": lang, "run_id": run, "files": [Path(f) for f in files]}
        for a, b, lang, run, files in r.result_rows
    ]
