"""ApiClient retry policy, driven by scripted responses through httpx's transport interface."""

from collections.abc import Callable

import httpx
import pytest

from ingestion.common import ApiClient, ApiError, AuthError, RetryExhausted, RetryPolicy
from ingestion.common.http import parse_retry_after, unreadable_json


def scripted(*steps: Callable[[httpx.Request], httpx.Response] | httpx.Response | Exception):
    calls: list[httpx.Request] = []
    it = iter(steps)

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        step = next(it)
        if isinstance(step, Exception):
            raise step
        return step(request) if callable(step) else step

    return httpx.MockTransport(handler), calls


def client(transport, **kw) -> tuple[ApiClient, list[float]]:
    sleeps: list[float] = []
    policy = kw.pop("policy", RetryPolicy(max_attempts=4, base_delay=0.01, jitter=0))
    return ApiClient(
        "test", "http://api", transport=transport, sleep=sleeps.append, policy=policy, **kw
    ), sleeps


def test_429_with_retry_after_waits_exactly_the_servers_hint():
    transport, calls = scripted(
        httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, json={})
    )
    api, sleeps = client(transport)
    assert api.request("GET", "/x").status_code == 200
    assert sleeps == [3.0] and len(calls) == 2


def test_429_without_retry_after_uses_exponential_backoff():
    transport, _ = scripted(httpx.Response(429), httpx.Response(420), httpx.Response(200))
    api, sleeps = client(transport)
    api.request("GET", "/x")
    assert sleeps == [0.01, 0.02]


def test_retry_after_is_capped_by_the_policy():
    transport, _ = scripted(httpx.Response(503, headers={"Retry-After": "86400"}), httpx.Response(200))
    api, sleeps = client(transport, policy=RetryPolicy(max_attempts=3, max_server_delay=5, jitter=0))
    api.request("GET", "/x")
    assert sleeps == [5.0]


def test_timeouts_and_connection_resets_are_retried():
    transport, calls = scripted(httpx.ReadTimeout("slow"), httpx.ConnectError("reset"), httpx.Response(200))
    api, _ = client(transport)
    assert api.request("GET", "/x").status_code == 200
    assert len(calls) == 3


def test_persistent_5xx_raises_retry_exhausted_with_platform_text_and_request_id():
    resp = httpx.Response(500, text="backend exploded", headers={"RequestId": "r-1"})
    transport, _ = scripted(resp, resp, resp, resp)
    api, _ = client(transport)
    with pytest.raises(RetryExhausted) as info:
        api.request("GET", "/x")
    assert info.value.platform == "test" and info.value.request_id == "r-1"
    assert "backend exploded" in str(info.value) and info.value.status == 500


def test_4xx_is_fatal_immediately():
    transport, calls = scripted(httpx.Response(400, text="bad field"))
    api, sleeps = client(transport)
    with pytest.raises(ApiError, match="bad field") as info:
        api.request("GET", "/x")
    assert not isinstance(info.value, RetryExhausted)
    assert len(calls) == 1 and sleeps == []


def test_401_refreshes_once_then_replays_with_the_new_token():
    token = {"v": "old"}
    transport, calls = scripted(httpx.Response(401), httpx.Response(200))
    api, _ = client(
        transport, auth_headers=lambda: {"Authorization": token["v"]}, refresh=lambda: token.update(v="new")
    )
    api.request("GET", "/x")
    assert [c.headers["Authorization"] for c in calls] == ["old", "new"]


def test_401_after_a_refresh_is_an_auth_error():
    transport, _ = scripted(httpx.Response(401, text="nope"), httpx.Response(401, text="still nope"))
    api, _ = client(transport, refresh=lambda: None)
    with pytest.raises(AuthError, match="still nope"):
        api.request("GET", "/x")


def test_request_ids_are_collected_for_the_load_log():
    transport, _ = scripted(
        httpx.Response(500, headers={"RequestId": "a"}), httpx.Response(200, headers={"RequestId": "b"})
    )
    api, _ = client(transport)
    api.request("GET", "/x")
    assert api.request_ids == ["a", "b"]


def test_retry_after_accepts_http_dates():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 10) == pytest.approx(10.0)
    assert parse_retry_after("soon") is None


def test_a_per_request_policy_overrides_the_clients_attempts():
    transport, calls = scripted(httpx.Response(503), httpx.Response(200))
    api, sleeps = client(transport)
    with pytest.raises(RetryExhausted, match="gave up after 1 attempts"):
        api.request("POST", "/token", policy=RetryPolicy(max_attempts=1))
    assert len(calls) == 1 and sleeps == []
    assert api.request("POST", "/token").status_code == 200  # the client's own policy is untouched


def test_unreadable_json_flags_only_bodies_that_claim_json_and_do_not_decode():
    def resp(body: bytes, ctype: str = "application/json; charset=utf-8") -> httpx.Response:
        return httpx.Response(403, content=body, headers={"Content-Type": ctype})

    assert unreadable_json(resp(b'{"errors": [{"error_type": "invalid_tok'))
    assert unreadable_json(resp(b'{"code": 403, \x00\xff#GARBLED#\t\t\n\xfe}'))
    assert unreadable_json(resp(b""))
    assert not unreadable_json(resp(b'{"errors": [], "code": 403}'))
    assert not unreadable_json(resp(b"<html>Forbidden</html>", "text/html"))


def test_a_streamed_2xx_json_answer_is_read_ahead_unless_it_is_the_data():
    """Errors inside HTTP 200 need the body to classify it; a searchStream answer is the data, read as it comes."""

    def chunks():
        yield b'[{"results": []}'
        yield b"]"

    for read_ok_json, read_first in ((True, True), (False, False)):
        transport, _ = scripted(
            lambda _r: httpx.Response(200, headers={"content-type": "application/json"}, content=chunks())
        )
        api, _ = client(transport)
        with api.stream("POST", "/s", read_ok_json=read_ok_json) as resp:
            assert resp.is_stream_consumed is read_first
            if not read_first:
                assert b"".join(resp.iter_bytes()) == b'[{"results": []}]'
