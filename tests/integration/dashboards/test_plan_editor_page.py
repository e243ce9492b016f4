"""Plan editor page (Streamlit AppTest, real warehouse): create a plan, recompute on edit, save versions, submit,
approve by another role, compare versions, optimise, link and unlink a line."""

from __future__ import annotations

import uuid

import pytest

from planning import notify
from tests.integration.dashboards.conftest import logged_in_app, principal
from workspace import campaign_links, plan_versions

PAGE = "app_pages/plan_editor.py"


@pytest.fixture(scope="module")
def strategist(dash, ch):
    from dashboards import auth
    from tests.integration.dashboards.conftest import PASSWORD, USERS

    USERS["it-strategist@t1"] = ("dash_t1", "strategist", "")
    auth.add_user(ch, tenant_id="dash_t1", login="it-strategist@t1", role="strategist", password=PASSWORD)
    return "it-strategist@t1"


def _ch():
    from dashboards import data

    return data.client()


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_create_edit_save_submit_approve_diff_optimise_link(dash, strategist, ch):
    pid = f"ed{uuid.uuid4().hex[:6]}"
    at = logged_in_app(strategist, page=PAGE, query={"client": "acme"})
    # Working here in English leaves the language of the person's profile (and e-mails) as it was.
    assert notify.languages(ch, "dash_t1", [strategist]) == {}
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key="pe_new_id").input(pid)
    at.text_input(key="pe_new_name").input("Spring")
    at.run()
    # The grid starts with one line; give it a budget, price and channel through the editor's state.
    grid_key = f"pe_grid_{pid}_0"
    at.session_state[grid_key] = {
        "edited_rows": {"0": {"channel": "TV", "unit_price": 300.0, "budget_net": 900000.0, "curve_max_reach": 0.8,
                              "curve_k": 0.004}},
        "added_rows": [{"line_id": "L2", "channel": "OLV", "pricing_model": "CPM", "unit_price": 450.0,
                        "budget_net": 300000.0}],
        "deleted_rows": [],
    }  # fmt: skip
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    reach_before = _metric(at, "Combined reach 1+")
    assert _metric(at, "GRP") == "366.7"  # 3 M + 0.667 M impressions over 1 M people
    at.session_state[grid_key]["edited_rows"]["0"]["budget_net"] = 1500000.0
    at.run()
    assert _metric(at, "Combined reach 1+") != reach_before  # recomputed on the edit
    at.button(key="pe_save").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    st_p = principal(strategist)
    ch = _ch()
    assert [v["plan_version"] for v in plan_versions.list_versions(ch, st_p, "acme", pid)] == [1]
    assert any("Saved version 1" in s.value for s in at.success)
    # Submit from the page.
    at.button(key="pe_to_submitted").click()
    at.run()
    assert plan_versions.plan_status_of(ch, st_p, "acme", pid, 1) == "submitted"
    assert any("Pending approval" in m.value for m in at.markdown)
    # The PM approves on their own session; no submit button is offered to a PM.
    pm = logged_in_app("it-pm@t1", page=PAGE, query={"client": "acme"})
    pm.selectbox(key="pe_plan").select(pid)
    pm.run()
    keys = {b.key for b in pm.button}
    assert "pe_to_approved" in keys and "pe_to_rejected" in keys and "pe_to_submitted" not in keys
    # The version downloads as the planner's Excel.
    assert [d.proto.label for d in pm.get("download_button")] == ["Download XLSX"]
    pm.button(key="pe_to_approved").click()
    pm.run()
    assert plan_versions.plan_status_of(ch, st_p, "acme", pid, 1) == "approved"

    # Reach k+ at an effective frequency: the recommendation is for 3+ and lower than the 1+ one.
    def recommended(at) -> str:
        return next(m.value for m in at.markdown if m.value.startswith("Recommended reach"))

    one = recommended(pm)
    pm.number_input(key="pe_opt_k").set_value(3).run()
    assert not pm.exception, [e.value for e in pm.exception]
    three = recommended(pm)
    assert one.startswith("Recommended reach 1+:") and three.startswith("Recommended reach 3+:")
    pct = [float(x.split(":")[1].split("%")[0]) for x in (one, three)]
    assert 0 < pct[1] < pct[0]
    pm.number_input(key="pe_opt_k").set_value(1).run()
    # The optimizer's split is applied as a new draft version; the diff shows the budget change.
    pm.button(key="pe_opt_apply").click()
    pm.run()
    assert not pm.exception, [e.value for e in pm.exception]
    versions = plan_versions.list_versions(ch, st_p, "acme", pid)
    assert [(v["plan_version"], v["status"]) for v in versions] == [(2, "draft"), (1, "approved")]
    diff = plan_versions.diff_versions(ch, st_p, "acme", pid, 1, 2)
    assert diff and all(set(c.fields) == {"budget_net"} for c in diff)
    assert any(df.value.shape[0] >= 1 for df in pm.dataframe if "Field" in getattr(df.value, "columns", []))
    # Link a line, then unlink it: the links table says "not linked".
    pm.selectbox(key="pe_link_line").select("L2")
    pm.run()
    pm.button(key="pe_unlink").click()
    pm.run()
    assert [d["match_method"] for d in campaign_links.decisions(ch, st_p, "acme", pid)] == ["unlinked"]
    table = next(df.value for df in pm.dataframe if "Linked to" in getattr(df.value, "columns", []))
    assert table.set_index("Plan line").loc["L2", "Linked to"] == "not linked"


