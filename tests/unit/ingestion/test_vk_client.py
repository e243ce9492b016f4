"""VK Ads client logic without a network: classifier verdicts, X-RateLimit pacing, request chunking, settings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import httpx
import pytest

from ingestion.common import ApiError, ConfigError
from ingestion.vk_ads.client import RateLimiter, VkAdsClient
from ingestion.vk_ads.fetch import stats_requests
from ingestion.vk_ads.settings import Settings


class FakeClock:
    def __init__(self, start: float) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def settings(**kw: object) -> Settings:
    return Settings(base_url="http://127.0.0.1:9", client_id="c", client_secret="s", **kw)  # type: ignore[arg-type]


@pytest.fixture()
def client() -> VkAdsClient:
    vk = VkAdsClient(settings())
    yield vk
    vk.close()


def _resp(status: int, body: dict | None = None, headers: dict | None = None) -> httpx.Response:
    return httpx.Response(status, json=body or {}, headers=headers or {})


def test_classifier_maps_vk_answers(client: VkAdsClient) -> None:
    assert client.classify(_resp(200, {"items": []}, {"X-Request-Id": "r1"})).action == "ok"
    with_hint = client.classify(_resp(429, {"error": {"code": "too_many_requests"}}, {"Retry-After": "3"}))
    assert (with_hint.action, with_hint.delay) == ("retry", 3.0)
    without = client.classify(_resp(429, {"error": {"code": "too_many_requests"}}))
    assert (without.action, without.delay) == ("retry", None)
    assert client.classify(_resp(503, {"error": {"code": "ERR_INTERNAL", "message": "x"}})).action == "retry"
    assert client.classify(_resp(401, {"code": "expired_token", "message": "expired"})).action == "refresh"
    blocked = client.classify(_resp(401, {"code": "invalid_user", "message": "User is blocked"}))
    assert (blocked.action, blocked.code) == ("fatal", "invalid_user")
    fatal = client.classify(_resp(400, {"error": {"code": "ERR_WRONG_DATE", "message": "bad date"}}))
    assert (fatal.action, fatal.code, fatal.error_text) == (
        "fatal",
        "ERR_WRONG_DATE",
        "ERR_WRONG_DATE: bad date",
    )


def test_classifier_feeds_rate_limit_headers_to_the_limiter(client: VkAdsClient) -> None:
    client.classify(
        _resp(
            200,
            {},
            {
                "X-RateLimit-RPS-Limit": "5",
                "X-RateLimit-RPS-Remaining": "1",
                "X-RateLimit-Hourly-Remaining": "120",
                "X-RateLimit-Daily-Remaining": "9000",
            },
        )
    )
    assert client.limiter.remaining == {"RPS": 1, "Hourly": 120, "Daily": 9000}
    assert client.limiter.limits == {"RPS": 5}


def test_limiter_waits_for_the_next_second_before_the_per_second_quota_is_hit() -> None:
    clock = FakeClock(1000.25)
    limiter = RateLimiter(reserve=1, clock=clock, sleep=clock.sleep)
    limiter.observe({"X-RateLimit-RPS-Remaining": "3"})
    limiter.before_request()
    assert clock.sleeps == []
    limiter.observe({"X-RateLimit-RPS-Remaining": "1"})
    limiter.before_request()
    assert clock.sleeps == [pytest.approx(0.76)] and clock.now >= 1001
    limiter.before_request()  # the new second's budget is unknown until the next answer: no second pause
    assert len(clock.sleeps) == 1


def test_limiter_waits_for_an_hourly_reset_within_budget_and_fails_loudly_beyond() -> None:
    moscow = dt.datetime(2026, 1, 20, 14, 59, 30, tzinfo=ZoneInfo("Europe/Moscow")).timestamp()
    clock = FakeClock(moscow)
    limiter = RateLimiter(max_wait_s=60, clock=clock, sleep=clock.sleep)
    limiter.observe({"X-RateLimit-Hourly-Remaining": "0", "X-RateLimit-Hourly-Limit": "600"})
    limiter.before_request()
    assert clock.sleeps == [pytest.approx(30.0)]

    limiter.observe({"X-RateLimit-Daily-Remaining": "0", "X-RateLimit-Daily-Limit": "10000"})
    with pytest.raises(
        ApiError, match=r"daily request quota exhausted \(limit 10000\); it resets in \d+ s"
    ) as exc:
        limiter.before_request()
    assert exc.value.code == "quota_daily"


def test_stats_requests_respect_200_ids_and_366_days() -> None:
    ids = list(range(1, 451))
    reqs = stats_requests(ids, dt.date(2025, 1, 1), dt.date(2026, 2, 5), ids_per_request=200, max_days=366)
    assert all(len(chunk) <= 200 for chunk, _, _ in reqs)
    assert all((end - start).days + 1 <= 366 for _, start, end in reqs)
    assert len(reqs) == 3 * 2
    covered = {
        (i, start + dt.timedelta(days=k))
        for chunk, start, end in reqs
        for i in chunk
        for k in range((end - start).days + 1)
    }
    assert len(covered) == 450 * ((dt.date(2026, 2, 5) - dt.date(2025, 1, 1)).days + 1)


def test_settings_limits_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError):
        settings(ids_per_request=201)
    with pytest.raises(ValueError):
        settings(max_days_per_request=400)
    env = {"MRM_VK_ADS_CLIENT_ID": "abc", "MRM_VK_ADS_CLIENT_SECRET": "xyz", "MRM_VK_ADS_AGENCY_MODE": "true"}
    s = Settings.from_env(env)
    assert s.client_id == "abc" and s.agency_mode and s.lookback_days == 7
    assert "xyz" not in repr(s)  # the secret stays out of logs
    with pytest.raises(ConfigError, match="MRM_VK_ADS_CLIENT_SECRET"):
        Settings.from_env({"MRM_VK_ADS_CLIENT_ID": "abc"})


def test_429_without_retry_after_waits_for_the_exhausted_window(client: VkAdsClient) -> None:
    verdict = client.classify(
        _resp(
            429,
            {"error": {"code": "too_many_requests"}},
            {"X-RateLimit-RPS-Remaining": "0", "X-RateLimit-Hourly-Remaining": "10"},
        )
    )
    assert verdict.action == "retry" and 0 < verdict.delay <= 1.01
    verdict = client.classify(
        _resp(
            429,
            {"error": {"code": "too_many_requests"}},
            {"X-RateLimit-Daily-Remaining": "0", "X-RateLimit-Daily-Limit": "100"},
        )
    )
    assert (verdict.action, verdict.code) == ("fatal", "quota_daily")
    assert "daily request quota exhausted" in verdict.error_text
