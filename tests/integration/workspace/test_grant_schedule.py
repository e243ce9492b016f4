"""Grant renewals: the hourly Dagster schedule renews what runs out soon and turns a refused renewal into the account
health and the token alert; a token a Yandex connector renews itself mid-load is kept in its grant, encrypted.

Each test runs a sandbox of its own (its clock is moved, or all its Direct tokens are expired); times are the
schedule's tick and the sandbox clock, never a sleep."""

from __future__ import annotations

import dataclasses
import datetime as dt

import dagster as dg
import pytest

from delivery import tokens
from ingestion import yandex_direct
from ingestion.sandbox.generator import World
from ingestion.sandbox.server import SandboxServer
from ingestion.sandbox.testing import SANDBOX_TODAY
from orchestration import resources
from orchestration.grants import grant_renewal_schedule
from tests.integration.workspace.test_discovery import agency_accounts, grant_of, load_one, me  # noqa: F401
from workspace import credentials as cr
from workspace import discovery, oauth

HOUR = 3600


@pytest.fixture
def own():
    with SandboxServer(World(seed=7, today=SANDBOX_TODAY, history_days=120)) as server:
        yield server


def _run_tick(
    schedule, tick: dt.datetime, own, warehouse_url: str, tenant_id: str
) -> dg.ExecuteInProcessResult:
    """Evaluate the schedule at `tick` and run the job it asks for (this tenant's grants only)."""
    with dg.instance_for_test() as instance:
        request = schedule(dg.build_schedule_context(instance=instance, scheduled_execution_time=tick))
        config = request.run_config["ops"]["renew_oauth_grants"]["config"]
        assert config["as_of"] == tick.isoformat()
        config["tenant_id"] = tenant_id
        return schedule.job.execute_in_process(
            run_config=request.run_config,
            instance=instance,
            resources={
                "warehouse": resources.WarehouseResource(url=warehouse_url),
                "vk_ads": resources.platform_resource("vk_ads", sandbox=True, sandbox_url=own.url("vk")),
                "yandex_direct": resources.platform_resource(
                    "yandex_direct", sandbox=True, sandbox_url=own.url("direct")
                ),
            },
        )


def _status(ws, tenant_id: str, account: str) -> dict:
    [row] = [s for s in tokens.status(ws, tenant_id, "acme") if s["account_id"] == account]
    return row


def test_the_hourly_schedule_renews_due_grants_and_a_refusal_opens_the_token_alert(
    ws, me, own, warehouse_url
):  # noqa: F811
    schedule = grant_renewal_schedule(["vk_ads", "yandex_direct"], running=False)
    assert schedule.cron_schedule == "5 * * * *"
    vk, vk_app = grant_of(ws, me, own, "vk_ads", "north-media")  # VK agency tokens live a day
    yandex, _ = grant_of(ws, me, own, "yandex_direct", "north-media")  # Yandex tokens live a year
    cabinet = agency_accounts(own, "vk_ads", "north-media")[0]
    discovery.connect(ws, me, vk.grant_id, [cabinet], app=vk_app)
    first = oauth.grant_tokens(ws, vk)["token"]

    # An hour after connecting nothing runs out within six hours: nothing is asked.
    early = _run_tick(schedule, vk.created_at + dt.timedelta(hours=1), own, warehouse_url, me.tenant_id)
    assert early.success and early.output_for_node("renew_oauth_grants") == 0
    assert oauth.get_grant(ws, me.tenant_id, vk.grant_id).last_refresh_at is None

    # 20 hours on (at VK too): the VK grant is four hours from lapsing and is renewed; the Yandex one is left alone.
    own.advance_clock(20 * HOUR)
    tick = vk.created_at + dt.timedelta(hours=20)
    assert (
        _run_tick(schedule, tick, own, warehouse_url, me.tenant_id).output_for_node("renew_oauth_grants") == 1
    )
    renewed = oauth.get_grant(ws, me.tenant_id, vk.grant_id)
    assert renewed.status == "active" and renewed.last_refresh_at is not None
    assert renewed.token_expires_at > renewed.last_refresh_at
    assert oauth.grant_tokens(ws, renewed)["token"] != first
    assert oauth.get_grant(ws, me.tenant_id, yandex.grant_id).last_refresh_at is None
    health = _status(ws, me.tenant_id, cabinet)
    assert not health["revoked"] and health["expires_at"] is None  # renewed here: no expiry to alert on
    assert not [c for c in tokens.conditions(ws, me.tenant_id, "acme", tick, days=3) if cabinet in c.key]

    # The agency withdraws the access at VK; 20 hours later the renewal is refused: the grant is failed (account
    # health), the cabinet's credential is recorded revoked and the token alert names it.
    oauth._revoke_at_platform(vk_app, vk, token="")  # VK deletes the agency user's tokens (the same request)
    own.advance_clock(20 * HOUR)
    later = _run_tick(schedule, tick + dt.timedelta(hours=20), own, warehouse_url, me.tenant_id)
    assert later.success and later.output_for_node("renew_oauth_grants") == 0
    failed = oauth.get_grant(ws, me.tenant_id, vk.grant_id)
    assert failed.status == "failed" and "refresh refused" in failed.last_error
    [row] = [h for h in oauth.account_health(ws, me, "acme") if h["account_id"] == cabinet]
    assert row["status"] == "failed" and row["grant_id"] == vk.grant_id
    health = _status(ws, me.tenant_id, cabinet)
    assert health["revoked"] and vk.grant_id in health["reason"]
    alerts = tokens.conditions(ws, me.tenant_id, "acme", dt.datetime.now(dt.UTC), days=3)
    [alert] = [c for c in alerts if c.key == f"token:vk_ads:{cabinet}"]
    assert "reconnect the account" in alert.message_en and vk.grant_id in alert.message_en
    # A failed grant is not asked again each hour (it needs a reconnect, not a retry).
    again = _run_tick(schedule, tick + dt.timedelta(hours=21), own, warehouse_url, me.tenant_id)
    assert again.output_for_node("renew_oauth_grants") == 0


