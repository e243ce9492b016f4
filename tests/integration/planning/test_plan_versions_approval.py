"""Plan workspace on the embedded warehouse: saves make new versions, the diff, every transition x role, and only
the highest approved/active version reaching plan vs fact (app.media_plan_lines_approved)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from dashboards.auth import AccessDenied, Principal
from workspace import plan_versions as pv
from workspace.clients import Client, add_client
from workspace.permissions import ROLES
from workspace.plans import PlanReviewError

TENANT = "pv_it"


@pytest.fixture(scope="module")
def wh(ch):
    from warehouse.migrate import migrate

    migrate(ch)
    return ch


def who(role: str, login: str = "") -> Principal:
    return Principal(TENANT, login or f"{role}@pv", role, "")


def _lines(budget_tv: float = 100_000.0) -> list[dict]:
    return [
        {"line_id": "tv", "channel": "TV", "platform": "tv", "budget_net": budget_tv, "pricing_model": "CPM",
         "unit_price": 300.0, "flight_start": dt.date(2026, 3, 1), "flight_end": dt.date(2026, 3, 31),
         "extra": {"curve_k": "0.005"}},
        {"line_id": "olv", "channel": "OLV", "platform": "vk_ads", "budget_net": 50_000.0, "pricing_model": "CPV",
         "unit_price": 2.5, "flight_start": dt.date(2026, 3, 1), "flight_end": dt.date(2026, 3, 15)},
    ]  # fmt: skip


@pytest.fixture
def plan(wh):
    cid, pid = f"c{uuid.uuid4().hex[:6]}", f"p{uuid.uuid4().hex[:6]}"
    add_client(wh, Principal(TENANT, "admin@pv", "admin"), Client(cid, "Plan client"))
    v = pv.save_version(wh, who("strategist"), cid, pid, _lines(), name="Spring")
    assert v == 1
    return cid, pid


def _approved_versions(wh, cid: str, pid: str) -> set[int]:
    rows = wh.query(
        "SELECT DISTINCT plan_version FROM app.media_plan_lines_approved WHERE tenant_id = {t:String} "
        "AND client_id = {c:String} AND plan_id = {p:String}",
        parameters={"t": TENANT, "c": cid, "p": pid},
    ).result_rows
    return {int(r[0]) for r in rows}


def test_save_makes_new_versions_and_the_diff_is_field_by_field(wh, plan):
    cid, pid = plan
    st = who("strategist")
    _, lines = pv.read_version(wh, st, cid, pid, 1)
    edited = [dict(ln) for ln in lines if ln["line_id"] != "olv"]
    edited[0]["budget_net"] = 120_000
    edited[0]["extra"] = {"curve_k": "0.006"}
    edited.append({"line_id": "search", "channel": "Search", "budget_net": 10_000.0})
    assert pv.save_version(wh, st, cid, pid, edited, name="Spring", based_on=1, note="more TV") == 2
    # Version 1 is untouched.
    _, v1 = pv.read_version(wh, st, cid, pid, 1)
    assert sorted(ln["line_id"] for ln in v1) == ["olv", "tv"] and float(v1[0]["budget_net"]) == 100_000
    changes = {c.line_id: c for c in pv.diff_versions(wh, st, cid, pid, 1, 2)}
    assert changes["tv"].change == "changed"
    assert {f: (float(o), float(n)) for f, (o, n) in changes["tv"].fields.items() if f == "budget_net"} == {
        "budget_net": (100_000.0, 120_000.0)
    }
    assert changes["tv"].fields["extra.curve_k"] == ("0.005", "0.006")
    assert set(changes["tv"].fields) == {"budget_net", "extra.curve_k"}
    assert changes["olv"].change == "removed" and changes["search"].change == "added"
    versions = pv.list_versions(wh, st, cid, pid)
    assert [(v["plan_version"], v["status"], v["based_on_version"]) for v in versions] == [
        (2, "draft", 1),
        (1, "draft", 0),
    ]
    assert versions[0]["saved_by"] == "strategist@pv" and versions[0]["note"] == "more TV"


def test_bad_lines_name_the_row(wh, plan):
    cid, pid = plan
    with pytest.raises(ValueError, match=r"row 2, line_id: 'tv' repeats"):
        pv.save_version(wh, who("specialist"), cid, pid, [{"line_id": "tv"}, {"line_id": "tv"}], name="x")
    with pytest.raises(ValueError, match=r"row 1, line_id: empty"):
        pv.save_version(wh, who("specialist"), cid, pid, [{"line_id": " "}], name="x")


@pytest.mark.parametrize("role", ROLES)
def test_who_may_save_a_version(wh, plan, role):
    cid, pid = plan
    may = role in ("admin", "pm", "account_manager", "specialist", "strategist")
    if may:
        assert pv.save_version(wh, who(role), cid, pid, _lines(), name="x") == 2
    else:
        with pytest.raises(AccessDenied):
            pv.save_version(wh, who(role), cid, pid, _lines(), name="x")


# Each step of the flow, who may take it (the matrix: planners submit and reopen, PM/AM decide and run; admin all).
STEPS = [
    ("draft", "submitted", {"strategist", "specialist", "admin"}),
    ("submitted", "approved", {"pm", "account_manager", "admin"}),
    ("submitted", "rejected", {"pm", "account_manager", "admin"}),
    ("approved", "active", {"pm", "account_manager", "admin"}),
    ("active", "completed", {"pm", "account_manager", "admin"}),
    ("rejected", "draft", {"strategist", "specialist", "admin"}),
]
_PATH = {"draft": [], "submitted": ["submitted"], "approved": ["submitted", "approved"],
         "active": ["submitted", "approved", "active"], "rejected": ["submitted", "rejected"]}  # fmt: skip
_ACTOR = {
    "submitted": "strategist",
    "approved": "pm",
    "rejected": "pm",
    "active": "pm",
    "draft": "strategist",
}


@pytest.mark.parametrize(("frm", "to", "allowed"), STEPS)
@pytest.mark.parametrize("role", ROLES)
def test_transition_by_role(wh, plan, frm, to, allowed, role):
    cid, pid = plan
    for step in _PATH[frm]:
        pv.transition(wh, who(_ACTOR[step]), cid, pid, 1, step, note="why" if step == "rejected" else "")
    assert pv.plan_status_of(wh, who("pm"), cid, pid, 1) == frm
    # A different login from the submitter (four eyes), so only the role decides.
    actor = who(role, f"{role}-2@pv")
    note = "not this time" if to == "rejected" else "ok"
    if role in allowed:
        assert pv.transition(wh, actor, cid, pid, 1, to, note=note) == to
        assert pv.plan_status_of(wh, who("pm"), cid, pid, 1) == to
        last = pv.history(wh, who("pm"), cid, pid)[-1]
        assert (last["status"], last["login"], last["note"]) == (to, f"{role}-2@pv", note)
    else:
        with pytest.raises(AccessDenied):
            pv.transition(wh, actor, cid, pid, 1, to, note=note)
        assert pv.plan_status_of(wh, who("pm"), cid, pid, 1) == frm


def test_steps_outside_the_flow_are_refused(wh, plan):
    cid, pid = plan
    with pytest.raises(PlanReviewError, match="can move to: submitted"):
        pv.transition(wh, who("pm"), cid, pid, 1, "approved")
    with pytest.raises(PlanReviewError, match="can move to"):
        pv.transition(wh, who("pm"), cid, pid, 1, "active")
    assert pv.allowed_next(who("strategist"), "draft") == ["submitted"]
    assert pv.allowed_next(who("pm"), "approved") == ["active"]
    assert pv.allowed_next(who("analyst"), "submitted") == []


def test_only_the_highest_approved_or_active_version_feeds_plan_vs_fact(wh, plan):
    cid, pid = plan
    st, pm = who("strategist"), who("pm")
    assert _approved_versions(wh, cid, pid) == set()  # a draft never counts
    pv.transition(wh, st, cid, pid, 1, "submitted")
    assert _approved_versions(wh, cid, pid) == set()  # nor a pending one
    pv.transition(wh, pm, cid, pid, 1, "approved")
    assert _approved_versions(wh, cid, pid) == {1}
    # A newer draft and a newer rejected version leave version 1 in force.
    assert pv.save_version(wh, st, cid, pid, _lines(130_000), name="Spring", based_on=1) == 2
    assert _approved_versions(wh, cid, pid) == {1}
    pv.transition(wh, st, cid, pid, 2, "submitted")
    pv.transition(wh, pm, cid, pid, 2, "rejected", note="too much TV")
    assert _approved_versions(wh, cid, pid) == {1}
    pv.transition(wh, pm, cid, pid, 1, "active")
    assert _approved_versions(wh, cid, pid) == {1}
    # Version 2 reworked, resubmitted and approved: it takes over.
    pv.transition(wh, st, cid, pid, 2, "draft")
    pv.transition(wh, st, cid, pid, 2, "submitted")
    pv.transition(wh, who("account_manager"), cid, pid, 2, "approved")
    assert _approved_versions(wh, cid, pid) == {2}
    budgets = wh.query(
        "SELECT line_id, toFloat64(budget_net) FROM app.media_plan_lines_approved WHERE tenant_id = {t:String} "
        "AND plan_id = {p:String} ORDER BY line_id",
        parameters={"t": TENANT, "p": pid},
    ).result_rows
    assert budgets == [("olv", 50_000.0), ("tv", 130_000.0)]
    # A history import is never plan, whatever its status.
    wh.command(
        "INSERT INTO app.media_plans (tenant_id, client_id, plan_id, plan_version, import_id, name, kind, line_count) "
        "VALUES ({t:String}, {c:String}, {p:String}, 9, 'hist-imp', 'old', 'history', 0)",
        parameters={"t": TENANT, "c": cid, "p": pid},
    )
    wh.insert("app.plan_reviews", [[TENANT, cid, pid, 9, "approved", "x"]],
              column_names=["tenant_id", "client_id", "plan_id", "plan_version", "status", "login"])  # fmt: skip
    assert _approved_versions(wh, cid, pid) == {2}


def test_other_tenant_and_scope_see_nothing(wh, plan):
    cid, pid = plan
    stranger = Principal("other_tenant", "x@o", "pm", "")
    with pytest.raises(LookupError):
        pv.read_version(wh, stranger, cid, pid, 1)
    assert pv.list_versions(wh, stranger, cid, pid) == []
    with pytest.raises(AccessDenied):
        pv.list_versions(wh, Principal(TENANT, "cl@pv", "client", "someone-else"), cid, pid)
