"""httpx request helper with one retry/backoff policy for every platform.

Each connector supplies a *classifier* that turns a response into a `Verdict` (ok / retry / refresh /
fatal); transport failures (timeouts, connection resets) are always retried. The helper sleeps with
exponential backoff and jitter, honours server hints (`Retry-After`, Direct `retryIn`), refreshes the
token once per auth failure, and raises typed errors carrying platform, request id and error text.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Literal, TypeVar

import httpx

from ingestion.common.errors import ApiError, AuthError, RetryExhausted

_E = TypeVar("_E", bound=ApiError)

Action = Literal["ok", "retry", "refresh", "fatal"]

# Header names platforms use for their request id (first match wins; lookup is case-insensitive).
REQUEST_ID_HEADERS = ("RequestId", "X-Request-Id", "Request-Id", "X-Req-Id")


@dataclass(frozen=True)
class Verdict:
    """What to do with a response: `delay` is a server-suggested wait in seconds (None = use backoff)."""

    action: Action
    delay: float | None = None
    error_text: str = ""
    code: str | None = None
    request_id: str | None = None


Classifier = Callable[[httpx.Response], Verdict]


@dataclass(frozen=True)
class ErrorAnswer:
    """A response outside 2xx as a classifier reads it: HTTP status, request id, platform code, `code: message`."""

    status: int
    request_id: str | None
    code: str
    text: str

    def verdict(self, action: Action, delay: float | None = None) -> Verdict:
        return Verdict(action, delay, self.text, self.code, self.request_id)


def error_answer(
    response: httpx.Response, error_of: Callable[[httpx.Response], tuple[str, str]]
) -> ErrorAnswer | None:
    """None for a 2xx response; otherwise its status and request id with the (code, message) `error_of` reads."""
    if 200 <= response.status_code < 300:
        return None
    code, message = error_of(response)
    return ErrorAnswer(response.status_code, request_id_of(response), code, f"{code}: {message}")


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff policy. Delays are capped so a hostile Retry-After cannot stall a run for hours."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    # Server hints (Retry-After, retryIn) are honoured up to this many seconds.
    max_server_delay: float = 300.0
    # Give up when the summed waits would exceed this budget.
    max_total_wait: float = 900.0
    jitter: float = 0.25

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Exponential delay for 1-based `attempt`, with proportional jitter."""
        raw = min(self.max_delay, self.base_delay * (2.0 ** (attempt - 1)))
        if self.jitter and raw > 0:
            raw *= 1 + (rng or random).uniform(-self.jitter, self.jitter)
        return max(0.0, raw)

    def wait_for(self, attempt: int, hint: float | None, rng: random.Random | None = None) -> float:
        """Delay before the next attempt: the server's hint if given (capped), else backoff."""
        if hint is not None:
            return max(0.0, min(hint, self.max_server_delay))
        return self.backoff(attempt, rng)


def error_fields(
    body: Any, status: int, *, description: tuple[str, ...] = ("error_description",)
) -> tuple[str, str] | None:
    """(code, message) of a decoded error body of either common shape: an API's ``{"error": {"code", "message"}}``
    (code defaults to the HTTP `status`) or OAuth's ``{"error": "<code>", "error_description": ".."}`` (the
    message is the first of the `description` keys present). None for any other body."""
    if not isinstance(body, Mapping):
        return None
    err = body.get("error")
    if isinstance(err, Mapping):
        return str(err.get("code", status)), str(err.get("message", ""))
    if isinstance(err, str):
        return err, str(next((body[k] for k in description if k in body), ""))
    return None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """`Retry-After` as seconds: either delta-seconds or an HTTP date. None when absent or unparseable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (now if now is not None else time.time()))


def request_id_of(response: httpx.Response) -> str | None:
    """The platform's request id header, if any."""
    for name in REQUEST_ID_HEADERS:
        value = response.headers.get(name)
        if value:
            return str(value)
    return None


def default_classifier(response: httpx.Response) -> Verdict:
    """Generic HTTP semantics: 2xx ok, 429/420/5xx retry (with Retry-After), 401 refresh, other 4xx fatal."""
    status = response.status_code
    rid = request_id_of(response)
    if 200 <= status < 300:
        return Verdict("ok", request_id=rid)
    text = _body_text(response)
    if status in (420, 429) or status >= 500:
        return Verdict(
            "retry", parse_retry_after(response.headers.get("Retry-After")), text, str(status), rid
        )
    if status == 401:
        return Verdict("refresh", None, text, str(status), rid)
    return Verdict("fatal", None, text, str(status), rid)


def unreadable_json(response: httpx.Response) -> bool:
    """True when the response says it is JSON but its (read) body does not decode: truncated or garbled in transit.

    Such an answer tells nothing about what the server meant, so classifiers retry it instead of trusting the
    status line alone (a mangled 403 may be an expired token, not a refusal).
    """
    if "json" not in response.headers.get("content-type", "").lower():
        return False
    try:
        json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return True
    except (httpx.ResponseNotRead, httpx.StreamError):
        return False
    return False


def _body_text(response: httpx.Response, limit: int = 2000) -> str:
    try:
        return response.text[:limit]
    except (httpx.ResponseNotRead, httpx.StreamError):
        return ""


