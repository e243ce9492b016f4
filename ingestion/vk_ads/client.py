"""VK Ads HTTP plumbing: the common ApiClient with VK's classifier, OAuth2 and X-RateLimit-* pacing."""

from __future__ import annotations

import datetime as dt
import functools
import json
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from ingestion.common import ApiClient, ApiError, PayloadError, Verdict
from ingestion.common.http import error_answer, parse_retry_after, request_id_of, unreadable_json
from ingestion.common.session import TokenSession
from ingestion.vk_ads.auth import PLATFORM, TokenManager, classify_token_response, error_of
from ingestion.vk_ads.settings import Settings

MSK = ZoneInfo("Europe/Moscow")
# 401 codes a new/refreshed token cures; invalid_client / invalid_user (blocked) are fatal.
REFRESHABLE_401 = frozenset({"expired_token", "invalid_token", "revoked_token"})


class RateLimiter:
    """Paces requests from the ``X-RateLimit-*`` headers of the previous answer.

    Per second: when the remainder falls to ``reserve`` the next request waits for the next calendar second,
    so the quota is never actually hit. Hourly/daily: when exhausted, wait for the reset if that is at most
    ``max_wait_s``, otherwise fail loudly naming the quota (a run must not hang for hours).
    """

    def __init__(
        self,
        *,
        reserve: int = 1,
        max_wait_s: float = 120.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.reserve = reserve
        self.max_wait_s = max_wait_s
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self.remaining: dict[str, int] = {}
        self.limits: dict[str, int] = {}
        self.observed_at = 0.0
        self.waited_s = 0.0
        self.pauses = 0

    def observe(self, headers: Mapping[str, str]) -> None:
        with self._lock:
            for window in ("RPS", "Minutely", "Hourly", "Daily"):
                for kind, store in (("Remaining", self.remaining), ("Limit", self.limits)):
                    value = headers.get(f"X-RateLimit-{window}-{kind}")
                    if value is not None and value.strip().lstrip("-").isdigit():
                        store[window] = int(value)
            self.observed_at = self.clock()

    def _next_reset(self, window: str, now: float) -> float:
        if window == "RPS":
            return float(int(self.observed_at) + 1)
        moment = dt.datetime.fromtimestamp(now, MSK)
        if window == "Minutely":
            nxt = moment.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        elif window == "Hourly":
            nxt = moment.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        else:  # Daily quotas reset at Moscow midnight
            nxt = moment.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
        return nxt.timestamp()

    def _exhausted(self, now: float) -> tuple[str, float] | None:
        """The longest-lived exhausted window and the seconds until it resets (raises if beyond max_wait_s)."""
        for window in ("Daily", "Hourly", "Minutely"):
            if self.remaining.get(window, 1) <= 0:
                wait = self._next_reset(window, now) - now
                if wait > self.max_wait_s:
                    raise ApiError(
                        f"VK Ads {window.lower()} request quota exhausted (limit {self.limits.get(window, '?')}); "
                        f"it resets in {wait:.0f} s, more than max_quota_wait_s={self.max_wait_s:.0f}",
                        platform=PLATFORM,
                        status=429,
                        code=f"quota_{window.lower()}",
                        error_text=f"X-RateLimit-{window}-Remaining: 0",
                    )
                return window, wait
        return None

    def reset_delay(self) -> float | None:
        """After a 429 without Retry-After: seconds until the exhausted window resets (None = unknown)."""
        with self._lock:
            now = self.clock()
            exhausted = self._exhausted(now)
            if exhausted is not None:
                return exhausted[1]
            if self.remaining.get("RPS", 1) <= 0:
                return self._next_reset("RPS", now) - now + 0.01
            return None

    def before_request(self) -> None:
        with self._lock:
            now = self.clock()
            exhausted = self._exhausted(now)
            if exhausted is not None:
                window, wait = exhausted
                self._pause(wait)
                self.remaining.pop(window, None)
            rps = self.remaining.get("RPS")
            if rps is not None and rps <= self.reserve and int(now) == int(self.observed_at):
                self._pause(self._next_reset("RPS", now) - now + 0.01)
                self.remaining.pop("RPS", None)

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self.pauses += 1
            self.waited_s += seconds
            self.sleep(seconds)


def decode_json(response: httpx.Response | Body, request: str) -> Any:
    """Decode with Decimal floats (money must never pass through a binary float); bad JSON is a PayloadError."""
    try:
        return json.loads(response.content.decode("utf-8"), parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        rid = response.request_id if isinstance(response, Body) else request_id_of(response)
        raise PayloadError(
            f"{request}: body is not valid JSON ({exc}); truncated or garbled? "
            f"first bytes: {response.content[:120]!r}",
            platform=PLATFORM,
            request_id=rid,
        ) from None


@dataclass(frozen=True)
class Body:
    """The undecoded body of a successful answer and its request id (for parsers that read bytes directly)."""

    content: bytes
    request_id: str | None


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process-wide TLS context of VK sessions (``httpx.create_ssl_context()``: certifi, SSL_CERT_* honoured)."""
    return httpx.create_ssl_context()


class VkAdsClient(TokenSession):
    """A VK Ads API session for one account (agency client name = account id in agency mode)."""

    tokens: TokenManager

    def __init__(
        self,
        settings: Settings,
        *,
        account_id: str = "",
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        policy = settings.retry_policy()
        # httpx would load the CA bundle afresh for each of the two clients of every account (~50 ms each);
        # one TLS context per process, with httpx's own defaults, serves them all.
        token_transport = transport or httpx.HTTPTransport(verify=tls_context())
        transport = transport or httpx.HTTPTransport(verify=tls_context())
        base = settings.base_url.rstrip("/")
        token_http = ApiClient(
            PLATFORM,
            base,
            classify=classify_token_response,
            policy=policy,
            timeout=settings.timeout_s,
            sleep=sleep,
            transport=token_transport,
        )
        self.tokens = TokenManager(
            base_url=base,
            client_id=settings.client_id,
            client_secret=settings.client_secret.get_secret_value(),
            agency_client_name=account_id if settings.agency_mode or settings.agency_token else "",
            agency_token=settings.agency_token.get_secret_value() if settings.agency_token else "",
            cache_path=settings.token_cache_path,
            revoke_on_cap=settings.revoke_tokens_on_cap,
            http=token_http,
            clock=clock,
            max_unconfirmed=settings.max_unconfirmed_tokens,
        )
        self.limiter = RateLimiter(
            reserve=settings.rps_reserve, max_wait_s=settings.max_quota_wait_s, clock=clock, sleep=sleep
        )
        super().__init__(
            settings,
            self.tokens,
            classify=self.classify,
            headers={"Accept": "application/json"},
            sleep=sleep,
            transport=transport,
        )

    @property
    def request_ids(self) -> list[str]:
        return self.api.request_ids

    def classify(self, response: httpx.Response) -> Verdict:
        """VK semantics: 429/5xx retry (Retry-After if given), 401 token codes refresh, ERR_* and the rest fatal."""
        self.limiter.observe(response.headers)
        err = error_answer(response, error_of)
        if err is None:
            return Verdict("ok", request_id=request_id_of(response))
        if err.status in (420, 429):
            hint = parse_retry_after(response.headers.get("Retry-After"))
            if hint is None:
                try:
                    # No Retry-After: the X-RateLimit-* headers say which window is exhausted and when it resets.
                    hint = self.limiter.reset_delay()
                except ApiError as exc:
                    return Verdict("fatal", None, f"{err.text}; {exc.message}", exc.code, err.request_id)
            return err.verdict("retry", hint)
        if err.status >= 500:
            return err.verdict("retry", parse_retry_after(response.headers.get("Retry-After")))
        if err.status == 401 and err.code in REFRESHABLE_401:
            return err.verdict("refresh")
        if unreadable_json(response):
            # The error body was truncated/garbled on the way (a 401 without WWW-Authenticate, a mangled ERR_*):
            # what VK meant is unknown, so ask again rather than fail on a guess.
            return Verdict("retry", None, f"unreadable error answer: {err.text}", err.code, err.request_id)
        return err.verdict("fatal")

    def get_json(self, path: str, params: Mapping[str, Any]) -> Any:
        """GET with pacing, retries and token handling; returns the decoded body."""
        return decode_json(self.get_body(path, params), f"GET {path}")

    def get_body(self, path: str, params: Mapping[str, Any]) -> Body:
        """GET with pacing, retries and token handling; returns the body undecoded."""
        self.limiter.before_request()
        response = self.api.request("GET", path, params=dict(params))
        return Body(response.content, request_id_of(response))