def test_a_token_the_direct_connector_renews_after_a_401_is_kept_in_its_grant(ws, me, own):  # noqa: F811
    grant, app = grant_of(ws, me, own, "yandex_direct", "demo-agency")
    login = agency_accounts(own, "yandex_direct", "demo-agency")[0]
    discovery.connect(ws, me, grant.grant_id, [login], app=app)
    old = oauth.grant_tokens(ws, grant)
    shared = yandex_direct.Settings.for_sandbox(own.url("direct"), token="wrong-shared-token")

    # Every Direct token issued so far stops working: the connector meets a 401, renews with the grant's refresh
    # token and finishes the load.
    own.faults.add("direct", "expired_token", count=1)
    assert (
        load_one(
            yandex_direct,
            ws,
            cr.account_settings(ws, shared, me.tenant_id, "yandex_direct", login),
            me,
            login,
        )
        > 0
    )
    kept = oauth.get_grant(ws, me.tenant_id, grant.grant_id)
    new = oauth.grant_tokens(ws, kept)
    assert new["token"] != old["token"] and new["refresh_token"] == old["refresh_token"]
    assert kept.status == "active" and kept.last_refresh_at is not None
    assert kept.token_expires_at is not None and kept.token_expires_at > kept.last_refresh_at
    # Stored sealed: no credential row holds the new token in plain text.
    sealed = ws.query(
        "SELECT ciphertext FROM app.account_credentials FINAL WHERE tenant_id = {t:String} AND account_id = {a:String}",
        parameters={"t": me.tenant_id, "a": cr.grant_account(grant.grant_id)},
    ).result_rows
    assert sealed and all(new["token"] not in c for (c,) in sealed)

    # The next load starts from the kept token: with one attempt and no refresh possible it still loads, while the
    # dropped token alone is refused.
    no_refresh = shared.model_copy(update={"max_attempts": 1, "client_secret": None})
    again = cr.account_settings(ws, no_refresh, me.tenant_id, "yandex_direct", login)
    assert again.token == new["token"] and load_one(yandex_direct, ws, again, me, login) > 0
    dropped = no_refresh.model_copy(update={"token": old["token"], "refresh_token": None})
    with pytest.raises(Exception, match="token rejected"):
        load_one(yandex_direct, ws, dropped, me, login)

    # A connector not told where to keep a renewal (settings built without the account) changes nothing stored.
    own.faults.add("direct", "expired_token", count=1)
    assert load_one(yandex_direct, ws, shared.model_copy(update={"token": new["token"]}), me, login) > 0
    assert oauth.grant_tokens(ws, kept)["token"] == new["token"]
    assert dataclasses.asdict(oauth.get_grant(ws, me.tenant_id, grant.grant_id)) == dataclasses.asdict(kept)
