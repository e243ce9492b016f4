"""Media-plan approval: planners submit a plan version, PM/AM approve or reject it (role and client scope checked).

Statuses: draft (no event) -> submitted -> approved | rejected; a rejected version may be submitted again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dashboards.auth import Principal, audit, check_id
from mrm.i18n import refusal
from workspace.access import require, require_client


class PlanReviewError(ValueError):
    """The plan version does not exist or is not in a state that allows this step; safe to show."""


def plan_status(ch: Any, p: Principal, client_id: str, plan_id: str, version: int) -> tuple[str, str]:
    """(status, login of the last step) of a plan version the principal may read; LookupError if no such plan."""
    require_client(ch, p, client_id)
    check_id("plan", plan_id)
    params = {"t": p.tenant_id, "c": client_id, "p": plan_id, "v": int(version)}
    exists = ch.query(
        "SELECT count() FROM app.media_plans WHERE tenant_id = {t:String} AND client_id = {c:String} "
        "AND plan_id = {p:String} AND plan_version = {v:UInt32}",
        parameters=params,
    ).result_rows[0][0]
    if not exists:
        raise refusal(
            LookupError, "ws_plan_missing", plan=repr(plan_id), version=version, client=repr(client_id)
        )
    rows = ch.query(
        "SELECT argMax(status, at), argMax(login, at) FROM app.plan_reviews WHERE tenant_id = {t:String} "
        "AND client_id = {c:String} AND plan_id = {p:String} AND plan_version = {v:UInt32} "
        "HAVING count() > 0",
        parameters=params,
    ).result_rows
    return (str(rows[0][0]), str(rows[0][1])) if rows else ("draft", "")


def _record(
    ch: Any, p: Principal, client_id: str, plan_id: str, version: int, status: str, note: str
) -> None:
    ch.insert(
        "app.plan_reviews",
        [
            [
                p.tenant_id,
                client_id,
                plan_id,
                int(version),
                status,
                p.login,
                note[:2000],
                dt.datetime.now(dt.UTC),
            ]
        ],
        column_names=["tenant_id", "client_id", "plan_id", "plan_version", "status", "login", "note", "at"],
    )
    audit(ch, p.tenant_id, p.login, f"plan_{status}", "ok", target=f"{client_id}/{plan_id}@{version}")


def submit_plan(ch: Any, p: Principal, client_id: str, plan_id: str, version: int, note: str = "") -> None:
    """A strategist or specialist submits a draft (or rejected) plan version for approval."""
    require(ch, p, "submit_plan", target=f"{client_id}/{plan_id}")
    status, _ = plan_status(ch, p, client_id, plan_id, version)
    if status not in ("draft", "rejected"):
        raise refusal(
            PlanReviewError, "ws_plan_submit_status", plan=repr(plan_id), version=version, status=status
        )
    _record(ch, p, client_id, plan_id, version, "submitted", note)


def review_plan(
    ch: Any, p: Principal, client_id: str, plan_id: str, version: int, *, approve: bool, note: str = ""
) -> str:
    """A PM or account manager approves or rejects a submitted version; nobody approves their own submission."""
    require(ch, p, "approve_plan", target=f"{client_id}/{plan_id}")
    status, by = plan_status(ch, p, client_id, plan_id, version)
    if status != "submitted":
        raise refusal(
            PlanReviewError, "ws_plan_not_submitted", plan=repr(plan_id), version=version, status=status
        )
    if by == p.login:
        raise refusal(PlanReviewError, "ws_plan_own_approval")
    if not approve and not note.strip():
        raise refusal(PlanReviewError, "ws_plan_reject_reason", field="note")
    outcome = "approved" if approve else "rejected"
    _record(ch, p, client_id, plan_id, version, outcome, note)
    return outcome
