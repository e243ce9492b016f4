"""Staff limited to assigned clients (workspace.access) cannot read another client through the data layer or a link."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboards import data
from dashboards.auth import AccessDenied, Principal, add_user
from tests.integration.dashboards.conftest import END, PASSWORD, logged_in_app, principal
from workspace import access

pytestmark = pytest.mark.usefixtures("dash")
PER = data.Period(END - dt.timedelta(days=6), END)
AM = "it-am-acme@t1"
ADMIN = Principal("dash_t1", "it-admin@t1", "admin")


@pytest.fixture(scope="module")
def am(ch):
    add_user(ch, tenant_id="dash_t1", login=AM, role="account_manager", password=PASSWORD)
    access.set_client_scope(ch, ADMIN, AM, all_clients=False, client_ids=("acme",))
    yield Principal("dash_t1", AM, "account_manager")
    access.set_client_scope(ch, ADMIN, AM, all_clients=True)


def test_assigned_account_manager_reads_only_the_assigned_client_in_every_data_path(ch, am):
    # Warm the shared caches with the other client as an unrestricted user first: the cache must not leak it.
    assert data.kpis(principal("it-pm@t1"), "romashka", PER)["current"]["spend_net"] > 0
    assert list(data.clients(am)["client_id"]) == ["acme"]
    assert data.kpis(am, "acme", PER)["current"]["spend_net"] > 0
    for read in (data.kpis, data.daily, data.campaigns, data.channels, data.reach_dedup):
        with pytest.raises(AccessDenied, match="no access to client 'romashka'"):
            read(am, "romashka", PER)
    for read in (data.plans_with_facts, data.media_plans, data.data_health):
        with pytest.raises(AccessDenied):
            read(am, "romashka")
    denied = ch.query(
        "SELECT count() FROM app.audit_log WHERE tenant_id = 'dash_t1' AND login = {l:String} "
        "AND action = 'read' AND outcome = 'denied' AND target = 'romashka'",
        parameters={"l": AM},
    ).result_rows[0][0]
    assert denied >= 8


def test_a_tampered_link_to_an_unassigned_client_shows_an_error_and_no_data(am):
    at = logged_in_app(AM, query={"client": "romashka"})
    errors = [e.value.replace("\\", "") for e in at.error]  # the app escapes Markdown in messages
    assert errors and "no access to client 'romashka'" in errors[0], errors
    assert not at.metric and not at.dataframe


def test_revoking_and_restoring_assignments_applies_at_once_and_only_admins_assign(ch, am):
    access.set_client_scope(ch, ADMIN, AM, all_clients=False, client_ids=("romashka",))
    assert list(data.clients(am)["client_id"]) == ["romashka"]
    with pytest.raises(AccessDenied):
        data.kpis(am, "acme", PER)
    access.set_client_scope(ch, ADMIN, AM, all_clients=True)
    assert set(data.clients(am)["client_id"]) == {"acme", "romashka"}
    access.set_client_scope(ch, ADMIN, AM, all_clients=False, client_ids=("acme",))
    with pytest.raises(AccessDenied, match="may not"):
        access.set_client_scope(ch, principal("it-pm@t1"), AM, all_clients=True)
    with pytest.raises(LookupError, match="unknown clients: globex"):  # another tenant's client
        access.set_client_scope(ch, ADMIN, AM, all_clients=False, client_ids=("globex",))
    with pytest.raises(ValueError, match="fixed scope"):
        access.set_client_scope(ch, ADMIN, "it-client-acme@t1", all_clients=True)
    assert list(data.clients(am)["client_id"]) == ["acme"]
