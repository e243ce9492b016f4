"""Plan approval: planners submit, PM/AM approve or reject, four eyes, client scope, every role checked."""

from __future__ import annotations

import uuid

import pytest

from dashboards.auth import AccessDenied, Principal, add_user
from mrm.i18n import explain
from tests.integration.workspace.conftest import TENANT
from workspace import plans
from workspace.access import set_client_scope
from workspace.clients import Client, add_client


@pytest.fixture
def plan(ws, admin):
    cid, pid = f"pc-{uuid.uuid4().hex[:6]}", f"plan-{uuid.uuid4().hex[:6]}"
    add_client(ws, admin, Client(cid, "Plan client"))
    ws.insert(
        "app.media_plans",
        [[TENANT, cid, pid, 1, "imp-1", "Spring", 3]],
        column_names=["tenant_id", "client_id", "plan_id", "plan_version", "import_id", "name", "line_count"],
    )
    return cid, pid


def who(role: str, login: str = "") -> Principal:
    return Principal(TENANT, login or f"{role}@plans", role, "")


def test_strategist_submits_pm_rejects_with_a_reason_specialist_resubmits_am_approves(ws, plan):
    cid, pid = plan
    assert plans.plan_status(ws, who("pm"), cid, pid, 1) == ("draft", "")
    plans.submit_plan(ws, who("strategist"), cid, pid, 1)
    with pytest.raises(plans.PlanReviewError, match="is submitted"):
        plans.submit_plan(ws, who("specialist"), cid, pid, 1)
    with pytest.raises(plans.PlanReviewError, match="say why the plan is rejected") as no_reason:
        plans.review_plan(ws, who("pm"), cid, pid, 1, approve=False)
    assert explain(no_reason.value, "ru") == "note: укажите причину отклонения плана"
    assert plans.review_plan(ws, who("pm"), cid, pid, 1, approve=False, note="CPM too high") == "rejected"
    plans.submit_plan(ws, who("specialist"), cid, pid, 1)
    assert plans.review_plan(ws, who("account_manager"), cid, pid, 1, approve=True) == "approved"
    assert plans.plan_status(ws, who("analyst"), cid, pid, 1) == ("approved", "account_manager@plans")
    with pytest.raises(plans.PlanReviewError, match="is approved"):
        plans.review_plan(ws, who("pm"), cid, pid, 1, approve=True)
    steps = ws.query(
        "SELECT status, login FROM app.plan_reviews WHERE plan_id = {p:String} ORDER BY at",
        parameters={"p": pid},
    ).result_rows
    assert steps == [
        ("submitted", "strategist@plans"),
        ("rejected", "pm@plans"),
        ("submitted", "specialist@plans"),
        ("approved", "account_manager@plans"),
    ]


@pytest.mark.parametrize("role", ["pm", "account_manager", "analyst", "creative", "client"])
def test_roles_that_do_not_plan_cannot_submit(ws, plan, role):
    cid, pid = plan
    p = Principal(TENANT, f"{role}@plans", role, cid if role == "client" else "")
    with pytest.raises(AccessDenied, match="may not"):
        plans.submit_plan(ws, p, cid, pid, 1)


@pytest.mark.parametrize("role", ["specialist", "strategist", "analyst", "creative", "client"])
def test_roles_that_do_not_approve_cannot_review(ws, plan, role):
    cid, pid = plan
    plans.submit_plan(ws, who("strategist"), cid, pid, 1)
    p = Principal(TENANT, f"{role}@plans", role, cid if role == "client" else "")
    with pytest.raises(AccessDenied, match="may not"):
        plans.review_plan(ws, p, cid, pid, 1, approve=True)


def test_no_self_approval_unknown_plans_and_unassigned_clients(ws, admin, plan):
    cid, pid = plan
    plans.submit_plan(ws, admin, cid, pid, 1)
    with pytest.raises(plans.PlanReviewError, match="someone other"):
        plans.review_plan(ws, admin, cid, pid, 1, approve=True)
    with pytest.raises(LookupError, match="version 2"):
        plans.submit_plan(ws, who("strategist"), cid, pid, 2)
    am = f"am-{uuid.uuid4().hex[:6]}@plans"
    add_user(ws, tenant_id=TENANT, login=am, role="account_manager", password="long-enough-1")
    other = f"oc-{uuid.uuid4().hex[:6]}"
    add_client(ws, admin, Client(other, "Other"))
    set_client_scope(ws, admin, am, all_clients=False, client_ids=(other,))
    with pytest.raises(AccessDenied, match="no access to client"):
        plans.review_plan(ws, Principal(TENANT, am, "account_manager"), cid, pid, 1, approve=True)
    assert plans.plan_status(ws, who("pm"), cid, pid, 1)[0] == "submitted"
