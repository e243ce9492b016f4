"""Link decisions stored in app.campaign_mappings: accept, override, unlink, relink; scope and permissions."""

from __future__ import annotations

import uuid

import pytest

from dashboards.auth import AccessDenied, Principal
from workspace import campaign_links as cl
from workspace import plan_versions as pv
from workspace.clients import Client, add_client

TENANT = "cl_it"


@pytest.fixture(scope="module")
def wh(ch):
    from warehouse.migrate import migrate

    migrate(ch)
    return ch


def who(role: str) -> Principal:
    return Principal(TENANT, f"{role}@cl", role, "")


@pytest.fixture
def plan(wh):
    cid, pid = f"c{uuid.uuid4().hex[:6]}", f"p{uuid.uuid4().hex[:6]}"
    add_client(wh, Principal(TENANT, "admin@cl", "admin"), Client(cid, "Links client"))
    lines = [{"line_id": "L1", "campaign_name": "Search"}, {"line_id": "L2", "channel": "OLV"}]
    pv.save_version(wh, who("strategist"), cid, pid, lines, name="Links")
    return cid, pid


def _state(wh, cid, pid):
    return sorted(
        (d["line_id"], d["platform"], d["campaign_id"], d["match_method"], d["decided_by"])
        for d in cl.decisions(wh, who("pm"), cid, pid)
    )


def test_accept_override_unlink_relink(wh, plan):
    cid, pid = plan
    am = who("account_manager")
    direct = {
        "platform": "yandex_direct",
        "account_id": "a1",
        "campaign_id": "101",
        "campaign_name": "Search",
    }
    cl.link(wh, am, cid, pid, "L1", direct, method="name", confidence=0.9)
    cl.link(wh, am, cid, pid, "L1", {"platform": "vk_ads", "campaign_id": "9001"})
    assert _state(wh, cid, pid) == [
        ("L1", "vk_ads", "9001", "manual", "account_manager@cl"),
        ("L1", "yandex_direct", "101", "name", "account_manager@cl"),
    ]
    # Override: the line's links become exactly this one.
    cl.link(wh, am, cid, pid, "L1", {"platform": "vk_ads", "campaign_id": "9002"}, replace=True)
    assert _state(wh, cid, pid) == [("L1", "vk_ads", "9002", "manual", "account_manager@cl")]
    # Unlink: a marker with no campaign, nothing else.
    cl.unlink(wh, who("strategist"), cid, pid, "L1", note="not ours")
    assert _state(wh, cid, pid) == [("L1", "", "", "unlinked", "strategist@cl")]
    # Linking again ends the "not linked" decision.
    cl.link(wh, am, cid, pid, "L1", direct)
    assert _state(wh, cid, pid) == [("L1", "yandex_direct", "101", "manual", "account_manager@cl")]


def test_bad_requests_are_named_and_roles_checked(wh, plan):
    cid, pid = plan
    with pytest.raises(LookupError, match="no line 'L7'"):
        cl.link(wh, who("pm"), cid, pid, "L7", {"platform": "vk_ads", "campaign_id": "1"})
    with pytest.raises(ValueError, match="campaign: platform and campaign_id"):
        cl.link(wh, who("pm"), cid, pid, "L1", {"platform": "vk_ads"})
    with pytest.raises(ValueError, match="method"):
        cl.link(wh, who("pm"), cid, pid, "L1", {"platform": "vk_ads", "campaign_id": "1"}, method="unlinked")
    for role in ("analyst", "creative", "client"):
        with pytest.raises(AccessDenied):
            cl.unlink(wh, who(role), cid, pid, "L1")
    with pytest.raises(LookupError):  # another tenant does not see the plan's lines
        cl.unlink(wh, Principal("other", "pm@o", "pm"), cid, pid, "L1")
    with pytest.raises(ValueError, match="marts database"):
        cl.client_campaigns(wh, who("pm"), cid, "marts; DROP TABLE x")
    assert _state(wh, cid, pid) == []