@dataclass
class ApiClient:
    """One platform's HTTP client: retries, auth header injection, token refresh, request-id log.

    `auth_headers()` is called before every attempt (so a refreshed token is picked up); `refresh()` is
    called at most once per `refresh` verdict streak and is serialised by a lock, because some platforms
    (VK) invalidate the old token on refresh and must never see two refreshes at once.
    """

    platform: str
    base_url: str
    classify: Classifier = default_classifier
    auth_headers: Callable[[], Mapping[str, str]] | None = None
    refresh: Callable[[], None] | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    transport: httpx.BaseTransport | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    request_ids: list[str] = field(default_factory=list)
    attempts_log: list[tuple[str, str]] = field(default_factory=list)  # (what happened, detail) per retry

    def __post_init__(self) -> None:
        self._client = httpx.Client(
            base_url=self.base_url.rstrip("/"),
            timeout=self.timeout,
            transport=self.transport,
            headers=dict(self.headers),
        )
        self._refresh_lock = threading.Lock()
        self._rng = random.Random()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self, method: str, url: str, *, policy: RetryPolicy | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Send with retries; returns a read response whose verdict is `ok`, else raises a typed error.

        `policy` overrides the client's policy for this request (e.g. one attempt for a request that is not
        safe to repeat blindly, whose caller decides about retries itself).
        """
        with self._attempts(method, url, stream=False, policy=policy, **kwargs) as response:
            return response

    @contextlib.contextmanager
    def stream(
        self,
        method: str,
        url: str,
        *,
        policy: RetryPolicy | None = None,
        read_ok_json: bool = True,
        **kwargs: Any,
    ) -> Iterator[httpx.Response]:
        """Like `request` but the body is not read: retries cover everything up to the response headers.

        Failures while reading the body surface as `httpx` errors to the caller, who turns them into a
        `PayloadError` so the whole fetch can be retried at the load level. A 2xx JSON answer is read whole first
        (APIs that put errors inside HTTP 200 need the body to classify it); `read_ok_json=False` is for APIs
        whose 2xx JSON is the data itself, streamed (Google Ads searchStream: hundreds of MB read as they come).
        """
        with self._attempts(
            method, url, stream=True, policy=policy, read_ok_json=read_ok_json, **kwargs
        ) as response:
            yield response

    @contextlib.contextmanager
    def _attempts(
        self,
        method: str,
        url: str,
        *,
        stream: bool,
        policy: RetryPolicy | None = None,
        read_ok_json: bool = True,
        **kwargs: Any,
    ) -> Iterator[httpx.Response]:
        policy = policy or self.policy
        waited = 0.0
        refreshed = False
        last: Verdict | None = None
        last_status: int | None = None
        for attempt in range(1, policy.max_attempts + 1):
            headers = dict(kwargs.pop("headers", None) or {})
            kwargs["headers"] = headers
            send_headers = {**headers, **(dict(self.auth_headers()) if self.auth_headers else {})}
            try:
                req = self._client.build_request(method, url, **{**kwargs, "headers": send_headers})
                response = self._client.send(req, stream=stream)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                # Timeouts, refused/reset connections and protocol errors are transient by nature.
                last = Verdict("retry", None, f"{type(exc).__name__}: {exc}", type(exc).__name__)
                last_status = None
                response = None
            if response is not None:
                try:
                    ctype = response.headers.get("content-type", "")
                    ok = 200 <= response.status_code < 300
                    if stream and (not ok or (read_ok_json and ctype.startswith("application/json"))):
                        response.read()  # error bodies (also JSON errors inside HTTP 200) are small
                    verdict = self.classify(response)
                except httpx.TransportError as exc:
                    response.close()
                    verdict = Verdict("retry", None, f"{type(exc).__name__}: {exc}", type(exc).__name__)
                rid = verdict.request_id or request_id_of(response)
                if rid:
                    self.request_ids.append(rid)
                last, last_status = verdict, response.status_code
                if verdict.action == "ok":
                    try:
                        yield response
                    finally:
                        response.close()
                    return
                response.close()
                if verdict.action == "fatal":
                    raise self._failure(ApiError, method, url, verdict, last_status, rid)
                if verdict.action == "refresh":
                    if refreshed or self.refresh is None:
                        raise self._failure(AuthError, method, url, verdict, last_status, rid)
                    with self._refresh_lock:
                        self.refresh()
                    refreshed = True
                    self.attempts_log.append(("refresh", verdict.error_text[:200]))
                    continue
            assert last is not None
            if attempt == policy.max_attempts:
                break
            delay = policy.wait_for(attempt, last.delay, self._rng)
            if waited + delay > policy.max_total_wait:
                break
            self.attempts_log.append(("retry", f"{last.code}: {last.error_text[:200]} (sleep {delay:.2f}s)"))
            self.sleep(delay)
            waited += delay
        assert last is not None
        exhausted = self._failure(
            RetryExhausted,
            method,
            url,
            last,
            last_status,
            last.request_id,
            f"gave up after {attempt} attempts: ",
        )
        exhausted.retry_after = last.delay
        raise exhausted

    def _failure(
        self,
        kind: type[_E],
        method: str,
        url: str,
        verdict: Verdict,
        status: int | None,
        request_id: str | None,
        prefix: str = "",
    ) -> _E:
        """A `kind` error describing the request and the platform's answer."""
        return kind(
            prefix + self._describe(method, url, verdict, status),
            platform=self.platform,
            request_id=request_id,
            status=status,
            code=verdict.code,
            error_text=verdict.error_text,
        )

    @staticmethod
    def _describe(method: str, url: str, verdict: Verdict, status: int | None) -> str:
        code = f" code {verdict.code}" if verdict.code else ""
        http = f"HTTP {status}" if status is not None else "no response"
        return f"{method} {url} failed ({http}{code}): {verdict.error_text or '<empty body>'}"
