"""OAuth authorization-code flow against the sandbox over real HTTP: authorize → code → token → refresh → revoke,
and every refusal naming its cause (wrong, foreign, replayed or expired state; expired or reused code; revoked
grant). The sandbox clock is advanced instead of sleeping."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from dashboards.auth import Principal
from ingestion.sandbox import yandex_oauth as sandbox_oauth
from ingestion.sandbox.testing import sandbox  # noqa: F401
from tests.integration.workspace.conftest import KEY
from workspace import credentials as cr
from workspace import oauth
from workspace.clients import Client, add_client

REDIRECT = "http://127.0.0.1:8501/connections"


@pytest.fixture
def me(ws, monkeypatch) -> Principal:
    """An admin of a tenant of its own with one client `acme` (tenants keep tests' accounts apart)."""
    monkeypatch.setenv(cr.KEY_ENV, KEY)
    p = Principal(f"ws-oauth-{uuid.uuid4().hex[:8]}", "admin@oauth", "admin")
    add_client(ws, p, Client("acme", "Acme"))
    return p


def authorize(url: str, **headers: str) -> dict[str, str]:
    """Follow the authorize URL as the browser would; the query of the redirect back (code, state or error)."""
    resp = httpx.get(url, headers=headers, follow_redirects=False)
    assert resp.status_code == 302, resp.text
    location = resp.headers["location"]
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def connect(ws, me, app, platform="yandex_direct", agency="demo-agency") -> oauth.Grant:
    back = authorize(
        oauth.start(
            ws, me, client_id="acme", platform=platform, redirect_uri=REDIRECT, app=app, login_hint=agency
        )
    )
    return oauth.complete(ws, me, state=back["state"], code=back["code"], app=app)


def stored_text(ws, tenant: str) -> str:
    return str(
        [
            ws.query(
                f"SELECT * FROM {t} WHERE tenant_id = {{t:String}}", parameters={"t": tenant}
            ).result_rows  # noqa: S608
            for t in ("app.oauth_states", "app.oauth_grants", "app.account_credentials", "app.audit_log")
        ]
    )


def test_yandex_authorize_code_token_refresh_revoke(ws, me, sandbox):  # noqa: F811
    app = oauth.OAuthApp.for_sandbox("yandex_direct", sandbox.base_url)
    url = oauth.start(ws, me, client_id="acme", platform="yandex_direct", redirect_uri=REDIRECT, app=app)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{sandbox.base_url}/oauth/authorize?")
    assert query["response_type"] == ["code"] and query["redirect_uri"] == [REDIRECT]
    back = authorize(url)
    assert back["state"] == query["state"][0] and back["code"].isdigit()

    grant = oauth.complete(ws, me, state=back["state"], code=back["code"], app=app)
    assert (
        grant.agency_login == "demo-agency"
    )  # the sandbox's default granting user, read from Yandex ID's info
    assert (grant.status, grant.platform, grant.client_id, grant.connected_by) == (
        "active",
        "yandex_direct",
        "acme",
        me.login,
    )
    assert grant.token_expires_at is not None and grant.token_expires_at > grant.created_at + dt.timedelta(
        days=300
    )
    token = oauth.grant_tokens(ws, grant)["token"]
    agency = httpx.post(
        f"{sandbox.base_url}/direct/json/v5/agencyclients",
        headers={"Authorization": f"Bearer {token}"},
        json={"method": "get", "params": {"SelectionCriteria": {}, "FieldNames": ["Login"]}},
    ).json()
    assert "result" in agency, agency  # the stored token is the one the platform issued
    # Nothing readable at rest: the state is hashed, the tokens sealed.
    text = stored_text(ws, me.tenant_id)
    assert token not in text and back["state"] not in text and back["code"] not in text

    refreshed = oauth.refresh(ws, me, grant.grant_id, app=app)
    assert refreshed.last_refresh_at is not None and refreshed.status == "active"
    new_token = oauth.grant_tokens(ws, refreshed)["token"]
    assert new_token != token
    assert oauth.get_grant(ws, me.tenant_id, grant.grant_id).last_refresh_at == refreshed.last_refresh_at

    revoked = oauth.revoke(ws, me, grant.grant_id, app=app)
    assert revoked.status == "revoked" and oauth.grant_tokens(ws, revoked) == {}
    denied = httpx.post(
        f"{sandbox.base_url}/direct/json/v5/agencyclients",
        headers={"Authorization": f"Bearer {new_token}"},
        json={"method": "get", "params": {"SelectionCriteria": {}, "FieldNames": ["Login"]}},
    ).json()
    assert denied["error"]["error_code"] == 53  # withdrawn at the platform too
    with pytest.raises(oauth.OAuthError, match=f"grant {grant.grant_id}: revoked"):
        oauth.refresh(ws, me, grant.grant_id, app=app)


def test_vk_ads_authorize_code_token_refresh_revoke(ws, me, sandbox):  # noqa: F811
    def app_for(platform: str) -> oauth.OAuthApp:
        return oauth.OAuthApp.for_sandbox(platform, sandbox.base_url)

    url = oauth.start(
        ws,
        me,
        client_id="acme",
        platform="vk_ads",
        redirect_uri=REDIRECT,
        app=app_for("vk_ads"),
        login_hint="north-media",
    )
    assert url.startswith(f"{sandbox.base_url}/vk/oauth2/authorize?")
    back = authorize(url)
    # The callback does not say its platform: complete() asks app_for for the one its state was issued for.
    grant = oauth.complete(ws, me, state=back["state"], code=back["code"], app=app_for)
    assert grant.agency_login == "north-media" and grant.status == "active"
    assert grant.token_expires_at is not None and grant.token_expires_at > grant.created_at + dt.timedelta(
        hours=23
    )
    vk = sandbox.apis["vk"]
    assert vk.live_tokens("north-media") == 1
    before = oauth.grant_tokens(ws, grant)["token"]
    yandex = connect(ws, me, app_for("yandex_direct"))  # a year-long token: not due

    # The scheduled renewal takes the grants whose token runs out within the window: the day-long VK one.
    assert oauth.refresh_due(ws, app_for, within=dt.timedelta(hours=1), tenant_id=me.tenant_id) == {}
    assert oauth.refresh_due(ws, app_for, within=dt.timedelta(days=2), tenant_id=me.tenant_id) == {
        grant.grant_id: ""
    }
    refreshed = oauth.get_grant(ws, me.tenant_id, grant.grant_id)
    assert oauth.grant_tokens(ws, refreshed)["token"] != before and refreshed.last_refresh_at is not None
    assert oauth.get_grant(ws, me.tenant_id, yandex.grant_id).last_refresh_at is None
    oauth.revoke(ws, me, grant.grant_id, app=app_for("vk_ads"))
    assert vk.live_tokens("north-media") == 0


def test_wrong_foreign_replayed_and_expired_states_are_refused_by_name(ws, me, sandbox):  # noqa: F811
    app = oauth.OAuthApp.for_sandbox("yandex_direct", sandbox.base_url)
    back = authorize(
        oauth.start(ws, me, client_id="acme", platform="yandex_direct", redirect_uri=REDIRECT, app=app)
    )
    with pytest.raises(oauth.OAuthError, match="state: not issued by this application"):
        oauth.complete(ws, me, state=back["state"] + "x", code=back["code"], app=app)
    other_tenant = Principal(f"{me.tenant_id}-b", me.login, "admin")
    with pytest.raises(oauth.OAuthError, match="state: not issued by this application"):
        oauth.complete(ws, other_tenant, state=back["state"], code=back["code"], app=app)
    colleague = Principal(me.tenant_id, "colleague@oauth", "admin")
    with pytest.raises(oauth.OAuthError, match=r"state: issued to another user \(admin@oauth\)"):
        oauth.complete(ws, colleague, state=back["state"], code=back["code"], app=app)

    oauth.complete(ws, me, state=back["state"], code=back["code"], app=app)
    with pytest.raises(oauth.OAuthError, match="state: already used .* replayed callback"):
        oauth.complete(ws, me, state=back["state"], code=back["code"], app=app)

    started = dt.datetime.now(dt.UTC)
    url = oauth.start(
        ws, me, client_id="acme", platform="yandex_direct", redirect_uri=REDIRECT, app=app, now=started
    )
    late = authorize(url)
    with pytest.raises(oauth.OAuthError, match=r"state: expired at .* \(valid 10 minutes\)"):
        oauth.complete(ws, me, state=late["state"], code=late["code"], app=app, now=started + oauth.STATE_TTL)
    grants = oauth.grants(ws, me, "acme")
    assert len(grants) == 1  # only the one good callback made a grant


def test_expired_and_reused_codes_are_refused_naming_the_code(ws, me, sandbox):  # noqa: F811
    app = oauth.OAuthApp.for_sandbox("yandex_direct", sandbox.base_url)
    start = oauth.start(ws, me, client_id="acme", platform="yandex_direct", redirect_uri=REDIRECT, app=app)
    back = authorize(start)
    sandbox.advance_clock(sandbox_oauth.CODE_TTL_S + 1)  # the platform's clock, not a sleep
    with pytest.raises(oauth.OAuthError, match="code: the authorization code has expired .*invalid_grant"):
        oauth.complete(ws, me, state=back["state"], code=back["code"], app=app)

    # A code already exchanged (e.g. by an earlier callback) presented with a fresh state.
    first = authorize(
        oauth.start(ws, me, client_id="acme", platform="yandex_direct", redirect_uri=REDIRECT, app=app)
    )
    oauth.complete(ws, me, state=first["state"], code=first["code"], app=app)
    second = authorize(
        oauth.start(ws, me, client_id="acme", platform="yandex_direct", redirect_uri=REDIRECT, app=app)
    )
    with pytest.raises(oauth.OAuthError, match="code: the authorization code was already used"):
        oauth.complete(ws, me, state=second["state"], code=first["code"], app=app)
    with pytest.raises(
        oauth.OAuthError, match="code: the authorization code was not accepted .*bad_verification_code"
    ):
        third = authorize(
            oauth.start(ws, me, client_id="acme", platform="yandex_direct", redirect_uri=REDIRECT, app=app)
        )
        oauth.complete(ws, me, state=third["state"], code="1234567", app=app)


def test_a_refusal_by_the_user_and_a_wrong_app_secret_are_named(ws, me, sandbox):  # noqa: F811
    app = oauth.OAuthApp.for_sandbox("yandex_metrika", sandbox.base_url)
    url = oauth.start(ws, me, client_id="acme", platform="yandex_metrika", redirect_uri=REDIRECT, app=app)
    back = authorize(url, **{"X-Sandbox-Consent": "deny"})
    with pytest.raises(oauth.OAuthError, match="access was not granted: access_denied"):
        oauth.complete(ws, me, app=app, **back)
    wrong = oauth.OAuthApp.yandex(
        app.client_id, "not-the-secret", oauth_url=app.oauth_url, api_urls=dict(app.api_urls), sandbox=True
    )
    back = authorize(
        oauth.start(ws, me, client_id="acme", platform="yandex_metrika", redirect_uri=REDIRECT, app=wrong)
    )
    with pytest.raises(
        oauth.OAuthError, match=r"OAuth application \(client id/secret\) was refused: Wrong client secret"
    ) as err:
        oauth.complete(ws, me, state=back["state"], code=back["code"], app=wrong)
    assert "not-the-secret" not in str(err.value)


def test_a_grant_revoked_at_the_platform_fails_its_refresh_and_shows_in_its_health(ws, me, sandbox):  # noqa: F811
    app = oauth.OAuthApp.for_sandbox("yandex_direct", sandbox.base_url)
    grant = connect(ws, me, app)
    token = oauth.grant_tokens(ws, grant)["token"]
    # The user withdraws the access in their Yandex account (the platform's side, not ours).
    resp = httpx.post(
        f"{sandbox.base_url}/oauth/revoke_token",
        data={"access_token": token, "client_id": app.client_id, "client_secret": app.client_secret},
    )
    assert resp.json() == {"status": "ok"}
    with pytest.raises(
        oauth.OAuthError, match=f"grant {grant.grant_id}: the refresh token was refused \\(invalid_grant"
    ):
        oauth.refresh(ws, me, grant.grant_id, app=app)
    health = oauth.get_grant(ws, me.tenant_id, grant.grant_id)
    assert health.status == "failed" and health.last_error.startswith("refresh refused: invalid_grant")


def test_token_requests_retry_a_garbled_answer_and_honour_retry_after(ws, me, sandbox):  # noqa: F811
    app = oauth.OAuthApp.for_sandbox("yandex_direct", sandbox.base_url)
    slept: list[float] = []
    app = oauth.OAuthApp.yandex(
        app.client_id,
        app.client_secret,
        oauth_url=app.oauth_url,
        api_urls=dict(app.api_urls),
        sandbox=True,
        policy=app.policy,
        sleep=slept.append,
    )
    grant = connect(ws, me, app)
    sandbox.faults.add("oauth", "http_429", count=1, path="/token", retry_after=7)
    sandbox.faults.add("oauth", "garble", count=1, path="/token")
    try:
        refreshed = oauth.refresh(ws, me, grant.grant_id, app=app)
    finally:
        sandbox.faults.clear("oauth")
    assert refreshed.status == "active"
    assert slept[0] == 2.0  # Retry-After 7 s, capped by the policy's max_server_delay (2 s in the sandbox)
    assert len(slept) == 2  # the 429 and the garbled answer were each asked again once


def test_grant_tokens_rotate_with_the_key_and_never_reach_the_log(ws, me, sandbox, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    app = oauth.OAuthApp.for_sandbox("yandex_direct", sandbox.base_url)
    grant = connect(ws, me, app)
    oauth.refresh(ws, me, grant.grant_id, app=app)
    token = oauth.grant_tokens(ws, grant)["token"]
    refresh_token = oauth.grant_tokens(ws, grant)["refresh_token"]
    assert (
        token not in caplog.text and refresh_token not in caplog.text and app.client_secret not in caplog.text
    )
    other = "k2-" + "y" * 40
    # Rotation re-encrypts the grant's tokens with every other credential (and back, for the tests after this one).
    assert cr.rotate_key(ws, env={cr.KEY_ENV: KEY, cr.NEW_KEY_ENV: other}) > 0
    try:
        stored = cr.stored_secrets(
            ws, me.tenant_id, grant.platform, cr.grant_account(grant.grant_id), env={cr.KEY_ENV: other}
        )
        assert stored["token"] == token
    finally:
        cr.rotate_key(ws, env={cr.KEY_ENV: other, cr.NEW_KEY_ENV: KEY})
    assert oauth.grant_tokens(ws, grant)["token"] == token


def test_without_the_secret_key_nothing_is_started_or_spent(ws, me, sandbox, monkeypatch):  # noqa: F811
    app = oauth.OAuthApp.for_sandbox("yandex_direct", sandbox.base_url)
    back = authorize(
        oauth.start(ws, me, client_id="acme", platform="yandex_direct", redirect_uri=REDIRECT, app=app)
    )
    monkeypatch.delenv(cr.KEY_ENV)
    with pytest.raises(cr.SecretsError, match="MRM_SECRET_KEY is not set"):
        oauth.start(ws, me, client_id="acme", platform="yandex_direct", redirect_uri=REDIRECT, app=app)
    with pytest.raises(cr.SecretsError, match="MRM_SECRET_KEY is not set"):
        oauth.complete(ws, me, state=back["state"], code=back["code"], app=app)
    assert oauth.grants(ws, me, "acme") == []
    # The code was not exchanged: with the key back it is still good (the state, once presented, is not).
    monkeypatch.setenv(cr.KEY_ENV, KEY)
    again = authorize(
        oauth.start(ws, me, client_id="acme", platform="yandex_direct", redirect_uri=REDIRECT, app=app)
    )
    grant = oauth.complete(ws, me, state=again["state"], code=back["code"], app=app)
    assert grant.status == "active"
