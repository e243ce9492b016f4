"""Discovery from an agency's OAuth grant against the sandbox: the accounts listed are exactly the granting agency's,
connecting refuses duplicates by name and writes nothing on a refusal, and a connected account loads its
statistics through the existing connector with the agency's token (Direct with Client-Login)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import socket
import uuid
from datetime import date
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from dashboards.auth import Principal
from ingestion import vk_ads, yandex_direct, yandex_metrika
from ingestion.sandbox.generator import World
from ingestion.sandbox.server import SandboxServer
from ingestion.sandbox.testing import SANDBOX_TODAY, sandbox  # noqa: F401
from tests.integration.workspace.conftest import KEY
from workspace import credentials as cr
from workspace import discovery, oauth
from workspace.clients import Client, add_client

REDIRECT = "http://127.0.0.1:8501/connections"
DAY = date(2026, 1, 10)


@pytest.fixture
def me(ws, monkeypatch) -> Principal:
    monkeypatch.setenv(cr.KEY_ENV, KEY)
    p = Principal(f"ws-disc-{uuid.uuid4().hex[:8]}", "admin@disc", "admin")
    add_client(ws, p, Client("acme", "Acme"))
    add_client(ws, p, Client("other", "Other"))
    return p


def grant_of(ws, me, sandbox, platform: str, agency: str) -> tuple[oauth.Grant, oauth.OAuthApp]:  # noqa: F811
    app = oauth.OAuthApp.for_sandbox(platform, sandbox.base_url)
    url = oauth.start(
        ws, me, client_id="acme", platform=platform, redirect_uri=REDIRECT, app=app, login_hint=agency
    )
    back = parse_qs(urlsplit(httpx.get(url).headers["location"]).query)
    return oauth.complete(ws, me, state=back["state"][0], code=back["code"][0], app=app), app


def load_one(connector, ws, settings, me: Principal, account: str) -> int:
    """Load one day of one account through the connector; the rows written."""
    loaded = connector.load(
        ws,
        settings,
        tenant_id=me.tenant_id,
        account_id=account,
        date_from=DAY,
        date_to=DAY,
        today=SANDBOX_TODAY,
    )
    return sum(loaded.values())


def agency_accounts(sandbox, platform: str, agency: str) -> list[str]:  # noqa: F811
    return [a.account_id for a in sandbox.world.accounts_for(platform) if a.tenant_id == agency]


@pytest.mark.parametrize("agency", ["demo-agency", "north-media"])
def test_discovery_lists_exactly_the_granting_agencys_accounts(ws, me, sandbox, agency):  # noqa: F811
    yandex, app = grant_of(ws, me, sandbox, "yandex_direct", agency)
    direct = discovery.discover(ws, me, yandex.grant_id, app=app)
    assert [a.account_id for a in direct] == agency_accounts(sandbox, "yandex_direct", agency)
    assert all(a.name and a.currency == "RUB" and a.connected_to == "" for a in direct)
    # One Yandex grant serves Metrika as well.
    counters = discovery.discover(ws, me, yandex.grant_id, app=app, platform="yandex_metrika")
    assert [a.account_id for a in counters] == agency_accounts(sandbox, "yandex_metrika", agency)
    vk, vk_app = grant_of(ws, me, sandbox, "vk_ads", agency)
    cabinets = discovery.discover(ws, me, vk.grant_id, app=vk_app)
    assert [a.account_id for a in cabinets] == agency_accounts(sandbox, "vk_ads", agency)
    with pytest.raises(discovery.DiscoveryError, match="is a yandex grant, not one for 'vk_ads'"):
        discovery.discover(ws, me, yandex.grant_id, app=app, platform="vk_ads")


def test_every_listing_follows_its_paging(ws, me, sandbox, monkeypatch):  # noqa: F811
    yandex, app = grant_of(ws, me, sandbox, "yandex_direct", "demo-agency")
    vk, vk_app = grant_of(ws, me, sandbox, "vk_ads", "demo-agency")
    for name in ("DIRECT_PAGE", "METRIKA_PAGE", "VK_PAGE"):
        monkeypatch.setattr(discovery, name, 2)  # demo-agency has 3 accounts on each platform: two pages each
    direct = discovery.discover(ws, me, yandex.grant_id, app=app)
    assert [a.account_id for a in direct] == agency_accounts(sandbox, "yandex_direct", "demo-agency")
    counters = discovery.discover(ws, me, yandex.grant_id, app=app, platform="yandex_metrika")
    assert [a.account_id for a in counters] == agency_accounts(sandbox, "yandex_metrika", "demo-agency")
    cabinets = discovery.discover(ws, me, vk.grant_id, app=vk_app)
    assert [a.account_id for a in cabinets] == agency_accounts(sandbox, "vk_ads", "demo-agency")
    assert len(cabinets) == 3


def test_connect_then_load_direct_with_the_agency_token_and_client_login(ws, me, sandbox):  # noqa: F811
    grant, app = grant_of(ws, me, sandbox, "yandex_direct", "demo-agency")
    logins = agency_accounts(sandbox, "yandex_direct", "demo-agency")[:2]
    connected = discovery.connect(ws, me, grant.grant_id, logins, app=app)
    assert [(a.account_id, a.connected_to) for a in connected] == [(x, "acme") for x in logins]
    listed = {a.account_id: a.connected_to for a in discovery.discover(ws, me, grant.grant_id, app=app)}
    assert {k: v for k, v in listed.items() if v} == dict.fromkeys(logins, "acme")
    health = oauth.account_health(ws, me, "acme")
    assert [(h["account_id"], h["grant_id"], h["status"]) for h in health] == [
        (x, grant.grant_id, "active") for x in sorted(logins)
    ]

    # The deployment-wide token is wrong: the account loads only because it carries its grant's token.
    shared = yandex_direct.Settings.for_sandbox(
        sandbox.url("direct"), token="wrong-shared-token", max_attempts=1
    )
    own = cr.account_settings(ws, shared, me.tenant_id, "yandex_direct", logins[0])
    assert load_one(yandex_direct, ws, own, me, logins[0]) > 0
    rows = ws.query(
        "SELECT count() FROM raw_yandex_direct.ad_stats_daily WHERE tenant_id = {t:String} AND account_id = {a:String}",
        parameters={"t": me.tenant_id, "a": logins[0]},
    ).result_rows[0][0]
    assert rows > 0

    # Revoked: the next load stops with an error naming the grant, not with the shared token.
    oauth.revoke(ws, me, grant.grant_id, app=app)
    with pytest.raises(
        cr.SecretsError, match=f"loads with OAuth grant {grant.grant_id}, which holds no token"
    ):
        cr.account_settings(ws, shared, me.tenant_id, "yandex_direct", logins[0])


def test_connected_metrika_counter_and_vk_cabinet_load_through_their_grants(ws, me, sandbox):  # noqa: F811
    yandex, app = grant_of(ws, me, sandbox, "yandex_metrika", "north-media")
    counter = agency_accounts(sandbox, "yandex_metrika", "north-media")[0]
    discovery.connect(ws, me, yandex.grant_id, [counter], app=app)
    shared = yandex_metrika.Settings.for_sandbox(
        sandbox.url("metrika"), token="wrong-shared-token", max_attempts=1
    )
    own = cr.account_settings(ws, shared, me.tenant_id, "yandex_metrika", counter)
    assert load_one(yandex_metrika, ws, own, me, counter) > 0

    vk, vk_app = grant_of(ws, me, sandbox, "vk_ads", "north-media")
    cabinet = agency_accounts(sandbox, "vk_ads", "north-media")[0]
    discovery.connect(ws, me, vk.grant_id, [cabinet], app=vk_app)
    settings = cr.account_settings(
        ws, vk_ads.Settings.for_sandbox(sandbox.url("vk")), me.tenant_id, "vk_ads", cabinet
    )
    assert settings.agency_token is not None
    assert load_one(vk_ads, ws, settings, me, cabinet) > 0


def test_a_vk_agency_token_cannot_reach_another_agencys_cabinet(ws, me, sandbox):  # noqa: F811
    vk, vk_app = grant_of(ws, me, sandbox, "vk_ads", "north-media")
    foreign = agency_accounts(sandbox, "vk_ads", "demo-agency")[0]
    token = oauth.grant_tokens(ws, vk)["token"]
    resp = httpx.post(
        f"{sandbox.url('vk')}/api/v2/oauth2/token.json",
        data={
            "grant_type": "agency_client_credentials",
            "client_id": vk_app.client_id,
            "client_secret": vk_app.client_secret,
            "agency_client_name": foreign,
            "access_token": token,
        },
    )
    assert resp.status_code == 400 and resp.json()["code"] == "invalid_user"
    with pytest.raises(
        discovery.DiscoveryError, match=f"vk_ads/{foreign} not visible to grant {vk.grant_id}"
    ):
        discovery.connect(ws, me, vk.grant_id, [foreign], app=vk_app)


def test_duplicates_are_refused_by_name_and_nothing_is_half_saved(ws, me, sandbox):  # noqa: F811
    grant, app = grant_of(ws, me, sandbox, "yandex_direct", "demo-agency")
    first, second, third = agency_accounts(sandbox, "yandex_direct", "demo-agency")[:3]
    discovery.connect(ws, me, grant.grant_id, [first], app=app)

    def registered() -> list[str]:
        return sorted(
            r[0]
            for r in ws.query(
                "SELECT account_id FROM app.accounts FINAL WHERE tenant_id = {t:String}",
                parameters={"t": me.tenant_id},
            ).result_rows
        )

    with pytest.raises(
        discovery.DiscoveryError, match=f"yandex_direct/{first} is already connected \\(client 'acme'\\)"
    ):
        discovery.connect(ws, me, grant.grant_id, [second, first], app=app)
    with pytest.raises(discovery.DiscoveryError, match=f"yandex_direct/{third} is listed twice"):
        discovery.connect(ws, me, grant.grant_id, [third, third], app=app)
    with pytest.raises(discovery.DiscoveryError, match="yandex_direct/nobody-direct not visible"):
        discovery.connect(ws, me, grant.grant_id, [second, "nobody-direct"], app=app)
    assert registered() == [first]  # none of the refused requests wrote anything
    links = ws.query(
        "SELECT account_id FROM app.account_grants FINAL WHERE tenant_id = {t:String} AND is_deleted = 0",
        parameters={"t": me.tenant_id},
    ).result_rows
    assert [r[0] for r in links] == [first]


def _key(**changes: object) -> str:
    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    key = {
        "type": "service_account",
        "client_email": "loader@agency.example",
        "private_key_id": "k1",
        "private_key": pem,
        "token_uri": "https://garpun.example/oauth2/token",
    }
    key.update(changes)
    return json.dumps({k: v for k, v in key.items() if v is not None})


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "key file: empty"),
        ("{not json", r"key file: not JSON \(line 1, column 2\)"),
        ("[1, 2]", "key file: the JSON is not an object"),
        (None, "lacks private_key"),
        ("bad-pem", "cannot sign with the service-account private_key"),
        ("ftp", "token_uri is not an http"),
        ("user", "type is 'authorized_user'"),
    ],
)
def test_an_invalid_garpun_key_file_is_refused_naming_the_problem(text, why):
    if text is None:
        text = _key(private_key=None)
    elif text == "bad-pem":
        text = _key(private_key="-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    elif text == "ftp":
        text = _key(token_uri="ftp://garpun.example/token")
    elif text == "user":
        text = _key(type="authorized_user")
    with pytest.raises(discovery.KeyFileError, match=why) as err:
        discovery.validate_garpun_key(text)
    assert "not a key" not in str(err.value)


def test_a_garpun_key_upload_connects_the_account_encrypted(ws, me):
    key = _key()
    public = discovery.connect_garpun(ws, me, "acme", account_id="gp-acme", key_file=key.encode())
    assert public == {
        "client_email": "loader@agency.example",
        "private_key_id": "k1",
        "token_uri": "https://garpun.example/oauth2/token",
    }
    assert cr.stored_secrets(ws, me.tenant_id, "garpun", "gp-acme") == {"service_account_key": key}
    with pytest.raises(
        discovery.DiscoveryError, match="garpun/gp-acme is already connected \\(client 'acme'\\)"
    ):
        discovery.connect_garpun(ws, me, "other", account_id="gp-acme", key_file=key)
    with pytest.raises(discovery.KeyFileError, match="lacks private_key"):
        discovery.connect_garpun(ws, me, "other", account_id="gp-other", key_file=_key(private_key=None))
    rows = ws.query(
        "SELECT account_id FROM app.accounts FINAL WHERE tenant_id = {t:String}",
        parameters={"t": me.tenant_id},
    ).result_rows
    assert [r[0] for r in rows] == ["gp-acme"]
    text = str(
        ws.query(
            "SELECT * FROM app.account_credentials WHERE tenant_id = {t:String}",
            parameters={"t": me.tenant_id},
        ).result_rows
    )
    assert "PRIVATE KEY" not in text


def test_an_unreachable_or_failing_api_is_named_and_nothing_is_connected(ws, me, sandbox):  # noqa: F811
    grant, app = grant_of(ws, me, sandbox, "yandex_direct", "demo-agency")
    sandbox.faults.add("direct", "http_5xx", count=None, path="agencyclients")
    try:
        with pytest.raises(
            discovery.DiscoveryError,
            match=f"yandex_direct: listing the accounts of grant {grant.grant_id} failed",
        ):
            discovery.connect(
                ws, me, grant.grant_id, agency_accounts(sandbox, "yandex_direct", "demo-agency")[:1], app=app
            )
    finally:
        sandbox.faults.clear("direct")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"  # bound, never listening: connections are refused
        nowhere = oauth.OAuthApp.yandex(
            app.client_id,
            app.client_secret,
            oauth_url=app.oauth_url,
            sandbox=True,
            policy=app.policy,
            api_urls={"yandex_direct": closed, "yandex_metrika": closed},
        )
        with pytest.raises(discovery.DiscoveryError, match="ConnectError"):
            discovery.discover(ws, me, grant.grant_id, app=nowhere)
    assert (
        ws.query(
            "SELECT count() FROM app.accounts FINAL WHERE tenant_id = {t:String}",
            parameters={"t": me.tenant_id},
        ).result_rows[0][0]
        == 0
    )


def test_a_load_renews_a_grant_about_to_run_out_first(ws, me):
    """VK Ads agency tokens live a day: a day later the load itself renews the grant before asking for tokens.

    A sandbox of its own, since its clock is moved by a whole day."""
    with SandboxServer(World(seed=7, today=SANDBOX_TODAY, history_days=120)) as own:
        vk, vk_app = grant_of(ws, me, own, "vk_ads", "north-media")
        cabinet = agency_accounts(own, "vk_ads", "north-media")[0]
        discovery.connect(ws, me, vk.grant_id, [cabinet], app=vk_app)
        old = oauth.grant_tokens(ws, vk)["token"]
        own.advance_clock(86_400 + 60)  # at VK the agency's token has lapsed
        # ... and by the grant's record too (as it would a day later on this machine's clock).
        oauth._write_grant(
            ws, dataclasses.replace(vk, token_expires_at=vk.created_at - dt.timedelta(seconds=1))
        )
        settings = cr.account_settings(
            ws, vk_ads.Settings.for_sandbox(own.url("vk")), me.tenant_id, "vk_ads", cabinet
        )
        renewed = oauth.get_grant(ws, me.tenant_id, vk.grant_id)
        assert renewed.last_refresh_at is not None and renewed.token_expires_at > renewed.last_refresh_at
        assert settings.agency_token.get_secret_value() == oauth.grant_tokens(ws, renewed)["token"] != old
        assert load_one(vk_ads, ws, settings, me, cabinet) > 0

        # A grant withdrawn at VK meanwhile: the renewal is refused and the load stops before it starts, naming it.
        httpx.post(
            f"{own.url('vk')}/api/v2/oauth2/token/delete.json",
            data={
                "client_id": vk_app.client_id,
                "client_secret": vk_app.client_secret,
                "username": "north-media",
            },
        )
        oauth._write_grant(ws, dataclasses.replace(renewed, token_expires_at=renewed.created_at))
        with pytest.raises(
            cr.SecretsError, match=f"vk_ads/{cabinet}: grant {vk.grant_id}: the refresh token was refused"
        ):
            cr.account_settings(
                ws, vk_ads.Settings.for_sandbox(own.url("vk")), me.tenant_id, "vk_ads", cabinet
            )
        assert oauth.get_grant(ws, me.tenant_id, vk.grant_id).status == "failed"