def _apply(at, fk: str, **fields) -> None:
    """Fill the per-line form (text for str values, numbers otherwise) and press Apply."""
    for f, v in fields.items():
        (at.text_input if isinstance(v, str) else at.number_input)(key=f"pe_f_{f}_{fk}").set_value(v)
    at.button[[b.label for b in at.button].index("Apply to the line")].click()
    at.run()


def test_the_per_line_form_edits_the_same_lines_as_the_grid(dash, strategist):
    pid = f"fm{uuid.uuid4().hex[:6]}"
    at = logged_in_app(strategist, page=PAGE, query={"client": "acme"})
    at.text_input(key="pe_new_id").input(pid)
    at.run()
    fk = f"pe_draft_{pid}_0_0_0"  # draft, revision 0, line 0
    _apply(at, fk, channel="TV", flight_start="2026-03-01", flight_end="2026-03-31", unit_price=300.0,
           budget_net=900000.0)  # fmt: skip
    assert not at.exception, [e.value for e in at.exception]
    assert _metric(at, "GRP") == "300.0"  # 3 M impressions over the 1 M universe
    reach = _metric(at, "Combined reach 1+")
    # The form's second revision shows the applied values; a new budget recomputes the reach.
    fk = f"pe_draft_{pid}_0_1_0"
    assert at.number_input(key=f"pe_f_budget_net_{fk}").value == 900000.0
    assert at.text_input(key=f"pe_f_flight_start_{fk}").value == "2026-03-01"
    _apply(at, fk, budget_net=1500000.0)
    assert _metric(at, "GRP") == "500.0" and _metric(at, "Combined reach 1+") != reach
    # A new line through the form; a date that is not a date is refused, naming the field, and nothing changes.
    at.selectbox(key=f"pe_form_pick_pe_draft_{pid}_0").select("— new line —")
    at.run()
    fk = f"pe_draft_{pid}_0_2_1"
    assert at.text_input(key=f"pe_f_line_id_{fk}").value == "L2"
    _apply(at, fk, flight_start="1 March")
    assert any("'1 March' is not a date YYYY-MM-DD" in e.value for e in at.error), [e.value for e in at.error]
    assert _metric(at, "GRP") == "500.0"
    _apply(at, fk, flight_start="2026-03-05", unit_price=500.0, budget_net=500000.0)
    assert not at.exception, [e.value for e in at.exception]
    assert _metric(at, "GRP") == "600.0" and _metric(at, "Budget (net)") == "2,000,000"
    at.button(key="pe_save").click()
    at.run()
    _, stored = plan_versions.read_version(_ch(), principal(strategist), "acme", pid, 1)
    assert [(ln["line_id"], float(ln["budget_net"]), ln["channel"]) for ln in stored] == [
        ("L1", 1500000.0, "TV"),
        ("L2", 500000.0, ""),
    ]
