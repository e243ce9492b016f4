"""The sandbox's OAuth and discovery services on the wire: Yandex authorize/token/revoke_token with Yandex's error
JSON, Direct AgencyClients.get (read by the third-party tapi-yandex-direct client), Metrika Management counters,
VK Ads authorization code and agency clients; tokens act only for the granting agency. Token requests of every
platform retry a garbled answer and honour Retry-After (Garpun as VK)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from tapi2 import generate_wrapper_from_adapter
from tapi_yandex_direct import exceptions as tapi_errors
from tapi_yandex_direct.tapi_yandex_direct import YandexDirectClientAdapter

from ingestion.common import AuthError, RetryPolicy
from ingestion.garpun.auth import ServiceAccountKey, ServiceAccountTokens
from ingestion.garpun.settings import Settings as GarpunSettings
from ingestion.sandbox import vk_ads as sandbox_vk
from ingestion.sandbox import yandex_oauth as sandbox_oauth
from ingestion.sandbox.server import SANDBOX_TOKENS
from ingestion.sandbox.testing import clean_faults, sandbox  # noqa: F401

CB = "http://127.0.0.1:9/cb"
YA = {
    "client_id": SANDBOX_TOKENS["yandex_client_id"],
    "client_secret": SANDBOX_TOKENS["yandex_client_secret"],
}
VK = {"client_id": sandbox_vk.SANDBOX_CLIENT_ID, "client_secret": sandbox_vk.SANDBOX_CLIENT_SECRET}


class SandboxDirectAdapter(YandexDirectClientAdapter):
    """tapi-yandex-direct with only its host changed (the paths are Direct's own, which the sandbox also serves)."""

    def get_api_root(self, api_params: dict, resource_name: str) -> str:
        return api_params["sandbox_root"] + "/"


TapiDirect = generate_wrapper_from_adapter(SandboxDirectAdapter)


def accounts(sandbox, platform: str, agency: str = "") -> list[str]:  # noqa: F811
    return [a.account_id for a in sandbox.world.accounts_for(platform) if not agency or a.tenant_id == agency]


def query_of(resp: httpx.Response) -> dict[str, str]:
    assert resp.status_code == 302, resp.text
    return {k: v[0] for k, v in parse_qs(urlsplit(resp.headers["location"]).query).items()}


def yandex_code(sandbox, agency: str = "demo-agency", **extra: str) -> str:  # noqa: F811
    params = {"response_type": "code", "client_id": YA["client_id"], "redirect_uri": CB, "state": "s1"}
    back = query_of(
        httpx.get(f"{sandbox.url('oauth')}/authorize", params={**params, "login_hint": agency, **extra})
    )
    assert back["state"] == "s1"
    return back["code"]


def yandex_token(sandbox, agency: str = "demo-agency", **extra: str) -> dict:  # noqa: F811
    code = yandex_code(sandbox, agency, **extra)
    resp = httpx.post(
        f"{sandbox.url('oauth')}/token", data={"grant_type": "authorization_code", "code": code, **YA}
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_tapi_yandex_direct_reads_agency_clients_page_by_page(sandbox):  # noqa: F811
    token = yandex_token(sandbox, "demo-agency")["access_token"]
    client = TapiDirect(access_token=token, sandbox_root=sandbox.base_url, retry_if_exceeded_limit=False)
    body = {
        "method": "get",
        "params": {
            "SelectionCriteria": {"Archived": "NO"},
            "FieldNames": ["Login", "ClientInfo", "Currency"],
            "Page": {"Limit": 1},
        },
    }
    result = client.agencyclients().post(data=body)
    first = sandbox.world.account(accounts(sandbox, "yandex_direct", "demo-agency")[0])
    assert result().extract() == [
        {"Login": first.account_id, "ClientInfo": first.name, "Currency": first.currency}
    ]
    logins = [c["Login"] for c in result().iter_items()]  # follows LimitedBy to the last page
    assert logins == accounts(sandbox, "yandex_direct", "demo-agency")
    everyone = TapiDirect(access_token=SANDBOX_TOKENS["direct"], sandbox_root=sandbox.base_url)
    assert [c["Login"] for c in everyone.agencyclients().post(data=body)().iter_items()] == accounts(
        sandbox, "yandex_direct"
    )
    stranger = TapiDirect(access_token="not-a-token", sandbox_root=sandbox.base_url)
    with pytest.raises(tapi_errors.YandexDirectClientError, match="error_code=53"):
        stranger.agencyclients().post(data=body)


def test_direct_agency_clients_checks_its_request_and_the_agency_of_client_login(sandbox):  # noqa: F811
    token = yandex_token(sandbox, "north-media")["access_token"]
    url = f"{sandbox.base_url}/json/v5/agencyclients"
    auth = {"Authorization": f"Bearer {token}"}
    bad = httpx.post(url, headers=auth, json={"method": "get", "params": {"FieldNames": ["Login"]}}).json()
    assert bad["error"]["error_code"] == 8000
    bad = httpx.post(
        url, headers=auth, json={"method": "get", "params": {"SelectionCriteria": {}, "FieldNames": ["Nope"]}}
    ).json()
    assert bad["error"]["error_code"] == 4000 and "Nope" in bad["error"]["error_detail"]
    # A login of another agency answers "no rights" to this agency's token on the statistics services.
    foreign = accounts(sandbox, "yandex_direct", "demo-agency")[0]
    refused = httpx.post(
        f"{sandbox.url('direct')}/json/v5/campaigns",
        headers={**auth, "Client-Login": foreign},
        json={"method": "get", "params": {"SelectionCriteria": {}, "FieldNames": ["Id"]}},
    ).json()
    assert refused["error"]["error_code"] == 54 and "north-media" in refused["error"]["error_detail"]


def test_yandex_oauth_errors_are_yandex_shaped(sandbox):  # noqa: F811
    base = sandbox.url("oauth")
    unknown = httpx.get(
        f"{base}/authorize", params={"response_type": "code", "client_id": "nobody", "redirect_uri": CB}
    )
    assert (unknown.status_code, unknown.json()["error"]) == (400, "invalid_client")
    implicit = httpx.get(
        f"{base}/authorize",
        params={"response_type": "token", "client_id": YA["client_id"], "redirect_uri": CB, "state": "x"},
    )
    assert query_of(implicit) == {"error": "unsupported_response_type", "state": "x"}
    nobody = httpx.get(
        f"{base}/authorize",
        params={
            "response_type": "code",
            "client_id": YA["client_id"],
            "redirect_uri": CB,
            "login_hint": "ghost",
        },
    )
    assert query_of(nobody)["error"] == "access_denied"

    code = yandex_code(sandbox)
    wrong = httpx.post(
        f"{base}/token", data={"grant_type": "authorization_code", "code": code, **YA, "client_secret": "x"}
    )
    assert (wrong.status_code, wrong.json()) == (
        401,
        {"error": "invalid_client", "error_description": "Wrong client secret"},
    )
    moved = httpx.post(
        f"{base}/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CB + "2", **YA},
    )
    assert (moved.status_code, moved.json()["error"]) == (400, "invalid_grant")
    # Client credentials in HTTP Basic, as Yandex also accepts them; the code is still unused after the refusals.
    basic = httpx.post(
        f"{base}/token",
        data={"grant_type": "authorization_code", "code": code},
        auth=(YA["client_id"], YA["client_secret"]),
    )
    assert basic.status_code == 200 and basic.json()["token_type"] == "bearer"
    again = httpx.post(f"{base}/token", data={"grant_type": "authorization_code", "code": code, **YA})
    assert again.json() == {"error": "invalid_grant", "error_description": "Code has already been used"}
    assert (
        httpx.post(f"{base}/token", data={"grant_type": "password", **YA}).json()["error"]
        == "unsupported_grant_type"
    )
    assert (
        httpx.post(f"{base}/token", data={"grant_type": "authorization_code", **YA}).json()["error"]
        == "invalid_request"
    )
    bogus = httpx.post(f"{base}/token", data={"grant_type": "authorization_code", "code": "42", **YA}).json()
    assert bogus == {"error": "bad_verification_code", "error_description": "Invalid code"}


def test_a_code_expires_on_the_sandbox_clock_moved_over_http(sandbox):  # noqa: F811
    code = yandex_code(sandbox)
    moved = httpx.post(
        f"{sandbox.base_url}/_control/clock", json={"advance_seconds": sandbox_oauth.CODE_TTL_S + 1}
    )
    assert moved.status_code == 200 and moved.json()["offset_seconds"] >= sandbox_oauth.CODE_TTL_S + 1
    late = httpx.post(
        f"{sandbox.url('oauth')}/token", data={"grant_type": "authorization_code", "code": code, **YA}
    )
    assert late.json() == {"error": "invalid_grant", "error_description": "Code has expired"}


def test_yandex_refresh_and_revoke(sandbox):  # noqa: F811
    base = sandbox.url("oauth")
    plain = yandex_token(sandbox)  # no device_id: Yandex revokes only tokens issued for a device
    refused = httpx.post(f"{base}/revoke_token", data={"access_token": plain["access_token"], **YA})
    assert (refused.status_code, refused.json()["error"]) == (400, "unsupported_token_type")

    issued = yandex_token(sandbox, device_id="device-123456")
    renewed = httpx.post(
        f"{base}/token", data={"grant_type": "refresh_token", "refresh_token": issued["refresh_token"], **YA}
    )
    assert renewed.status_code == 200 and renewed.json()["access_token"] != issued["access_token"]
    counters = f"{sandbox.url('metrika')}/management/v1/counters"
    assert (
        httpx.get(counters, headers={"Authorization": f"OAuth {renewed.json()['access_token']}"}).status_code
        == 200
    )
    assert httpx.post(f"{base}/revoke_token", data={"access_token": issued["access_token"], **YA}).json() == {
        "status": "ok"
    }
    # The device's grant went as a whole: both access tokens and the refresh token.
    for token in (issued["access_token"], renewed.json()["access_token"]):
        assert httpx.get(counters, headers={"Authorization": f"OAuth {token}"}).status_code == 403
    dead = httpx.post(
        f"{base}/token", data={"grant_type": "refresh_token", "refresh_token": issued["refresh_token"], **YA}
    )
    assert dead.json() == {"error": "invalid_grant", "error_description": "Refresh token expired or revoked"}
    twice = httpx.post(f"{base}/revoke_token", data={"access_token": issued["access_token"], **YA})
    assert twice.json()["error"] == "invalid_token"


def test_metrika_counters_page_with_a_one_based_offset_and_only_the_agencys(sandbox):  # noqa: F811
    token = yandex_token(sandbox, "demo-agency")["access_token"]
    url = f"{sandbox.url('metrika')}/management/v1/counters"
    auth = {"Authorization": f"OAuth {token}"}
    mine = accounts(sandbox, "yandex_metrika", "demo-agency")
    first = httpx.get(url, headers=auth, params={"per_page": 2, "offset": 1}).json()
    second = httpx.get(url, headers=auth, params={"per_page": 2, "offset": 3}).json()
    assert first["rows"] == second["rows"] == len(mine)
    assert [str(c["id"]) for c in first["counters"] + second["counters"]] == mine
    assert {c["permission"] for c in first["counters"]} == {"edit"}
    found = httpx.get(url, headers=auth, params={"search_string": mine[1]}).json()
    assert [str(c["id"]) for c in found["counters"]] == [mine[1]]
    bad = httpx.get(url, headers=auth, params={"per_page": 0})
    assert bad.status_code == 400 and bad.json()["errors"][0]["error_type"] == "invalid_parameter"
    assert httpx.get(url, headers=auth, params={"offset": 0}).status_code == 400
    foreign = accounts(sandbox, "yandex_metrika", "north-media")[0]
    stat = httpx.get(
        f"{sandbox.url('metrika')}/stat/v1/data",
        headers=auth,
        params={"ids": foreign, "metrics": "ym:s:visits", "date1": "2026-01-10", "date2": "2026-01-10"},
    )
    assert stat.status_code == 403 and stat.json()["errors"][0]["error_type"] == "access_denied"


def vk_agency_token(sandbox, agency: str) -> dict:  # noqa: F811
    back = query_of(
        httpx.get(
            f"{sandbox.url('vk')}/oauth2/authorize",
            params={
                "response_type": "code",
                "client_id": VK["client_id"],
                "redirect_uri": CB,
                "state": "v",
                "login_hint": agency,
            },
        )
    )
    resp = httpx.post(
        f"{sandbox.url('vk')}/api/v2/oauth2/token.json",
        data={"grant_type": "authorization_code", "code": back["code"], **VK},
    )
    assert resp.status_code == 200, resp.text
    return {**resp.json(), "code": back["code"]}


def test_vk_authorization_code_agency_clients_and_client_tokens(sandbox):  # noqa: F811
    tok = vk_agency_token(sandbox, "demo-agency")
    base = f"{sandbox.url('vk')}/api/v2"
    reused = httpx.post(
        f"{base}/oauth2/token.json", data={"grant_type": "authorization_code", "code": tok["code"], **VK}
    )
    assert (reused.status_code, reused.json()["code"]) == (400, "invalid_grant")
    auth = {"Authorization": f"Bearer {tok['access_token']}"}
    mine = accounts(sandbox, "vk_ads", "demo-agency")
    pages = [
        httpx.get(f"{base}/agency/clients.json", headers=auth, params={"limit": 1, "offset": i}).json()
        for i in range(len(mine))
    ]
    assert {p["count"] for p in pages} == {len(mine)}
    assert [p["items"][0]["user"]["username"] for p in pages] == mine
    assert httpx.get(f"{base}/agency/clients.json", headers=auth, params={"limit": 51}).status_code == 400
    assert httpx.get(f"{base}/user.json", headers=auth).json()["username"] == "demo-agency"
    # As at VK, the agency's own token does not read a client's campaigns: it asks for the client's token.
    assert httpx.get(f"{base}/ad_plans.json", headers=auth).status_code == 403
    client = httpx.post(
        f"{base}/oauth2/token.json",
        data={
            "grant_type": "agency_client_credentials",
            "agency_client_name": mine[0],
            "access_token": tok["access_token"],
            **VK,
        },
    ).json()
    plans = httpx.get(f"{base}/ad_plans.json", headers={"Authorization": f"Bearer {client['access_token']}"})
    assert plans.status_code == 200 and plans.json()["count"] > 0


def test_vk_code_expires_on_the_sandbox_clock(sandbox):  # noqa: F811
    back = query_of(
        httpx.get(
            f"{sandbox.url('vk')}/oauth2/authorize",
            params={"response_type": "code", "client_id": VK["client_id"], "redirect_uri": CB, "state": "v"},
        )
    )
    sandbox.advance_clock(sandbox_vk.CODE_TTL_S + 1)
    late = httpx.post(
        f"{sandbox.url('vk')}/api/v2/oauth2/token.json",
        data={"grant_type": "authorization_code", "code": back["code"], **VK},
    )
    assert late.json() == {"code": "invalid_grant", "message": "Code has expired"}


@pytest.mark.parametrize("fault", ["garble", "truncate"])
def test_garpun_token_endpoint_retries_a_lost_answer_like_vk(clean_faults, fault):  # noqa: F811
    settings = GarpunSettings.for_sandbox(clean_faults.url("garpun"))
    key = ServiceAccountKey.load(json_text=settings.service_account_key_json.get_secret_value())
    slept: list[float] = []
    tokens = ServiceAccountTokens(
        key, scope=settings.scope, policy=RetryPolicy(base_delay=0.01), sleep=slept.append
    )
    issued = clean_faults.apis["garpun"].stats["tokens"]
    clean_faults.faults.add("garpun", fault, count=1, path="/oauth2/token")
    try:
        tokens._obtain()
    finally:
        tokens.close()
    assert tokens.access_token.startswith("gp-") and tokens.issued == 1
    assert clean_faults.apis["garpun"].stats["tokens"] == issued + 2  # the lost answer, then the one read
    assert len(slept) == 1


def test_garpun_token_429_waits_retry_after_and_a_refusal_names_no_secret(clean_faults):  # noqa: F811
    settings = GarpunSettings.for_sandbox(clean_faults.url("garpun"))
    key_json = settings.service_account_key_json.get_secret_value()
    key = ServiceAccountKey.load(json_text=key_json)
    slept: list[float] = []
    tokens = ServiceAccountTokens(
        key, scope=settings.scope, policy=RetryPolicy(max_server_delay=10), sleep=slept.append
    )
    clean_faults.faults.add("garpun", "http_429", count=1, path="/oauth2/token", retry_after=3)
    try:
        tokens._obtain()
    finally:
        tokens.close()
    assert slept == [3.0]
    other = json.loads(key_json)
    other["client_email"] = "ghost@sandbox"
    ghost = ServiceAccountTokens(ServiceAccountKey.from_mapping(other), scope=settings.scope)
    with pytest.raises(AuthError) as err:
        ghost._obtain()
    ghost.close()
    assert "PRIVATE KEY" not in str(err.value) and "ghost@sandbox" in str(err.value)


def test_vk_token_minting_waits_retry_after_on_429(clean_faults):  # noqa: F811
    from ingestion.common import ApiClient
    from ingestion.vk_ads.auth import TOKEN_PATH, TokenManager, classify_token_response

    slept: list[float] = []
    http = ApiClient(
        "vk_ads",
        clean_faults.url("vk"),
        classify=classify_token_response,
        policy=RetryPolicy(max_server_delay=10),
        sleep=slept.append,
    )
    cabinet = accounts(clean_faults, "vk_ads")[0]
    tokens = TokenManager(
        base_url=clean_faults.url("vk"), agency_client_name=cabinet, http=http, revoke_on_cap=True, **VK
    )
    clean_faults.faults.add("vk", "http_429", count=1, path=TOKEN_PATH, retry_after=4)
    try:
        tokens._obtain()
    finally:
        tokens.close()
    assert slept == [4.0] and tokens.access_token and tokens.issued == 1
