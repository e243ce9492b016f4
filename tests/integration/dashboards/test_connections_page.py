"""The Connections page's OAuth, discovery, Reconnect, Garpun and sync controls (AppTest, signed in through the real
form) against the session warehouse and the sandbox's OAuth and Direct emulators over HTTP. The deployment's OAuth
app is configured the production way (MRM_DIRECT_CLIENT_ID/SECRET, MRM_DIRECT_OAUTH_URL/BASE_URL), pointed at the
sandbox."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ingestion.sandbox.server import SANDBOX_TOKENS
from ingestion.sandbox.testing import sandbox  # noqa: F401 - session fixture
from tests.conftest import free_port
from tests.integration.dashboards.conftest import PASSWORD, logged_in_app
from tests.integration.workspace.conftest import KEY

pytestmark = pytest.mark.usefixtures("dash")  # the sample marts the first page (Overview) reads
T = "dash_cn"  # this module's own tenant
ADMIN = "cn-admin@t"
CLIENT = "cn-shoes"


@pytest.fixture(scope="module")
def tenant(ch):
    from dashboards import auth
    from warehouse.migrate import migrate

    migrate(ch)
    auth.add_user(ch, tenant_id=T, login=ADMIN, role="admin", password=PASSWORD)
    ch.insert("app.clients", [[T, CLIENT, "Shoes CN"]], column_names=["tenant_id", "client_id", "name"])
    yield T
    # The session warehouse holds one encryption key's credentials at a time (other modules save under theirs):
    # forget what this module's grants left.
    from workspace import credentials

    live = ch.query(
        "SELECT platform, account_id, kind FROM app.account_credentials FINAL WHERE tenant_id = {t:String} "
        "AND is_deleted = 0",
        parameters={"t": T},
    ).result_rows
    credentials.forget_rows(ch, T, [tuple(r) for r in live], by="test-cleanup")


@pytest.fixture
def oauth_env(monkeypatch, sandbox):  # noqa: F811
    env = {
        "MRM_DIRECT_CLIENT_ID": SANDBOX_TOKENS["yandex_client_id"],
        "MRM_DIRECT_CLIENT_SECRET": SANDBOX_TOKENS["yandex_client_secret"],
        "MRM_DIRECT_OAUTH_URL": sandbox.url("oauth"),
        "MRM_DIRECT_BASE_URL": sandbox.url("direct"),
        "MRM_APP_URL": "http://127.0.0.1:8599",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


def _app(lang: str = "en", query: dict | None = None):
    return logged_in_app(
        ADMIN, page="app_pages/connections.py", query={"client": CLIENT, **(query or {})}, lang=lang
    )


def _link_buttons(at) -> list[tuple[str, str]]:
    return [(b.proto.label, b.proto.url) for b in at.get("link_button")]


def _consent(url: str) -> dict[str, str]:
    """What the sandbox's authorize page sends the browser back with (its 302 Location's query)."""
    resp = httpx.get(url, follow_redirects=False, timeout=30)
    assert resp.status_code == 302, resp.text
    loc = urlsplit(resp.headers["location"])
    assert f"{loc.scheme}://{loc.netloc}{loc.path}" == "http://127.0.0.1:8599/connections"
    return {k: v[0] for k, v in parse_qs(loc.query).items()}


def test_connect_through_oauth_pick_accounts_then_reconnect_after_a_revocation(
    ch, tenant, oauth_env, monkeypatch
):
    from dashboards.auth import Principal
    from workspace import oauth

    at = _app()
    monkeypatch.setenv("MRM_SECRET_KEY", KEY)  # after the sign-in (see test_workspace_pages)
    next(b for b in at.button if b.label == "Connect Yandex Direct").click()
    at.run()
    assert not at.exception, at.exception
    [(label, url)] = _link_buttons(at)
    assert label == "Continue to Yandex Direct" and url.startswith(
        oauth_env["MRM_DIRECT_OAUTH_URL"] + "/authorize?"
    )
    back = _consent(url)
    # The callback: the page completes the grant, drops code and state from the URL and lists the accounts.
    for k, v in back.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    assert "code" not in at.query_params and "state" not in at.query_params
    assert any("Yandex Direct access granted" in s.value for s in at.success)
    boxes = {c.label.split(" — ")[0]: c for c in at.checkbox if c.key and c.key.startswith("cn_pick_")}
    assert {"shoes-direct", "auto-direct", "bank-direct"} <= set(boxes), list(boxes)
    boxes["shoes-direct"].check()
    boxes["auto-direct"].check()
    next(b for b in at.button if b.label == "Connect selected").click()
    at.run()
    assert any("2 account(s) connected: shoes-direct, auto-direct" in s.value for s in at.success), [
        s.value for s in at.success
    ]
    health = next(d.value for d in at.dataframe if "Token" in d.value.columns).set_index("Account")
    assert list(health.index) == ["auto-direct", "shoes-direct"]
    assert set(health["Token"]) == {"valid"} and "—" not in set(health["Token expires"])
    # The same callback presented again is refused, wholly in the reader's language (the catalogue's text names
    # the parameter and when it was used).
    ru = _app("ru", query=back)
    errors = [e.value for e in ru.error]
    assert any("state: параметр уже использован" in e and "UTC" in e for e in errors), errors
    assert not any("already used" in e for e in errors), errors
    # The agency withdraws the access: the accounts show it and offer Reconnect, which starts a new consent.
    grant_id = health.at["shoes-direct", "Stored credentials"].split()[-1]
    oauth.revoke(ch, Principal(T, ADMIN, "admin"), grant_id, app=oauth.OAuthApp.from_env("yandex_direct"))
    # the hourly renewal's refusal, as orchestration/grants.py records it: the token alert fires for both
    from delivery import tokens

    for account in ("auto-direct", "shoes-direct"):
        tokens.record(ch, T, "yandex_direct", account, revoked=True, reason="renewal refused")
    firing = lambda: [c.key for c in tokens.conditions(ch, T, CLIENT, dt.datetime.now(dt.UTC), 7)]  # noqa: E731
    assert len(firing()) == 2
    at.run()
    health = next(d.value for d in at.dataframe if "Token" in d.value.columns).set_index("Account")
    assert set(health["Token"]) == {"revoked"}
    assert any("token is revoked or expired" in w.value for w in at.warning)
    next(b for b in at.button if b.label == "Reconnect Yandex Direct").click()
    at.run()
    [again] = [u for _, u in _link_buttons(at) if u.startswith(oauth_env["MRM_DIRECT_OAUTH_URL"])]
    for k, v in _consent(again).items():
        at.query_params[k] = v
    at.run()
    assert any("connected again: auto-direct, shoes-direct" in s.value for s in at.success), [
        s.value for s in at.success
    ]
    health = next(d.value for d in at.dataframe if "Token" in d.value.columns).set_index("Account")
    assert set(health["Token"]) == {"valid"}
    assert grant_id not in set(health["Stored credentials"].str.split().str[-1])
    assert firing() == []  # reconnected: the token alert clears at its next evaluation
    # The accounts load with the new grant's token (what the connectors read).
    from workspace.credentials import token_for

    assert token_for(ch, T, "yandex_direct", "shoes-direct") not in (None, SANDBOX_TOKENS["direct"])


def test_an_unreachable_dagster_and_a_missing_garpun_key_are_refused_and_nothing_is_recorded(
    ch, tenant, monkeypatch
):
    at = _app()
    ch.insert(
        "app.accounts",
        [[T, CLIENT, "yandex_direct", "cn-manual-1"]],
        column_names=["tenant_id", "client_id", "platform", "account_id"],
    )
    monkeypatch.setenv("MRM_DAGSTER_URL", f"http://127.0.0.1:{free_port()}")
    at.run()
    at.multiselect(key="cn_sync_accounts").set_value(["yandex_direct|cn-manual-1"])
    next(b for b in at.button if b.label == "Load now").click()
    at.run()
    assert not at.exception, at.exception
    assert any("did not answer" in e.value for e in at.error), [e.value for e in at.error]
    runs = ch.query(
        "SELECT count() FROM app.sync_runs WHERE tenant_id = {t:String}", parameters={"t": T}
    ).result_rows[0][0]
    assert runs == 0
    # Garpun without its key file: refused, and no account is registered.
    at.text_input(key="cn_garpun_account").input("gp-cn-1")
    next(b for b in at.button if b.label == "Connect the Garpun account").click()
    at.run()
    assert any("Choose the key file" in e.value for e in at.error)
    registered = ch.query(
        "SELECT count() FROM app.accounts WHERE tenant_id = {t:String} AND platform = 'garpun'",
        parameters={"t": T},
    ).result_rows[0][0]
    assert registered == 0


def test_the_callback_opens_in_the_language_the_connection_began_in(ch, tenant, oauth_env, monkeypatch):
    """The platform's redirect names no language and opens a new session; the state leads with the language the
    connection was started in, so the account list after it is in English although the person's profile names
    no language (the app's default is Russian)."""
    from workspace.oauth import state_language

    monkeypatch.delenv("MRM_SECRET_KEY", raising=False)
    at = _app("en")
    monkeypatch.setenv("MRM_SECRET_KEY", KEY)  # after the sign-in (see test_workspace_pages)
    next(b for b in at.button if b.label == "Connect Yandex Direct").click()
    at.run()
    [(_label, url)] = _link_buttons(at)
    back = _consent(url)
    assert state_language(back["state"]) == "en" and "lang" not in back
    # The browser comes back: a new session, signed in again (AppTest keeps no cookie), the callback's query only.
    monkeypatch.delenv("MRM_SECRET_KEY")
    new = logged_in_app(ADMIN, query=back, lang=None)
    monkeypatch.setenv("MRM_SECRET_KEY", KEY)
    new.switch_page("app_pages/connections.py")
    new.run()
    assert not new.exception, new.exception
    assert new.session_state["ui_lang"] == "en"
    assert any("Yandex Direct access granted" in s.value for s in new.success), [s.value for s in new.success]
